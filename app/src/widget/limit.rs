//! A per-channel, per-address token bucket against bots flooding the
//! widget: in memory (one process's view; a restart forgets it, which only
//! ever lets more through), held in `AppState`.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::ids::ChannelId;

/// Posts one address may make in a burst.
pub const BURST: f64 = 10.0;
/// Then one more every this long (ten a minute).
pub const REFILL_EVERY: Duration = Duration::from_secs(6);
/// Past this many tracked addresses, full buckets are forgotten.
const PRUNE_AT: usize = 10_000;

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

/// The buckets, one per (channel, address).
#[derive(Debug, Default)]
pub struct RateLimiter {
    buckets: Mutex<HashMap<(ChannelId, IpAddr), Bucket>>,
}

impl RateLimiter {
    /// Takes one post from the bucket; `Err(seconds)` to wait when it is empty.
    pub fn take(&self, channel: ChannelId, ip: IpAddr, now: Instant) -> Result<(), u64> {
        let per_sec = 1.0 / REFILL_EVERY.as_secs_f64();
        // A poisoned lock only means another request panicked mid-update;
        // the counts are still usable.
        let mut map = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() >= PRUNE_AT {
            map.retain(|_, b| b.tokens + now.duration_since(b.at).as_secs_f64() * per_sec < BURST);
        }
        let b = map.entry((channel, ip)).or_insert(Bucket { tokens: BURST, at: now });
        b.tokens = (b.tokens + now.saturating_duration_since(b.at).as_secs_f64() * per_sec).min(BURST);
        b.at = now;
        if b.tokens >= 1.0 {
            b.tokens -= 1.0;
            Ok(())
        } else {
            Err(((1.0 - b.tokens) / per_sec).ceil().max(1.0) as u64)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_then_one_per_refill_per_address() {
        let l = RateLimiter::default();
        let (ch, a, b) = (ChannelId(1), IpAddr::from([10, 0, 0, 1]), IpAddr::from([10, 0, 0, 2]));
        let t0 = Instant::now();
        for _ in 0..BURST as usize {
            assert!(l.take(ch, a, t0).is_ok());
        }
        assert_eq!(l.take(ch, a, t0), Err(REFILL_EVERY.as_secs()));
        // Another address, or another channel, has its own bucket.
        assert!(l.take(ch, b, t0).is_ok());
        assert!(l.take(ChannelId(2), a, t0).is_ok());
        assert!(l.take(ch, a, t0 + REFILL_EVERY).is_ok());
        assert!(l.take(ch, a, t0 + REFILL_EVERY).is_err());
    }
}
