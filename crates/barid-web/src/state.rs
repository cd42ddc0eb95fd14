//! What every handler can reach: the store, the reference data, the configuration, the
//! clock, the login limiter, the metrics and the office cache. Built once by the binary (or a
//! test) and cloned cheaply into each request.

use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use barid_core::{ReferenceData, SiteCode};
use barid_store::model::Office;
use barid_store::{Store, StoreResult};
use time::OffsetDateTime;

use crate::auth::limiter::{LoginLimiter, LookupLimiter};
use crate::clock::{Clock, SystemClock};
use crate::config::Config;
use crate::document_cache::DocumentCache;
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
    offices: Arc<OfficeCache>,
    documents: Arc<DocumentCache>,
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
            offices: Arc::new(OfficeCache::default()),
            documents: Arc::new(DocumentCache::default()),
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

    /// When undeliverable items go back to their senders (checked when the config loads).
    pub fn delivery_policy(&self) -> barid_core::DeliveryPolicy {
        self.config().delivery_policy().unwrap_or_default()
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

    /// Every office of the node, from memory (see [`OfficeCache`]).
    pub(crate) async fn office_directory(&self) -> StoreResult<Arc<OfficeDirectory>> {
        self.offices.directory(self.store(), self.now()).await
    }

    /// Forgets the cached offices; call after changing an office.
    pub(crate) fn offices_changed(&self) {
        self.offices.invalidate();
        // The documents print office names.
        self.documents.clear();
    }

    /// The documents recently closed dispatches rendered for their first print.
    pub(crate) fn documents(&self) -> &DocumentCache {
        &self.documents
    }
}

/// Every office of the node by code (codes are unique on the node), as loaded at one moment.
#[derive(Debug, Default)]
pub struct OfficeDirectory {
    by_code: HashMap<SiteCode, Office>,
}

impl OfficeDirectory {
    pub fn get(&self, code: &SiteCode) -> Option<&Office> {
        self.by_code.get(code)
    }
}

/// The node's offices in memory, for public tracking, which names the office of every event
/// and would otherwise read it per event and per request. Offices change rarely: the API
/// forgets the cache when it creates an office, and the cache is also reloaded when it is
/// older than [`OfficeCache::TTL`], because `barid office add` changes offices from another
/// process while the server runs. Until then an office added that way shows by its code only,
/// as a partner's office does.
#[derive(Debug, Default)]
pub struct OfficeCache {
    /// When it was loaded (by the state's clock), and what.
    current: RwLock<Option<(OffsetDateTime, Arc<OfficeDirectory>)>>,
    /// Bumped by [`OfficeCache::invalidate`], so a load that started before a change does not
    /// keep what it read.
    generation: AtomicU64,
    /// One load at a time; the others wait for it and take its result.
    loading: tokio::sync::Mutex<()>,
}

impl OfficeCache {
    /// How long loaded offices are used before they are read again.
    pub const TTL: time::Duration = time::Duration::seconds(60);

    fn fresh(&self, now: OffsetDateTime) -> Option<Arc<OfficeDirectory>> {
        let current = match self.current.read() {
            Ok(current) => current,
            Err(poisoned) => poisoned.into_inner(),
        };
        let (loaded_at, directory) = current.as_ref()?;
        // A clock set back counts as expired too.
        let age = now - *loaded_at;
        (age >= time::Duration::ZERO && age < Self::TTL).then(|| Arc::clone(directory))
    }

    pub async fn directory(
        &self,
        store: &dyn Store,
        now: OffsetDateTime,
    ) -> StoreResult<Arc<OfficeDirectory>> {
        if let Some(directory) = self.fresh(now) {
            return Ok(directory);
        }
        let _turn = self.loading.lock().await;
        if let Some(directory) = self.fresh(now) {
            return Ok(directory);
        }
        let generation = self.generation.load(Ordering::Acquire);
        let mut by_code = HashMap::new();
        for operator in store.operators().await? {
            for office in store.offices(operator.code).await? {
                by_code.insert(office.code.clone(), office);
            }
        }
        let directory = Arc::new(OfficeDirectory { by_code });
        let mut current = match self.current.write() {
            Ok(current) => current,
            Err(poisoned) => poisoned.into_inner(),
        };
        if self.generation.load(Ordering::Acquire) == generation {
            *current = Some((now, Arc::clone(&directory)));
        }
        Ok(directory)
    }

    pub fn invalidate(&self) {
        let mut current = match self.current.write() {
            Ok(current) => current,
            Err(poisoned) => poisoned.into_inner(),
        };
        self.generation.fetch_add(1, Ordering::AcqRel);
        *current = None;
    }
}

#[cfg(test)]
mod tests {
    use barid_store::contract::world::{T0, cli, network, new_office, site};
    use barid_store::model::OfficeKind;

    use super::*;

    async fn add_office(store: &Arc<dyn Store>, code: &str) {
        store
            .create_office(
                &cli("EG"),
                &new_office("EG", code, None, OfficeKind::Counter),
            )
            .await
            .unwrap();
    }

    #[tokio::test]
    async fn offices_are_cached_until_invalidated_or_older_than_the_ttl() {
        let (store, _folder) = barid_store_sqlite::temporary().await.unwrap();
        let store: Arc<dyn Store> = Arc::new(store);
        network(&store).await;
        let cache = OfficeCache::default();
        let loaded = cache.directory(store.as_ref(), T0).await.unwrap();
        assert_eq!(
            loaded
                .get(&site("PSRMHA"))
                .map(|office| office.operator.as_str()),
            Some("PS")
        );
        assert!(loaded.get(&site("EG-GIZA-1")).is_none());

        // Added by another process (the CLI): unseen while the cache is fresh...
        add_office(&store, "EG-GIZA-1").await;
        let almost = T0 + OfficeCache::TTL - time::Duration::seconds(1);
        let cached = cache.directory(store.as_ref(), almost).await.unwrap();
        assert!(Arc::ptr_eq(&loaded, &cached));
        assert!(cached.get(&site("EG-GIZA-1")).is_none());
        // ... and seen once it is TTL old.
        let expired = T0 + OfficeCache::TTL;
        let reloaded = cache.directory(store.as_ref(), expired).await.unwrap();
        assert!(reloaded.get(&site("EG-GIZA-1")).is_some());

        // Added through the API, which invalidates: seen at once.
        add_office(&store, "EG-GIZA-2").await;
        assert!(
            cache
                .directory(store.as_ref(), expired)
                .await
                .unwrap()
                .get(&site("EG-GIZA-2"))
                .is_none()
        );
        cache.invalidate();
        assert!(
            cache
                .directory(store.as_ref(), expired)
                .await
                .unwrap()
                .get(&site("EG-GIZA-2"))
                .is_some()
        );

        // A clock set back does not keep the cache for ever.
        add_office(&store, "EG-GIZA-3").await;
        let earlier = T0 - time::Duration::hours(1);
        assert!(
            cache
                .directory(store.as_ref(), earlier)
                .await
                .unwrap()
                .get(&site("EG-GIZA-3"))
                .is_some()
        );
    }
}
