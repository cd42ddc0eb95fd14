//! `/quality/calendars`: the working calendars J+N and the legs are counted in, the post's own
//! and its partners', for supervisors (who read them) and administrators (who set the weekend
//! days and public holidays of each). A change counts at once for every month's figures, as
//! through `PUT /api/v1/calendars/{country}`, which reads a calendar with the same
//! [`crate::api::quality::calendar_of`].

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use barid_core::CountryCode;
use barid_core::quality::{WorkingCalendar, week, weekday_name};
use serde::Deserialize;
use time::Weekday;
use utoipa::ToSchema;

use super::exchange::{Notice, Problem, shown};
use super::i18n::Tr;
use super::{Layout, PageRequest, Section, render};
use crate::auth::Principal;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiForm, PathParam};
use crate::router::ADMIN;
use crate::state::AppState;

/// A weekday as the form shows it: its name and whether the post rests on it.
#[derive(Debug, Clone)]
pub struct DayBox {
    /// The form field and the API's name: `friday`.
    pub name: &'static str,
    pub label: String,
    pub off: bool,
}

/// One country's calendar.
#[derive(Debug, Clone)]
pub struct CalendarRow {
    pub country: String,
    pub country_name: String,
    pub days: Vec<DayBox>,
    pub holidays: Vec<String>,
    /// Set by the post; otherwise the default for the country.
    pub set: bool,
    /// The error of the form just sent for this country, with what was sent.
    pub problem: Option<Notice>,
    pub holidays_text: String,
}

#[derive(Template)]
#[template(path = "calendars.html")]
struct CalendarsPage {
    t: Tr,
    layout: Layout,
    can_set: bool,
    csrf_token: String,
    rows: Vec<CalendarRow>,
    /// The country whose calendar was just saved.
    saved: Option<String>,
}

fn row_of(t: &Tr, country: CountryCode, calendar: &WorkingCalendar, set: bool) -> CalendarRow {
    let weekend = calendar.weekend();
    let days: Vec<DayBox> = week()
        .map(|day| DayBox {
            name: weekday_name(day),
            label: t.tr(&format!("weekday-{}", weekday_name(day))),
            off: weekend.contains(&day),
        })
        .collect();
    let holidays: Vec<String> = calendar.holidays().map(|day| day.to_string()).collect();
    CalendarRow {
        country: country.to_string(),
        country_name: t.country(&country).to_owned(),
        holidays_text: holidays.join("\n"),
        holidays,
        days,
        set,
        problem: None,
    }
}

/// What a refused form sent, shown again with the reason.
struct Refused<'a> {
    country: CountryCode,
    form: &'a CalendarForm,
    error: &'a ApiError,
}

async fn show(
    state: &AppState,
    principal: &Principal,
    page: &PageRequest,
    saved: Option<String>,
    refused: Option<Refused<'_>>,
    status: StatusCode,
) -> ApiResult<Response> {
    let (t, layout) = page.layout(state, Some(principal), Section::Quality).await;
    let mut rows: Vec<CalendarRow> = crate::api::quality::calendar_countries(state, principal)
        .await?
        .iter()
        .map(|(country, calendar, set)| row_of(&t, *country, calendar, *set))
        .collect();
    if let Some(refused) = refused
        && let Some(row) = rows
            .iter_mut()
            .find(|row| row.country == refused.country.as_str())
    {
        for (shown, day) in row.days.iter_mut().zip(week()) {
            shown.off = refused.form.ticked(day);
        }
        row.holidays_text = refused.form.holidays.clone();
        row.problem = Some(calendar_problem(&t, refused.error));
    }
    let body = CalendarsPage {
        can_set: principal.has_any_role(ADMIN),
        csrf_token: principal.csrf_token().unwrap_or_default().to_owned(),
        rows,
        saved,
        t,
        layout,
    };
    Ok((status, page.jar(state), render(&body)?).into_response())
}

fn calendar_problem(t: &Tr, error: &ApiError) -> Notice {
    let mut notice = Problem::of(error, "").notice(t);
    let key = format!("calendars-error-{}", notice.field);
    let text = t.tr(&key);
    if text != key {
        notice.message = format!("{text} ({})", notice.message);
    }
    notice
}

/// The working calendars of the post and its partners. `?saved=JO` says which was just set.
#[utoipa::path(get, path = "/quality/calendars", tag = "pages",
    responses((status = 200, description = "The calendars page", content_type = "text/html", body = String)))]
pub async fn list(
    State(state): State<AppState>,
    principal: Principal,
    page: PageRequest,
) -> ApiResult<Response> {
    let saved = page
        .query_value("saved")
        .and_then(|country| CountryCode::parse(&country).ok())
        .map(|country| country.to_string());
    show(&state, &principal, &page, saved, None, StatusCode::OK).await
}

/// A calendar as the page's form sends it: a checkbox per weekday off (`friday=on`) and the
/// public holidays as ISO dates, one a line (commas and spaces also part them).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct CalendarForm {
    pub csrf_token: String,
    pub monday: Option<String>,
    pub tuesday: Option<String>,
    pub wednesday: Option<String>,
    pub thursday: Option<String>,
    pub friday: Option<String>,
    pub saturday: Option<String>,
    pub sunday: Option<String>,
    pub holidays: String,
}

impl CalendarForm {
    fn ticked(&self, day: Weekday) -> bool {
        match day {
            Weekday::Monday => self.monday.is_some(),
            Weekday::Tuesday => self.tuesday.is_some(),
            Weekday::Wednesday => self.wednesday.is_some(),
            Weekday::Thursday => self.thursday.is_some(),
            Weekday::Friday => self.friday.is_some(),
            Weekday::Saturday => self.saturday.is_some(),
            Weekday::Sunday => self.sunday.is_some(),
        }
    }

    /// The weekdays ticked, by name.
    fn weekend(&self) -> Vec<String> {
        week()
            .filter(|day| self.ticked(*day))
            .map(|day| weekday_name(day).to_owned())
            .collect()
    }

    fn holidays(&self) -> Vec<String> {
        self.holidays
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|part| !part.is_empty())
            .map(str::to_owned)
            .collect()
    }
}

/// Sets a post's working calendar from the page's form (administrators); back to the page,
/// which says so, or the form again with the reason and nothing changed.
#[utoipa::path(post, path = "/quality/calendars/{country}", tag = "pages",
    params(("country" = String, Path, description = "ISO 3166 code, e.g. PS")),
    request_body(content = CalendarForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 303, description = "Set: back to the calendars page"),
        (status = 422, description = "Refused (a date that does not read, no working day left): the form again with `p.field-error[data-field]`", content_type = "text/html", body = String),
    ))]
pub async fn save(
    State(state): State<AppState>,
    principal: Principal,
    page: PageRequest,
    PathParam(country): PathParam<CountryCode>,
    ApiForm(form): ApiForm<CalendarForm>,
) -> ApiResult<Response> {
    let saved = match crate::api::quality::calendar_of(&form.weekend(), &form.holidays()) {
        Ok(calendar) => state
            .store()
            .set_calendar(&principal.actor(state.now()), country, &calendar)
            .await
            .map_err(ApiError::from),
        Err(error) => Err(error),
    };
    match saved {
        Ok(_) => Ok(Redirect::to(&format!("/quality/calendars?saved={country}")).into_response()),
        Err(error) if shown(&error) => {
            let status = error.code().status();
            let refused = Refused {
                country,
                form: &form,
                error: &error,
            };
            show(&state, &principal, &page, None, Some(refused), status).await
        }
        Err(error) => Err(error),
    }
}
