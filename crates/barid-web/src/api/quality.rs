//! Quality of service against the agreements (`docs/quality.md`): the network at a glance, an
//! agreement's figures in a month, the items behind a figure, the same as CSV and as the
//! monthly PDF report; and the working calendars the days are counted in. Supervisors and
//! administrators read them; administrators set the calendars.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use barid_core::CountryCode;
use barid_core::quality::{WorkingCalendar, weekday_name, weekday_named};
use barid_store::model::{AgreementId, CalendarRecord};
use serde::{Deserialize, Serialize};
use time::Date;
use utoipa::{IntoParams, ToSchema};

use crate::auth::Principal;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiQuery, PathParam};
use crate::quality::{self, AgreementQuality, DrilledItem, Figure, RouteCompliance, STUCK_DAYS};
use crate::state::AppState;

#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct MonthQuery {
    /// The month of posting, `2026-11`; this month when left out.
    pub month: Option<String>,
    /// Working days (of the destination) with nothing new after which an item is stuck, 1 to
    /// 90 (default 5).
    pub stuck_days: Option<u16>,
}

fn stuck_days(query: Option<u16>) -> ApiResult<u16> {
    match query {
        None => Ok(STUCK_DAYS),
        Some(days) if (1..=90).contains(&days) => Ok(days),
        Some(_) => Err(ApiError::invalid_query(
            "stuck_days",
            "stuck_days is 1 to 90 days",
        )),
    }
}

/// Every route of every agreement this month (or `month`), with its compliance.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NetworkQuality {
    pub month: String,
    pub routes: Vec<RouteCompliance>,
}

/// The network overview: each agreement's ways and services against their J+N targets.
#[utoipa::path(get, path = "/api/v1/quality", tag = "quality",
    params(MonthQuery),
    responses(
        (status = 200, description = "Every route's compliance", body = NetworkQuality),
        (status = 400, description = "`invalid_query`: not a month", body = crate::error::ErrorBody),
    ))]
pub async fn network(
    State(state): State<AppState>,
    principal: Principal,
    ApiQuery(query): ApiQuery<MonthQuery>,
) -> ApiResult<Json<NetworkQuality>> {
    let month = quality::month_or_now(&state, query.month.as_deref())?;
    Ok(Json(NetworkQuality {
        month: month.to_string(),
        routes: quality::network(&state, &principal, month).await?,
    }))
}

/// An agreement's figures in a month: per way and service the J+N share against its target,
/// the distribution, each leg against its own target, customs holds, returns, stuck items,
/// dispatch discrepancies and the trend of the last 12 months.
#[utoipa::path(get, path = "/api/v1/agreements/{id}/quality", tag = "quality",
    params(("id" = i64, Path, description = "The agreement's number"), MonthQuery),
    responses(
        (status = 200, description = "The figures", body = AgreementQuality),
        (status = 404, description = "No such agreement of your post", body = crate::error::ErrorBody),
    ))]
pub async fn agreement(
    State(state): State<AppState>,
    principal: Principal,
    PathParam(id): PathParam<AgreementId>,
    ApiQuery(query): ApiQuery<MonthQuery>,
) -> ApiResult<Json<AgreementQuality>> {
    let month = quality::month_or_now(&state, query.month.as_deref())?;
    let stuck = stuck_days(query.stuck_days)?;
    Ok(Json(
        quality::agreement_quality(&state, &principal, id, month, stuck).await?,
    ))
}

#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ItemsQuery {
    pub month: Option<String>,
    /// The way: `EG-PS`; ours to the partner when left out.
    pub direction: Option<String>,
    /// The service, e.g. `ems`; the agreement's first target when left out.
    pub service: Option<String>,
    /// `met`, `late`, `overdue`, `in_flight`, `returned`, `customs_held`, `delivered_on`
    /// (with `day`) or `late_leg` (with `leg`).
    pub figure: String,
    /// For `delivered_on`: N of J+N.
    pub day: Option<u32>,
    /// For `late_leg`: `transit`, `inward_customs`...
    pub leg: Option<String>,
}

/// The items behind a figure, at most 200.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DrilledItems {
    pub items: Vec<DrilledItem>,
    /// More items are behind the figure than listed.
    pub more: bool,
}

/// Parses `EG-PS`.
pub fn direction_of(text: &str) -> ApiResult<(CountryCode, CountryCode)> {
    text.split_once('-')
        .and_then(|(origin, destination)| {
            Some((
                CountryCode::parse(origin).ok()?,
                CountryCode::parse(destination).ok()?,
            ))
        })
        .ok_or_else(|| {
            ApiError::invalid_query("direction", format!("{text:?} is not a way: write EG-PS"))
        })
}

/// Parses a drill-down's figure.
pub fn figure_of(figure: &str, day: Option<u32>, leg: Option<&str>) -> ApiResult<Figure> {
    Figure::parse(figure, day, leg).ok_or_else(|| {
        ApiError::invalid_query(
            "figure",
            format!(
                "{figure:?} is not a figure: met, late, overdue, in_flight, returned, \
                 customs_held, delivered_on with day, late_leg with leg"
            ),
        )
    })
}

/// The drill-down a query asks for, as the API and the page both read it: its month, its
/// figure and the items behind it.
pub async fn drilled_by(
    state: &AppState,
    principal: &Principal,
    id: AgreementId,
    query: &ItemsQuery,
) -> ApiResult<(quality::YearMonth, Figure, quality::Drilled)> {
    let month = quality::month_or_now(state, query.month.as_deref())?;
    let direction = query.direction.as_deref().map(direction_of).transpose()?;
    let figure = figure_of(&query.figure, query.day, query.leg.as_deref())?;
    let drilled = quality::drill_down(
        state,
        principal,
        id,
        month,
        direction,
        query.service.as_deref(),
        figure,
    )
    .await?;
    Ok((month, figure, drilled))
}

/// The S10 IDs behind one figure of an agreement's month (the drill-down).
#[utoipa::path(get, path = "/api/v1/agreements/{id}/quality/items", tag = "quality",
    params(("id" = i64, Path, description = "The agreement's number"), ItemsQuery),
    responses(
        (status = 200, description = "The items", body = DrilledItems),
        (status = 400, description = "`invalid_query`: month, direction, service or figure", body = crate::error::ErrorBody),
        (status = 404, description = "No such agreement of your post", body = crate::error::ErrorBody),
    ))]
pub async fn items(
    State(state): State<AppState>,
    principal: Principal,
    PathParam(id): PathParam<AgreementId>,
    ApiQuery(query): ApiQuery<ItemsQuery>,
) -> ApiResult<Json<DrilledItems>> {
    let (_, _, drilled) = drilled_by(&state, &principal, id, &query).await?;
    let (items, more) = (drilled.items, drilled.more);
    Ok(Json(DrilledItems { items, more }))
}

fn percent(per_mille: Option<u64>) -> String {
    per_mille.map_or_else(String::new, |value| {
        format!("{}.{}", value / 10, value % 10)
    })
}

/// The figures as CSV: one row per way and service.
pub fn csv_of(quality: &AgreementQuality) -> ApiResult<Vec<u8>> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<String> = [
        "month",
        "origin",
        "destination",
        "via",
        "service",
        "target_days",
        "target_percent",
        "posted",
        "met",
        "late",
        "overdue",
        "in_flight",
        "returned",
        "met_percent",
        "meets_target",
        "median_days",
        "customs_held",
        "customs_average_hold_hours",
        "stuck",
        "discrepancies",
    ]
    .map(str::to_owned)
    .to_vec();
    for leg in barid_core::quality::QualityLeg::ALL {
        for column in [
            "target_days",
            "items",
            "median_days",
            "within_target_percent",
            "late",
        ] {
            header.push(format!("{}_{column}", leg.as_str()));
        }
    }
    writer.write_record(&header).map_err(ApiError::internal)?;
    let text = |value: Option<u64>| value.map_or_else(String::new, |value| value.to_string());
    for direction in &quality.directions {
        for service in &direction.services {
            let mut row = vec![
                quality.month.clone(),
                direction.origin.clone(),
                direction.destination.clone(),
                direction.via.clone().unwrap_or_default(),
                service.service.clone(),
                service.target_days.to_string(),
                percent(Some(u64::from(service.target_per_mille))),
                service.posted.to_string(),
                service.met.to_string(),
                service.late.to_string(),
                service.overdue.to_string(),
                service.in_flight.to_string(),
                service.returned.to_string(),
                percent(service.met_per_mille),
                service
                    .meets_target
                    .map_or_else(String::new, |meets| meets.to_string()),
                text(service.median_days.map(u64::from)),
                service.customs.held.to_string(),
                text(service.customs.average_hold_hours),
                direction.stuck.total.to_string(),
                direction.discrepancies.total.to_string(),
            ];
            for leg in &service.legs {
                row.push(text(leg.target_days.map(u64::from)));
                row.push(leg.items.to_string());
                row.push(text(leg.median_days.map(u64::from)));
                row.push(percent(leg.within_target_per_mille));
                row.push(leg.late.to_string());
            }
            writer.write_record(&row).map_err(ApiError::internal)?;
        }
    }
    writer.into_inner().map_err(ApiError::internal)
}

fn download(bytes: Vec<u8>, content_type: &'static str, name: &str) -> ApiResult<Response> {
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&format!("attachment; filename=\"{name}\""))
            .map_err(ApiError::internal)?,
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    Ok(response)
}

/// The month's figures as CSV, one row per way and service (`docs/quality.md` lists the
/// columns).
#[utoipa::path(get, path = "/api/v1/agreements/{id}/quality.csv", tag = "quality",
    params(("id" = i64, Path, description = "The agreement's number"), MonthQuery),
    responses(
        (status = 200, description = "The figures", content_type = "text/csv", body = String),
        (status = 404, description = "No such agreement of your post", body = crate::error::ErrorBody),
    ))]
pub async fn csv(
    State(state): State<AppState>,
    principal: Principal,
    PathParam(id): PathParam<AgreementId>,
    ApiQuery(query): ApiQuery<MonthQuery>,
) -> ApiResult<Response> {
    let month = quality::month_or_now(&state, query.month.as_deref())?;
    let stuck = stuck_days(query.stuck_days)?;
    let figures = quality::agreement_quality(&state, &principal, id, month, stuck).await?;
    download(
        csv_of(&figures)?,
        "text/csv; charset=utf-8",
        &format!(
            "quality-{}-{}-{month}.csv",
            figures.operator, figures.partner
        ),
    )
}

/// The monthly quality report as a bilingual PDF: the figures, the charts, the worst routes
/// and the stuck items, for a joint working team meeting.
#[utoipa::path(get, path = "/api/v1/agreements/{id}/quality.pdf", tag = "quality",
    params(("id" = i64, Path, description = "The agreement's number"), MonthQuery),
    responses(
        (status = 200, description = "The report", content_type = "application/pdf", body = Vec<u8>),
        (status = 404, description = "No such agreement of your post", body = crate::error::ErrorBody),
    ))]
pub async fn report(
    State(state): State<AppState>,
    principal: Principal,
    PathParam(id): PathParam<AgreementId>,
    ApiQuery(query): ApiQuery<MonthQuery>,
) -> ApiResult<Response> {
    let month = quality::month_or_now(&state, query.month.as_deref())?;
    let stuck = stuck_days(query.stuck_days)?;
    let figures = quality::agreement_quality(&state, &principal, id, month, stuck).await?;
    let input = quality::report_input(&state, &figures, month)?;
    let name = format!(
        "quality-{}-{}-{month}.pdf",
        figures.operator, figures.partner
    );
    // Rendering takes a CPU for a while; the runtime's threads stay free for requests.
    let bytes = tokio::task::spawn_blocking(move || barid_docs::quality_report(&input))
        .await
        .map_err(ApiError::internal)?;
    super::acceptance::pdf(bytes, &name)
}

// --- calendars -------------------------------------------------------------------------------

/// A post's working days: its weekly days off and its public holidays.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CalendarDto {
    #[schema(example = "EG")]
    #[serde(default, skip_deserializing)]
    pub country: String,
    /// Weekday names: `["friday", "saturday"]`.
    pub weekend: Vec<String>,
    /// ISO dates.
    #[schema(example = json!(["2026-10-06"]))]
    pub holidays: Vec<String>,
    /// Whether the post set it; otherwise it is the default for the country.
    #[serde(default, skip_deserializing)]
    pub set: bool,
}

pub fn calendar_dto(country: CountryCode, calendar: &WorkingCalendar, set: bool) -> CalendarDto {
    CalendarDto {
        country: country.to_string(),
        weekend: calendar
            .weekend()
            .into_iter()
            .map(|day| weekday_name(day).to_owned())
            .collect(),
        holidays: calendar.holidays().map(|day| day.to_string()).collect(),
        set,
    }
}

/// Reads a calendar from what a form or a request sent.
pub fn calendar_of(weekend: &[String], holidays: &[String]) -> ApiResult<WorkingCalendar> {
    let days = weekend
        .iter()
        .map(|name| {
            weekday_named(name).ok_or_else(|| {
                ApiError::invalid_body(
                    "weekend",
                    format!("{name:?} is not a weekday: monday ... sunday"),
                )
            })
        })
        .collect::<ApiResult<Vec<_>>>()?;
    let dates = holidays
        .iter()
        .map(|text| {
            Date::parse(
                text.trim(),
                &time::format_description::well_known::Iso8601::DATE,
            )
            .map_err(|_| {
                ApiError::invalid_body(
                    "holidays",
                    format!("{text:?} is not a date: write 2026-10-06"),
                )
            })
        })
        .collect::<ApiResult<Vec<_>>>()?;
    WorkingCalendar::new(&days, dates)
        .map_err(|error| ApiError::invalid_body("weekend", error.to_string()))
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CalendarList {
    pub items: Vec<CalendarDto>,
}

/// The countries whose calendars matter to the post: its own and its partners'.
pub async fn calendar_countries(
    state: &AppState,
    principal: &Principal,
) -> ApiResult<Vec<(CountryCode, WorkingCalendar, bool)>> {
    let set: Vec<CalendarRecord> = state.store().calendars(principal.operator).await?;
    let mut countries = std::collections::BTreeSet::from([principal.operator]);
    countries.extend(
        state
            .store()
            .agreements(principal.operator)
            .await?
            .iter()
            .map(|agreement| agreement.partner),
    );
    countries.extend(set.iter().map(|record| record.country));
    Ok(countries
        .into_iter()
        .map(
            |country| match set.iter().find(|record| record.country == country) {
                Some(record) => (country, record.calendar.clone(), true),
                None => (country, WorkingCalendar::default_for(&country), false),
            },
        )
        .collect())
}

/// The working calendars days are counted in: the post's own and its partners'.
#[utoipa::path(get, path = "/api/v1/calendars", tag = "quality",
    responses((status = 200, description = "The calendars", body = CalendarList)))]
pub async fn calendars(
    State(state): State<AppState>,
    principal: Principal,
) -> ApiResult<Json<CalendarList>> {
    Ok(Json(CalendarList {
        items: calendar_countries(&state, &principal)
            .await?
            .iter()
            .map(|(country, calendar, set)| calendar_dto(*country, calendar, *set))
            .collect(),
    }))
}

/// Sets a post's working calendar (administrators). Figures use it at once, for every month:
/// nothing is counted in working days ahead of time.
#[utoipa::path(put, path = "/api/v1/calendars/{country}", tag = "quality",
    params(("country" = String, Path, description = "ISO 3166 code, e.g. EG")),
    request_body = CalendarDto,
    responses(
        (status = 200, description = "The calendar as set", body = CalendarDto),
        (status = 422, description = "`invalid_body`: a weekday or date that does not read, or no working day left", body = crate::error::ErrorBody),
    ))]
pub async fn set_calendar(
    State(state): State<AppState>,
    principal: Principal,
    PathParam(country): PathParam<CountryCode>,
    ApiJson(request): ApiJson<CalendarDto>,
) -> ApiResult<Json<CalendarDto>> {
    let calendar = calendar_of(&request.weekend, &request.holidays)?;
    let record = state
        .store()
        .set_calendar(&principal.actor(state.now()), country, &calendar)
        .await?;
    Ok(Json(calendar_dto(record.country, &record.calendar, true)))
}
