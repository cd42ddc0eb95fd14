//! `/api/v1/items/{s10}`: a postal item of the caller's operator, for staff. Its public
//! tracking events are in `api::tracking`.

use axum::Json;
use axum::extract::State;
use barid_core::{Money, Party, S10Id};
use barid_store::model::Item;
use serde::Serialize;
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::auth::Principal;
use crate::error::{ApiError, ApiResult};
use crate::extract::PathParam;
use crate::state::AppState;

/// An amount in minor units of its currency, never a float.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MoneyDto {
    #[schema(example = 12500)]
    pub amount_minor: i64,
    #[schema(example = "EGP")]
    pub currency: String,
}

impl From<Money> for MoneyDto {
    fn from(money: Money) -> Self {
        Self {
            amount_minor: money.amount_minor(),
            currency: money.currency().to_string(),
        }
    }
}

/// A sender or addressee.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PartyDto {
    pub name: String,
    pub business_name: Option<String>,
    pub address_lines: Vec<String>,
    pub city: String,
    pub postcode: Option<String>,
    #[schema(example = "PS")]
    pub country: String,
}

impl From<&Party> for PartyDto {
    fn from(party: &Party) -> Self {
        Self {
            name: party.name().to_owned(),
            business_name: party.business_name().map(str::to_owned),
            address_lines: party.address_lines().to_vec(),
            city: party.city().to_owned(),
            postcode: party.postcode().map(str::to_owned),
            country: party.country().to_string(),
        }
    }
}

/// The customs declaration, summarised.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CustomsSummaryDto {
    /// `cn22` or `cn23`.
    pub form: String,
    /// The category ticked, e.g. `sale_of_goods`.
    pub category: String,
    pub total_value: MoneyDto,
    pub lines: usize,
}

/// A postal item.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ItemDto {
    #[schema(example = "RR123456785EG")]
    pub s10: String,
    pub service: String,
    pub origin_country: String,
    pub destination_country: String,
    /// The office that accepted or first saw the item.
    pub office: String,
    pub weight_grams: u32,
    pub length_mm: Option<u32>,
    pub width_mm: Option<u32>,
    pub height_mm: Option<u32>,
    pub contents: String,
    pub sender: PartyDto,
    pub addressee: PartyDto,
    pub customs: Option<CustomsSummaryDto>,
    pub postage: Option<MoneyDto>,
    /// Derived from the events, e.g. `accepted`, `in_transit`, `delivered`.
    pub status: String,
    /// `outbound` or `return`.
    pub leg: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

impl From<Item> for ItemDto {
    fn from(item: Item) -> Self {
        Self {
            s10: item.s10.to_string(),
            service: item.service.as_str().to_owned(),
            origin_country: item.origin_country.to_string(),
            destination_country: item.destination_country.to_string(),
            office: item.office.to_string(),
            weight_grams: item.weight.get(),
            length_mm: item.length_mm,
            width_mm: item.width_mm,
            height_mm: item.height_mm,
            contents: item.contents,
            sender: PartyDto::from(&item.sender),
            addressee: PartyDto::from(&item.addressee),
            customs: item.customs.map(|customs| CustomsSummaryDto {
                form: serde_json::to_value(customs.form())
                    .ok()
                    .and_then(|value| value.as_str().map(str::to_owned))
                    .unwrap_or_default(),
                category: customs.category().as_str().to_owned(),
                total_value: customs.total_value().into(),
                lines: customs.lines().len(),
            }),
            postage: item.postage.map(MoneyDto::from),
            status: item.status.as_str().to_owned(),
            leg: item.leg.as_str().to_owned(),
            created_at: item.created_at,
        }
    }
}

async fn find(state: &AppState, principal: &Principal, s10: &S10Id) -> ApiResult<Item> {
    state
        .store()
        .item(principal.operator, s10)
        .await?
        .ok_or_else(|| ApiError::not_found("item"))
}

/// One item of the caller's operator.
#[utoipa::path(get, path = "/api/v1/items/{s10}", tag = "items",
    params(("s10" = String, Path, description = "S10 ID, e.g. RR123456785EG")),
    responses(
        (status = 200, description = "The item", body = ItemDto),
        (status = 400, description = "Not a valid S10 ID (the message says why)", body = crate::error::ErrorBody),
        (status = 404, description = "No such item for your operator", body = crate::error::ErrorBody),
    ))]
pub async fn get(
    State(state): State<AppState>,
    principal: Principal,
    PathParam(s10): PathParam<S10Id>,
) -> ApiResult<Json<ItemDto>> {
    Ok(Json(find(&state, &principal, &s10).await?.into()))
}
