//! The retry policy (NowSMS model): permanent codes fail at once; throttling and queue-full are
//! retried past the attempt limit until the maximum age; everything else is retried on a delayed
//! schedule up to the attempt limit.
//!
//! SKELETON: being written (see issue 2).
