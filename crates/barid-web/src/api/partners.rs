//! `/api/v1/partners` and the exchange's problem lists: the delivery state of each partner
//! post's link, pausing and resuming it, pointing it at the partner's node, and the messages
//! refused by partners or quarantined here. Everything goes through [`crate::partner_links`],
//! which the partners page uses too.

use axum::Json;
use axum::extract::State;
use barid_core::CountryCode;
use barid_store::model::{InboxMessage, OutboxMessage};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

use super::list_dto;
use crate::auth::Principal;
use crate::error::ApiResult;
use crate::extract::{ApiJson, PathParam};
use crate::partner_links::{self, PartnerLink};
use crate::state::AppState;

/// The link to one partner post: where its messages go and how their delivery stands.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PartnerLinkDto {
    #[schema(example = "PS")]
    pub partner: String,
    /// The partner node's base URL; `null` when it is hosted on this node or not set yet.
    #[schema(example = "https://barid.palpost.ps")]
    pub url: Option<String>,
    /// The partner is hosted on this node: its messages are delivered in-node.
    pub same_node: bool,
    /// Sending is paused by an administrator: messages wait, in order.
    pub paused: bool,
    /// Messages waiting to be delivered.
    pub pending: u64,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub oldest_pending_at: Option<OffsetDateTime>,
    /// Why the oldest waiting message did not go through, last time it was tried.
    pub last_error: Option<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub last_delivered_at: Option<OffsetDateTime>,
    /// Delivered messages the partner's node refused (see `/api/v1/exchange/rejections`).
    pub rejected: u64,
    /// Messages from the partner this node could not apply (see
    /// `/api/v1/exchange/quarantine`).
    pub quarantined: u64,
}

impl From<PartnerLink> for PartnerLinkDto {
    fn from(link: PartnerLink) -> Self {
        Self {
            partner: link.partner.to_string(),
            url: link.url,
            same_node: link.same_node,
            paused: link.paused,
            pending: link.pending,
            oldest_pending_at: link.oldest_pending_at,
            last_error: link.last_error,
            last_delivered_at: link.last_delivered_at,
            rejected: link.rejected,
            quarantined: link.quarantined,
        }
    }
}

list_dto!(
    /// The operator's partners, by country code.
    PartnerLinkList,
    PartnerLinkDto
);

/// Where to send a partner's messages.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PartnerEndpointRequest {
    /// The partner node's base URL; messages go to `{url}/exchange/v1/messages`.
    #[schema(example = "https://barid.palpost.ps")]
    pub url: String,
    /// The partner token the partner's node issued to this post (`barid token issue
    /// --role partner` on its side). Never shown again.
    pub token: String,
}

/// A message a partner's node refused on receipt.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RejectedMessageDto {
    pub message_id: String,
    #[schema(example = "PS")]
    pub partner: String,
    pub sequence: i64,
    #[schema(example = "EMSEVT")]
    pub message_type: String,
    /// The partner's stable reason code, e.g. `not_applicable`.
    pub code: String,
    pub reason: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub delivered_at: Option<OffsetDateTime>,
}

impl From<OutboxMessage> for RejectedMessageDto {
    fn from(message: OutboxMessage) -> Self {
        let (code, reason) = message
            .rejection
            .map(|rejection| (rejection.code, rejection.reason))
            .unwrap_or_default();
        Self {
            message_id: message.message_id.to_string(),
            partner: message.recipient.to_string(),
            sequence: message.sequence,
            message_type: message.message_type,
            code,
            reason,
            created_at: message.created_at,
            delivered_at: message.delivered_at,
        }
    }
}

list_dto!(
    /// Messages partners refused, latest first (at most 200).
    RejectedMessageList,
    RejectedMessageDto
);

/// A message received from a partner that could not be applied; nothing of it was applied.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct QuarantinedMessageDto {
    pub message_id: String,
    #[schema(example = "EG")]
    pub sender: String,
    pub sequence: i64,
    #[schema(example = "EMSEVT")]
    pub message_type: String,
    /// Why it was not applied.
    pub reason: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub received_at: OffsetDateTime,
}

impl From<InboxMessage> for QuarantinedMessageDto {
    fn from(message: InboxMessage) -> Self {
        Self {
            message_id: message.message.message_id.to_string(),
            sender: message.message.sender.to_string(),
            sequence: message.message.sequence,
            message_type: message.message.message_type,
            reason: message.error.unwrap_or_default(),
            received_at: message.message.received_at,
        }
    }
}

/// A message received from a partner, as it is after an administrator applied it again.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReceivedMessageDto {
    pub message_id: String,
    #[schema(example = "PS")]
    pub sender: String,
    pub sequence: i64,
    #[schema(example = "PREDES")]
    pub message_type: String,
    /// `applied`, or `pending` when another pass is applying it at that moment.
    #[schema(example = "applied")]
    pub state: String,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub applied_at: Option<OffsetDateTime>,
}

impl From<InboxMessage> for ReceivedMessageDto {
    fn from(message: InboxMessage) -> Self {
        Self {
            message_id: message.message.message_id.to_string(),
            sender: message.message.sender.to_string(),
            sequence: message.message.sequence,
            message_type: message.message.message_type,
            state: message.state.as_str().to_owned(),
            applied_at: message.applied_at,
        }
    }
}

list_dto!(
    /// Messages quarantined on receipt, oldest first (at most 200).
    QuarantinedMessageList,
    QuarantinedMessageDto
);

/// The delivery state of every partner link of the caller's post.
#[utoipa::path(get, path = "/api/v1/partners", tag = "partner exchange",
    responses(
        (status = 200, description = "The partners", body = PartnerLinkList),
        (status = 401, description = "`unauthenticated`", body = crate::error::ErrorBody),
        (status = 403, description = "`forbidden`: administrators and supervisors only", body = crate::error::ErrorBody),
    ))]
pub async fn list(
    State(state): State<AppState>,
    principal: Principal,
) -> ApiResult<Json<PartnerLinkList>> {
    let links = partner_links::links(state.store(), principal.operator).await?;
    Ok(Json(
        links
            .into_iter()
            .map(PartnerLinkDto::from)
            .collect::<Vec<_>>()
            .into(),
    ))
}

/// Sends this partner's messages to its node at `url`, with the token it issued.
#[utoipa::path(put, path = "/api/v1/partners/{partner}/endpoint", tag = "partner exchange",
    params(("partner" = String, Path, description = "The partner's country code, e.g. PS")),
    request_body = PartnerEndpointRequest,
    responses(
        (status = 200, description = "The link as it is now", body = PartnerLinkDto),
        (status = 403, description = "`forbidden`: administrators only", body = crate::error::ErrorBody),
        (status = 404, description = "`not_found`: no such operator", body = crate::error::ErrorBody),
        (status = 422, description = "`invalid_body`: not an http(s) URL, or no token; `refused` (`own_operator`)", body = crate::error::ErrorBody),
    ))]
pub async fn set_endpoint(
    State(state): State<AppState>,
    principal: Principal,
    PathParam(partner): PathParam<CountryCode>,
    ApiJson(request): ApiJson<PartnerEndpointRequest>,
) -> ApiResult<Json<PartnerLinkDto>> {
    let link =
        partner_links::configure(&state, &principal, partner, &request.url, &request.token).await?;
    Ok(Json(link.into()))
}

/// Stops sending to this partner; its messages wait in the outbox, in order.
#[utoipa::path(post, path = "/api/v1/partners/{partner}/pause", tag = "partner exchange",
    params(("partner" = String, Path, description = "The partner's country code, e.g. PS")),
    responses(
        (status = 200, description = "The link, paused", body = PartnerLinkDto),
        (status = 403, description = "`forbidden`: administrators only", body = crate::error::ErrorBody),
        (status = 422, description = "`refused` (`no_endpoint`): the partner has no endpoint", body = crate::error::ErrorBody),
    ))]
pub async fn pause(
    State(state): State<AppState>,
    principal: Principal,
    PathParam(partner): PathParam<CountryCode>,
) -> ApiResult<Json<PartnerLinkDto>> {
    Ok(Json(
        partner_links::set_paused(&state, &principal, partner, true)
            .await?
            .into(),
    ))
}

/// Sends to this partner again, starting with the oldest waiting message.
#[utoipa::path(post, path = "/api/v1/partners/{partner}/resume", tag = "partner exchange",
    params(("partner" = String, Path, description = "The partner's country code, e.g. PS")),
    responses(
        (status = 200, description = "The link, sending", body = PartnerLinkDto),
        (status = 403, description = "`forbidden`: administrators only", body = crate::error::ErrorBody),
        (status = 422, description = "`refused` (`no_endpoint`): the partner has no endpoint", body = crate::error::ErrorBody),
    ))]
pub async fn resume(
    State(state): State<AppState>,
    principal: Principal,
    PathParam(partner): PathParam<CountryCode>,
) -> ApiResult<Json<PartnerLinkDto>> {
    Ok(Json(
        partner_links::set_paused(&state, &principal, partner, false)
            .await?
            .into(),
    ))
}

/// Messages partners' nodes refused on receipt, with their reasons.
#[utoipa::path(get, path = "/api/v1/exchange/rejections", tag = "partner exchange",
    responses(
        (status = 200, description = "Refused messages, latest first", body = RejectedMessageList),
        (status = 403, description = "`forbidden`: administrators and supervisors only", body = crate::error::ErrorBody),
    ))]
pub async fn rejections(
    State(state): State<AppState>,
    principal: Principal,
) -> ApiResult<Json<RejectedMessageList>> {
    let refused = partner_links::rejections(state.store(), principal.operator).await?;
    Ok(Json(
        refused
            .into_iter()
            .map(RejectedMessageDto::from)
            .collect::<Vec<_>>()
            .into(),
    ))
}

/// Messages received from partners that could not be applied, with the reasons.
#[utoipa::path(get, path = "/api/v1/exchange/quarantine", tag = "partner exchange",
    responses(
        (status = 200, description = "Quarantined messages, oldest first", body = QuarantinedMessageList),
        (status = 403, description = "`forbidden`: administrators and supervisors only", body = crate::error::ErrorBody),
    ))]
pub async fn quarantine(
    State(state): State<AppState>,
    principal: Principal,
) -> ApiResult<Json<QuarantinedMessageList>> {
    let held = partner_links::quarantine(state.store(), principal.operator).await?;
    Ok(Json(
        held.into_iter()
            .map(QuarantinedMessageDto::from)
            .collect::<Vec<_>>()
            .into(),
    ))
}

/// Applies a quarantined message again, out of its turn, once its cause is put right (the
/// office or the item it names added, say). Whole or not at all; audited as `inbox.release`
/// with the administrator's name.
#[utoipa::path(post, path = "/api/v1/exchange/quarantine/{message_id}/apply", tag = "partner exchange",
    params(("message_id" = String, Path, description = "The message's UUID, as the quarantine lists it")),
    responses(
        (status = 200, description = "Applied", body = ReceivedMessageDto),
        (status = 400, description = "`invalid_path`: not a UUID", body = crate::error::ErrorBody),
        (status = 403, description = "`forbidden`: administrators only", body = crate::error::ErrorBody),
        (status = 404, description = "`not_found`: no message with this ID was received", body = crate::error::ErrorBody),
        (status = 409, description = "`conflict`: the message is not quarantined", body = crate::error::ErrorBody),
        (status = 422, description = "`refused` (`not_applicable`): it still cannot be applied; it stays quarantined with this reason", body = crate::error::ErrorBody),
    ))]
pub async fn apply_quarantined(
    State(state): State<AppState>,
    principal: Principal,
    PathParam(message_id): PathParam<uuid::Uuid>,
) -> ApiResult<Json<ReceivedMessageDto>> {
    Ok(Json(
        partner_links::apply_again(&state, &principal, message_id)
            .await?
            .into(),
    ))
}
