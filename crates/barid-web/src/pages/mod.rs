//! HTML pages: login and logout, each role's home page, public tracking, and the staff's item
//! search and item page. One askama template struct per page, all on `base.html`; every
//! string comes from the translation files (see [`i18n`]); every page is bilingual (Arabic
//! right to left, English) and works without JavaScript, with htmx where it saves a reload.
//!
//! What belongs here: page handlers, their templates' data, the shared layout (header,
//! language switch, navigation by role) and choosing the language. What does not:
//! authorisation (the route table's guard) and JSON (see `api`).

pub mod accept;
pub mod agreements;
pub mod assets;
pub mod calendars;
pub mod exchange;
pub mod i18n;
pub mod inward;
pub mod items;
pub mod partners;
pub mod quality;
pub mod track;
pub mod view;

use std::net::{IpAddr, SocketAddr};

use askama::Template;
use axum::extract::{ConnectInfo, FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;
use barid_core::Role;
use barid_store::model::{Language, NewSession, Username};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

pub use i18n::{LANG_COOKIE, Tr, strip_isolation};

use crate::auth::password::{dummy_hash, verify_password};
use crate::auth::secret::{hash_secret, random_secret, secrets_match};
use crate::auth::{
    self, Credentials, LOGIN_CSRF_COOKIE, Principal, SESSION_COOKIE, removal_cookie, strict_cookie,
};
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiForm;
use crate::router::STAFF;
use crate::state::AppState;

/// `?lang=ar` or `?lang=en` switches the language and remembers it.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LangQuery {
    /// `ar` or `en`.
    pub lang: Option<String>,
}

/// The login form's fields.
#[derive(Clone, Deserialize, ToSchema)]
pub struct LoginForm {
    pub username: String,
    pub password: String,
    /// The value of the hidden field the login page sent.
    pub csrf_token: String,
    /// `ar` or `en`: the language the form was shown in.
    #[serde(default)]
    pub lang: Option<String>,
}

impl std::fmt::Debug for LoginForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginForm")
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

/// An error shown on a page, with a stable code (in `data-error`) for scripts and tests.
#[derive(Debug, Clone)]
pub struct PageError {
    pub code: &'static str,
    pub message: String,
}

/// Which part of the site a page belongs to, for the navigation's `aria-current`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Home,
    Track,
    Search,
    Accept,
    Exchange,
    Customs,
    Delivery,
    Partners,
    Agreements,
    Quality,
    Login,
    Other,
}

/// A link of the header's navigation.
#[derive(Debug, Clone)]
pub struct NavLink {
    pub href: &'static str,
    pub label: String,
    pub current: bool,
}

/// The signed-in person, as the header shows them.
#[derive(Debug, Clone)]
pub struct NavUser {
    pub name: String,
    /// For the logout form; `None` for API tokens, which have no session to end.
    pub csrf_token: Option<String>,
}

/// What `base.html` needs besides the page's own content.
#[derive(Debug, Clone)]
pub struct Layout {
    pub brand_href: &'static str,
    /// The current URL in the other language.
    pub switch_href: String,
    /// The other language's name, in that language.
    pub switch_name: String,
    pub switch_lang: &'static str,
    pub nav: Vec<NavLink>,
    pub user: Option<NavUser>,
    pub show_login: bool,
    pub css_href: String,
    pub js_href: String,
    pub htmx_href: String,
}

/// What every page handler reads from the request: the headers (cookies,
/// `Accept-Language`), the URL (for the language switch) and `?lang=`.
#[derive(Debug, Clone)]
pub struct PageRequest {
    headers: HeaderMap,
    path: String,
    query: Option<String>,
    lang: Option<String>,
    /// The language a submitted form was shown in, which its answer keeps.
    shown_in: Option<Language>,
}

impl<S: Send + Sync> FromRequestParts<S> for PageRequest {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().map(str::to_owned);
        let lang = query.as_deref().and_then(|query| {
            query
                .split('&')
                .filter_map(|pair| pair.split_once('='))
                .find(|(key, _)| *key == "lang")
                .map(|(_, value)| value.to_owned())
        });
        Ok(Self {
            headers: parts.headers.clone(),
            path: parts.uri.path().to_owned(),
            query,
            lang,
            shown_in: None,
        })
    }
}

impl PageRequest {
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// Whether the query string holds `name=value`.
    pub fn query_has(&self, name: &str, value: &str) -> bool {
        self.query.as_deref().is_some_and(|query| {
            query
                .split('&')
                .filter_map(|pair| pair.split_once('='))
                .any(|pair| pair == (name, value))
        })
    }

    /// The value of `name` in the query string, as sent (not percent-decoded: for codes).
    pub fn query_value(&self, name: &str) -> Option<String> {
        self.query.as_deref().and_then(|query| {
            query
                .split('&')
                .filter_map(|pair| pair.split_once('='))
                .find(|(key, _)| *key == name)
                .map(|(_, value)| value.to_owned())
        })
    }

    /// Whether htmx sent the request (it swaps part of the page).
    pub fn is_htmx(&self) -> bool {
        self.headers.contains_key("hx-request")
    }

    /// `?lang=`, the cookie, `Accept-Language`, then the operator's default: the principal's
    /// operator, or for visitors the operator this node hosts.
    pub async fn language(&self, state: &AppState, principal: Option<&Principal>) -> Language {
        if let Some(language) = self.shown_in {
            return language;
        }
        if let Some(language) = i18n::requested_language(self.lang.as_deref(), &self.headers) {
            return language;
        }
        match principal {
            Some(principal) => match state.store().operator(principal.operator).await {
                Ok(Some(operator)) => operator.default_language,
                _ => Language::En,
            },
            None => node_language(state).await,
        }
    }

    /// The cookie jar to answer with: it sets the language cookie when `?lang=` chose one.
    pub fn jar(&self, state: &AppState) -> CookieJar {
        i18n::remember_language(
            CookieJar::from_headers(&self.headers),
            self.lang.as_deref(),
            state.config().cookie_secure,
        )
    }

    /// This page's URL with `lang` set to `language`, other parameters kept.
    fn switch_href(&self, language: Language) -> String {
        let mut pairs: Vec<&str> = self
            .query
            .as_deref()
            .unwrap_or("")
            .split('&')
            .filter(|pair| !pair.is_empty() && !pair.starts_with("lang="))
            .collect();
        let lang = format!("lang={}", language.as_str());
        pairs.push(&lang);
        format!("{}?{}", self.path, pairs.join("&"))
    }

    /// The translator and the layout for a page of `section`.
    pub async fn layout(
        &self,
        state: &AppState,
        principal: Option<&Principal>,
        section: Section,
    ) -> (Tr, Layout) {
        let t = Tr::new(self.language(state, principal).await);
        let other = t.other();
        let staff = principal.is_some_and(|principal| principal.has_any_role(STAFF));
        let mut nav = Vec::new();
        if principal.is_some() {
            nav.push(NavLink {
                href: "/",
                label: t.tr("nav-home"),
                current: section == Section::Home,
            });
        }
        if principal.is_some_and(accept::works_counter) {
            nav.push(NavLink {
                href: "/accept",
                label: t.tr("nav-accept"),
                current: section == Section::Accept,
            });
        }
        if principal.is_some_and(exchange::works_exchange) {
            nav.push(NavLink {
                href: "/exchange",
                label: t.tr("nav-exchange"),
                current: section == Section::Exchange,
            });
        }
        if principal.is_some_and(inward::works_customs) {
            nav.push(NavLink {
                href: "/customs",
                label: t.tr("nav-customs"),
                current: section == Section::Customs,
            });
        }
        if principal.is_some_and(inward::works_delivery) {
            nav.push(NavLink {
                href: "/delivery",
                label: t.tr("nav-delivery"),
                current: section == Section::Delivery,
            });
        }
        if principal.is_some_and(partners::watches_partners) {
            nav.push(NavLink {
                href: "/partners",
                label: t.tr("nav-partners"),
                current: section == Section::Partners,
            });
        }
        if principal.is_some_and(agreements::reads_agreements) {
            nav.push(NavLink {
                href: "/agreements",
                label: t.tr("nav-agreements"),
                current: section == Section::Agreements,
            });
        }
        if principal.is_some_and(agreements::reads_agreements) {
            nav.push(NavLink {
                href: "/quality",
                label: t.tr("nav-quality"),
                current: section == Section::Quality,
            });
        }
        if staff {
            nav.push(NavLink {
                href: "/items/search",
                label: t.tr("nav-search"),
                current: section == Section::Search,
            });
        }
        nav.push(NavLink {
            href: "/track",
            label: t.tr("nav-track"),
            current: section == Section::Track,
        });
        let layout = Layout {
            brand_href: if principal.is_some() { "/" } else { "/track" },
            switch_href: self.switch_href(other.language()),
            switch_name: other.tr("language-name"),
            switch_lang: other.lang(),
            nav,
            user: principal.map(|principal| NavUser {
                name: principal.name.clone(),
                csrf_token: principal.csrf_token().map(str::to_owned),
            }),
            show_login: principal.is_none() && section != Section::Login,
            css_href: assets::href("barid.css"),
            js_href: assets::href("barid.js"),
            htmx_href: assets::href("htmx.min.js"),
        };
        (t, layout)
    }
}

/// The language for visitors who said nothing: the default of the (first) operator this node
/// hosts, else English.
async fn node_language(state: &AppState) -> Language {
    match state.store().operators().await {
        Ok(operators) => operators
            .iter()
            .find(|operator| operator.hosted)
            .map_or(Language::En, |operator| operator.default_language),
        Err(_) => Language::En,
    }
}

/// The caller on a public page, if they are logged in (for the header); anonymous otherwise,
/// including when their credentials are wrong.
pub async fn optional_principal(state: &AppState, headers: &HeaderMap) -> Option<Principal> {
    auth::authenticate(state, headers).await.ok().flatten()
}

pub(crate) fn render(page: &impl Template) -> ApiResult<Html<String>> {
    page.render().map(Html).map_err(ApiError::internal)
}

/// The client's address, when the server was started with connection info.
#[derive(Debug, Clone, Copy)]
pub struct ClientAddr(pub Option<IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientAddr(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|info| info.0.ip()),
        ))
    }
}

// --- login and logout --------------------------------------------------------------------

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    t: Tr,
    layout: Layout,
    csrf_token: String,
    username: String,
    error: Option<PageError>,
}

async fn login_page(
    state: &AppState,
    page: &PageRequest,
    username: String,
    status: StatusCode,
    error: Option<&'static str>,
) -> ApiResult<Response> {
    let (t, layout) = page.layout(state, None, Section::Login).await;
    let csrf_token = random_secret();
    let jar = page.jar(state).add(strict_cookie(
        LOGIN_CSRF_COOKIE,
        csrf_token.clone(),
        time::Duration::hours(1),
        state.config().cookie_secure,
    ));
    let error = error.map(|code| PageError {
        code,
        message: t.tr(&format!("login-error-{}", code.replace('_', "-"))),
    });
    let page = LoginPage {
        t,
        layout,
        csrf_token,
        username,
        error,
    };
    Ok((status, jar, render(&page)?).into_response())
}

/// The login form.
#[utoipa::path(get, path = "/login", tag = "pages",
    params(LangQuery),
    responses((status = 200, description = "HTML login form", content_type = "text/html", body = String)))]
pub async fn login_form(State(state): State<AppState>, page: PageRequest) -> ApiResult<Response> {
    login_page(&state, &page, String::new(), StatusCode::OK, None).await
}

/// Logs in: on success sets the session cookie and redirects to `/`; on failure shows the
/// form again with one message, whether or not the user exists.
#[utoipa::path(post, path = "/login", tag = "pages",
    request_body(content = LoginForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 303, description = "Logged in; the session cookie is set"),
        (status = 401, description = "Wrong username or password (HTML form again)"),
        (status = 403, description = "The form expired (HTML form again)"),
        (status = 429, description = "Too many attempts (HTML form again)"),
    ))]
pub async fn login_submit(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    mut page: PageRequest,
    jar: CookieJar,
    ApiForm(form): ApiForm<LoginForm>,
) -> ApiResult<Response> {
    // The form says which language it was shown in: answer in that one.
    page.shown_in = form.lang.as_deref().and_then(Language::parse);
    let expected = jar
        .get(LOGIN_CSRF_COOKIE)
        .map(|c| c.value().to_owned())
        .unwrap_or_default();
    if expected.is_empty() || !secrets_match(&form.csrf_token, &expected) {
        return login_page(
            &state,
            &page,
            form.username,
            StatusCode::FORBIDDEN,
            Some("csrf_failed"),
        )
        .await;
    }
    if let Err(wait) = state.login_limiter().check(client, &form.username) {
        tracing::warn!(username = %form.username, wait, "login rate limited");
        let mut response = login_page(
            &state,
            &page,
            form.username,
            StatusCode::TOO_MANY_REQUESTS,
            Some("rate_limited"),
        )
        .await?;
        if let Ok(value) = wait.to_string().parse() {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        return Ok(response);
    }

    let credentials = match Username::parse(&form.username) {
        Ok(username) => state.store().credentials(&username).await?,
        Err(_) => None,
    };
    let hash = credentials
        .as_ref()
        .map_or_else(|| dummy_hash().to_owned(), |c| c.password_hash.clone());
    let password = form.password.clone();
    let verified = tokio::task::spawn_blocking(move || verify_password(&password, &hash))
        .await
        .map_err(ApiError::internal)?;
    let user = match credentials {
        Some(credentials) if verified && credentials.user.active => credentials.user,
        _ => {
            tracing::info!(username = %form.username, "login failed");
            return login_page(
                &state,
                &page,
                form.username,
                StatusCode::UNAUTHORIZED,
                Some("login_failed"),
            )
            .await;
        }
    };

    let secret = random_secret();
    let now = state.now();
    let lifetime = time::Duration::minutes(i64::from(state.config().session_lifetime_minutes));
    state
        .store()
        .create_session(&NewSession {
            secret_hash: hash_secret(&secret),
            user: user.id,
            csrf_token: random_secret(),
            created_at: now,
            expires_at: now + lifetime,
        })
        .await?;
    tracing::info!(username = %user.username, operator = %user.operator, "logged in");
    let secure = state.config().cookie_secure;
    let jar = jar
        .add(strict_cookie(SESSION_COOKIE, secret, lifetime, secure))
        .add(removal_cookie(LOGIN_CSRF_COOKIE, secure));
    Ok((jar, Redirect::to("/")).into_response())
}

/// Logs out: ends the session (CSRF token required) and goes back to the login form.
#[utoipa::path(post, path = "/logout", tag = "pages",
    request_body(content = String, content_type = "application/x-www-form-urlencoded",
        description = "`csrf_token=...`"),
    responses((status = 303, description = "Logged out; the cookie is cleared")))]
pub async fn logout(
    State(state): State<AppState>,
    principal: Principal,
    jar: CookieJar,
) -> ApiResult<Response> {
    if let Credentials::Session { secret_hash, .. } = &principal.credentials {
        state.store().delete_session(secret_hash).await?;
    }
    let jar = jar.add(removal_cookie(SESSION_COOKIE, state.config().cookie_secure));
    Ok((jar, Redirect::to("/login")).into_response())
}

// --- home ----------------------------------------------------------------------------------

/// One thing a role does: a link when its page exists, plain text saying what brings it when
/// it does not yet.
#[derive(Debug, Clone)]
pub struct Task {
    pub text: String,
    pub href: Option<&'static str>,
    /// For tasks without a page yet: what brings it.
    pub coming: Option<String>,
}

/// A role's tasks on the home page.
#[derive(Debug, Clone)]
pub struct RoleTasks {
    pub role: String,
    pub tasks: Vec<Task>,
}

/// Each role's tasks, as (translation key, link or `None`, what brings it when there is no
/// page yet). Links point only at pages that exist.
fn role_tasks(role: Role) -> &'static [(&'static str, Option<&'static str>, Option<&'static str>)] {
    match role {
        Role::Admin => &[
            ("task-admin-manage", Some("/api/docs/"), None),
            ("task-admin-partners", Some("/partners"), None),
            ("task-admin-screens", None, Some("coming-admin-screens")),
        ],
        Role::Supervisor => &[
            ("task-supervisor-audit", Some("/api/docs/"), None),
            ("task-supervisor-partners", Some("/partners"), None),
            ("task-supervisor-quality", None, Some("coming-quality")),
        ],
        Role::Clerk => &[
            ("task-clerk-accept", Some("/accept"), None),
            ("task-clerk-bulk", Some("/accept/bulk"), None),
            ("task-clerk-documents", Some("/items/search"), None),
        ],
        Role::OeOperator => &[
            ("task-oe-scan", Some("/exchange"), None),
            ("task-oe-receptacles", Some("/exchange"), None),
            ("task-oe-dispatches", Some("/exchange"), None),
            ("task-oe-inward", Some("/exchange"), None),
        ],
        Role::Customs => &[("task-customs-queue", Some("/customs"), None)],
        Role::Delivery => &[("task-delivery-rounds", Some("/delivery"), None)],
        Role::Merchant => &[
            ("task-merchant-bulk", Some("/accept/bulk"), None),
            ("task-merchant-api", Some("/api/docs/"), None),
        ],
        Role::Partner => &[("task-partner-exchange", Some("/api/docs/"), None)],
    }
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    t: Tr,
    layout: Layout,
    name: String,
    operator: String,
    offices: Vec<String>,
    staff: bool,
    roles: Vec<RoleTasks>,
}

/// The home page: what the signed-in user's roles let them do at their offices.
#[utoipa::path(get, path = "/", tag = "pages",
    params(LangQuery),
    responses(
        (status = 200, description = "HTML home page", content_type = "text/html", body = String),
        (status = 303, description = "Not logged in: redirect to /login"),
    ))]
pub async fn home(
    State(state): State<AppState>,
    principal: Principal,
    page: PageRequest,
) -> ApiResult<Response> {
    let (t, layout) = page.layout(&state, Some(&principal), Section::Home).await;
    let roles = Role::ALL
        .into_iter()
        .filter(|role| principal.roles.contains(role))
        .map(|role| RoleTasks {
            role: t.tr(&format!("role-{}", role.as_str().replace('_', "-"))),
            tasks: role_tasks(role)
                .iter()
                .map(|(key, href, coming)| Task {
                    text: t.tr(key),
                    href: *href,
                    coming: coming.map(|key| t.tr(key)),
                })
                .collect(),
        })
        .collect();
    let operator = match state.store().operator(principal.operator).await? {
        Some(operator) => t.pick(&operator.name_en, &operator.name_ar).to_owned(),
        None => principal.operator.to_string(),
    };
    let page_data = HomePage {
        t,
        layout,
        name: principal.name.clone(),
        operator,
        offices: principal.offices.iter().map(ToString::to_string).collect(),
        staff: principal.has_any_role(STAFF),
        roles,
    };
    Ok((page.jar(&state), render(&page_data)?).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(path: &str, query: Option<&str>) -> PageRequest {
        PageRequest {
            headers: HeaderMap::new(),
            path: path.to_owned(),
            query: query.map(str::to_owned),
            lang: None,
            shown_in: None,
        }
    }

    #[test]
    fn the_language_switch_keeps_the_other_parameters() {
        assert_eq!(
            page("/track", None).switch_href(Language::Ar),
            "/track?lang=ar"
        );
        assert_eq!(
            page("/track", Some("ids=RR1%2CRR2&lang=en")).switch_href(Language::Ar),
            "/track?ids=RR1%2CRR2&lang=ar"
        );
    }

    #[test]
    fn every_role_has_tasks_and_links_only_to_pages_that_exist() {
        for role in Role::ALL {
            let tasks = role_tasks(role);
            assert!(!tasks.is_empty(), "{role}");
            for (_, href, coming) in tasks {
                assert!(href.is_some() != coming.is_some(), "{role}");
                if let Some(href) = href {
                    assert!(
                        crate::router::route_table()
                            .iter()
                            .any(|route| route.path == *href),
                        "{href} is not a route"
                    );
                }
            }
        }
    }
}
