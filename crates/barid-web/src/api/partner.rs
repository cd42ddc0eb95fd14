//! The partner exchange endpoint: a partner post's node posts its batches of messages here.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;

use crate::auth::Principal;
use crate::error::{ApiError, ApiResult};
use crate::partner_exchange::{self, BatchReply};
use crate::state::AppState;

/// Receives a batch of messages from a partner post (`{"messages": [envelope, ...]}`, each
/// envelope with its `sequence`), authenticated by the partner token this post issued to it.
/// Answers with one acknowledgement per message: `applied`, `queued` (waiting for an earlier
/// message), `duplicate`, or `rejected` with the reason.
#[utoipa::path(post, path = "/exchange/v1/messages", tag = "partner exchange",
    request_body(content = String, content_type = "application/json",
        description = "`{\"messages\": [envelope, ...]}`: barid-json envelopes (docs/exchange/), at most 1000, each with its `sequence`"),
    responses(
        (status = 200, description = "Every message acknowledged", body = BatchReply),
        (status = 401, description = "`unauthenticated`: no valid token", body = crate::error::ErrorBody),
        (status = 403, description = "`forbidden`: not a partner token", body = crate::error::ErrorBody),
        (status = 413, description = "`payload_too_large`: over 64 MiB", body = crate::error::ErrorBody),
        (status = 422, description = "`invalid_body`: not a batch, or over 1000 messages", body = crate::error::ErrorBody),
    ))]
pub async fn receive(
    State(state): State<AppState>,
    principal: Principal,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Json<BatchReply>> {
    let body = body.map_err(|rejection| {
        if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::payload_too_large()
        } else {
            ApiError::invalid_body("messages", "the request body could not be read")
        }
    })?;
    Ok(Json(
        partner_exchange::receive(&state, &principal, &body).await?,
    ))
}
