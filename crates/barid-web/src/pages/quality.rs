//! The quality-of-service pages, for supervisors and administrators: `/quality`, the network
//! with every route coloured by compliance this month; `/agreements/{id}/quality`, one
//! agreement's month (targets against actuals, legs, trend and distribution charts, stuck
//! items, discrepancies); and `/agreements/{id}/quality/items`, the S10 IDs behind a figure.
//! The figures are those of the JSON API (`crate::quality`).

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use barid_store::model::AgreementId;
use serde::Serialize;

use super::i18n::Tr;
use super::{Layout, PageRequest, Section, render};
use crate::api::quality::{ItemsQuery, MonthQuery};
use crate::auth::Principal;
use crate::error::ApiResult;
use crate::extract::{ApiQuery, PathParam};
use crate::quality::{
    self, AgreementQuality, DirectionQuality, Figure, STUCK_DAYS, ServiceQuality, YearMonth,
};
use crate::state::AppState;

/// A per mille share as the pages show it: `85.2 %`.
fn percent(per_mille: Option<u64>) -> String {
    per_mille.map_or_else(
        || "—".to_owned(),
        |value| format!("{}.{} %", value / 10, value % 10),
    )
}

fn or_dash(value: Option<impl ToString>) -> String {
    value.map_or_else(|| "—".to_owned(), |value| value.to_string())
}

/// The colour class of a compliance: met, below, or nothing counted yet.
fn compliance(meets: Option<bool>) -> &'static str {
    match meets {
        Some(true) => "met",
        Some(false) => "below",
        None => "none",
    }
}

fn milestone_name(state: &AppState, t: &Tr, milestone: &str) -> String {
    let (en, ar) = quality::milestone_names(state, milestone);
    t.pick(&en, &ar).to_owned()
}

// --- the network ---------------------------------------------------------------------------

#[derive(Debug, Clone)]
pub struct NetworkRow {
    pub href: String,
    pub way: String,
    pub service: String,
    pub target: String,
    pub measured: String,
    pub counted: u64,
    pub in_flight: u64,
    pub compliance: &'static str,
    pub compliance_text: String,
    pub late_legs: String,
}

#[derive(Template)]
#[template(path = "quality.html")]
struct NetworkPage {
    t: Tr,
    layout: Layout,
    month: String,
    previous: String,
    next: String,
    rows: Vec<NetworkRow>,
}

fn way(origin: &str, destination: &str, via: Option<&str>) -> String {
    match via {
        Some(via) => format!("{origin} → {via} → {destination}"),
        None => format!("{origin} → {destination}"),
    }
}

fn late_legs_text(t: &Tr, legs: &[String]) -> String {
    legs.iter()
        .map(|leg| t.tr(&format!("agreements-leg-{leg}")))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Every route of every agreement this month, coloured by compliance.
#[utoipa::path(get, path = "/quality", tag = "pages",
    params(MonthQuery),
    responses((status = 200, description = "The network overview", content_type = "text/html", body = String)))]
pub async fn network(
    State(state): State<AppState>,
    principal: Principal,
    page: PageRequest,
    ApiQuery(query): ApiQuery<MonthQuery>,
) -> ApiResult<Response> {
    let month = quality::month_or_now(&state, query.month.as_deref())?;
    let (t, layout) = page
        .layout(&state, Some(&principal), Section::Quality)
        .await;
    let rows = quality::network(&state, &principal, month)
        .await?
        .into_iter()
        .map(|route| NetworkRow {
            href: format!("/agreements/{}/quality?month={month}", route.agreement),
            way: way(&route.origin, &route.destination, route.via.as_deref()),
            target: format!(
                "J+{} · {}",
                route.target_days,
                percent(Some(u64::from(route.target_per_mille)))
            ),
            measured: percent(route.met_per_mille),
            counted: route.counted,
            in_flight: route.in_flight,
            compliance_text: t.tr(&format!("quality-compliance-{}", route.compliance)),
            compliance: match route.compliance.as_str() {
                "met" => "met",
                "below" => "below",
                _ => "none",
            },
            late_legs: late_legs_text(&t, &route.late_legs),
            service: route.service,
        })
        .collect();
    let body = NetworkPage {
        month: month.to_string(),
        previous: month.previous().to_string(),
        next: month.next().to_string(),
        rows,
        t,
        layout,
    };
    Ok((page.jar(&state), render(&body)?).into_response())
}

// --- one agreement's month -----------------------------------------------------------------

#[derive(Debug, Clone)]
pub struct FigureLink {
    pub key: &'static str,
    pub label: String,
    pub value: String,
    pub href: Option<String>,
}

#[derive(Debug, Clone)]
pub struct LegRow {
    pub leg: String,
    pub name: String,
    pub target: String,
    pub items: u64,
    pub median: String,
    pub within: String,
    pub late: bool,
    pub href: Option<String>,
}

#[derive(Debug, Clone)]
pub struct ServiceView {
    pub id: String,
    pub service: String,
    pub name: String,
    pub target: String,
    pub measured: String,
    pub compliance: &'static str,
    pub compliance_text: String,
    pub late_legs: String,
    pub figures: Vec<FigureLink>,
    pub legs: Vec<LegRow>,
    pub trend_json: String,
    pub distribution_json: String,
}

#[derive(Debug, Clone)]
pub struct StuckRow {
    pub s10: String,
    pub step: String,
    pub since: String,
    pub days: u32,
}

#[derive(Debug, Clone)]
pub struct DirectionView {
    pub id: String,
    pub way: String,
    pub services: Vec<ServiceView>,
    pub stuck_total: u64,
    pub stuck_steps: Vec<(String, u64)>,
    pub stuck: Vec<StuckRow>,
    pub discrepancy_dispatches: u64,
    pub discrepancies: Vec<(String, u64)>,
}

#[derive(Template)]
#[template(path = "agreement_quality.html")]
struct DashboardPage {
    t: Tr,
    layout: Layout,
    agreement: i64,
    partner_name: String,
    reference: String,
    month: String,
    previous: String,
    next: String,
    stuck_days: u16,
    as_of: String,
    directions: Vec<DirectionView>,
}

#[derive(Serialize)]
struct TrendChart {
    labels: Vec<String>,
    met: Vec<Option<f64>>,
    target: f64,
    series_label: String,
    target_label: String,
    links: Vec<Option<String>>,
}

#[derive(Serialize)]
struct DistributionChart {
    days: Vec<u32>,
    items: Vec<u64>,
    target_day: u16,
    series_label: String,
    target_label: String,
    links: Vec<Option<String>>,
}

fn per_mille_as_percent(per_mille: u64) -> f64 {
    // Per mille values fit f64 exactly.
    f64::from(u32::try_from(per_mille).unwrap_or(u32::MAX)) / 10.0
}

struct Context<'a> {
    t: &'a Tr,
    quality: &'a AgreementQuality,
    month: YearMonth,
}

impl Context<'_> {
    fn items_href(&self, direction: &DirectionQuality, service: &str, figure: &str) -> String {
        format!(
            "/agreements/{}/quality/items?month={}&direction={}-{}&service={service}&figure={figure}",
            self.quality.agreement, self.month, direction.origin, direction.destination
        )
    }

    fn service_view(
        &self,
        direction: &DirectionQuality,
        service: &ServiceQuality,
    ) -> ApiResult<ServiceView> {
        let t = self.t;
        let link = |figure: &str, count: u64| {
            (count > 0).then(|| self.items_href(direction, &service.service, figure))
        };
        let figures = vec![
            FigureLink {
                key: "posted",
                label: t.tr("quality-figure-posted"),
                value: service.posted.to_string(),
                href: None,
            },
            FigureLink {
                key: "met",
                label: t.tr("quality-figure-met"),
                value: service.met.to_string(),
                href: link("met", service.met),
            },
            FigureLink {
                key: "late",
                label: t.tr("quality-figure-late"),
                value: service.late.to_string(),
                href: link("late", service.late),
            },
            FigureLink {
                key: "overdue",
                label: t.tr("quality-figure-overdue"),
                value: service.overdue.to_string(),
                href: link("overdue", service.overdue),
            },
            FigureLink {
                key: "in_flight",
                label: t.tr("quality-figure-in_flight"),
                value: service.in_flight.to_string(),
                href: link("in_flight", service.in_flight),
            },
            FigureLink {
                key: "returned",
                label: t.tr("quality-figure-returned"),
                value: service.returned.to_string(),
                href: link("returned", service.returned),
            },
            FigureLink {
                key: "median",
                label: t.tr("quality-figure-median"),
                value: service
                    .median_days
                    .map_or_else(|| "—".to_owned(), |days| format!("J+{days}")),
                href: None,
            },
            FigureLink {
                key: "customs_held",
                label: t.tr("quality-figure-customs_held"),
                value: format!(
                    "{} ({})",
                    service.customs.held,
                    percent(service.customs.hold_rate_per_mille)
                ),
                href: link("customs_held", service.customs.held),
            },
            FigureLink {
                key: "customs_hours",
                label: t.tr("quality-figure-customs_hours"),
                value: or_dash(service.customs.average_hold_hours),
                href: None,
            },
        ];
        let legs = service
            .legs
            .iter()
            .map(|leg| LegRow {
                name: t.tr(&format!("agreements-leg-{}", leg.leg)),
                target: or_dash(leg.target_days),
                items: leg.items,
                median: or_dash(leg.median_days),
                within: percent(leg.within_target_per_mille),
                late: leg.late,
                href: (leg.late || leg.within_target.is_some_and(|within| within < leg.items))
                    .then(|| {
                        format!(
                            "{}&leg={}",
                            self.items_href(direction, &service.service, "late_leg"),
                            leg.leg
                        )
                    }),
                leg: leg.leg.clone(),
            })
            .collect();
        let trend = TrendChart {
            labels: service
                .trend
                .iter()
                .map(|point| point.month.clone())
                .collect(),
            met: service
                .trend
                .iter()
                .map(|point| point.met_per_mille.map(per_mille_as_percent))
                .collect(),
            target: per_mille_as_percent(u64::from(service.target_per_mille)),
            series_label: t.tr("quality-chart-met"),
            target_label: t.tr("quality-chart-target"),
            links: service
                .trend
                .iter()
                .map(|point| {
                    Some(format!(
                        "/agreements/{}/quality?month={}",
                        self.quality.agreement, point.month
                    ))
                })
                .collect(),
        };
        let distribution = DistributionChart {
            days: (0..).take(service.distribution.len()).collect(),
            items: service.distribution.clone(),
            target_day: service.target_days,
            series_label: t.tr("quality-chart-delivered"),
            target_label: t.tr("quality-chart-target-day"),
            links: service
                .distribution
                .iter()
                .enumerate()
                .map(|(day, items)| {
                    (*items > 0).then(|| {
                        format!(
                            "{}&day={day}",
                            self.items_href(direction, &service.service, "delivered_on")
                        )
                    })
                })
                .collect(),
        };
        let compliance = compliance(service.meets_target);
        Ok(ServiceView {
            id: format!(
                "quality-{}-{}-{}",
                direction.origin, direction.destination, service.service
            ),
            service: service.service.clone(),
            name: t.pick(&service.service_en, &service.service_ar).to_owned(),
            target: format!(
                "J+{} · {}",
                service.target_days,
                percent(Some(u64::from(service.target_per_mille)))
            ),
            measured: percent(service.met_per_mille),
            compliance,
            compliance_text: t.tr(&format!("quality-compliance-{compliance}")),
            late_legs: late_legs_text(t, &service.late_legs),
            figures,
            legs,
            trend_json: serde_json::to_string(&trend).map_err(crate::error::ApiError::internal)?,
            distribution_json: serde_json::to_string(&distribution)
                .map_err(crate::error::ApiError::internal)?,
        })
    }
}

/// One agreement's month: targets against actuals, legs, charts, stuck items, discrepancies.
#[utoipa::path(get, path = "/agreements/{id}/quality", tag = "pages",
    params(("id" = i64, Path, description = "The agreement's number"), MonthQuery),
    responses((status = 200, description = "The agreement's quality dashboard", content_type = "text/html", body = String)))]
pub async fn dashboard(
    State(state): State<AppState>,
    principal: Principal,
    page: PageRequest,
    PathParam(id): PathParam<AgreementId>,
    ApiQuery(query): ApiQuery<MonthQuery>,
) -> ApiResult<Response> {
    let month = quality::month_or_now(&state, query.month.as_deref())?;
    let stuck_days = query.stuck_days.unwrap_or(STUCK_DAYS).clamp(1, 90);
    let figures = quality::agreement_quality(&state, &principal, id, month, stuck_days).await?;
    let (t, layout) = page
        .layout(&state, Some(&principal), Section::Quality)
        .await;
    let context = Context {
        t: &t,
        quality: &figures,
        month,
    };
    let mut directions = Vec::new();
    for direction in &figures.directions {
        directions.push(DirectionView {
            id: format!("direction-{}-{}", direction.origin, direction.destination),
            way: way(
                &direction.origin,
                &direction.destination,
                direction.via.as_deref(),
            ),
            services: direction
                .services
                .iter()
                .map(|service| context.service_view(direction, service))
                .collect::<ApiResult<_>>()?,
            stuck_total: direction.stuck.total,
            stuck_steps: direction
                .stuck
                .per_step
                .iter()
                .map(|step| (milestone_name(&state, &t, &step.milestone), step.items))
                .collect(),
            stuck: direction
                .stuck
                .items
                .iter()
                .map(|item| StuckRow {
                    s10: item.s10.clone(),
                    step: milestone_name(&state, &t, &item.milestone),
                    since: item.since.date().to_string(),
                    days: item.days,
                })
                .collect(),
            discrepancy_dispatches: direction.discrepancies.dispatches,
            discrepancies: direction
                .discrepancies
                .per_code
                .iter()
                .map(|count| (count.code.clone(), count.count))
                .collect(),
        });
    }
    let partner = barid_core::CountryCode::parse(&figures.partner)
        .map_err(crate::error::ApiError::internal)?;
    let body = DashboardPage {
        agreement: figures.agreement,
        partner_name: t.country(&partner).to_owned(),
        reference: figures.reference.clone(),
        month: month.to_string(),
        previous: month.previous().to_string(),
        next: month.next().to_string(),
        stuck_days,
        as_of: figures.as_of.date().to_string(),
        directions,
        t,
        layout,
    };
    Ok((page.jar(&state), render(&body)?).into_response())
}

// --- the items behind a figure ---------------------------------------------------------------

#[derive(Debug, Clone)]
pub struct ItemRow {
    pub s10: String,
    pub posted: String,
    pub delivered: String,
    pub days: String,
    pub verdict: String,
    pub step: String,
}

#[derive(Template)]
#[template(path = "quality_items.html")]
struct ItemsPage {
    t: Tr,
    layout: Layout,
    back: String,
    heading: String,
    way: String,
    service: String,
    month: String,
    items: Vec<ItemRow>,
    more: bool,
}

/// The S10 IDs behind one figure of an agreement's month.
#[utoipa::path(get, path = "/agreements/{id}/quality/items", tag = "pages",
    params(("id" = i64, Path, description = "The agreement's number"), ItemsQuery),
    responses((status = 200, description = "The items behind a figure", content_type = "text/html", body = String)))]
pub async fn items(
    State(state): State<AppState>,
    principal: Principal,
    page: PageRequest,
    PathParam(id): PathParam<AgreementId>,
    ApiQuery(query): ApiQuery<ItemsQuery>,
) -> ApiResult<Response> {
    let (month, figure, drilled) =
        crate::api::quality::drilled_by(&state, &principal, id, &query).await?;
    let (t, layout) = page
        .layout(&state, Some(&principal), Section::Quality)
        .await;
    let heading = match figure {
        Figure::DeliveredOn(day) => t.tr1("quality-items-delivered-on", "days", day),
        Figure::LateLeg(leg) => t.tr1(
            "quality-items-late-leg",
            "leg",
            t.tr(&format!("agreements-leg-{}", leg.as_str())),
        ),
        _ => t.tr(&format!("quality-figure-{}", query.figure)),
    };
    let body = ItemsPage {
        back: format!("/agreements/{}/quality?month={month}", id.0),
        heading,
        way: format!("{} → {}", drilled.origin, drilled.destination),
        service: drilled.service.clone(),
        month: month.to_string(),
        more: drilled.more,
        items: drilled
            .items
            .iter()
            .map(|item| ItemRow {
                s10: item.s10.clone(),
                posted: or_dash(item.posted_at.map(|at| at.date())),
                delivered: or_dash(item.delivered_at.map(|at| at.date())),
                days: item
                    .days
                    .map_or_else(|| "—".to_owned(), |days| format!("J+{days}")),
                verdict: t.tr(&format!("quality-figure-{}", item.verdict)),
                step: item
                    .last_milestone
                    .as_deref()
                    .map_or_else(|| "—".to_owned(), |m| milestone_name(&state, &t, m)),
            })
            .collect(),
        t,
        layout,
    };
    Ok((page.jar(&state), render(&body)?).into_response())
}
