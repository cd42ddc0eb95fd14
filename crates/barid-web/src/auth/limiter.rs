//! The login rate limit: a number of attempts per minute for each client address and
//! username pair, and a larger budget per client address whatever the usernames, so that
//! cycling through usernames from one address is limited too.

use std::net::{IpAddr, Ipv6Addr};
use std::num::NonZeroU32;

use governor::clock::{Clock as _, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};

/// When the map of keys grows past this, keys whose limit has fully recovered are dropped.
const RETAIN_ABOVE: usize = 10_000;

type Key = (Option<IpAddr>, String);

/// How many times the per-username budget one client address may spend across usernames.
const ADDRESS_BUDGET_FACTOR: u32 = 6;

/// Counts login attempts by (client address, username) and by client address.
#[derive(Debug)]
pub struct LoginLimiter {
    limiter: DefaultKeyedRateLimiter<Key>,
    per_address: DefaultKeyedRateLimiter<Option<IpAddr>>,
}

impl LoginLimiter {
    /// `per_minute` attempts per minute, all of which may come at once.
    pub fn new(per_minute: u32) -> Self {
        let per_minute = NonZeroU32::new(per_minute).unwrap_or(NonZeroU32::MIN);
        let per_address = per_minute
            .saturating_mul(NonZeroU32::new(ADDRESS_BUDGET_FACTOR).unwrap_or(NonZeroU32::MIN));
        Self {
            limiter: DefaultKeyedRateLimiter::keyed(Quota::per_minute(per_minute)),
            per_address: DefaultKeyedRateLimiter::keyed(Quota::per_minute(per_address)),
        }
    }

    /// Records an attempt. `Err(seconds)` says how long to wait when over the limit.
    pub fn check(&self, client: Option<IpAddr>, username: &str) -> Result<(), u64> {
        if self.limiter.len() > RETAIN_ABOVE {
            self.limiter.retain_recent();
        }
        if self.per_address.len() > RETAIN_ABOVE {
            self.per_address.retain_recent();
        }
        let wait_seconds = |not_until: governor::NotUntil<_>| {
            not_until
                .wait_time_from(DefaultClock::default().now())
                .as_secs()
                .max(1)
        };
        self.per_address.check_key(&client).map_err(wait_seconds)?;
        let key = (client, username.trim().to_lowercase());
        self.limiter.check_key(&key).map_err(wait_seconds)
    }
}

/// Counts public tracking lookups by client address. IPv6 clients are counted by their /64
/// network, since one household or phone usually holds a whole /64.
#[derive(Debug)]
pub struct LookupLimiter {
    limiter: DefaultKeyedRateLimiter<Option<IpAddr>>,
}

impl LookupLimiter {
    /// `per_minute` lookups per minute, all of which may come at once.
    pub fn new(per_minute: u32) -> Self {
        let per_minute = NonZeroU32::new(per_minute).unwrap_or(NonZeroU32::MIN);
        Self {
            limiter: DefaultKeyedRateLimiter::keyed(Quota::per_minute(per_minute)),
        }
    }

    /// Records a lookup. `Err(seconds)` says how long to wait when over the limit. Requests
    /// without a known address (in-process tests) share one budget.
    pub fn check(&self, client: Option<IpAddr>) -> Result<(), u64> {
        if self.limiter.len() > RETAIN_ABOVE {
            self.limiter.retain_recent();
        }
        let key = client.map(network_of);
        self.limiter.check_key(&key).map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            wait.as_secs().max(1)
        })
    }
}

/// The address an IPv4 client is counted by, or the /64 network of an IPv6 one.
fn network_of(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V4(_) => address,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let [a, b, c, d, ..] = v6.segments();
                IpAddr::V6(Ipv6Addr::new(a, b, c, d, 0, 0, 0, 0))
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups_are_counted_per_client_network() {
        let limiter = LookupLimiter::new(2);
        let phone: IpAddr = "2001:db8:1:2::10".parse().unwrap();
        let same_network: IpAddr = "2001:db8:1:2::99".parse().unwrap();
        let other: IpAddr = "2001:db8:1:3::10".parse().unwrap();
        assert!(limiter.check(Some(phone)).is_ok());
        assert!(limiter.check(Some(same_network)).is_ok());
        assert!(limiter.check(Some(phone)).unwrap_err() >= 1);
        assert!(limiter.check(Some(other)).is_ok());
        let v4: IpAddr = "192.0.2.7".parse().unwrap();
        let mapped: IpAddr = "::ffff:192.0.2.7".parse().unwrap();
        assert!(limiter.check(Some(v4)).is_ok());
        assert!(limiter.check(Some(mapped)).is_ok());
        assert!(limiter.check(Some(v4)).is_err());
    }

    #[test]
    fn cycling_usernames_from_one_address_is_limited_too() {
        let limiter = LoginLimiter::new(1);
        let here = Some(IpAddr::from([127, 0, 0, 1]));
        for n in 0..ADDRESS_BUDGET_FACTOR {
            assert!(limiter.check(here, &format!("user{n}")).is_ok(), "{n}");
        }
        assert!(limiter.check(here, "yet-another").is_err());
        assert!(
            limiter
                .check(Some(IpAddr::from([10, 0, 0, 2])), "user0")
                .is_ok()
        );
    }

    #[test]
    fn each_client_and_username_has_its_own_budget() {
        let limiter = LoginLimiter::new(2);
        let here = Some(IpAddr::from([127, 0, 0, 1]));
        assert!(limiter.check(here, "amal").is_ok());
        assert!(limiter.check(here, "AMAL ").is_ok());
        assert!(limiter.check(here, "amal").unwrap_err() >= 1);
        assert!(limiter.check(here, "omar").is_ok());
        assert!(
            limiter
                .check(Some(IpAddr::from([10, 0, 0, 1])), "amal")
                .is_ok()
        );
    }
}
