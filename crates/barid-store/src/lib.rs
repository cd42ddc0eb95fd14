//! Barid's storage: the [`Store`] trait, the records it keeps, its errors, the SQL
//! implementation shared by both backends, and the contract test suite every backend passes.
//!
//! What belongs here: persistence and the mapping between rows and domain records. What does
//! not: postal rules (barid-core decides whether an event may happen; the store records it),
//! HTTP, and anything dialect-specific (connection setup and migrations live in
//! barid-store-sqlite and barid-store-postgres).
//!
//! Every mutating call is one transaction. Changes to an operator's data (operators, offices,
//! users, tokens, ranges, items and events, endpoints, agreements, quarantine) write their
//! audit entry in that transaction; bookkeeping does not (sessions, outbox delivery state,
//! inbox receipt and application). Rules of the model (e.g. office-bound roles need an office)
//! are checked before anything is written, for the API and the CLI alike.
//! Every read of an operator's data takes the operator, so another operator's rows are simply
//! not found.

#[cfg(feature = "contract")]
pub mod contract;
pub mod error;
pub mod model;
pub mod sql;

use async_trait::async_trait;
use barid_core::{CountryCode, Grams, S10Id, SiteCode};
use time::OffsetDateTime;

pub use error::{StoreError, StoreResult};
use model::*;

/// Everything Barid keeps. Implemented once over SQL for SQLite and PostgreSQL.
#[async_trait]
pub trait Store: Send + Sync + std::fmt::Debug {
    /// Whether the database answers; for `/readyz`.
    async fn ping(&self) -> StoreResult<()>;

    // --- operators and offices -----------------------------------------------------------

    async fn create_operator(&self, actor: &Actor, new: &NewOperator) -> StoreResult<Operator>;
    async fn operator(&self, code: CountryCode) -> StoreResult<Option<Operator>>;
    async fn operators(&self) -> StoreResult<Vec<Operator>>;

    /// Conflict if the code is taken on this node.
    async fn create_office(&self, actor: &Actor, new: &NewOffice) -> StoreResult<Office>;
    async fn office(&self, operator: CountryCode, code: &SiteCode) -> StoreResult<Option<Office>>;
    async fn offices(&self, operator: CountryCode) -> StoreResult<Vec<Office>>;

    // --- users, sessions, tokens ---------------------------------------------------------

    /// Conflict if the username is taken on this node; NotFound if an office is not the
    /// operator's.
    async fn create_user(&self, actor: &Actor, new: &NewUser) -> StoreResult<User>;
    async fn user(&self, operator: CountryCode, username: &Username) -> StoreResult<Option<User>>;
    async fn users(&self, operator: CountryCode) -> StoreResult<Vec<User>>;
    /// For login: looks the username up across operators (usernames are unique on the node).
    async fn credentials(&self, username: &Username) -> StoreResult<Option<UserCredentials>>;
    /// Also ends every session of the user, in the same transaction.
    async fn set_password(
        &self,
        actor: &Actor,
        user: UserId,
        password_hash: &str,
    ) -> StoreResult<()>;
    /// Replaces the user's roles and office assignments.
    async fn set_user_access(
        &self,
        actor: &Actor,
        user: UserId,
        roles: &std::collections::BTreeSet<barid_core::Role>,
        offices: &std::collections::BTreeSet<SiteCode>,
    ) -> StoreResult<User>;
    async fn set_user_active(&self, actor: &Actor, user: UserId, active: bool) -> StoreResult<()>;

    async fn create_session(&self, new: &NewSession) -> StoreResult<()>;
    /// The session with this secret hash if it has not expired at `now` and its user is active.
    async fn session(&self, secret_hash: &str, now: OffsetDateTime)
    -> StoreResult<Option<Session>>;
    async fn delete_session(&self, secret_hash: &str) -> StoreResult<()>;
    /// Removes every session that expired before `now`; returns how many.
    async fn delete_expired_sessions(&self, now: OffsetDateTime) -> StoreResult<u64>;

    async fn create_api_token(&self, actor: &Actor, new: &NewApiToken) -> StoreResult<ApiToken>;
    /// The unrevoked token with this secret hash.
    async fn api_token(&self, secret_hash: &str) -> StoreResult<Option<ApiToken>>;
    async fn api_tokens(&self, operator: CountryCode) -> StoreResult<Vec<ApiToken>>;
    async fn revoke_api_token(&self, actor: &Actor, token: TokenId) -> StoreResult<()>;

    // --- S10 ranges and items ------------------------------------------------------------

    async fn create_s10_range(
        &self,
        actor: &Actor,
        range: &barid_core::S10Range,
    ) -> StoreResult<S10RangeRecord>;
    async fn s10_ranges(&self, operator: CountryCode) -> StoreResult<Vec<S10RangeRecord>>;

    /// Stores the item with its first event and the outbox messages it causes, in one
    /// transaction. With `ItemIdSource::Range` the S10 ID is issued from the range in the same
    /// transaction (RangeExhausted when none is left), so concurrent acceptances never share a
    /// serial. Conflict if the operator already has an item with that S10 ID.
    async fn create_item(
        &self,
        actor: &Actor,
        new: &NewItem,
        first_event: &NewEvent,
        derived: DerivedStatus,
        outbox: &[NewOutboxMessage],
    ) -> StoreResult<(Item, ItemEvent)>;
    /// Stores every entry as `create_item` would, all in one transaction: either every item is
    /// stored (with its event and audit entry) or none is. Returns them in the entries' order.
    async fn create_items(
        &self,
        actor: &Actor,
        entries: &[NewItemEntry],
    ) -> StoreResult<Vec<(Item, ItemEvent)>>;
    async fn item(&self, operator: CountryCode, s10: &S10Id) -> StoreResult<Option<Item>>;
    /// Every copy of the item with this S10 ID on the node, whichever operator keeps it (the
    /// origin post and the destination post each keep their own), ordered by operator.
    ///
    /// This is the one read across operators, for public tracking: whoever shows its result
    /// shows only what the public may see (never the parties).
    async fn items_by_s10(&self, s10: &S10Id) -> StoreResult<Vec<Item>>;
    /// What public tracking shows of the item with this S10 ID, from every operator's copy,
    /// in one read: each copy's service and countries and each copy's events, without the
    /// parties, the customs declaration, signatories or notes. `None` when no operator on the
    /// node has the item. Like [`Store::items_by_s10`], a read across operators.
    async fn tracked_item(&self, s10: &S10Id) -> StoreResult<Option<TrackedItem>>;
    /// The operator's items matching `query`, newest first, at most `limit`.
    async fn search_items(
        &self,
        operator: CountryCode,
        query: &ItemQuery,
        limit: u32,
    ) -> StoreResult<Vec<ItemSummary>>;
    /// The item's events in the order they were recorded.
    async fn item_events(&self, operator: CountryCode, item: ItemId)
    -> StoreResult<Vec<ItemEvent>>;

    /// Records an event with the item's new derived status and the outbox messages it causes,
    /// in one transaction. Idempotent: the same event (item, code, time, office) a second time
    /// changes nothing and returns `Duplicate`. Conflict if the item's version is no longer
    /// `expected_version` (someone recorded an event meanwhile): derive again and retry.
    async fn record_event(
        &self,
        actor: &Actor,
        item: ItemId,
        expected_version: i64,
        event: &NewEvent,
        derived: DerivedStatus,
        outbox: &[NewOutboxMessage],
    ) -> StoreResult<EventRecorded>;

    // --- offices of exchange -------------------------------------------------------------

    /// Opens an empty outward receptacle for a series at one of our offices.
    async fn open_receptacle(
        &self,
        actor: &Actor,
        new: &NewReceptacle,
    ) -> StoreResult<ReceptacleRecord>;
    /// The receptacle with its items, in the order bagged or advised.
    async fn receptacle(
        &self,
        operator: CountryCode,
        id: ReceptacleRowId,
    ) -> StoreResult<Option<ReceptacleRecord>>;
    /// The operator's receptacles matching `query`, oldest first, with their items.
    async fn receptacles(
        &self,
        operator: CountryCode,
        query: &ReceptacleQuery,
    ) -> StoreResult<Vec<ReceptacleRecord>>;
    /// The open or closed (not yet dispatched) receptacle holding the item, if any.
    async fn active_receptacle_of(
        &self,
        operator: CountryCode,
        item: ItemId,
    ) -> StoreResult<Option<ReceptacleRowId>>;
    /// Lists the item in the open receptacle. Conflict if the receptacle is no longer open at
    /// `expected_version`, or the item is in another receptacle being built.
    async fn bag_item(
        &self,
        actor: &Actor,
        receptacle: ReceptacleRowId,
        expected_version: i64,
        item: ItemId,
    ) -> StoreResult<ReceptacleRecord>;
    /// Takes the item out of the open receptacle.
    async fn unbag_item(
        &self,
        actor: &Actor,
        receptacle: ReceptacleRowId,
        expected_version: i64,
        s10: &S10Id,
    ) -> StoreResult<ReceptacleRecord>;
    /// Seals the open receptacle with its gross weight.
    async fn close_receptacle(
        &self,
        actor: &Actor,
        receptacle: ReceptacleRowId,
        expected_version: i64,
        gross: Grams,
    ) -> StoreResult<ReceptacleRecord>;
    /// Keeps the encoded advance data of a closed receptacle's items, good while it stays at
    /// `version` (reopening forgets it). `false` when the receptacle is no longer closed at
    /// that version: nothing is kept.
    async fn keep_receptacle_advance(
        &self,
        operator: CountryCode,
        receptacle: ReceptacleRowId,
        version: i64,
        data: &str,
    ) -> StoreResult<bool>;
    /// The advance data kept for these receptacles, for those whose data is still good (kept
    /// at their current version); in no particular order.
    async fn receptacle_advance(
        &self,
        operator: CountryCode,
        receptacles: &[ReceptacleRowId],
    ) -> StoreResult<Vec<(ReceptacleRowId, String)>>;
    /// Opens a closed (not dispatched) receptacle again; the reason goes to the audit log.
    async fn reopen_receptacle(
        &self,
        actor: &Actor,
        receptacle: ReceptacleRowId,
        expected_version: i64,
        reason: &str,
    ) -> StoreResult<ReceptacleRecord>;
    /// Closes a dispatch in one transaction: takes the series' next number (consecutive under
    /// concurrency, never repeated, given back on rollback), asks `planner` for the S8 and S9
    /// IDs, events and messages that number implies, marks the receptacles dispatched (each
    /// still closed at the version given), records the events and writes the outbox.
    async fn close_dispatch(
        &self,
        actor: &Actor,
        closing: &DispatchClosing,
        planner: &DispatchPlanner<'_>,
    ) -> StoreResult<DispatchRecord>;
    async fn dispatch(
        &self,
        operator: CountryCode,
        id: DispatchRowId,
    ) -> StoreResult<Option<DispatchRecord>>;
    /// The operator's latest dispatch with this S8 ID: outward when the S8's origin office is
    /// the operator's, otherwise the inward or transit copy; of the highest year, then the
    /// newest row. S8 numbers restart each year and the ID carries only the year's last digit,
    /// so several rows may share it.
    async fn dispatch_by_s8(
        &self,
        operator: CountryCode,
        s8: &barid_core::DispatchId,
    ) -> StoreResult<Option<DispatchRecord>>;
    /// As [`Store::dispatch`], but each receptacle without the items in it (its `items`
    /// empty): for a step that needs the dispatch's state, not its contents.
    async fn dispatch_head(
        &self,
        operator: CountryCode,
        id: DispatchRowId,
    ) -> StoreResult<Option<DispatchRecord>>;
    /// Newest first, at most `limit`.
    async fn dispatches(
        &self,
        operator: CountryCode,
        query: &DispatchQuery,
        limit: u32,
    ) -> StoreResult<Vec<DispatchSummary>>;
    /// Records a partner's dispatch we expect as transit or inward office, with its advised
    /// receptacles and items. Conflict if it is already expected here.
    async fn record_expected_dispatch(
        &self,
        actor: &Actor,
        expected: &ExpectedDispatch,
    ) -> StoreResult<DispatchRecord>;
    /// The latest transit or inward dispatch with this S8 ID.
    async fn expected_dispatch(
        &self,
        operator: CountryCode,
        s8: &barid_core::DispatchId,
    ) -> StoreResult<Option<DispatchRecord>>;
    /// As [`Store::expected_dispatch`], but each receptacle without the items in it (its
    /// `items` empty): for a step that needs the dispatch's state, not its contents.
    async fn expected_dispatch_head(
        &self,
        operator: CountryCode,
        s8: &barid_core::DispatchId,
    ) -> StoreResult<Option<DispatchRecord>>;
    /// A receptacle scanned on arrival: the advised one (same dispatch and serial) becomes
    /// received, with its measured weight and condition; an unadvised one is added. The
    /// dispatch becomes received. The messages `reports` gives are written with it.
    async fn receive_receptacle(
        &self,
        actor: &Actor,
        arrival: &ReceptacleArrival,
        reports: &ArrivalReports<'_>,
    ) -> StoreResult<ReceptacleRecord>;
    /// An item found in an opened inward receptacle (advised there or not), with its events
    /// (`EMD` on our copy), in one transaction.
    async fn scan_receptacle_item(
        &self,
        actor: &Actor,
        receptacle: ReceptacleRowId,
        s10: &S10Id,
        damaged: bool,
        events: &[PlannedEvent],
        outbox: &[NewOutboxMessage],
    ) -> StoreResult<ReceptacleRecord>;
    /// Ends a transit (forwarded) or inward (verified) dispatch: its status, verification
    /// note, events and outbox messages at once; advised receptacles never received become
    /// missing.
    async fn finish_dispatch(
        &self,
        actor: &Actor,
        dispatch: DispatchRowId,
        expected_version: i64,
        outcome: &DispatchOutcome,
    ) -> StoreResult<DispatchRecord>;
    /// The operator's items with these IDs, in the order given; NotFound if one is missing.
    async fn items_by_ids(&self, operator: CountryCode, ids: &[ItemId]) -> StoreResult<Vec<Item>>;
    /// The events of every item listed, item by item, each item's in the order recorded.
    async fn events_of_items(
        &self,
        operator: CountryCode,
        items: &[ItemId],
    ) -> StoreResult<Vec<ItemEvent>>;
    /// The operator's items waiting as `query` says, the longest waiting (least recently
    /// changed) first.
    async fn items_waiting(
        &self,
        operator: CountryCode,
        query: &WaitingQuery,
    ) -> StoreResult<Vec<Item>>;
    /// Records customs' duty on an item at the version the officer saw, replacing an earlier
    /// assessment, and moves the item's version on (a delivery prepared before it must look
    /// again). Audited.
    async fn assess_duty(&self, actor: &Actor, duty: &NewDuty) -> StoreResult<Duty>;
    /// The duty assessed on each item listed that has one.
    async fn duties_of(&self, operator: CountryCode, items: &[ItemId]) -> StoreResult<Vec<Duty>>;

    // --- exchange with partner posts -----------------------------------------------------

    /// Messages from `sender` to `recipient` not yet delivered and due at `now`, in sequence
    /// order, at most `limit`.
    async fn pending_outbox(
        &self,
        sender: CountryCode,
        recipient: CountryCode,
        now: OffsetDateTime,
        limit: u32,
    ) -> StoreResult<Vec<OutboxMessage>>;
    /// Writes messages that no other change causes (a transit office's events, which it keeps
    /// no item for), with their audit entry.
    async fn enqueue_messages(
        &self,
        actor: &Actor,
        messages: &[NewOutboxMessage],
    ) -> StoreResult<()>;
    async fn mark_outbox_delivered(&self, ids: &[OutboxId], at: OffsetDateTime) -> StoreResult<()>;
    async fn mark_outbox_failed(
        &self,
        id: OutboxId,
        error: &str,
        next_attempt_at: OffsetDateTime,
    ) -> StoreResult<()>;
    async fn outbox_backlog(&self, sender: CountryCode) -> StoreResult<Vec<OutboxBacklog>>;
    /// Marks these messages delivered and refused by the partner's node, with its reasons. A
    /// message delivered before keeps its first delivery time.
    async fn mark_outbox_rejected(
        &self,
        rejected: &[(OutboxId, Rejection)],
        at: OffsetDateTime,
    ) -> StoreResult<()>;
    /// The messages `sender`'s partners refused, latest first.
    async fn rejected_outbox(
        &self,
        sender: CountryCode,
        limit: u32,
    ) -> StoreResult<Vec<OutboxMessage>>;
    /// Keeps the destination's response on receipt (`response`, a RESDES envelope) on the
    /// actor's operator's outward dispatch `s8`; a later response replaces it.
    async fn record_partner_response(
        &self,
        actor: &Actor,
        s8: &barid_core::DispatchId,
        response: &str,
    ) -> StoreResult<DispatchRowId>;

    /// Deduplicates by (sender, message ID): a message seen before is `Duplicate`.
    async fn insert_inbox(&self, message: &NewInboxMessage) -> StoreResult<InboxInsert>;
    /// Pending messages for `recipient` from `sender`, in sequence order.
    async fn pending_inbox(
        &self,
        recipient: CountryCode,
        sender: CountryCode,
        limit: u32,
    ) -> StoreResult<Vec<InboxMessage>>;
    /// The highest sequence number from `sender` that `recipient` has applied or quarantined
    /// (0 when none): the next message to apply is the one after it, and a later one waits.
    async fn inbox_settled_through(
        &self,
        recipient: CountryCode,
        sender: CountryCode,
    ) -> StoreResult<i64>;
    async fn mark_inbox_applied(&self, id: InboxId, at: OffsetDateTime) -> StoreResult<()>;
    async fn mark_inbox_quarantined(
        &self,
        id: InboxId,
        reason: &str,
        at: OffsetDateTime,
    ) -> StoreResult<()>;
    async fn quarantined_inbox(&self, recipient: CountryCode) -> StoreResult<Vec<InboxMessage>>;
    /// Puts `actor.operator`'s quarantined message with this message ID back in line to be
    /// applied again (out of its turn: the messages after it went on), audited as
    /// `inbox.release`; answers it as it now is, pending. Not found if we hold no such message,
    /// conflict if it is not quarantined (or two senders used the ID).
    async fn release_quarantined(
        &self,
        actor: &Actor,
        message_id: uuid::Uuid,
    ) -> StoreResult<InboxMessage>;
    /// Our copies of the items with these S10 IDs, as far as recording events needs them; an
    /// ID we do not hold is left out.
    async fn item_versions(
        &self,
        operator: CountryCode,
        s10s: &[S10Id],
    ) -> StoreResult<Vec<ItemVersion>>;
    /// Settles a run of `actor.operator`'s inbox messages in one transaction, all or none:
    /// records the planned events with each item's new status, marks the applied messages
    /// applied and quarantines the others with their reason (audited as
    /// [`Store::mark_inbox_quarantined`] does). Conflict if an item is no longer at the
    /// version its events were derived from: read again and plan again.
    async fn settle_inbox(&self, actor: &Actor, settlement: &InboxSettlement) -> StoreResult<()>;
    /// Every message from `sender` to `recipient` written at or after `since`, of
    /// `message_type` (`PREDES`...) when given, whatever its delivery state, in sequence
    /// order: what a file export hands a partner that has no online link.
    async fn outbox_since(
        &self,
        sender: CountryCode,
        recipient: CountryCode,
        message_type: Option<&str>,
        since: OffsetDateTime,
    ) -> StoreResult<Vec<OutboxMessage>>;
    /// Inserts the messages in one transaction, all or none, each deduplicated as
    /// [`Store::insert_inbox`] does (also against an earlier message of the same call), and
    /// answers for each in order: a file taken in whole.
    async fn insert_inbox_all(&self, messages: &[NewInboxMessage])
    -> StoreResult<Vec<InboxInsert>>;
    /// The messages for `recipient` from `sender` with these message IDs that the inbox
    /// holds, whatever their state, in sequence order.
    async fn inbox_messages(
        &self,
        recipient: CountryCode,
        sender: CountryCode,
        message_ids: &[uuid::Uuid],
    ) -> StoreResult<Vec<InboxMessage>>;

    async fn set_partner_endpoint(
        &self,
        actor: &Actor,
        endpoint: &PartnerEndpoint,
    ) -> StoreResult<()>;
    async fn partner_endpoints(&self, operator: CountryCode) -> StoreResult<Vec<PartnerEndpoint>>;

    // --- agreements ----------------------------------------------------------------------

    async fn create_agreement(&self, actor: &Actor, new: &NewAgreement) -> StoreResult<Agreement>;
    /// Saves new terms as the next version; the previous version stays in the history.
    /// Conflict if the current version is not `expected_version`.
    async fn update_agreement(
        &self,
        actor: &Actor,
        id: AgreementId,
        expected_version: i64,
        status: AgreementStatus,
        terms: &serde_json::Value,
    ) -> StoreResult<Agreement>;
    async fn agreements(&self, operator: CountryCode) -> StoreResult<Vec<Agreement>>;
    /// Every version of an agreement, oldest first.
    async fn agreement_history(
        &self,
        operator: CountryCode,
        id: AgreementId,
    ) -> StoreResult<Vec<Agreement>>;

    // --- quality of service ---------------------------------------------------------------

    /// The quality counts of a scope, every service (kept as events are recorded; see
    /// `barid_core::quality::counts`).
    async fn quality_counts(
        &self,
        operator: CountryCode,
        scope: &QualityScope,
    ) -> StoreResult<Vec<QualityCount>>;
    /// A page of the scope's items in posting order, after `after` (a posting date and item).
    async fn quality_items(
        &self,
        operator: CountryCode,
        scope: &QualityScope,
        after: Option<(time::Date, ItemId)>,
        limit: u32,
    ) -> StoreResult<Vec<QualityItem>>;
    /// Items from `origin` to `destination` neither delivered nor sent back whose last step is
    /// older than `before`: the oldest `limit` of them, and how many per step.
    async fn stuck_items(
        &self,
        operator: CountryCode,
        origin: CountryCode,
        destination: CountryCode,
        before: OffsetDateTime,
        limit: u32,
    ) -> StoreResult<StuckItems>;
    /// Dispatches from `origin` to `destination` closed in `[from, until)` with a verification
    /// note's discrepancies or a partner's answer.
    async fn dispatch_discrepancies(
        &self,
        operator: CountryCode,
        origin: CountryCode,
        destination: CountryCode,
        from: OffsetDateTime,
        until: OffsetDateTime,
    ) -> StoreResult<Vec<DispatchDiscrepancies>>;
    /// The working calendars the operator has set (its own and its partners').
    async fn calendars(&self, operator: CountryCode) -> StoreResult<Vec<CalendarRecord>>;
    /// Sets (or replaces) `country`'s working calendar for `actor.operator`; audited.
    async fn set_calendar(
        &self,
        actor: &Actor,
        country: CountryCode,
        calendar: &barid_core::quality::WorkingCalendar,
    ) -> StoreResult<CalendarRecord>;
    /// Gives a quality timeline to every item recorded before quality was measured; run when
    /// the store opens (nothing to do afterwards). Answers how many items it did.
    async fn catch_up_quality(&self) -> StoreResult<u64>;

    // --- idempotent requests -------------------------------------------------------------

    /// Reserves an `Idempotency-Key` of the operator for the request with this hash (a unique
    /// insert, so of two concurrent requests with one key exactly one gets `Reserved`), or says
    /// what the key was used for before. Bookkeeping: no audit entry.
    async fn reserve_idempotency_key(
        &self,
        operator: CountryCode,
        key: &str,
        request_hash: &str,
        at: OffsetDateTime,
    ) -> StoreResult<IdempotencyReservation>;
    /// Records the response to the request that reserved the key, for replays. NotFound if the
    /// key is not reserved.
    async fn complete_idempotency_key(
        &self,
        operator: CountryCode,
        key: &str,
        status: u16,
        body: &str,
        at: OffsetDateTime,
    ) -> StoreResult<()>;
    /// Frees a reserved key whose request was not answered (it failed in a way a retry may
    /// fix); a completed key stays.
    async fn release_idempotency_key(&self, operator: CountryCode, key: &str) -> StoreResult<()>;

    // --- audit ---------------------------------------------------------------------------

    /// The operator's audit log, newest first, `limit` entries before `before` (an audit ID).
    async fn audit_log(
        &self,
        operator: CountryCode,
        before: Option<i64>,
        limit: u32,
    ) -> StoreResult<Page<AuditEntry>>;
}
