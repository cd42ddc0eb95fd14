//! Authentication: who is calling. Passwords, sessions (cookie + CSRF token), API tokens,
//! the login rate limit, and the [`Principal`] every protected handler receives.
//!
//! What belongs here: turning credentials into a principal, and the principal's own checks
//! (roles, offices). What does not: which route needs which role; that is the route table's
//! policy (`router`), enforced in one middleware.

pub mod limiter;
pub mod password;
pub mod secret;

use std::collections::BTreeSet;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use barid_core::{CountryCode, Role, SiteCode};
use barid_store::model::{Actor, ApiToken, Session, TokenId, User, UserId, Username};
use time::OffsetDateTime;

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// The session cookie: a random secret whose SHA-256 the store keeps.
pub const SESSION_COOKIE: &str = "barid_session";
/// Double-submit cookie protecting the login form itself.
pub const LOGIN_CSRF_COOKIE: &str = "barid_login_csrf";
/// The header that carries the CSRF token for cookie-authenticated JSON calls.
pub const CSRF_HEADER: &str = "x-csrf-token";
/// The form field that carries the CSRF token.
pub const CSRF_FIELD: &str = "csrf_token";

/// How the caller proved who it is.
#[derive(Clone, PartialEq, Eq)]
pub enum Credentials {
    /// A logged-in person. `csrf_token` must accompany every state change.
    Session {
        user: UserId,
        username: Username,
        secret_hash: String,
        csrf_token: String,
    },
    /// A machine with an API token; needs no CSRF token.
    Token {
        token: TokenId,
        partner: Option<CountryCode>,
    },
    /// Barid itself, applying one of the post's rules (the delivery policy sending items
    /// back). Never the caller of a request.
    System,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Credentials::Session { user, username, .. } => f
                .debug_struct("Session")
                .field("user", user)
                .field("username", username)
                .finish_non_exhaustive(),
            Credentials::Token { token, partner } => f
                .debug_struct("Token")
                .field("token", token)
                .field("partner", partner)
                .finish(),
            Credentials::System => f.write_str("System"),
        }
    }
}

/// An authenticated caller: the operator it acts for, its roles and its offices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub operator: CountryCode,
    /// A username or a token name, for logs and the audit trail.
    pub name: String,
    pub roles: BTreeSet<Role>,
    pub offices: BTreeSet<SiteCode>,
    pub credentials: Credentials,
}

impl Principal {
    fn from_session(session: Session, secret_hash: String) -> Self {
        let User {
            id,
            operator,
            username,
            roles,
            offices,
            ..
        } = session.user;
        Self {
            operator,
            name: username.to_string(),
            roles,
            offices,
            credentials: Credentials::Session {
                user: id,
                username,
                secret_hash,
                csrf_token: session.csrf_token,
            },
        }
    }

    fn from_token(token: ApiToken) -> Self {
        Self {
            operator: token.operator,
            name: token.name,
            roles: BTreeSet::from([token.role]),
            offices: token.office.into_iter().collect(),
            credentials: Credentials::Token {
                token: token.id,
                partner: token.partner,
            },
        }
    }

    pub fn has_any_role(&self, roles: &[Role]) -> bool {
        roles.iter().any(|role| self.roles.contains(role))
    }

    /// Admins and supervisors act for every office of their operator.
    pub fn covers_all_offices(&self) -> bool {
        self.has_any_role(&[Role::Admin, Role::Supervisor])
    }

    /// The one office check: `Ok` when the principal may act at `office` (an office of its
    /// own operator: the caller has looked it up through the store with `self.operator`).
    pub fn require_office(&self, office: &SiteCode) -> ApiResult<()> {
        if self.covers_all_offices() || self.offices.contains(office) {
            Ok(())
        } else {
            Err(ApiError::new(
                crate::error::ErrorCode::Forbidden,
                format!("you are not assigned to office {office}"),
            ))
        }
    }

    /// The office this principal acts from when it has exactly one.
    pub fn home_office(&self) -> Option<&SiteCode> {
        match self.offices.len() {
            1 => self.offices.first(),
            _ => None,
        }
    }

    /// Barid itself acting for `operator` under the rule `name` (shown in the audit log).
    pub fn system(operator: CountryCode, name: &str) -> Self {
        Self {
            operator,
            name: name.to_owned(),
            roles: BTreeSet::new(),
            offices: BTreeSet::new(),
            credentials: Credentials::System,
        }
    }

    /// Who is acting, for the store's audit entry.
    pub fn actor(&self, at: OffsetDateTime) -> Actor {
        let (user, token) = match &self.credentials {
            Credentials::Session { user, .. } => (Some(*user), None),
            Credentials::Token { token, .. } => (None, Some(*token)),
            Credentials::System => (None, None),
        };
        Actor {
            operator: self.operator,
            user,
            token,
            name: self.name.clone(),
            office: self.home_office().cloned(),
            at,
        }
    }

    /// The session's CSRF token; `None` for API tokens, which need none.
    pub fn csrf_token(&self) -> Option<&str> {
        match &self.credentials {
            Credentials::Session { csrf_token, .. } => Some(csrf_token),
            Credentials::Token { .. } | Credentials::System => None,
        }
    }
}

/// Handlers of protected routes take a `Principal`; the policy middleware has put it in the
/// request. On a public route there is none, and asking for one is 401.
impl<S: Send + Sync> FromRequestParts<S> for Principal {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Principal>()
            .cloned()
            .ok_or_else(ApiError::unauthenticated)
    }
}

/// The credentials of an `Authorization: Bearer …` header (the scheme is case-insensitive):
/// `None` without such a header (another scheme, e.g. a proxy's Basic, is not ours to judge),
/// `Some(None)` when the header is unreadable or empty.
fn bearer_credentials(headers: &HeaderMap) -> Option<Option<&str>> {
    let value = headers.get(header::AUTHORIZATION)?;
    let Ok(text) = value.to_str() else {
        return Some(None);
    };
    let (scheme, rest) = text.trim().split_once(' ').unwrap_or((text.trim(), ""));
    if !scheme.eq_ignore_ascii_case("bearer") {
        return None;
    }
    Some(Some(rest.trim()).filter(|secret| !secret.is_empty()))
}

/// Finds the caller from an `Authorization: Bearer` header, else the session cookie.
/// `Ok(None)` means anonymous; a bearer header that is present but wrong is 401, never
/// anonymous, so a client with a revoked token learns so.
pub async fn authenticate(state: &AppState, headers: &HeaderMap) -> ApiResult<Option<Principal>> {
    if let Some(credentials) = bearer_credentials(headers) {
        let secret = credentials
            .filter(|secret| secret.starts_with(secret::API_TOKEN_PREFIX))
            .ok_or_else(ApiError::unauthenticated)?;
        let token = state
            .store()
            .api_token(&secret::hash_secret(secret))
            .await?
            .ok_or_else(ApiError::unauthenticated)?;
        return Ok(Some(Principal::from_token(token)));
    }
    let jar = CookieJar::from_headers(headers);
    let Some(cookie) = jar.get(SESSION_COOKIE) else {
        return Ok(None);
    };
    let secret_hash = secret::hash_secret(cookie.value());
    let session = state.store().session(&secret_hash, state.now()).await?;
    Ok(session.map(|session| Principal::from_session(session, secret_hash)))
}

/// A cookie with Barid's flags: HttpOnly, SameSite=Strict, Path=/, Secure when configured.
pub fn strict_cookie(
    name: &'static str,
    value: String,
    max_age: time::Duration,
    secure: bool,
) -> Cookie<'static> {
    Cookie::build((name, value))
        .http_only(true)
        .same_site(SameSite::Strict)
        .path("/")
        .secure(secure)
        .max_age(max_age)
        .build()
}

/// A cookie that deletes `name` (same path, expired).
pub fn removal_cookie(name: &'static str, secure: bool) -> Cookie<'static> {
    strict_cookie(name, String::new(), time::Duration::ZERO, secure)
}
