//! The inward post's people after the office of exchange: import customs (`/customs`: the
//! queue of items presented or held, with their advance customs data, and the steps present,
//! hold, release, terminate) and the delivery office (`/delivery`: arrival, out for delivery,
//! a failed attempt, the pick-up point, delivery).
//!
//! Same patterns as the office of exchange's pages: plain forms, a scan field that comes back
//! empty and focused, and a refused step answered with the page itself (422) saying why in
//! `p.field-error[role=alert][data-field][data-code]`. The steps are the JSON API's (see
//! [`crate::api::inward`]), recorded by [`crate::exchange::record_local_event`].

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use barid_core::S10Id;
use barid_core::lifecycle::ItemStatus;
use barid_store::model::{Duty, Item, ItemId, Office, OfficeKind, WaitingQuery};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::accept::Choice;
use super::exchange::{Notice, Problem, desk_office, failure, shown};
use super::i18n::Tr;
use super::items::{CustomsView, PartyView};
use super::view;
use super::{Layout, PageRequest, Section, render};
use crate::api::inward::{DELIVERY_STEPS, IMPORT_CUSTOMS_STEPS, ItemStepRequest, MoneyInput};
use crate::auth::Principal;
use crate::error::{ApiError, ApiResult};
use crate::exchange;
use crate::extract::{ApiForm, ApiQuery};
use crate::router::{CUSTOMS_READ, DELIVERY, DELIVERY_READ, IMPORT_CUSTOMS};
use crate::state::AppState;

/// The longest list a page shows; the items waiting longest come first.
const QUEUE_LENGTH: u32 = 500;

/// Whether a principal follows import customs' work (for the navigation).
pub fn works_customs(principal: &Principal) -> bool {
    principal.has_any_role(CUSTOMS_READ)
}

/// Whether a principal follows a delivery office's work (for the navigation).
pub fn works_delivery(principal: &Principal) -> bool {
    principal.has_any_role(DELIVERY_READ)
}

/// `?office=` names the office, for those who work at several or oversee all.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OfficeQuery {
    /// The office, e.g. `PSRMHA` or `PS-RAMALLAH-1`.
    pub office: Option<String>,
    /// `ar` or `en`.
    pub lang: Option<String>,
}

/// One step on one item.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct StepForm {
    pub csrf_token: String,
    pub office: Option<String>,
    pub s10: String,
    /// Customs: `present`, `hold`, `release`, `terminate`. Delivery: `arrival`,
    /// `out_for_delivery`, `attempt`, `pickup`, `delivered`.
    pub step: String,
    /// A code of the reason table (a hold, a termination, a failed attempt).
    pub reason: String,
    /// After a failed attempt: `redeliver`, `hold_for_collection`, `return_to_sender`.
    pub next_action: String,
    /// Who took delivery.
    pub signatory: String,
    pub note: String,
    /// On delivery: the duty collected (`125.00`), in `collected_currency`.
    pub collected: String,
    pub collected_currency: String,
}

/// Duty assessed by customs on an item in its hands.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct DutyForm {
    pub csrf_token: String,
    pub office: Option<String>,
    pub s10: String,
    /// `125.00`
    pub amount: String,
    /// `ILS`
    pub currency: String,
    pub note: String,
}

/// One item of a queue, with what the forms need.
#[derive(Debug, Clone)]
pub struct QueueItem {
    pub s10: String,
    pub status: String,
    pub status_text: String,
    pub tone: &'static str,
    pub contents: String,
    pub weight: u32,
    pub origin: String,
    pub sender: PartyView,
    pub addressee: PartyView,
    pub customs: Option<CustomsView>,
    /// The duty customs assessed: `125.00 ILS`, its amount and currency for the delivery form,
    /// and customs' note.
    pub duty: Option<DutyView>,
    /// The refusal of a step on this item.
    pub error: Option<Notice>,
}

/// Duty on an item, as the pages show and collect it.
#[derive(Debug, Clone)]
pub struct DutyView {
    pub shown: String,
    pub amount: String,
    pub currency: String,
    pub note: Option<String>,
}

impl DutyView {
    fn new(duty: &Duty) -> Self {
        Self {
            shown: duty.amount.to_string(),
            amount: duty.amount.to_decimal_string(),
            currency: duty.amount.currency().as_str().to_owned(),
            note: duty.note.clone(),
        }
    }
}

/// The office a page is about.
#[derive(Debug, Clone)]
struct PageOffice {
    code: String,
    name: String,
}

fn page_office(t: &Tr, office: &Office) -> PageOffice {
    PageOffice {
        code: office.code.to_string(),
        name: t.pick(&office.name_en, &office.name_ar).to_owned(),
    }
}

fn reason_choices(state: &AppState, t: &Tr) -> Vec<Choice> {
    let mut reasons = vec![Choice {
        value: String::new(),
        label: t.tr("inward-choose-reason"),
    }];
    reasons.extend(state.reference().reasons().map(|info| Choice {
        value: info.code.clone(),
        label: format!("{} · {}", info.code, t.pick(&info.names.en, &info.names.ar)),
    }));
    reasons
}

/// Our items in one of `statuses` whose latest event happened at `office`, the longest
/// waiting first.
async fn items_waiting(
    state: &AppState,
    principal: &Principal,
    office: &Office,
    statuses: &[ItemStatus],
) -> ApiResult<Vec<Item>> {
    Ok(state
        .store()
        .items_waiting(
            principal.operator,
            &WaitingQuery {
                statuses: statuses.to_vec(),
                office: Some(office.code.clone()),
                limit: QUEUE_LENGTH,
            },
        )
        .await?)
}

/// The items waiting at `office` in one of `statuses`, with their duty and any refusal of the
/// step just tried.
async fn queue(
    state: &AppState,
    principal: &Principal,
    office: &Office,
    statuses: &[ItemStatus],
    t: &Tr,
    outcome: &StepOutcome,
) -> ApiResult<Vec<QueueItem>> {
    let items = items_waiting(state, principal, office, statuses).await?;
    let ids: Vec<ItemId> = items.iter().map(|item| item.id).collect();
    let duties = state.store().duties_of(principal.operator, &ids).await?;
    Ok(items
        .iter()
        .map(|item| queue_item(t, item, &duties, outcome.problem.as_ref()))
        .collect())
}

fn queue_item(
    t: &Tr,
    item: &Item,
    duties: &[Duty],
    problem: Option<&(String, Problem)>,
) -> QueueItem {
    let s10 = item.s10.to_string();
    QueueItem {
        status: item.status.as_str().to_owned(),
        status_text: view::status_text(t, item.status),
        tone: view::status_tone(item.status),
        contents: item.contents.clone(),
        weight: item.weight.get(),
        origin: t.country(&item.origin_country).to_owned(),
        sender: PartyView::new(t, &item.sender),
        addressee: PartyView::new(t, &item.addressee),
        customs: item
            .customs
            .as_ref()
            .map(|customs| CustomsView::new(t, customs)),
        duty: duties
            .iter()
            .find(|duty| duty.item == item.id)
            .map(DutyView::new),
        error: problem
            .filter(|(failed, _)| *failed == s10)
            .map(|(_, problem)| problem.notice(t)),
        s10,
    }
}

/// Records a step of `steps` from a form, as the JSON API does.
async fn record_step(
    state: &AppState,
    principal: &Principal,
    office: &Office,
    form: &StepForm,
    steps: &[(&str, barid_core::Milestone, bool)],
) -> ApiResult<(S10Id, String)> {
    let s10 = exchange::parse_s10(&form.s10)?;
    let (milestone, needs_reason) = crate::api::inward::milestone(&form.step, steps)?;
    let text = |value: &str| Some(value.trim().to_owned()).filter(|text| !text.is_empty());
    let details = crate::api::inward::details(&ItemStepRequest {
        office: None,
        s10: form.s10.clone(),
        step: form.step.clone(),
        reason: text(&form.reason),
        next_action: text(&form.next_action),
        signatory: text(&form.signatory),
        note: text(&form.note),
        collected: text(&form.collected).map(|amount| MoneyInput {
            amount,
            currency: form.collected_currency.trim().to_owned(),
        }),
    })?;
    if needs_reason && details.reason.is_none() {
        return Err(ApiError::refused(
            "reason_required",
            "reason",
            "this step needs a reason from the reason table",
        ));
    }
    if form.step.trim() == "delivered" && details.signatory.is_none() {
        return Err(ApiError::refused(
            "signatory_required",
            "signatory",
            "give the name of who took delivery",
        ));
    }
    let recorded =
        exchange::record_local_event(state, principal, &s10, milestone, &office.code, details)
            .await?;
    Ok((
        recorded.item.s10,
        recorded.event.event.code.as_str().to_owned(),
    ))
}

/// What a page's forms show after a step.
#[derive(Debug, Clone, Default)]
struct StepOutcome {
    done: Option<(S10Id, String)>,
    /// A duty just assessed: the item and the amount as shown.
    assessed: Option<(S10Id, String)>,
    /// The S10 ID typed and the refusal.
    problem: Option<(String, Problem)>,
}

/// A step's notice, shown once: on its item's line when the item is listed, else at the top.
fn top_notice(t: &Tr, outcome: &StepOutcome, listed: &[QueueItem]) -> Option<Notice> {
    outcome
        .problem
        .as_ref()
        .filter(|(s10, _)| !listed.iter().any(|item| &item.s10 == s10))
        .map(|(_, problem)| problem.notice(t))
}

fn done_text(t: &Tr, outcome: &StepOutcome) -> Option<Done> {
    if let Some((s10, shown)) = &outcome.assessed {
        return Some(Done {
            message: t.tr2(
                "customs-duty-done",
                "s10",
                s10.to_string(),
                "amount",
                shown.as_str(),
            ),
            s10: s10.to_string(),
            code: "duty".to_owned(),
        });
    }
    outcome.done.as_ref().map(|(s10, code)| Done {
        message: t.tr2(
            "exchange-customs-done",
            "s10",
            s10.to_string(),
            "code",
            code.as_str(),
        ),
        s10: s10.to_string(),
        code: code.clone(),
    })
}

/// A step just recorded.
#[derive(Debug, Clone)]
pub struct Done {
    pub s10: String,
    pub code: String,
    pub message: String,
}

// --- import customs ------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "customs.html")]
struct CustomsPage {
    t: Tr,
    layout: Layout,
    csrf_token: String,
    can_act: bool,
    /// The currency duty is assessed in unless customs says otherwise: the post's own.
    currency: String,
    office: String,
    office_name: String,
    done: Option<Done>,
    scan_error: Option<Notice>,
    reasons: Vec<Choice>,
    items: Vec<QueueItem>,
}

const CUSTOMS_QUEUE: &[ItemStatus] = &[
    ItemStatus::PresentedToImportCustoms,
    ItemStatus::HeldByImportCustoms,
];

async fn show_customs(
    state: &AppState,
    principal: &Principal,
    page: &PageRequest,
    office: &Office,
    outcome: StepOutcome,
    status: StatusCode,
) -> ApiResult<Response> {
    let (t, layout) = page.layout(state, Some(principal), Section::Customs).await;
    let items = queue(state, principal, office, CUSTOMS_QUEUE, &t, &outcome).await?;
    let scan_error = top_notice(&t, &outcome, &items);
    let shown_office = page_office(&t, office);
    let currency = state
        .store()
        .operator(principal.operator)
        .await?
        .map(|operator| operator.currency.as_str().to_owned())
        .unwrap_or_default();
    let data = CustomsPage {
        csrf_token: principal.csrf_token().unwrap_or_default().to_owned(),
        can_act: principal.has_any_role(IMPORT_CUSTOMS),
        currency,
        office: shown_office.code,
        office_name: shown_office.name,
        done: done_text(&t, &outcome),
        scan_error,
        reasons: reason_choices(state, &t),
        items,
        t,
        layout,
    };
    Ok((status, page.jar(state), render(&data)?).into_response())
}

/// Import customs at the inward office of exchange: the queue of items presented or held,
/// with their advance customs data.
#[utoipa::path(get, path = "/customs", tag = "pages",
    params(OfficeQuery),
    responses(
        (status = 200, description = "HTML customs queue: a scan field to present an item, and per item hold, release and terminate", content_type = "text/html", body = String),
        (status = 422, description = "Not an office of exchange (`data-error`)", content_type = "text/html", body = String),
    ))]
pub async fn customs(
    State(state): State<AppState>,
    principal: Principal,
    page: PageRequest,
    ApiQuery(query): ApiQuery<OfficeQuery>,
) -> ApiResult<Response> {
    match desk_office(&state, &principal, query.office.as_deref()).await {
        Ok(office) => {
            show_customs(
                &state,
                &principal,
                &page,
                &office.office,
                StepOutcome::default(),
                StatusCode::OK,
            )
            .await
        }
        Err(error) => failure(&state, &principal, &page, error).await,
    }
}

/// An import customs step: presented (`EDB`), held (`EME`, with a reason), released (`EDC`),
/// terminated (`EDX`, with a reason). The queue again, saying so, or 422 with the refusal.
#[utoipa::path(post, path = "/customs/steps", tag = "pages",
    request_body(content = StepForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "Recorded: the queue with `[data-done]`", content_type = "text/html", body = String),
        (status = 422, description = "Refused: `p.field-error[data-field][data-code]` (`reason_required`, a lifecycle rule)", content_type = "text/html", body = String),
    ))]
pub async fn customs_step(
    State(state): State<AppState>,
    principal: Principal,
    page: PageRequest,
    ApiForm(form): ApiForm<StepForm>,
) -> ApiResult<Response> {
    let office = match desk_office(&state, &principal, form.office.as_deref()).await {
        Ok(office) => office.office,
        Err(error) => return failure(&state, &principal, &page, error).await,
    };
    let outcome = record_step(&state, &principal, &office, &form, IMPORT_CUSTOMS_STEPS).await;
    let (outcome, status) = step_outcome(outcome, &form)?;
    show_customs(&state, &principal, &page, &office, outcome, status).await
}

/// Customs assesses duty on an item it holds or has been presented: the queue again, saying
/// so, or 422 with the refusal on the item's line.
#[utoipa::path(post, path = "/customs/duty", tag = "pages",
    request_body(content = DutyForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "Assessed: the queue with `[data-done][data-code=duty]`", content_type = "text/html", body = String),
        (status = 422, description = "Refused: `p.field-error[data-field][data-code]` (`not_with_customs`, `negative_duty`, `invalid_body`)", content_type = "text/html", body = String),
    ))]
pub async fn customs_duty(
    State(state): State<AppState>,
    principal: Principal,
    page: PageRequest,
    ApiForm(form): ApiForm<DutyForm>,
) -> ApiResult<Response> {
    let office = match desk_office(&state, &principal, form.office.as_deref()).await {
        Ok(office) => office.office,
        Err(error) => return failure(&state, &principal, &page, error).await,
    };
    let assessed = assess_from_form(&state, &principal, &office, &form).await;
    let step = StepForm {
        s10: form.s10.clone(),
        ..StepForm::default()
    };
    let (outcome, status) = match assessed {
        Ok(assessed) => (
            StepOutcome {
                assessed: Some(assessed),
                ..StepOutcome::default()
            },
            StatusCode::OK,
        ),
        Err(error) => step_outcome(Err(error), &step)?,
    };
    show_customs(&state, &principal, &page, &office, outcome, status).await
}

async fn assess_from_form(
    state: &AppState,
    principal: &Principal,
    office: &Office,
    form: &DutyForm,
) -> ApiResult<(S10Id, String)> {
    let s10 = exchange::parse_s10(&form.s10)?;
    let amount = MoneyInput {
        amount: form.amount.clone(),
        currency: form.currency.clone(),
    }
    .parse("duty")?;
    let note = Some(form.note.trim()).filter(|note| !note.is_empty());
    let duty =
        crate::exchange_inward::assess_duty(state, principal, &office.code, &s10, amount, note)
            .await?;
    Ok((s10, duty.amount.to_string()))
}

fn step_outcome(
    outcome: ApiResult<(S10Id, String)>,
    form: &StepForm,
) -> ApiResult<(StepOutcome, StatusCode)> {
    match outcome {
        Ok(done) => Ok((
            StepOutcome {
                done: Some(done),
                ..StepOutcome::default()
            },
            StatusCode::OK,
        )),
        Err(error) if shown(&error) => {
            let typed = S10Id::parse(form.s10.trim())
                .map(|s10| s10.to_string())
                .unwrap_or_else(|_| form.s10.trim().to_owned());
            Ok((
                StepOutcome {
                    problem: Some((typed, Problem::of(&error, &form.s10))),
                    ..StepOutcome::default()
                },
                StatusCode::UNPROCESSABLE_ENTITY,
            ))
        }
        Err(error) => Err(error),
    }
}

// --- the delivery office -------------------------------------------------------------------

#[derive(Template)]
#[template(path = "delivery.html")]
struct DeliveryPage {
    t: Tr,
    layout: Layout,
    csrf_token: String,
    can_act: bool,
    office: String,
    office_name: String,
    done: Option<Done>,
    scan_error: Option<Notice>,
    reasons: Vec<Choice>,
    next_actions: Vec<Choice>,
    items: Vec<QueueItem>,
}

const AT_DELIVERY_OFFICE: &[ItemStatus] = &[
    ItemStatus::AtDeliveryOffice,
    ItemStatus::OutForDelivery,
    ItemStatus::DeliveryAttemptFailed,
    ItemStatus::AtCollectionPoint,
];

/// The delivery office named, the principal's only office, or the first delivery office the
/// principal may act at (supervisors oversee them all).
async fn delivery_office(
    state: &AppState,
    principal: &Principal,
    named: Option<&str>,
) -> ApiResult<Office> {
    let named = named.map(str::trim).filter(|text| !text.is_empty());
    if named.is_some() || principal.home_office().is_some() {
        return exchange::our_office(state, principal, named, OfficeKind::Delivery).await;
    }
    let first = state
        .store()
        .offices(principal.operator)
        .await?
        .into_iter()
        .find(|office| {
            office.kind == OfficeKind::Delivery
                && (principal.covers_all_offices() || principal.offices.contains(&office.code))
        });
    match first {
        Some(office) => Ok(office),
        None => exchange::our_office(state, principal, None, OfficeKind::Delivery).await,
    }
}

async fn show_delivery(
    state: &AppState,
    principal: &Principal,
    page: &PageRequest,
    office: &Office,
    outcome: StepOutcome,
    status: StatusCode,
) -> ApiResult<Response> {
    let (t, layout) = page.layout(state, Some(principal), Section::Delivery).await;
    let items = queue(state, principal, office, AT_DELIVERY_OFFICE, &t, &outcome).await?;
    let scan_error = top_notice(&t, &outcome, &items);
    let next_actions = ["redeliver", "hold_for_collection", "return_to_sender"]
        .into_iter()
        .map(|action| Choice {
            value: action.to_owned(),
            label: t.tr(&format!("delivery-next-{}", action.replace('_', "-"))),
        })
        .collect();
    let shown_office = page_office(&t, office);
    let data = DeliveryPage {
        csrf_token: principal.csrf_token().unwrap_or_default().to_owned(),
        can_act: principal.has_any_role(DELIVERY),
        office: shown_office.code,
        office_name: shown_office.name,
        done: done_text(&t, &outcome),
        scan_error,
        reasons: reason_choices(state, &t),
        next_actions,
        items,
        t,
        layout,
    };
    Ok((status, page.jar(state), render(&data)?).into_response())
}

/// The delivery office: a scan field for arrivals and the items at the office, each with its
/// next steps.
#[utoipa::path(get, path = "/delivery", tag = "pages",
    params(OfficeQuery),
    responses(
        (status = 200, description = "HTML delivery page", content_type = "text/html", body = String),
        (status = 422, description = "Not a delivery office (`data-error`)", content_type = "text/html", body = String),
    ))]
pub async fn delivery(
    State(state): State<AppState>,
    principal: Principal,
    page: PageRequest,
    ApiQuery(query): ApiQuery<OfficeQuery>,
) -> ApiResult<Response> {
    match delivery_office(&state, &principal, query.office.as_deref()).await {
        Ok(office) => {
            show_delivery(
                &state,
                &principal,
                &page,
                &office,
                StepOutcome::default(),
                StatusCode::OK,
            )
            .await
        }
        Err(error) => failure(&state, &principal, &page, error).await,
    }
}

/// A delivery office step: arrival (`EMG`), out for delivery (`EDG`), a failed attempt
/// (`EMH`, with a reason and what happens next), at the pick-up point (`EDH`), delivered
/// (`EMI`, with who took it). The page again, saying so, or 422 with the refusal.
#[utoipa::path(post, path = "/delivery/steps", tag = "pages",
    request_body(content = StepForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "Recorded: the page with `[data-done]`", content_type = "text/html", body = String),
        (status = 422, description = "Refused: `p.field-error[data-field][data-code]` (`reason_required`, `signatory_required`, a lifecycle rule)", content_type = "text/html", body = String),
    ))]
pub async fn delivery_step(
    State(state): State<AppState>,
    principal: Principal,
    page: PageRequest,
    ApiForm(form): ApiForm<StepForm>,
) -> ApiResult<Response> {
    let office = match delivery_office(&state, &principal, form.office.as_deref()).await {
        Ok(office) => office,
        Err(error) => return failure(&state, &principal, &page, error).await,
    };
    let outcome = record_step(&state, &principal, &office, &form, DELIVERY_STEPS).await;
    let (outcome, status) = step_outcome(outcome, &form)?;
    show_delivery(&state, &principal, &page, &office, outcome, status).await
}
