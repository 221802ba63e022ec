//! Retry options shared by `explain` and (later) `send --retry`, named after the NowSMS settings.

use std::time::Duration;

use anyhow::Context;

use crate::spec::retry::{RejectList, RetryPolicy};

/// The retry options. Unset options keep the defaults of [`RetryPolicy::default`].
#[derive(Debug, Clone, Default, clap::Args)]
#[command(next_help_heading = "Retry policy")]
pub struct RetryArgs {
    /// Base delay between retries, in seconds [default: 30].
    #[arg(long, value_name = "SECS")]
    pub retry_delay: Option<f64>,
    /// Multiplier per failed attempt; 0 means a fixed delay [default: 1].
    #[arg(long, value_name = "F")]
    pub retry_multiplier: Option<f64>,
    /// Failures retried at once before delays start [default: 2].
    #[arg(long, value_name = "N")]
    pub retry_after_attempts: Option<u32>,
    /// Cap on one delay, in seconds [default: no cap].
    #[arg(long, value_name = "SECS")]
    pub retry_max_delay: Option<f64>,
    /// Transient errors give up at this attempt [default: 20].
    #[arg(long, value_name = "N")]
    pub retry_max_attempts: Option<u32>,
    /// Throttling errors (0x58, 0x14) are retried until this age, in minutes [default: 1440].
    #[arg(long, value_name = "MINUTES")]
    pub retry_max_age: Option<u64>,
    /// Codes to treat as permanent: hex codes and/or All, e.g. FE,All,58 (All spares 58 and 14
    /// unless they are listed too).
    #[arg(long, value_name = "LIST")]
    pub reject_codes: Option<String>,
}

fn secs(what: &str, v: f64) -> anyhow::Result<Duration> {
    super::secs_in(what, v, 0.0)
}

impl RetryArgs {
    /// Whether any retry option was given.
    pub fn any_set(&self) -> bool {
        self.retry_delay.is_some()
            || self.retry_multiplier.is_some()
            || self.retry_after_attempts.is_some()
            || self.retry_max_delay.is_some()
            || self.retry_max_attempts.is_some()
            || self.retry_max_age.is_some()
            || self.reject_codes.is_some()
    }

    /// The policy: the defaults with the given options applied, validated.
    pub fn policy(&self) -> anyhow::Result<RetryPolicy> {
        let mut p = RetryPolicy::default();
        if let Some(d) = self.retry_delay {
            p.delay = secs("--retry-delay", d)?;
        }
        if let Some(m) = self.retry_multiplier {
            p.multiplier = m;
        }
        if let Some(n) = self.retry_after_attempts {
            p.after_attempts = n;
        }
        if let Some(d) = self.retry_max_delay {
            p.max_delay = Some(secs("--retry-max-delay", d)?);
        }
        if let Some(n) = self.retry_max_attempts {
            p.max_attempts = n;
        }
        if let Some(m) = self.retry_max_age {
            p.max_age = Duration::from_secs(m.saturating_mul(60));
        }
        if let Some(list) = &self.reject_codes {
            p.reject = list
                .parse::<RejectList>()
                .context("invalid --reject-codes")?;
        }
        p.validate()?;
        Ok(p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Debug, Parser)]
    struct T {
        #[command(flatten)]
        retry: RetryArgs,
    }

    fn parse(args: &[&str]) -> RetryArgs {
        T::try_parse_from(std::iter::once("t").chain(args.iter().copied()))
            .unwrap()
            .retry
    }

    #[test]
    fn defaults_when_nothing_is_set() {
        let a = parse(&[]);
        assert!(!a.any_set());
        assert_eq!(a.policy().unwrap(), RetryPolicy::default());
    }

    #[test]
    fn every_option_is_applied() {
        let a = parse(&[
            "--retry-delay",
            "10",
            "--retry-multiplier",
            "0",
            "--retry-after-attempts",
            "1",
            "--retry-max-delay",
            "60",
            "--retry-max-attempts",
            "5",
            "--retry-max-age",
            "90",
            "--reject-codes",
            "FE,All,58",
        ]);
        assert!(a.any_set());
        let p = a.policy().unwrap();
        assert_eq!(p.delay, Duration::from_secs(10));
        assert_eq!(p.multiplier, 0.0);
        assert_eq!(p.after_attempts, 1);
        assert_eq!(p.max_delay, Some(Duration::from_secs(60)));
        assert_eq!(p.max_attempts, 5);
        assert_eq!(p.max_age, Duration::from_secs(5400));
        assert!(p.reject.all);
        assert_eq!(p.reject.codes, vec![0xFE, 0x58]);
    }

    #[test]
    fn bad_values_are_errors() {
        let e = parse(&["--reject-codes", "FE,xyz"]).policy().unwrap_err();
        assert!(format!("{e:#}").contains("xyz"), "{e:#}");
        assert!(parse(&["--retry-delay=-1"]).policy().is_err());
        assert!(parse(&["--retry-multiplier=-2"]).policy().is_err());
        assert!(parse(&["--retry-max-attempts", "0"]).policy().is_err());
    }
}
