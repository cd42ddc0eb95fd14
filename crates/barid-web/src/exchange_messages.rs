//! The messages an office-of-exchange step writes to the outbox, built with barid-messages and
//! stored as encoded envelopes (Barid's JSON syntax), so whatever transport carries them (the
//! in-node dispatcher, HTTP to another node, a file) sends the same bytes.

use barid_core::exchange::{ClosedDispatch, RoutePlan};
use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

use barid_core::{CountryCode, DispatchSeries, Grams, Milestone, S10Id};
use barid_messages::{
    BaridJsonV1, Contents, Emsevt, EncodedItem, Envelope, ItemAttributes, MessageBody,
    MessageCodec, MessageType, Predes, TrackingEvent,
};
use barid_store::StoreError;
use barid_store::model::{
    DispatchRecord, Item, ItemId, NewOutboxMessage, ReceptacleRecord, ReceptacleRowId,
    ReceptacleStatus,
};
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
    encoded_message(message_id, recipient, envelope.message_type(), bytes)
}

/// An encoded envelope of the current version of its type, for the outbox.
fn encoded_message(
    message_id: Uuid,
    recipient: CountryCode,
    message_type: MessageType,
    bytes: Vec<u8>,
) -> Result<NewOutboxMessage, StoreError> {
    let body = String::from_utf8(bytes)
        .map_err(|error| StoreError::invalid("message", error.to_string()))?;
    Ok(NewOutboxMessage {
        message_id,
        recipient,
        message_type: message_type.as_str().to_owned(),
        version: message_type.current_version().to_string(),
        body,
    })
}

/// The most events one EMSEVT carries. A transit office sending on a dispatch of 50,000 items
/// reports 50,000 events at once; cut into messages of this size, each stays near 1 MB (well
/// inside a partner's 64 MiB batch) and is what the receiver settles in one transaction
/// ([`crate::inbox`] takes runs of up to the same number of events).
pub const EMSEVT_EVENTS: usize = 5_000;

/// The EMSEVTs to `recipient` with these events, in order, at most [`EMSEVT_EVENTS`] in each;
/// nothing when there are none.
pub fn emsevt(
    sender: CountryCode,
    recipient: CountryCode,
    events: Vec<TrackingEvent>,
    at: OffsetDateTime,
) -> Result<Vec<NewOutboxMessage>, StoreError> {
    if sender == recipient {
        return Ok(Vec::new());
    }
    events
        .chunks(EMSEVT_EVENTS)
        .map(|part| {
            let body = Emsevt::new(part.to_vec())
                .map_err(|error| StoreError::invalid("emsevt", error.to_string()))?;
            outbox_message(sender, recipient, at, MessageBody::Emsevt(body))
        })
        .collect()
}

/// An event we store, as a partner hears of it. A signatory or a note the message format cannot
/// carry (too long for it, or with control characters) stays with us: the event itself goes.
pub fn tracking_event_of(s10: S10Id, event: &barid_store::model::NewEvent) -> TrackingEvent {
    TrackingEvent {
        s10,
        code: event.code,
        milestone: event.milestone,
        at: event.at,
        office: event.office.clone(),
        reason: event.reason.clone(),
        next_action: event.next_action,
        signatory: event
            .signatory
            .as_deref()
            .and_then(|text| barid_messages::Signatory::parse(text).ok()),
        note: event
            .note
            .as_deref()
            .and_then(|text| barid_messages::Note::parse(text).ok()),
    }
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

/// Closes an outward receptacle, then encodes its own items' advance data (ITMATT) and keeps it
/// with the receptacle, so that closing the dispatch later neither reads nor encodes those items
/// again. The receptacle is closed either way: without kept data, the dispatch closing reads
/// the items itself.
pub async fn close_receptacle(
    state: &AppState,
    principal: &Principal,
    office: &ExchangeOffice,
    id: ReceptacleRowId,
    gross: Grams,
) -> ApiResult<ReceptacleRecord> {
    let record = exchange::close_receptacle(state, principal, office, id, gross).await?;
    if let Err(error) = keep_advance(state, &record).await {
        tracing::warn!(receptacle = %record.id, %error, "keeping the receptacle's advance data failed");
    }
    Ok(record)
}

async fn keep_advance(state: &AppState, record: &ReceptacleRecord) -> ApiResult<()> {
    let own: Vec<ItemId> = own_items(record).map(|(_, id)| id).collect();
    let items = state.store().items_by_ids(record.operator, &own).await?;
    let text = encode_advance(state, &items)?;
    state
        .store()
        .keep_receptacle_advance(record.operator, record.id, record.version, &text)
        .await?;
    Ok(())
}

/// The items of a receptacle that its operator accepted: those an ITMATT tells the destination
/// about (a returned item's origin has its data already).
fn own_items(record: &ReceptacleRecord) -> impl Iterator<Item = (S10Id, ItemId)> + '_ {
    record.items.iter().filter_map(|item| {
        item.item
            .as_ref()
            .filter(|copy| copy.origin_country == record.operator)
            .map(|copy| (item.s10, copy.id))
    })
}

/// The most item data one ITMATT carries. A partner's node reads batches of up to 64 MiB
/// ([`crate::partner_exchange::MAX_BATCH_BYTES`]), so a dispatch with more item data than
/// this (about 14,000 items with a CN 22) is advised in several ITMATT, each well under the
/// limit with its envelope. Each item is in exactly one, whole.
pub const ITMATT_BYTES: usize = 32 * 1024 * 1024;

/// `advance` cut, in order, into runs whose encodings add up to at most `limit` bytes; an
/// item larger than `limit` goes alone. None when `advance` is empty.
pub fn itmatt_parts<'a, 'b>(
    advance: &'b [EncodedItem<'a>],
    limit: usize,
) -> Vec<&'b [EncodedItem<'a>]> {
    let mut parts = Vec::new();
    let mut start = 0;
    let mut size = 0;
    for (index, item) in advance.iter().enumerate() {
        let length = item.encoded_len();
        if index > start && size + length > limit {
            parts.extend(advance.get(start..index));
            start = index;
            size = 0;
        }
        size += length;
    }
    if start < advance.len() {
        parts.extend(advance.get(start..));
    }
    parts
}

fn encode_advance(state: &AppState, items: &[Item]) -> Result<String, StoreError> {
    let attributes = items
        .iter()
        .map(|item| item_attributes(state, item))
        .collect::<Result<Vec<_>, _>>()?;
    BaridJsonV1
        .encode_items(&attributes)
        .map_err(|error| StoreError::invalid("itmatt", error.to_string()))
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
    // The items' advance data is gathered before the closing transaction: the builder runs
    // inside it and must not wait on the database. A receptacle closed through
    // [`close_receptacle`] kept its own: it is used when it lists exactly the receptacle's own
    // items; the others' items are read and encoded now.
    let records = exchange::receptacles_of_series(state, principal, office, series).await?;
    let closed_records: Vec<&ReceptacleRecord> = records
        .iter()
        .filter(|record| record.status == ReceptacleStatus::Closed)
        .collect();
    let copies: Vec<_> = closed_records
        .iter()
        .flat_map(|record| {
            record
                .items
                .iter()
                .filter_map(|item| item.item.as_ref().map(|copy| (item.s10, copy)))
        })
        .collect();
    let row_ids: Vec<ReceptacleRowId> = closed_records.iter().map(|record| record.id).collect();
    let kept: HashMap<ReceptacleRowId, String> = state
        .store()
        .receptacle_advance(principal.operator, &row_ids)
        .await?
        .into_iter()
        .collect();
    let mut advance: Vec<EncodedItem<'_>> = Vec::with_capacity(copies.len());
    let mut unkept: Vec<ItemId> = Vec::new();
    for record in &closed_records {
        let own: BTreeMap<S10Id, ItemId> = own_items(record).collect();
        let usable = kept
            .get(&record.id)
            .and_then(|text| BaridJsonV1.decode_items(text).ok())
            .filter(|pieces| {
                pieces.len() == own.len()
                    && pieces.iter().all(|piece| own.contains_key(&piece.s10()))
            });
        match usable {
            Some(pieces) => advance.extend(pieces),
            None => unkept.extend(own.into_values()),
        }
    }
    let read_now = if unkept.is_empty() {
        None
    } else {
        let items = state
            .store()
            .items_by_ids(principal.operator, &unkept)
            .await?;
        Some(encode_advance(state, &items)?)
    };
    if let Some(text) = &read_now {
        advance.extend(
            BaridJsonV1
                .decode_items(text)
                .map_err(|error| StoreError::invalid("itmatt", error.to_string()))?,
        );
    }
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
        let advance: Vec<EncodedItem<'_>> = advance
            .iter()
            .filter(|item| carried.contains(&item.s10()))
            .copied()
            .collect();
        let destination = closed.id().destination.country();
        if destination != sender {
            for part in itmatt_parts(&advance, ITMATT_BYTES) {
                let message_id = Uuid::new_v4();
                let bytes = BaridJsonV1
                    .encode_itmatt(message_id, sender, destination, at, part)
                    .map_err(|error| StoreError::invalid("itmatt", error.to_string()))?;
                messages.push(encoded_message(
                    message_id,
                    destination,
                    MessageType::Itmatt,
                    bytes,
                )?);
            }
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
                    record.s8,
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

/// The destination's response on receipt (RESDES) of one of our outward dispatches, once it
/// came back. Only RESDES are stored there, by the inbox, after decoding them; an envelope
/// that no longer decodes (a later syntax change) reads as no response rather than an error,
/// so the dispatch stays readable.
pub fn partner_response(record: &DispatchRecord) -> Option<barid_messages::Resdes> {
    decode_partner_response(record.partner_response.as_deref()?, &record.s8)
}

/// A stored partner response (see [`partner_response`]) of dispatch `s8`.
pub fn decode_partner_response(
    text: &str,
    s8: &barid_core::DispatchId,
) -> Option<barid_messages::Resdes> {
    match BaridJsonV1.decode(text.as_bytes()) {
        Ok(envelope) => match envelope.body() {
            MessageBody::Resdes(resdes) => Some(resdes.clone()),
            _ => None,
        },
        Err(error) => {
            tracing::warn!(dispatch = %s8, %error, "the stored partner response no longer decodes");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(text: &str) -> Vec<EncodedItem<'_>> {
        BaridJsonV1.decode_items(text).unwrap()
    }

    #[test]
    fn advance_data_is_cut_into_itmatt_parts_in_order_each_item_whole() {
        let ids = [
            "RR000000014EG",
            "RR000000028EG",
            "RR000000031EG",
            "RR000000045EG",
            "RR000000059EG",
        ];
        let text = format!(
            "[{}]",
            ids.iter()
                .map(|s10| format!(r#"{{"s10":"{s10}"}}"#))
                .collect::<Vec<_>>()
                .join(",")
        );
        let advance = items(&text);
        let each = advance[0].encoded_len();
        assert!(advance.iter().all(|item| item.encoded_len() == each));

        let lengths = |limit: usize| -> Vec<usize> {
            itmatt_parts(&advance, limit)
                .iter()
                .map(|part| part.len())
                .collect()
        };
        assert_eq!(lengths(usize::MAX), vec![5]);
        assert_eq!(lengths(2 * each), vec![2, 2, 1]);
        assert_eq!(lengths(2 * each + 1), vec![2, 2, 1]);
        assert_eq!(lengths(3 * each), vec![3, 2]);
        // An item over the limit goes alone rather than not at all.
        assert_eq!(lengths(1), vec![1, 1, 1, 1, 1]);
        assert!(itmatt_parts(&advance[..0], 10).is_empty());
        let order: Vec<S10Id> = itmatt_parts(&advance, 2 * each)
            .iter()
            .flat_map(|part| part.iter().map(|item| item.s10()))
            .collect();
        assert_eq!(
            order,
            advance.iter().map(|item| item.s10()).collect::<Vec<_>>()
        );
    }
    #[test]
    fn a_large_report_is_cut_into_emsevts_of_at_most_emsevt_events_in_order() {
        let event = |index: usize| TrackingEvent {
            s10: S10Id::parse("RR000000014EG").unwrap(),
            code: barid_core::EventCode::parse("EMK").unwrap(),
            milestone: Milestone::DepartedTransitOffice,
            at: OffsetDateTime::UNIX_EPOCH + time::Duration::seconds(index as i64),
            office: barid_core::SiteCode::parse("JOAMMA").unwrap(),
            reason: None,
            next_action: None,
            signatory: None,
            note: None,
        };
        let count = 2 * EMSEVT_EVENTS + 1;
        let events: Vec<TrackingEvent> = (0..count).map(event).collect();
        let eg = CountryCode::parse("EG").unwrap();
        let jo = CountryCode::parse("JO").unwrap();
        let messages = emsevt(jo, eg, events.clone(), OffsetDateTime::UNIX_EPOCH).unwrap();
        let carried: Vec<Vec<TrackingEvent>> = messages
            .iter()
            .map(|message| {
                match BaridJsonV1
                    .decode(message.body.as_bytes())
                    .unwrap()
                    .into_body()
                {
                    MessageBody::Emsevt(emsevt) => emsevt.into_events(),
                    other => panic!("not an EMSEVT: {other:?}"),
                }
            })
            .collect();
        assert_eq!(
            carried.iter().map(Vec::len).collect::<Vec<_>>(),
            vec![EMSEVT_EVENTS, EMSEVT_EVENTS, 1]
        );
        assert_eq!(carried.concat(), events);
        // Each fits in one of the sender's batches (4 MiB), with room to spare.
        for message in &messages {
            assert!(
                message.body.len() < 4 * 1024 * 1024,
                "{}",
                message.body.len()
            );
        }
        assert!(messages.iter().all(|message| message.recipient == eg));
        assert!(
            emsevt(jo, eg, Vec::new(), OffsetDateTime::UNIX_EPOCH)
                .unwrap()
                .is_empty()
        );
        assert!(
            emsevt(eg, eg, events, OffsetDateTime::UNIX_EPOCH)
                .unwrap()
                .is_empty()
        );
    }
}
