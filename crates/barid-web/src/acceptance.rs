//! Counter acceptance: the one function that turns what a clerk (or a merchant's system, or
//! `barid demo`) entered into a stored item with its S10 ID and its `EMA` event.
//!
//! [`accept`] checks the draft (parties, service, destination, weight, dimensions, contents,
//! office), loads the operator's agreements, asks [`barid_core::acceptance::quote`] for the
//! postal rules (tariff, suspensions, agreement, customs form), picks the operator's S10 range
//! for the quote's service indicator, and stores the item with its first event in one
//! transaction. Every problem comes back at once as an [`AcceptanceIssue`] naming its field.
//! [`accept_batch`] does the same for many items, all or nothing.
//!
//! It takes the store and reference data rather than the web state, so the CLI can call it.
//! The acceptance time is `actor.at`; the quote's date is that time's calendar day.

use std::collections::BTreeMap;

use barid_core::acceptance::{AcceptanceRequest, Quote, quote};
use barid_core::lifecycle::{EventSource, ItemState, LifecycleEvent, apply_local};
use barid_core::{
    CountryCode, DeclarationDraft, FieldError, Grams, Milestone, PartyDraft, ReferenceData,
    ServiceCode, ServiceIndicator, SiteCode,
};
use barid_store::model::{
    Actor, DerivedStatus, Item, ItemEvent, ItemIdSource, NewEvent, NewItem, NewItemEntry, RangeId,
};
use barid_store::{Store, StoreError};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The largest dimension accepted, in millimetres (no postal item is longer than 3 m).
pub const MAX_DIMENSION_MM: i64 = 3000;
/// The longest description of contents, in characters.
pub const CONTENTS_MAX_CHARS: usize = 200;
/// The most items one bulk acceptance may hold.
pub const MAX_BATCH: usize = 500;

/// What the clerk entered for one item, before any check. Numbers are `i64` so that a
/// negative or oversized value becomes a field error rather than an unreadable request; blank
/// strings mean "not given".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct AcceptanceDraft {
    /// A service of `services.csv`: `ems`, `registered`, `tracked`, `small_packet`, `insured`,
    /// `parcel`, `ecommerce`.
    #[schema(example = "ems")]
    pub service: String,
    /// The S10 service indicator to number the item from; blank takes the service's usual one.
    #[schema(example = "EE")]
    pub service_indicator: String,
    /// The destination country, ISO 3166-1 alpha-2.
    #[schema(example = "PS")]
    pub destination: String,
    #[schema(example = 1200)]
    pub weight_grams: i64,
    pub length_mm: Option<i64>,
    pub width_mm: Option<i64>,
    pub height_mm: Option<i64>,
    /// What the item holds, in the sender's words.
    #[schema(example = "Books")]
    pub contents: String,
    /// Name, business_name, address_lines, city, postcode, country, phone, email and an
    /// optional `latin` transliteration (name, business_name, address_lines, city).
    #[schema(value_type = Object)]
    pub sender: PartyDraft,
    /// Same shape as `sender`; its country must be the destination.
    #[schema(value_type = Object)]
    pub addressee: PartyDraft,
    /// The customs declaration (CN 22 or CN 23 is chosen from it): category,
    /// category_explanation, lines (description, quantity, net_weight_grams,
    /// value {amount_minor, currency}, hs_code, origin), gross_weight_grams, total_value,
    /// total_net_weight_grams, postal_charges, comments, licence, licence_numbers,
    /// certificate, certificate_numbers, invoice_number, importer_reference,
    /// sender_customs_reference. Omit it for documents-only items of services that allow it.
    #[schema(value_type = Option<Object>)]
    pub customs: Option<DeclarationDraft>,
}

/// One reason an item cannot be accepted, on one field of the draft.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct AcceptanceIssue {
    /// The field's path, e.g. `weight_grams`, `sender.name`, `customs.lines[0].hs_code`.
    #[schema(example = "destination")]
    pub field: String,
    /// Stable snake_case code, e.g. `suspended`, `too_heavy`, `required`.
    #[schema(example = "suspended")]
    pub code: String,
    pub message: String,
}

impl AcceptanceIssue {
    fn new(field: impl Into<String>, code: &str, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            code: code.to_owned(),
            message: message.into(),
        }
    }

    fn from_field_error(error: FieldError) -> Self {
        Self::new(error.field(), error.code(), error.message())
    }
}

/// Why acceptance did not store anything.
#[derive(Debug, thiserror::Error)]
pub enum AcceptanceError {
    /// The draft was refused; every reason is listed.
    #[error("acceptance refused: {} problem(s)", .0.len())]
    Refused(Vec<AcceptanceIssue>),
    /// A batch was refused: each failing item's index with its reasons.
    #[error("bulk acceptance refused: {} item(s) failed", .0.len())]
    BatchRefused(Vec<(usize, Vec<AcceptanceIssue>)>),
    /// The store failed (or refused for a reason that is not the draft's).
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// An accepted item: the stored item, its `EMA` event and the quote it was priced with.
#[derive(Debug, Clone)]
pub struct AcceptedItem {
    pub item: Item,
    pub event: ItemEvent,
    pub quote: Quote,
}

/// What is loaded once per acceptance (or once per batch).
struct Context {
    operator: CountryCode,
    agreements: Vec<barid_core::Agreement>,
}

/// The operator's agreements as domain values. One whose stored terms no longer read is left
/// out (with a warning): terms are checked when saved, so it cannot accept or route anything.
pub(crate) async fn agreements_of(
    store: &dyn Store,
    operator: CountryCode,
) -> Result<Vec<barid_core::Agreement>, StoreError> {
    let mut agreements = Vec::new();
    for stored in store.agreements(operator).await? {
        let converted = barid_core::agreement::AgreementStatus::parse(stored.status.as_str())
            .ok_or_else(Vec::new)
            .and_then(|status| {
                barid_core::AgreementTerms::from_json_value(stored.terms.clone()).and_then(
                    |terms| {
                        barid_core::Agreement::new(
                            stored.operator,
                            stored.partner,
                            &stored.reference,
                            status,
                            terms,
                        )
                    },
                )
            });
        match converted {
            Ok(agreement) => agreements.push(agreement),
            Err(errors) => tracing::warn!(
                agreement = stored.id.0,
                problems = errors.len(),
                "stored agreement terms do not read; ignored"
            ),
        }
    }
    Ok(agreements)
}

async fn context(store: &dyn Store, operator: CountryCode) -> Result<Context, StoreError> {
    Ok(Context {
        operator,
        agreements: agreements_of(store, operator).await?,
    })
}

/// A checked and priced item, not yet numbered.
struct Prepared {
    new: NewItem,
    event: NewEvent,
    derived: DerivedStatus,
    quote: Quote,
}

fn dimension(field: &str, value: Option<i64>, issues: &mut Vec<AcceptanceIssue>) -> Option<u32> {
    let value = value?;
    if (1..=MAX_DIMENSION_MM).contains(&value) {
        u32::try_from(value).ok()
    } else {
        issues.push(AcceptanceIssue::new(
            field,
            "out_of_range",
            format!("{field} must be between 1 and {MAX_DIMENSION_MM} mm, found {value}"),
        ));
        None
    }
}

/// Checks and prices one draft, without touching the store.
fn prepare(
    reference: &ReferenceData,
    context: &Context,
    actor: &Actor,
    office: &SiteCode,
    draft: AcceptanceDraft,
) -> Result<Prepared, Vec<AcceptanceIssue>> {
    let mut issues = Vec::new();
    let sender = draft
        .sender
        .validate_under("sender")
        .map_err(|errors| {
            issues.extend(errors.into_iter().map(AcceptanceIssue::from_field_error));
        })
        .ok();
    let addressee = draft
        .addressee
        .validate_under("addressee")
        .map_err(|errors| {
            issues.extend(errors.into_iter().map(AcceptanceIssue::from_field_error));
        })
        .ok();
    let service = match ServiceCode::parse(draft.service.trim()) {
        Ok(service) => Some(service),
        Err(error) => {
            let code = if draft.service.trim().is_empty() {
                "required"
            } else {
                "unknown_service"
            };
            issues.push(AcceptanceIssue::new("service", code, error.to_string()));
            None
        }
    };
    let indicator = match draft.service_indicator.trim() {
        "" => None,
        text => match ServiceIndicator::parse(text) {
            Ok(indicator) => Some(indicator),
            Err(error) => {
                issues.push(AcceptanceIssue::new(
                    "service_indicator",
                    "invalid",
                    error.to_string(),
                ));
                None
            }
        },
    };
    let destination = match CountryCode::parse(draft.destination.trim()) {
        Ok(country) => Some(country),
        Err(error) => {
            let code = if draft.destination.trim().is_empty() {
                "required"
            } else {
                "invalid"
            };
            issues.push(AcceptanceIssue::new("destination", code, error.to_string()));
            None
        }
    };
    if let (Some(destination), Some(addressee)) = (destination, &addressee)
        && addressee.country() != destination
    {
        issues.push(AcceptanceIssue::new(
            "addressee.country",
            "destination_mismatch",
            format!(
                "the addressee lives in {}, but the destination is {destination}",
                addressee.country()
            ),
        ));
    }
    let weight = match u32::try_from(draft.weight_grams) {
        Ok(grams) => Some(Grams::new(grams)),
        Err(_) => {
            issues.push(AcceptanceIssue::new(
                "weight_grams",
                "not_positive",
                format!(
                    "the weight must be a positive number of grams, found {}",
                    draft.weight_grams
                ),
            ));
            None
        }
    };
    let length_mm = dimension("length_mm", draft.length_mm, &mut issues);
    let width_mm = dimension("width_mm", draft.width_mm, &mut issues);
    let height_mm = dimension("height_mm", draft.height_mm, &mut issues);
    let contents = draft.contents.trim().to_owned();
    if contents.is_empty() {
        issues.push(AcceptanceIssue::new(
            "contents",
            "required",
            "describe what the item holds",
        ));
    } else if contents.chars().count() > CONTENTS_MAX_CHARS {
        issues.push(AcceptanceIssue::new(
            "contents",
            "too_long",
            format!("contents may have at most {CONTENTS_MAX_CHARS} characters"),
        ));
    } else if contents.chars().any(char::is_control) {
        issues.push(AcceptanceIssue::new(
            "contents",
            "invalid_text",
            "contents may not hold control characters",
        ));
    }

    // The postal rules, once the basic fields read.
    let quoted = match (service, destination, weight) {
        (Some(service), Some(destination), Some(weight)) => {
            let request = AcceptanceRequest {
                operator: context.operator,
                service,
                indicator,
                destination,
                weight,
                customs: draft.customs,
                date: actor.at.date(),
            };
            match quote(
                reference,
                &context.agreements,
                reference.sdr_rates(),
                request,
            ) {
                Ok(quote) => Some(quote),
                Err(refusals) => {
                    issues.extend(refusals.into_iter().map(|refusal| {
                        AcceptanceIssue::new(refusal.field(), refusal.code(), refusal.message())
                    }));
                    None
                }
            }
        }
        _ => None,
    };

    let code = reference.code_for(Milestone::Posted);
    if code.is_none() {
        issues.push(AcceptanceIssue::new(
            "service",
            "no_event_code",
            "the reference data has no event code for acceptance (EMA)",
        ));
    }
    let lifecycle = apply_local(
        &ItemState::new(),
        &LifecycleEvent {
            milestone: Milestone::Posted,
            at: actor.at,
            next_action: None,
            source: EventSource::Local,
        },
    );
    let state = match lifecycle {
        Ok(state) => Some(state),
        Err(error) => {
            issues.push(AcceptanceIssue::new(
                "service",
                "lifecycle",
                error.to_string(),
            ));
            None
        }
    };

    match (sender, addressee, destination, weight, quoted, code, state) {
        (
            Some(sender),
            Some(addressee),
            Some(destination),
            Some(weight),
            Some(quote),
            Some(code),
            Some(state),
        ) if issues.is_empty() => Ok(Prepared {
            new: NewItem {
                operator: context.operator,
                // Replaced by the range once one is picked.
                id: ItemIdSource::Range(RangeId(0)),
                service: quote.service_indicator().service(),
                origin_country: context.operator,
                destination_country: destination,
                office: office.clone(),
                weight,
                length_mm,
                width_mm,
                height_mm,
                contents,
                sender,
                addressee,
                customs: quote.customs().cloned(),
                postage: Some(quote.postage()),
            },
            event: NewEvent {
                code,
                milestone: Milestone::Posted,
                at: actor.at,
                office: office.clone(),
                reason: None,
                next_action: None,
                signatory: None,
                note: None,
                source: EventSource::Local,
                reported_by: None,
                collected: None,
            },
            derived: DerivedStatus {
                status: state.status(),
                leg: state.leg(),
            },
            quote,
        }),
        _ => Err(issues),
    }
}

/// The office must be one of the operator's.
async fn check_office(
    store: &dyn Store,
    operator: CountryCode,
    office: &SiteCode,
) -> Result<Option<AcceptanceIssue>, StoreError> {
    Ok(match store.office(operator, office).await? {
        Some(_) => None,
        None => Some(AcceptanceIssue::new(
            "office",
            "unknown_office",
            format!("office {office} is not one of the offices of {operator}"),
        )),
    })
}

/// Serials left per range of the operator, for ranges that still have some, oldest first.
async fn free_ranges(
    store: &dyn Store,
    operator: CountryCode,
) -> Result<Vec<(RangeId, ServiceIndicator, u64)>, StoreError> {
    Ok(store
        .s10_ranges(operator)
        .await?
        .into_iter()
        .filter(|record| record.range.country() == operator)
        .map(|record| {
            let left = record.next_serial.map_or(0, |next| {
                u64::from(record.range.last()).saturating_sub(u64::from(next)) + 1
            });
            (record.id, record.range.indicator(), left)
        })
        .collect())
}

fn no_range(indicator: ServiceIndicator, exhausted: bool) -> AcceptanceIssue {
    if exhausted {
        AcceptanceIssue::new(
            "service_indicator",
            "range_exhausted",
            format!("every S10 range for {indicator} is used up; an administrator must add one"),
        )
    } else {
        AcceptanceIssue::new(
            "service_indicator",
            "no_range",
            format!("this post has no S10 range for {indicator}; an administrator must add one"),
        )
    }
}

/// Numbers the prepared items from the free ranges, in order; the issues of those that find
/// no serial, by position.
fn assign_ranges(
    prepared: &mut [Prepared],
    ranges: &mut [(RangeId, ServiceIndicator, u64)],
) -> Vec<(usize, AcceptanceIssue)> {
    let mut failures = Vec::new();
    for (index, item) in prepared.iter_mut().enumerate() {
        let indicator = item.quote.service_indicator();
        let exists = ranges.iter().any(|(_, of, _)| *of == indicator);
        match ranges
            .iter_mut()
            .find(|(_, of, left)| *of == indicator && *left > 0)
        {
            Some((id, _, left)) => {
                *left -= 1;
                item.new.id = ItemIdSource::Range(*id);
            }
            None => failures.push((index, no_range(indicator, exists))),
        }
    }
    failures
}

/// What acceptance would say about a draft, without storing anything: every issue, or none
/// when it would be accepted (serials permitting). The web form uses it to list the rules'
/// problems next to fields that did not even read.
pub async fn review(
    store: &dyn Store,
    reference: &ReferenceData,
    actor: &Actor,
    office: &SiteCode,
    draft: AcceptanceDraft,
) -> Result<Vec<AcceptanceIssue>, StoreError> {
    let mut issues: Vec<AcceptanceIssue> = check_office(store, actor.operator, office)
        .await?
        .into_iter()
        .collect();
    let context = context(store, actor.operator).await?;
    if let Err(found) = prepare(reference, &context, actor, office, draft) {
        issues.extend(found);
    }
    Ok(issues)
}

/// Accepts one item at `office` for the actor's operator, at `actor.at`: checks the draft,
/// prices it, issues its S10 ID from the operator's range and records `EMA`, in one
/// transaction. Every reason to refuse comes back at once in [`AcceptanceError::Refused`].
pub async fn accept(
    store: &dyn Store,
    reference: &ReferenceData,
    actor: &Actor,
    office: &SiteCode,
    draft: AcceptanceDraft,
) -> Result<AcceptedItem, AcceptanceError> {
    let operator = actor.operator;
    let office_issue = check_office(store, operator, office).await?;
    let context = context(store, operator).await?;
    let prepared = prepare(reference, &context, actor, office, draft);
    let mut prepared = match (prepared, office_issue) {
        (Ok(prepared), None) => prepared,
        (Ok(_), Some(issue)) => return Err(AcceptanceError::Refused(vec![issue])),
        (Err(mut issues), issue) => {
            issues.extend(issue);
            return Err(AcceptanceError::Refused(issues));
        }
    };
    let mut ranges = free_ranges(store, operator).await?;
    if let Some((_, issue)) = assign_ranges(std::slice::from_mut(&mut prepared), &mut ranges)
        .into_iter()
        .next()
    {
        return Err(AcceptanceError::Refused(vec![issue]));
    }
    let Prepared {
        new,
        event,
        derived,
        quote,
    } = prepared;
    let indicator = quote.service_indicator();
    match store.create_item(actor, &new, &event, derived, &[]).await {
        Ok((item, event)) => Ok(AcceptedItem { item, event, quote }),
        // Another acceptance took the last serial in the meantime.
        Err(StoreError::RangeExhausted { .. }) => {
            Err(AcceptanceError::Refused(vec![no_range(indicator, true)]))
        }
        Err(error) => Err(error.into()),
    }
}

/// Accepts every draft, or none: if any is refused, nothing is stored and
/// [`AcceptanceError::BatchRefused`] lists each failing index with its reasons. At most
/// [`MAX_BATCH`] drafts (the caller checks; more are refused here as one issue at index 0).
pub async fn accept_batch(
    store: &dyn Store,
    reference: &ReferenceData,
    actor: &Actor,
    office: &SiteCode,
    drafts: Vec<AcceptanceDraft>,
) -> Result<Vec<AcceptedItem>, AcceptanceError> {
    let operator = actor.operator;
    if let Some(issue) = check_office(store, operator, office).await? {
        return Err(AcceptanceError::Refused(vec![issue]));
    }
    let context = context(store, operator).await?;
    let mut failures: BTreeMap<usize, Vec<AcceptanceIssue>> = BTreeMap::new();
    let mut prepared = Vec::with_capacity(drafts.len());
    for (index, draft) in drafts.into_iter().enumerate() {
        match prepare(reference, &context, actor, office, draft) {
            Ok(item) => prepared.push((index, item)),
            Err(issues) => {
                failures.insert(index, issues);
            }
        }
    }
    let (indices, mut items): (Vec<usize>, Vec<Prepared>) = prepared.into_iter().unzip();
    let mut ranges = free_ranges(store, operator).await?;
    for (position, issue) in assign_ranges(&mut items, &mut ranges) {
        if let Some(index) = indices.get(position) {
            failures.entry(*index).or_default().push(issue);
        }
    }
    if !failures.is_empty() {
        return Err(AcceptanceError::BatchRefused(
            failures.into_iter().collect(),
        ));
    }
    let entries: Vec<NewItemEntry> = items
        .iter()
        .map(|item| NewItemEntry {
            new: item.new.clone(),
            first_event: item.event.clone(),
            derived: item.derived,
        })
        .collect();
    let created = store.create_items(actor, &entries).await?;
    Ok(created
        .into_iter()
        .zip(items)
        .map(|((item, event), prepared)| AcceptedItem {
            item,
            event,
            quote: prepared.quote,
        })
        .collect())
}
