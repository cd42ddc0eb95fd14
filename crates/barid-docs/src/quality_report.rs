//! The monthly quality-of-service report (A4) between two posts under their memorandum.
//!
//! The title block (the two posts, the memorandum, the month, when the report was made); the
//! worst routes, every direction's services sorted by their shortfall against the target; then
//! per direction its stuck items and CN 43 discrepancies and, per service, the summary (target,
//! measured share, met, late, overdue, in flight, returned, median, customs holds), the verdict,
//! the legs with the late ones marked, the 12-month trend of the share met against the target
//! and the J+0..J+30 distribution with the target day marked (both drawn as vector bars); and
//! the stuck items, "and N more" when the list was cut.
//!
//! The figures are computed by `barid-core` (see `docs/quality.md`); this module only prints
//! them. Shares are per mille and printed with one decimal (`85.0 %`); a figure that cannot be
//! measured (nothing counted) is printed as "—", never divided by zero.

use barid_core::{CountryCode, S10Id};
use time::{Date, OffsetDateTime};

use crate::DocumentError;
use crate::canvas::{DocumentInfo, HAIRLINE, Ink, Page, mm, write_pdf};
use crate::format::{date_time, ltr};
use crate::parts::Item;
use crate::sheet::{Field, Sheet};
use crate::strings::{self, Bilingual, direction_name};
use crate::table::{Cell, Column, Table};
use crate::text::{Align, TextStyle, layout_clamped};

/// What a monthly quality-of-service report shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QualityReportInput {
    /// The post printing the report and its partner, e.g. EG and PS.
    pub operator: CountryCode,
    pub partner: CountryCode,
    /// The memorandum's reference, e.g. "MoU EG-PS 2024/07".
    pub reference: String,
    /// The month reported, first day of it.
    pub month: Date,
    /// When the report was made (printed in the footer, used as the PDF date).
    pub generated_at: OffsetDateTime,
    /// One per direction (EG→PS, PS→EG) that has a target.
    pub directions: Vec<QualityDirection>,
}

/// One direction of mail between the two posts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QualityDirection {
    pub origin: CountryCode,
    pub destination: CountryCode,
    /// "direct" or the transit post, e.g. Some(JO) for EG→PS via Jordan.
    pub via: Option<CountryCode>,
    pub services: Vec<QualityServiceFigures>,
    /// Items not delivered whose last step is older than the stuck threshold (at most ~50 listed).
    pub stuck: Vec<QualityStuckItem>,
    /// How many items are stuck in all (the list may be cut).
    pub stuck_total: u64,
    /// Discrepancies recorded on verification notes (CN 43) of this direction's dispatches this month.
    pub discrepancies: u64,
}

/// One service's figures in one direction for the month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QualityServiceFigures {
    pub service_en: String,
    pub service_ar: String,
    /// J+N target and the share to meet it, per mille (850 = 85 %).
    pub target_days: u16,
    pub target_per_mille: u16,
    pub met: u64,
    pub late: u64,
    pub overdue: u64,
    pub in_flight: u64,
    pub returned: u64,
    /// met / (met + late + overdue), per mille; None when nothing counted.
    pub met_per_mille: Option<u64>,
    pub meets_target: bool,
    /// Working days J+0..J+30 (last bucket = 30 and later): items delivered per day count.
    pub distribution: Vec<u64>,
    pub median_days: Option<u32>,
    pub legs: Vec<QualityLegFigures>,
    pub customs_held: u64,
    /// Average hold, in hours; None when nothing held.
    pub customs_hold_hours: Option<u64>,
    /// The last 12 months, oldest first, ending with the reported month.
    pub trend: Vec<QualityMonthPoint>,
}

/// One leg of a service's route (counter to outward office, transit, customs...).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QualityLegFigures {
    pub leg_en: String,
    pub leg_ar: String,
    /// Working days agreed for this leg, if any.
    pub target_days: Option<u16>,
    pub items: u64,
    pub median_days: Option<u32>,
    /// Share of the leg's items within its target, per mille; None without a target or items.
    pub within_target_per_mille: Option<u64>,
    /// Whether this leg misses its target (the "late leg" a supervisor looks for).
    pub late: bool,
}

/// One month of a service's trend.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QualityMonthPoint {
    /// First day of the month.
    pub month: Date,
    pub met_per_mille: Option<u64>,
    pub counted: u64,
}

/// An item not delivered whose last step is older than the stuck threshold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QualityStuckItem {
    pub s10: S10Id,
    /// The last step reached, in both languages, e.g. "Arrived at inward office of exchange" / Arabic.
    pub step_en: String,
    pub step_ar: String,
    pub since: OffsetDateTime,
    /// Working days since then.
    pub days: u32,
}

/// Renders the monthly quality-of-service report.
pub fn quality_report(input: &QualityReportInput) -> Result<Vec<u8>, DocumentError> {
    write_pdf(
        &quality_report_pages(input)?,
        &DocumentInfo {
            title: format!(
                "Quality of service report {} {}-{} {}",
                input.reference,
                input.operator,
                input.partner,
                month_code(input.month)
            ),
            created: input.generated_at,
        },
    )
}

/// Height of each chart, its axis labels included.
const CHART_MM: f32 = 46.0;
const TABLE_STYLE: TextStyle = TextStyle::regular(7.0);

/// `2026-11`.
fn month_code(month: Date) -> String {
    format!("{:04}-{:02}", month.year(), u8::from(month.month()))
}

/// `نوفمبر 2026`.
fn month_ar(month: Date) -> String {
    let name = u8::from(month.month())
        .checked_sub(1)
        .and_then(|index| strings::MONTHS_AR.get(usize::from(index)))
        .copied()
        .unwrap_or_default();
    format!("{name} {}", month.year())
}

/// `85.0 %`.
fn percent(per_mille: u64) -> String {
    format!("{}.{} %", per_mille / 10, per_mille % 10)
}

fn percent_or_dash(per_mille: Option<u64>) -> String {
    per_mille.map_or_else(|| "—".to_owned(), percent)
}

fn days(n: impl std::fmt::Display) -> String {
    format!("J+{n}")
}

fn days_or_dash<T: std::fmt::Display>(n: Option<T>) -> String {
    n.map_or_else(|| "—".to_owned(), days)
}

/// Measured minus target in percentage points, signed: `-6.6`, `+3.0`.
fn gap(service: &QualityServiceFigures) -> Option<i64> {
    let measured = i64::try_from(service.met_per_mille?).ok()?;
    Some(measured - i64::from(service.target_per_mille))
}

fn points(gap: i64) -> String {
    let sign = if gap < 0 { '-' } else { '+' };
    let abs = gap.unsigned_abs();
    format!("{sign}{}.{}", abs / 10, abs % 10)
}

/// Every direction's services, worst first: the largest shortfall against the target first,
/// the services with nothing counted last, ties in the input's order.
fn worst_routes(input: &QualityReportInput) -> Vec<(&QualityDirection, &QualityServiceFigures)> {
    let mut routes: Vec<_> = input
        .directions
        .iter()
        .flat_map(|direction| {
            direction
                .services
                .iter()
                .map(move |service| (direction, service))
        })
        .collect();
    routes.sort_by_key(|(_, service)| match gap(service) {
        Some(gap) => (0, gap),
        None => (1, 0),
    });
    routes
}

/// The verdict of a service, as printed.
fn verdict(service: &QualityServiceFigures) -> Bilingual<'static> {
    match (service.met_per_mille, service.meets_target) {
        (None, _) => strings::NOT_MEASURED,
        (Some(_), true) => strings::MEETS_TARGET,
        (Some(_), false) => strings::BELOW_TARGET,
    }
}

fn target_text(service: &QualityServiceFigures) -> String {
    format!(
        "{} · {}",
        days(service.target_days),
        percent(u64::from(service.target_per_mille))
    )
}

fn country_items(code: CountryCode) -> Vec<Item> {
    vec![
        Item::new(format!("{code} · {}", code.name_en()), TextStyle::bold(9.0)),
        Item::new(code.name_ar(), TextStyle::regular(9.0)),
    ]
}

pub(crate) fn quality_report_pages(input: &QualityReportInput) -> Result<Vec<Page>, DocumentError> {
    let month = month_code(input.month);
    let reference = format!("{} · {}", input.reference, date_time(input.generated_at));
    let mut sheet = Sheet::new(&month, strings::QUALITY_TITLE, reference)?;
    let regular = TextStyle::regular(9.0);
    sheet.fields(&[
        Field::new(strings::REPORTING_POST, country_items(input.operator), 0.2),
        Field::new(strings::PARTNER_POST, country_items(input.partner), 0.2),
        Field::new(
            strings::MEMORANDUM,
            vec![Item::new(input.reference.clone(), TextStyle::bold(9.0))],
            0.2,
        ),
        Field::new(
            strings::MONTH,
            vec![
                Item::new(month.clone(), TextStyle::bold(9.0)),
                Item::new(month_ar(input.month), regular),
            ],
            0.14,
        ),
        Field::new(
            strings::GENERATED_AT,
            vec![Item::new(date_time(input.generated_at), regular)],
            0.26,
        ),
    ])?;
    sheet.gap();
    worst_routes_table(&mut sheet, input)?;
    if input.directions.is_empty() {
        sheet.gap();
        sheet.notice(strings::NO_DIRECTIONS, 9.0)?;
    }
    for direction in &input.directions {
        direction_section(&mut sheet, direction)?;
    }
    sheet.finish()
}

fn worst_routes_table(sheet: &mut Sheet, input: &QualityReportInput) -> Result<(), DocumentError> {
    sheet.heading(strings::WORST_ROUTES, mm(12.0))?;
    let routes = worst_routes(input);
    if routes.is_empty() {
        return sheet.notice(strings::NO_ITEMS, 8.0);
    }
    let rows = routes.into_iter().map(|(direction, service)| {
        let (route_en, route_ar) =
            direction_name(direction.origin, direction.destination, direction.via);
        let verdict = verdict(service);
        vec![
            Cell::lines(vec![route_en, route_ar]),
            Cell::lines(vec![service.service_en.clone(), service.service_ar.clone()]),
            target_text(service).into(),
            percent_or_dash(service.met_per_mille).into(),
            gap(service).map_or_else(|| "—".to_owned(), points).into(),
            service
                .met
                .saturating_add(service.late)
                .saturating_add(service.overdue)
                .to_string()
                .into(),
            Cell::lines(vec![verdict.en.to_owned(), verdict.ar.to_owned()]),
        ]
    });
    let table = Table::new(
        vec![
            Column::new(strings::ROUTE, 0.22, Align::Start),
            Column::new(strings::SERVICE, 0.16, Align::Start),
            Column::new(strings::TARGET, 0.13, Align::Right),
            Column::new(strings::MEASURED_SHARE, 0.11, Align::Right).bold(),
            Column::new(strings::GAP_POINTS, 0.12, Align::Right).bold(),
            Column::new(strings::COUNTED, 0.1, Align::Right),
            Column::new(strings::VERDICT, 0.16, Align::Start),
        ],
        rows,
        (sheet.x(), sheet.width()),
        TABLE_STYLE,
        3,
    )?;
    sheet.table(&table)
}

fn direction_section(sheet: &mut Sheet, direction: &QualityDirection) -> Result<(), DocumentError> {
    sheet.gap();
    sheet.gap();
    let (en, ar) = direction_name(direction.origin, direction.destination, direction.via);
    sheet.heading(Bilingual::new(&en, &ar), mm(30.0))?;
    let bold = TextStyle::bold(9.0);
    sheet.fields(&[
        Field::new(
            strings::STUCK_ITEMS,
            vec![Item::new(direction.stuck_total.to_string(), bold)],
            0.5,
        ),
        Field::new(
            strings::CN43_DISCREPANCIES,
            vec![Item::new(direction.discrepancies.to_string(), bold)],
            0.5,
        ),
    ])?;
    if direction.services.is_empty() {
        sheet.gap();
        sheet.notice(strings::NO_ITEMS, 8.0)?;
    }
    for service in &direction.services {
        service_section(sheet, service)?;
    }
    stuck_section(sheet, direction)
}

fn service_section(
    sheet: &mut Sheet,
    service: &QualityServiceFigures,
) -> Result<(), DocumentError> {
    sheet.gap();
    sheet.gap();
    sheet.heading(
        Bilingual::new(&service.service_en, &service.service_ar),
        mm(30.0),
    )?;
    let hold = service.customs_hold_hours.map_or_else(
        || Cell::from("—".to_owned()),
        |hours| {
            Cell::lines(vec![
                format!("{hours} {}", strings::HOURS.en),
                format!("{hours} {}", strings::HOURS.ar),
            ])
        },
    );
    let summary = Table::new(
        vec![
            Column::new(strings::TARGET, 0.11, Align::Right),
            Column::new(strings::MEASURED_SHARE, 0.1, Align::Right).bold(),
            Column::new(strings::MET, 0.08, Align::Right),
            Column::new(strings::LATE, 0.08, Align::Right),
            Column::new(strings::OVERDUE, 0.09, Align::Right),
            Column::new(strings::IN_FLIGHT, 0.09, Align::Right),
            Column::new(strings::RETURNED, 0.09, Align::Right),
            Column::new(strings::MEDIAN, 0.09, Align::Right),
            Column::new(strings::CUSTOMS_HELD, 0.11, Align::Right),
            Column::new(strings::AVERAGE_HOLD, 0.16, Align::Right),
        ],
        [vec![
            target_text(service).into(),
            percent_or_dash(service.met_per_mille).into(),
            service.met.to_string().into(),
            service.late.to_string().into(),
            service.overdue.to_string().into(),
            service.in_flight.to_string().into(),
            service.returned.to_string().into(),
            days_or_dash(service.median_days).into(),
            service.customs_held.to_string().into(),
            hold,
        ]],
        (sheet.x(), sheet.width()),
        TABLE_STYLE,
        2,
    )?;
    sheet.table(&summary)?;
    sheet.gap();
    let verdict = verdict(service);
    let target = days(service.target_days);
    let target_share = percent(u64::from(service.target_per_mille));
    let (en, ar) = match service.met_per_mille {
        Some(measured) => (
            format!(
                "{}: {} {} {target}, {} {target_share}",
                verdict.en,
                percent(measured),
                strings::WITHIN.en,
                strings::TARGET_WORD.en
            ),
            format!(
                "{}: {} {} {}، {} {}",
                verdict.ar,
                ltr(&percent(measured)),
                strings::WITHIN.ar,
                ltr(&target),
                strings::TARGET_WORD.ar,
                ltr(&target_share)
            ),
        ),
        None => (verdict.en.to_owned(), verdict.ar.to_owned()),
    };
    sheet.notice(Bilingual::new(&en, &ar), 9.0)?;
    sheet.gap();
    legs_table(sheet, service)?;
    sheet.gap();
    trend_chart(sheet, service)?;
    sheet.gap();
    distribution_chart(sheet, service)
}

fn legs_table(sheet: &mut Sheet, service: &QualityServiceFigures) -> Result<(), DocumentError> {
    sheet.heading(strings::LEGS, mm(14.0))?;
    if service.legs.is_empty() {
        return sheet.notice(strings::NO_LEGS, 8.0);
    }
    let rows = service.legs.iter().map(|leg| {
        vec![
            Cell::lines(vec![leg.leg_en.clone(), leg.leg_ar.clone()]),
            days_or_dash(leg.target_days).into(),
            leg.items.to_string().into(),
            days_or_dash(leg.median_days).into(),
            percent_or_dash(leg.within_target_per_mille).into(),
            if leg.late {
                Cell::lines(vec![
                    strings::LATE_MARK.en.to_owned(),
                    strings::LATE_MARK.ar.to_owned(),
                ])
            } else {
                String::new().into()
            },
        ]
    });
    let table = Table::new(
        vec![
            Column::new(strings::LEG, 0.36, Align::Start),
            Column::new(strings::TARGET, 0.12, Align::Right),
            Column::new(strings::ITEMS, 0.12, Align::Right),
            Column::new(strings::MEDIAN, 0.12, Align::Right),
            Column::new(strings::WITHIN_TARGET, 0.14, Align::Right),
            Column::new(strings::LATE_LEG, 0.14, Align::Center).bold(),
        ],
        rows,
        (sheet.x(), sheet.width()),
        TABLE_STYLE,
        3,
    )?;
    sheet.table(&table)
}

fn trend_chart(sheet: &mut Sheet, service: &QualityServiceFigures) -> Result<(), DocumentError> {
    let target_share = percent(u64::from(service.target_per_mille));
    let en = format!(
        "{} — {} {target_share}",
        strings::TREND.en,
        strings::TARGET_WORD.en
    );
    let ar = format!(
        "{} — {} {}",
        strings::TREND.ar,
        strings::TARGET_WORD.ar,
        ltr(&target_share)
    );
    let height = mm(CHART_MM);
    if service
        .trend
        .iter()
        .all(|point| point.met_per_mille.is_none())
    {
        sheet.heading(Bilingual::new(&en, &ar), mm(10.0))?;
        return sheet.notice(strings::NO_ITEMS, 8.0);
    }
    sheet.heading(Bilingual::new(&en, &ar), height)?;
    let chart = Bars {
        bars: service
            .trend
            .iter()
            .map(|point| Bar {
                value: point.met_per_mille.map(|pm| pm.min(1000) as f32 / 1000.0),
                label: percent_or_dash(point.met_per_mille),
                axis: month_code(point.month),
                under: format!("n={}", point.counted),
            })
            .collect(),
        ticks: [0, 250, 500, 750, 1000]
            .into_iter()
            .map(|pm| (pm as f32 / 1000.0, format!("{} %", pm / 10)))
            .collect(),
        target_level: Some(f32::from(service.target_per_mille.min(1000)) / 1000.0),
        target_bucket: None,
    };
    let (x, width) = (sheet.x(), sheet.width());
    let (page, y) = sheet.space(height)?;
    chart.draw(page, x, y, width, height)
}

fn distribution_chart(
    sheet: &mut Sheet,
    service: &QualityServiceFigures,
) -> Result<(), DocumentError> {
    let target = days(service.target_days);
    let median = days_or_dash(service.median_days);
    let en = format!(
        "{} — {} {target}, {} {median}",
        strings::DISTRIBUTION.en,
        strings::TARGET_WORD.en,
        strings::MEDIAN_WORD.en
    );
    let ar = format!(
        "{} — {} {}، {} {}",
        strings::DISTRIBUTION.ar,
        strings::TARGET_WORD.ar,
        ltr(&target),
        strings::MEDIAN_WORD.ar,
        ltr(&median)
    );
    let highest = service.distribution.iter().copied().max().unwrap_or(0);
    let height = mm(CHART_MM);
    if highest == 0 {
        sheet.heading(Bilingual::new(&en, &ar), mm(10.0))?;
        return sheet.notice(strings::NO_ITEMS, 8.0);
    }
    sheet.heading(Bilingual::new(&en, &ar), height)?;
    let step = nice_step(highest);
    let top = step.saturating_mul(4);
    let count = service.distribution.len();
    let chart = Bars {
        bars: service
            .distribution
            .iter()
            .enumerate()
            .map(|(day, &items)| Bar {
                value: Some(items as f32 / top as f32),
                label: if items > 0 {
                    items.to_string()
                } else {
                    String::new()
                },
                axis: if day + 1 == count && count >= 31 {
                    format!("{day}+")
                } else {
                    day.to_string()
                },
                under: String::new(),
            })
            .collect(),
        ticks: (0..=4)
            .map(|n: u64| {
                let value = n.saturating_mul(step);
                (value as f32 / top as f32, value.to_string())
            })
            .collect(),
        target_level: None,
        target_bucket: Some((usize::from(service.target_days), target)),
    };
    let (x, width) = (sheet.x(), sheet.width());
    let (page, y) = sheet.space(height)?;
    chart.draw(page, x, y, width, height)
}

/// A step of 1, 2 or 5 times a power of ten such that four steps reach `highest`.
fn nice_step(highest: u64) -> u64 {
    let raw = highest.div_ceil(4).max(1);
    let mut magnitude = 1u64;
    while magnitude.saturating_mul(10) <= raw {
        magnitude *= 10;
    }
    [1, 2, 5, 10]
        .into_iter()
        .map(|factor: u64| factor.saturating_mul(magnitude))
        .find(|step| *step >= raw)
        .unwrap_or(raw)
}

/// One bar of a chart.
#[derive(Debug, Clone)]
struct Bar {
    /// Height as a share of the scale (0 to 1); None when there is nothing to show.
    value: Option<f32>,
    /// Printed above the bar.
    label: String,
    /// Printed under the axis.
    axis: String,
    /// Printed under the axis label (may be empty).
    under: String,
}

/// A bar chart drawn with rules and filled rectangles.
#[derive(Debug, Clone)]
struct Bars {
    bars: Vec<Bar>,
    /// Grid lines: (share of the scale, label).
    ticks: Vec<(f32, String)>,
    /// A horizontal red line at this share of the scale (the target share).
    target_level: Option<f32>,
    /// A vertical red line after this bar (the target day), labelled under the axis.
    target_bucket: Option<(usize, String)>,
}

const AXIS_MM: f32 = 12.0;
const TOP_MM: f32 = 4.0;
const BOTTOM_MM: f32 = 8.5;
const VALUE_STYLE: TextStyle = TextStyle::regular(5.0);
const AXIS_STYLE: TextStyle = TextStyle::regular(5.5);

impl Bars {
    /// Draws the chart in the box from (x, y) of `width` × `height`.
    fn draw(
        &self,
        page: &mut Page,
        x: f32,
        y: f32,
        width: f32,
        height: f32,
    ) -> Result<(), DocumentError> {
        let plot_x = x + mm(AXIS_MM);
        let plot_width = width - mm(AXIS_MM);
        let plot_top = y + mm(TOP_MM);
        let plot_bottom = y + height - mm(BOTTOM_MM);
        let plot_height = plot_bottom - plot_top;
        let level = |share: f32| plot_bottom - share.clamp(0.0, 1.0) * plot_height;
        for (share, label) in &self.ticks {
            let tick_y = level(*share);
            page.hrule(plot_x, plot_x + plot_width, tick_y, 0.25);
            page.text_clamped(
                label,
                AXIS_STYLE,
                x,
                tick_y - AXIS_STYLE.line_height() / 2.0,
                mm(AXIS_MM - 1.5),
                Align::Right,
                1,
            )?;
        }
        page.vrule(plot_x, plot_top, plot_bottom, HAIRLINE);
        page.hrule(plot_x, plot_x + plot_width, plot_bottom, HAIRLINE);
        let slot = plot_width / self.bars.len().max(1) as f32;
        let bar_width = slot * 0.6;
        for (index, bar) in self.bars.iter().enumerate() {
            let slot_x = plot_x + slot * index as f32;
            let top = level(bar.value.unwrap_or(0.0));
            page.fill(
                slot_x + (slot - bar_width) / 2.0,
                top,
                bar_width,
                plot_bottom - top,
            );
            if !bar.label.is_empty() {
                // In white at the top of the bar where it fits (clear of the target line),
                // else above it.
                let label = layout_clamped(&bar.label, VALUE_STYLE, slot, 1)?;
                let inside =
                    label.width() <= bar_width && plot_bottom - top >= label.height() + 2.0;
                let label_y = if inside {
                    top + 1.0
                } else {
                    top - label.height() - 0.5
                };
                page.paragraph_colored(&label, slot_x, label_y, slot, Align::Center, inside);
            }
            let mut label_y = plot_bottom + 1.0;
            for text in [&bar.axis, &bar.under] {
                if !text.is_empty() {
                    label_y += page.text_clamped(
                        text,
                        AXIS_STYLE,
                        slot_x,
                        label_y,
                        slot,
                        Align::Center,
                        1,
                    )?;
                }
            }
        }
        if let Some(share) = self.target_level {
            page.fill_ink(plot_x, level(share) - 0.5, plot_width, 1.0, Ink::Red);
        }
        if let Some((bucket, label)) = &self.target_bucket {
            let marker = (plot_x + slot * (bucket + 1) as f32).min(plot_x + plot_width);
            page.fill_ink(marker - 0.5, plot_top, 1.0, plot_height, Ink::Red);
            let label_width = mm(12.0);
            let label_x =
                (marker - label_width / 2.0).clamp(plot_x, plot_x + plot_width - label_width);
            // Under the day labels (this chart has no second row).
            page.text_clamped(
                label,
                TextStyle::bold(5.5),
                label_x,
                plot_bottom + 1.0 + AXIS_STYLE.line_height(),
                label_width,
                Align::Center,
                1,
            )?;
        }
        Ok(())
    }
}

fn stuck_section(sheet: &mut Sheet, direction: &QualityDirection) -> Result<(), DocumentError> {
    sheet.gap();
    let total = direction.stuck_total.max(direction.stuck.len() as u64);
    let en = format!("{} ({total})", strings::STUCK_ITEMS.en);
    let ar = format!("{} ({total})", strings::STUCK_ITEMS.ar);
    sheet.heading(Bilingual::new(&en, &ar), mm(14.0))?;
    if direction.stuck.is_empty() {
        return sheet.notice(strings::NO_STUCK, 8.0);
    }
    let rows = direction.stuck.iter().map(|item| {
        vec![
            item.s10.human().into(),
            Cell::lines(vec![item.step_en.clone(), item.step_ar.clone()]),
            date_time(item.since).into(),
            item.days.to_string().into(),
        ]
    });
    let table = Table::new(
        vec![
            Column::new(strings::ITEM_ID, 0.2, Align::Left).bold(),
            Column::new(strings::LAST_STEP, 0.44, Align::Start),
            Column::new(strings::SINCE, 0.24, Align::Left),
            Column::new(strings::WORKING_DAYS, 0.12, Align::Right),
        ],
        rows,
        (sheet.x(), sheet.width()),
        TABLE_STYLE,
        3,
    )?;
    sheet.table(&table)?;
    let more = total.saturating_sub(direction.stuck.len() as u64);
    if more > 0 {
        sheet.gap();
        let en = format!("{} {more} {}", strings::AND.en, strings::MORE_NOT_LISTED.en);
        let ar = format!(
            "{}{} {}",
            strings::AND.ar,
            ltr(&more.to_string()),
            strings::MORE_NOT_LISTED.ar
        );
        sheet.heading(Bilingual::new(&en, &ar), 0.0)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::canvas::assert_tidy;
    use crate::sheet::MARGIN_MM;
    use crate::support::*;

    fn texts(pages: &[Page]) -> Vec<String> {
        pages
            .iter()
            .flat_map(|page| page.text_extents().into_iter().map(|(text, _)| text))
            .collect()
    }

    #[test]
    fn the_report_has_every_section_in_both_languages_and_stays_tidy() {
        let input = quality_report_input();
        let pages = quality_report_pages(&input).unwrap();
        for page in &pages {
            assert_tidy(page, mm(MARGIN_MM));
        }
        let all = texts(&pages).join(" ");
        for caption in [
            strings::QUALITY_TITLE,
            strings::WORST_ROUTES,
            strings::MEETS_TARGET,
            strings::BELOW_TARGET,
            strings::TREND,
            strings::LATE_MARK,
            strings::STUCK_ITEMS,
            strings::CN43_DISCREPANCIES,
        ] {
            assert!(all.contains(caption.en), "{:?} missing", caption.en);
            assert!(
                all.contains(caption.ar),
                "{:?} missing from {all}",
                caption.ar
            );
        }
        for expected in [
            "EG to PS via JO",
            "PS to EG, direct",
            "2026-11",
            "نوفمبر 2026",
            "78.4 %",
            "-6.6",
            "J+5 · 85.0 %",
            "36 h",
            "and 2 more not listed",
            &quality_stuck(12_345_678, QUALITY_GENERATED_AT, 1)
                .s10
                .human(),
            "2026-12-01 08:00 UTC+02:00",
        ] {
            assert!(all.contains(expected), "{expected:?} not in {all}");
        }
    }

    #[test]
    fn the_worst_routes_come_first_and_the_unmeasured_last() {
        let mut input = quality_report_input();
        input.directions.push(quality_empty_direction());
        let order: Vec<(String, Option<u64>)> = worst_routes(&input)
            .into_iter()
            .map(|(direction, service)| {
                (
                    format!("{}{}", direction.origin, service.service_en),
                    service.met_per_mille,
                )
            })
            .collect();
        assert_eq!(
            order,
            [
                ("EGEMS".to_owned(), Some(784)),
                ("EGRegistered".to_owned(), Some(862)),
                ("PSEMS".to_owned(), Some(930)),
                ("EGEMS".to_owned(), None),
            ]
        );
    }

    #[test]
    fn each_service_draws_its_bars_and_red_target_lines() {
        let mut input = quality_report_input();
        input.directions.truncate(1);
        input.directions[0].services.truncate(1);
        let pages = quality_report_pages(&input).unwrap();
        let service = &input.directions[0].services[0];
        let bars: usize = pages.iter().map(|page| page.fills().len()).sum();
        let measured_months = service
            .trend
            .iter()
            .filter(|point| point.met_per_mille.is_some())
            .count();
        let busy_days = service.distribution.iter().filter(|n| **n > 0).count();
        assert_eq!(bars, measured_months + busy_days);
        // The target share across the trend, the target day up the distribution.
        let red: Vec<_> = pages
            .iter()
            .flat_map(|page| page.fills_of(Ink::Red))
            .collect();
        assert_eq!(red.len(), 2);
        assert!(red[0].2 > red[0].3 && red[1].3 > red[1].2, "{red:?}");
    }

    #[test]
    fn empty_figures_render_with_no_items_and_never_divide_by_zero() {
        let mut input = quality_report_input();
        input.directions = Vec::new();
        let pages = quality_report_pages(&input).unwrap();
        assert_eq!(pages.len(), 1);
        assert_tidy(&pages[0], mm(MARGIN_MM));
        let all = texts(&pages);
        assert!(all.iter().any(|t| t == strings::NO_ITEMS.en));
        assert!(all.iter().any(|t| t == strings::NO_DIRECTIONS.en));

        input.directions = vec![quality_empty_direction()];
        let pages = quality_report_pages(&input).unwrap();
        for page in &pages {
            assert_tidy(page, mm(MARGIN_MM));
            assert!(page.fills().is_empty());
        }
        let all = texts(&pages).join(" ");
        for expected in [strings::NOT_MEASURED, strings::NO_LEGS, strings::NO_STUCK] {
            assert!(
                all.contains(expected.en) && all.contains(expected.ar),
                "{all}"
            );
        }
        assert!(all.matches(strings::NO_ITEMS.en).count() >= 2, "{all}");
    }

    #[test]
    fn a_long_stuck_list_continues_on_more_sheets() {
        let mut input = quality_report_input();
        let direction = &mut input.directions[0];
        direction.stuck = (0..50)
            .map(|n| quality_stuck(20_000_000 + n, QUALITY_GENERATED_AT, n))
            .collect();
        direction.stuck_total = 180;
        let pages = quality_report_pages(&input).unwrap();
        for page in &pages {
            assert_tidy(page, mm(MARGIN_MM));
        }
        let all = texts(&pages).join(" ");
        assert!(all.contains("and 130 more not listed"), "{all}");
        assert!(all.contains(&format!("Page {} / {}", pages.len(), pages.len())));
    }

    #[test]
    fn figures_out_of_range_are_drawn_clipped_without_panicking() {
        let mut input = quality_report_input();
        let service = &mut input.directions[0].services[0];
        service.met_per_mille = Some(5_000);
        service.target_per_mille = u16::MAX;
        service.target_days = u16::MAX;
        service.met = u64::MAX;
        service.distribution = vec![u64::MAX; 45];
        service.trend = quality_trend(784, u64::MAX / 2)
            .into_iter()
            .cycle()
            .take(40)
            .collect();
        input.directions[1].services[0].distribution = Vec::new();
        let pages = quality_report_pages(&input).unwrap();
        for page in &pages {
            assert_tidy(page, mm(MARGIN_MM));
        }
    }

    #[test]
    fn steps_and_percentages_are_rounded_and_signed() {
        assert_eq!(percent(0), "0.0 %");
        assert_eq!(percent(1000), "100.0 %");
        assert_eq!(points(-66), "-6.6");
        assert_eq!(points(12), "+1.2");
        assert_eq!(points(0), "+0.0");
        assert_eq!(nice_step(1), 1);
        assert_eq!(nice_step(9), 5);
        assert_eq!(nice_step(80), 20);
        assert_eq!(nice_step(u64::MAX), 5_000_000_000_000_000_000);
        assert_eq!(month_ar(QUALITY_MONTH), "نوفمبر 2026");
    }
}
