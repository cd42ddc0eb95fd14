//! The one implementation of [`Store`]: SQL over sqlx's Any driver, shared by SQLite and
//! PostgreSQL.
//!
//! Placeholders are `$N` (both databases accept them), and every column is an integer or text
//! (see the migrations' header). What differs between the databases is not decided here: the
//! backend crate builds the pools (connection settings, migrations) and passes a [`Dialect`]
//! for the few things the SQL cannot say the same way.
//!
//! Concurrency rules every method follows:
//! - each mutating call is one transaction opened with [`SqlStore::write`], which also writes
//!   the audit entry before committing;
//! - counters (S10 serials, outbox sequences, item and agreement versions) move with single
//!   atomic statements (`UPDATE … SET n = n + 1 … RETURNING`, `UPDATE … WHERE version = $n`),
//!   so they are correct under PostgreSQL's READ COMMITTED as well as SQLite's serialised
//!   writes, and never leave a gap because they roll back with the rest of the transaction;
//! - a check followed by a write that another transaction could invalidate in between (S10
//!   range overlap, a user's roles) first locks a parent row with a no-op
//!   `UPDATE … SET x = x … WHERE …`, which both databases accept, so such writers take turns;
//! - PostgreSQL serialization failures and deadlocks become `Conflict` (retry), not 500s.

mod agreements;
mod audit;
pub(crate) mod convert;
mod dispatches;
mod exchange;
mod idempotency;
mod items;
mod packed;
mod people;
mod quality;

use std::collections::BTreeSet;

use async_trait::async_trait;
use barid_core::{CountryCode, Grams, Role, S10Id, S10Range, SiteCode};
use sqlx::AnyPool;
use sqlx::{Any, Transaction};
use time::OffsetDateTime;

use crate::model::*;
use crate::{Store, StoreResult};

/// What the SQL cannot say the same way on every database. The backend crate builds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dialect {
    /// For logs and errors: `sqlite`, `postgres`.
    pub name: &'static str,
    /// The statement that opens a write transaction, or `None` for the driver's `BEGIN`.
    /// SQLite needs `BEGIN IMMEDIATE`, so that a transaction that reads before it writes takes
    /// the write lock at once instead of failing on the upgrade.
    pub begin_write: Option<&'static str>,
    /// The function that builds a JSON array of its arguments (`json_array`,
    /// `json_build_array`), for packed reads (see `packed.rs`).
    pub json_array: &'static str,
    /// The aggregate that gathers JSON values into an array (`json_group_array`, `json_agg`).
    pub json_array_agg: &'static str,
    /// A FROM item `j` with a row per element of `$1`, a JSON array: `j.value` the element,
    /// `j.key` its position.
    pub json_rows_of_first_parameter: &'static str,
}

/// The SQL store. Cheap to clone: the pools are shared.
#[derive(Debug, Clone)]
pub struct SqlStore {
    reader: AnyPool,
    writer: AnyPool,
    dialect: Dialect,
}

impl SqlStore {
    /// A store over migrated pools. `writer` serves every write transaction and `reader` every
    /// read outside one; they may be the same pool (PostgreSQL). SQLite passes a one-connection
    /// writer so writes queue in the pool instead of retrying on a busy database.
    pub fn new(reader: AnyPool, writer: AnyPool, dialect: Dialect) -> Self {
        Self {
            reader,
            writer,
            dialect,
        }
    }

    /// The pool for reads, e.g. for an online backup.
    pub fn reader(&self) -> &AnyPool {
        &self.reader
    }

    /// The pool for writes.
    pub fn writer(&self) -> &AnyPool {
        &self.writer
    }

    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// Closes both pools, waiting for connections in use to come back.
    pub async fn close(&self) {
        self.writer.close().await;
        self.reader.close().await;
    }

    /// Opens a write transaction.
    pub(crate) async fn write(&self) -> StoreResult<Transaction<'static, Any>> {
        let tx = match self.dialect.begin_write {
            Some(statement) => self.writer.begin_with(statement).await?,
            None => self.writer.begin().await?,
        };
        Ok(tx)
    }
}

#[async_trait]
impl Store for SqlStore {
    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1").execute(&self.reader).await?;
        Ok(())
    }

    async fn create_operator(&self, actor: &Actor, new: &NewOperator) -> StoreResult<Operator> {
        people::create_operator(self, actor, new).await
    }

    async fn operator(&self, code: CountryCode) -> StoreResult<Option<Operator>> {
        people::operator(self, code).await
    }

    async fn operators(&self) -> StoreResult<Vec<Operator>> {
        people::operators(self).await
    }

    async fn create_office(&self, actor: &Actor, new: &NewOffice) -> StoreResult<Office> {
        people::create_office(self, actor, new).await
    }

    async fn office(&self, operator: CountryCode, code: &SiteCode) -> StoreResult<Option<Office>> {
        people::office(self, operator, code).await
    }

    async fn offices(&self, operator: CountryCode) -> StoreResult<Vec<Office>> {
        people::offices(self, operator).await
    }

    async fn create_user(&self, actor: &Actor, new: &NewUser) -> StoreResult<User> {
        people::create_user(self, actor, new).await
    }

    async fn user(&self, operator: CountryCode, username: &Username) -> StoreResult<Option<User>> {
        people::user(self, operator, username).await
    }

    async fn users(&self, operator: CountryCode) -> StoreResult<Vec<User>> {
        people::users(self, operator).await
    }

    async fn credentials(&self, username: &Username) -> StoreResult<Option<UserCredentials>> {
        people::credentials(self, username).await
    }

    async fn set_password(
        &self,
        actor: &Actor,
        user: UserId,
        password_hash: &str,
    ) -> StoreResult<()> {
        people::set_password(self, actor, user, password_hash).await
    }

    async fn set_user_access(
        &self,
        actor: &Actor,
        user: UserId,
        roles: &BTreeSet<Role>,
        offices: &BTreeSet<SiteCode>,
    ) -> StoreResult<User> {
        people::set_user_access(self, actor, user, roles, offices).await
    }

    async fn set_user_active(&self, actor: &Actor, user: UserId, active: bool) -> StoreResult<()> {
        people::set_user_active(self, actor, user, active).await
    }

    async fn create_session(&self, new: &NewSession) -> StoreResult<()> {
        people::create_session(self, new).await
    }

    async fn session(
        &self,
        secret_hash: &str,
        now: OffsetDateTime,
    ) -> StoreResult<Option<Session>> {
        people::session(self, secret_hash, now).await
    }

    async fn delete_session(&self, secret_hash: &str) -> StoreResult<()> {
        people::delete_session(self, secret_hash).await
    }

    async fn delete_expired_sessions(&self, now: OffsetDateTime) -> StoreResult<u64> {
        people::delete_expired_sessions(self, now).await
    }

    async fn create_api_token(&self, actor: &Actor, new: &NewApiToken) -> StoreResult<ApiToken> {
        people::create_api_token(self, actor, new).await
    }

    async fn api_token(&self, secret_hash: &str) -> StoreResult<Option<ApiToken>> {
        people::api_token(self, secret_hash).await
    }

    async fn api_tokens(&self, operator: CountryCode) -> StoreResult<Vec<ApiToken>> {
        people::api_tokens(self, operator).await
    }

    async fn revoke_api_token(&self, actor: &Actor, token: TokenId) -> StoreResult<()> {
        people::revoke_api_token(self, actor, token).await
    }

    async fn create_s10_range(
        &self,
        actor: &Actor,
        range: &S10Range,
    ) -> StoreResult<S10RangeRecord> {
        items::create_s10_range(self, actor, range).await
    }

    async fn s10_ranges(&self, operator: CountryCode) -> StoreResult<Vec<S10RangeRecord>> {
        items::s10_ranges(self, operator).await
    }

    async fn create_item(
        &self,
        actor: &Actor,
        new: &NewItem,
        first_event: &NewEvent,
        derived: DerivedStatus,
        outbox: &[NewOutboxMessage],
    ) -> StoreResult<(Item, ItemEvent)> {
        items::create_item(self, actor, new, first_event, derived, outbox).await
    }

    async fn create_items(
        &self,
        actor: &Actor,
        entries: &[NewItemEntry],
    ) -> StoreResult<Vec<(Item, ItemEvent)>> {
        items::create_items(self, actor, entries).await
    }

    async fn item(&self, operator: CountryCode, s10: &S10Id) -> StoreResult<Option<Item>> {
        items::item(self, operator, s10).await
    }

    async fn items_by_s10(&self, s10: &S10Id) -> StoreResult<Vec<Item>> {
        items::items_by_s10(self, s10).await
    }

    async fn tracked_item(&self, s10: &S10Id) -> StoreResult<Option<TrackedItem>> {
        items::tracked_item(self, s10).await
    }

    async fn search_items(
        &self,
        operator: CountryCode,
        query: &ItemQuery,
        limit: u32,
    ) -> StoreResult<Vec<ItemSummary>> {
        items::search_items(self, operator, query, limit).await
    }

    async fn item_events(
        &self,
        operator: CountryCode,
        item: ItemId,
    ) -> StoreResult<Vec<ItemEvent>> {
        items::item_events(self, operator, item).await
    }

    async fn record_event(
        &self,
        actor: &Actor,
        item: ItemId,
        expected_version: i64,
        event: &NewEvent,
        derived: DerivedStatus,
        outbox: &[NewOutboxMessage],
    ) -> StoreResult<EventRecorded> {
        items::record_event(self, actor, item, expected_version, event, derived, outbox).await
    }

    async fn open_receptacle(
        &self,
        actor: &Actor,
        new: &NewReceptacle,
    ) -> StoreResult<ReceptacleRecord> {
        dispatches::open_receptacle(self, actor, new).await
    }

    async fn receptacle(
        &self,
        operator: CountryCode,
        id: ReceptacleRowId,
    ) -> StoreResult<Option<ReceptacleRecord>> {
        dispatches::receptacle(self, operator, id).await
    }

    async fn receptacles(
        &self,
        operator: CountryCode,
        query: &ReceptacleQuery,
    ) -> StoreResult<Vec<ReceptacleRecord>> {
        dispatches::receptacles(self, operator, query).await
    }

    async fn active_receptacle_of(
        &self,
        operator: CountryCode,
        item: ItemId,
    ) -> StoreResult<Option<ReceptacleRowId>> {
        dispatches::active_receptacle_of(self, operator, item).await
    }

    async fn bag_item(
        &self,
        actor: &Actor,
        receptacle: ReceptacleRowId,
        expected_version: i64,
        item: ItemId,
    ) -> StoreResult<ReceptacleRecord> {
        dispatches::bag_item(self, actor, receptacle, expected_version, item).await
    }

    async fn unbag_item(
        &self,
        actor: &Actor,
        receptacle: ReceptacleRowId,
        expected_version: i64,
        s10: &S10Id,
    ) -> StoreResult<ReceptacleRecord> {
        dispatches::unbag_item(self, actor, receptacle, expected_version, s10).await
    }

    async fn close_receptacle(
        &self,
        actor: &Actor,
        receptacle: ReceptacleRowId,
        expected_version: i64,
        gross: Grams,
    ) -> StoreResult<ReceptacleRecord> {
        dispatches::close_receptacle(self, actor, receptacle, expected_version, gross).await
    }

    async fn keep_receptacle_advance(
        &self,
        operator: CountryCode,
        receptacle: ReceptacleRowId,
        version: i64,
        data: &str,
    ) -> StoreResult<bool> {
        dispatches::keep_receptacle_advance(self, operator, receptacle, version, data).await
    }

    async fn receptacle_advance(
        &self,
        operator: CountryCode,
        receptacles: &[ReceptacleRowId],
    ) -> StoreResult<Vec<(ReceptacleRowId, String)>> {
        dispatches::receptacle_advance(self, operator, receptacles).await
    }

    async fn reopen_receptacle(
        &self,
        actor: &Actor,
        receptacle: ReceptacleRowId,
        expected_version: i64,
        reason: &str,
    ) -> StoreResult<ReceptacleRecord> {
        dispatches::reopen_receptacle(self, actor, receptacle, expected_version, reason).await
    }

    async fn close_dispatch(
        &self,
        actor: &Actor,
        closing: &DispatchClosing,
        planner: &DispatchPlanner<'_>,
    ) -> StoreResult<DispatchRecord> {
        dispatches::close_dispatch(self, actor, closing, planner).await
    }

    async fn dispatch(
        &self,
        operator: CountryCode,
        id: DispatchRowId,
    ) -> StoreResult<Option<DispatchRecord>> {
        dispatches::dispatch(self, operator, id, dispatches::Contents::WithItems).await
    }

    async fn dispatch_head(
        &self,
        operator: CountryCode,
        id: DispatchRowId,
    ) -> StoreResult<Option<DispatchRecord>> {
        dispatches::dispatch(self, operator, id, dispatches::Contents::Without).await
    }

    async fn dispatches(
        &self,
        operator: CountryCode,
        query: &DispatchQuery,
        limit: u32,
    ) -> StoreResult<Vec<DispatchSummary>> {
        dispatches::dispatches(self, operator, query, limit).await
    }

    async fn record_expected_dispatch(
        &self,
        actor: &Actor,
        expected: &ExpectedDispatch,
    ) -> StoreResult<DispatchRecord> {
        dispatches::record_expected_dispatch(self, actor, expected).await
    }

    async fn dispatch_by_s8(
        &self,
        operator: CountryCode,
        s8: &barid_core::DispatchId,
    ) -> StoreResult<Option<DispatchRecord>> {
        dispatches::dispatch_by_s8(self, operator, s8).await
    }

    async fn expected_dispatch(
        &self,
        operator: CountryCode,
        s8: &barid_core::DispatchId,
    ) -> StoreResult<Option<DispatchRecord>> {
        dispatches::expected_dispatch(self, operator, s8, dispatches::Contents::WithItems).await
    }

    async fn expected_dispatch_head(
        &self,
        operator: CountryCode,
        s8: &barid_core::DispatchId,
    ) -> StoreResult<Option<DispatchRecord>> {
        dispatches::expected_dispatch(self, operator, s8, dispatches::Contents::Without).await
    }

    async fn receive_receptacle(
        &self,
        actor: &Actor,
        arrival: &ReceptacleArrival,
        reports: &ArrivalReports<'_>,
    ) -> StoreResult<ReceptacleRecord> {
        dispatches::receive_receptacle(self, actor, arrival, reports).await
    }

    async fn scan_receptacle_item(
        &self,
        actor: &Actor,
        receptacle: ReceptacleRowId,
        s10: &S10Id,
        damaged: bool,
        events: &[PlannedEvent],
        outbox: &[NewOutboxMessage],
    ) -> StoreResult<ReceptacleRecord> {
        dispatches::scan_receptacle_item(self, actor, receptacle, s10, damaged, events, outbox)
            .await
    }

    async fn finish_dispatch(
        &self,
        actor: &Actor,
        dispatch: DispatchRowId,
        expected_version: i64,
        outcome: &DispatchOutcome,
    ) -> StoreResult<DispatchRecord> {
        dispatches::finish_dispatch(self, actor, dispatch, expected_version, outcome).await
    }

    async fn items_by_ids(&self, operator: CountryCode, ids: &[ItemId]) -> StoreResult<Vec<Item>> {
        items::items_by_ids(self, operator, ids).await
    }

    async fn events_of_items(
        &self,
        operator: CountryCode,
        items: &[ItemId],
    ) -> StoreResult<Vec<ItemEvent>> {
        dispatches::events_of_items(self, operator, items).await
    }

    async fn items_waiting(
        &self,
        operator: CountryCode,
        query: &WaitingQuery,
    ) -> StoreResult<Vec<Item>> {
        items::items_waiting(self, operator, query).await
    }

    async fn assess_duty(&self, actor: &Actor, duty: &NewDuty) -> StoreResult<Duty> {
        items::assess_duty(self, actor, duty).await
    }

    async fn duties_of(&self, operator: CountryCode, items: &[ItemId]) -> StoreResult<Vec<Duty>> {
        items::duties_of(self, operator, items).await
    }

    async fn pending_outbox(
        &self,
        sender: CountryCode,
        recipient: CountryCode,
        now: OffsetDateTime,
        limit: u32,
    ) -> StoreResult<Vec<OutboxMessage>> {
        exchange::pending_outbox(self, sender, recipient, now, limit).await
    }

    async fn enqueue_messages(
        &self,
        actor: &Actor,
        messages: &[NewOutboxMessage],
    ) -> StoreResult<()> {
        exchange::enqueue_messages(self, actor, messages).await
    }

    async fn mark_outbox_delivered(&self, ids: &[OutboxId], at: OffsetDateTime) -> StoreResult<()> {
        exchange::mark_outbox_delivered(self, ids, at).await
    }

    async fn mark_outbox_failed(
        &self,
        id: OutboxId,
        error: &str,
        next_attempt_at: OffsetDateTime,
    ) -> StoreResult<()> {
        exchange::mark_outbox_failed(self, id, error, next_attempt_at).await
    }

    async fn outbox_backlog(&self, sender: CountryCode) -> StoreResult<Vec<OutboxBacklog>> {
        exchange::outbox_backlog(self, sender).await
    }
    async fn mark_outbox_rejected(
        &self,
        rejected: &[(OutboxId, Rejection)],
        at: OffsetDateTime,
    ) -> StoreResult<()> {
        exchange::mark_outbox_rejected(self, rejected, at).await
    }
    async fn rejected_outbox(
        &self,
        sender: CountryCode,
        limit: u32,
    ) -> StoreResult<Vec<OutboxMessage>> {
        exchange::rejected_outbox(self, sender, limit).await
    }
    async fn record_partner_response(
        &self,
        actor: &Actor,
        s8: &barid_core::DispatchId,
        response: &str,
    ) -> StoreResult<DispatchRowId> {
        dispatches::record_partner_response(self, actor, s8, response).await
    }

    async fn insert_inbox(&self, message: &NewInboxMessage) -> StoreResult<InboxInsert> {
        exchange::insert_inbox(self, message).await
    }

    async fn outbox_since(
        &self,
        sender: CountryCode,
        recipient: CountryCode,
        message_type: Option<&str>,
        since: OffsetDateTime,
    ) -> StoreResult<Vec<OutboxMessage>> {
        exchange::outbox_since(self, sender, recipient, message_type, since).await
    }

    async fn insert_inbox_all(
        &self,
        messages: &[NewInboxMessage],
    ) -> StoreResult<Vec<InboxInsert>> {
        exchange::insert_inbox_all(self, messages).await
    }

    async fn inbox_messages(
        &self,
        recipient: CountryCode,
        sender: CountryCode,
        message_ids: &[uuid::Uuid],
    ) -> StoreResult<Vec<InboxMessage>> {
        exchange::inbox_messages(self, recipient, sender, message_ids).await
    }

    async fn pending_inbox(
        &self,
        recipient: CountryCode,
        sender: CountryCode,
        limit: u32,
    ) -> StoreResult<Vec<InboxMessage>> {
        exchange::pending_inbox(self, recipient, sender, limit).await
    }

    async fn inbox_settled_through(
        &self,
        recipient: CountryCode,
        sender: CountryCode,
    ) -> StoreResult<i64> {
        exchange::inbox_settled_through(self, recipient, sender).await
    }

    async fn mark_inbox_applied(&self, id: InboxId, at: OffsetDateTime) -> StoreResult<()> {
        exchange::mark_inbox_applied(self, id, at).await
    }

    async fn mark_inbox_quarantined(
        &self,
        id: InboxId,
        reason: &str,
        at: OffsetDateTime,
    ) -> StoreResult<()> {
        exchange::mark_inbox_quarantined(self, id, reason, at).await
    }

    async fn quarantined_inbox(&self, recipient: CountryCode) -> StoreResult<Vec<InboxMessage>> {
        exchange::quarantined_inbox(self, recipient).await
    }

    async fn release_quarantined(
        &self,
        actor: &Actor,
        message_id: uuid::Uuid,
    ) -> StoreResult<InboxMessage> {
        exchange::release_quarantined(self, actor, message_id).await
    }

    async fn item_versions(
        &self,
        operator: CountryCode,
        s10s: &[S10Id],
    ) -> StoreResult<Vec<ItemVersion>> {
        items::item_versions(self, operator, s10s).await
    }

    async fn settle_inbox(&self, actor: &Actor, settlement: &InboxSettlement) -> StoreResult<()> {
        exchange::settle_inbox(self, actor, settlement).await
    }

    async fn set_partner_endpoint(
        &self,
        actor: &Actor,
        endpoint: &PartnerEndpoint,
    ) -> StoreResult<()> {
        exchange::set_partner_endpoint(self, actor, endpoint).await
    }

    async fn partner_endpoints(&self, operator: CountryCode) -> StoreResult<Vec<PartnerEndpoint>> {
        exchange::partner_endpoints(self, operator).await
    }

    async fn create_agreement(&self, actor: &Actor, new: &NewAgreement) -> StoreResult<Agreement> {
        agreements::create_agreement(self, actor, new).await
    }

    async fn update_agreement(
        &self,
        actor: &Actor,
        id: AgreementId,
        expected_version: i64,
        status: AgreementStatus,
        terms: &serde_json::Value,
    ) -> StoreResult<Agreement> {
        agreements::update_agreement(self, actor, id, expected_version, status, terms).await
    }

    async fn agreements(&self, operator: CountryCode) -> StoreResult<Vec<Agreement>> {
        agreements::agreements(self, operator).await
    }

    async fn agreement_history(
        &self,
        operator: CountryCode,
        id: AgreementId,
    ) -> StoreResult<Vec<Agreement>> {
        agreements::agreement_history(self, operator, id).await
    }

    async fn quality_counts(
        &self,
        operator: CountryCode,
        scope: &QualityScope,
    ) -> StoreResult<Vec<QualityCount>> {
        quality::quality_counts(self, operator, scope).await
    }

    async fn quality_items(
        &self,
        operator: CountryCode,
        scope: &QualityScope,
        after: Option<(time::Date, ItemId)>,
        limit: u32,
    ) -> StoreResult<Vec<QualityItem>> {
        quality::quality_items(self, operator, scope, after, limit).await
    }

    async fn stuck_items(
        &self,
        operator: CountryCode,
        origin: CountryCode,
        destination: CountryCode,
        before: OffsetDateTime,
        limit: u32,
    ) -> StoreResult<StuckItems> {
        quality::stuck_items(self, operator, origin, destination, before, limit).await
    }

    async fn dispatch_discrepancies(
        &self,
        operator: CountryCode,
        origin: CountryCode,
        destination: CountryCode,
        from: OffsetDateTime,
        until: OffsetDateTime,
    ) -> StoreResult<Vec<DispatchDiscrepancies>> {
        quality::dispatch_discrepancies(self, operator, origin, destination, from, until).await
    }

    async fn calendars(&self, operator: CountryCode) -> StoreResult<Vec<CalendarRecord>> {
        quality::calendars(self, operator).await
    }

    async fn set_calendar(
        &self,
        actor: &Actor,
        country: CountryCode,
        calendar: &barid_core::quality::WorkingCalendar,
    ) -> StoreResult<CalendarRecord> {
        quality::set_calendar(self, actor, country, calendar).await
    }

    async fn catch_up_quality(&self) -> StoreResult<u64> {
        quality::catch_up(self).await
    }

    async fn reserve_idempotency_key(
        &self,
        operator: CountryCode,
        key: &str,
        request_hash: &str,
        at: OffsetDateTime,
    ) -> StoreResult<IdempotencyReservation> {
        idempotency::reserve(self, operator, key, request_hash, at).await
    }

    async fn complete_idempotency_key(
        &self,
        operator: CountryCode,
        key: &str,
        status: u16,
        body: &str,
        at: OffsetDateTime,
    ) -> StoreResult<()> {
        idempotency::complete(self, operator, key, status, body, at).await
    }

    async fn release_idempotency_key(&self, operator: CountryCode, key: &str) -> StoreResult<()> {
        idempotency::release(self, operator, key).await
    }

    async fn audit_log(
        &self,
        operator: CountryCode,
        before: Option<i64>,
        limit: u32,
    ) -> StoreResult<Page<AuditEntry>> {
        audit::audit_log(self, operator, before, limit).await
    }
}
