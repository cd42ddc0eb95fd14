//! The outward office of exchange: the desk (`/exchange`: arrival scans, export customs,
//! receptacles being built, closing dispatches), scanning into a receptacle
//! (`/exchange/receptacles/{id}`) and a closed dispatch (`/exchange/dispatches/{s8}`).
//!
//! Scanners type the barcode and press Enter, so every scanning form is one field that comes
//! back empty and focused after each scan, with one line saying what happened: the item taken,
//! or the rule that refused it (its code in `data-code`, the message in `role="alert"`).
//! Everything works as plain forms: a scan answers with the page itself (422 when refused),
//! other steps redirect to the page they lead to.
//!
//! What belongs here: forms, page data and the words of refusals. What does not: the rules
//! and the store's steps (see [`crate::exchange`], shared with the JSON API).

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use barid_core::{
    DispatchSeries, Grams, MailCategory, MailClass, MailSubclass, OfficeCode, ReasonCode, S10Id,
};
use barid_store::model::{
    DispatchDirection, DispatchQuery, DispatchRecord, DispatchStatus, OfficeKind, ReceptacleQuery,
    ReceptacleRecord, ReceptacleRowId, ReceptacleStatus,
};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::accept::Choice;
use super::i18n::Tr;
use super::view::{self, When};
use super::{Layout, PageError, PageRequest, Section, render};
use crate::auth::Principal;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::exchange::{self, EventDetails, ExchangeOffice, ExportCustomsStep};
use crate::extract::{ApiForm, ApiQuery, PathParam};
use crate::router::{EXCHANGE, EXCHANGE_READ};
use crate::state::AppState;

/// How many of the office's dispatches the desk lists.
const RECENT_DISPATCHES: u32 = 20;

/// Whether a principal follows an office of exchange's work (for the navigation).
pub fn works_exchange(principal: &Principal) -> bool {
    principal.has_any_role(EXCHANGE_READ)
}

// --- forms ---------------------------------------------------------------------------------

/// `?office=` names the office of exchange, for those who work at several or oversee all.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeskQuery {
    /// The office of exchange, e.g. `EGCAIA`.
    pub office: Option<String>,
    /// `ar` or `en`.
    pub lang: Option<String>,
}

/// One scanned item.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct ScanForm {
    pub csrf_token: String,
    pub office: Option<String>,
    pub s10: String,
}

/// An export customs step.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct CustomsForm {
    pub csrf_token: String,
    pub office: Option<String>,
    pub s10: String,
    /// `present`, `hold` or `return`.
    pub step: String,
    pub reason: String,
    pub note: String,
}

/// A receptacle series: opening a receptacle, or closing the dispatch of the series.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct SeriesForm {
    pub csrf_token: String,
    pub office: Option<String>,
    pub destination: String,
    pub category: String,
    pub subclass: String,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct CloseForm {
    pub csrf_token: String,
    /// Grams, digits only.
    pub gross_weight_grams: String,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct ReopenForm {
    pub csrf_token: String,
    pub reason: String,
}

// --- refusals ------------------------------------------------------------------------------

/// A refusal as a page shows it: the rule's code, the field it concerns, and the message in
/// the reader's language.
#[derive(Debug, Clone)]
pub struct Notice {
    pub code: String,
    pub field: String,
    pub message: String,
}

/// What went wrong, kept until the page's language is known.
#[derive(Debug, Clone)]
pub(super) struct Problem {
    code: String,
    field: String,
    /// The service's own (English) message, used when no translation names the rule.
    message: String,
    s10: String,
}

impl Problem {
    pub(super) fn of(error: &ApiError, s10: &str) -> Self {
        let detail = error.errors().first();
        Self {
            code: error
                .rule()
                .map(str::to_owned)
                .unwrap_or_else(|| error.code().as_str().to_owned()),
            field: detail
                .map(|detail| detail.field.clone())
                .or_else(|| error.field().map(str::to_owned))
                .unwrap_or_default(),
            message: detail
                .map(|detail| detail.message.clone())
                .unwrap_or_else(|| error.message().to_owned()),
            s10: s10.trim().to_owned(),
        }
    }

    pub(super) fn notice(&self, t: &Tr) -> Notice {
        let key = format!("exchange-error-{}", self.code.replace('_', "-"));
        let message = if self.code == "invalid_s10" {
            match S10Id::parse(&self.s10) {
                Err(error) => t.tr2(
                    "exchange-error-invalid-s10",
                    "s10",
                    self.s10.as_str(),
                    "problem",
                    view::s10_problem(t, &error),
                ),
                Ok(_) => self.message.clone(),
            }
        } else {
            let text = t.tr1(&key, "s10", self.s10.as_str());
            // A rule without its own sentence keeps the service's message.
            if text == key {
                self.message.clone()
            } else {
                text
            }
        };
        Notice {
            code: self.code.clone(),
            field: self.field.clone(),
            message,
        }
    }
}

/// Whether the operator can act on the refusal (shown on the form), or it is the server's
/// or the caller's rights' problem (answered as is).
pub(super) fn shown(error: &ApiError) -> bool {
    matches!(
        error.code(),
        ErrorCode::Refused | ErrorCode::InvalidBody | ErrorCode::Conflict | ErrorCode::NotFound
    )
}

// --- shared page pieces --------------------------------------------------------------------

#[derive(Template)]
#[template(path = "exchange_message.html")]
struct MessagePage {
    t: Tr,
    layout: Layout,
    title: String,
    error: PageError,
}

/// A page that says why nothing can be shown (no such receptacle, not an office of exchange),
/// with the error's status; server errors are answered as errors.
pub(super) async fn failure(
    state: &AppState,
    principal: &Principal,
    page: &PageRequest,
    error: ApiError,
) -> ApiResult<Response> {
    if !shown(&error) {
        return Err(error);
    }
    let (t, layout) = page.layout(state, Some(principal), Section::Exchange).await;
    let code = error.code();
    let problem = Problem::of(&error, "");
    let message = MessagePage {
        title: t.tr(if code == ErrorCode::NotFound {
            "exchange-not-found-title"
        } else {
            "exchange-title"
        }),
        error: PageError {
            code: code.as_str(),
            message: if code == ErrorCode::NotFound {
                t.tr("exchange-not-found")
            } else {
                problem.notice(&t).message
            },
        },
        t,
        layout,
    };
    Ok((code.status(), page.jar(state), render(&message)?).into_response())
}

/// The office of exchange a page is about: the one named, the principal's only office, or
/// else the first office of exchange the principal may act at (supervisors oversee them all).
pub(super) async fn desk_office(
    state: &AppState,
    principal: &Principal,
    named: Option<&str>,
) -> ApiResult<ExchangeOffice> {
    let named = named.map(str::trim).filter(|text| !text.is_empty());
    if named.is_some() || principal.home_office().is_some() {
        return exchange::office_of_exchange(state, principal, named).await;
    }
    let first = state
        .store()
        .offices(principal.operator)
        .await?
        .into_iter()
        .find(|office| {
            office.kind == OfficeKind::Exchange
                && office.impc.is_some()
                && (principal.covers_all_offices() || principal.offices.contains(&office.code))
        });
    match first {
        Some(office) => {
            exchange::office_of_exchange(state, principal, Some(office.code.as_str())).await
        }
        None => exchange::office_of_exchange(state, principal, None).await,
    }
}

/// An outward receptacle of the principal's operator at an office they may act at.
async fn load_receptacle(
    state: &AppState,
    principal: &Principal,
    id: ReceptacleRowId,
) -> ApiResult<(ExchangeOffice, ReceptacleRecord)> {
    let record = state
        .store()
        .receptacle(principal.operator, id)
        .await?
        .filter(|record| {
            matches!(
                record.status,
                ReceptacleStatus::Open | ReceptacleStatus::Closed | ReceptacleStatus::Dispatched
            ) || record.dispatch.is_some()
        })
        .ok_or_else(|| ApiError::not_found("receptacle"))?;
    let office =
        exchange::office_of_exchange(state, principal, Some(record.office.as_str())).await?;
    Ok((office, record))
}

fn receptacle_status_text(t: &Tr, status: ReceptacleStatus) -> String {
    t.tr(&format!("exchange-receptacle-status-{}", status.as_str()))
}

fn registered(record: &ReceptacleRecord) -> bool {
    record.s9.map(|s9| s9.registered).unwrap_or_else(|| {
        record.items.iter().any(|item| {
            item.item.as_ref().is_some_and(|copy| {
                matches!(
                    copy.service,
                    barid_core::s10::S10Service::Registered | barid_core::s10::S10Service::Insured
                )
            })
        })
    })
}

fn series_text(series: &DispatchSeries) -> String {
    format!(
        "{} {}{}",
        series.destination,
        series.category.letter(),
        series.subclass.as_str()
    )
}

/// One receptacle of the desk's list.
#[derive(Debug, Clone)]
pub struct ReceptacleRow {
    pub id: i64,
    pub status: String,
    pub status_text: String,
    pub destination: String,
    pub category: String,
    pub subclass: String,
    pub items: usize,
    pub weight: Option<u32>,
    pub registered: bool,
}

/// A series with receptacles being built, and whether its dispatch can close.
#[derive(Debug, Clone)]
pub struct SeriesRow {
    pub destination: String,
    pub category: String,
    pub subclass: String,
    /// `PSRMHA AUR`.
    pub label: String,
    pub open: usize,
    pub closed: usize,
}

/// One dispatch of the desk's list.
#[derive(Debug, Clone)]
pub struct DispatchRow {
    pub s8: String,
    pub status: String,
    pub status_text: String,
    pub closed_at: When,
    pub transit: Option<String>,
    pub receptacles: u32,
    pub items: u32,
    pub weight: u64,
}

/// An arrival just recorded.
#[derive(Debug, Clone)]
pub struct Arrived {
    pub s10: String,
    pub code: String,
    pub repeated: bool,
    pub message: String,
}

// --- the desk ------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "exchange.html")]
struct DeskPage {
    t: Tr,
    layout: Layout,
    csrf_token: String,
    can_act: bool,
    office: String,
    office_name: String,
    impc: String,
    other_offices: Vec<Choice>,
    arrived: Option<Arrived>,
    arrival_error: Option<Notice>,
    customs_done: Option<String>,
    customs_error: Option<Notice>,
    customs_s10: String,
    customs_step: String,
    customs_reason: String,
    customs_note: String,
    steps: Vec<Choice>,
    reasons: Vec<Choice>,
    destinations: Vec<Choice>,
    categories: Vec<Choice>,
    subclasses: Vec<Choice>,
    open_destination: String,
    open_category: String,
    open_subclass: String,
    open_error: Option<Notice>,
    dispatch_error: Option<Notice>,
    receptacles: Vec<ReceptacleRow>,
    series: Vec<SeriesRow>,
    dispatches: Vec<DispatchRow>,
    arriving: Vec<ArrivingRow>,
    received: Option<ReceivedNotice>,
    receive_error: Option<Notice>,
    receive_weight: String,
    forwarded: Option<String>,
    forward_error: Option<Notice>,
    /// Which scan field has the focus: the one used last.
    focus: &'static str,
}

/// A transit or inward dispatch expected or being received at the office.
#[derive(Debug, Clone)]
pub struct ArrivingRow {
    pub s8: String,
    pub origin: String,
    pub direction: String,
    pub direction_text: String,
    pub advised: bool,
    pub received: usize,
    pub advised_count: usize,
    pub status: String,
    pub status_text: String,
}

/// A receptacle just scanned on arrival.
#[derive(Debug, Clone)]
pub struct ReceivedNotice {
    pub s9: String,
    /// Its dispatch's S8 ID.
    pub dispatch: String,
    pub message: String,
}

/// What the forms of the desk show after a step.
#[derive(Debug, Clone, Default)]
pub(super) struct DeskForms {
    arrived: Option<(S10Id, String, bool)>,
    arrival_error: Option<Problem>,
    customs_done: Option<(S10Id, String)>,
    customs_error: Option<Problem>,
    customs: CustomsForm,
    open: SeriesForm,
    open_error: Option<Problem>,
    dispatch_error: Option<Problem>,
    /// A receptacle scanned on arrival: its S9 ID and its dispatch's S8 ID.
    received: Option<(String, String)>,
    receive_error: Option<Problem>,
    receive_weight: String,
    forwarded: Option<(S10Id, String)>,
    forward_error: Option<Problem>,
}

/// The destination offices of exchange the agreements route to from this office, with the
/// mail classes they carry (empty: every class) and the closed transit office if any.
async fn routes_from(
    state: &AppState,
    principal: &Principal,
    office: &ExchangeOffice,
) -> ApiResult<BTreeMap<OfficeCode, (Vec<MailClass>, Option<OfficeCode>)>> {
    let agreements = crate::acceptance::agreements_of(state.store(), principal.operator).await?;
    let mut routes = BTreeMap::new();
    for agreement in &agreements {
        for route in agreement.terms().routes() {
            if route.origin_office != office.impc {
                continue;
            }
            let entry = routes
                .entry(route.destination_office)
                .or_insert_with(|| (Vec::new(), route.transit_office));
            if route.mail_classes.is_empty() {
                entry.0.clear();
            } else {
                entry.0.extend(route.mail_classes.iter().copied());
            }
        }
    }
    Ok(routes)
}

pub(super) async fn show_desk(
    state: &AppState,
    principal: &Principal,
    page: &PageRequest,
    office: &ExchangeOffice,
    forms: DeskForms,
    status: StatusCode,
) -> ApiResult<Response> {
    let (t, layout) = page.layout(state, Some(principal), Section::Exchange).await;
    let reference = state.reference();
    let store = state.store();

    let other_offices = store
        .offices(principal.operator)
        .await?
        .into_iter()
        .filter(|other| {
            other.kind == OfficeKind::Exchange
                && other.impc.is_some()
                && other.code != office.office.code
                && (principal.covers_all_offices() || principal.offices.contains(&other.code))
        })
        .map(|other| Choice {
            value: other.code.to_string(),
            label: format!(
                "{} ({})",
                t.pick(&other.name_en, &other.name_ar),
                other.code
            ),
        })
        .collect();

    let routes = routes_from(state, principal, office).await?;
    let destinations: Vec<Choice> = routes
        .iter()
        .map(|(destination, (_, transit))| Choice {
            value: destination.to_string(),
            label: match transit {
                Some(transit) => t.tr2(
                    "exchange-route-via",
                    "destination",
                    destination.to_string(),
                    "transit",
                    transit.to_string(),
                ),
                None => destination.to_string(),
            },
        })
        .collect();
    let classes: Vec<MailClass> = routes
        .values()
        .flat_map(|(classes, _)| classes.iter().copied())
        .collect();
    let every_class = routes.values().any(|(classes, _)| classes.is_empty()) || routes.is_empty();
    let subclasses: Vec<Choice> = reference
        .subclasses()
        .filter_map(|info| {
            let subclass = MailSubclass::parse(&info.code).ok()?;
            (every_class || classes.contains(&subclass.class())).then(|| Choice {
                value: info.code.clone(),
                label: format!("{} · {}", info.code, t.pick(&info.names.en, &info.names.ar)),
            })
        })
        .collect();
    let categories: Vec<Choice> = reference
        .categories()
        .map(|info| Choice {
            value: info.code.to_string(),
            label: format!("{} · {}", info.code, t.pick(&info.names.en, &info.names.ar)),
        })
        .collect();
    let mut reasons: Vec<Choice> = vec![Choice {
        value: String::new(),
        label: t.tr("exchange-customs-no-reason"),
    }];
    reasons.extend(reference.reasons().map(|info| Choice {
        value: info.code.clone(),
        label: format!("{} · {}", info.code, t.pick(&info.names.en, &info.names.ar)),
    }));
    let steps = ["present", "hold", "return"]
        .into_iter()
        .map(|step| Choice {
            value: step.to_owned(),
            label: t.tr(&format!("exchange-customs-step-{step}")),
        })
        .collect();

    let records = store
        .receptacles(
            principal.operator,
            &ReceptacleQuery {
                office: Some(office.site().clone()),
                statuses: vec![ReceptacleStatus::Open, ReceptacleStatus::Closed],
                dispatch: None,
            },
        )
        .await?;
    // Series in the order their first receptacle was opened, counted by state.
    let mut counts: BTreeMap<DispatchSeries, (usize, usize, usize)> = BTreeMap::new();
    for (position, record) in records.iter().enumerate() {
        let entry = counts.entry(record.series).or_insert((position, 0, 0));
        if record.status == ReceptacleStatus::Open {
            entry.1 += 1;
        } else {
            entry.2 += 1;
        }
    }
    let mut counted: Vec<(DispatchSeries, (usize, usize, usize))> = counts.into_iter().collect();
    counted.sort_by_key(|(_, (position, _, _))| *position);
    let series: Vec<SeriesRow> = counted
        .into_iter()
        .map(|(series, (_, open, closed))| SeriesRow {
            destination: series.destination.to_string(),
            category: series.category.letter().to_string(),
            subclass: series.subclass.as_str().to_owned(),
            label: series_text(&series),
            open,
            closed,
        })
        .collect();
    let receptacles = records
        .iter()
        .map(|record| ReceptacleRow {
            id: record.id.0,
            status: record.status.as_str().to_owned(),
            status_text: receptacle_status_text(&t, record.status),
            destination: record.series.destination.to_string(),
            category: record.series.category.letter().to_string(),
            subclass: record.series.subclass.as_str().to_owned(),
            items: record.items.len(),
            weight: record.gross_weight.map(|grams| grams.get()),
            registered: registered(record),
        })
        .collect();
    let dispatches = store
        .dispatches(
            principal.operator,
            &DispatchQuery {
                office: Some(office.site().clone()),
                direction: Some(DispatchDirection::Outward),
                statuses: Vec::new(),
            },
            RECENT_DISPATCHES,
        )
        .await?
        .into_iter()
        .map(|summary| DispatchRow {
            s8: summary.s8.to_string(),
            status: summary.status.as_str().to_owned(),
            status_text: t.tr(&format!(
                "exchange-dispatch-status-{}",
                summary.status.as_str()
            )),
            closed_at: view::when(&t, summary.closed_at),
            transit: summary.transit_office.map(|office| office.to_string()),
            receptacles: summary.receptacle_count,
            items: summary.item_count,
            weight: summary.total_weight,
        })
        .collect();

    // A refused customs step keeps what was typed; after a recorded one the form is empty.
    let keep_customs = forms.customs_error.is_some();
    let DeskForms {
        arrived,
        arrival_error,
        customs_done,
        customs_error,
        customs,
        open,
        open_error,
        dispatch_error,
        received,
        receive_error,
        receive_weight,
        forwarded,
        forward_error,
    } = forms;
    let arriving = arriving_dispatches(state, principal, office, &t).await?;
    let focus = if received.is_some() || receive_error.is_some() {
        "receive"
    } else if forwarded.is_some() || forward_error.is_some() {
        "forwarding"
    } else {
        "arrival"
    };
    let received = received.map(|(s9, dispatch)| ReceivedNotice {
        message: t.tr1("exchange-receptacle-received", "s9", s9.as_str()),
        s9,
        dispatch,
    });
    let forwarded = forwarded.map(|(s10, code)| {
        t.tr2(
            "exchange-customs-done",
            "s10",
            s10.to_string(),
            "code",
            code,
        )
    });
    let arrived = arrived.map(|(s10, code, repeated)| Arrived {
        message: t.tr2(
            if repeated {
                "exchange-arrived-again"
            } else {
                "exchange-arrived"
            },
            "s10",
            s10.to_string(),
            "code",
            code.as_str(),
        ),
        s10: s10.to_string(),
        code,
        repeated,
    });
    let customs_done = customs_done.map(|(s10, code)| {
        t.tr2(
            "exchange-customs-done",
            "s10",
            s10.to_string(),
            "code",
            code,
        )
    });
    let or_default = |value: &str, default: &str| {
        if value.trim().is_empty() {
            default.to_owned()
        } else {
            value.trim().to_uppercase()
        }
    };
    let first_destination = destinations
        .first()
        .map_or("PSRMHA", |choice| choice.value.as_str())
        .to_owned();
    let data = DeskPage {
        csrf_token: principal.csrf_token().unwrap_or_default().to_owned(),
        can_act: principal.has_any_role(EXCHANGE),
        office: office.site().to_string(),
        office_name: t
            .pick(&office.office.name_en, &office.office.name_ar)
            .to_owned(),
        impc: office.impc.to_string(),
        other_offices,
        arrived,
        arrival_error: arrival_error.map(|problem| problem.notice(&t)),
        customs_done,
        customs_error: customs_error.map(|problem| problem.notice(&t)),
        customs_s10: if keep_customs {
            customs.s10.trim().to_owned()
        } else {
            String::new()
        },
        customs_step: or_default(&customs.step, "present").to_lowercase(),
        customs_reason: customs.reason.trim().to_owned(),
        customs_note: customs.note.trim().to_owned(),
        steps,
        reasons,
        destinations,
        categories,
        subclasses,
        open_destination: or_default(&open.destination, &first_destination),
        open_category: or_default(&open.category, "A"),
        open_subclass: or_default(&open.subclass, "UR"),
        open_error: open_error.map(|problem| problem.notice(&t)),
        dispatch_error: dispatch_error.map(|problem| problem.notice(&t)),
        receptacles,
        series,
        dispatches,
        arriving,
        received,
        receive_error: receive_error.map(|problem| problem.notice(&t)),
        receive_weight,
        forwarded,
        forward_error: forward_error.map(|problem| problem.notice(&t)),
        focus,
        t,
        layout,
    };
    Ok((status, page.jar(state), render(&data)?).into_response())
}

/// The transit and inward dispatches expected at the office or being received.
async fn arriving_dispatches(
    state: &AppState,
    principal: &Principal,
    office: &ExchangeOffice,
    t: &Tr,
) -> ApiResult<Vec<ArrivingRow>> {
    let summaries = state
        .store()
        .dispatches(
            principal.operator,
            &DispatchQuery {
                office: Some(office.site().clone()),
                direction: None,
                statuses: vec![DispatchStatus::Expected, DispatchStatus::Received],
            },
            RECENT_DISPATCHES,
        )
        .await?;
    let mut rows = Vec::new();
    for summary in summaries {
        if summary.direction == DispatchDirection::Outward {
            continue;
        }
        let Some(record) = state
            .store()
            .dispatch(principal.operator, summary.id)
            .await?
        else {
            continue;
        };
        rows.push(ArrivingRow {
            s8: record.s8.to_string(),
            origin: record.s8.origin.to_string(),
            direction: record.direction.as_str().to_owned(),
            direction_text: t.tr(&format!("exchange-direction-{}", record.direction.as_str())),
            advised: record.advised,
            received: record
                .receptacles
                .iter()
                .filter(|receptacle| {
                    matches!(
                        receptacle.status,
                        ReceptacleStatus::Received | ReceptacleStatus::Opened
                    )
                })
                .count(),
            advised_count: record
                .receptacles
                .iter()
                .filter(|receptacle| receptacle.advised)
                .count(),
            status: record.status.as_str().to_owned(),
            status_text: t.tr(&format!(
                "exchange-dispatch-status-{}",
                record.status.as_str()
            )),
        });
    }
    Ok(rows)
}

/// The office of exchange desk.
#[utoipa::path(get, path = "/exchange", tag = "pages",
    params(DeskQuery),
    responses(
        (status = 200, description = "HTML desk: arrival scan, export customs, receptacles being built, dispatches", content_type = "text/html", body = String),
        (status = 422, description = "Not an office of exchange (`data-error`)", content_type = "text/html", body = String),
    ))]
pub async fn desk(
    State(state): State<AppState>,
    principal: Principal,
    page: PageRequest,
    ApiQuery(query): ApiQuery<DeskQuery>,
) -> ApiResult<Response> {
    match desk_office(&state, &principal, query.office.as_deref()).await {
        Ok(office) => {
            show_desk(
                &state,
                &principal,
                &page,
                &office,
                DeskForms::default(),
                StatusCode::OK,
            )
            .await
        }
        Err(error) => failure(&state, &principal, &page, error).await,
    }
}

/// Scans an item's arrival at the office (`EMB`): the desk again, saying so (a second scan
/// says the item had already arrived), or 422 with the rule that refused it.
#[utoipa::path(post, path = "/exchange/arrivals", tag = "pages",
    request_body(content = ScanForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "Recorded: the desk with `[data-arrived]`", content_type = "text/html", body = String),
        (status = 422, description = "Refused: `p.field-error[data-field=s10][data-code]`", content_type = "text/html", body = String),
    ))]
pub async fn arrival(
    State(state): State<AppState>,
    principal: Principal,
    page: PageRequest,
    ApiForm(form): ApiForm<ScanForm>,
) -> ApiResult<Response> {
    let office = match desk_office(&state, &principal, form.office.as_deref()).await {
        Ok(office) => office,
        Err(error) => return failure(&state, &principal, &page, error).await,
    };
    let outcome = async {
        let s10 = exchange::parse_s10(&form.s10)?;
        exchange::scan_arrival(&state, &principal, &office, &s10).await
    }
    .await;
    let mut forms = DeskForms::default();
    let status = match outcome {
        Ok(recorded) => {
            forms.arrived = Some((
                recorded.item.s10,
                recorded.event.event.code.as_str().to_owned(),
                recorded.repeated,
            ));
            StatusCode::OK
        }
        Err(error) if shown(&error) => {
            forms.arrival_error = Some(Problem::of(&error, &form.s10));
            StatusCode::UNPROCESSABLE_ENTITY
        }
        Err(error) => return Err(error),
    };
    show_desk(&state, &principal, &page, &office, forms, status).await
}

/// Records an export customs step: presented (`EXA`), held (`EXB`, with a reason) or returned
/// (`EXC`).
#[utoipa::path(post, path = "/exchange/export-customs", tag = "pages",
    request_body(content = CustomsForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "Recorded: the desk saying so", content_type = "text/html", body = String),
        (status = 422, description = "Refused: `p.field-error[data-field][data-code]`", content_type = "text/html", body = String),
    ))]
pub async fn export_customs(
    State(state): State<AppState>,
    principal: Principal,
    page: PageRequest,
    ApiForm(form): ApiForm<CustomsForm>,
) -> ApiResult<Response> {
    let office = match desk_office(&state, &principal, form.office.as_deref()).await {
        Ok(office) => office,
        Err(error) => return failure(&state, &principal, &page, error).await,
    };
    let outcome = async {
        let s10 = exchange::parse_s10(&form.s10)?;
        let step = ExportCustomsStep::parse(form.step.trim()).ok_or_else(|| {
            ApiError::invalid_body("step", "the step is `present`, `hold` or `return`")
        })?;
        let reason = Some(form.reason.trim())
            .filter(|text| !text.is_empty())
            .map(|text| {
                ReasonCode::parse(text)
                    .map_err(|error| ApiError::invalid_body("reason", error.to_string()))
            })
            .transpose()?;
        let details = EventDetails {
            reason,
            next_action: None,
            signatory: None,
            collected: None,
            note: Some(form.note.trim().to_owned()).filter(|note| !note.is_empty()),
        };
        exchange::export_customs(&state, &principal, &office, &s10, step, details).await
    }
    .await;
    let mut forms = DeskForms::default();
    let status = match outcome {
        Ok(recorded) => {
            forms.customs_done = Some((
                recorded.item.s10,
                recorded.event.event.code.as_str().to_owned(),
            ));
            StatusCode::OK
        }
        Err(error) if shown(&error) => {
            forms.customs_error = Some(Problem::of(&error, &form.s10));
            forms.customs = form;
            StatusCode::UNPROCESSABLE_ENTITY
        }
        Err(error) => return Err(error),
    };
    show_desk(&state, &principal, &page, &office, forms, status).await
}

/// A receptacle's label scanned on arrival.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct ReceptacleArrivalForm {
    pub csrf_token: String,
    pub office: Option<String>,
    /// The S9 ID read from the label.
    pub s9: String,
    /// Grams on our scale, digits only; empty when not weighed.
    pub measured_weight_grams: String,
    /// A checkbox: present (`on`) when the receptacle is torn, wet or its seal broken.
    pub damaged: Option<String>,
}

/// Whether a checkbox was ticked.
pub(super) fn ticked(value: &Option<String>) -> bool {
    value
        .as_deref()
        .map(str::trim)
        .is_some_and(|text| !text.is_empty() && text != "false" && text != "0")
}

/// Scans a receptacle's label on arrival at a transit or inward office: the desk again saying
/// which dispatch it belongs to, or 422 with the rule that refused it.
#[utoipa::path(post, path = "/exchange/receptacle-arrivals", tag = "pages",
    request_body(content = ReceptacleArrivalForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "Received: the desk with `[data-received]`", content_type = "text/html", body = String),
        (status = 422, description = "Refused: `p.field-error[data-field][data-code]`, e.g. `invalid_s9`, `own_dispatch`, `other_office`", content_type = "text/html", body = String),
    ))]
pub async fn receptacle_arrival(
    State(state): State<AppState>,
    principal: Principal,
    page: PageRequest,
    ApiForm(form): ApiForm<ReceptacleArrivalForm>,
) -> ApiResult<Response> {
    let office = match desk_office(&state, &principal, form.office.as_deref()).await {
        Ok(office) => office,
        Err(error) => return failure(&state, &principal, &page, error).await,
    };
    let typed = form.measured_weight_grams.trim().to_owned();
    let outcome = async {
        let s9 = crate::exchange_inward::parse_s9(&form.s9)?;
        let weight = if typed.is_empty() {
            None
        } else {
            Some(Grams::new(typed.parse().map_err(|_| {
                ApiError::invalid_body(
                    "measured_weight_grams",
                    "the measured weight is a whole number of grams",
                )
            })?))
        };
        crate::exchange_inward::receive_receptacle(
            &state,
            &principal,
            &office,
            s9,
            weight,
            ticked(&form.damaged),
        )
        .await
    }
    .await;
    let mut forms = DeskForms::default();
    let status = match outcome {
        Ok(record) => {
            forms.received = Some((
                record.s9.map(|s9| s9.to_string()).unwrap_or_default(),
                record
                    .s9
                    .map(|s9| s9.dispatch.to_string())
                    .unwrap_or_default(),
            ));
            StatusCode::OK
        }
        Err(error) if shown(&error) => {
            let mut problem = Problem::of(&error, "");
            if problem.field.is_empty() {
                problem.field = "s9".to_owned();
            }
            forms.receive_error = Some(problem);
            forms.receive_weight = typed;
            StatusCode::UNPROCESSABLE_ENTITY
        }
        Err(error) => return Err(error),
    };
    show_desk(&state, &principal, &page, &office, forms, status).await
}

/// Scans an item released to the post as it leaves for its delivery office (`EMF`).
#[utoipa::path(post, path = "/exchange/forwarding", tag = "pages",
    request_body(content = ScanForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "Recorded: the desk with `[data-forwarded]`", content_type = "text/html", body = String),
        (status = 422, description = "Refused (a lifecycle rule, e.g. not released by customs): `p.field-error[data-field=s10][data-code]`", content_type = "text/html", body = String),
    ))]
pub async fn forwarding(
    State(state): State<AppState>,
    principal: Principal,
    page: PageRequest,
    ApiForm(form): ApiForm<ScanForm>,
) -> ApiResult<Response> {
    let office = match desk_office(&state, &principal, form.office.as_deref()).await {
        Ok(office) => office,
        Err(error) => return failure(&state, &principal, &page, error).await,
    };
    let outcome = async {
        let s10 = exchange::parse_s10(&form.s10)?;
        exchange::record_local_event(
            &state,
            &principal,
            &s10,
            barid_core::Milestone::DepartedInwardOffice,
            office.site(),
            EventDetails::default(),
        )
        .await
    }
    .await;
    let mut forms = DeskForms::default();
    let status = match outcome {
        Ok(recorded) => {
            forms.forwarded = Some((
                recorded.item.s10,
                recorded.event.event.code.as_str().to_owned(),
            ));
            StatusCode::OK
        }
        Err(error) if shown(&error) => {
            forms.forward_error = Some(Problem::of(&error, &form.s10));
            StatusCode::UNPROCESSABLE_ENTITY
        }
        Err(error) => return Err(error),
    };
    show_desk(&state, &principal, &page, &office, forms, status).await
}

fn parse_series(
    office: &ExchangeOffice,
    form: &SeriesForm,
) -> ApiResult<(OfficeCode, MailCategory, MailSubclass)> {
    crate::api::exchange::parse_series(
        office,
        &crate::api::exchange::SeriesRequest {
            office: None,
            destination: form.destination.clone(),
            category: form.category.clone(),
            subclass: form.subclass.clone(),
        },
    )
}

/// Opens a receptacle and goes to it, to scan items in.
#[utoipa::path(post, path = "/exchange/receptacles", tag = "pages",
    request_body(content = SeriesForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 303, description = "Opened: redirect to `/exchange/receptacles/{id}`"),
        (status = 422, description = "Refused (e.g. `no_route`): the desk with the open form's error", content_type = "text/html", body = String),
    ))]
pub async fn open_receptacle(
    State(state): State<AppState>,
    principal: Principal,
    page: PageRequest,
    ApiForm(form): ApiForm<SeriesForm>,
) -> ApiResult<Response> {
    let office = match desk_office(&state, &principal, form.office.as_deref()).await {
        Ok(office) => office,
        Err(error) => return failure(&state, &principal, &page, error).await,
    };
    let outcome = async {
        let (destination, category, subclass) = parse_series(&office, &form)?;
        exchange::open_receptacle(
            &state,
            &principal,
            &office,
            &exchange::ReceptacleChoice {
                destination,
                category,
                subclass,
            },
        )
        .await
    }
    .await;
    match outcome {
        Ok(record) => {
            Ok(Redirect::to(&format!("/exchange/receptacles/{}", record.id.0)).into_response())
        }
        Err(error) if shown(&error) => {
            let forms = DeskForms {
                open_error: Some(Problem::of(&error, "")),
                open: form,
                ..DeskForms::default()
            };
            show_desk(
                &state,
                &principal,
                &page,
                &office,
                forms,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(error) => Err(error),
    }
}

/// Closes the dispatch of a series with its closed receptacles and goes to it.
#[utoipa::path(post, path = "/exchange/dispatches", tag = "pages",
    request_body(content = SeriesForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 303, description = "Closed: redirect to `/exchange/dispatches/{s8}`"),
        (status = 422, description = "Refused (e.g. `open_receptacle`, `empty_dispatch`): the desk with the error", content_type = "text/html", body = String),
    ))]
pub async fn close_dispatch(
    State(state): State<AppState>,
    principal: Principal,
    page: PageRequest,
    ApiForm(form): ApiForm<SeriesForm>,
) -> ApiResult<Response> {
    let office = match desk_office(&state, &principal, form.office.as_deref()).await {
        Ok(office) => office,
        Err(error) => return failure(&state, &principal, &page, error).await,
    };
    let outcome = async {
        let (destination, category, subclass) = parse_series(&office, &form)?;
        let series = DispatchSeries {
            origin: office.impc,
            destination,
            category,
            subclass,
        };
        crate::exchange_messages::close_dispatch(&state, &principal, &office, series).await
    }
    .await;
    match outcome {
        Ok(record) => {
            Ok(Redirect::to(&format!("/exchange/dispatches/{}", record.s8)).into_response())
        }
        Err(error) if shown(&error) => {
            let forms = DeskForms {
                dispatch_error: Some(Problem::of(&error, "")),
                ..DeskForms::default()
            };
            show_desk(
                &state,
                &principal,
                &page,
                &office,
                forms,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(error) => Err(error),
    }
}

// --- a receptacle --------------------------------------------------------------------------

/// One item of a receptacle.
#[derive(Debug, Clone)]
pub struct BaggedItem {
    pub s10: String,
    pub status_text: String,
    pub weight: Option<u32>,
    /// Inward: listed in the pre-advice, found on opening, found damaged.
    pub advised: bool,
    pub scanned: bool,
    pub damaged: bool,
}

#[derive(Template)]
#[template(path = "exchange_receptacle.html")]
struct ReceptaclePage {
    t: Tr,
    layout: Layout,
    csrf_token: String,
    can_act: bool,
    id: i64,
    office: String,
    series: String,
    status: String,
    status_text: String,
    s9: Option<String>,
    /// The S8 ID of the dispatch it belongs to, once it has one.
    dispatch: Option<String>,
    gross_weight: Option<u32>,
    contents_weight: u32,
    registered: bool,
    items: Vec<BaggedItem>,
    added: Option<String>,
    scan_error: Option<Notice>,
    close_error: Option<Notice>,
    reopen_error: Option<Notice>,
    weight_value: String,
    reopen_reason: String,
    /// A receptacle of a partner's dispatch received here (not one we built).
    partner: bool,
    /// Inward and received: items are scanned as it is opened.
    can_open: bool,
    advised: bool,
    received_weight: Option<u32>,
    damaged: bool,
    found: Option<String>,
    found_error: Option<Notice>,
}

/// What the receptacle page's forms show after a step.
#[derive(Debug, Clone, Default)]
struct ReceptacleForms {
    added: Option<S10Id>,
    scan_error: Option<Problem>,
    close_error: Option<Problem>,
    reopen_error: Option<Problem>,
    weight: String,
    reason: String,
    found: Option<S10Id>,
    found_error: Option<Problem>,
}

/// The receptacle page after a scan into it: the page saying what was taken (200), or the
/// rule that refused the scan (422) with what was typed.
#[allow(clippy::too_many_arguments)]
async fn answer_scan(
    state: &AppState,
    principal: &Principal,
    page: &PageRequest,
    record: &ReceptacleRecord,
    outcome: Result<(S10Id, ReceptacleRecord), ApiError>,
    typed: &str,
    taken: fn(S10Id) -> ReceptacleForms,
    refused: fn(Problem) -> ReceptacleForms,
) -> ApiResult<Response> {
    match outcome {
        Ok((s10, record)) => {
            show_receptacle(state, principal, page, &record, taken(s10), StatusCode::OK).await
        }
        Err(error) if shown(&error) => {
            show_receptacle(
                state,
                principal,
                page,
                record,
                refused(Problem::of(&error, typed)),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(error) => Err(error),
    }
}

async fn show_receptacle(
    state: &AppState,
    principal: &Principal,
    page: &PageRequest,
    record: &ReceptacleRecord,
    forms: ReceptacleForms,
    status: StatusCode,
) -> ApiResult<Response> {
    let (t, layout) = page.layout(state, Some(principal), Section::Exchange).await;
    let items: Vec<BaggedItem> = record
        .items
        .iter()
        .map(|item| BaggedItem {
            s10: item.s10.to_string(),
            status_text: item
                .item
                .as_ref()
                .map(|copy| view::status_text(&t, copy.status))
                .unwrap_or_default(),
            weight: item.item.as_ref().map(|copy| copy.weight.get()),
            advised: item.advised,
            scanned: item.scanned,
            damaged: item.damaged,
        })
        .collect();
    let partner = !matches!(
        record.status,
        ReceptacleStatus::Open | ReceptacleStatus::Closed | ReceptacleStatus::Dispatched
    );
    // An inward receptacle is addressed to the office's own IMPC; a transit one goes on.
    let inward = partner
        && state
            .store()
            .office(principal.operator, &record.office)
            .await?
            .and_then(|office| office.impc)
            == Some(record.series.destination);
    let data = ReceptaclePage {
        csrf_token: principal.csrf_token().unwrap_or_default().to_owned(),
        can_act: principal.has_any_role(EXCHANGE),
        id: record.id.0,
        office: record.office.to_string(),
        series: series_text(&record.series),
        status: record.status.as_str().to_owned(),
        status_text: receptacle_status_text(&t, record.status),
        s9: record.s9.map(|s9| s9.to_string()),
        dispatch: record
            .dispatch
            .and(record.s9)
            .map(|s9| s9.dispatch.to_string()),
        gross_weight: record.gross_weight.map(|grams| grams.get()),
        contents_weight: items.iter().filter_map(|item| item.weight).sum(),
        registered: registered(record),
        items,
        added: forms
            .added
            .map(|s10| t.tr1("exchange-added", "s10", s10.to_string())),
        scan_error: forms.scan_error.map(|problem| problem.notice(&t)),
        close_error: forms.close_error.map(|problem| problem.notice(&t)),
        reopen_error: forms.reopen_error.map(|problem| problem.notice(&t)),
        weight_value: forms.weight,
        reopen_reason: forms.reason,
        partner,
        can_open: inward
            && principal.has_any_role(EXCHANGE)
            && matches!(
                record.status,
                ReceptacleStatus::Received | ReceptacleStatus::Opened
            ),
        advised: record.advised,
        received_weight: record.received_weight.map(|grams| grams.get()),
        damaged: record.damaged,
        found: forms
            .found
            .map(|s10| t.tr1("exchange-found", "s10", s10.to_string())),
        found_error: forms.found_error.map(|problem| problem.notice(&t)),
        t,
        layout,
    };
    Ok((status, page.jar(state), render(&data)?).into_response())
}

/// A receptacle: scanning items in while open, its weight and S9 ID once closed.
#[utoipa::path(get, path = "/exchange/receptacles/{id}", tag = "pages",
    params(("id" = i64, Path, description = "Receptacle number"), super::LangQuery),
    responses(
        (status = 200, description = "HTML page of the receptacle", content_type = "text/html", body = String),
        (status = 404, description = "No such receptacle (`data-error=\"not_found\"`)", content_type = "text/html", body = String),
    ))]
pub async fn receptacle(
    State(state): State<AppState>,
    principal: Principal,
    page: PageRequest,
    PathParam(id): PathParam<ReceptacleRowId>,
) -> ApiResult<Response> {
    match load_receptacle(&state, &principal, id).await {
        Ok((_, record)) => {
            show_receptacle(
                &state,
                &principal,
                &page,
                &record,
                ReceptacleForms::default(),
                StatusCode::OK,
            )
            .await
        }
        Err(error) => failure(&state, &principal, &page, error).await,
    }
}

/// Scans an item into the receptacle: the page again with the item listed, or 422 with the
/// rule that refused it (the item is not added).
#[utoipa::path(post, path = "/exchange/receptacles/{id}/items", tag = "pages",
    params(("id" = i64, Path, description = "Receptacle number")),
    request_body(content = ScanForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "Added: the receptacle page with `[data-added]`", content_type = "text/html", body = String),
        (status = 404, description = "No such receptacle", content_type = "text/html", body = String),
        (status = 422, description = "Refused: `p.field-error[data-field=s10][data-code]`, e.g. `wrong_destination`, `item_held`, `already_bagged`", content_type = "text/html", body = String),
    ))]
pub async fn bag(
    State(state): State<AppState>,
    principal: Principal,
    page: PageRequest,
    PathParam(id): PathParam<ReceptacleRowId>,
    ApiForm(form): ApiForm<ScanForm>,
) -> ApiResult<Response> {
    let (office, record) = match load_receptacle(&state, &principal, id).await {
        Ok(found) => found,
        Err(error) => return failure(&state, &principal, &page, error).await,
    };
    let outcome = async {
        let s10 = exchange::parse_s10(&form.s10)?;
        let record = exchange::bag_item(&state, &principal, &office, id, &s10).await?;
        Ok::<_, ApiError>((s10, record))
    }
    .await;
    answer_scan(
        &state,
        &principal,
        &page,
        &record,
        outcome,
        &form.s10,
        |s10| ReceptacleForms {
            added: Some(s10),
            ..ReceptacleForms::default()
        },
        |problem| ReceptacleForms {
            scan_error: Some(problem),
            ..ReceptacleForms::default()
        },
    )
    .await
}

/// An item found as an inward receptacle is opened.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct FoundItemForm {
    pub csrf_token: String,
    pub s10: String,
    /// A checkbox: present (`on`) when the item is damaged.
    pub damaged: Option<String>,
}

/// Scans an item found in an opened inward receptacle (`EMD`): the page again with the item
/// listed as found, or 422 with the rule that refused it.
#[utoipa::path(post, path = "/exchange/receptacles/{id}/found-items", tag = "pages",
    params(("id" = i64, Path, description = "Receptacle number")),
    request_body(content = FoundItemForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "Found: the receptacle page with `[data-found]`", content_type = "text/html", body = String),
        (status = 404, description = "No such receptacle", content_type = "text/html", body = String),
        (status = 422, description = "Refused: `p.field-error[data-field][data-code]`, e.g. `closed_transit`, `receptacle_not_received`, `invalid_s10`", content_type = "text/html", body = String),
    ))]
pub async fn found_item(
    State(state): State<AppState>,
    principal: Principal,
    page: PageRequest,
    PathParam(id): PathParam<ReceptacleRowId>,
    ApiForm(form): ApiForm<FoundItemForm>,
) -> ApiResult<Response> {
    let (office, record) = match load_receptacle(&state, &principal, id).await {
        Ok(found) => found,
        Err(error) => return failure(&state, &principal, &page, error).await,
    };
    let outcome = async {
        let s10 = exchange::parse_s10(&form.s10)?;
        let record = crate::exchange_inward::open_item(
            &state,
            &principal,
            &office,
            id,
            &s10,
            ticked(&form.damaged),
        )
        .await?;
        Ok::<_, ApiError>((s10, record))
    }
    .await;
    answer_scan(
        &state,
        &principal,
        &page,
        &record,
        outcome,
        &form.s10,
        |s10| ReceptacleForms {
            found: Some(s10),
            ..ReceptacleForms::default()
        },
        |problem| ReceptacleForms {
            found_error: Some(problem),
            ..ReceptacleForms::default()
        },
    )
    .await
}

/// Takes an item out of an open receptacle.
#[utoipa::path(post, path = "/exchange/receptacles/{id}/items/remove", tag = "pages",
    params(("id" = i64, Path, description = "Receptacle number")),
    request_body(content = ScanForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 303, description = "Removed: back to the receptacle"),
        (status = 422, description = "Refused: the receptacle page with the error", content_type = "text/html", body = String),
    ))]
pub async fn unbag(
    State(state): State<AppState>,
    principal: Principal,
    page: PageRequest,
    PathParam(id): PathParam<ReceptacleRowId>,
    ApiForm(form): ApiForm<ScanForm>,
) -> ApiResult<Response> {
    let (office, record) = match load_receptacle(&state, &principal, id).await {
        Ok(found) => found,
        Err(error) => return failure(&state, &principal, &page, error).await,
    };
    let outcome = async {
        let s10 = exchange::parse_s10(&form.s10)?;
        exchange::unbag_item(&state, &principal, &office, id, &s10).await
    }
    .await;
    after_step(
        &state,
        &principal,
        &page,
        &record,
        outcome,
        |problem| ReceptacleForms {
            scan_error: Some(problem),
            ..ReceptacleForms::default()
        },
        &form.s10,
    )
    .await
}

/// Back to the receptacle after a step, or the page with the step's refusal.
async fn after_step(
    state: &AppState,
    principal: &Principal,
    page: &PageRequest,
    record: &ReceptacleRecord,
    outcome: ApiResult<ReceptacleRecord>,
    forms: impl FnOnce(Problem) -> ReceptacleForms,
    s10: &str,
) -> ApiResult<Response> {
    match outcome {
        Ok(record) => {
            Ok(Redirect::to(&format!("/exchange/receptacles/{}", record.id.0)).into_response())
        }
        Err(error) if shown(&error) => {
            let forms = forms(Problem::of(&error, s10));
            show_receptacle(
                state,
                principal,
                page,
                record,
                forms,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(error) => Err(error),
    }
}

/// Closes the receptacle with its gross weight.
#[utoipa::path(post, path = "/exchange/receptacles/{id}/close", tag = "pages",
    params(("id" = i64, Path, description = "Receptacle number")),
    request_body(content = CloseForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 303, description = "Closed: back to the receptacle"),
        (status = 422, description = "Refused (`empty_receptacle`, `lighter_than_contents`, ...): `p.field-error[data-field=gross_weight_grams][data-code]`", content_type = "text/html", body = String),
    ))]
pub async fn close_receptacle(
    State(state): State<AppState>,
    principal: Principal,
    page: PageRequest,
    PathParam(id): PathParam<ReceptacleRowId>,
    ApiForm(form): ApiForm<CloseForm>,
) -> ApiResult<Response> {
    let (office, record) = match load_receptacle(&state, &principal, id).await {
        Ok(found) => found,
        Err(error) => return failure(&state, &principal, &page, error).await,
    };
    let typed = form.gross_weight_grams.trim().to_owned();
    let outcome = async {
        let grams: u32 = typed.parse().map_err(|_| {
            ApiError::invalid_body(
                "gross_weight_grams",
                "the gross weight is a whole number of grams",
            )
        })?;
        crate::exchange_messages::close_receptacle(
            &state,
            &principal,
            &office,
            id,
            Grams::new(grams),
        )
        .await
    }
    .await;
    let kept = typed.clone();
    after_step(
        &state,
        &principal,
        &page,
        &record,
        outcome,
        move |problem| ReceptacleForms {
            close_error: Some(problem),
            weight: kept,
            ..ReceptacleForms::default()
        },
        "",
    )
    .await
}

/// Reopens a closed receptacle whose dispatch has not closed; the reason is audited.
#[utoipa::path(post, path = "/exchange/receptacles/{id}/reopen", tag = "pages",
    params(("id" = i64, Path, description = "Receptacle number")),
    request_body(content = ReopenForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 303, description = "Open again: back to the receptacle"),
        (status = 422, description = "Refused (`dispatch_closed`, no reason): `p.field-error[data-field=reason][data-code]`", content_type = "text/html", body = String),
    ))]
pub async fn reopen_receptacle(
    State(state): State<AppState>,
    principal: Principal,
    page: PageRequest,
    PathParam(id): PathParam<ReceptacleRowId>,
    ApiForm(form): ApiForm<ReopenForm>,
) -> ApiResult<Response> {
    let (office, record) = match load_receptacle(&state, &principal, id).await {
        Ok(found) => found,
        Err(error) => return failure(&state, &principal, &page, error).await,
    };
    let reason = form.reason.trim().to_owned();
    let outcome = async {
        if reason.is_empty() {
            return Err(ApiError::refused(
                "reason_required",
                "reason",
                "say why the receptacle is reopened",
            ));
        }
        exchange::reopen_receptacle(&state, &principal, &office, id, &reason).await
    }
    .await;
    let kept = reason.clone();
    after_step(
        &state,
        &principal,
        &page,
        &record,
        outcome,
        move |problem| ReceptacleForms {
            reopen_error: Some(problem),
            reason: kept,
            ..ReceptacleForms::default()
        },
        "",
    )
    .await
}

// --- a dispatch ----------------------------------------------------------------------------

/// One receptacle of a dispatch.
#[derive(Debug, Clone)]
pub struct DispatchedReceptacle {
    pub id: i64,
    pub s9: String,
    pub serial: String,
    pub weight: Option<u32>,
    pub registered: bool,
    pub items: usize,
    pub status: String,
    pub status_text: String,
    /// Listed in the partner's pre-advice (always, for ours).
    pub advised: bool,
    pub received_weight: Option<u32>,
    pub damaged: bool,
    /// Inward and received: it can be opened.
    pub openable: bool,
}

/// One line of a verification note (CN 43).
#[derive(Debug, Clone)]
pub struct DiscrepancyRow {
    pub code: String,
    pub text: String,
    pub receptacle: String,
    pub item: String,
    pub expected: String,
    pub found: String,
}

#[derive(Template)]
#[template(path = "exchange_dispatch.html")]
struct DispatchPage {
    t: Tr,
    layout: Layout,
    csrf_token: String,
    s8: String,
    origin: String,
    destination: String,
    transit: Option<String>,
    series: String,
    status: String,
    status_text: String,
    direction: String,
    direction_text: String,
    advised: bool,
    closed_at: When,
    received_at: Option<When>,
    receptacles: Vec<DispatchedReceptacle>,
    item_count: usize,
    total_weight: u64,
    can_verify: bool,
    can_forward: bool,
    verified: bool,
    discrepancies: Vec<DiscrepancyRow>,
    partner_response: Option<PartnerResponseView>,
    action_error: Option<Notice>,
}

/// The destination's response on receipt of one of our dispatches (RESDES).
#[derive(Debug, Clone)]
pub struct PartnerResponseView {
    pub received_at: When,
    pub office: String,
    pub receptacles: Vec<ReceivedReceptacleRow>,
    pub discrepancies: Vec<DiscrepancyRow>,
}

/// One receptacle as the destination received it.
#[derive(Debug, Clone)]
pub struct ReceivedReceptacleRow {
    pub s9: String,
    pub serial: String,
    pub weight: u32,
    pub damaged: bool,
}

impl PartnerResponseView {
    fn new(t: &Tr, resdes: &barid_messages::Resdes) -> Self {
        Self {
            received_at: view::when(t, resdes.received_at()),
            office: resdes.office().to_string(),
            receptacles: resdes
                .receptacles()
                .iter()
                .map(|receptacle| ReceivedReceptacleRow {
                    s9: receptacle.id.to_string(),
                    serial: receptacle.id.serial.get().to_string(),
                    weight: receptacle.measured_weight.get(),
                    damaged: receptacle.condition == barid_messages::ReceptacleCondition::Damaged,
                })
                .collect(),
            discrepancies: discrepancy_rows(t, resdes.discrepancies()),
        }
    }
}

/// A discrepancy's value as the page shows it: a weight in grams, an ID, a count.
fn discrepancy_value(t: &Tr, value: Option<&serde_json::Value>, grams: bool) -> String {
    match value {
        Some(serde_json::Value::Number(number)) if grams => t.tr1(
            "exchange-grams",
            "grams",
            number.as_u64().unwrap_or_default(),
        ),
        Some(serde_json::Value::Number(number)) => number.to_string(),
        Some(serde_json::Value::String(text)) => text.clone(),
        _ => String::new(),
    }
}

/// The lines of a verification note: ours for an inward dispatch, or the destination's, from
/// its RESDES, for an outward one.
fn discrepancy_rows(t: &Tr, discrepancies: &[barid_core::Discrepancy]) -> Vec<DiscrepancyRow> {
    discrepancies
        .iter()
        .filter_map(|discrepancy| serde_json::to_value(discrepancy).ok())
        .map(|value| {
            let field = |name: &str| value.get(name);
            let code = discrepancy_value(t, field("code"), false);
            let (expected, found) = match code.as_str() {
                "missing_receptacle" => (
                    discrepancy_value(t, field("advised_weight"), true),
                    String::new(),
                ),
                "extra_receptacle" => (
                    String::new(),
                    discrepancy_value(t, field("measured_weight"), true),
                ),
                "label_differs" => (
                    discrepancy_value(t, field("receptacle"), false),
                    discrepancy_value(t, field("found"), false),
                ),
                "weight_difference" => (
                    discrepancy_value(t, field("advised"), true),
                    discrepancy_value(t, field("measured"), true),
                ),
                "item_in_other_receptacle" => (
                    discrepancy_value(t, field("receptacle"), false),
                    discrepancy_value(t, field("found_in"), false),
                ),
                _ => (String::new(), String::new()),
            };
            DiscrepancyRow {
                text: t.tr(&format!("exchange-discrepancy-{}", code.replace('_', "-"))),
                receptacle: discrepancy_value(t, field("receptacle"), false),
                item: discrepancy_value(t, field("item"), false),
                code,
                expected,
                found,
            }
        })
        .collect()
}

async fn show_dispatch(
    state: &AppState,
    principal: &Principal,
    page: &PageRequest,
    record: &DispatchRecord,
    error: Option<Problem>,
    status: StatusCode,
) -> ApiResult<Response> {
    let (t, layout) = page.layout(state, Some(principal), Section::Exchange).await;
    let direction = record.direction;
    let receptacles: Vec<DispatchedReceptacle> = record
        .receptacles
        .iter()
        .map(|receptacle| DispatchedReceptacle {
            id: receptacle.id.0,
            s9: receptacle.s9.map(|s9| s9.to_string()).unwrap_or_default(),
            serial: receptacle
                .s9
                .map(|s9| s9.serial.get().to_string())
                .unwrap_or_default(),
            weight: receptacle.gross_weight.map(|grams| grams.get()),
            registered: registered(receptacle),
            items: receptacle.items.len(),
            status: receptacle.status.as_str().to_owned(),
            status_text: receptacle_status_text(&t, receptacle.status),
            advised: receptacle.advised || direction == DispatchDirection::Outward,
            received_weight: receptacle.received_weight.map(|grams| grams.get()),
            damaged: receptacle.damaged,
            openable: direction == DispatchDirection::Inward
                && matches!(
                    receptacle.status,
                    ReceptacleStatus::Received | ReceptacleStatus::Opened
                ),
        })
        .collect();
    let series = record.s8.series();
    let can_act = principal.has_any_role(EXCHANGE);
    let data = DispatchPage {
        csrf_token: principal.csrf_token().unwrap_or_default().to_owned(),
        s8: record.s8.to_string(),
        origin: series.origin.to_string(),
        destination: series.destination.to_string(),
        transit: record.transit_office.map(|office| office.to_string()),
        series: series_text(&series),
        status: record.status.as_str().to_owned(),
        status_text: t.tr(&format!(
            "exchange-dispatch-status-{}",
            record.status.as_str()
        )),
        direction: direction.as_str().to_owned(),
        direction_text: t.tr(&format!("exchange-direction-{}", direction.as_str())),
        advised: record.advised || direction == DispatchDirection::Outward,
        closed_at: view::when(&t, record.closed_at),
        received_at: record.received_at.map(|at| view::when(&t, at)),
        item_count: receptacles.iter().map(|receptacle| receptacle.items).sum(),
        total_weight: receptacles
            .iter()
            .filter_map(|receptacle| receptacle.weight)
            .map(u64::from)
            .sum(),
        receptacles,
        can_verify: can_act
            && direction == DispatchDirection::Inward
            && record.status == DispatchStatus::Received,
        can_forward: can_act
            && direction == DispatchDirection::Transit
            && record.status == DispatchStatus::Received,
        verified: direction == DispatchDirection::Inward
            && record.status == DispatchStatus::Verified,
        discrepancies: crate::exchange_inward::discrepancies_of(record)
            .map(|discrepancies| discrepancy_rows(&t, &discrepancies))
            .unwrap_or_default(),
        partner_response: crate::exchange_messages::partner_response(record)
            .map(|resdes| PartnerResponseView::new(&t, &resdes)),
        action_error: error.map(|problem| problem.notice(&t)),
        t,
        layout,
    };
    Ok((status, page.jar(state), render(&data)?).into_response())
}

/// A dispatch: its S8 ID, route, receptacles with their S9 IDs, and its documents; for a
/// partner's dispatch, what was received of it and, once verified, its discrepancies.
#[utoipa::path(get, path = "/exchange/dispatches/{s8}", tag = "pages",
    params(("s8" = String, Path, description = "The dispatch's S8 ID (20 characters); the latest dispatch with it"), super::LangQuery),
    responses(
        (status = 200, description = "HTML page of the dispatch", content_type = "text/html", body = String),
        (status = 400, description = "`invalid_path`: not a valid S8 ID (a JSON error)", body = crate::error::ErrorBody),
        (status = 404, description = "No such dispatch (`data-error=\"not_found\"`)", content_type = "text/html", body = String),
    ))]
pub async fn dispatch(
    State(state): State<AppState>,
    principal: Principal,
    page: PageRequest,
    PathParam(s8): PathParam<barid_core::DispatchId>,
) -> ApiResult<Response> {
    match crate::api::exchange::visible_dispatch(&state, &principal, &s8).await {
        Ok(record) => show_dispatch(&state, &principal, &page, &record, None, StatusCode::OK).await,
        Err(error) => failure(&state, &principal, &page, error).await,
    }
}

/// A step on a partner's dispatch: back to the dispatch once done, or the page with the
/// step's refusal (422).
async fn dispatch_step(
    state: &AppState,
    principal: &Principal,
    page: &PageRequest,
    s8: &barid_core::DispatchId,
    step: DispatchStep,
) -> ApiResult<Response> {
    let record = match crate::api::exchange::visible_dispatch(state, principal, s8).await {
        Ok(record) => record,
        Err(error) => return failure(state, principal, page, error).await,
    };
    let outcome = async {
        let office =
            exchange::office_of_exchange(state, principal, Some(record.office.as_str())).await?;
        match step {
            DispatchStep::Verify => {
                crate::exchange_inward::verify_dispatch(state, principal, &office, record.id)
                    .await
                    .map(|(record, _)| record)
            }
            DispatchStep::Forward => {
                crate::exchange_inward::forward_dispatch(state, principal, &office, record.id).await
            }
        }
    }
    .await;
    match outcome {
        Ok(record) => {
            Ok(Redirect::to(&format!("/exchange/dispatches/{}", record.s8)).into_response())
        }
        Err(error) if error.code() == ErrorCode::NotFound => {
            failure(state, principal, page, error).await
        }
        Err(error) if shown(&error) => {
            show_dispatch(
                state,
                principal,
                page,
                &record,
                Some(Problem::of(&error, "")),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(error) => Err(error),
    }
}

#[derive(Debug, Clone, Copy)]
enum DispatchStep {
    Verify,
    Forward,
}

/// A form with nothing but its CSRF token.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct TokenForm {
    pub csrf_token: String,
}

/// Verifies an inward dispatch against its pre-advice: its discrepancies become its
/// verification note (CN 43), and a RESDES tells the origin post what arrived.
#[utoipa::path(post, path = "/exchange/dispatches/{s8}/verify", tag = "pages",
    params(("s8" = String, Path, description = "The dispatch's S8 ID (20 characters); the latest dispatch with it")),
    request_body(content = TokenForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 303, description = "Verified: back to the dispatch, which lists its discrepancies"),
        (status = 400, description = "`invalid_path`: not a valid S8 ID (a JSON error)", body = crate::error::ErrorBody),
        (status = 404, description = "No such dispatch", content_type = "text/html", body = String),
        (status = 422, description = "Refused (`closed_transit`, `dispatch_not_received`): `p.field-error[data-field=dispatch][data-code]`", content_type = "text/html", body = String),
    ))]
pub async fn verify_dispatch(
    State(state): State<AppState>,
    principal: Principal,
    page: PageRequest,
    PathParam(s8): PathParam<barid_core::DispatchId>,
    ApiForm(_form): ApiForm<TokenForm>,
) -> ApiResult<Response> {
    dispatch_step(&state, &principal, &page, &s8, DispatchStep::Verify).await
}

/// Sends a closed transit dispatch on (`EMK` for its items, reported to the origin post).
#[utoipa::path(post, path = "/exchange/dispatches/{s8}/forward", tag = "pages",
    params(("s8" = String, Path, description = "The dispatch's S8 ID (20 characters); the latest dispatch with it")),
    request_body(content = TokenForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 303, description = "Sent on: back to the dispatch"),
        (status = 400, description = "`invalid_path`: not a valid S8 ID (a JSON error)", body = crate::error::ErrorBody),
        (status = 404, description = "No such dispatch", content_type = "text/html", body = String),
        (status = 422, description = "Refused (`not_transit`, `dispatch_not_received`): `p.field-error[data-field=dispatch][data-code]`", content_type = "text/html", body = String),
    ))]
pub async fn forward_dispatch(
    State(state): State<AppState>,
    principal: Principal,
    page: PageRequest,
    PathParam(s8): PathParam<barid_core::DispatchId>,
    ApiForm(_form): ApiForm<TokenForm>,
) -> ApiResult<Response> {
    dispatch_step(&state, &principal, &page, &s8, DispatchStep::Forward).await
}
