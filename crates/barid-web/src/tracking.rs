//! Public tracking: what anyone holding an S10 ID may learn about the item, shared by the
//! `/track` pages and the tracking API.
//!
//! An item may be kept on this node by several operators at once (the origin post and the
//! destination post each keep a copy, each with the events it recorded or received). The
//! public timeline merges the events of every copy, drops the same event seen twice (same code,
//! instant and office), orders them by time and derives the status from them with
//! [`barid_core::lifecycle::replay`].
//!
//! What belongs here: reading the store for a lookup, merging, deciding what is public. What
//! does not: presentation (the DTOs in `api::tracking`, the pages in `pages::track`). The
//! [`Timeline`] holds no party, note, signatory or internal ID, so nothing built from it can
//! show them.

use std::collections::HashSet;

use barid_core::lifecycle::{ItemStatus, LifecycleEvent, replay};
use barid_core::{
    CountryCode, EventCode, Milestone, OfficeCode, ReasonCode, S10Error, S10Id, SiteCode,
};
use barid_store::model::{Office, TrackedCopy, TrackedEvent};
use time::OffsetDateTime;

use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::state::{AppState, OfficeDirectory};

/// The most IDs one lookup may hold.
pub const MAX_IDS: usize = 50;

/// An office of this node, as the public sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    pub name_en: String,
    pub name_ar: String,
    pub city_en: String,
    pub city_ar: String,
}

impl From<&Office> for Place {
    fn from(office: &Office) -> Self {
        Self {
            name_en: office.name_en.clone(),
            name_ar: office.name_ar.clone(),
            city_en: office.city_en.clone(),
            city_ar: office.city_ar.clone(),
        }
    }
}

/// One event of the public timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimelineEvent {
    pub code: EventCode,
    pub milestone: Milestone,
    /// With the UTC offset of the office where it happened, as stored.
    pub at: OffsetDateTime,
    pub office: SiteCode,
    /// The office's names and city when it is an office of this node.
    pub place: Option<Place>,
    /// The country the office is in, when known.
    pub country: Option<CountryCode>,
    /// Why delivery failed or the item is held, for events that carry a reason.
    pub reason: Option<ReasonCode>,
}

/// The public view of one item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timeline {
    pub s10: S10Id,
    pub status: ItemStatus,
    pub origin: CountryCode,
    pub destination: CountryCode,
    /// Oldest first.
    pub events: Vec<TimelineEvent>,
}

/// The outcome of looking one typed ID up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    Found(Timeline),
    /// A valid ID no copy on this node has (yet).
    NotFound(S10Id),
    /// Not an S10 ID; the error says why (e.g. the check digit it should have).
    Invalid {
        input: String,
        error: S10Error,
    },
}

/// Splits what was typed or scanned into IDs: separated by commas, semicolons, new lines or
/// spaces. A piece between commas or new lines that is exactly one ID once its spaces are
/// removed (`RR 123 456 785 EG`, as printed under a barcode) stays one. Repeated IDs are kept
/// once, in the order first given.
pub fn split_ids(text: &str) -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    let mut push = |piece: &str| {
        let key: String = piece
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| c.to_ascii_uppercase())
            .collect();
        if !key.is_empty() && seen.insert(key) {
            ids.push(piece.trim().to_owned());
        }
    };
    for segment in text.split([',', ';', '\n', '\r', '،']) {
        let segment = segment.trim();
        let compact = segment.chars().filter(|c| !c.is_whitespace()).count();
        if compact == 13 && segment.contains(char::is_whitespace) {
            push(segment);
        } else {
            for piece in segment.split_whitespace() {
                push(piece);
            }
        }
    }
    ids
}

/// The 400 for a lookup with more than [`MAX_IDS`] IDs.
pub fn too_many_ids(count: usize) -> ApiError {
    ApiError::new(
        ErrorCode::TooManyIds,
        format!("at most {MAX_IDS} IDs can be looked up at once, this asks for {count}"),
    )
    .with_field("ids")
}

/// The 429 for a client over its tracking budget.
pub fn check_rate(state: &AppState, client: Option<std::net::IpAddr>) -> ApiResult<()> {
    state.lookup_limiter().check(client).map_err(|wait| {
        tracing::info!(?client, wait, "tracking rate limited");
        ApiError::new(
            ErrorCode::RateLimited,
            format!("too many tracking lookups; try again in {wait} s"),
        )
        .with_retry_after(wait)
    })
}

/// Looks each typed ID up, in order.
pub async fn lookup_all(state: &AppState, inputs: &[String]) -> ApiResult<Vec<Lookup>> {
    let mut results = Vec::with_capacity(inputs.len());
    for input in inputs {
        let lookup = match S10Id::parse(input) {
            Err(error) => Lookup::Invalid {
                input: input.clone(),
                error,
            },
            Ok(s10) => match timeline(state, &s10).await? {
                Some(timeline) => Lookup::Found(timeline),
                None => Lookup::NotFound(s10),
            },
        };
        results.push(lookup);
    }
    Ok(results)
}

/// The public timeline of one item, or `None` when no operator on this node has it.
///
/// One read of the store (every copy's service, countries and events, nothing private) and the
/// node's offices from the cache in the state: no party, declaration or office is read per
/// lookup.
pub async fn timeline(state: &AppState, s10: &S10Id) -> ApiResult<Option<Timeline>> {
    let Some(tracked) = state.store().tracked_item(s10).await? else {
        return Ok(None);
    };
    let Some(first) = tracked.copies.first().copied() else {
        return Ok(None);
    };
    let events = merge(tracked.events);
    let derived = replay(
        &events
            .iter()
            .map(|event| LifecycleEvent {
                milestone: event.milestone,
                at: event.at,
                next_action: event.next_action,
                source: event.source,
            })
            .collect::<Vec<_>>(),
    );
    let offices = state.office_directory().await?;
    let timeline = events
        .into_iter()
        .map(|event| {
            let office = find_office(&offices, &event.office, &tracked.copies);
            let country = office
                .map(|office| office.operator)
                .or_else(|| {
                    OfficeCode::parse(event.office.as_str())
                        .ok()
                        .map(|impc| impc.country())
                })
                .or(event.reported_by);
            TimelineEvent {
                code: event.code,
                milestone: event.milestone,
                at: event.at,
                place: office.map(Place::from),
                office: event.office,
                country,
                reason: event.reason,
            }
        })
        .collect();
    Ok(Some(Timeline {
        s10: *s10,
        status: derived.state.status(),
        origin: first.origin_country,
        destination: first.destination_country,
        events: timeline,
    }))
}

/// The events of every copy as one list: the same event (code, instant, office) once, oldest
/// first; events at the same instant keep the order of the copies (by operator) and of
/// recording.
pub fn merge(events: Vec<TrackedEvent>) -> Vec<TrackedEvent> {
    let mut seen: HashSet<(EventCode, i128, SiteCode)> = HashSet::with_capacity(events.len());
    let mut merged: Vec<TrackedEvent> = events
        .into_iter()
        .filter(|event| {
            seen.insert((
                event.code,
                event.at.unix_timestamp_nanos(),
                event.office.clone(),
            ))
        })
        .collect();
    // Stable: equal instants keep their order.
    merged.sort_by_key(|event| event.at);
    merged
}

/// The office of this node with `code`, if it belongs to an operator the item concerns: the
/// one the code's first two letters name (office codes on the node start with their
/// operator's country code), an operator keeping a copy, or the item's origin or destination.
fn find_office<'a>(
    offices: &'a OfficeDirectory,
    code: &SiteCode,
    copies: &[TrackedCopy],
) -> Option<&'a Office> {
    let office = offices.get(code)?;
    let prefix = code
        .as_str()
        .get(..2)
        .and_then(|prefix| CountryCode::parse(prefix).ok());
    let concerned = prefix == Some(office.operator)
        || copies.iter().any(|copy| {
            [copy.operator, copy.origin_country, copy.destination_country]
                .contains(&office.operator)
        });
    concerned.then_some(office)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_split_on_commas_lines_and_spaces_but_printed_ids_stay_whole() {
        assert_eq!(
            split_ids("RR123456785EG, ee 123 456 785 eg\nCP1 CP2;;RR123456785EG ,"),
            vec!["RR123456785EG", "ee 123 456 785 eg", "CP1", "CP2"]
        );
        assert_eq!(split_ids("  \n , "), Vec::<String>::new());
        assert_eq!(
            split_ids("RR123456785EG rr123456785eg"),
            vec!["RR123456785EG"]
        );
        assert_eq!(split_ids("A،B"), vec!["A", "B"]);
    }
}
