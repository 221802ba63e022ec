//! The retry decision the send engine needs, as a trait, so that the engine does not depend on
//! how the policy is configured. [`NoRetry`] is the behaviour without `--retry`.

use std::time::Duration;

/// What to do after a failed submission.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RetryDecision {
    /// Send again after this delay.
    RetryAfter(Duration),
    /// Stop; the words say why.
    GiveUp(String),
}

/// Decides whether and when a rejected message is sent again.
pub trait Retry: Send {
    /// After failure number `failures` (1-based) with `status`, `elapsed` since the first attempt.
    fn decide(&self, status: u32, failures: u32, elapsed: Duration) -> RetryDecision;
    /// True when `status` is a throttling code (the engine slows down).
    fn is_throttling(&self, status: u32) -> bool {
        is_throttling(status)
    }
}

/// ESME_RTHROTTLED (0x58) and ESME_RMSGQFUL (0x14): the SMSC asks us to slow down.
pub fn is_throttling(status: u32) -> bool {
    status == 0x58 || status == 0x14
}

/// Never retry.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoRetry;

impl Retry for NoRetry {
    fn decide(&self, _: u32, _: u32, _: Duration) -> RetryDecision {
        RetryDecision::GiveUp("no --retry".into())
    }
}
