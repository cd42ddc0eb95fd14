//! The OpenAPI 3.1 document, generated from the handlers' `#[utoipa::path]` annotations and
//! the DTOs, then completed from the route table: each protected operation gets its security
//! schemes, the roles its policy allows, and its 401/403 answers. So the document cannot
//! disagree with the router about who may call what.

use std::sync::OnceLock;

use utoipa::OpenApi;
use utoipa::openapi::path::Operation;
use utoipa::openapi::security::{
    ApiKey, ApiKeyValue, Http, HttpAuthScheme, SecurityRequirement, SecurityScheme,
};
use utoipa::openapi::{Content, Ref, ResponseBuilder};

use crate::router::{Policy, Verb, route_table};
use crate::{api, error, pages};

pub const SESSION_SCHEME: &str = "session";
pub const TOKEN_SCHEME: &str = "token";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Barid",
        description = "International postal exchange: items, offices, users and tokens of one \
            postal operator, and public tracking. Errors are always `{\"error\": \"code\", \"message\": \"...\", \
            \"field\": \"...\"}`. Browsers authenticate with the session cookie and send the \
            session's CSRF token (see `GET /api/v1/me`) as `X-CSRF-Token` on every state \
            change; machines send `Authorization: Bearer barid_...` and need no CSRF token."
    ),
    paths(
        api::meta::healthz,
        api::meta::readyz,
        api::meta::metrics,
        api::meta::openapi_json,
        api::meta::docs_redirect,
        api::meta::docs_index,
        api::meta::docs_file,
        pages::assets::file,
        pages::login_form,
        pages::login_submit,
        pages::logout,
        pages::home,
        pages::track::track_form,
        pages::track::track_one,
        pages::items::search,
        pages::items::item,
        pages::accept::form,
        pages::accept::submit,
        pages::accept::bulk_form,
        pages::accept::bulk_submit,
        pages::accept::bulk_template,
        pages::exchange::desk,
        pages::exchange::arrival,
        pages::exchange::export_customs,
        pages::exchange::open_receptacle,
        pages::exchange::receptacle,
        pages::exchange::bag,
        pages::exchange::unbag,
        pages::exchange::close_receptacle,
        pages::exchange::reopen_receptacle,
        pages::exchange::close_dispatch,
        pages::exchange::dispatch,
        pages::exchange::verify_dispatch,
        pages::exchange::forward_dispatch,
        pages::exchange::receptacle_arrival,
        pages::exchange::found_item,
        pages::exchange::forwarding,
        pages::inward::customs,
        pages::inward::customs_step,
        pages::inward::customs_duty,
        pages::inward::delivery,
        pages::inward::delivery_step,
        pages::partners::list,
        pages::partners::pause,
        pages::partners::resume,
        pages::partners::apply_quarantined,
        pages::agreements::list,
        pages::agreements::show,
        pages::agreements::change,
        pages::quality::network,
        pages::calendars::list,
        pages::calendars::save,
        pages::quality::dashboard,
        pages::quality::items,
        api::me::me,
        api::offices::list,
        api::offices::create,
        api::offices::get,
        api::users::list,
        api::users::create,
        api::users::get,
        api::users::set_access,
        api::users::set_password,
        api::tokens::list,
        api::tokens::issue,
        api::tokens::revoke,
        api::ranges::list,
        api::ranges::create,
        api::audit::list,
        api::items::get,
        api::acceptance::create,
        api::acceptance::bulk,
        api::acceptance::label,
        api::acceptance::customs,
        api::acceptance::receipt,
        api::tracking::events,
        api::tracking::lookup,
        api::exchange::arrival,
        api::exchange::export_customs,
        api::exchange::receptacles,
        api::exchange::open_receptacle,
        api::exchange::receptacle,
        api::exchange::bag,
        api::exchange::unbag,
        api::exchange::close_receptacle,
        api::exchange::reopen_receptacle,
        api::exchange::dispatches,
        api::exchange::close_dispatch,
        api::partner::receive,
        api::partners::list,
        api::partners::set_endpoint,
        api::partners::pause,
        api::partners::resume,
        api::partners::rejections,
        api::partners::quarantine,
        api::partners::apply_quarantined,
        api::agreements::list,
        api::agreements::create,
        api::agreements::read,
        api::agreements::update,
        api::agreements::history,
        api::quality::network,
        api::quality::agreement,
        api::quality::items,
        api::quality::csv,
        api::quality::report,
        api::quality::calendars,
        api::quality::set_calendar,
        api::exchange::dispatch,
        api::exchange_documents::receptacle_labels,
        api::exchange_documents::letter_bill,
        api::exchange_documents::special_list,
        api::exchange_documents::delivery_bill,
        api::exchange_documents::verification_note,
        api::inward::receptacle_arrival,
        api::inward::found_item,
        api::inward::verify,
        api::inward::forward,
        api::inward::import_customs,
        api::inward::forwarding,
        api::inward::delivery_event,
        api::inward::assess_duty,
        api::inward::duty,
    ),
    components(schemas(error::ErrorBody, error::ErrorDetail, crate::partner_exchange::BatchReply, crate::partner_exchange::Acknowledgement, crate::partner_exchange::AckStatus, crate::partner_exchange::AckError)),
    tags(
        (name = "operations", description = "Health, readiness, metrics and this document"),
        (name = "pages", description = "HTML pages for people"),
        (name = "me", description = "The caller"),
        (name = "offices", description = "The operator's offices"),
        (name = "users", description = "People who log in"),
        (name = "tokens", description = "API tokens for machines"),
        (name = "s10-ranges", description = "S10 serial ranges"),
        (name = "audit", description = "Who changed what"),
        (name = "items", description = "Postal items, for the staff of their operator"),
        (name = "tracking", description = "Public tracking: no login, limited per client address"),
        (name = "delivery", description = "Delivery offices: arrival, attempts, delivery, returns"),
        (name = "exchange", description = "Offices of exchange: arrival scans, export customs, receptacles, dispatches"),
        (name = "partner exchange", description = "Messages between posts' nodes, and the links to partner posts: endpoints, delivery state, pause and resume, refused and quarantined messages"),
        (name = "agreements", description = "The bilateral agreements with partner posts: services, routes, J+N targets and suspensions, versioned"),
        (name = "quality", description = "Quality of service against the agreements: the network, an agreement's month, the items behind a figure, CSV and the PDF report; the working calendars"),
    )
)]
struct ApiDoc;

/// The document served at `/api/openapi.json`, built once.
pub fn document() -> &'static utoipa::openapi::OpenApi {
    static DOCUMENT: OnceLock<utoipa::openapi::OpenApi> = OnceLock::new();
    DOCUMENT.get_or_init(build)
}

fn build() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    let components = doc.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        SESSION_SCHEME,
        SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(
            crate::auth::SESSION_COOKIE,
        ))),
    );
    components.add_security_scheme(
        TOKEN_SCHEME,
        SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
    );

    for spec in route_table() {
        let Some(item) = doc.paths.paths.get_mut(spec.path) else {
            continue;
        };
        let operation = match spec.verb {
            Verb::Get => item.get.as_mut(),
            Verb::Post => item.post.as_mut(),
            Verb::Put => item.put.as_mut(),
            Verb::Delete => item.delete.as_mut(),
        };
        if let Some(operation) = operation {
            apply_policy(operation, spec.policy);
        }
    }
    doc
}

fn error_response(description: &str) -> utoipa::openapi::RefOr<utoipa::openapi::Response> {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/json",
            Content::new(Some(Ref::from_schema_name("ErrorBody"))),
        )
        .into()
}

fn apply_policy(operation: &mut Operation, policy: Policy) {
    let who = match policy {
        Policy::Public => return,
        Policy::Authenticated => "Any authenticated caller.".to_owned(),
        Policy::Roles(roles) => format!(
            "Roles: {}.",
            roles
                .iter()
                .map(|r| r.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    operation.security = Some(vec![
        SecurityRequirement::new(SESSION_SCHEME, Vec::<String>::new()),
        SecurityRequirement::new(TOKEN_SCHEME, Vec::<String>::new()),
    ]);
    operation.description = Some(match operation.description.take() {
        Some(description) if !description.is_empty() => format!("{description}\n\n{who}"),
        _ => who,
    });
    let responses = &mut operation.responses.responses;
    responses
        .entry("401".to_owned())
        .or_insert_with(|| error_response("`unauthenticated`: no valid session or token"));
    responses.entry("403".to_owned()).or_insert_with(|| {
        error_response(
            "`forbidden`: no role that allows this; `csrf_failed`: missing or wrong CSRF token",
        )
    });
}
