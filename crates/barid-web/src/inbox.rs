//! Applying the messages partner posts sent us, in the order each partner numbered them:
//! PREDES makes the transit or inward dispatch we expect, ITMATT gives us our copy of each
//! item with its advance customs data, EMSEVT adds the partner's events to our copy's timeline.
//!
//! A message is applied whole or not at all. One that cannot be applied (it does not decode,
//! names an office we do not have, an item we do not know) is quarantined with the reason and
//! does not hold back the messages after it; administrators see the quarantine.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use barid_core::lifecycle::{self, EventSource, LifecycleEvent};
use barid_core::{CountryCode, Milestone, ReferenceData, S10Id, SiteCode};
use barid_messages::{BaridJsonV1, Envelope, Itmatt, MessageBody, MessageCodec, Predes};
use barid_store::model::*;
use barid_store::{Store, StoreError, StoreResult};
use time::OffsetDateTime;

/// How many messages one pass takes per sender.
const BATCH: u32 = 200;

/// What a pass applied.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Applied {
    pub applied: usize,
    pub quarantined: usize,
}

/// Why a message was not applied: it goes to the quarantine with this text.
#[derive(Debug)]
enum Refusal {
    /// The message itself is wrong for us: quarantine it.
    Message(String),
    /// The store failed: leave the message pending and try again later.
    Store(StoreError),
}

impl From<StoreError> for Refusal {
    fn from(error: StoreError) -> Self {
        Refusal::Store(error)
    }
}

fn system_actor(operator: CountryCode, at: OffsetDateTime) -> Actor {
    Actor {
        operator,
        user: None,
        token: None,
        name: "exchange".to_owned(),
        office: None,
        at,
    }
}

/// What became of one message a pass took.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Applied,
    /// Set aside with this reason; the messages after it go on.
    Quarantined(String),
}

/// One applier at a time in this process: the background pass and a partner's batch arriving
/// over HTTP must not apply the same message twice.
static APPLYING: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Applies every pending message of `recipient`, sender by sender.
pub async fn apply_pending(
    store: &dyn Store,
    reference: &ReferenceData,
    recipient: CountryCode,
    now: OffsetDateTime,
) -> StoreResult<Applied> {
    let mut total = Applied::default();
    let senders: Vec<CountryCode> = store
        .operators()
        .await?
        .into_iter()
        .map(|operator| operator.code)
        .filter(|code| *code != recipient)
        .collect();
    for sender in senders {
        for (_, outcome) in apply_from(store, reference, recipient, sender, now).await? {
            match outcome {
                Outcome::Applied => total.applied += 1,
                Outcome::Quarantined(_) => total.quarantined += 1,
            }
        }
    }
    Ok(total)
}

/// Applies `sender`'s pending messages to `recipient` in the sender's sequence order, each
/// only once every message before it is settled: a message that arrived ahead of an earlier
/// one waits for it. A message whose sequence number was already settled by another message
/// is quarantined.
///
/// Consecutive EMSEVTs (the bulk of the traffic) are settled together, up to [`RUN_EVENTS`]
/// events in one transaction ([`settle_run`]); every other message is applied on its own.
pub async fn apply_from(
    store: &dyn Store,
    reference: &ReferenceData,
    recipient: CountryCode,
    sender: CountryCode,
    now: OffsetDateTime,
) -> StoreResult<Vec<(InboxId, Outcome)>> {
    let _applying = APPLYING.lock().await;
    let mut settled = store.inbox_settled_through(recipient, sender).await?;
    let mut outcomes = Vec::new();
    loop {
        let pending = store.pending_inbox(recipient, sender, BATCH).await?;
        let mut run = Run::default();
        for message in &pending {
            let sequence = message.message.sequence;
            if sequence > settled + 1 {
                // A gap: the message before this one has not arrived yet.
                outcomes.extend(settle_run(store, recipient, run, now).await?);
                return Ok(outcomes);
            }
            // A message an administrator released from the quarantine is behind its turn by
            // design: it is applied now, whatever was settled after it.
            if sequence <= settled && message.quarantined_at.is_none() {
                run.entries.push(RunEntry::Refused(
                    message.id,
                    format!(
                        "sequence number {sequence} from {sender} was already used by another \
                         message"
                    ),
                ));
            } else {
                match decode(message) {
                    Err(reason) => run.entries.push(RunEntry::Refused(message.id, reason)),
                    Ok(envelope) => match envelope.into_body() {
                        MessageBody::Emsevt(emsevt) => {
                            run.events += emsevt.events().len();
                            run.entries.push(RunEntry::Events(
                                message.id,
                                sender,
                                emsevt.into_events(),
                            ));
                        }
                        body => {
                            let run = std::mem::take(&mut run);
                            outcomes.extend(settle_run(store, recipient, run, now).await?);
                            let outcome =
                                apply_alone(store, reference, recipient, message, &body, now)
                                    .await?;
                            outcomes.push((message.id, outcome));
                        }
                    },
                }
            }
            settled = settled.max(sequence);
            if run.events >= RUN_EVENTS {
                let run = std::mem::take(&mut run);
                outcomes.extend(settle_run(store, recipient, run, now).await?);
            }
        }
        outcomes.extend(settle_run(store, recipient, run, now).await?);
        if pending.len() < BATCH as usize {
            return Ok(outcomes);
        }
    }
}

/// Applies `actor.operator`'s quarantined message `message_id` again, once an administrator
/// has put its cause right (added the office it names, say, or the item whose ITMATT came
/// late): it is released from the quarantine ([`Store::release_quarantined`], audited with
/// the administrator's name) and applied out of its turn, whole or not at all. The answer is
/// the message as it then is: applied, or quarantined again with the new reason.
pub async fn apply_again(
    store: &dyn Store,
    reference: &ReferenceData,
    actor: &Actor,
    message_id: uuid::Uuid,
) -> StoreResult<InboxMessage> {
    let released = store.release_quarantined(actor, message_id).await?;
    let sender = released.message.sender;
    // Another pass may take it first; either way its state is read back afterwards.
    apply_from(store, reference, actor.operator, sender, actor.at).await?;
    store
        .inbox_messages(actor.operator, sender, &[message_id])
        .await?
        .into_iter()
        .find(|message| message.id == released.id)
        .ok_or_else(|| StoreError::not_found("inbox message", message_id))
}

/// The most events one run of EMSEVTs settles in one transaction.
const RUN_EVENTS: usize = crate::exchange_messages::EMSEVT_EVENTS;

/// Messages settled together, in sequence order.
#[derive(Default)]
struct Run {
    entries: Vec<RunEntry>,
    events: usize,
}

enum RunEntry {
    /// Refused before its turn (it does not decode, or its number was used): quarantined.
    Refused(InboxId, String),
    /// An EMSEVT's events, from this sender.
    Events(InboxId, CountryCode, Vec<barid_messages::TrackingEvent>),
}

/// The message's envelope, checked against how it was delivered; a refusal is the reason the
/// quarantine shows.
fn decode(message: &InboxMessage) -> Result<Envelope, String> {
    let envelope = BaridJsonV1
        .decode(message.message.body.as_bytes())
        .map_err(|error| format!("{} ({})", error, error.code()))?;
    match check_envelope(&envelope, message) {
        Ok(()) => Ok(envelope),
        Err(Refusal::Message(reason)) => Err(reason),
        Err(Refusal::Store(error)) => Err(error.to_string()),
    }
}

/// Applies a message that is not an EMSEVT in its own transaction, or quarantines it.
async fn apply_alone(
    store: &dyn Store,
    reference: &ReferenceData,
    recipient: CountryCode,
    message: &InboxMessage,
    body: &MessageBody,
    now: OffsetDateTime,
) -> StoreResult<Outcome> {
    let actor = system_actor(recipient, now);
    let sender = message.message.sender;
    let result = match body {
        MessageBody::Predes(predes) => apply_predes(store, &actor, predes).await,
        MessageBody::Itmatt(itmatt) => apply_itmatt(store, reference, &actor, sender, itmatt).await,
        MessageBody::Emsevt(emsevt) => {
            let entry = RunEntry::Events(message.id, sender, emsevt.events().to_vec());
            let run = Run {
                entries: vec![entry],
                events: emsevt.events().len(),
            };
            let mut outcomes = settle_run(store, recipient, run, now).await?;
            return Ok(outcomes
                .pop()
                .map(|(_, outcome)| outcome)
                .unwrap_or(Outcome::Applied));
        }
        MessageBody::Resdes(resdes) => {
            apply_resdes(store, &actor, sender, resdes, &message.message.body).await
        }
    };
    match result {
        Ok(()) => {
            store.mark_inbox_applied(message.id, now).await?;
            Ok(Outcome::Applied)
        }
        Err(Refusal::Message(reason)) => {
            tracing::warn!(
                message = %message.message.message_id,
                sender = %sender,
                reason,
                "message quarantined"
            );
            store
                .mark_inbox_quarantined(message.id, &reason, now)
                .await?;
            Ok(Outcome::Quarantined(reason))
        }
        Err(Refusal::Store(error)) => Err(error),
    }
}

/// How many times a run is planned again when a local event changed one of its items meanwhile.
const RUN_ATTEMPTS: usize = 3;

/// Settles a run in one transaction: every EMSEVT whose items we all know adds its events
/// (those not stored already: a resent event changes nothing), each item's status derived
/// once from its whole history; an EMSEVT naming an item we do not know is quarantined whole,
/// as are the messages refused before. If a local event changes an item between the reads
/// and the write, the run is read and planned again; after [`RUN_ATTEMPTS`] the conflict is
/// returned: nothing of the run was written, its messages stay pending, and the next pass (or
/// the sender's next batch) tries them again.
async fn settle_run(
    store: &dyn Store,
    recipient: CountryCode,
    run: Run,
    now: OffsetDateTime,
) -> StoreResult<Vec<(InboxId, Outcome)>> {
    if run.entries.is_empty() {
        return Ok(Vec::new());
    }
    let actor = system_actor(recipient, now);
    let mut last_conflict = None;
    for _ in 0..RUN_ATTEMPTS {
        let (settlement, outcomes) = plan_run(store, recipient, &run, now).await?;
        match store.settle_inbox(&actor, &settlement).await {
            Ok(()) => {
                for (id, reason) in &settlement.quarantined {
                    tracing::warn!(inbox = %id, reason, "message quarantined");
                }
                return Ok(outcomes);
            }
            Err(conflict @ StoreError::Conflict { .. }) => last_conflict = Some(conflict),
            Err(other) => return Err(other),
        }
    }
    Err(last_conflict
        .unwrap_or_else(|| StoreError::conflict("item", "the run's items kept changing")))
}

/// One item as the run leaves it.
struct Planned {
    version: ItemVersion,
    history: Vec<LifecycleEvent>,
    /// (code, time in µs, office) of every event it has: the store's idea of the same event.
    known: HashSet<(String, i128, String)>,
    new: Vec<NewEvent>,
}

fn event_key(
    code: &barid_core::EventCode,
    at: OffsetDateTime,
    office: &SiteCode,
) -> (String, i128, String) {
    (
        code.as_str().to_owned(),
        // Rounded down, as the store keeps it (`div_euclid`, also before 1970).
        at.unix_timestamp_nanos().div_euclid(1_000),
        office.as_str().to_owned(),
    )
}

async fn plan_run(
    store: &dyn Store,
    operator: CountryCode,
    run: &Run,
    now: OffsetDateTime,
) -> StoreResult<(InboxSettlement, Vec<(InboxId, Outcome)>)> {
    let s10s: Vec<S10Id> = run
        .entries
        .iter()
        .filter_map(|entry| match entry {
            RunEntry::Events(_, _, events) => Some(events.iter().map(|event| event.s10)),
            RunEntry::Refused(..) => None,
        })
        .flatten()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let versions = store.item_versions(operator, &s10s).await?;
    let ids: Vec<ItemId> = versions.iter().map(|version| version.id).collect();
    let mut items: HashMap<S10Id, Planned> = versions
        .into_iter()
        .map(|version| {
            (
                version.s10,
                Planned {
                    version,
                    history: Vec::new(),
                    known: HashSet::new(),
                    new: Vec::new(),
                },
            )
        })
        .collect();
    let s10_of: HashMap<ItemId, S10Id> = items
        .values()
        .map(|planned| (planned.version.id, planned.version.s10))
        .collect();
    for stored in store.events_of_items(operator, &ids).await? {
        let Some(planned) = s10_of.get(&stored.item).and_then(|s10| items.get_mut(s10)) else {
            continue;
        };
        planned.known.insert(event_key(
            &stored.event.code,
            stored.event.at,
            &stored.event.office,
        ));
        planned
            .history
            .push(crate::exchange::lifecycle_event(&stored));
    }
    let mut settlement = InboxSettlement::default();
    let mut outcomes = Vec::with_capacity(run.entries.len());
    // Items in the order the run first touches them, so the plan is the same every time.
    let mut touched: Vec<S10Id> = Vec::new();
    // The origin post passes a partner's events on its items on to their destination, which
    // has no other way to hear of a transit office's scans: they follow the ITMATT that made
    // its copy, in our sequence towards it.
    let mut relayed: BTreeMap<CountryCode, Vec<barid_messages::TrackingEvent>> = BTreeMap::new();
    for entry in &run.entries {
        match entry {
            RunEntry::Refused(id, reason) => {
                settlement.quarantined.push((*id, reason.clone()));
                outcomes.push((*id, Outcome::Quarantined(reason.clone())));
            }
            RunEntry::Events(id, sender, events) => {
                // Every item must be ours before anything is recorded: the message is applied
                // whole or not at all.
                if let Some(unknown) = events.iter().find(|event| !items.contains_key(&event.s10)) {
                    let reason = format!("{operator} does not know the item {}", unknown.s10);
                    settlement.quarantined.push((*id, reason.clone()));
                    outcomes.push((*id, Outcome::Quarantined(reason)));
                    continue;
                }
                for event in events {
                    let Some(planned) = items.get_mut(&event.s10) else {
                        continue;
                    };
                    if !planned
                        .known
                        .insert(event_key(&event.code, event.at, &event.office))
                    {
                        continue;
                    }
                    if planned.new.is_empty() {
                        touched.push(event.s10);
                    }
                    let destination = planned.version.destination_country;
                    if planned.version.origin_country == operator
                        && destination != operator
                        && destination != *sender
                    {
                        relayed.entry(destination).or_default().push(event.clone());
                    }
                    planned.history.push(event.lifecycle_event());
                    planned.new.push(NewEvent {
                        code: event.code,
                        milestone: event.milestone,
                        at: event.at,
                        office: event.office.clone(),
                        reason: event.reason.clone(),
                        next_action: event.next_action,
                        signatory: event
                            .signatory
                            .as_ref()
                            .map(|text| text.as_str().to_owned()),
                        note: event.note.as_ref().map(|text| text.as_str().to_owned()),
                        source: EventSource::Partner,
                        reported_by: Some(*sender),
                        collected: None,
                    });
                }
                settlement.applied.push(*id);
                outcomes.push((*id, Outcome::Applied));
            }
        }
    }
    for s10 in touched {
        let Some(planned) = items.remove(&s10) else {
            continue;
        };
        let state = lifecycle::replay(&planned.history).state;
        settlement.events.push(PlannedItemEvents {
            item: planned.version.id,
            expected_version: planned.version.version,
            events: planned.new,
            derived: DerivedStatus {
                status: state.status(),
                leg: state.leg(),
            },
        });
    }
    for (destination, events) in relayed {
        settlement.outbox.extend(crate::exchange_messages::emsevt(
            operator,
            destination,
            events,
            now,
        )?);
    }
    Ok((settlement, outcomes))
}

/// Applies the pending messages of every operator hosted on this node.
pub async fn apply_hosted(
    store: &dyn Store,
    reference: &ReferenceData,
    now: OffsetDateTime,
) -> StoreResult<Applied> {
    let mut total = Applied::default();
    for operator in store.operators().await? {
        if operator.hosted {
            let applied = apply_pending(store, reference, operator.code, now).await?;
            total.applied += applied.applied;
            total.quarantined += applied.quarantined;
        }
    }
    Ok(total)
}

/// The destination's response on receipt goes on our outward dispatch, where the dispatch's
/// page shows what arrived and the discrepancies. Only the dispatch's destination may answer
/// for it.
async fn apply_resdes(
    store: &dyn Store,
    actor: &Actor,
    sender: CountryCode,
    resdes: &barid_messages::Resdes,
    envelope: &str,
) -> Result<(), Refusal> {
    let dispatch = resdes.dispatch();
    let series = dispatch.series();
    if series.origin.country() != actor.operator || series.destination.country() != sender {
        return Err(Refusal::Message(format!(
            "dispatch {dispatch} goes from {} to {}: {sender} cannot answer for it to {}",
            series.origin, series.destination, actor.operator
        )));
    }
    match store
        .record_partner_response(actor, &dispatch, envelope)
        .await
    {
        Ok(_) => Ok(()),
        Err(StoreError::NotFound { .. }) => Err(Refusal::Message(format!(
            "{} sent no outward dispatch {dispatch}",
            actor.operator
        ))),
        Err(error) => Err(Refusal::Store(error)),
    }
}

fn check_envelope(envelope: &Envelope, message: &InboxMessage) -> Result<(), Refusal> {
    if envelope.sender() != message.message.sender
        || envelope.recipient() != message.message.recipient
        || envelope.message_id() != message.message.message_id
    {
        return Err(Refusal::Message(format!(
            "the envelope (from {} to {}, {}) does not match how the message was delivered \
             (from {} to {}, {})",
            envelope.sender(),
            envelope.recipient(),
            envelope.message_id(),
            message.message.sender,
            message.message.recipient,
            message.message.message_id
        )));
    }
    Ok(())
}

/// Our office of exchange with this IMPC code.
async fn office_with_impc(
    store: &dyn Store,
    operator: CountryCode,
    impc: barid_core::OfficeCode,
) -> Result<Office, Refusal> {
    store
        .offices(operator)
        .await?
        .into_iter()
        .find(|office| office.impc == Some(impc))
        .ok_or_else(|| {
            Refusal::Message(format!(
                "{operator} has no office of exchange with IMPC code {impc}"
            ))
        })
}

async fn apply_predes(store: &dyn Store, actor: &Actor, predes: &Predes) -> Result<(), Refusal> {
    let operator = actor.operator;
    let (direction, impc) = match predes.transit_office() {
        Some(transit) if transit.country() == operator => (DispatchDirection::Transit, transit),
        _ if predes.destination_office().country() == operator => {
            (DispatchDirection::Inward, predes.destination_office())
        }
        _ => {
            return Err(Refusal::Message(format!(
                "dispatch {} is neither addressed to {operator} nor in transit through it",
                predes.dispatch()
            )));
        }
    };
    let office = office_with_impc(store, operator, impc).await?;
    if store
        .expected_dispatch(operator, &predes.dispatch())
        .await?
        .is_some()
    {
        // A PREDES sent again (a new message ID for the same dispatch) changes nothing.
        return Ok(());
    }
    let expected = ExpectedDispatch {
        direction,
        office: office.code,
        s8: predes.dispatch(),
        year: predes.closed_at().year(),
        transit_office: predes.transit_office(),
        mail_class: predes.mail_class(),
        closed_at: predes.closed_at(),
        advised: true,
        receptacles: predes
            .receptacles()
            .iter()
            .map(|receptacle| ExpectedReceptacle {
                s9: receptacle.id,
                gross_weight: receptacle.gross_weight,
                items: receptacle.items.clone(),
            })
            .collect(),
    };
    store.record_expected_dispatch(actor, &expected).await?;
    Ok(())
}

async fn apply_itmatt(
    store: &dyn Store,
    reference: &ReferenceData,
    actor: &Actor,
    sender: CountryCode,
    itmatt: &Itmatt,
) -> Result<(), Refusal> {
    let operator = actor.operator;
    let code = reference.code_for(Milestone::Posted).ok_or_else(|| {
        Refusal::Message("the reference data has no event code for posting".to_owned())
    })?;
    let mut entries = Vec::new();
    let mut seen = BTreeSet::new();
    for attributes in itmatt.items() {
        if attributes.destination_country != operator {
            return Err(Refusal::Message(format!(
                "{} is addressed to {}, not to {operator}",
                attributes.s10, attributes.destination_country
            )));
        }
        // Advance data sent again for an item we already hold changes nothing.
        if !seen.insert(attributes.s10) || store.item(operator, &attributes.s10).await?.is_some() {
            continue;
        }
        let posted = LifecycleEvent {
            milestone: Milestone::Posted,
            at: attributes.accepted_at,
            next_action: None,
            source: EventSource::Partner,
        };
        let state = lifecycle::replay(std::slice::from_ref(&posted)).state;
        entries.push(NewItemEntry {
            new: NewItem {
                operator,
                id: ItemIdSource::Given(attributes.s10),
                service: attributes.service(),
                origin_country: attributes.origin_country,
                destination_country: attributes.destination_country,
                office: attributes.posting_office.clone(),
                weight: attributes.gross_weight,
                length_mm: None,
                width_mm: None,
                height_mm: None,
                contents: attributes.contents.as_str().to_owned(),
                sender: attributes.sender.clone(),
                addressee: attributes.addressee.clone(),
                customs: attributes.customs.clone(),
                postage: None,
            },
            first_event: NewEvent {
                code,
                milestone: Milestone::Posted,
                at: attributes.accepted_at,
                office: attributes.posting_office.clone(),
                reason: None,
                next_action: None,
                signatory: None,
                note: None,
                source: EventSource::Partner,
                reported_by: Some(sender),
                collected: None,
            },
            derived: DerivedStatus {
                status: state.status(),
                leg: state.leg(),
            },
        });
    }
    if !entries.is_empty() {
        store.create_items(actor, &entries).await?;
    }
    Ok(())
}

// --- checking before taking in (file imports) ------------------------------------------------

/// What the messages checked so far will have done once applied: a later message of the same
/// file may rely on them (an EMSEVT on items an earlier ITMATT brings).
#[derive(Debug, Clone, Default)]
pub struct Foreseen {
    items: BTreeSet<barid_core::S10Id>,
}

/// Checks, without writing anything, that `envelope` would be applied for `recipient` once
/// its turn comes: the refusals of [`apply_from`]'s applier (the envelope's parties, the
/// offices a PREDES names, the addressee of ITMATT items, the items of an EMSEVT, the dispatch
/// a RESDES answers for), seen as if the messages checked before it with the same `foreseen`
/// were applied. `Ok(Err(reason))` is a refusal, with the text the quarantine would show.
pub async fn check(
    store: &dyn Store,
    reference: &ReferenceData,
    recipient: CountryCode,
    envelope: &Envelope,
    foreseen: &mut Foreseen,
) -> StoreResult<Result<(), String>> {
    match check_one(store, reference, recipient, envelope, foreseen).await {
        Ok(()) => Ok(Ok(())),
        Err(Refusal::Message(reason)) => Ok(Err(reason)),
        Err(Refusal::Store(error)) => Err(error),
    }
}

async fn check_one(
    store: &dyn Store,
    reference: &ReferenceData,
    recipient: CountryCode,
    envelope: &Envelope,
    foreseen: &mut Foreseen,
) -> Result<(), Refusal> {
    if envelope.recipient() != recipient {
        return Err(Refusal::Message(format!(
            "the message is addressed to {}, not to {recipient}",
            envelope.recipient()
        )));
    }
    let operator = recipient;
    match envelope.body() {
        MessageBody::Predes(predes) => {
            let impc = match predes.transit_office() {
                Some(transit) if transit.country() == operator => transit,
                _ if predes.destination_office().country() == operator => {
                    predes.destination_office()
                }
                _ => {
                    return Err(Refusal::Message(format!(
                        "dispatch {} is neither addressed to {operator} nor in transit through it",
                        predes.dispatch()
                    )));
                }
            };
            office_with_impc(store, operator, impc).await?;
        }
        MessageBody::Itmatt(itmatt) => {
            reference.code_for(Milestone::Posted).ok_or_else(|| {
                Refusal::Message("the reference data has no event code for posting".to_owned())
            })?;
            for attributes in itmatt.items() {
                if attributes.destination_country != operator {
                    return Err(Refusal::Message(format!(
                        "{} is addressed to {}, not to {operator}",
                        attributes.s10, attributes.destination_country
                    )));
                }
            }
            foreseen
                .items
                .extend(itmatt.items().iter().map(|attributes| attributes.s10));
        }
        MessageBody::Emsevt(emsevt) => {
            for event in emsevt.events() {
                if !foreseen.items.contains(&event.s10)
                    && store.item(operator, &event.s10).await?.is_none()
                {
                    return Err(Refusal::Message(format!(
                        "{operator} does not know the item {}",
                        event.s10
                    )));
                }
            }
        }
        MessageBody::Resdes(resdes) => {
            let dispatch = resdes.dispatch();
            let series = dispatch.series();
            let sender = envelope.sender();
            if series.origin.country() != operator || series.destination.country() != sender {
                return Err(Refusal::Message(format!(
                    "dispatch {dispatch} goes from {} to {}: {sender} cannot answer for it to {}",
                    series.origin, series.destination, operator
                )));
            }
        }
    }
    Ok(())
}
