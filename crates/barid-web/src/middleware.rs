//! Middleware around every request: the request ID (taken from `x-request-id` when it is
//! sane, generated otherwise, echoed in the response and recorded in the tracing span), a
//! log line per request, metrics by route and status, and the security headers.
//!
//! What belongs here: cross-cutting request plumbing. What does not: authorisation, which
//! the route table's guard does (see `router`).

use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tracing::Instrument;

use crate::state::AppState;

pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// The request's ID, also available to handlers as a request extension.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestId(pub String);

/// The Content-Security-Policy: everything from this origin only. Inline styles are allowed
/// because the vendored Swagger UI sets style attributes; scripts are never inline.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
     style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; \
     connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; \
     frame-ancestors 'none'";

const SECURITY_HEADERS: [(&str, &str); 6] = [
    ("x-content-type-options", "nosniff"),
    ("x-frame-options", "DENY"),
    ("referrer-policy", "no-referrer"),
    ("content-security-policy", CONTENT_SECURITY_POLICY),
    ("cross-origin-opener-policy", "same-origin"),
    (
        "permissions-policy",
        "camera=(), microphone=(), geolocation=()",
    ),
];

/// Request ID, tracing span, log line, metrics and security headers.
pub async fn observe(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let id =
        incoming_request_id(request.headers()).unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let id_value = HeaderValue::from_str(&id).unwrap_or(HeaderValue::from_static("invalid"));
    request
        .headers_mut()
        .insert(HeaderName::from_static(REQUEST_ID_HEADER), id_value.clone());
    request.extensions_mut().insert(RequestId(id.clone()));

    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |path| path.as_str().to_owned());
    let method = request.method().clone();
    let span = tracing::info_span!(
        "request",
        request_id = %id,
        method = %metric_method(&method),
        route = %route,
    );
    let started = Instant::now();
    let mut response = next.run(request).instrument(span.clone()).await;
    let elapsed = started.elapsed();
    let status = response.status().as_u16();
    state
        .metrics()
        .record(metric_method(&method), &route, status, elapsed);
    span.in_scope(|| {
        tracing::info!(
            status,
            elapsed_ms = u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX),
            "answered"
        );
    });

    let headers = response.headers_mut();
    headers.insert(HeaderName::from_static(REQUEST_ID_HEADER), id_value);
    for (name, value) in SECURITY_HEADERS {
        if !headers.contains_key(name) {
            headers.insert(
                HeaderName::from_static(name),
                HeaderValue::from_static(value),
            );
        }
    }
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// A client's own request ID, if it is short and plain enough to put in logs.
fn incoming_request_id(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(REQUEST_ID_HEADER)?.to_str().ok()?;
    let sane = (1..=128).contains(&value.len())
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.:".contains(c));
    sane.then(|| value.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_sane_incoming_ids_are_kept() {
        let mut headers = HeaderMap::new();
        headers.insert(REQUEST_ID_HEADER, HeaderValue::from_static("abc-123"));
        assert_eq!(incoming_request_id(&headers).as_deref(), Some("abc-123"));
        headers.insert(REQUEST_ID_HEADER, HeaderValue::from_static("a b"));
        assert_eq!(incoming_request_id(&headers), None);
        headers.insert(
            REQUEST_ID_HEADER,
            HeaderValue::from_str(&"x".repeat(200)).unwrap(),
        );
        assert_eq!(incoming_request_id(&headers), None);
    }
}

/// The method as a metrics label and log field. Clients may send any token as a method, and
/// each distinct label is a series kept for ever, so anything non-standard becomes `other`.
fn metric_method(method: &axum::http::Method) -> &'static str {
    use axum::http::Method;
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

#[cfg(test)]
mod method_label_tests {
    use super::metric_method;
    use axum::http::Method;

    #[test]
    fn only_standard_methods_become_labels() {
        assert_eq!(metric_method(&Method::GET), "GET");
        assert_eq!(metric_method(&Method::DELETE), "DELETE");
        assert_eq!(
            metric_method(&Method::from_bytes(b"M12345").unwrap()),
            "other"
        );
        assert_eq!(metric_method(&Method::CONNECT), "other");
    }
}

/// The longest a request may take before it is answered with 503 `unavailable`, so a stuck
/// database or a slow client cannot hold a worker for ever.
pub const REQUEST_TIME_LIMIT: std::time::Duration = std::time::Duration::from_secs(60);

pub async fn time_limit(request: Request, next: Next) -> Response {
    match tokio::time::timeout(REQUEST_TIME_LIMIT, next.run(request)).await {
        Ok(response) => response,
        Err(_) => crate::error::ApiError::new(
            crate::error::ErrorCode::Unavailable,
            "the request took too long; try again",
        )
        .into_response(),
    }
}

/// The answer to a request whose handler panicked: the same 500 as any internal error.
pub fn panic_response(cause: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let detail = cause
        .downcast_ref::<&str>()
        .map(|text| (*text).to_owned())
        .or_else(|| cause.downcast_ref::<String>().cloned())
        .unwrap_or_default();
    tracing::error!(%detail, "a handler panicked");
    crate::error::ApiError::new(crate::error::ErrorCode::Internal, "internal error").into_response()
}
