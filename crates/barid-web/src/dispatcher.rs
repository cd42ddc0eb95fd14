//! The in-node dispatcher: moves outbox messages between operators hosted on this node into
//! the recipient's inbox. It is the message path's first transport; delivery to another node
//! over HTTP (the partner exchange) takes the same outbox rows and ends in the same inbox on
//! the other side.
//!
//! Delivery is at least once and the inbox makes it exactly once: a message is put in the
//! inbox (deduplicated by sender and message ID) before it is marked delivered, so a crash in
//! between only means it is offered again and recognised.

use barid_core::CountryCode;
use barid_store::model::{NewInboxMessage, OutboxMessage};
use barid_store::{Store, StoreResult};
use time::OffsetDateTime;

/// How many messages one pass takes per sender and recipient.
pub const BATCH: u32 = 500;

fn inbox_copy(message: &OutboxMessage, received_at: OffsetDateTime) -> NewInboxMessage {
    NewInboxMessage {
        message_id: message.message_id,
        recipient: message.recipient,
        sender: message.sender,
        sequence: message.sequence,
        message_type: message.message_type.clone(),
        version: message.version.clone(),
        body: message.body.clone(),
        received_at,
    }
}

/// One pass: every due message between two hosted operators, in sequence order per pair.
/// Returns how many were delivered. Messages to operators hosted elsewhere stay in the outbox
/// for the partner exchange.
pub async fn deliver_hosted(store: &dyn Store, now: OffsetDateTime) -> StoreResult<usize> {
    let hosted: Vec<CountryCode> = store
        .operators()
        .await?
        .into_iter()
        .filter(|operator| operator.hosted)
        .map(|operator| operator.code)
        .collect();
    let mut delivered = 0;
    for sender in &hosted {
        for recipient in hosted.iter().filter(|recipient| *recipient != sender) {
            loop {
                let messages = store
                    .pending_outbox(*sender, *recipient, now, BATCH)
                    .await?;
                if messages.is_empty() {
                    break;
                }
                for message in &messages {
                    store.insert_inbox(&inbox_copy(message, now)).await?;
                }
                let ids: Vec<_> = messages.iter().map(|message| message.id).collect();
                store.mark_outbox_delivered(&ids, now).await?;
                delivered += messages.len();
                if messages.len() < BATCH as usize {
                    break;
                }
            }
        }
    }
    Ok(delivered)
}
