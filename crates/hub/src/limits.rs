//! Slowing down password guessing: failed authentications are counted per client address,
//! and an address that fails too often in a window is locked out for a while (429 with
//! `Retry-After`), each further lockout twice as long as the previous one. State is a
//! bounded map, so a flood from many addresses cannot grow the hub's memory.
//!
//! Secrets are 256-bit random values (auth.rs), so guessing one is hopeless anyway; the
//! limiter is there so that a stolen agency code plus a weak guessed secret from an old
//! deployment, or a misconfigured client hammering the hub, cost the attacker time and the
//! hub nothing (each failed attempt still costs a store lookup and a hash).
use std::collections::HashMap;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, Request};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The policy; `Config::auth_limits`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthLimits {
    /// Failures from one address tolerated within `window` before it is locked out.
    pub max_failures: u32,
    /// Failures older than this are forgotten; a lockout streak ends after this long quiet.
    pub window: Duration,
    /// First lockout; doubles with each further lockout of the same address.
    pub lockout: Duration,
    /// Longest lockout.
    pub max_lockout: Duration,
    /// Addresses tracked at most (memory bound: about 100 bytes each).
    pub max_tracked: usize,
}

impl Default for AuthLimits {
    fn default() -> Self {
        AuthLimits {
            max_failures: 10,
            window: Duration::from_secs(300),
            lockout: Duration::from_secs(30),
            max_lockout: Duration::from_secs(3600),
            max_tracked: 10_000,
        }
    }
}

#[derive(Debug, Clone)]
struct Entry {
    failures: u32,
    first_failure: Instant,
    locked_until: Option<Instant>,
    /// Lockouts in the current streak: the next one lasts lockout × 2^lockouts.
    lockouts: u32,
    last_seen: Instant,
}

/// Failure counts per address. Methods take `now` so the policy is tested without clocks.
#[derive(Debug)]
pub struct AuthLimiter {
    limits: AuthLimits,
    map: Mutex<HashMap<IpAddr, Entry>>,
}

/// The key an address is counted under: IPv6 clients usually hold a whole /64, so counting
/// single addresses would let one client rotate through 2^64 of them.
pub fn client_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
    }
}

impl AuthLimiter {
    /// An empty limiter applying `limits`.
    pub fn new(limits: AuthLimits) -> AuthLimiter {
        AuthLimiter {
            limits,
            map: Mutex::new(HashMap::new()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<IpAddr, Entry>> {
        // A panic while holding the lock leaves counters, never a broken invariant.
        self.map.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// `Some(wait)` while `ip` is locked out.
    pub fn locked(&self, ip: IpAddr, now: Instant) -> Option<Duration> {
        let map = self.lock();
        let until = map.get(&client_key(ip))?.locked_until?;
        (until > now).then(|| until - now)
    }

    /// Counts one failed authentication from `ip`; returns the lockout it started, if any.
    pub fn failure(&self, ip: IpAddr, now: Instant) -> Option<Duration> {
        let key = client_key(ip);
        let l = &self.limits;
        let mut map = self.lock();
        if !map.contains_key(&key) && map.len() >= l.max_tracked {
            Self::make_room(&mut map, l, now);
        }
        let e = map.entry(key).or_insert(Entry {
            failures: 0,
            first_failure: now,
            locked_until: None,
            lockouts: 0,
            last_seen: now,
        });
        let locked = e.locked_until.is_some_and(|u| u > now);
        if !locked && now.duration_since(e.first_failure) > l.window {
            // A quiet window ends the streak, unless it is measured from the end of a lockout.
            let quiet_since = e.locked_until.map_or(e.last_seen, |u| u.max(e.last_seen));
            if now.duration_since(quiet_since) > l.window {
                e.lockouts = 0;
            }
            e.failures = 0;
            e.first_failure = now;
        }
        e.last_seen = now;
        if locked {
            return None;
        }
        e.failures += 1;
        if e.failures < l.max_failures {
            return None;
        }
        let factor = 1u32.checked_shl(e.lockouts.min(20)).unwrap_or(u32::MAX);
        let wait = l.lockout.saturating_mul(factor).min(l.max_lockout);
        e.locked_until = Some(now + wait);
        e.lockouts += 1;
        e.failures = 0;
        e.first_failure = now;
        Some(wait)
    }

    /// Drops what no longer matters; if every entry still matters, the least recently seen
    /// one goes (an attacker spreading over more addresses than `max_tracked` gets fewer
    /// tries per address counted, never an unbounded map).
    fn make_room(map: &mut HashMap<IpAddr, Entry>, l: &AuthLimits, now: Instant) {
        map.retain(|_, e| {
            e.locked_until.is_some_and(|u| u > now) || now.duration_since(e.last_seen) <= l.window
        });
        while map.len() >= l.max_tracked {
            let Some(oldest) = map.iter().min_by_key(|(_, e)| e.last_seen).map(|(k, _)| *k) else {
                break;
            };
            map.remove(&oldest);
        }
    }

    /// How many addresses are being counted (bounded by `max_tracked`).
    pub fn tracked(&self) -> usize {
        self.lock().len()
    }
}

/// The `Retry-After` value: whole seconds, rounded up, at least 1.
fn retry_after_secs(wait: Duration) -> u64 {
    wait.as_millis().div_ceil(1000).max(1) as u64
}

fn too_many(wait: Duration) -> Response {
    let secs = retry_after_secs(wait);
    let mut resp = (
        StatusCode::TOO_MANY_REQUESTS,
        axum::Json(crate::server::ErrorBody {
            error: "too_many_attempts".to_owned(),
            message: format!(
                "Đăng nhập sai quá nhiều lần từ địa chỉ này, thử lại sau {secs} giây / too many failed logins from this address, retry after {secs} s"
            ),
        }),
    )
        .into_response();
    resp.headers_mut().insert(
        header::RETRY_AFTER,
        HeaderValue::from_str(&secs.to_string()).expect("digits"),
    );
    resp
}

/// Middleware: refuses every request (except the health probe) from a locked-out address
/// before its handler runs, so neither the body nor the credentials are looked at, and
/// counts the 401 answers to requests that carried credentials. Requests without a known peer address (a router used outside
/// `serve`) pass through uncounted.
pub async fn guard(limiter: Arc<AuthLimiter>, req: Request, next: Next) -> Response {
    let Some(ip) = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
    else {
        return next.run(req).await;
    };
    if req.uri().path() == "/v1/health" {
        return next.run(req).await;
    }
    if let Some(wait) = limiter.locked(ip, Instant::now()) {
        return too_many(wait);
    }
    // Only a request that offered credentials is a guess; one without any (a probe, a
    // misconfigured client) is answered 401 but not counted.
    let offered = req.headers().contains_key(header::AUTHORIZATION)
        || req.headers().contains_key(crate::vxp::HASH_HEADER);
    let resp = next.run(req).await;
    if offered && resp.status() == StatusCode::UNAUTHORIZED {
        if let Some(wait) = limiter.failure(ip, Instant::now()) {
            tracing::warn!(
                "authentication failures from {}: locked out for {} s",
                client_key(ip),
                wait.as_secs()
            );
        }
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> AuthLimits {
        AuthLimits {
            max_failures: 3,
            window: Duration::from_secs(60),
            lockout: Duration::from_secs(10),
            max_lockout: Duration::from_secs(35),
            max_tracked: 4,
        }
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn lockouts_grow_and_expire() {
        let l = AuthLimiter::new(limits());
        let t0 = Instant::now();
        let a = ip("192.0.2.1");
        assert_eq!(l.failure(a, t0), None);
        assert_eq!(l.failure(a, t0), None);
        assert_eq!(l.locked(a, t0), None);
        assert_eq!(l.failure(a, t0), Some(Duration::from_secs(10)));
        assert_eq!(l.locked(a, t0), Some(Duration::from_secs(10)));
        // Other addresses are unaffected.
        assert_eq!(l.locked(ip("192.0.2.2"), t0), None);
        // Failures while locked (requests refused before the handler) change nothing.
        assert_eq!(l.failure(a, t0 + Duration::from_secs(1)), None);
        let t1 = t0 + Duration::from_secs(10);
        assert_eq!(l.locked(a, t1), None);
        // The next streak locks twice as long, then the cap applies.
        for _ in 0..2 {
            assert_eq!(l.failure(a, t1), None);
        }
        assert_eq!(l.failure(a, t1), Some(Duration::from_secs(20)));
        let t2 = t1 + Duration::from_secs(20);
        for _ in 0..2 {
            l.failure(a, t2);
        }
        assert_eq!(l.failure(a, t2), Some(Duration::from_secs(35)));
        // A quiet window after the lockout ends the streak.
        let t3 = t2 + Duration::from_secs(35 + 61);
        for _ in 0..2 {
            assert_eq!(l.failure(a, t3), None);
        }
        assert_eq!(l.failure(a, t3), Some(Duration::from_secs(10)));
    }

    #[test]
    fn old_failures_are_forgotten() {
        let l = AuthLimiter::new(limits());
        let t0 = Instant::now();
        let a = ip("192.0.2.1");
        l.failure(a, t0);
        l.failure(a, t0);
        let later = t0 + Duration::from_secs(61);
        assert_eq!(l.failure(a, later), None);
        assert_eq!(l.failure(a, later), None);
        assert!(l.failure(a, later).is_some());
    }

    #[test]
    fn memory_is_bounded() {
        let l = AuthLimiter::new(limits());
        let t0 = Instant::now();
        for i in 0..1000u32 {
            let a = IpAddr::V4(std::net::Ipv4Addr::from(0x0a00_0000 + i));
            l.failure(a, t0 + Duration::from_millis(i as u64));
            assert!(l.tracked() <= 4);
        }
        // The most recently seen addresses are the ones kept.
        assert_eq!(l.tracked(), 4);
        let newest = IpAddr::V4(std::net::Ipv4Addr::from(0x0a00_0000 + 999));
        l.failure(newest, t0 + Duration::from_secs(1));
        assert!(l.failure(newest, t0 + Duration::from_secs(1)).is_some());
    }

    #[test]
    fn ipv6_counts_per_64_and_mapped_v4_as_v4() {
        let l = AuthLimiter::new(limits());
        let t0 = Instant::now();
        l.failure(ip("2001:db8:1:2::1"), t0);
        l.failure(ip("2001:db8:1:2::ffff"), t0);
        assert!(l.failure(ip("2001:db8:1:2:abcd::9"), t0).is_some());
        assert!(l.locked(ip("2001:db8:1:2::77"), t0).is_some());
        assert!(l.locked(ip("2001:db8:1:3::1"), t0).is_none());
        assert_eq!(
            client_key(ip("::ffff:192.0.2.7")),
            IpAddr::V4("192.0.2.7".parse().unwrap())
        );
    }

    #[test]
    fn retry_after_rounds_up() {
        assert_eq!(retry_after_secs(Duration::from_millis(1)), 1);
        assert_eq!(retry_after_secs(Duration::from_millis(1001)), 2);
        assert_eq!(retry_after_secs(Duration::from_secs(30)), 30);
    }
}
