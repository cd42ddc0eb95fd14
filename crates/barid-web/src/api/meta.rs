//! Health, readiness, metrics, the OpenAPI document and the offline API reference page.

use std::sync::{Arc, OnceLock};

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};

use super::StatusDto;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::extract::PathParam;
use crate::state::AppState;

/// Liveness: the process answers.
#[utoipa::path(get, path = "/healthz", tag = "operations",
    responses((status = 200, description = "The server is up", body = StatusDto)))]
pub async fn healthz() -> Json<StatusDto> {
    Json(StatusDto {
        status: "ok".to_owned(),
    })
}

/// Readiness: the database answers.
#[utoipa::path(get, path = "/readyz", tag = "operations",
    responses(
        (status = 200, description = "Ready to serve", body = StatusDto),
        (status = 503, description = "The database cannot be reached", body = crate::error::ErrorBody),
    ))]
pub async fn readyz(State(state): State<AppState>) -> ApiResult<Json<StatusDto>> {
    state.store().ping().await.map_err(ApiError::unavailable)?;
    Ok(Json(StatusDto {
        status: "ready".to_owned(),
    }))
}

/// Request counts and latencies by route and status, in Prometheus text format.
#[utoipa::path(get, path = "/metrics", tag = "operations",
    responses((status = 200, description = "Prometheus text exposition", content_type = "text/plain", body = String)))]
pub async fn metrics(State(state): State<AppState>) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
        )],
        state.metrics().render(),
    )
        .into_response()
}

/// This document.
#[utoipa::path(get, path = "/api/openapi.json", tag = "operations",
    responses((status = 200, description = "The OpenAPI 3.1 document", body = Object)))]
pub async fn openapi_json() -> Json<&'static utoipa::openapi::OpenApi> {
    Json(crate::openapi::document())
}

/// The API reference page lives under `/api/docs/`.
#[utoipa::path(get, path = "/api/docs", tag = "operations",
    responses((status = 303, description = "Redirect to /api/docs/")))]
pub async fn docs_redirect() -> Redirect {
    Redirect::to("/api/docs/")
}

/// The API reference page (Swagger UI, served from the binary; works offline).
#[utoipa::path(get, path = "/api/docs/", tag = "operations",
    responses((status = 200, description = "HTML page", content_type = "text/html", body = String)))]
pub async fn docs_index() -> ApiResult<Response> {
    swagger_file("index.html")
}

/// A file of the API reference page (scripts, styles, icons).
#[utoipa::path(get, path = "/api/docs/{file}", tag = "operations",
    params(("file" = String, Path, description = "File name, e.g. swagger-ui.css")),
    responses(
        (status = 200, description = "The file"),
        (status = 404, description = "No such file", body = crate::error::ErrorBody),
    ))]
pub async fn docs_file(PathParam(file): PathParam<String>) -> ApiResult<Response> {
    swagger_file(&file)
}

fn swagger_config() -> Arc<utoipa_swagger_ui::Config<'static>> {
    static CONFIG: OnceLock<Arc<utoipa_swagger_ui::Config<'static>>> = OnceLock::new();
    CONFIG
        .get_or_init(|| {
            Arc::new(
                utoipa_swagger_ui::Config::new(["/api/openapi.json"])
                    // The public validator is a remote service; the page must work offline.
                    .validator_url("none"),
            )
        })
        .clone()
}

fn swagger_file(file: &str) -> ApiResult<Response> {
    let found = utoipa_swagger_ui::serve(file, swagger_config())
        .map_err(|error| ApiError::internal(format!("Swagger UI file {file}: {error}")))?;
    let Some(found) = found else {
        return Err(ApiError::new(
            ErrorCode::NotFound,
            format!("no file {file} in the API reference"),
        ));
    };
    let mut response = (StatusCode::OK, found.bytes.into_owned()).into_response();
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&found.content_type) {
        headers.insert(header::CONTENT_TYPE, value);
    }
    if found.gzpipped {
        headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
    }
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    Ok(response)
}
