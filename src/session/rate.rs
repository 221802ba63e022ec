//! A token bucket for `--rate`: smooth pacing (one message every 1/rate seconds) whose long-run
//! average stays exact when timers wake late, and a way to slow down after throttling answers.
//!
//! Implemented as a virtual schedule (GCRA): `next` is when the next message is due; a message
//! sent at `t` moves it to `max(next, t - credit) + interval`. Nothing goes before its slot; a
//! message sent late (a timer that woke a few milliseconds late on a busy machine) keeps the
//! schedule, so the following ones catch up, within a credit of [`LATE_CREDIT`]. Idle time earns
//! nothing beyond that credit.

use std::time::Duration;

use tokio::time::Instant;

/// How much lateness the schedule absorbs.
pub const LATE_CREDIT: Duration = Duration::from_millis(20);

/// Paces sends to a rate.
#[derive(Debug, Clone)]
pub struct RateLimiter {
    interval: Duration,
    next: Option<Instant>,
}

impl RateLimiter {
    /// A limiter for `rate` messages per second (must be > 0).
    pub fn new(rate: f64) -> Self {
        RateLimiter {
            interval: interval_of(rate),
            next: None,
        }
    }

    /// The current rate in messages per second.
    pub fn rate(&self) -> f64 {
        1.0 / self.interval.as_secs_f64()
    }

    /// Change the rate (e.g. after ESME_RTHROTTLED); the schedule continues from now.
    pub fn set_rate(&mut self, rate: f64) {
        self.interval = interval_of(rate);
    }

    /// How long to wait before the next message may go at `now` (zero: at once).
    pub fn wait_time(&self, now: Instant) -> Duration {
        match self.next {
            None => Duration::ZERO,
            Some(next) => next.saturating_duration_since(now),
        }
    }

    /// Record that one message went at `now`.
    pub fn consume(&mut self, now: Instant) {
        let base = match self.next {
            None => now,
            Some(n) => n.max(now.checked_sub(LATE_CREDIT).unwrap_or(now)),
        };
        self.next = Some(base + self.interval);
    }

    /// Wait until the next message may go, then take its token.
    pub async fn acquire(&mut self) {
        let now = Instant::now();
        let w = self.wait_time(now);
        if !w.is_zero() {
            tokio::time::sleep(w).await;
        }
        self.consume(Instant::now());
    }
}

/// How much one throttling episode lowers the rate.
const DECREASE: f64 = 0.85;
/// Recovery toward the rate last throttled at (its [`CEILING_MARGIN`] share): +50 % per second.
const FAST_RECOVERY: f64 = 0.5;
/// Probing above that toward the requested rate: +2 % per second.
const PROBE: f64 = 0.02;
/// The share of the last throttled rate recovered to quickly: just under the SMSC's limit.
const CEILING_MARGIN: f64 = 0.97;
/// The slowest the controller goes, messages per second.
const MIN_RATE: f64 = 1.0;
/// Recovery steps no more often than this.
const STEP: Duration = Duration::from_millis(100);

/// The send rate under throttling: slows down only when the SMSC says so (ESME_RTHROTTLED), once
/// per episode (answers to requests sent before the last slow-down say nothing about the new
/// rate), and recovers with time, not with answers: quickly up to just under the rate it was
/// throttled at, then slowly toward the requested rate (or without end when none was given),
/// so it settles just under the SMSC's limit instead of oscillating or collapsing.
#[derive(Debug, Clone)]
pub struct RateControl {
    requested: Option<f64>,
    limiter: Option<RateLimiter>,
    ceiling: Option<f64>,
    last_slowdown: Option<Instant>,
    last_step: Instant,
}

impl RateControl {
    /// Pace to `requested` messages per second (`None`: as fast as the window allows, until
    /// throttled).
    pub fn new(requested: Option<f64>) -> Self {
        RateControl {
            requested,
            limiter: requested.map(RateLimiter::new),
            ceiling: None,
            last_slowdown: None,
            last_step: Instant::now(),
        }
    }

    /// The pacing in force (`None`: unpaced).
    pub fn limiter(&mut self) -> Option<&mut RateLimiter> {
        self.limiter.as_mut()
    }

    /// The current rate, when paced.
    pub fn rate(&self) -> Option<f64> {
        self.limiter.as_ref().map(RateLimiter::rate)
    }

    /// An ESME_RTHROTTLED answer to a request sent at `sent_at`, while sending at `observed`
    /// messages per second (used when not paced yet). Returns the new rate when it slowed down.
    pub fn throttled(&mut self, now: Instant, sent_at: Instant, observed: f64) -> Option<f64> {
        if self.last_slowdown.is_some_and(|t| sent_at <= t) {
            return None;
        }
        let current = self.rate().unwrap_or(observed);
        let slower = (current * DECREASE).max(MIN_RATE);
        self.ceiling = Some(current);
        self.last_slowdown = Some(now);
        self.last_step = now;
        match self.limiter.as_mut() {
            Some(l) => l.set_rate(slower),
            None => self.limiter = Some(RateLimiter::new(slower)),
        }
        Some(slower)
    }

    /// Recover with the time passed since the last step.
    pub fn tick(&mut self, now: Instant) {
        let dt = now.saturating_duration_since(self.last_step);
        if dt < STEP {
            return;
        }
        self.last_step = now;
        let (Some(l), Some(ceiling)) = (self.limiter.as_mut(), self.ceiling) else {
            return;
        };
        let target = self.requested.unwrap_or(f64::INFINITY);
        let knee = (ceiling * CEILING_MARGIN).min(target);
        let r = l.rate();
        let secs = dt.as_secs_f64();
        // (The limiter keeps the rate as an interval in nanoseconds: compare with a margin.)
        let next = if r * 1.0001 < knee {
            (r * (1.0 + FAST_RECOVERY * secs)).min(knee)
        } else {
            (r * (1.0 + PROBE * secs)).min(target)
        };
        if next > r {
            l.set_rate(next);
        }
    }
}

fn interval_of(rate: f64) -> Duration {
    let r = if rate.is_finite() && rate > 0.0 {
        rate
    } else {
        1.0
    };
    Duration::from_secs_f64(1.0 / r.min(1e9))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn paces_to_the_rate() {
        let mut r = RateLimiter::new(100.0);
        let t0 = Instant::now();
        for _ in 0..1001 {
            r.acquire().await;
        }
        let took = t0.elapsed();
        // 1000 intervals of 10 ms, minus at most the burst allowance.
        assert!(took >= Duration::from_millis(9_980), "{took:?}");
        assert!(took <= Duration::from_millis(10_000), "{took:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn high_rate_keeps_its_average() {
        let mut r = RateLimiter::new(5000.0);
        let t0 = Instant::now();
        for _ in 0..5001 {
            r.acquire().await;
        }
        let took = t0.elapsed().as_secs_f64();
        assert!((took - 1.0).abs() < 0.01, "{took}");
    }

    #[tokio::test(start_paused = true)]
    async fn first_message_goes_at_once() {
        let mut r = RateLimiter::new(1.0);
        let t0 = Instant::now();
        r.acquire().await;
        assert_eq!(t0.elapsed(), Duration::ZERO);
        r.acquire().await;
        assert!(
            t0.elapsed() >= Duration::from_millis(998),
            "{:?}",
            t0.elapsed()
        );
        assert!(t0.elapsed() <= Duration::from_secs(1), "{:?}", t0.elapsed());
    }

    #[tokio::test(start_paused = true)]
    async fn idle_time_does_not_bank_a_burst() {
        let mut r = RateLimiter::new(10.0);
        r.acquire().await;
        tokio::time::sleep(Duration::from_secs(60)).await;
        let t0 = Instant::now();
        for _ in 0..11 {
            r.acquire().await;
        }
        // Ten intervals of 100 ms after the first: a long pause earned nothing beyond the
        // lateness credit.
        assert!(
            t0.elapsed() >= Duration::from_millis(900),
            "{:?}",
            t0.elapsed()
        );
    }

    #[tokio::test(start_paused = true)]
    async fn slowing_down_takes_effect() {
        let mut r = RateLimiter::new(100.0);
        r.acquire().await;
        r.set_rate(10.0);
        assert!((r.rate() - 10.0).abs() < 1e-9);
        let t0 = Instant::now();
        r.acquire().await;
        r.acquire().await;
        assert!(
            t0.elapsed() >= Duration::from_millis(100),
            "{:?}",
            t0.elapsed()
        );
    }

    /// An SMSC allowing `limit` per second over 1 s buckets, against the controller asked for
    /// `want`: the rate settles just under the limit and stays there.
    #[tokio::test(start_paused = true)]
    async fn throttling_converges_just_under_the_limit() {
        let (limit, want) = (300.0, 500.0);
        let mut c = RateControl::new(Some(want));
        let t0 = Instant::now();
        let mut tokens = limit;
        let mut last = t0;
        let mut accepted_late = 0u64;
        while t0.elapsed() < Duration::from_secs(60) {
            let now = Instant::now();
            c.tick(now);
            let l = c.limiter().unwrap();
            let w = l.wait_time(now);
            tokio::time::sleep(w).await;
            let now = Instant::now();
            c.limiter().unwrap().consume(now);
            tokens = (tokens + (now - last).as_secs_f64() * limit).min(limit);
            last = now;
            if tokens >= 1.0 {
                tokens -= 1.0;
                if now - t0 >= Duration::from_secs(30) {
                    accepted_late += 1;
                }
            } else {
                c.throttled(now, now, 0.0);
            }
        }
        let rate = accepted_late as f64 / 30.0;
        assert!(rate >= 0.95 * limit && rate <= limit, "{rate}");
        let r = c.rate().unwrap();
        assert!(r > 0.85 * limit && r < 1.05 * limit, "{r}");
    }

    #[tokio::test(start_paused = true)]
    async fn recovery_is_by_time_not_by_answers() {
        let mut c = RateControl::new(Some(500.0));
        let t0 = Instant::now();
        assert!(c
            .throttled(t0, t0, 0.0)
            .is_some_and(|r| (r - 425.0).abs() < 1e-9));
        // An answer to a request sent before the slow-down: the same episode.
        assert_eq!(c.throttled(t0, t0, 0.0), None);
        tokio::time::sleep(Duration::from_secs(1)).await;
        c.tick(Instant::now());
        let r = c.rate().unwrap();
        assert!((r - 485.0).abs() < 0.01, "{r}");
        tokio::time::sleep(Duration::from_secs(10)).await;
        c.tick(Instant::now());
        assert!((c.rate().unwrap() - 500.0).abs() < 0.01);
    }

    #[tokio::test(start_paused = true)]
    async fn late_wake_ups_keep_the_average() {
        let mut r = RateLimiter::new(100.0);
        let t0 = Instant::now();
        for i in 0..1001 {
            let w = r.wait_time(Instant::now());
            // Every third timer wakes 5 ms late.
            let late = if i % 3 == 0 {
                Duration::from_millis(5)
            } else {
                Duration::ZERO
            };
            tokio::time::sleep(w + late).await;
            r.consume(Instant::now());
        }
        let took = t0.elapsed().as_secs_f64();
        assert!((took - 10.0).abs() < 0.01, "{took}");
    }
}
