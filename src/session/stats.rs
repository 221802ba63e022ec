//! Counters and a fixed-size latency histogram for the send summary: memory does not grow with
//! the number of messages.

use std::collections::BTreeMap;
use std::time::Duration;

const SUB: usize = 32;
const EXPS: usize = 40;

/// Latency histogram: log-linear buckets over microseconds (about 3 % resolution), exact maximum.
#[derive(Debug, Clone)]
pub struct Histogram {
    buckets: Box<[u64]>,
    count: u64,
    max: Duration,
}

impl Default for Histogram {
    fn default() -> Self {
        Histogram {
            buckets: vec![0; SUB * EXPS].into_boxed_slice(),
            count: 0,
            max: Duration::ZERO,
        }
    }
}

fn index_of(us: u64) -> usize {
    if us < SUB as u64 {
        return us as usize;
    }
    let exp = 63 - us.leading_zeros() as usize; // >= 5
    let shift = exp - 5;
    let sub = ((us >> shift) as usize) - SUB;
    ((shift + 1) * SUB + sub).min(SUB * EXPS - 1)
}

fn value_of(index: usize) -> u64 {
    if index < SUB {
        return index as u64;
    }
    let shift = index / SUB - 1;
    let sub = (index % SUB) as u64 + SUB as u64;
    // Middle of the bucket.
    (sub << shift) + ((1u64 << shift) >> 1)
}

impl Histogram {
    /// Record one latency.
    pub fn record(&mut self, d: Duration) {
        let us = u64::try_from(d.as_micros()).unwrap_or(u64::MAX);
        if let Some(b) = self.buckets.get_mut(index_of(us)) {
            *b += 1;
        }
        self.count += 1;
        self.max = self.max.max(d);
    }

    /// Number of values recorded.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// The largest value recorded.
    pub fn max(&self) -> Duration {
        self.max
    }

    /// The value at quantile `q` (0.0 ..= 1.0), within the bucket resolution.
    pub fn quantile(&self, q: f64) -> Duration {
        if self.count == 0 {
            return Duration::ZERO;
        }
        let rank = ((q.clamp(0.0, 1.0) * self.count as f64).ceil() as u64).max(1);
        if rank >= self.count {
            return self.max;
        }
        let mut seen = 0;
        for (i, n) in self.buckets.iter().enumerate() {
            seen += n;
            if seen >= rank {
                return Duration::from_micros(value_of(i)).min(self.max);
            }
        }
        self.max
    }
}

/// What a send run did.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    /// Submissions written (retries included).
    pub sent: u64,
    /// Submissions answered with status 0.
    pub accepted: u64,
    /// Rejections by status.
    pub rejected: BTreeMap<u32, u64>,
    /// Retries scheduled.
    pub retries: u64,
    /// Message parts that failed for good.
    pub failed: u64,
    /// Response latencies.
    pub latency: Histogram,
    /// Time from the first submission to the last response.
    pub elapsed: Duration,
    /// Time from the first submission to the last one (retries included): the span over which
    /// [`Summary::send_rate`] is measured, and what `--rate` paces.
    pub send_span: Duration,
    /// Receipts by final state word.
    pub receipts: BTreeMap<String, u64>,
    /// Message ids whose receipt never came.
    pub receipts_missing: u64,
    /// PDUs from the peer that failed strict decoding.
    pub malformed: u64,
    /// Requests given up because no response came within the response timeout (the run went
    /// on; each is among [`Summary::unanswered`]).
    pub timed_out: u64,
    /// Responses that came after their request had been given up (not counted as answers).
    pub late: u64,
    /// The send rate in force (messages per second; `None`: unpaced).
    pub rate: Option<f64>,
}

impl Summary {
    /// Accepted submissions per second over the run.
    pub fn throughput(&self) -> f64 {
        let s = self.elapsed.as_secs_f64();
        if s > 0.0 {
            self.accepted as f64 / s
        } else {
            0.0
        }
    }

    /// Submissions per second, measured from the first submission to the last: `sent - 1`
    /// intervals over [`Summary::send_span`] (0 with fewer than two submissions). This is the
    /// rate `--rate` controls; it leaves out the wait for the last response, which depends on
    /// the SMSC, not on the pacing.
    pub fn send_rate(&self) -> f64 {
        let s = self.send_span.as_secs_f64();
        if self.sent >= 2 && s > 0.0 {
            (self.sent - 1) as f64 / s
        } else {
            0.0
        }
    }

    /// Requests written and never answered: those given up after the response timeout
    /// ([`Summary::timed_out`]) and, after a run that stopped early, those still in flight then
    /// (and one answered with the wrong command).
    pub fn unanswered(&self) -> u64 {
        self.sent
            .saturating_sub(self.accepted)
            .saturating_sub(self.rejected_total())
    }

    /// Total rejections.
    pub fn rejected_total(&self) -> u64 {
        self.rejected.values().sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_are_close() {
        let mut h = Histogram::default();
        for ms in 1..=1000u64 {
            h.record(Duration::from_millis(ms));
        }
        let p50 = h.quantile(0.5).as_secs_f64() * 1000.0;
        let p99 = h.quantile(0.99).as_secs_f64() * 1000.0;
        assert!((p50 - 500.0).abs() / 500.0 < 0.04, "{p50}");
        assert!((p99 - 990.0).abs() / 990.0 < 0.04, "{p99}");
        assert_eq!(h.max(), Duration::from_millis(1000));
        assert_eq!(h.count(), 1000);
    }

    #[test]
    fn small_and_huge_values_do_not_panic() {
        let mut h = Histogram::default();
        h.record(Duration::ZERO);
        h.record(Duration::from_micros(31));
        h.record(Duration::from_secs(1 << 40));
        assert_eq!(h.quantile(0.0), Duration::ZERO);
        assert_eq!(h.quantile(1.0), Duration::from_secs(1 << 40));
        assert_eq!(Histogram::default().quantile(0.5), Duration::ZERO);
    }

    #[test]
    fn send_rate_counts_intervals_between_first_and_last_submission() {
        let mut s = Summary {
            sent: 101,
            send_span: Duration::from_secs(1),
            ..Summary::default()
        };
        assert!((s.send_rate() - 100.0).abs() < 1e-9);
        s.sent = 1;
        assert_eq!(s.send_rate(), 0.0);
        s.sent = 5;
        s.send_span = Duration::ZERO;
        assert_eq!(s.send_rate(), 0.0);
    }

    #[test]
    fn bucket_values_round_trip() {
        for us in [0u64, 5, 31, 32, 33, 64, 1000, 123_456, 9_999_999] {
            let v = value_of(index_of(us));
            let err = (v as f64 - us as f64).abs() / (us.max(1) as f64);
            assert!(err <= 0.035, "{us} -> {v}");
        }
    }
}
