//! `/agreements` and `/agreements/{id}`: the bilateral agreements of the post, for supervisors
//! and administrators (who change them through `/api/v1/agreements`, see `docs/agreements.md`).
//! The list says with whom, under which memorandum, in which state; an agreement's page shows
//! what acceptance and routing read from it: the services, the routes, the J+N targets with
//! their legs, the suspensions, and every earlier version.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use barid_core::quality::QualityLeg;
use barid_store::model::{Agreement, AgreementId};
use serde::Deserialize;
use utoipa::ToSchema;

use super::i18n::Tr;
use super::view::{self, When};
use super::{Layout, PageRequest, Section, render};
use crate::auth::Principal;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::extract::{ApiForm, PathParam};
use crate::router::{ADMIN, ADMIN_SUPERVISOR};
use crate::state::AppState;

/// Whether a principal reads the agreements (for the navigation).
pub fn reads_agreements(principal: &Principal) -> bool {
    principal.has_any_role(ADMIN_SUPERVISOR)
}

/// One agreement as the list shows it.
#[derive(Debug, Clone)]
pub struct AgreementRow {
    pub id: i64,
    pub partner: String,
    pub partner_name: String,
    pub reference: String,
    pub status: &'static str,
    pub status_text: String,
    pub version: i64,
    pub effective: String,
    pub services: String,
}

/// An agreement's terms as its page shows them; `None` fields are left out.
#[derive(Debug, Clone)]
pub struct TermsView {
    pub effective: String,
    pub signed_on: Option<String>,
    pub services: Vec<(String, String, String)>,
    pub routes: Vec<RouteRow>,
    pub targets: Vec<TargetRow>,
    pub suspensions: Vec<SuspensionRow>,
}

#[derive(Debug, Clone)]
pub struct RouteRow {
    pub origin: String,
    pub transit: Option<String>,
    pub destination: String,
    pub classes: String,
    pub export_customs: bool,
}

#[derive(Debug, Clone)]
pub struct TargetRow {
    pub service: String,
    pub days: u16,
    pub share_percent: String,
    /// The leg targets in the order of [`QualityLeg::ALL`], in working days.
    pub legs: Vec<Option<u16>>,
}

#[derive(Debug, Clone)]
pub struct SuspensionRow {
    pub service: Option<String>,
    pub from: String,
    pub until: Option<String>,
    pub reason: String,
}

#[derive(Debug, Clone)]
pub struct VersionRow {
    pub version: i64,
    pub status_text: String,
    pub updated: When,
}

fn status_of(t: &Tr, agreement: &Agreement) -> (&'static str, String) {
    let status = agreement.status.as_str();
    (status, t.tr(&format!("agreements-status-{status}")))
}

fn effective(terms: &barid_core::AgreementTerms) -> String {
    match terms.effective_until() {
        Some(until) => format!("{} – {until}", terms.effective_from()),
        None => format!("{} –", terms.effective_from()),
    }
}

fn row_of(t: &Tr, agreement: &Agreement, terms: &barid_core::AgreementTerms) -> AgreementRow {
    let (status, status_text) = status_of(t, agreement);
    AgreementRow {
        id: agreement.id.0,
        partner: agreement.partner.to_string(),
        partner_name: t.country(&agreement.partner).to_owned(),
        reference: agreement.reference.clone(),
        status,
        status_text,
        version: agreement.version,
        effective: effective(terms),
        services: terms
            .services()
            .iter()
            .map(|service| service.service.as_str().to_owned())
            .collect::<Vec<_>>()
            .join(", "),
    }
}

fn terms_of(agreement: &Agreement) -> ApiResult<barid_core::AgreementTerms> {
    crate::quality::stored_terms(agreement)
}

fn terms_view(t: &Tr, terms: &barid_core::AgreementTerms) -> TermsView {
    let arabic = t.lang() == "ar";
    TermsView {
        effective: effective(terms),
        signed_on: terms.signed_on().map(|date| date.to_string()),
        services: terms
            .services()
            .iter()
            .map(|service| {
                (
                    service.service.as_str().to_owned(),
                    service.mail_class.to_string(),
                    service.category.to_string(),
                )
            })
            .collect(),
        routes: terms
            .routes()
            .iter()
            .map(|route| RouteRow {
                origin: route.origin_office.to_string(),
                transit: route.transit_office.map(|office| office.to_string()),
                destination: route.destination_office.to_string(),
                classes: if route.mail_classes.is_empty() {
                    t.tr("agreements-every-class")
                } else {
                    route
                        .mail_classes
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join(" ")
                },
                export_customs: route.export_customs,
            })
            .collect(),
        targets: terms
            .targets()
            .iter()
            .map(|target| TargetRow {
                service: target.service.as_str().to_owned(),
                days: target.days,
                share_percent: format!("{:.1}", f64::from(target.share.per_mille()) / 10.0),
                legs: QualityLeg::ALL
                    .iter()
                    .map(|leg| leg.target(target))
                    .collect(),
            })
            .collect(),
        suspensions: terms
            .suspensions()
            .iter()
            .map(|suspension| SuspensionRow {
                service: suspension
                    .service
                    .as_ref()
                    .map(|service| service.as_str().to_owned()),
                from: suspension.from.to_string(),
                until: suspension.until.map(|date| date.to_string()),
                reason: if arabic {
                    suspension.reason.ar.clone()
                } else {
                    suspension.reason.en.clone()
                },
            })
            .collect(),
    }
}

#[derive(Template)]
#[template(path = "agreements.html")]
struct AgreementsPage {
    t: Tr,
    layout: Layout,
    operator: String,
    agreements: Vec<AgreementRow>,
}

/// The post's agreements with its partners.
#[utoipa::path(get, path = "/agreements", tag = "pages",
    responses((status = 200, description = "The agreements page", content_type = "text/html", body = String)))]
pub async fn list(
    State(state): State<AppState>,
    principal: Principal,
    page: PageRequest,
) -> ApiResult<Response> {
    let (t, layout) = page
        .layout(&state, Some(&principal), Section::Agreements)
        .await;
    let mut agreements = Vec::new();
    for agreement in state.store().agreements(principal.operator).await? {
        // Terms are checked when saved; one that no longer reads is left out of the list (as
        // acceptance leaves it out), not the whole page: its own page says why.
        match terms_of(&agreement) {
            Ok(terms) => agreements.push(row_of(&t, &agreement, &terms)),
            Err(error) => {
                tracing::warn!(agreement = agreement.id.0, %error, "agreement terms do not read")
            }
        }
    }
    let body = AgreementsPage {
        operator: principal.operator.to_string(),
        agreements,
        t,
        layout,
    };
    Ok((page.jar(&state), render(&body)?).into_response())
}

#[derive(Template)]
#[template(path = "agreement.html")]
struct AgreementPage {
    t: Tr,
    layout: Layout,
    row: AgreementRow,
    terms: TermsView,
    legs: Vec<String>,
    versions: Vec<VersionRow>,
    edit: Option<EditView>,
    done: bool,
}

/// The change form, for administrators: the terms as JSON (`docs/agreements.md` describes
/// them), the status, and what was wrong with the last try.
pub struct EditView {
    pub csrf_token: String,
    pub version: i64,
    pub status: String,
    pub statuses: Vec<(&'static str, String)>,
    pub terms_json: String,
    pub problems: Vec<(String, String)>,
}

impl std::fmt::Debug for EditView {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EditView")
            .field("version", &self.version)
            .field("status", &self.status)
            .finish_non_exhaustive()
    }
}

/// A change as the form sends it; every field may be missing (it is then refused as such).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct AgreementForm {
    pub csrf_token: String,
    pub version: Option<i64>,
    pub status: String,
    pub terms: String,
}

async fn agreement_of(
    state: &AppState,
    principal: &Principal,
    id: AgreementId,
) -> ApiResult<Agreement> {
    crate::api::agreements::find(state, principal.operator, id).await
}

/// The page, with the form as submitted and its problems when a change was refused.
async fn show_page(
    state: &AppState,
    principal: &Principal,
    page: &PageRequest,
    agreement: Agreement,
    submitted: Option<(&AgreementForm, &ApiError)>,
) -> ApiResult<Response> {
    let (t, layout) = page
        .layout(state, Some(principal), Section::Agreements)
        .await;
    let terms = terms_of(&agreement)?;
    let history = state
        .store()
        .agreement_history(principal.operator, agreement.id)
        .await?;
    let row = row_of(&t, &agreement, &terms);
    let versions = history
        .iter()
        .rev()
        .map(|version| VersionRow {
            version: version.version,
            status_text: status_of(&t, version).1,
            updated: view::when(&t, version.updated_at),
        })
        .collect();
    let edit = principal.has_any_role(ADMIN).then(|| EditView {
        csrf_token: principal.csrf_token().unwrap_or_default().to_owned(),
        version: agreement.version,
        status: submitted
            .map(|(form, _)| form.status.clone())
            .unwrap_or_else(|| agreement.status.as_str().to_owned()),
        statuses: ["draft", "active", "suspended", "ended"]
            .into_iter()
            .map(|status| (status, t.tr(&format!("agreements-status-{status}"))))
            .collect(),
        terms_json: submitted.map_or_else(
            || serde_json::to_string_pretty(&agreement.terms).unwrap_or_default(),
            |(form, _)| form.terms.clone(),
        ),
        problems: submitted
            .map(|(_, error)| {
                if error.errors().is_empty() {
                    vec![(
                        error.field().unwrap_or("terms").to_owned(),
                        error.message().to_owned(),
                    )]
                } else {
                    error
                        .errors()
                        .iter()
                        .map(|detail| (detail.field.clone(), detail.message.clone()))
                        .collect()
                }
            })
            .unwrap_or_default(),
    });
    let status = match submitted {
        Some((_, error)) => error.code().status(),
        None => StatusCode::OK,
    };
    let body = AgreementPage {
        terms: terms_view(&t, &terms),
        legs: QualityLeg::ALL
            .iter()
            .map(|leg| t.tr(&format!("agreements-leg-{}", leg.as_str())))
            .collect(),
        row,
        versions,
        edit,
        done: submitted.is_none() && page.query_has("done", "changed"),
        t,
        layout,
    };
    Ok((status, page.jar(state), render(&body)?).into_response())
}

/// One agreement: its services, routes, targets, suspensions and versions; administrators
/// change it here too.
#[utoipa::path(get, path = "/agreements/{id}", tag = "pages",
    params(("id" = i64, Path, description = "The agreement's number")),
    responses((status = 200, description = "The agreement's page", content_type = "text/html", body = String)))]
pub async fn show(
    State(state): State<AppState>,
    principal: Principal,
    page: PageRequest,
    PathParam(id): PathParam<AgreementId>,
) -> ApiResult<Response> {
    let agreement = agreement_of(&state, &principal, id).await?;
    show_page(&state, &principal, &page, agreement, None).await
}

/// Changes an agreement from its page: the next version, checked as the API checks it
/// (`PUT /api/v1/agreements/{id}`). A refused change shows the form again with every problem
/// and the text as typed; nothing is written.
#[utoipa::path(post, path = "/agreements/{id}", tag = "pages",
    params(("id" = i64, Path, description = "The agreement's number")),
    request_body(content = AgreementForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 303, description = "Changed: back to the agreement's page"),
        (status = 422, description = "Refused: the form again with `ul#agreement-problems`", content_type = "text/html", body = String),
        (status = 409, description = "Changed meanwhile by someone else: the form again", content_type = "text/html", body = String),
    ))]
pub async fn change(
    State(state): State<AppState>,
    principal: Principal,
    page: PageRequest,
    PathParam(id): PathParam<AgreementId>,
    ApiForm(form): ApiForm<AgreementForm>,
) -> ApiResult<Response> {
    let agreement = agreement_of(&state, &principal, id).await?;
    let request = match (form.version, serde_json::from_str(&form.terms)) {
        (Some(version), Ok(terms)) => Ok(crate::api::agreements::AgreementChangeRequest {
            version,
            status: form.status.clone(),
            terms,
        }),
        (None, _) => Err(ApiError::invalid_body(
            "version",
            "the form lost the version it was made from: open the agreement again",
        )),
        (_, Err(error)) => Err(ApiError::invalid_body(
            "terms",
            format!("the terms are not JSON: {error}"),
        )),
    };
    let outcome = match request {
        Ok(request) => crate::api::agreements::change(&state, &principal, id, request).await,
        Err(error) => Err(error),
    };
    match outcome {
        Ok(changed) => {
            Ok(Redirect::to(&format!("/agreements/{}?done=changed", changed.id.0)).into_response())
        }
        Err(error) if matches!(error.code(), ErrorCode::InvalidBody | ErrorCode::Conflict) => {
            show_page(&state, &principal, &page, agreement, Some((&form, &error))).await
        }
        Err(error) => Err(error),
    }
}
