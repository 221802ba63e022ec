//! The retry policy (NowSMS model): permanent codes fail at once; throttling and queue-full are
//! retried past the attempt limit until the maximum age; everything else is retried on a delayed
//! schedule up to the attempt limit.
//!
//! The schedule, with the defaults (delay 30 s, multiplier 1, delay applied after 2 attempts):
//! failures below `after_attempts` are retried at once; from then on the wait after failure `n`
//! is `delay × multiplier × (n − after_attempts + 1)` (multiplier 0: a fixed `delay`), capped by
//! `max_delay`. So the 1st failure waits 0 s, the 2nd 30 s, the 3rd 60 s, the 4th 90 s.
//! Transient codes give up at failure number `max_attempts` (20); throttling codes keep going
//! until the time since the first attempt reaches `max_age` (1440 min).
//!
//! The reject list (`--reject-codes FE,All,58`) makes codes permanent; `All` makes every code
//! permanent except ESME_RTHROTTLED (0x58) and ESME_RMSGQFUL (0x14), unless they are listed too.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use super::status::{self, RetryClass};

/// ESME_RTHROTTLED.
const THROTTLED: u32 = 0x58;
/// ESME_RMSGQFUL.
const MSGQFUL: u32 = 0x14;

/// At most this many steps come out of [`RetryPolicy::schedule`]; longer schedules (throttling
/// with a small capped delay) are cut there and keep going in reality.
pub const SCHEDULE_LIMIT: usize = 500;

/// Errors in retry settings.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RetryError {
    /// An entry of the reject list is neither a hex code, a status name nor `All`.
    #[error(
        "reject list entry {entry:?} (item {item}) is not a hex code (like FE or 0x58), \
         a status name or `All`"
    )]
    BadRejectEntry {
        /// The offending entry as typed.
        entry: String,
        /// Its 1-based position in the list.
        item: usize,
    },
    /// The multiplier is negative, NaN or infinite.
    #[error("retry multiplier must be a finite number >= 0 (0 = fixed delay), got {0}")]
    BadMultiplier(f64),
    /// The attempt limit is zero.
    #[error("retry max attempts must be at least 1")]
    ZeroAttempts,
}

/// Codes the user wants treated as permanent (NowSMS `SMPPRejectErrorCodes`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RejectList {
    /// `All`: every code permanent except 0x58 and 0x14 (unless those are in `codes`).
    pub all: bool,
    /// Codes listed explicitly.
    pub codes: Vec<u32>,
}

impl RejectList {
    /// Whether the list makes `status` permanent (status 0 never is).
    pub fn rejects(&self, status: u32) -> bool {
        status != 0
            && (self.codes.contains(&status)
                || (self.all && status != THROTTLED && status != MSGQFUL))
    }

    /// Whether the list is empty.
    pub fn is_empty(&self) -> bool {
        !self.all && self.codes.is_empty()
    }
}

impl FromStr for RejectList {
    type Err = RetryError;

    /// Parse `FE,All,58`: hex codes (optional `0x`), `All`, or status names, separated by commas
    /// or spaces, case-insensitive.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut list = RejectList::default();
        let entries = s
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|e| !e.is_empty());
        for (i, entry) in entries.enumerate() {
            if entry.eq_ignore_ascii_case("all") {
                list.all = true;
                continue;
            }
            let hex = entry
                .strip_prefix("0x")
                .or_else(|| entry.strip_prefix("0X"))
                .unwrap_or(entry);
            let code = if !hex.is_empty() && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                u32::from_str_radix(hex, 16).ok()
            } else {
                status::find_by_name(entry)
            };
            match code {
                Some(c) if !list.codes.contains(&c) => list.codes.push(c),
                Some(_) => {}
                None => {
                    return Err(RetryError::BadRejectEntry {
                        entry: entry.to_string(),
                        item: i + 1,
                    })
                }
            }
        }
        Ok(list)
    }
}

impl fmt::Display for RejectList {
    /// The list in the form it is parsed from, e.g. `All,FE,58`; `none` when empty.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_empty() {
            return f.write_str("none");
        }
        let mut parts: Vec<String> = vec![];
        if self.all {
            parts.push("All".into());
        }
        parts.extend(self.codes.iter().map(|c| format!("{c:X}")));
        f.write_str(&parts.join(","))
    }
}

/// Why a sender stops retrying.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GiveUpReason {
    /// Status 0 is not a failure: there is nothing to retry.
    NotAnError,
    /// The code is permanent (by the table or the reject list).
    Permanent,
    /// The attempt limit was reached (transient codes).
    AttemptsExhausted,
    /// The maximum age was reached (throttling codes).
    MaxAge,
}

impl GiveUpReason {
    /// A few words for output.
    pub fn describe(self) -> &'static str {
        match self {
            GiveUpReason::NotAnError => "not an error",
            GiveUpReason::Permanent => "permanent error",
            GiveUpReason::AttemptsExhausted => "attempt limit reached",
            GiveUpReason::MaxAge => "maximum age reached",
        }
    }
}

/// What to do after a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// Send again after this delay (zero: at once).
    RetryAfter(Duration),
    /// Stop: the message failed.
    GiveUp(GiveUpReason),
}

/// One row of a schedule: attempt number `attempt` fails at time `at` (since the first attempt,
/// assuming answers arrive instantly), and `decision` says what happens next.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Step {
    /// 1-based attempt number (equal to the number of failures so far).
    pub attempt: u32,
    /// Cumulative time of this attempt since the first one.
    pub at: Duration,
    /// Retry after a delay, or give up (the final give-up point).
    pub decision: Decision,
}

impl Step {
    /// The delay before the next attempt (`None` when giving up).
    pub fn delay(&self) -> Option<Duration> {
        match self.decision {
            Decision::RetryAfter(d) => Some(d),
            Decision::GiveUp(_) => None,
        }
    }
}

/// Retry settings with the NowSMS parameters (`RetryDelay`, `RetryDelayMultiplier`,
/// `RetryDelayAfterAttempts`, `RetryDelayMax`, `RetryMaxAttempts`, `RetryMaxAge`,
/// `SMPPRejectErrorCodes`).
#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    /// Base delay (default 30 s).
    pub delay: Duration,
    /// Multiplier applied per failure (default 1.0; 0 = fixed `delay`).
    pub multiplier: f64,
    /// Failures retried at once before delays apply (default 2; 0 and 1 both mean "delay from
    /// the first failure").
    pub after_attempts: u32,
    /// Cap on one delay (default none).
    pub max_delay: Option<Duration>,
    /// Transient codes give up at this failure number (default 20).
    pub max_attempts: u32,
    /// Throttling codes give up once this much time has passed since the first attempt
    /// (default 1440 min).
    pub max_age: Duration,
    /// Codes made permanent by the user.
    pub reject: RejectList,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            delay: Duration::from_secs(30),
            multiplier: 1.0,
            after_attempts: 2,
            max_delay: None,
            max_attempts: 20,
            max_age: Duration::from_secs(1440 * 60),
            reject: RejectList::default(),
        }
    }
}

impl RetryPolicy {
    /// Check the settings (multiplier finite and not negative, at least one attempt).
    pub fn validate(&self) -> Result<(), RetryError> {
        if !self.multiplier.is_finite() || self.multiplier < 0.0 {
            return Err(RetryError::BadMultiplier(self.multiplier));
        }
        if self.max_attempts == 0 {
            return Err(RetryError::ZeroAttempts);
        }
        Ok(())
    }

    /// The retry class of `status` under this policy: the table's class, overridden by the
    /// reject list.
    pub fn class(&self, status: u32) -> RetryClass {
        if status == 0 {
            RetryClass::Success
        } else if self.reject.rejects(status) {
            RetryClass::Permanent
        } else {
            status::explain(status).retry
        }
    }

    /// The wait after failure number `failures` (1-based), ignoring the class.
    pub fn delay_after(&self, failures: u32) -> Duration {
        let after = self.after_attempts.max(1);
        if failures < after {
            return Duration::ZERO;
        }
        let d = if self.multiplier == 0.0 {
            self.delay
        } else {
            let n = f64::from(failures - after + 1);
            let secs = self.delay.as_secs_f64() * self.multiplier * n;
            Duration::try_from_secs_f64(secs).unwrap_or(Duration::MAX)
        };
        match self.max_delay {
            Some(cap) => d.min(cap),
            None => d,
        }
    }

    /// After the `failures`-th failure (1-based; 0 counts as 1) with `status`, at `elapsed`
    /// since the first attempt: retry after a delay, or give up.
    ///
    /// Transient codes give up at failure number `max_attempts`, whatever the age. Throttling
    /// codes ignore the attempt limit and give up once `elapsed` reaches `max_age`, or when the
    /// next attempt would come after it (the message would have expired by then).
    pub fn decide(&self, status: u32, failures: u32, elapsed: Duration) -> Decision {
        let failures = failures.max(1);
        match self.class(status) {
            RetryClass::Success => Decision::GiveUp(GiveUpReason::NotAnError),
            RetryClass::Permanent => Decision::GiveUp(GiveUpReason::Permanent),
            RetryClass::Transient if failures >= self.max_attempts => {
                Decision::GiveUp(GiveUpReason::AttemptsExhausted)
            }
            RetryClass::Transient => Decision::RetryAfter(self.delay_after(failures)),
            RetryClass::Throttling => {
                let d = self.delay_after(failures);
                if elapsed >= self.max_age || elapsed.saturating_add(d) > self.max_age {
                    Decision::GiveUp(GiveUpReason::MaxAge)
                } else {
                    Decision::RetryAfter(d)
                }
            }
        }
    }

    /// The whole schedule for a message that keeps failing with `status`, up to the give-up
    /// point, or cut at [`SCHEDULE_LIMIT`] steps.
    pub fn schedule(&self, status: u32) -> Vec<Step> {
        let mut steps = vec![];
        let mut at = Duration::ZERO;
        for attempt in 1..=u32::MAX {
            let decision = self.decide(status, attempt, at);
            steps.push(Step {
                attempt,
                at,
                decision,
            });
            match decision {
                Decision::GiveUp(_) => break,
                Decision::RetryAfter(d) => at = at.saturating_add(d),
            }
            if steps.len() >= SCHEDULE_LIMIT {
                break;
            }
        }
        steps
    }

    /// One line describing the settings, e.g. for the schedule header.
    pub fn summary(&self) -> String {
        let mult = if self.multiplier == 0.0 {
            "fixed delay".to_string()
        } else {
            format!("multiplier {}", self.multiplier)
        };
        let cap = match self.max_delay {
            Some(d) => format!("max delay {} s", fmt_secs(d)),
            None => "no max delay".to_string(),
        };
        format!(
            "delay {} s, {mult}, delays after {} attempts, {cap}, max {} attempts, \
             max age {} min, reject codes {}",
            fmt_secs(self.delay),
            self.after_attempts,
            self.max_attempts,
            self.max_age.as_secs() / 60,
            self.reject
        )
    }
}

/// Seconds of a duration without trailing zeros: `30`, `45.5`, `0.25`.
pub fn fmt_secs(d: Duration) -> String {
    if d.subsec_millis() == 0 {
        d.as_secs().to_string()
    } else {
        let s = format!("{:.3}", d.as_secs_f64());
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(s: u64) -> Duration {
        Duration::from_secs(s)
    }

    #[test]
    fn defaults_match_the_model() {
        let p = RetryPolicy::default();
        assert_eq!(p.delay, secs(30));
        assert_eq!(p.multiplier, 1.0);
        assert_eq!(p.after_attempts, 2);
        assert_eq!(p.max_delay, None);
        assert_eq!(p.max_attempts, 20);
        assert_eq!(p.max_age, secs(86_400));
        assert!(p.reject.is_empty());
        assert_eq!(p.validate(), Ok(()));
    }

    #[test]
    fn seed_page_numbers() {
        // First error: retry at once; second: 30 s; third: 60 s; each further error adds 30 s.
        let p = RetryPolicy::default();
        let d = |n| p.decide(0x08, n, Duration::ZERO);
        assert_eq!(d(1), Decision::RetryAfter(secs(0)));
        assert_eq!(d(2), Decision::RetryAfter(secs(30)));
        assert_eq!(d(3), Decision::RetryAfter(secs(60)));
        assert_eq!(d(4), Decision::RetryAfter(secs(90)));
        assert_eq!(d(19), Decision::RetryAfter(secs(540)));
        // After 20 errors the message has failed.
        assert_eq!(d(20), Decision::GiveUp(GiveUpReason::AttemptsExhausted));
    }

    #[test]
    fn permanent_codes_give_up_at_once() {
        let p = RetryPolicy::default();
        for code in [0x0A, 0x0B, 0x66, 0x0E] {
            assert_eq!(
                p.decide(code, 1, Duration::ZERO),
                Decision::GiveUp(GiveUpReason::Permanent),
                "0x{code:X}"
            );
        }
        assert_eq!(
            p.decide(0, 1, Duration::ZERO),
            Decision::GiveUp(GiveUpReason::NotAnError)
        );
    }

    #[test]
    fn throttling_retries_past_the_attempt_limit_until_max_age() {
        let p = RetryPolicy::default();
        for code in [0x58, 0x14] {
            assert_eq!(
                p.decide(code, 20, secs(3600)),
                Decision::RetryAfter(secs(570))
            );
            // The 50th failure waits 30 s x 49 = 1470 s: allowed if it lands by the max age.
            assert_eq!(
                p.decide(code, 50, secs(86_400 - 1470)),
                Decision::RetryAfter(secs(1470))
            );
            assert_eq!(
                p.decide(code, 50, secs(86_400 - 1469)),
                Decision::GiveUp(GiveUpReason::MaxAge)
            );
            assert_eq!(
                p.decide(code, 1, secs(86_400)),
                Decision::GiveUp(GiveUpReason::MaxAge)
            );
        }
        // Transient codes ignore the age but not the attempt limit.
        assert_eq!(
            p.decide(0x08, 5, secs(200_000)),
            Decision::RetryAfter(secs(120))
        );
    }

    #[test]
    fn multiplier_cap_and_after_attempts() {
        let fixed = RetryPolicy {
            multiplier: 0.0,
            ..Default::default()
        };
        assert_eq!(fixed.delay_after(1), secs(0));
        assert_eq!(fixed.delay_after(2), secs(30));
        assert_eq!(fixed.delay_after(10), secs(30));
        let capped = RetryPolicy {
            max_delay: Some(secs(45)),
            ..Default::default()
        };
        assert_eq!(capped.delay_after(2), secs(30));
        assert_eq!(capped.delay_after(3), secs(45));
        let doubled = RetryPolicy {
            multiplier: 2.0,
            after_attempts: 1,
            delay: secs(10),
            ..Default::default()
        };
        assert_eq!(doubled.delay_after(1), secs(20));
        assert_eq!(doubled.delay_after(3), secs(60));
        let zero = RetryPolicy {
            after_attempts: 0,
            ..Default::default()
        };
        assert_eq!(zero.delay_after(1), secs(30));
        let frac = RetryPolicy {
            multiplier: 1.5,
            ..Default::default()
        };
        assert_eq!(frac.delay_after(2), secs(45));
        assert_eq!(fmt_secs(Duration::from_millis(22_500)), "22.5");
    }

    #[test]
    fn reject_list_parsing() {
        let r: RejectList = "FE,All,58".parse().unwrap();
        assert!(r.all);
        assert_eq!(r.codes, vec![0xFE, 0x58]);
        assert_eq!(r.to_string(), "All,FE,58");
        let r: RejectList = "0x14, fe ,fe,ESME_RSYSERR".parse().unwrap();
        assert!(!r.all);
        assert_eq!(r.codes, vec![0x14, 0xFE, 0x08]);
        assert_eq!("".parse::<RejectList>(), Ok(RejectList::default()));
        assert_eq!(
            "FE,zz".parse::<RejectList>(),
            Err(RetryError::BadRejectEntry {
                entry: "zz".into(),
                item: 2
            })
        );
        assert!("100000000".parse::<RejectList>().is_err());
    }

    #[test]
    fn reject_list_overrides_the_table() {
        let all = RetryPolicy {
            reject: "All".parse().unwrap(),
            ..Default::default()
        };
        assert_eq!(all.class(0x08), RetryClass::Permanent);
        assert_eq!(all.class(0x401), RetryClass::Permanent);
        assert_eq!(all.class(0x58), RetryClass::Throttling);
        assert_eq!(all.class(0x14), RetryClass::Throttling);
        assert_eq!(all.class(0), RetryClass::Success);
        let all58 = RetryPolicy {
            reject: "All,58".parse().unwrap(),
            ..Default::default()
        };
        assert_eq!(all58.class(0x58), RetryClass::Permanent);
        assert_eq!(all58.class(0x14), RetryClass::Throttling);
        let fe = RetryPolicy {
            reject: "FE".parse().unwrap(),
            ..Default::default()
        };
        assert_eq!(fe.class(0xFE), RetryClass::Permanent);
        assert_eq!(fe.class(0xFF), RetryClass::Transient);
        assert_eq!(
            fe.decide(0xFE, 1, Duration::ZERO),
            Decision::GiveUp(GiveUpReason::Permanent)
        );
    }

    #[test]
    fn schedules() {
        let p = RetryPolicy::default();
        let s = p.schedule(0x08);
        assert_eq!(s.len(), 20);
        let delays: Vec<Option<u64>> = s
            .iter()
            .take(4)
            .map(|s| s.delay().map(|d| d.as_secs()))
            .collect();
        assert_eq!(delays, vec![Some(0), Some(30), Some(60), Some(90)]);
        let ats: Vec<u64> = s.iter().take(4).map(|s| s.at.as_secs()).collect();
        assert_eq!(ats, vec![0, 0, 30, 90]);
        let last = s.last().unwrap();
        assert_eq!(last.attempt, 20);
        // 30 s × (1 + 2 + ... + 18) = 5130 s.
        assert_eq!(last.at, secs(5130));
        assert_eq!(
            last.decision,
            Decision::GiveUp(GiveUpReason::AttemptsExhausted)
        );

        let t = p.schedule(0x58);
        let last = t.last().unwrap();
        assert_eq!(last.decision, Decision::GiveUp(GiveUpReason::MaxAge));
        assert!(last.at + p.delay_after(last.attempt) > p.max_age);
        assert!(t.len() > 20);
        assert!(t.iter().rev().skip(1).all(|s| s.at < p.max_age));

        let perm = p.schedule(0x0B);
        assert_eq!(perm.len(), 1);
        assert_eq!(perm[0].decision, Decision::GiveUp(GiveUpReason::Permanent));

        // A zero delay never ages: the schedule is cut, not endless.
        let zero = RetryPolicy {
            delay: Duration::ZERO,
            ..Default::default()
        };
        assert_eq!(zero.schedule(0x58).len(), SCHEDULE_LIMIT);
    }

    #[test]
    fn validation() {
        let bad = RetryPolicy {
            multiplier: -1.0,
            ..Default::default()
        };
        assert_eq!(bad.validate(), Err(RetryError::BadMultiplier(-1.0)));
        let nan = RetryPolicy {
            multiplier: f64::NAN,
            ..Default::default()
        };
        assert!(nan.validate().is_err());
        let zero = RetryPolicy {
            max_attempts: 0,
            ..Default::default()
        };
        assert_eq!(zero.validate(), Err(RetryError::ZeroAttempts));
        // Even unvalidated extremes do not panic.
        let huge = RetryPolicy {
            multiplier: 1e300,
            ..Default::default()
        };
        assert_eq!(huge.delay_after(5), Duration::MAX);
        assert!(huge.schedule(0x58).len() <= SCHEDULE_LIMIT);
    }
}
