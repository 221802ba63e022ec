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
