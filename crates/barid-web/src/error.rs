//! The one error type of the HTTP layer, [`ApiError`], and the table that maps each stable
//! error code to its HTTP status.
//!
//! What belongs here: the codes, their statuses, the JSON shape
//! `{"error": "...", "message": "...", "field": "..."}`, and conversions from store errors.
//! What does not: extractor rejections (see `extract`), which convert into `ApiError` there.

use std::fmt;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use barid_store::StoreError;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Every stable error code the API returns. Clients and tests depend on these names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// 400: the body is not syntactically valid JSON.
    MalformedJson,
    /// 422: the JSON body is well-formed but a field is unknown, missing, of the wrong type or
    /// holds an invalid value; `field` names it.
    InvalidBody,
    /// 422: a form field is missing or invalid.
    InvalidForm,
    /// 400: a path segment (an S10 ID, an office code, a username, a token ID) does not parse.
    InvalidPath,
    /// 400: a query-string parameter is unknown or invalid.
    InvalidQuery,
    /// 400: a tracking lookup asked for more IDs than one request may hold.
    TooManyIds,
    /// 401: no credentials, or the session or token is unknown, expired or revoked.
    Unauthenticated,
    /// 403: authenticated, but no role that the route allows.
    Forbidden,
    /// 403: a cookie-authenticated state change without the right CSRF token.
    CsrfFailed,
    /// 404: no such object for this operator (another operator's object looks the same).
    NotFound,
    /// 405: the path exists but not with this method.
    MethodNotAllowed,
    /// 409: a uniqueness rule or a concurrent change refused the write.
    Conflict,
    /// 409: the S10 range has no serial left.
    RangeExhausted,
    /// 413: the body is larger than the configured limit.
    PayloadTooLarge,
    /// 415: the body is not in the media type the route takes.
    UnsupportedMediaType,
    /// 429: too many attempts; `Retry-After` says when to try again.
    RateLimited,
    /// 500: something failed on the server; the log has the cause under the request ID.
    Internal,
    /// 503: the database cannot be reached.
    Unavailable,
    /// 422: counter acceptance refused the item; `errors` lists every reason with its field.
    AcceptanceRefused,
    /// 409: an `Idempotency-Key` already used for a different request.
    IdempotencyKeyReused,
    /// 409: an `Idempotency-Key` whose first request is still running; retry shortly.
    IdempotencyKeyInProgress,
    /// 400: an `Idempotency-Key` header that is empty, too long or not printable ASCII.
    InvalidIdempotencyKey,
    /// 400: a bulk request with more elements than one request may hold.
    TooManyItems,
    /// 422: an office-of-exchange, customs or delivery step breaks a postal rule (an item
    /// bagged for the wrong office, a held item, an open receptacle in a dispatch...);
    /// `errors[0].error` is the rule's own stable code, e.g. `wrong_destination`.
    Refused,
}

impl ErrorCode {
    pub const ALL: [ErrorCode; 24] = [
        ErrorCode::MalformedJson,
        ErrorCode::InvalidBody,
        ErrorCode::InvalidForm,
        ErrorCode::InvalidPath,
        ErrorCode::InvalidQuery,
        ErrorCode::TooManyIds,
        ErrorCode::Unauthenticated,
        ErrorCode::Forbidden,
        ErrorCode::CsrfFailed,
        ErrorCode::NotFound,
        ErrorCode::MethodNotAllowed,
        ErrorCode::Conflict,
        ErrorCode::RangeExhausted,
        ErrorCode::PayloadTooLarge,
        ErrorCode::UnsupportedMediaType,
        ErrorCode::RateLimited,
        ErrorCode::Internal,
        ErrorCode::Unavailable,
        ErrorCode::AcceptanceRefused,
        ErrorCode::IdempotencyKeyReused,
        ErrorCode::IdempotencyKeyInProgress,
        ErrorCode::InvalidIdempotencyKey,
        ErrorCode::TooManyItems,
        ErrorCode::Refused,
    ];

    /// The stable snake_case name sent as `error`.
    pub fn as_str(&self) -> &'static str {
        match self {
            ErrorCode::MalformedJson => "malformed_json",
            ErrorCode::InvalidBody => "invalid_body",
            ErrorCode::InvalidForm => "invalid_form",
            ErrorCode::InvalidPath => "invalid_path",
            ErrorCode::InvalidQuery => "invalid_query",
            ErrorCode::TooManyIds => "too_many_ids",
            ErrorCode::Unauthenticated => "unauthenticated",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::CsrfFailed => "csrf_failed",
            ErrorCode::NotFound => "not_found",
            ErrorCode::MethodNotAllowed => "method_not_allowed",
            ErrorCode::Conflict => "conflict",
            ErrorCode::RangeExhausted => "range_exhausted",
            ErrorCode::PayloadTooLarge => "payload_too_large",
            ErrorCode::UnsupportedMediaType => "unsupported_media_type",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::Internal => "internal",
            ErrorCode::Unavailable => "unavailable",
            ErrorCode::AcceptanceRefused => "acceptance_refused",
            ErrorCode::IdempotencyKeyReused => "idempotency_key_reused",
            ErrorCode::IdempotencyKeyInProgress => "idempotency_key_in_progress",
            ErrorCode::InvalidIdempotencyKey => "invalid_idempotency_key",
            ErrorCode::TooManyItems => "too_many_items",
            ErrorCode::Refused => "refused",
        }
    }

    /// The one place where codes meet HTTP statuses.
    pub fn status(&self) -> StatusCode {
        match self {
            ErrorCode::MalformedJson
            | ErrorCode::InvalidPath
            | ErrorCode::InvalidQuery
            | ErrorCode::TooManyIds
            | ErrorCode::InvalidIdempotencyKey
            | ErrorCode::TooManyItems => StatusCode::BAD_REQUEST,
            ErrorCode::InvalidBody
            | ErrorCode::InvalidForm
            | ErrorCode::AcceptanceRefused
            | ErrorCode::Refused => StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::Unauthenticated => StatusCode::UNAUTHORIZED,
            ErrorCode::Forbidden | ErrorCode::CsrfFailed => StatusCode::FORBIDDEN,
            ErrorCode::NotFound => StatusCode::NOT_FOUND,
            ErrorCode::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ErrorCode::Conflict
            | ErrorCode::RangeExhausted
            | ErrorCode::IdempotencyKeyReused
            | ErrorCode::IdempotencyKeyInProgress => StatusCode::CONFLICT,
            ErrorCode::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCode::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            ErrorCode::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The JSON body of every error response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ErrorBody {
    /// Stable snake_case code, e.g. `not_found`.
    #[schema(example = "invalid_body")]
    pub error: String,
    /// Human-readable explanation.
    pub message: String,
    /// The offending input, as a path such as `roles[1]` or `s10`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Every problem found, when there are several (`acceptance_refused`); left out otherwise.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ErrorDetail>,
}

/// One of several problems of a request: its own code, message and field, and for a bulk
/// request the index of the element it belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable snake_case code, e.g. `too_heavy`.
    #[schema(example = "too_heavy")]
    pub error: String,
    pub message: String,
    /// The field's path inside the element, e.g. `weight_grams` or `customs.lines[0].hs_code`.
    #[schema(example = "weight_grams")]
    pub field: String,
    /// For bulk requests: the position of the failing element in the array (from 0).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index: Option<usize>,
}

/// An error answered to the client. Internal causes are logged, never sent.
#[derive(Debug)]
pub struct ApiError {
    code: ErrorCode,
    message: String,
    field: Option<String>,
    /// Logged (with the request ID from the span) for 5xx responses.
    cause: Option<String>,
    retry_after_secs: Option<u64>,
    errors: Vec<ErrorDetail>,
}

const INTERNAL_MESSAGE: &str =
    "something went wrong on the server; the x-request-id response header identifies the log entry";

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            field: None,
            cause: None,
            retry_after_secs: None,
            errors: Vec::new(),
        }
    }

    /// Names the input the error is about.
    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    /// Lists every problem found (each with its own code and field).
    pub fn with_errors(mut self, errors: Vec<ErrorDetail>) -> Self {
        self.errors = errors;
        self
    }

    pub fn errors(&self) -> &[ErrorDetail] {
        &self.errors
    }

    pub fn code(&self) -> ErrorCode {
        self.code
    }

    pub fn message(&self) -> &str {
        &self.message
    }

    pub fn field(&self) -> Option<&str> {
        self.field.as_deref()
    }

    /// 500 with a generic message; `cause` only goes to the log.
    pub fn internal(cause: impl fmt::Display) -> Self {
        let mut error = Self::new(ErrorCode::Internal, INTERNAL_MESSAGE);
        error.cause = Some(cause.to_string());
        error
    }

    pub fn unavailable(cause: impl fmt::Display) -> Self {
        let mut error = Self::new(
            ErrorCode::Unavailable,
            "the database cannot be reached; try again shortly",
        );
        error.cause = Some(cause.to_string());
        error
    }

    pub fn unauthenticated() -> Self {
        Self::new(
            ErrorCode::Unauthenticated,
            "log in, or send an API token as `Authorization: Bearer barid_...`",
        )
    }

    pub fn forbidden() -> Self {
        Self::new(ErrorCode::Forbidden, "your roles do not allow this")
    }

    pub fn csrf_failed() -> Self {
        Self::new(
            ErrorCode::CsrfFailed,
            "missing or wrong CSRF token: send the session's token as the `csrf_token` form field or the `X-CSRF-Token` header",
        )
    }

    pub fn not_found(what: &str) -> Self {
        Self::new(ErrorCode::NotFound, format!("{what} not found"))
    }

    /// A postal rule refused the step: `rule` is the rule's stable code (kept in `errors`),
    /// `field` the input it is about.
    pub fn refused(rule: &str, field: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        ApiError::new(ErrorCode::Refused, message.clone())
            .with_field(field)
            .with_errors(vec![ErrorDetail {
                error: rule.to_owned(),
                message,
                field: field.to_owned(),
                index: None,
            }])
    }

    /// The rule's code of a `refused` error.
    pub fn rule(&self) -> Option<&str> {
        match self.code {
            ErrorCode::Refused => self.errors.first().map(|detail| detail.error.as_str()),
            _ => None,
        }
    }

    pub fn invalid_query(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidQuery, message).with_field(field)
    }

    pub fn invalid_body(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidBody, message).with_field(field)
    }

    pub fn rate_limited(retry_after_secs: u64) -> Self {
        Self::new(
            ErrorCode::RateLimited,
            format!("too many attempts; try again in {retry_after_secs} s"),
        )
        .with_retry_after(retry_after_secs)
    }

    /// Adds `Retry-After` to the response.
    pub fn with_retry_after(mut self, secs: u64) -> Self {
        self.retry_after_secs = Some(secs);
        self
    }

    pub fn retry_after(&self) -> Option<u64> {
        self.retry_after_secs
    }

    pub fn payload_too_large() -> Self {
        Self::new(
            ErrorCode::PayloadTooLarge,
            "the request body is larger than this server accepts",
        )
    }

    /// The JSON body this error renders as.
    pub fn body(&self) -> ErrorBody {
        ErrorBody {
            error: self.code.as_str().to_owned(),
            message: self.message.clone(),
            field: self.field.clone(),
            errors: self.errors.clone(),
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for ApiError {}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.code.status();
        if status.is_server_error() {
            // The request ID is a field of the current span (see middleware::observe).
            tracing::error!(
                code = self.code.as_str(),
                cause = self.cause.as_deref().unwrap_or(""),
                "request failed"
            );
        }
        let mut response = (status, axum::Json(self.body())).into_response();
        if let Some(secs) = self.retry_after_secs
            && let Ok(value) = HeaderValue::from_str(&secs.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        response
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound { what, .. } => ApiError::not_found(what),
            StoreError::Conflict { what, message } => {
                ApiError::new(ErrorCode::Conflict, format!("{what}: {message}"))
            }
            StoreError::Invalid { field, message } => ApiError::invalid_body(field, message),
            StoreError::RangeExhausted { range } => ApiError::new(
                ErrorCode::RangeExhausted,
                format!("S10 range {range} is used up; add a new range"),
            ),
            error @ (StoreError::Corrupt { .. } | StoreError::Database(_)) => {
                ApiError::internal(error)
            }
        }
    }
}

/// Shorthand for handler results.
pub type ApiResult<T> = Result<T, ApiError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_a_distinct_name_and_an_error_status() {
        let mut names: Vec<_> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), ErrorCode::ALL.len());
        for code in ErrorCode::ALL {
            assert!(code.status().is_client_error() || code.status().is_server_error());
            assert!(
                code.as_str()
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c == '_')
            );
        }
    }

    #[test]
    fn store_errors_map_to_codes_without_leaking_internals() {
        let not_found: ApiError = StoreError::not_found("office", "EGCAIA").into();
        assert_eq!(not_found.code(), ErrorCode::NotFound);
        let conflict: ApiError = StoreError::conflict("user", "username taken").into();
        assert_eq!(conflict.code(), ErrorCode::Conflict);
        let corrupt: ApiError = StoreError::corrupt("item", "secret table detail").into();
        assert_eq!(corrupt.code(), ErrorCode::Internal);
        assert!(!corrupt.body().message.contains("secret"));
    }
}
