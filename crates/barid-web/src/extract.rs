//! Extractors that wrap axum's Json, Form, Query and Path so every rejection is an
//! [`ApiError`] in the one JSON shape, naming the offending field where it can.
//!
//! What belongs here: request-side plumbing that any handler may use. What does not:
//! authentication (see `auth`), which has its own extractor.

use axum::extract::rejection::{FormRejection, JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, RawPathParams};
use axum::http::StatusCode;
use axum::http::request::Parts;
use barid_core::{S10Id, SiteCode};
use barid_store::model::{TokenId, Username};

use crate::error::{ApiError, ErrorCode};

/// A JSON body. Rejections: 415 `unsupported_media_type`, 400 `malformed_json`,
/// 422 `invalid_body` (with `field`), 413 `payload_too_large`.
#[derive(Debug, Clone, Copy, Default, FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub struct ApiJson<T>(pub T);

/// A URL-encoded form body. Rejections: 415, 422 `invalid_form`, 413.
#[derive(Debug, Clone, Copy, Default, FromRequest)]
#[from_request(via(axum::Form), rejection(ApiError))]
pub struct ApiForm<T>(pub T);

/// Query-string parameters. Rejection: 400 `invalid_query`.
#[derive(Debug, Clone, Copy, Default, FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct ApiQuery<T>(pub T);

/// Path parameters deserialised with serde. Rejection: 400 `invalid_path`.
#[derive(Debug, Clone, Copy, Default, FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct ApiPath<T>(pub T);

/// A value that can stand in a URL path segment, parsed by its own parser so the error says
/// exactly what is wrong (for an S10 ID, which check digit was expected).
pub trait PathValue: Sized {
    fn parse_path(text: &str) -> Result<Self, String>;
}

impl PathValue for S10Id {
    fn parse_path(text: &str) -> Result<Self, String> {
        S10Id::parse(text).map_err(|e| e.to_string())
    }
}

impl PathValue for barid_core::DispatchId {
    fn parse_path(text: &str) -> Result<Self, String> {
        barid_core::DispatchId::parse(text).map_err(|e| e.to_string())
    }
}

impl PathValue for barid_core::CountryCode {
    fn parse_path(text: &str) -> Result<Self, String> {
        barid_core::CountryCode::parse(text).map_err(|e| e.to_string())
    }
}

impl PathValue for SiteCode {
    fn parse_path(text: &str) -> Result<Self, String> {
        SiteCode::parse(text).map_err(|e| e.to_string())
    }
}

impl PathValue for Username {
    fn parse_path(text: &str) -> Result<Self, String> {
        Username::parse(text).map_err(|e| e.to_string())
    }
}

impl PathValue for uuid::Uuid {
    fn parse_path(text: &str) -> Result<Self, String> {
        uuid::Uuid::parse_str(text)
            .map_err(|error| format!("{text:?} is not a message ID: {error}"))
    }
}

impl PathValue for String {
    fn parse_path(text: &str) -> Result<Self, String> {
        Ok(text.to_owned())
    }
}

impl PathValue for TokenId {
    fn parse_path(text: &str) -> Result<Self, String> {
        text.parse::<i64>()
            .ok()
            .filter(|id| *id > 0)
            .map(TokenId)
            .ok_or_else(|| format!("a token ID is a positive whole number, found {text:?}"))
    }
}

macro_rules! positive_row_id {
    ($type:ty, $what:literal) => {
        impl PathValue for $type {
            fn parse_path(text: &str) -> Result<Self, String> {
                text.parse::<i64>()
                    .ok()
                    .filter(|id| *id > 0)
                    .map(<$type>::from_raw)
                    .ok_or_else(|| {
                        format!(
                            concat!(
                                "a ",
                                $what,
                                " number is a positive whole number, found {:?}"
                            ),
                            text
                        )
                    })
            }
        }
    };
}

trait FromRaw {
    fn from_raw(raw: i64) -> Self;
}

impl FromRaw for barid_store::model::ReceptacleRowId {
    fn from_raw(raw: i64) -> Self {
        Self(raw)
    }
}

positive_row_id!(barid_store::model::ReceptacleRowId, "receptacle");

impl FromRaw for barid_store::model::AgreementId {
    fn from_raw(raw: i64) -> Self {
        Self(raw)
    }
}

positive_row_id!(barid_store::model::AgreementId, "agreement");

/// The first and the last path parameters of the route, each parsed with [`PathValue`], e.g.
/// a receptacle and an item in it.
#[derive(Debug, Clone)]
pub struct PathPair<A, B>(pub A, pub B);

impl<S, A, B> FromRequestParts<S> for PathPair<A, B>
where
    S: Send + Sync,
    A: PathValue,
    B: PathValue,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let params = RawPathParams::from_request_parts(parts, state)
            .await
            .map_err(|rejection| ApiError::new(ErrorCode::InvalidPath, rejection.body_text()))?;
        let (Some((first_name, first)), Some((last_name, last))) =
            (params.iter().next(), params.iter().last())
        else {
            return Err(ApiError::internal(
                "PathPair used on a route without parameters",
            ));
        };
        let first = A::parse_path(first).map_err(|message| {
            ApiError::new(ErrorCode::InvalidPath, message).with_field(first_name)
        })?;
        let last = B::parse_path(last).map_err(|message| {
            ApiError::new(ErrorCode::InvalidPath, message).with_field(last_name)
        })?;
        Ok(PathPair(first, last))
    }
}

/// The last path parameter of the route, parsed with [`PathValue`]. The rejection is
/// 400 `invalid_path` with `field` set to the parameter's name.
#[derive(Debug, Clone)]
pub struct PathParam<T>(pub T);

impl<S, T> FromRequestParts<S> for PathParam<T>
where
    S: Send + Sync,
    T: PathValue,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let params = RawPathParams::from_request_parts(parts, state)
            .await
            .map_err(|rejection| ApiError::new(ErrorCode::InvalidPath, rejection.body_text()))?;
        let Some((name, value)) = params.iter().last() else {
            return Err(ApiError::internal(
                "PathParam used on a route without parameters",
            ));
        };
        T::parse_path(value)
            .map(PathParam)
            .map_err(|message| ApiError::new(ErrorCode::InvalidPath, message).with_field(name))
    }
}

fn too_large_or(status: StatusCode, otherwise: ApiError) -> ApiError {
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::payload_too_large()
    } else {
        otherwise
    }
}

/// The text of the innermost error, without axum's "Failed to ..." preamble.
fn source_text(error: &dyn std::error::Error, fallback: String) -> String {
    error.source().map_or(fallback, |source| source.to_string())
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        match &rejection {
            JsonRejection::MissingJsonContentType(_) => ApiError::new(
                ErrorCode::UnsupportedMediaType,
                "send the body as JSON with `Content-Type: application/json`",
            ),
            JsonRejection::JsonSyntaxError(_) => ApiError::new(
                ErrorCode::MalformedJson,
                format!(
                    "the body is not valid JSON: {}",
                    source_text(&rejection, rejection.body_text())
                ),
            ),
            JsonRejection::JsonDataError(_) => {
                let (field, message) =
                    split_data_error(&source_text(&rejection, rejection.body_text()));
                let error = ApiError::new(ErrorCode::InvalidBody, message);
                match field {
                    Some(field) => error.with_field(field),
                    None => error,
                }
            }
            JsonRejection::BytesRejection(_) => too_large_or(
                rejection.status(),
                ApiError::new(
                    ErrorCode::MalformedJson,
                    "the request body could not be read",
                ),
            ),
            _ => too_large_or(
                rejection.status(),
                ApiError::new(ErrorCode::MalformedJson, rejection.body_text()),
            ),
        }
    }
}

impl From<FormRejection> for ApiError {
    fn from(rejection: FormRejection) -> Self {
        match &rejection {
            FormRejection::InvalidFormContentType(_) => ApiError::new(
                ErrorCode::UnsupportedMediaType,
                "send the form as `application/x-www-form-urlencoded`",
            ),
            _ if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                ApiError::payload_too_large()
            }
            _ => {
                let text = source_text(&rejection, rejection.body_text());
                with_named_field(ApiError::new(ErrorCode::InvalidForm, text.clone()), &text)
            }
        }
    }
}

impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> Self {
        let text = source_text(&rejection, rejection.body_text());
        with_named_field(ApiError::new(ErrorCode::InvalidQuery, text.clone()), &text)
    }
}

impl From<PathRejection> for ApiError {
    fn from(rejection: PathRejection) -> Self {
        use axum::extract::path::ErrorKind;
        match &rejection {
            PathRejection::FailedToDeserializePathParams(error) => match error.kind() {
                ErrorKind::ParseErrorAtKey {
                    key,
                    value,
                    expected_type,
                } => ApiError::new(
                    ErrorCode::InvalidPath,
                    format!("{value:?} is not a valid {expected_type}"),
                )
                .with_field(key.clone()),
                ErrorKind::DeserializeError { key, message, .. } => {
                    ApiError::new(ErrorCode::InvalidPath, message.clone()).with_field(key.clone())
                }
                ErrorKind::Message(message) => ApiError::new(ErrorCode::InvalidPath, message),
                _ => ApiError::new(ErrorCode::InvalidPath, error.body_text()),
            },
            _ => ApiError::new(ErrorCode::InvalidPath, rejection.body_text()),
        }
    }
}

/// Adds `field` when a serde message names one ("unknown field `x`", "missing field `x`").
fn with_named_field(error: ApiError, text: &str) -> ApiError {
    match named_field(text) {
        Some(field) => error.with_field(field),
        None => error,
    }
}

fn named_field(message: &str) -> Option<String> {
    for marker in ["unknown field `", "missing field `", "duplicate field `"] {
        if let Some(start) = message.find(marker) {
            let rest = message.get(start + marker.len()..)?;
            let end = rest.find('`')?;
            return rest.get(..end).map(str::to_owned);
        }
    }
    None
}

/// Splits serde_path_to_error's `path: message` text (as axum's Json rejection carries it)
/// into the field path and a message without serde_json's position suffix.
fn split_data_error(text: &str) -> (Option<String>, String) {
    let (path, message) = match text.split_once(": ") {
        Some((path, message))
            if !path.is_empty()
                && path
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "_.[]?".contains(c)) =>
        {
            (Some(path.to_owned()), message)
        }
        _ => (None, text),
    };
    let message = match message.rfind(" at line ") {
        Some(at)
            if message
                .get(at..)
                .is_some_and(|tail| tail.contains(" column ")) =>
        {
            message.get(..at).unwrap_or(message)
        }
        _ => message,
    };
    let field = match (path, named_field(message)) {
        // serde_path_to_error reports an unknown field at its own path, a missing one at its
        // parent's.
        (Some(path), Some(name))
            if message.starts_with("missing field") && !path.ends_with(name.as_str()) =>
        {
            Some(format!("{path}.{name}"))
        }
        (None, Some(name)) => Some(name),
        (path, _) => path,
    };
    (field, message.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Inner {
        code: SiteCode,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Outer {
        name: String,
        count: u32,
        inner: Option<Inner>,
        list: Option<Vec<SiteCode>>,
    }

    fn reject(body: &str) -> ApiError {
        axum::Json::<Outer>::from_bytes(body.as_bytes())
            .unwrap_err()
            .into()
    }

    #[test]
    fn json_errors_name_the_field() {
        let error = reject(r#"{"name": 5, "count": 1}"#);
        assert_eq!(error.code(), ErrorCode::InvalidBody);
        assert_eq!(error.field(), Some("name"));
        assert_eq!(
            error.message(),
            "invalid type: integer `5`, expected a string"
        );

        let error = reject(r#"{"name": "a", "count": 1, "extra": true}"#);
        assert_eq!(error.field(), Some("extra"));
        assert!(
            error.message().starts_with("unknown field `extra`"),
            "{}",
            error.message()
        );

        let error = reject(r#"{"count": 1}"#);
        assert_eq!(error.field(), Some("name"));

        let error = reject(r#"{"name": "a", "count": 1, "inner": {"code": "1x"}}"#);
        assert_eq!(error.field(), Some("inner.code"));
        assert!(
            error.message().contains("office code"),
            "{}",
            error.message()
        );

        let error = reject(r#"{"name": "a", "count": 1, "inner": {"code": "AB", "x": 1}}"#);
        assert_eq!(error.field(), Some("inner.x"));

        let error = reject(r#"{"name": "a", "count": 1, "list": ["AB", "9"]}"#);
        assert_eq!(error.field(), Some("list[1]"));

        let error = reject(r#"{"name": "a", "#);
        assert_eq!(error.code(), ErrorCode::MalformedJson);
        assert!(error.field().is_none());
    }

    #[test]
    fn token_ids_are_positive_numbers() {
        assert_eq!(TokenId::parse_path("12"), Ok(TokenId(12)));
        assert!(TokenId::parse_path("0").is_err());
        assert!(TokenId::parse_path("x").is_err());
    }
}
