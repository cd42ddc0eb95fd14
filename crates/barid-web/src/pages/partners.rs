//! `/partners`: the links to partner posts' nodes, for administrators (who pause and resume
//! them) and supervisors (who watch). One row per partner says where its messages go, how many
//! wait and since when, why the oldest did not go through, when one last did, and how many the
//! partner refused or we quarantined; the two lists below name those messages and the reasons.
//! The JSON API's `/api/v1/partners` reads and acts through the same
//! [`crate::partner_links`].

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use barid_core::CountryCode;
use barid_store::model::{InboxMessage, InboxState, OutboxMessage};

use super::exchange::{Notice, Problem, TokenForm, shown};
use super::i18n::Tr;
use super::view::{self, When};
use super::{Layout, PageRequest, Section, render};
use crate::auth::Principal;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiForm, PathParam};
use crate::partner_links::{self, PartnerLink};
use crate::router::{ADMIN, ADMIN_SUPERVISOR};
use crate::state::AppState;

/// Whether a principal watches the partner links (for the navigation).
pub fn watches_partners(principal: &Principal) -> bool {
    principal.has_any_role(ADMIN_SUPERVISOR)
}

/// One partner's link as the table shows it.
#[derive(Debug, Clone)]
pub struct LinkRow {
    pub partner: String,
    pub partner_name: String,
    pub url: Option<String>,
    /// `in-node`, `no-endpoint`, `paused`, `failing`, `sending`: for `data-state` and the
    /// translation of the state.
    pub state: &'static str,
    pub state_text: String,
    pub tone: &'static str,
    pub paused: bool,
    /// It has an endpoint, so it can be paused or resumed.
    pub steerable: bool,
    pub pending: u64,
    pub oldest_pending: Option<When>,
    pub last_error: Option<String>,
    pub last_delivered: Option<When>,
    pub rejected: u64,
    pub quarantined: u64,
}

impl LinkRow {
    fn new(t: &Tr, link: &PartnerLink) -> Self {
        let (state, tone) = if link.same_node {
            ("in-node", "done")
        } else if link.url.is_none() {
            ("no-endpoint", "attention")
        } else if link.paused {
            ("paused", "attention")
        } else if link.last_error.is_some() {
            ("failing", "stopped")
        } else {
            ("sending", "moving")
        };
        Self {
            partner: link.partner.to_string(),
            partner_name: t.country(&link.partner).to_owned(),
            url: link.url.clone(),
            state,
            state_text: t.tr(&format!("partners-state-{state}")),
            tone,
            paused: link.paused,
            steerable: link.url.is_some() && !link.same_node,
            pending: link.pending,
            oldest_pending: link.oldest_pending_at.map(|at| view::when(t, at)),
            last_error: link.last_error.clone(),
            last_delivered: link.last_delivered_at.map(|at| view::when(t, at)),
            rejected: link.rejected,
            quarantined: link.quarantined,
        }
    }
}

/// A message a partner refused, or one we quarantined.
#[derive(Debug, Clone)]
pub struct ProblemMessageRow {
    pub message_id: String,
    pub partner: String,
    pub sequence: i64,
    pub message_type: String,
    pub code: String,
    pub reason: String,
    pub at: When,
}

impl ProblemMessageRow {
    fn refused(t: &Tr, message: &OutboxMessage) -> Self {
        let (code, reason) = message
            .rejection
            .as_ref()
            .map(|rejection| (rejection.code.clone(), rejection.reason.clone()))
            .unwrap_or_default();
        Self {
            message_id: message.message_id.to_string(),
            partner: message.recipient.to_string(),
            sequence: message.sequence,
            message_type: message.message_type.clone(),
            code,
            reason,
            at: view::when(t, message.delivered_at.unwrap_or(message.created_at)),
        }
    }

    fn quarantined(t: &Tr, message: &InboxMessage) -> Self {
        Self {
            message_id: message.message.message_id.to_string(),
            partner: message.message.sender.to_string(),
            sequence: message.message.sequence,
            message_type: message.message.message_type.clone(),
            code: String::new(),
            reason: message.error.clone().unwrap_or_default(),
            at: view::when(t, message.message.received_at),
        }
    }
}

#[derive(Template)]
#[template(path = "partners.html")]
struct PartnersPage {
    t: Tr,
    layout: Layout,
    can_act: bool,
    csrf_token: String,
    operator: String,
    links: Vec<LinkRow>,
    refused: Vec<ProblemMessageRow>,
    quarantined: Vec<ProblemMessageRow>,
    /// `paused` or `resumed`, with the partner, after a step.
    done: Option<(String, String)>,
    error: Option<Notice>,
}

async fn show(
    state: &AppState,
    principal: &Principal,
    page: &PageRequest,
    done: Option<(String, String)>,
    refusal: Option<&ApiError>,
    status: StatusCode,
) -> ApiResult<Response> {
    let (t, layout) = page.layout(state, Some(principal), Section::Partners).await;
    // Read once: every message counts in the links, the first ones are listed.
    let mut quarantined = state.store().quarantined_inbox(principal.operator).await?;
    let links = partner_links::links_with(state.store(), principal.operator, &quarantined).await?;
    quarantined.truncate(partner_links::LISTED as usize);
    let refused = partner_links::rejections(state.store(), principal.operator).await?;
    let error = refusal.map(|error| partner_problem(&t, error));
    let body = PartnersPage {
        can_act: principal.has_any_role(ADMIN),
        csrf_token: principal.csrf_token().unwrap_or_default().to_owned(),
        operator: principal.operator.to_string(),
        links: links.iter().map(|link| LinkRow::new(&t, link)).collect(),
        refused: refused
            .iter()
            .map(|message| ProblemMessageRow::refused(&t, message))
            .collect(),
        quarantined: quarantined
            .iter()
            .map(|message| ProblemMessageRow::quarantined(&t, message))
            .collect(),
        done,
        error,
        t,
        layout,
    };
    Ok((status, page.jar(state), render(&body)?).into_response())
}

/// The partner links with their delivery state, the messages partners refused and those
/// quarantined here. `?done=paused&partner=PS` says what was just done.
#[utoipa::path(get, path = "/partners", tag = "pages",
    responses((status = 200, description = "The partners page", content_type = "text/html", body = String)))]
pub async fn list(
    State(state): State<AppState>,
    principal: Principal,
    page: PageRequest,
) -> ApiResult<Response> {
    let done = ["paused", "resumed", "applied", "released"]
        .into_iter()
        .find(|step| page.query_has("done", step))
        .and_then(|step| {
            page.query_value("partner")
                .and_then(|partner| CountryCode::parse(&partner).ok())
                .map(|partner| (step.to_owned(), partner.to_string()))
        });
    show(&state, &principal, &page, done, None, StatusCode::OK).await
}

async fn steer(
    state: &AppState,
    principal: &Principal,
    page: &PageRequest,
    partner: CountryCode,
    paused: bool,
) -> ApiResult<Response> {
    match partner_links::set_paused(state, principal, partner, paused).await {
        Ok(_) => {
            let step = if paused { "paused" } else { "resumed" };
            Ok(Redirect::to(&format!("/partners?done={step}&partner={partner}")).into_response())
        }
        Err(error) if shown(&error) => {
            let status = error.code().status();
            show(state, principal, page, None, Some(&error), status).await
        }
        Err(error) => Err(error),
    }
}

/// Applies a quarantined message again, once its cause is put right; back to the page, which
/// says so, or the page again with the reason it still cannot be applied.
#[utoipa::path(post, path = "/partners/quarantine/{message_id}/apply", tag = "pages",
    params(("message_id" = String, Path, description = "The message's UUID, as the quarantine lists it")),
    request_body(content = TokenForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 303, description = "Applied: back to the partners page"),
        (status = 409, description = "Not quarantined (`conflict`): `p.field-error[data-code]`", content_type = "text/html", body = String),
        (status = 422, description = "Still not applicable (`not_applicable`): `p.field-error[data-code]`", content_type = "text/html", body = String),
    ))]
pub async fn apply_quarantined(
    State(state): State<AppState>,
    principal: Principal,
    page: PageRequest,
    PathParam(message_id): PathParam<uuid::Uuid>,
    ApiForm(_form): ApiForm<TokenForm>,
) -> ApiResult<Response> {
    match partner_links::apply_again(&state, &principal, message_id).await {
        Ok(message) => {
            // Pending: another pass took it first and is applying it.
            let step = match message.state {
                InboxState::Pending => "released",
                InboxState::Applied | InboxState::Quarantined => "applied",
            };
            Ok(Redirect::to(&format!(
                "/partners?done={step}&partner={}",
                message.message.sender
            ))
            .into_response())
        }
        Err(error) if shown(&error) => {
            let status = error.code().status();
            show(&state, &principal, &page, None, Some(&error), status).await
        }
        Err(error) => Err(error),
    }
}

fn partner_problem(t: &Tr, error: &ApiError) -> Notice {
    let mut notice = Problem::of(error, "").notice(t);
    let key = format!("partners-error-{}", notice.code.replace('_', "-"));
    let text = t.tr(&key);
    if text != key {
        notice.message = text;
    }
    notice
}

/// Stops sending to a partner; its messages wait, in order.
#[utoipa::path(post, path = "/partners/{partner}/pause", tag = "pages",
    params(("partner" = String, Path, description = "The partner's country code, e.g. PS")),
    request_body(content = TokenForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 303, description = "Paused: back to the partners page"),
        (status = 422, description = "Refused (`no_endpoint`): `p.field-error[data-code]`", content_type = "text/html", body = String),
    ))]
pub async fn pause(
    State(state): State<AppState>,
    principal: Principal,
    page: PageRequest,
    PathParam(partner): PathParam<CountryCode>,
    ApiForm(_form): ApiForm<TokenForm>,
) -> ApiResult<Response> {
    steer(&state, &principal, &page, partner, true).await
}

/// Sends to a partner again, oldest waiting message first.
#[utoipa::path(post, path = "/partners/{partner}/resume", tag = "pages",
    params(("partner" = String, Path, description = "The partner's country code, e.g. PS")),
    request_body(content = TokenForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 303, description = "Resumed: back to the partners page"),
        (status = 422, description = "Refused (`no_endpoint`): `p.field-error[data-code]`", content_type = "text/html", body = String),
    ))]
pub async fn resume(
    State(state): State<AppState>,
    principal: Principal,
    page: PageRequest,
    PathParam(partner): PathParam<CountryCode>,
    ApiForm(_form): ApiForm<TokenForm>,
) -> ApiResult<Response> {
    steer(&state, &principal, &page, partner, false).await
}
