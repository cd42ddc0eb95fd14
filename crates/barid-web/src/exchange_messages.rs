//! The messages an office-of-exchange step writes to the outbox, built with barid-messages and
//! stored as encoded envelopes (Barid's JSON syntax), so whatever transport carries them (the
//! in-node dispatcher, HTTP to another node, a file) sends the same bytes.

use barid_core::exchange::{ClosedDispatch, RoutePlan};
use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

use barid_core::{CountryCode, DispatchSeries, Milestone, S10Id};
use barid_messages::{
    BaridJsonV1, Contents, Emsevt, Envelope, ItemAttributes, Itmatt, MessageBody, MessageCodec,
    Predes, TrackingEvent,
};
use barid_store::StoreError;
use barid_store::model::{DispatchRecord, Item, NewOutboxMessage, ReceptacleStatus};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::api::exchange_documents::{Printable, PrintedItem};
use crate::auth::Principal;
use crate::document_cache::RenderedDocuments;
use crate::error::{ApiError, ApiResult};
use crate::exchange::{self, ExchangeOffice};
use crate::state::AppState;

/// Encodes one message for the outbox.
pub fn outbox_message(
    sender: CountryCode,
    recipient: CountryCode,
    at: OffsetDateTime,
    body: MessageBody,
) -> Result<NewOutboxMessage, StoreError> {
    let message_id = Uuid::new_v4();
    let envelope = Envelope::new(message_id, sender, recipient, at, body)
        .map_err(|error| StoreError::invalid("message", error.to_string()))?;
    let bytes = BaridJsonV1
        .encode(&envelope)
        .map_err(|error| StoreError::invalid("message", error.to_string()))?;
    let body = String::from_utf8(bytes)
        .map_err(|error| StoreError::invalid("message", error.to_string()))?;
    Ok(NewOutboxMessage {
        message_id,
        recipient,
        message_type: envelope.message_type().as_str().to_owned(),
        version: envelope.version().to_string(),
        body,
    })
}

/// An EMSEVT to `recipient` with these events, or nothing when there are none.
pub fn emsevt(
    sender: CountryCode,
    recipient: CountryCode,
    events: Vec<TrackingEvent>,
    at: OffsetDateTime,
) -> Result<Vec<NewOutboxMessage>, StoreError> {
    if events.is_empty() || sender == recipient {
        return Ok(Vec::new());
    }
    let body =
        Emsevt::new(events).map_err(|error| StoreError::invalid("emsevt", error.to_string()))?;
    Ok(vec![outbox_message(
        sender,
        recipient,
        at,
        MessageBody::Emsevt(body),
    )?])
}

/// What the destination post learns of an item before it arrives.
pub fn item_attributes(state: &AppState, item: &Item) -> Result<ItemAttributes, StoreError> {
    let service = state
        .reference()
        .services()
        .by_indicator(item.s10.service_indicator())
        .ok_or_else(|| {
            StoreError::invalid(
                "s10",
                format!("{}: no service uses its indicator", item.s10),
            )
        })?;
    let contents = Contents::parse(&item.contents)
        .map_err(|error| StoreError::invalid("contents", format!("{}: {error}", item.s10)))?;
    Ok(ItemAttributes {
        s10: item.s10,
        mail_class: service.mail_class,
        origin_country: item.origin_country,
        destination_country: item.destination_country,
        accepted_at: item.created_at,
        posting_office: item.office.clone(),
        gross_weight: item.weight,
        contents,
        sender: item.sender.clone(),
        addressee: item.addressee.clone(),
        customs: item.customs.clone(),
    })
}

/// Closes the dispatch of `series`: the pre-advice (PREDES) goes to every post the route
/// advises (the closed transit post, then the destination), the items' advance data (ITMATT)
/// to the destination post, and, for a partner's items going back to it, their departure
/// (`EMC`, in an EMSEVT) to their origin post.
pub async fn close_dispatch(
    state: &AppState,
    principal: &Principal,
    office: &ExchangeOffice,
    series: DispatchSeries,
) -> ApiResult<DispatchRecord> {
    // The items' data is read before the closing transaction: the builder runs inside it and
    // must not wait on the database. Only our own items need their full data (for ITMATT).
    let records = exchange::receptacles_of_series(state, principal, office, series).await?;
    let copies: Vec<_> = records
        .iter()
        .filter(|record| record.status == ReceptacleStatus::Closed)
        .flat_map(|record| {
            record
                .items
                .iter()
                .filter_map(|item| item.item.as_ref().map(|copy| (item.s10, copy)))
        })
        .collect();
    let own: Vec<_> = copies
        .iter()
        .filter(|(_, copy)| copy.origin_country == principal.operator)
        .map(|(_, copy)| copy.id)
        .collect();
    let items = state.store().items_by_ids(principal.operator, &own).await?;
    let attributes = items
        .iter()
        .map(|item| item_attributes(state, item))
        .collect::<Result<Vec<_>, _>>()?;
    // The origin post of an item going back to it follows its departure from here (`EMC`), as
    // it follows every other event we record on its item.
    let origins: BTreeMap<S10Id, CountryCode> = copies
        .iter()
        .filter(|(_, copy)| copy.origin_country != principal.operator)
        .map(|(s10, copy)| (*s10, copy.origin_country))
        .collect();
    let departed = state
        .reference()
        .code_for(Milestone::DepartedOutwardOffice)
        .ok_or_else(|| ApiError::internal("the reference data has no code for EMC"))?;
    let site = office.site().clone();
    let sender = principal.operator;
    let directory = state.office_directory().await?;
    let printed: HashMap<S10Id, PrintedItem> = copies
        .iter()
        .map(|(s10, copy)| {
            (
                *s10,
                PrintedItem {
                    s10: *s10,
                    origin: copy.origin_country,
                    destination: copy.destination_country,
                },
            )
        })
        .collect();
    let rendering: Mutex<Option<Rendering>> = Mutex::new(None);
    let builder = |closed: &ClosedDispatch,
                   plan: &RoutePlan,
                   at: OffsetDateTime|
     -> Result<Vec<NewOutboxMessage>, StoreError> {
        // The documents need only what the closing has now decided (S8 and S9 IDs); rendering
        // them on the blocking pool while the transaction writes the events and the outbox
        // keeps both cores busy. A retried closing replaces the earlier rendering.
        let printable = Printable::of_closing(
            &directory,
            sender,
            closed,
            plan.transit_office(),
            at,
            &printed,
        );
        let started = tokio::runtime::Handle::try_current()
            .ok()
            .map(|runtime| runtime.spawn_blocking(move || printable.render_all()));
        if let Ok(mut slot) = rendering.lock() {
            *slot = started;
        }
        let predes = Predes::from_closed_dispatch(closed, plan.transit_office(), at, None)
            .map_err(|error| StoreError::invalid("predes", error.to_string()))?;
        let mut messages = Vec::new();
        for recipient in plan.advised_operators() {
            if recipient != sender {
                messages.push(outbox_message(
                    sender,
                    recipient,
                    at,
                    MessageBody::Predes(predes.clone()),
                )?);
            }
        }
        // Only the items this dispatch carries, whatever was read before the closing.
        let carried: std::collections::BTreeSet<_> = closed
            .receptacles()
            .iter()
            .flat_map(|receptacle| receptacle.items.iter().copied())
            .collect();
        // Items going back to their origin (returns) need no advance data: the origin has it.
        let advance: Vec<ItemAttributes> = attributes
            .iter()
            .filter(|item| carried.contains(&item.s10) && item.origin_country == sender)
            .cloned()
            .collect();
        let destination = closed.id().destination.country();
        if !advance.is_empty() && destination != sender {
            let itmatt = Itmatt::new(advance)
                .map_err(|error| StoreError::invalid("itmatt", error.to_string()))?;
            messages.push(outbox_message(
                sender,
                destination,
                at,
                MessageBody::Itmatt(itmatt),
            )?);
        }
        let mut reports: BTreeMap<CountryCode, Vec<TrackingEvent>> = BTreeMap::new();
        for s10 in &carried {
            if let Some(origin) = origins.get(s10) {
                reports.entry(*origin).or_default().push(TrackingEvent {
                    s10: *s10,
                    code: departed,
                    milestone: Milestone::DepartedOutwardOffice,
                    at,
                    office: site.clone(),
                    reason: None,
                    next_action: None,
                    signatory: None,
                    note: None,
                });
            }
        }
        for (origin, events) in reports {
            messages.extend(emsevt(sender, origin, events, at)?);
        }
        Ok(messages)
    };
    let record =
        exchange::close_dispatch_of(state, principal, office, series, records, &builder).await?;
    let started = match rendering.lock() {
        Ok(mut slot) => slot.take(),
        Err(_) => None,
    };
    if let Some(started) = started {
        match started.await {
            Ok(Ok(documents)) if documents.file_stem == record.s8.to_string() => {
                state.documents().insert(
                    record.operator,
                    record.id,
                    record.office.clone(),
                    documents,
                );
            }
            // The dispatch is closed either way; its documents are rendered again when printed
            // and any error is shown then.
            Ok(Ok(_)) => {}
            Ok(Err(error)) => {
                tracing::warn!(dispatch = %record.s8, %error, "rendering the documents at closing failed");
            }
            Err(error) => {
                tracing::warn!(dispatch = %record.s8, %error, "rendering the documents at closing stopped");
            }
        }
    }
    Ok(record)
}

/// The closing's documents being rendered.
type Rendering = tokio::task::JoinHandle<Result<RenderedDocuments, barid_docs::DocumentError>>;
