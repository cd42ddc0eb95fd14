//! What every handler can reach: the store, the reference data, the configuration, the
//! clock, the login limiter and the metrics. Built once by the binary (or a test) and cloned
//! cheaply into each request.

use std::fmt;
use std::sync::Arc;

use barid_core::ReferenceData;
use barid_store::Store;
use time::OffsetDateTime;

use crate::auth::limiter::{LoginLimiter, LookupLimiter};
use crate::clock::{Clock, SystemClock};
use crate::config::Config;
use crate::metrics::Metrics;

#[derive(Clone)]
pub struct AppState {
    store: Arc<dyn Store>,
    reference: Arc<ReferenceData>,
    config: Arc<Config>,
    clock: Arc<dyn Clock>,
    login_limiter: Arc<LoginLimiter>,
    lookup_limiter: Arc<LookupLimiter>,
    metrics: Arc<Metrics>,
}

impl fmt::Debug for AppState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AppState")
            .field("store", &self.store)
            .field("config", &self.config)
            .field("clock", &self.clock)
            .finish_non_exhaustive()
    }
}

impl AppState {
    /// The state for a store (opened by the caller from `config.database_url`), the reference
    /// data (loaded by the caller from `config.reference_dir`) and the configuration. Uses
    /// the system clock.
    pub fn new(store: Arc<dyn Store>, reference: ReferenceData, config: Config) -> Self {
        let login_limiter = LoginLimiter::new(config.login_attempts_per_minute);
        let lookup_limiter = LookupLimiter::new(config.tracking_lookups_per_minute);
        Self {
            store,
            reference: Arc::new(reference),
            config: Arc::new(config),
            clock: Arc::new(SystemClock),
            login_limiter: Arc::new(login_limiter),
            lookup_limiter: Arc::new(lookup_limiter),
            metrics: Arc::new(Metrics::new()),
        }
    }

    /// The same state reading the time from `clock` (tests fix the time with this).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    pub fn store(&self) -> &dyn Store {
        self.store.as_ref()
    }

    pub fn reference(&self) -> &ReferenceData {
        &self.reference
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    pub fn now(&self) -> OffsetDateTime {
        self.clock.now()
    }

    pub(crate) fn login_limiter(&self) -> &LoginLimiter {
        &self.login_limiter
    }

    pub(crate) fn lookup_limiter(&self) -> &LookupLimiter {
        &self.lookup_limiter
    }

    pub(crate) fn metrics(&self) -> &Metrics {
        &self.metrics
    }
}
