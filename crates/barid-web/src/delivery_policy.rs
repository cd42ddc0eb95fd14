//! The delivery policy at work: an item that has waited out its days at a delivery office
//! (see [`barid_core::DeliveryPolicy`]) goes back to its sender. The server runs
//! [`send_back_waited_out`] every minute; the attempts rule needs no run, it applies when the
//! last allowed attempt is recorded ([`crate::exchange::record_local_event`]).
//!
//! Sending an item back records `EDF` (held at the delivery office) with reason `08`
//! (unclaimed) and the next action `return_to_sender`, at the office of its latest event, by
//! Barid itself (`delivery-policy` in the audit log). The item then goes back through the
//! offices of exchange like any return, and its origin post is told as for any event.

use barid_core::lifecycle::ItemStatus;
use barid_core::{Milestone, NextAction, ReasonCode};
use barid_store::model::WaitingQuery;

use crate::auth::Principal;
use crate::error::{ApiError, ApiResult};
use crate::exchange::{self, EventDetails};
use crate::state::AppState;

/// Items looked at per operator and run, those waiting longest first: a backlog drains over a
/// few runs without holding the database for long.
const PER_RUN: u32 = 500;

/// The reason recorded on an item sent back: unclaimed.
const UNCLAIMED: &str = "08";

/// What an item waits in, at the delivery office.
const WAITING: &[ItemStatus] = &[
    ItemStatus::AtDeliveryOffice,
    ItemStatus::HeldAtDeliveryOffice,
    ItemStatus::AtCollectionPoint,
    ItemStatus::DeliveryAttemptFailed,
];

/// Sends back every item of the hosted operators that has waited out its days; returns how
/// many. An item that cannot be sent back (it moved meanwhile) is skipped until the next run.
pub async fn send_back_waited_out(state: &AppState) -> ApiResult<usize> {
    let policy = state.delivery_policy();
    let reason = ReasonCode::parse(UNCLAIMED).map_err(ApiError::internal)?;
    let mut sent_back = 0;
    for operator in state.store().operators().await? {
        if !operator.hosted {
            continue;
        }
        let items = state
            .store()
            .items_waiting(
                operator.code,
                &WaitingQuery {
                    statuses: WAITING.to_vec(),
                    office: None,
                    limit: PER_RUN,
                },
            )
            .await?;
        let principal = Principal::system(operator.code, "delivery-policy");
        for item in items {
            // One read of the events gives both the state and where the item is.
            let events = state.store().item_events(item.operator, item.id).await?;
            if !policy.waited_out(&exchange::state_of_events(&events), state.now()) {
                continue;
            }
            let Some(office) = events.last().map(|event| event.event.office.clone()) else {
                continue;
            };
            let details = EventDetails {
                reason: Some(reason.clone()),
                next_action: Some(NextAction::ReturnToSender),
                note: Some(format!(
                    "not collected within {} days: back to the sender",
                    policy.days()
                )),
                ..EventDetails::default()
            };
            match exchange::record_local_event(
                state,
                &principal,
                &item.s10,
                Milestone::HeldDeliveryOffice,
                &office,
                details,
            )
            .await
            {
                Ok(_) => sent_back += 1,
                Err(error) => {
                    tracing::warn!(s10 = %item.s10, %error, "could not send a waited-out item back");
                }
            }
        }
    }
    Ok(sent_back)
}
