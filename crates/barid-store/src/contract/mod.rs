//! The contract every [`Store`] backend must pass: one suite, instantiated by each backend
//! crate's `tests/contract.rs` with [`contract_tests!`](crate::contract_tests), each case on a
//! fresh database of its own.
//!
//! ```ignore
//! // crates/barid-store-sqlite/tests/contract.rs
//! async fn fresh() -> Option<barid_store::contract::Fixture> {
//!     let (store, folder) = barid_store_sqlite::temporary().await.unwrap();
//!     Some(barid_store::contract::Fixture::new(store, folder))
//! }
//! barid_store::contract_tests!(fresh);
//! ```
//!
//! `fresh` returns `None` when the backend is not available (PostgreSQL without
//! `BARID_TEST_POSTGRES_URL`); each case then prints that it was skipped and passes. It panics
//! when the backend should be there but is not. The crate using the macro needs `tokio` (with
//! the `macros` and `rt-multi-thread` features) among its dev-dependencies.
//!
//! This is test code compiled into the library (behind the `contract` feature) so that every
//! backend runs the same cases: a failed expectation panics, as in any test.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

pub mod cases;
pub mod office_cases;
pub mod quality_cases;
pub mod world;

use std::sync::Arc;

use crate::Store;

/// A fresh store for one case, and whatever must live as long as it (a temporary folder, a
/// database to drop afterwards).
pub struct Fixture {
    // Dropped first: the store lets go of its connections before the guard removes the
    // database under them.
    store: Arc<dyn Store>,
    _guard: Box<dyn std::any::Any + Send>,
}

impl Fixture {
    pub fn new<S: Store + 'static, G: Send + 'static>(store: S, guard: G) -> Self {
        Self {
            store: Arc::new(store),
            _guard: Box::new(guard),
        }
    }

    pub fn store(&self) -> Arc<dyn Store> {
        Arc::clone(&self.store)
    }
}

impl std::fmt::Debug for Fixture {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fixture")
            .field("store", &self.store)
            .finish_non_exhaustive()
    }
}

/// Expands to one `#[tokio::test]` per contract case, each calling `$fresh().await` for a store
/// of its own. See the [module documentation](crate::contract).
#[macro_export]
macro_rules! contract_tests {
    ($fresh:path) => {
        $crate::__contract_cases!(
            $fresh;
            ping_answers,
            operators_are_created_read_and_listed,
            operator_code_conflict_writes_nothing,
            offices_are_created_read_and_listed,
            office_code_conflict_writes_nothing,
            office_of_unknown_operator_is_not_found,
            foreign_operator_reads_find_nothing,
            foreign_operator_writes_are_not_found_and_write_nothing,
            users_are_created_read_and_listed,
            credentials_and_set_password,
            set_user_access_replaces_roles_and_offices,
            foreign_office_assignment_is_refused,
            username_conflict_writes_nothing,
            sessions_are_created_read_expired_and_deleted,
            deactivated_user_has_no_session,
            api_tokens_are_created_looked_up_and_revoked,
            s10_ranges_are_created_listed_and_never_overlap,
            concurrent_overlapping_ranges_create_exactly_one,
            concurrent_access_changes_succeed_or_conflict,
            model_rules_are_checked_before_anything_is_written,
            create_item_issues_serials_in_order,
            range_exhaustion_writes_nothing,
            concurrent_create_item_gives_distinct_consecutive_serials,
            create_item_writes_item_event_and_outbox_together,
            duplicate_s10_conflict_writes_nothing,
            customs_declarations_round_trip,
            record_event_updates_status_version_and_outbox,
            record_event_is_idempotent,
            record_event_version_conflict_writes_nothing,
            concurrent_record_event_lets_one_writer_win,
            outbox_sequences_are_gapless_per_recipient,
            concurrent_outbox_writes_keep_sequences_gapless,
            pending_outbox_is_due_ordered_and_marked_delivered,
            failed_outbox_message_waits_for_its_retry_and_holds_back_the_rest,
            outbox_backlog_per_recipient,
            inbox_deduplicates_by_sender_and_message_id,
            inbox_messages_are_applied_or_quarantined,
            a_quarantined_message_is_released_to_be_applied_again,
            inbox_runs_are_settled_whole_or_not_at_all,
            outbox_since_lists_a_partners_messages_whatever_their_state,
            insert_inbox_all_takes_every_message_or_none,
            partner_endpoints_are_upserted_and_listed,
            agreements_keep_every_version,
            agreement_version_conflict_writes_nothing,
            audit_entries_for_every_mutating_call,
            audit_log_pages_newest_first,
            event_times_keep_their_utc_offset,
            arabic_text_round_trips,
            items_by_s10_finds_every_operators_copy,
            tracked_item_reads_every_copy_without_private_fields,
            search_items_by_s10_name_and_phone_within_the_operator,
            create_items_stores_all_or_nothing,
            idempotency_keys_are_reserved_completed_and_replayed,
            concurrent_reservations_of_one_key_reserve_it_once,
            receptacles_are_opened_filled_closed_and_reopened,
            receptacle_advance_is_kept_for_its_closed_version_only,
            an_item_is_in_one_receptacle_being_built,
            close_dispatch_writes_ids_events_and_outbox_together,
            close_dispatch_writes_nothing_when_a_receptacle_changed,
            concurrent_dispatch_closings_get_consecutive_numbers,
            inward_dispatches_are_expected_received_opened_and_finished,
            dispatch_by_s8_is_the_latest_of_any_direction,
            items_waiting_by_status_and_latest_office,
            duty_is_assessed_replaced_and_collected_on_delivery,
            quality_counts_follow_the_events_as_they_are_recorded,
            quality_items_page_and_stuck_items_are_the_oldest_open_ones,
            working_calendars_are_set_replaced_and_audited,
        );
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __contract_cases {
    ($fresh:path; $($case:ident),* $(,)?) => {
        $(
            #[::tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $case() {
                match $fresh().await {
                    Some(fixture) => {
                        $crate::contract::cases::$case(fixture.store()).await;
                        drop(fixture);
                    }
                    None => eprintln!(
                        "skipped {}: this backend's database is not configured",
                        stringify!($case)
                    ),
                }
            }
        )*
    };
}
