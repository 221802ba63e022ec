//! The retry decision the send engine needs, as a trait, so that the engine does not depend on
//! how the policy is configured. [`NoRetry`] is the behaviour without `--retry`.

use crate::spec::ids::status::{ESME_RMSGQFUL, ESME_RTHROTTLED};
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
    status == ESME_RTHROTTLED || status == ESME_RMSGQFUL
}

/// Never retry.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoRetry;

impl Retry for NoRetry {
    fn decide(&self, _: u32, _: u32, _: Duration) -> RetryDecision {
        RetryDecision::GiveUp("no --retry".into())
    }
}

impl Retry for crate::spec::retry::RetryPolicy {
    fn decide(&self, status: u32, failures: u32, elapsed: Duration) -> RetryDecision {
        use crate::spec::retry::Decision;
        match crate::spec::retry::RetryPolicy::decide(self, status, failures, elapsed) {
            Decision::RetryAfter(d) => RetryDecision::RetryAfter(d),
            Decision::GiveUp(reason) => RetryDecision::GiveUp(reason.describe().to_string()),
        }
    }

    fn is_throttling(&self, status: u32) -> bool {
        self.class(status) == crate::spec::status::RetryClass::Throttling
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::retry::RetryPolicy;

    #[test]
    fn policy_drives_decisions() {
        let p = RetryPolicy {
            delay: Duration::from_millis(100),
            ..RetryPolicy::default()
        };
        // Throttling: the first failures are retried at once, then with the delay.
        assert_eq!(
            Retry::decide(&p, 0x58, 1, Duration::ZERO),
            RetryDecision::RetryAfter(Duration::ZERO)
        );
        assert_eq!(
            Retry::decide(&p, 0x58, 2, Duration::ZERO),
            RetryDecision::RetryAfter(Duration::from_millis(100))
        );
        assert!(Retry::is_throttling(&p, 0x14));
        assert!(!Retry::is_throttling(&p, 0x0B));
        // Permanent: give up at once.
        assert!(matches!(
            Retry::decide(&p, 0x0B, 1, Duration::ZERO),
            RetryDecision::GiveUp(_)
        ));
        assert!(matches!(
            NoRetry.decide(0x58, 1, Duration::ZERO),
            RetryDecision::GiveUp(_)
        ));
    }
}
