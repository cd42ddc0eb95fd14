//! Staff pages for items: the search (`/items/search?q=`, by S10 ID, a sender's or
//! addressee's name, or a phone number) and the item page (`/items/{s10}`: details, parties,
//! customs lines and events). Both read only the staff member's own operator's items.

use std::collections::HashMap;

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use barid_core::{CustomsDeclaration, Party, S10Id};
use barid_store::model::{ItemQuery, ItemSummary};
use serde::Deserialize;
use utoipa::IntoParams;

use super::i18n::Tr;
use super::view::{self, When};
use super::{LangQuery, Layout, PageError, PageRequest, Section, render};
use crate::auth::Principal;
use crate::error::ApiResult;
use crate::extract::{ApiPath, ApiQuery};
use crate::state::AppState;

/// The most results one search lists.
pub const SEARCH_LIMIT: u32 = 50;

/// `?q=` and `?lang=`.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// An S10 ID, part of a sender's or addressee's name, or part of a phone number.
    pub q: Option<String>,
    /// `ar` or `en`.
    pub lang: Option<String>,
}

/// One line of the results.
#[derive(Debug, Clone)]
pub struct SummaryView {
    pub s10: String,
    pub status: String,
    pub tone: &'static str,
    pub destination: String,
    pub sender: String,
    pub addressee: String,
    pub accepted: When,
}

#[derive(Template)]
#[template(path = "item_search.html")]
struct SearchPage {
    t: Tr,
    layout: Layout,
    q: String,
    /// What the search looked for, in words; empty before a search.
    searched: String,
    error: Option<PageError>,
    results: Vec<SummaryView>,
    truncated: bool,
}

fn summary_view(t: &Tr, found: ItemSummary) -> SummaryView {
    SummaryView {
        s10: found.s10.to_string(),
        status: view::status_text(t, found.status),
        tone: view::status_tone(found.status),
        destination: t.country(&found.destination_country).to_owned(),
        sender: found.sender_name,
        addressee: found.addressee_name,
        accepted: view::when(t, found.created_at),
    }
}

/// Searches the operator's items. A scanned S10 ID that finds its item opens the item page.
#[utoipa::path(get, path = "/items/search", tag = "pages",
    params(SearchQuery),
    responses(
        (status = 200, description = "HTML page: the search form and the matching items of your operator", content_type = "text/html", body = String),
        (status = 303, description = "An S10 ID that found its item: redirect to the item page"),
    ))]
pub async fn search(
    State(state): State<AppState>,
    principal: Principal,
    page: PageRequest,
    ApiQuery(query): ApiQuery<SearchQuery>,
) -> ApiResult<Response> {
    let (t, layout) = page.layout(&state, Some(&principal), Section::Search).await;
    let q = query.q.unwrap_or_default().trim().to_owned();
    let mut page_data = SearchPage {
        t,
        layout,
        q: q.clone(),
        searched: String::new(),
        error: None,
        results: Vec::new(),
        truncated: false,
    };
    if !q.is_empty() {
        match ItemQuery::parse(&q) {
            None => {
                page_data.error = Some(PageError {
                    code: "invalid_query",
                    message: t.tr2(
                        "search-too-short",
                        "chars",
                        ItemQuery::MIN_NAME_CHARS,
                        "digits",
                        ItemQuery::MIN_PHONE_DIGITS,
                    ),
                });
            }
            Some(item_query) => {
                let found = state
                    .store()
                    .search_items(principal.operator, &item_query, SEARCH_LIMIT)
                    .await?;
                if let (ItemQuery::S10(s10), [_]) = (&item_query, found.as_slice())
                    && !page.is_htmx()
                {
                    return Ok(Redirect::to(&format!("/items/{s10}")).into_response());
                }
                page_data.searched = match &item_query {
                    ItemQuery::S10(s10) => t.tr1("search-by-s10", "id", s10.to_string()),
                    ItemQuery::Name(name) => t.tr1("search-by-name", "name", name.as_str()),
                    ItemQuery::Phone(digits) => t.tr1("search-by-phone", "digits", digits.as_str()),
                };
                page_data.truncated = found.len() >= SEARCH_LIMIT as usize;
                page_data.results = found.into_iter().map(|f| summary_view(&t, f)).collect();
            }
        }
    }
    Ok((page.jar(&state), render(&page_data)?).into_response())
}

// --- the item page -----------------------------------------------------------------------

/// A sender or addressee as the staff page shows them.
#[derive(Debug, Clone)]
pub struct PartyView {
    pub name: String,
    pub business: Option<String>,
    pub lines: Vec<String>,
    pub city: String,
    pub postcode: Option<String>,
    pub country: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    /// The Latin transliteration: name, address lines and city on one line.
    pub latin: Option<String>,
}

impl PartyView {
    pub(crate) fn new(t: &Tr, party: &Party) -> Self {
        Self {
            name: party.name().to_owned(),
            business: party.business_name().map(str::to_owned),
            lines: party.address_lines().to_vec(),
            city: party.city().to_owned(),
            postcode: party.postcode().map(str::to_owned),
            country: t.country(&party.country()).to_owned(),
            phone: party.phone().map(str::to_owned),
            email: party.email().map(str::to_owned),
            latin: party.latin().map(|latin| {
                let mut parts = vec![latin.name().to_owned()];
                parts.extend(latin.address_lines().iter().cloned());
                parts.push(latin.city().to_owned());
                parts.join(", ")
            }),
        }
    }
}

#[derive(Debug, Clone)]
pub struct CustomsLineView {
    pub description: String,
    pub quantity: u32,
    pub net_weight: u32,
    pub value: String,
    pub hs_code: String,
    pub origin: String,
}

#[derive(Debug, Clone)]
pub struct CustomsView {
    pub form: &'static str,
    pub category: String,
    pub explanation: Option<String>,
    pub total: String,
    pub gross_weight: u32,
    pub lines: Vec<CustomsLineView>,
    pub documents: Option<String>,
    pub invoice: Option<String>,
    pub comments: Option<String>,
}

impl CustomsView {
    pub(crate) fn new(t: &Tr, customs: &CustomsDeclaration) -> Self {
        let documents: Vec<String> = customs
            .licence_numbers()
            .iter()
            .chain(customs.certificate_numbers())
            .cloned()
            .collect();
        Self {
            form: customs.form().label(),
            category: t.tr(&view::category_key(customs.category())),
            explanation: customs.explanation().map(str::to_owned),
            total: money(&customs.total_value()),
            gross_weight: customs.gross_weight().get(),
            lines: customs
                .lines()
                .iter()
                .map(|line| CustomsLineView {
                    description: line.description().to_owned(),
                    quantity: line.quantity(),
                    net_weight: line.net_weight().get(),
                    value: money(&line.value()),
                    hs_code: line
                        .hs_code()
                        .map(|code| code.as_str().to_owned())
                        .unwrap_or_default(),
                    origin: t.country(&line.origin()).to_owned(),
                })
                .collect(),
            documents: (!documents.is_empty()).then(|| documents.join(", ")),
            invoice: customs.invoice_number().map(str::to_owned),
            comments: customs.comments().map(str::to_owned),
        }
    }
}

fn money(money: &barid_core::Money) -> String {
    format!("{} {}", money.to_decimal_string(), money.currency())
}

/// One of the operator's events on the item, with what only staff see (notes, signatory).
#[derive(Debug, Clone)]
pub struct StaffEventView {
    pub code: String,
    pub text: String,
    pub when: When,
    pub office: String,
    pub reason: Option<String>,
    pub source: String,
    pub note: Option<String>,
    pub signatory: Option<String>,
}

#[derive(Template)]
#[template(path = "item.html")]
struct ItemPage {
    t: Tr,
    layout: Layout,
    s10: String,
    s10_human: String,
    service: String,
    status: String,
    tone: &'static str,
    origin: String,
    destination: String,
    destination_code: String,
    office: String,
    weight: u32,
    dimensions: Option<String>,
    contents: String,
    postage: Option<String>,
    accepted: When,
    /// Sender and addressee, with their headings.
    parties: Vec<(String, PartyView)>,
    customs: Option<CustomsView>,
    events: Vec<StaffEventView>,
    /// Just accepted at the counter (`?accepted=1`): offer the label first.
    accepted_now: bool,
}

#[derive(Template)]
#[template(path = "message.html")]
struct MessagePage {
    t: Tr,
    layout: Layout,
    title: String,
    error: PageError,
}

/// One item of the staff member's operator.
#[utoipa::path(get, path = "/items/{s10}", tag = "pages",
    params(("s10" = String, Path, description = "S10 ID, e.g. RR123456785EG"), LangQuery),
    responses(
        (status = 200, description = "HTML page: details, sender and addressee, customs declaration, events", content_type = "text/html", body = String),
        (status = 400, description = "Not a valid S10 ID (`data-error=\"invalid_path\"`; the page says why)", content_type = "text/html", body = String),
        (status = 404, description = "Your operator has no such item (`data-error=\"not_found\"`)", content_type = "text/html", body = String),
    ))]
pub async fn item(
    State(state): State<AppState>,
    principal: Principal,
    page: PageRequest,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Response> {
    let (t, layout) = page.layout(&state, Some(&principal), Section::Other).await;
    let s10 = match S10Id::parse(&id) {
        Ok(s10) => s10,
        Err(error) => {
            let message = MessagePage {
                t,
                layout,
                title: t.tr("item-invalid-title"),
                error: PageError {
                    code: "invalid_path",
                    message: t.tr2(
                        "track-invalid",
                        "id",
                        id.as_str(),
                        "problem",
                        view::s10_problem(&t, &error),
                    ),
                },
            };
            return Ok(
                (StatusCode::BAD_REQUEST, page.jar(&state), render(&message)?).into_response(),
            );
        }
    };
    let Some(item) = state.store().item(principal.operator, &s10).await? else {
        let message = MessagePage {
            t,
            layout,
            title: t.tr("item-not-found-title"),
            error: PageError {
                code: "not_found",
                message: t.tr1("item-not-found", "id", s10.to_string()),
            },
        };
        return Ok((StatusCode::NOT_FOUND, page.jar(&state), render(&message)?).into_response());
    };
    let offices: HashMap<String, String> = state
        .store()
        .offices(principal.operator)
        .await?
        .into_iter()
        .map(|office| {
            let name = t.pick(&office.name_en, &office.name_ar).to_owned();
            (office.code.to_string(), name)
        })
        .collect();
    let office_name = |code: &str| {
        offices
            .get(code)
            .cloned()
            .unwrap_or_else(|| code.to_owned())
    };
    let events = state
        .store()
        .item_events(principal.operator, item.id)
        .await?
        .into_iter()
        .map(|stored| {
            let event = stored.event;
            StaffEventView {
                code: event.code.as_str().to_owned(),
                text: view::event_text(&t, state.reference(), &event.code),
                when: view::when(&t, event.at),
                office: office_name(event.office.as_str()),
                reason: event
                    .reason
                    .as_ref()
                    .map(|reason| view::reason_text(&t, state.reference(), reason)),
                source: t.tr(&format!("event-source-{}", event.source.as_str())),
                note: event.note,
                signatory: event.signatory,
            }
        })
        .collect();
    let dimensions = match (item.length_mm, item.width_mm, item.height_mm) {
        (None, None, None) => None,
        (length, width, height) => {
            let side = |value: Option<u32>| value.map_or_else(|| "–".to_owned(), |v| v.to_string());
            Some(format!(
                "{} × {} × {}",
                side(length),
                side(width),
                side(height)
            ))
        }
    };
    let page_data = ItemPage {
        s10: item.s10.to_string(),
        s10_human: item.s10.human(),
        service: t.tr(&view::service_key(item.service)),
        status: view::status_text(&t, item.status),
        tone: view::status_tone(item.status),
        origin: t.country(&item.origin_country).to_owned(),
        destination: t.country(&item.destination_country).to_owned(),
        destination_code: item.destination_country.to_string(),
        office: office_name(item.office.as_str()),
        weight: item.weight.get(),
        dimensions,
        contents: item.contents.clone(),
        postage: item.postage.as_ref().map(money),
        accepted: view::when(&t, item.created_at),
        parties: vec![
            (t.tr("item-sender"), PartyView::new(&t, &item.sender)),
            (t.tr("item-addressee"), PartyView::new(&t, &item.addressee)),
        ],
        customs: item
            .customs
            .as_ref()
            .map(|customs| CustomsView::new(&t, customs)),
        events,
        accepted_now: page.query_has("accepted", "1"),
        t,
        layout,
    };
    Ok((page.jar(&state), render(&page_data)?).into_response())
}
