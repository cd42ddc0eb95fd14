//! `POST /api/v1/items` and `POST /api/v1/items/bulk`: counter acceptance through the API
//! (see [`crate::acceptance`] for the rules), with `Idempotency-Key`; and the item's
//! documents as PDF: label, customs declaration, acceptance receipt.

use std::time::Duration;

use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use barid_core::{Money, S10Id, SiteCode};
use barid_store::model::{IdempotencyReservation, Item, Operator};
use base64::Engine;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use crate::acceptance::{
    self, AcceptanceDraft, AcceptanceError, AcceptanceIssue, AcceptedItem, MAX_BATCH,
};
use crate::api::items::{ItemDto, MoneyDto};
use crate::auth::Principal;
use crate::error::{ApiError, ApiResult, ErrorCode, ErrorDetail};
use crate::extract::{ApiJson, PathParam};
use crate::state::AppState;

/// The header a client sends to make a creating POST safe to retry.
pub const IDEMPOTENCY_KEY: &str = "idempotency-key";
/// The longest `Idempotency-Key` accepted.
pub const IDEMPOTENCY_KEY_MAX: usize = 255;
/// How long a retry waits for the first request with its key to finish before `409`.
const IN_PROGRESS_WAIT: Duration = Duration::from_secs(5);

/// One item to accept: the draft, and the office it is accepted at.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct AcceptItemRequest {
    /// The accepting office (one of the caller's). May be left out by a caller with exactly one
    /// office (a counter clerk, a merchant token).
    #[schema(example = "EG-CAIRO-1")]
    pub office: Option<String>,
    #[serde(flatten)]
    pub item: AcceptanceDraft,
}

/// Several items to accept at one office, all or nothing.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct AcceptBatchRequest {
    /// The accepting office, as for one item.
    pub office: Option<String>,
    /// At most 500 items.
    pub items: Vec<AcceptanceDraft>,
}

/// Where an item's printable documents are.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DocumentLinks {
    #[schema(example = "/api/v1/items/EE123456785EG/label.pdf")]
    pub label: String,
    /// `null` when the item carries no customs declaration.
    pub customs: Option<String>,
    pub receipt: String,
}

/// An accepted item.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AcceptedItemDto {
    #[schema(example = "EE123456785EG")]
    pub s10: String,
    /// As printed for people: `EE 123 456 785 EG`.
    #[schema(example = "EE 123 456 785 EG")]
    pub s10_human: String,
    /// Derived from the events: `accepted`.
    pub status: String,
    pub postage: MoneyDto,
    /// `cn22`, `cn23`, or `null` for a documents-only item.
    pub customs_form: Option<String>,
    /// The tariff zone of the destination.
    pub zone: String,
    pub documents: DocumentLinks,
    pub item: ItemDto,
}

impl From<AcceptedItem> for AcceptedItemDto {
    fn from(accepted: AcceptedItem) -> Self {
        let s10 = accepted.item.s10;
        let customs_form = accepted
            .quote
            .customs_form()
            .map(|form| form.as_str().to_owned());
        let base = format!("/api/v1/items/{s10}");
        Self {
            s10: s10.to_string(),
            s10_human: s10.human(),
            status: accepted.item.status.as_str().to_owned(),
            postage: accepted.quote.postage().into(),
            documents: DocumentLinks {
                label: format!("{base}/label.pdf"),
                customs: customs_form.as_ref().map(|_| format!("{base}/customs.pdf")),
                receipt: format!("{base}/receipt.pdf"),
            },
            customs_form,
            zone: accepted.quote.zone().to_string(),
            item: accepted.item.into(),
        }
    }
}

/// The accepted items of a bulk request, in the order given.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AcceptedBatchDto {
    pub items: Vec<AcceptedItemDto>,
}

fn detail(issue: AcceptanceIssue, index: Option<usize>) -> ErrorDetail {
    ErrorDetail {
        error: issue.code,
        message: issue.message,
        field: issue.field,
        index,
    }
}

impl From<AcceptanceError> for ApiError {
    fn from(error: AcceptanceError) -> Self {
        match error {
            AcceptanceError::Refused(issues) => {
                let message = match issues.as_slice() {
                    [only] => format!("the item cannot be accepted: {}", only.message),
                    _ => format!(
                        "the item cannot be accepted: {} problems, listed in `errors`",
                        issues.len()
                    ),
                };
                let field = issues.first().map(|issue| issue.field.clone());
                let error = ApiError::new(ErrorCode::AcceptanceRefused, message)
                    .with_errors(issues.into_iter().map(|i| detail(i, None)).collect());
                match field {
                    Some(field) => error.with_field(field),
                    None => error,
                }
            }
            AcceptanceError::BatchRefused(failures) => {
                let indices: Vec<String> = failures.iter().map(|(i, _)| i.to_string()).collect();
                ApiError::new(
                    ErrorCode::AcceptanceRefused,
                    format!(
                        "nothing was accepted: item(s) {} cannot be accepted, see `errors`",
                        indices.join(", ")
                    ),
                )
                .with_errors(
                    failures
                        .into_iter()
                        .flat_map(|(index, issues)| {
                            issues.into_iter().map(move |i| detail(i, Some(index)))
                        })
                        .collect(),
                )
            }
            AcceptanceError::Store(error) => error.into(),
        }
    }
}

/// The office to accept at: the one named, or the caller's only office. Unknown offices are
/// left for acceptance to refuse (as a field error); an office of the operator the caller is
/// not assigned to is 403.
pub(crate) async fn office_for(
    state: &AppState,
    principal: &Principal,
    named: Option<&str>,
) -> ApiResult<SiteCode> {
    let office = match named.map(str::trim).filter(|text| !text.is_empty()) {
        Some(text) => SiteCode::parse(text)
            .map_err(|error| ApiError::invalid_body("office", error.to_string()))?,
        None => principal.home_office().cloned().ok_or_else(|| {
            ApiError::invalid_body(
                "office",
                "name the accepting office: you work at more than one office, or none",
            )
        })?,
    };
    if state
        .store()
        .office(principal.operator, &office)
        .await?
        .is_some()
    {
        principal.require_office(&office)?;
    }
    Ok(office)
}

fn request_hash(route: &str, body: &impl Serialize) -> ApiResult<String> {
    let text = serde_json::to_string(body).map_err(ApiError::internal)?;
    let mut hasher = Sha256::new();
    hasher.update(route.as_bytes());
    hasher.update(b"\n");
    hasher.update(text.as_bytes());
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(hasher.finalize()))
}

fn idempotency_key(headers: &HeaderMap) -> ApiResult<Option<String>> {
    let Some(value) = headers.get(IDEMPOTENCY_KEY) else {
        return Ok(None);
    };
    let text = value.to_str().unwrap_or("").trim();
    if text.is_empty()
        || text.len() > IDEMPOTENCY_KEY_MAX
        || !text.chars().all(|c| c.is_ascii_graphic())
    {
        return Err(ApiError::new(
            ErrorCode::InvalidIdempotencyKey,
            format!(
                "Idempotency-Key must be 1 to {IDEMPOTENCY_KEY_MAX} printable ASCII characters without spaces"
            ),
        )
        .with_field("Idempotency-Key"));
    }
    Ok(Some(text.to_owned()))
}

fn json_response(status: StatusCode, body: String) -> Response {
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// Runs `work` once per `Idempotency-Key`: a retry with the same body gets the first response
/// (201 or 422, with `Idempotency-Replayed: true`), a different body under the key gets 409
/// `idempotency_key_reused`. A retry while the first request runs waits for it. Other
/// failures free the key, so a retry runs again.
async fn idempotent<T, F>(
    state: &AppState,
    principal: &Principal,
    headers: &HeaderMap,
    hash: String,
    work: F,
) -> Response
where
    T: Serialize,
    F: Future<Output = ApiResult<T>>,
{
    let key = match idempotency_key(headers) {
        Ok(Some(key)) => key,
        Ok(None) => return respond(work.await),
        Err(error) => return error.into_response(),
    };
    let operator = principal.operator;
    let deadline = tokio::time::Instant::now() + IN_PROGRESS_WAIT;
    loop {
        let reservation = state
            .store()
            .reserve_idempotency_key(operator, &key, &hash, state.now())
            .await;
        match reservation {
            Err(error) => return ApiError::from(error).into_response(),
            Ok(IdempotencyReservation::Mismatch) => {
                return ApiError::new(
                    ErrorCode::IdempotencyKeyReused,
                    "this Idempotency-Key was used for a different request; use a new key",
                )
                .with_field("Idempotency-Key")
                .into_response();
            }
            Ok(IdempotencyReservation::Completed { status, body }) => {
                let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
                let mut response = json_response(status, body);
                response
                    .headers_mut()
                    .insert("idempotency-replayed", HeaderValue::from_static("true"));
                return response;
            }
            Ok(IdempotencyReservation::InProgress) => {
                if tokio::time::Instant::now() >= deadline {
                    return ApiError::new(
                        ErrorCode::IdempotencyKeyInProgress,
                        "the first request with this Idempotency-Key is still running; retry shortly",
                    )
                    .with_field("Idempotency-Key")
                    .with_retry_after(1)
                    .into_response();
                }
                tokio::time::sleep(Duration::from_millis(25)).await;
            }
            Ok(IdempotencyReservation::Reserved) => break,
        }
    }
    let outcome = work.await;
    // Created, or refused for the body's own reasons: the same body gets the same answer.
    let keep = match &outcome {
        Ok(_) => Some(StatusCode::CREATED),
        Err(error) if error.code() == ErrorCode::AcceptanceRefused => Some(error.code().status()),
        Err(_) => None,
    };
    let body = match &outcome {
        Ok(value) => serde_json::to_string(value).map_err(ApiError::internal),
        Err(error) => serde_json::to_string(&error.body()).map_err(ApiError::internal),
    };
    match (keep, body) {
        (Some(status), Ok(body)) => {
            if let Err(error) = state
                .store()
                .complete_idempotency_key(operator, &key, status.as_u16(), &body, state.now())
                .await
            {
                tracing::error!(%error, "could not record the response of an idempotent request");
            }
            json_response(status, body)
        }
        _ => {
            if let Err(error) = state.store().release_idempotency_key(operator, &key).await {
                tracing::error!(%error, "could not release an idempotency key");
            }
            respond(outcome)
        }
    }
}

fn respond<T: Serialize>(outcome: ApiResult<T>) -> Response {
    match outcome {
        Ok(value) => (StatusCode::CREATED, Json(value)).into_response(),
        Err(error) => error.into_response(),
    }
}

/// Accepts one item at the office the request names (or the caller's only office), now.
async fn accept_one(
    state: &AppState,
    principal: &Principal,
    request: AcceptItemRequest,
) -> ApiResult<AcceptedItemDto> {
    let office = office_for(state, principal, request.office.as_deref()).await?;
    let actor = principal.actor(state.now());
    let accepted = acceptance::accept(
        state.store(),
        state.reference(),
        &actor,
        &office,
        request.item,
    )
    .await?;
    Ok(AcceptedItemDto::from(accepted))
}

/// Accepts one item through [`idempotent`], as `POST /api/v1/items` does, for the web form:
/// the S10 ID of the item (new, or the one a first submission with the same key made), or the
/// refusal as the API would answer it. Server failures stay errors.
pub(crate) async fn accept_idempotently(
    state: &AppState,
    principal: &Principal,
    headers: &HeaderMap,
    request: AcceptItemRequest,
) -> ApiResult<Result<String, crate::error::ErrorBody>> {
    let hash = request_hash("POST /api/v1/items", &request)?;
    let response = idempotent(
        state,
        principal,
        headers,
        hash,
        accept_one(state, principal, request),
    )
    .await;
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .map_err(ApiError::internal)?;
    if status.is_success() {
        let accepted: serde_json::Value =
            serde_json::from_slice(&bytes).map_err(ApiError::internal)?;
        return accepted
            .get("s10")
            .and_then(serde_json::Value::as_str)
            .map(|s10| Ok(s10.to_owned()))
            .ok_or_else(|| ApiError::internal("an accepted item without its S10 ID"));
    }
    let body: crate::error::ErrorBody =
        serde_json::from_slice(&bytes).map_err(ApiError::internal)?;
    if status.is_server_error() {
        return Err(ApiError::internal(body.message));
    }
    Ok(Err(body))
}

/// Accepts one item at a counter: checks it, prices it from the tariff, issues its S10 ID from
/// the operator's range for the service and records `EMA` at the office, at the current time.
/// Send `Idempotency-Key` to make retries safe.
#[utoipa::path(post, path = "/api/v1/items", tag = "items",
    request_body = AcceptItemRequest,
    params(("Idempotency-Key" = Option<String>, Header,
        description = "Makes the request safe to retry: the same key and body give the first response")),
    responses(
        (status = 201, description = "Accepted", body = AcceptedItemDto),
        (status = 400, description = "`malformed_json`, `invalid_idempotency_key`", body = crate::error::ErrorBody),
        (status = 409, description = "`idempotency_key_reused`, `idempotency_key_in_progress`", body = crate::error::ErrorBody),
        (status = 422, description = "`acceptance_refused` with every reason in `errors` (field, code, message); `invalid_body`", body = crate::error::ErrorBody),
    ))]
pub async fn create(
    State(state): State<AppState>,
    principal: Principal,
    headers: HeaderMap,
    ApiJson(request): ApiJson<AcceptItemRequest>,
) -> Response {
    let hash = match request_hash("POST /api/v1/items", &request) {
        Ok(hash) => hash,
        Err(error) => return error.into_response(),
    };
    let work = accept_one(&state, &principal, request);
    idempotent(&state, &principal, &headers, hash, work).await
}

/// Accepts up to 500 items at one office, all or nothing: if any item is refused, none is
/// stored and the 422 `errors` list names each failing `index` with its field and code.
#[utoipa::path(post, path = "/api/v1/items/bulk", tag = "items",
    request_body = AcceptBatchRequest,
    params(("Idempotency-Key" = Option<String>, Header,
        description = "Makes the request safe to retry: the same key and body give the first response")),
    responses(
        (status = 201, description = "Every item accepted", body = AcceptedBatchDto),
        (status = 400, description = "`too_many_items` (more than 500), `malformed_json`, `invalid_idempotency_key`", body = crate::error::ErrorBody),
        (status = 409, description = "`idempotency_key_reused`, `idempotency_key_in_progress`", body = crate::error::ErrorBody),
        (status = 422, description = "`acceptance_refused`: nothing stored; `errors` has `index`, `field`, `error`, `message` per problem", body = crate::error::ErrorBody),
    ))]
pub async fn bulk(
    State(state): State<AppState>,
    principal: Principal,
    headers: HeaderMap,
    ApiJson(request): ApiJson<AcceptBatchRequest>,
) -> Response {
    if request.items.len() > MAX_BATCH {
        return ApiError::new(
            ErrorCode::TooManyItems,
            format!(
                "at most {MAX_BATCH} items can be accepted at once, this has {}",
                request.items.len()
            ),
        )
        .with_field("items")
        .into_response();
    }
    if request.items.is_empty() {
        return ApiError::invalid_body("items", "give at least one item").into_response();
    }
    let hash = match request_hash("POST /api/v1/items/bulk", &request) {
        Ok(hash) => hash,
        Err(error) => return error.into_response(),
    };
    let work = async {
        let office = office_for(&state, &principal, request.office.as_deref()).await?;
        let actor = principal.actor(state.now());
        let accepted = acceptance::accept_batch(
            state.store(),
            state.reference(),
            &actor,
            &office,
            request.items,
        )
        .await?;
        Ok(AcceptedBatchDto {
            items: accepted.into_iter().map(AcceptedItemDto::from).collect(),
        })
    };
    idempotent(&state, &principal, &headers, hash, work).await
}

// --- documents ---------------------------------------------------------------------------

/// An item of the caller's operator with what its documents print.
struct Printable {
    item: Item,
    operator: Operator,
    office_name: String,
    accepted_at: time::OffsetDateTime,
}

async fn printable(state: &AppState, principal: &Principal, s10: &S10Id) -> ApiResult<Printable> {
    let store = state.store();
    let item = store
        .item(principal.operator, s10)
        .await?
        .ok_or_else(|| ApiError::not_found("item"))?;
    let operator = store
        .operator(principal.operator)
        .await?
        .ok_or_else(|| ApiError::not_found("operator"))?;
    let office_name = match store.office(principal.operator, &item.office).await? {
        Some(office) => format!("{} · {}", office.name_en, office.name_ar),
        None => item.office.to_string(),
    };
    let accepted_at = store
        .item_events(principal.operator, item.id)
        .await?
        .first()
        .map_or(item.created_at, |event| event.event.at);
    Ok(Printable {
        item,
        operator,
        office_name,
        accepted_at,
    })
}

pub(crate) fn pdf(
    bytes: Result<Vec<u8>, barid_docs::DocumentError>,
    name: &str,
) -> ApiResult<Response> {
    let bytes = bytes.map_err(ApiError::internal)?;
    pdf_response(axum::body::Bytes::from(bytes), name)
}

/// A PDF already rendered, shown in the browser with `name` as its file name.
pub(crate) fn pdf_response(bytes: axum::body::Bytes, name: &str) -> ApiResult<Response> {
    let mut response = Response::new(Body::from(bytes));
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/pdf"),
    );
    let disposition = HeaderValue::from_str(&format!("inline; filename=\"{name}\""))
        .map_err(ApiError::internal)?;
    headers.insert(header::CONTENT_DISPOSITION, disposition);
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    Ok(response)
}

fn postage(item: &Item, operator: &Operator) -> Money {
    item.postage.unwrap_or(Money::new(0, operator.currency))
}

/// The item's label (100 × 150 mm): Code 128 barcode of the S10 ID, service, parties, origin,
/// destination, weight, postage and date.
#[utoipa::path(get, path = "/api/v1/items/{s10}/label.pdf", tag = "items",
    params(("s10" = String, Path, description = "S10 ID, e.g. EE123456785EG")),
    responses(
        (status = 200, description = "The label, shown inline", content_type = "application/pdf", body = Vec<u8>),
        (status = 400, description = "Not a valid S10 ID", body = crate::error::ErrorBody),
        (status = 404, description = "No such item for your operator", body = crate::error::ErrorBody),
    ))]
pub async fn label(
    State(state): State<AppState>,
    principal: Principal,
    PathParam(s10): PathParam<S10Id>,
) -> ApiResult<Response> {
    let printable = printable(&state, &principal, &s10).await?;
    let item = &printable.item;
    let input = barid_docs::LabelInput {
        item_id: item.s10,
        operator: barid_docs::Bilingual::new(
            &printable.operator.name_en,
            &printable.operator.name_ar,
        ),
        service: barid_docs::service_name(item.service),
        sender: &item.sender,
        addressee: &item.addressee,
        origin: item.origin_country,
        destination: item.destination_country,
        weight: item.weight,
        postage: postage(item, &printable.operator),
        accepted_at: printable.accepted_at,
        customs_form: item.customs.as_ref().map(|customs| customs.form()),
    };
    pdf(barid_docs::item_label(&input), &format!("{s10}-label.pdf"))
}

/// The item's customs declaration: CN 22 or CN 23, as chosen at acceptance.
#[utoipa::path(get, path = "/api/v1/items/{s10}/customs.pdf", tag = "items",
    params(("s10" = String, Path, description = "S10 ID, e.g. CP123456785EG")),
    responses(
        (status = 200, description = "The declaration, shown inline", content_type = "application/pdf", body = Vec<u8>),
        (status = 400, description = "Not a valid S10 ID", body = crate::error::ErrorBody),
        (status = 404, description = "No such item for your operator, or it carries no customs declaration", body = crate::error::ErrorBody),
    ))]
pub async fn customs(
    State(state): State<AppState>,
    principal: Principal,
    PathParam(s10): PathParam<S10Id>,
) -> ApiResult<Response> {
    let printable = printable(&state, &principal, &s10).await?;
    let item = &printable.item;
    let declaration = item
        .customs
        .as_ref()
        .ok_or_else(|| ApiError::not_found("customs declaration"))?;
    let input = barid_docs::CustomsInput {
        item_id: item.s10,
        operator: barid_docs::Bilingual::new(
            &printable.operator.name_en,
            &printable.operator.name_ar,
        ),
        declaration,
        sender: &item.sender,
        addressee: &item.addressee,
        office_of_origin: &printable.office_name,
        posted_at: printable.accepted_at,
    };
    pdf(
        barid_docs::customs_declaration(&input),
        &format!("{s10}-{}.pdf", declaration.form().as_str()),
    )
}

/// The acceptance receipt for the sender (80 mm wide).
#[utoipa::path(get, path = "/api/v1/items/{s10}/receipt.pdf", tag = "items",
    params(("s10" = String, Path, description = "S10 ID, e.g. EE123456785EG")),
    responses(
        (status = 200, description = "The receipt, shown inline", content_type = "application/pdf", body = Vec<u8>),
        (status = 400, description = "Not a valid S10 ID", body = crate::error::ErrorBody),
        (status = 404, description = "No such item for your operator", body = crate::error::ErrorBody),
    ))]
pub async fn receipt(
    State(state): State<AppState>,
    principal: Principal,
    PathParam(s10): PathParam<S10Id>,
) -> ApiResult<Response> {
    let printable = printable(&state, &principal, &s10).await?;
    let item = &printable.item;
    let tracking_url = format!("/track/{s10}");
    let input = barid_docs::ReceiptInput {
        item_id: item.s10,
        operator: barid_docs::Bilingual::new(
            &printable.operator.name_en,
            &printable.operator.name_ar,
        ),
        service: barid_docs::service_name(item.service),
        destination: item.destination_country,
        weight: item.weight,
        postage: postage(item, &printable.operator),
        office: &printable.office_name,
        accepted_at: printable.accepted_at,
        tracking_url: &tracking_url,
    };
    pdf(
        barid_docs::acceptance_receipt(&input),
        &format!("{s10}-receipt.pdf"),
    )
}
