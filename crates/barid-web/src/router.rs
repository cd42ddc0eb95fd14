//! The URL map: every route, with its policy, in one table read top to bottom, and the
//! one middleware that enforces the policies. `build_router` turns the table into an axum
//! `Router`, so no route can exist without a policy.
//!
//! What belongs here: the table, policies, their enforcement (authentication, role check,
//! CSRF check), and assembling the middleware stack. What does not: handler bodies.

use axum::Router;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::handler::Handler;
use axum::http::{HeaderMap, Method, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{MethodFilter, MethodRouter};
use barid_core::Role;

use crate::api;
use crate::auth::{self, CSRF_FIELD, CSRF_HEADER, Principal, secret};
use crate::error::{ApiError, ErrorCode};
use crate::pages;
use crate::state::AppState;

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Policy {
    /// Anyone, without credentials.
    Public,
    /// Any logged-in user or valid API token, whatever its roles.
    Authenticated,
    /// A principal holding at least one of these roles.
    Roles(&'static [Role]),
}

impl Policy {
    /// Whether a principal with `roles` passes (ignoring authentication).
    pub fn allows(&self, principal: &Principal) -> bool {
        match self {
            Policy::Public | Policy::Authenticated => true,
            Policy::Roles(roles) => principal.has_any_role(roles),
        }
    }
}

/// Who reads the answer: API clients get 401 as JSON; browsers on a page are sent to the
/// login form instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    Api,
    Page,
}

/// The HTTP methods Barid routes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Verb {
    Get,
    Post,
    Put,
    Delete,
}

impl Verb {
    pub fn method(&self) -> Method {
        match self {
            Verb::Get => Method::GET,
            Verb::Post => Method::POST,
            Verb::Put => Method::PUT,
            Verb::Delete => Method::DELETE,
        }
    }

    fn filter(&self) -> MethodFilter {
        match self {
            Verb::Get => MethodFilter::GET,
            Verb::Post => MethodFilter::POST,
            Verb::Put => MethodFilter::PUT,
            Verb::Delete => MethodFilter::DELETE,
        }
    }
}

/// One row of the route table, without its handler.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RouteSpec {
    pub verb: Verb,
    /// axum syntax: `/api/v1/items/{s10}`.
    pub path: &'static str,
    pub policy: Policy,
    pub audience: Audience,
}

struct Route {
    spec: RouteSpec,
    handler: MethodRouter<AppState>,
}

/// Every staff role: people who work for a post (not merchants, not partner machines).
pub const STAFF: &[Role] = &[
    Role::Admin,
    Role::Supervisor,
    Role::Clerk,
    Role::OeOperator,
    Role::Customs,
    Role::Delivery,
];
pub const ADMIN: &[Role] = &[Role::Admin];
pub const ADMIN_SUPERVISOR: &[Role] = &[Role::Admin, Role::Supervisor];
/// Who accepts items: counter clerks, and merchants' systems at their office.
pub const ACCEPTANCE: &[Role] = &[Role::Clerk, Role::Merchant];
/// Who works an office of exchange: scans, receptacles, dispatches.
pub const EXCHANGE: &[Role] = &[Role::OeOperator];
/// Who follows an office of exchange's work: its operators and those who oversee every office.
pub const EXCHANGE_READ: &[Role] = &[Role::OeOperator, Role::Supervisor, Role::Admin];
/// Who records export customs: the customs officer, or the operator on customs' word.
pub const EXPORT_CUSTOMS: &[Role] = &[Role::OeOperator, Role::Customs];
/// Who decides import customs: the customs officer.
pub const IMPORT_CUSTOMS: &[Role] = &[Role::Customs];
/// Who sends messages to this post: a partner post's node, with the token this post issued it.
pub const PARTNER: &[Role] = &[Role::Partner];
/// Who records delivery: the delivery office.
pub const DELIVERY: &[Role] = &[Role::Delivery];
/// Who follows import customs' work: customs officers and those who oversee every office.
pub const CUSTOMS_READ: &[Role] = &[Role::Customs, Role::Supervisor, Role::Admin];
/// Who may read the duty on an item: customs, who assess it, and the delivery office, which
/// collects it, with those who oversee every office.
pub const DUTY_READ: &[Role] = &[Role::Customs, Role::Delivery, Role::Supervisor, Role::Admin];
/// Who follows a delivery office's work: its staff and those who oversee every office.
pub const DELIVERY_READ: &[Role] = &[Role::Delivery, Role::Supervisor, Role::Admin];

fn route<H, T>(verb: Verb, path: &'static str, policy: Policy, handler: H) -> Route
where
    H: Handler<T, AppState>,
    T: 'static,
{
    Route {
        spec: RouteSpec {
            verb,
            path,
            policy,
            audience: Audience::Api,
        },
        handler: axum::routing::on(verb.filter(), handler),
    }
}

fn page<H, T>(verb: Verb, path: &'static str, policy: Policy, handler: H) -> Route
where
    H: Handler<T, AppState>,
    T: 'static,
{
    let mut route = route(verb, path, policy, handler);
    route.spec.audience = Audience::Page;
    route
}

/// The partner exchange takes batches far larger than a form or an API call (an ITMATT of
/// 10,000 items is about 23 MB).
fn exchange_route(mut route: Route) -> Route {
    route.handler = route.handler.layer(DefaultBodyLimit::max(
        crate::partner_exchange::MAX_BATCH_BYTES,
    ));
    route
}

/// THE route table.
fn routes() -> Vec<Route> {
    use Policy::{Authenticated, Public, Roles};
    use Verb::{Delete, Get, Post, Put};
    vec![
        // --- operations ------------------------------------------------------------------
        route(Get, "/healthz", Public, api::meta::healthz),
        // --- partner exchange ------------------------------------------------------------
        exchange_route(route(
            Post,
            crate::partner_exchange::PATH,
            Roles(PARTNER),
            api::partner::receive,
        )),
        route(Get, "/readyz", Public, api::meta::readyz),
        route(Get, "/metrics", Public, api::meta::metrics),
        // --- API documentation -----------------------------------------------------------
        route(Get, "/api/openapi.json", Public, api::meta::openapi_json),
        route(Get, "/api/docs", Public, api::meta::docs_redirect),
        route(Get, "/api/docs/", Public, api::meta::docs_index),
        route(Get, "/api/docs/{file}", Public, api::meta::docs_file),
        // --- the pages' static files (style sheet, scripts, fonts) ----------------------------
        route(Get, "/static/{file}", Public, pages::assets::file),
        // --- pages -------------------------------------------------------------------------
        page(Get, "/login", Public, pages::login_form),
        page(Post, "/login", Public, pages::login_submit),
        page(Post, "/logout", Authenticated, pages::logout),
        page(Get, "/", Authenticated, pages::home),
        page(Get, "/track", Public, pages::track::track_form),
        page(Get, "/track/{id}", Public, pages::track::track_one),
        page(Get, "/accept", Roles(ACCEPTANCE), pages::accept::form),
        page(Post, "/accept", Roles(ACCEPTANCE), pages::accept::submit),
        page(
            Get,
            "/accept/bulk",
            Roles(ACCEPTANCE),
            pages::accept::bulk_form,
        ),
        page(
            Post,
            "/accept/bulk",
            Roles(ACCEPTANCE),
            pages::accept::bulk_submit,
        ),
        page(
            Get,
            "/accept/bulk/template.csv",
            Roles(ACCEPTANCE),
            pages::accept::bulk_template,
        ),
        page(
            Get,
            "/exchange",
            Roles(EXCHANGE_READ),
            pages::exchange::desk,
        ),
        page(
            Post,
            "/exchange/arrivals",
            Roles(EXCHANGE),
            pages::exchange::arrival,
        ),
        page(
            Post,
            "/exchange/export-customs",
            Roles(EXCHANGE),
            pages::exchange::export_customs,
        ),
        page(
            Post,
            "/exchange/receptacles",
            Roles(EXCHANGE),
            pages::exchange::open_receptacle,
        ),
        page(
            Get,
            "/exchange/receptacles/{id}",
            Roles(EXCHANGE_READ),
            pages::exchange::receptacle,
        ),
        page(
            Post,
            "/exchange/receptacles/{id}/items",
            Roles(EXCHANGE),
            pages::exchange::bag,
        ),
        page(
            Post,
            "/exchange/receptacles/{id}/items/remove",
            Roles(EXCHANGE),
            pages::exchange::unbag,
        ),
        page(
            Post,
            "/exchange/receptacles/{id}/close",
            Roles(EXCHANGE),
            pages::exchange::close_receptacle,
        ),
        page(
            Post,
            "/exchange/receptacles/{id}/reopen",
            Roles(EXCHANGE),
            pages::exchange::reopen_receptacle,
        ),
        page(
            Post,
            "/exchange/dispatches",
            Roles(EXCHANGE),
            pages::exchange::close_dispatch,
        ),
        page(
            Get,
            "/exchange/dispatches/{s8}",
            Roles(EXCHANGE_READ),
            pages::exchange::dispatch,
        ),
        page(
            Post,
            "/exchange/dispatches/{s8}/verify",
            Roles(EXCHANGE),
            pages::exchange::verify_dispatch,
        ),
        page(
            Post,
            "/exchange/dispatches/{s8}/forward",
            Roles(EXCHANGE),
            pages::exchange::forward_dispatch,
        ),
        page(
            Post,
            "/exchange/receptacle-arrivals",
            Roles(EXCHANGE),
            pages::exchange::receptacle_arrival,
        ),
        page(
            Post,
            "/exchange/receptacles/{id}/found-items",
            Roles(EXCHANGE),
            pages::exchange::found_item,
        ),
        page(
            Post,
            "/exchange/forwarding",
            Roles(EXCHANGE),
            pages::exchange::forwarding,
        ),
        page(Get, "/customs", Roles(CUSTOMS_READ), pages::inward::customs),
        page(
            Post,
            "/customs/steps",
            Roles(IMPORT_CUSTOMS),
            pages::inward::customs_step,
        ),
        page(
            Post,
            "/customs/duty",
            Roles(IMPORT_CUSTOMS),
            pages::inward::customs_duty,
        ),
        page(
            Get,
            "/delivery",
            Roles(DELIVERY_READ),
            pages::inward::delivery,
        ),
        page(
            Post,
            "/delivery/steps",
            Roles(DELIVERY),
            pages::inward::delivery_step,
        ),
        page(
            Get,
            "/partners",
            Roles(ADMIN_SUPERVISOR),
            pages::partners::list,
        ),
        page(
            Post,
            "/partners/{partner}/pause",
            Roles(ADMIN),
            pages::partners::pause,
        ),
        page(
            Post,
            "/partners/{partner}/resume",
            Roles(ADMIN),
            pages::partners::resume,
        ),
        page(
            Post,
            "/partners/quarantine/{message_id}/apply",
            Roles(ADMIN),
            pages::partners::apply_quarantined,
        ),
        page(
            Get,
            "/agreements",
            Roles(ADMIN_SUPERVISOR),
            pages::agreements::list,
        ),
        page(
            Get,
            "/agreements/{id}",
            Roles(ADMIN_SUPERVISOR),
            pages::agreements::show,
        ),
        page(
            Post,
            "/agreements/{id}",
            Roles(ADMIN),
            pages::agreements::change,
        ),
        page(
            Get,
            "/agreements/{id}/quality",
            Roles(ADMIN_SUPERVISOR),
            pages::quality::dashboard,
        ),
        page(
            Get,
            "/agreements/{id}/quality/items",
            Roles(ADMIN_SUPERVISOR),
            pages::quality::items,
        ),
        page(
            Get,
            "/quality",
            Roles(ADMIN_SUPERVISOR),
            pages::quality::network,
        ),
        page(
            Get,
            "/quality/calendars",
            Roles(ADMIN_SUPERVISOR),
            pages::calendars::list,
        ),
        page(
            Post,
            "/quality/calendars/{country}",
            Roles(ADMIN),
            pages::calendars::save,
        ),
        page(Get, "/items/search", Roles(STAFF), pages::items::search),
        page(Get, "/items/{s10}", Roles(STAFF), pages::items::item),
        // --- public tracking API (rate-limited per client address) ---------------------------
        route(
            Get,
            "/api/v1/items/{s10}/events",
            Public,
            api::tracking::events,
        ),
        route(Get, "/api/v1/tracking", Public, api::tracking::lookup),
        // --- JSON API ----------------------------------------------------------------------
        route(Get, "/api/v1/me", Authenticated, api::me::me),
        route(Get, "/api/v1/offices", Roles(STAFF), api::offices::list),
        route(Post, "/api/v1/offices", Roles(ADMIN), api::offices::create),
        route(
            Get,
            "/api/v1/offices/{code}",
            Roles(STAFF),
            api::offices::get,
        ),
        route(Get, "/api/v1/users", Roles(ADMIN), api::users::list),
        route(Post, "/api/v1/users", Roles(ADMIN), api::users::create),
        route(
            Get,
            "/api/v1/users/{username}",
            Roles(ADMIN),
            api::users::get,
        ),
        route(
            Put,
            "/api/v1/users/{username}/access",
            Roles(ADMIN),
            api::users::set_access,
        ),
        route(
            Post,
            "/api/v1/users/{username}/password",
            Roles(ADMIN),
            api::users::set_password,
        ),
        route(Get, "/api/v1/tokens", Roles(ADMIN), api::tokens::list),
        route(Post, "/api/v1/tokens", Roles(ADMIN), api::tokens::issue),
        route(
            Delete,
            "/api/v1/tokens/{id}",
            Roles(ADMIN),
            api::tokens::revoke,
        ),
        route(
            Get,
            "/api/v1/s10-ranges",
            Roles(ADMIN_SUPERVISOR),
            api::ranges::list,
        ),
        route(
            Post,
            "/api/v1/s10-ranges",
            Roles(ADMIN),
            api::ranges::create,
        ),
        route(
            Get,
            "/api/v1/audit",
            Roles(ADMIN_SUPERVISOR),
            api::audit::list,
        ),
        route(Get, "/api/v1/items/{s10}", Roles(STAFF), api::items::get),
        route(
            Post,
            "/api/v1/items",
            Roles(ACCEPTANCE),
            api::acceptance::create,
        ),
        route(
            Post,
            "/api/v1/items/bulk",
            Roles(ACCEPTANCE),
            api::acceptance::bulk,
        ),
        route(
            Get,
            "/api/v1/items/{s10}/label.pdf",
            Roles(STAFF),
            api::acceptance::label,
        ),
        route(
            Get,
            "/api/v1/items/{s10}/customs.pdf",
            Roles(STAFF),
            api::acceptance::customs,
        ),
        route(
            Get,
            "/api/v1/items/{s10}/receipt.pdf",
            Roles(STAFF),
            api::acceptance::receipt,
        ),
        route(
            Post,
            "/api/v1/exchange/arrivals",
            Roles(EXCHANGE),
            api::exchange::arrival,
        ),
        route(
            Post,
            "/api/v1/exchange/export-customs",
            Roles(EXPORT_CUSTOMS),
            api::exchange::export_customs,
        ),
        route(
            Get,
            "/api/v1/exchange/receptacles",
            Roles(EXCHANGE_READ),
            api::exchange::receptacles,
        ),
        route(
            Post,
            "/api/v1/exchange/receptacles",
            Roles(EXCHANGE),
            api::exchange::open_receptacle,
        ),
        route(
            Get,
            "/api/v1/exchange/receptacles/{id}",
            Roles(EXCHANGE_READ),
            api::exchange::receptacle,
        ),
        route(
            Post,
            "/api/v1/exchange/receptacles/{id}/items",
            Roles(EXCHANGE),
            api::exchange::bag,
        ),
        route(
            Delete,
            "/api/v1/exchange/receptacles/{id}/items/{s10}",
            Roles(EXCHANGE),
            api::exchange::unbag,
        ),
        route(
            Post,
            "/api/v1/exchange/receptacles/{id}/close",
            Roles(EXCHANGE),
            api::exchange::close_receptacle,
        ),
        route(
            Post,
            "/api/v1/exchange/receptacles/{id}/reopen",
            Roles(EXCHANGE),
            api::exchange::reopen_receptacle,
        ),
        route(
            Get,
            "/api/v1/exchange/dispatches",
            Roles(EXCHANGE_READ),
            api::exchange::dispatches,
        ),
        route(
            Post,
            "/api/v1/exchange/dispatches",
            Roles(EXCHANGE),
            api::exchange::close_dispatch,
        ),
        route(
            Get,
            "/api/v1/exchange/dispatches/{s8}",
            Roles(EXCHANGE_READ),
            api::exchange::dispatch,
        ),
        route(
            Get,
            "/api/v1/exchange/dispatches/{s8}/cn35.pdf",
            Roles(EXCHANGE_READ),
            api::exchange_documents::receptacle_labels,
        ),
        route(
            Get,
            "/api/v1/exchange/dispatches/{s8}/cn31.pdf",
            Roles(EXCHANGE_READ),
            api::exchange_documents::letter_bill,
        ),
        route(
            Get,
            "/api/v1/exchange/dispatches/{s8}/cn33.pdf",
            Roles(EXCHANGE_READ),
            api::exchange_documents::special_list,
        ),
        route(
            Get,
            "/api/v1/exchange/dispatches/{s8}/delivery-bill.pdf",
            Roles(EXCHANGE_READ),
            api::exchange_documents::delivery_bill,
        ),
        route(
            Get,
            "/api/v1/exchange/dispatches/{s8}/cn43.pdf",
            Roles(EXCHANGE_READ),
            api::exchange_documents::verification_note,
        ),
        route(
            Post,
            "/api/v1/exchange/receptacle-arrivals",
            Roles(EXCHANGE),
            api::inward::receptacle_arrival,
        ),
        route(
            Post,
            "/api/v1/exchange/receptacles/{id}/found-items",
            Roles(EXCHANGE),
            api::inward::found_item,
        ),
        route(
            Post,
            "/api/v1/exchange/dispatches/{s8}/verify",
            Roles(EXCHANGE),
            api::inward::verify,
        ),
        route(
            Post,
            "/api/v1/exchange/dispatches/{s8}/forward",
            Roles(EXCHANGE),
            api::inward::forward,
        ),
        route(
            Post,
            "/api/v1/exchange/import-customs",
            Roles(IMPORT_CUSTOMS),
            api::inward::import_customs,
        ),
        route(
            Post,
            "/api/v1/exchange/import-customs/duty",
            Roles(IMPORT_CUSTOMS),
            api::inward::assess_duty,
        ),
        route(
            Get,
            "/api/v1/items/{s10}/duty",
            Roles(DUTY_READ),
            api::inward::duty,
        ),
        route(
            Post,
            "/api/v1/exchange/forwarding",
            Roles(EXCHANGE),
            api::inward::forwarding,
        ),
        route(
            Post,
            "/api/v1/delivery/events",
            Roles(DELIVERY),
            api::inward::delivery_event,
        ),
        // --- the links to partner posts' nodes ---------------------------------------------
        route(
            Get,
            "/api/v1/partners",
            Roles(ADMIN_SUPERVISOR),
            api::partners::list,
        ),
        route(
            Put,
            "/api/v1/partners/{partner}/endpoint",
            Roles(ADMIN),
            api::partners::set_endpoint,
        ),
        route(
            Post,
            "/api/v1/partners/{partner}/pause",
            Roles(ADMIN),
            api::partners::pause,
        ),
        route(
            Post,
            "/api/v1/partners/{partner}/resume",
            Roles(ADMIN),
            api::partners::resume,
        ),
        route(
            Get,
            "/api/v1/exchange/rejections",
            Roles(ADMIN_SUPERVISOR),
            api::partners::rejections,
        ),
        route(
            Get,
            "/api/v1/exchange/quarantine",
            Roles(ADMIN_SUPERVISOR),
            api::partners::quarantine,
        ),
        route(
            Post,
            "/api/v1/exchange/quarantine/{message_id}/apply",
            Roles(ADMIN),
            api::partners::apply_quarantined,
        ),
        // --- the bilateral agreements --------------------------------------------------------
        route(
            Get,
            "/api/v1/agreements",
            Roles(ADMIN_SUPERVISOR),
            api::agreements::list,
        ),
        route(
            Post,
            "/api/v1/agreements",
            Roles(ADMIN),
            api::agreements::create,
        ),
        route(
            Get,
            "/api/v1/agreements/{id}",
            Roles(ADMIN_SUPERVISOR),
            api::agreements::read,
        ),
        route(
            Put,
            "/api/v1/agreements/{id}",
            Roles(ADMIN),
            api::agreements::update,
        ),
        route(
            Get,
            "/api/v1/agreements/{id}/history",
            Roles(ADMIN_SUPERVISOR),
            api::agreements::history,
        ),
        // --- quality of service ---------------------------------------------------------------
        route(
            Get,
            "/api/v1/quality",
            Roles(ADMIN_SUPERVISOR),
            api::quality::network,
        ),
        route(
            Get,
            "/api/v1/agreements/{id}/quality",
            Roles(ADMIN_SUPERVISOR),
            api::quality::agreement,
        ),
        route(
            Get,
            "/api/v1/agreements/{id}/quality/items",
            Roles(ADMIN_SUPERVISOR),
            api::quality::items,
        ),
        route(
            Get,
            "/api/v1/agreements/{id}/quality.csv",
            Roles(ADMIN_SUPERVISOR),
            api::quality::csv,
        ),
        route(
            Get,
            "/api/v1/agreements/{id}/quality.pdf",
            Roles(ADMIN_SUPERVISOR),
            api::quality::report,
        ),
        route(
            Get,
            "/api/v1/calendars",
            Roles(ADMIN_SUPERVISOR),
            api::quality::calendars,
        ),
        route(
            Put,
            "/api/v1/calendars/{country}",
            Roles(ADMIN),
            api::quality::set_calendar,
        ),
    ]
}

/// The route table without handlers: what the authorisation test and the OpenAPI document
/// check themselves against.
pub fn route_table() -> Vec<RouteSpec> {
    routes().into_iter().map(|route| route.spec).collect()
}

/// The whole application: the route table with each route's policy enforced, the fallbacks,
/// and the middleware (request IDs, tracing, metrics, security headers, body limit).
pub fn build_router(state: AppState) -> Router {
    let mut router = Router::new();
    for Route { spec, handler } in routes() {
        let handler = match spec.policy {
            Policy::Public => handler,
            _ => handler.route_layer(middleware::from_fn_with_state(
                Guard {
                    state: state.clone(),
                    spec,
                },
                guard,
            )),
        };
        router = router.route(spec.path, handler);
    }
    router
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(state.config().body_limit_bytes))
        .layer(middleware::from_fn(crate::middleware::time_limit))
        // A bug must cost one request, answered as 500 `internal`, not the connection.
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(
            crate::middleware::panic_response,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            crate::middleware::observe,
        ))
        .with_state(state)
}

async fn not_found() -> ApiError {
    ApiError::new(ErrorCode::NotFound, "no such page or API route")
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(
        ErrorCode::MethodNotAllowed,
        "this route does not take that method",
    )
}

#[derive(Debug, Clone)]
struct Guard {
    state: AppState,
    spec: RouteSpec,
}

/// The one authorisation check: authenticates, applies the route's policy, and requires the
/// CSRF token on cookie-authenticated state changes. Puts the [`Principal`] in the request
/// for the handler.
async fn guard(State(guard): State<Guard>, request: Request, next: Next) -> Response {
    match check(&guard, request).await {
        Ok(request) => next.run(request).await,
        Err(Denied::Login) => Redirect::to("/login").into_response(),
        Err(Denied::Error(error)) => error.into_response(),
    }
}

enum Denied {
    Login,
    Error(ApiError),
}

impl From<ApiError> for Denied {
    fn from(error: ApiError) -> Self {
        Denied::Error(error)
    }
}

async fn check(guard: &Guard, request: Request) -> Result<Request, Denied> {
    let principal = match auth::authenticate(&guard.state, request.headers()).await? {
        Some(principal) => principal,
        None if guard.spec.audience == Audience::Page => return Err(Denied::Login),
        None => return Err(ApiError::unauthenticated().into()),
    };
    if !guard.spec.policy.allows(&principal) {
        return Err(ApiError::forbidden().into());
    }
    let mut request = match principal.csrf_token() {
        Some(expected) if !is_safe(request.method()) => {
            let limit = guard.state.config().body_limit_bytes;
            require_csrf(request, expected, limit).await?
        }
        _ => request,
    };
    request.extensions_mut().insert(principal);
    Ok(request)
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Checks the CSRF token from the `X-CSRF-Token` header or, for a form, the `csrf_token`
/// field. The form body is read (within the body limit) and put back for the handler.
async fn require_csrf(request: Request, expected: &str, limit: usize) -> Result<Request, ApiError> {
    if let Some(given) = request.headers().get(CSRF_HEADER) {
        let given = given.to_str().unwrap_or("");
        return if secret::secrets_match(given, expected) {
            Ok(request)
        } else {
            Err(ApiError::csrf_failed())
        };
    }
    let multipart = is_multipart(request.headers());
    if !is_form(request.headers()) && !multipart {
        return Err(ApiError::csrf_failed());
    }
    let (parts, body) = request.into_parts();
    let bytes = axum::body::to_bytes(body, limit)
        .await
        .map_err(|_| ApiError::payload_too_large())?;
    let given = if multipart {
        multipart_field(&parts.headers, bytes.clone(), CSRF_FIELD).await
    } else {
        form_field(&bytes, CSRF_FIELD)
    }
    .unwrap_or_default();
    if !secret::secrets_match(&given, expected) {
        return Err(ApiError::csrf_failed());
    }
    Ok(Request::from_parts(parts, Body::from(bytes)))
}

fn is_form(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("application/x-www-form-urlencoded"))
}

fn is_multipart(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("multipart/form-data"))
}

/// A text field of a `multipart/form-data` body (a file upload form), read with axum's own
/// multipart parser from a copy of the buffered body.
async fn multipart_field(
    headers: &HeaderMap,
    body: axum::body::Bytes,
    name: &str,
) -> Option<String> {
    use axum::extract::FromRequest;
    let mut request = Request::new(Body::from(body));
    if let Some(content_type) = headers.get(header::CONTENT_TYPE) {
        request
            .headers_mut()
            .insert(header::CONTENT_TYPE, content_type.clone());
    }
    let mut multipart = axum::extract::Multipart::from_request(request, &())
        .await
        .ok()?;
    while let Ok(Some(field)) = multipart.next_field().await {
        if field.name() == Some(name) {
            return field.text().await.ok();
        }
    }
    None
}

/// A field of a URL-encoded form, without percent-decoding: CSRF tokens are URL-safe base64,
/// which browsers send as is, so an encoded value can only be a wrong one.
fn form_field(body: &[u8], name: &str) -> Option<String> {
    let text = std::str::from_utf8(body).ok()?;
    text.split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The only API routes anyone may call: public tracking.
    const PUBLIC_API: [&str; 2] = ["/api/v1/items/{s10}/events", "/api/v1/tracking"];

    #[test]
    fn every_route_is_unique_and_only_public_routes_are_public() {
        let table = route_table();
        let mut keys: Vec<_> = table.iter().map(|r| (r.verb, r.path)).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), table.len());
        let public: Vec<_> = table
            .iter()
            .filter(|r| r.policy == Policy::Public)
            .map(|r| r.path)
            .collect();
        for path in public {
            assert!(
                !path.starts_with("/api/v1/") || PUBLIC_API.contains(&path),
                "{path} is public but part of the authenticated API"
            );
        }
    }

    #[test]
    fn form_fields_are_found_by_exact_name() {
        assert_eq!(
            form_field(b"a=1&csrf_token=abc-_9&b=2", "csrf_token").as_deref(),
            Some("abc-_9")
        );
        assert_eq!(form_field(b"xcsrf_token=abc", "csrf_token"), None);
        assert_eq!(form_field(b"", "csrf_token"), None);
    }
}
