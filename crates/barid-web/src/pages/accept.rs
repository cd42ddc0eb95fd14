//! The counter: the acceptance form (`/accept`) and the bulk upload of a CSV file
//! (`/accept/bulk`), for clerks and merchants at their office.
//!
//! The form is one plain HTML form that works without JavaScript and from the keyboard alone:
//! every field has a label, the tab order follows the paper forms, Enter accepts, and sensible
//! defaults (the office, the operator's country and currency, the usual service and the first
//! partner post) are filled in. A refused item comes back with everything the clerk typed and
//! a message at each field. Each form carries its own `Idempotency-Key`, so pressing Enter twice
//! or resubmitting after a timeout accepts the item once.
//!
//! What belongs here: turning form fields into an [`AcceptanceDraft`] and issues back into
//! field messages. What does not: the rules of acceptance (see [`crate::acceptance`]) and the
//! CSV format (see [`crate::acceptance_csv`]).

use std::collections::BTreeSet;

use askama::Template;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use barid_core::{ContentCategory, CountryCode, Currency, Role, SiteCode};

use super::i18n::Tr;
use super::{Layout, PageRequest, Section, render};
use crate::acceptance::{self, AcceptanceIssue, MAX_BATCH};
use crate::acceptance_csv::{self, CsvDefaults, CsvProblem};
use crate::acceptance_form::{Fields, MAX_LINES, draft_from_fields, form_field};
use crate::api::acceptance::{AcceptItemRequest, accept_idempotently, office_for};
use crate::auth::Principal;
use crate::auth::secret::random_secret;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::ApiQuery;
use crate::state::AppState;

/// Where a form's own idempotency key travels.
const FORM_KEY: &str = "form_key";
/// The submit button that adds a customs line instead of accepting.
const ADD_LINE: &str = "add_line";

/// A problem shown at a field and in the summary.
#[derive(Debug, Clone)]
pub struct FieldIssue {
    /// The form field it belongs to, when one fits.
    pub field: Option<String>,
    /// The `id` of that field's input, for the summary's links.
    pub anchor: Option<String>,
    pub code: String,
    pub message: String,
}

/// One input of the form, ready for `input.html`.
#[derive(Debug, Clone)]
pub struct Input {
    pub name: String,
    pub id: String,
    pub label: String,
    pub value: String,
    /// `text`, `tel`, `email`, `number` or `select`.
    pub kind: &'static str,
    pub required: bool,
    /// `ltr` for codes, phones and Latin text typed in an Arabic page.
    pub dir: Option<&'static str>,
    pub autocomplete: &'static str,
    pub options: Vec<Choice>,
    pub error: Option<FieldIssue>,
    pub hint: Option<String>,
}

/// An option of a `<select>`.
#[derive(Debug, Clone)]
pub struct Choice {
    pub value: String,
    pub label: String,
}

/// The inputs of one party (sender or addressee).
#[derive(Debug, Clone)]
pub struct PartyInputs {
    pub prefix: &'static str,
    pub heading: String,
    pub inputs: Vec<Input>,
    pub latin: Vec<Input>,
    /// Whether the Latin part opens by itself (something is typed in it or wrong with it).
    pub latin_open: bool,
}

/// One customs line of the form.
#[derive(Debug, Clone)]
pub struct LineInputs {
    pub number: usize,
    pub inputs: Vec<Input>,
}

#[derive(Template)]
#[template(path = "accept.html")]
struct AcceptPage {
    t: Tr,
    layout: Layout,
    csrf_token: String,
    form_key: String,
    item: Vec<Input>,
    parties: Vec<PartyInputs>,
    customs: Vec<Input>,
    customs_more: Vec<Input>,
    lines: Vec<LineInputs>,
    can_add_line: bool,
    issues: Vec<FieldIssue>,
}

/// What the form needs to know about the clerk's post.
struct Setting {
    operator: CountryCode,
    currency: Option<Currency>,
    offices: Vec<Choice>,
    partners: Vec<CountryCode>,
}

async fn setting(state: &AppState, principal: &Principal, t: &Tr) -> ApiResult<Setting> {
    let store = state.store();
    let operator = store.operator(principal.operator).await?;
    let offices = store
        .offices(principal.operator)
        .await?
        .into_iter()
        .filter(|office| principal.offices.contains(&office.code))
        .map(|office| Choice {
            value: office.code.to_string(),
            label: format!(
                "{} ({})",
                t.pick(&office.name_en, &office.name_ar),
                office.code
            ),
        })
        .collect();
    let mut partners: Vec<CountryCode> = store
        .agreements(principal.operator)
        .await?
        .into_iter()
        .map(|agreement| agreement.partner)
        .collect();
    partners.dedup();
    Ok(Setting {
        operator: principal.operator,
        currency: operator.map(|operator| operator.currency),
        offices,
        partners,
    })
}

fn country_choices(t: &Tr, first: &[CountryCode], blank: Option<String>) -> Vec<Choice> {
    let mut choices: Vec<Choice> = blank
        .map(|label| Choice {
            value: String::new(),
            label,
        })
        .into_iter()
        .collect();
    let mut seen = BTreeSet::new();
    for country in first {
        if seen.insert(*country) {
            choices.push(Choice {
                value: country.to_string(),
                label: format!("{} ({country})", t.country(country)),
            });
        }
    }
    let mut rest: Vec<(String, CountryCode)> = CountryCode::all()
        .filter(|country| !seen.contains(country))
        .map(|country| (t.country(&country).to_owned(), country))
        .collect();
    rest.sort();
    choices.extend(rest.into_iter().map(|(name, country)| Choice {
        value: country.to_string(),
        label: format!("{name} ({country})"),
    }));
    choices
}

/// Fills the defaults a clerk would otherwise type on every item.
fn with_defaults(mut fields: Fields, setting: &Setting) -> Fields {
    fields.set_default("service", "ems");
    if let Some(office) = setting.offices.first() {
        fields.set_default("office", office.value.clone());
    }
    fields.set_default("sender.country", setting.operator.to_string());
    fields.set_default("customs.category", "gift");
    let indices = fields.line_indices();
    let indices = if indices.is_empty() { vec![0] } else { indices };
    for index in indices {
        if let Some(currency) = setting.currency {
            fields.set_default(
                &format!("customs.lines.{index}.currency"),
                currency.as_str(),
            );
        }
        fields.set_default(
            &format!("customs.lines.{index}.origin"),
            setting.operator.to_string(),
        );
        fields.set_default(&format!("customs.lines.{index}.quantity"), "1");
    }
    fields
}

struct Builder<'a> {
    t: &'a Tr,
    fields: &'a Fields,
    issues: &'a [FieldIssue],
}

impl Builder<'_> {
    fn input(&self, name: &str, label_key: &str, kind: &'static str) -> Input {
        Input {
            name: name.to_owned(),
            id: name.replace('.', "-"),
            label: self.t.tr(label_key),
            value: self.fields.get(name).to_owned(),
            kind,
            required: false,
            dir: None,
            autocomplete: "off",
            options: Vec::new(),
            error: self
                .issues
                .iter()
                .find(|issue| issue.field.as_deref() == Some(name))
                .cloned(),
            hint: None,
        }
    }

    fn required(&self, name: &str, label_key: &str, kind: &'static str) -> Input {
        Input {
            required: true,
            ..self.input(name, label_key, kind)
        }
    }

    fn select(&self, name: &str, label_key: &str, options: Vec<Choice>) -> Input {
        Input {
            options,
            ..self.input(name, label_key, "select")
        }
    }
}

fn ltr(input: Input) -> Input {
    Input {
        dir: Some("ltr"),
        ..input
    }
}

fn hint(input: Input, text: String) -> Input {
    Input {
        hint: Some(text),
        ..input
    }
}

fn party_inputs(b: &Builder<'_>, prefix: &'static str, setting: &Setting) -> PartyInputs {
    let t = b.t;
    let at = |field: &str| format!("{prefix}.{field}");
    let country = if prefix == "sender" {
        b.select(
            &at("country"),
            "party-country",
            country_choices(t, &[setting.operator], None),
        )
    } else {
        b.select(
            &at("country"),
            "party-country",
            country_choices(
                t,
                &setting.partners,
                Some(t.tr("accept-same-as-destination")),
            ),
        )
    };
    let inputs = vec![
        b.required(&at("name"), "party-name", "text"),
        b.input(&at("business_name"), "party-business", "text"),
        b.required(&at("address_line1"), "accept-address-line1", "text"),
        b.input(&at("address_line2"), "accept-address-line2", "text"),
        b.required(&at("city"), "accept-city", "text"),
        ltr(b.input(&at("postcode"), "accept-postcode", "text")),
        country,
        ltr(b.input(&at("phone"), "party-phone", "tel")),
        ltr(b.input(&at("email"), "party-email", "email")),
    ];
    let latin: Vec<Input> = [
        ("latin.name", "party-name"),
        ("latin.address_line1", "accept-address-line1"),
        ("latin.address_line2", "accept-address-line2"),
        ("latin.city", "accept-city"),
    ]
    .into_iter()
    .map(|(field, label)| ltr(b.input(&at(field), label, "text")))
    .collect();
    let latin_open = latin
        .iter()
        .any(|input| !input.value.is_empty() || input.error.is_some());
    PartyInputs {
        prefix,
        heading: t.tr(if prefix == "sender" {
            "item-sender"
        } else {
            "item-addressee"
        }),
        inputs,
        latin,
        latin_open,
    }
}

fn page_data(
    t: Tr,
    layout: Layout,
    principal: &Principal,
    setting: &Setting,
    fields: &Fields,
    issues: Vec<FieldIssue>,
) -> AcceptPage {
    let b = Builder {
        t: &t,
        fields,
        issues: &issues,
    };
    let services: Vec<Choice> = [
        "ems",
        "registered",
        "tracked",
        "small_packet",
        "insured",
        "parcel",
        "ecommerce",
    ]
    .into_iter()
    .map(|code| Choice {
        value: code.to_owned(),
        label: t.tr(&format!("accept-service-{}", code.replace('_', "-"))),
    })
    .collect();
    let mut item = Vec::new();
    if setting.offices.len() > 1 {
        item.push(b.select("office", "item-office", setting.offices.clone()));
    }
    item.extend([
        b.select("service", "accept-service", services),
        hint(
            ltr(b.input("service_indicator", "accept-indicator", "text")),
            t.tr("accept-indicator-hint"),
        ),
        // No default: a wrong destination is the costliest slip at a counter. Partner posts
        // come first, and "Accept the next item" brings the last one back.
        Input {
            required: true,
            ..b.select(
                "destination",
                "accept-destination",
                country_choices(&t, &setting.partners, Some(t.tr("accept-choose"))),
            )
        },
        ltr(b.required("weight_grams", "accept-weight", "number")),
        ltr(b.input("length_mm", "accept-length", "number")),
        ltr(b.input("width_mm", "accept-width", "number")),
        ltr(b.input("height_mm", "accept-height", "number")),
        b.required("contents", "item-contents", "text"),
    ]);
    let categories = ContentCategory::ALL
        .into_iter()
        .map(|category| Choice {
            value: category.as_str().to_owned(),
            label: t.tr(&format!("category-{}", category.as_str().replace('_', "-"))),
        })
        .collect();
    let customs = vec![
        b.select("customs.category", "customs-category", categories),
        b.input(
            "customs.category_explanation",
            "accept-category-explanation",
            "text",
        ),
        ltr(b.input("customs.invoice_number", "customs-invoice", "text")),
        hint(
            ltr(b.input(
                "customs.gross_weight_grams",
                "customs-gross-weight",
                "number",
            )),
            t.tr("accept-gross-weight-hint"),
        ),
    ];
    let customs_more = vec![
        hint(
            ltr(b.input("customs.licence_numbers", "accept-licences", "text")),
            t.tr("accept-numbers-hint"),
        ),
        hint(
            ltr(b.input("customs.certificate_numbers", "accept-certificates", "text")),
            t.tr("accept-numbers-hint"),
        ),
        ltr(b.input(
            "customs.importer_reference",
            "accept-importer-reference",
            "text",
        )),
        ltr(b.input(
            "customs.sender_customs_reference",
            "accept-sender-reference",
            "text",
        )),
        b.input("customs.comments", "customs-comments", "text"),
    ];
    let mut indices = fields.line_indices();
    if indices.is_empty() {
        indices.push(0);
    }
    let lines = indices
        .iter()
        .enumerate()
        .map(|(position, index)| {
            let at = |field: &str| format!("customs.lines.{index}.{field}");
            LineInputs {
                number: position + 1,
                inputs: vec![
                    b.input(&at("description"), "customs-description", "text"),
                    ltr(b.input(&at("quantity"), "customs-quantity", "number")),
                    ltr(b.input(&at("net_weight_grams"), "accept-line-weight", "number")),
                    ltr(b.input(&at("value"), "customs-value", "text")),
                    ltr(b.input(&at("currency"), "accept-currency", "text")),
                    ltr(b.input(&at("hs_code"), "customs-hs-code", "text")),
                    ltr(b.input(&at("origin"), "customs-origin", "text")),
                ],
            }
        })
        .collect();
    let parties = vec![
        party_inputs(&b, "sender", setting),
        party_inputs(&b, "addressee", setting),
    ];
    AcceptPage {
        csrf_token: principal.csrf_token().unwrap_or_default().to_owned(),
        form_key: random_secret(),
        can_add_line: indices.len() < MAX_LINES,
        item,
        parties,
        customs,
        customs_more,
        lines,
        issues,
        t,
        layout,
    }
}

/// `?service=` and `?destination=` fill those fields, for the next item of a run.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AcceptQuery {
    /// A service code, e.g. `ems`.
    pub service: Option<String>,
    /// A country code, e.g. `PS`.
    pub destination: Option<String>,
    /// `ar` or `en`.
    pub lang: Option<String>,
}

/// The acceptance form, with the clerk's defaults filled in.
#[utoipa::path(get, path = "/accept", tag = "pages",
    params(AcceptQuery),
    responses((status = 200, description = "HTML acceptance form", content_type = "text/html", body = String)))]
pub async fn form(
    State(state): State<AppState>,
    principal: Principal,
    page: PageRequest,
    ApiQuery(query): ApiQuery<AcceptQuery>,
) -> ApiResult<Response> {
    let (t, layout) = page.layout(&state, Some(&principal), Section::Accept).await;
    let setting = setting(&state, &principal, &t).await?;
    let prefill = Fields::from_pairs(
        ["service", "destination"]
            .into_iter()
            .filter_map(|name| {
                let value = match name {
                    "service" => query.service.as_deref(),
                    _ => query.destination.as_deref(),
                }?;
                Some((name.to_owned(), value.to_owned()))
            })
            .collect(),
    );
    let fields = with_defaults(prefill, &setting);
    let data = page_data(t, layout, &principal, &setting, &fields, Vec::new());
    Ok((page.jar(&state), render(&data)?).into_response())
}

/// Accepts the item typed in the form: on success, to the item page to print its documents;
/// when refused, the form again with every problem at its field.
#[utoipa::path(post, path = "/accept", tag = "pages",
    request_body(content = String, content_type = "application/x-www-form-urlencoded",
        description = "The acceptance form's fields"),
    responses(
        (status = 303, description = "Accepted: redirect to `/items/{s10}?accepted=1`"),
        (status = 200, description = "`add_line`: the form again with one more customs line", content_type = "text/html", body = String),
        (status = 422, description = "Refused: the form again; `p.field-error[data-field][data-code]` at each field", content_type = "text/html", body = String),
    ))]
pub async fn submit(
    State(state): State<AppState>,
    principal: Principal,
    page: PageRequest,
    headers: HeaderMap,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> ApiResult<Response> {
    let (t, layout) = page.layout(&state, Some(&principal), Section::Accept).await;
    let setting = setting(&state, &principal, &t).await?;
    let fields = Fields::from_pairs(pairs);
    if fields.get("action") == ADD_LINE {
        let mut fields = fields;
        let indices = fields.line_indices();
        if indices.len() < MAX_LINES {
            let next = indices.last().map_or(0, |last| last + 1);
            fields.set_default(&format!("customs.lines.{next}.description"), "");
        }
        let fields = with_defaults(fields, &setting);
        let data = page_data(t, layout, &principal, &setting, &fields, Vec::new());
        return Ok((page.jar(&state), render(&data)?).into_response());
    }
    let (draft, mut issues) = draft_from_fields(&fields);
    if issues.is_empty() {
        let request = AcceptItemRequest {
            office: Some(fields.get("office").to_owned()).filter(|office| !office.is_empty()),
            item: draft,
        };
        let mut keyed = headers;
        if let Ok(key) = HeaderValue::from_str(fields.get(FORM_KEY)) {
            keyed.insert(crate::api::acceptance::IDEMPOTENCY_KEY, key);
        }
        match accept_idempotently(&state, &principal, &keyed, request).await? {
            Ok(s10) => {
                return Ok(Redirect::to(&format!("/items/{s10}?accepted=1")).into_response());
            }
            Err(refusal) => issues.extend(issues_of(refusal)),
        }
    } else {
        // Show what the rules say about the rest as well, so the clerk fixes everything at once.
        let office = office_for(&state, &principal, Some(fields.get("office"))).await;
        if let Ok(office) = office {
            let actor = principal.actor(state.now());
            let reviewed =
                acceptance::review(state.store(), state.reference(), &actor, &office, draft)
                    .await?;
            let known: BTreeSet<String> = issues.iter().map(|issue| issue.field.clone()).collect();
            issues.extend(
                reviewed
                    .into_iter()
                    .filter(|issue| !known.contains(&issue.field)),
            );
        }
    }
    let shown: Vec<FieldIssue> = issues.into_iter().map(field_issue).collect();
    let fields = with_defaults(fields, &setting);
    let data = page_data(t, layout, &principal, &setting, &fields, shown);
    Ok((
        StatusCode::UNPROCESSABLE_ENTITY,
        page.jar(&state),
        render(&data)?,
    )
        .into_response())
}

/// The issues an API error carries: every acceptance issue, or the one problem it names.
fn issues_of(body: ErrorBody) -> Vec<AcceptanceIssue> {
    if body.errors.is_empty() {
        vec![AcceptanceIssue {
            field: body.field.unwrap_or_default(),
            code: body.error,
            message: body.message,
        }]
    } else {
        body.errors
            .into_iter()
            .map(|detail| AcceptanceIssue {
                field: detail.field,
                code: detail.error,
                message: detail.message,
            })
            .collect()
    }
}

fn field_issue(issue: AcceptanceIssue) -> FieldIssue {
    let field = form_field(&issue.field);
    FieldIssue {
        anchor: field.as_ref().map(|field| field.replace('.', "-")),
        field,
        code: issue.code,
        message: issue.message,
    }
}

// --- bulk upload ---------------------------------------------------------------------------

/// One accepted row of a bulk upload.
#[derive(Debug, Clone)]
pub struct AcceptedRow {
    pub s10: String,
    pub s10_human: String,
    pub reference: String,
    pub addressee: String,
    pub has_customs: bool,
}

/// One refused row: its line in the file, the item's reference, and its problems.
#[derive(Debug, Clone)]
pub struct RefusedRow {
    pub line: usize,
    pub reference: String,
    pub field: String,
    pub code: String,
    pub message: String,
}

#[derive(Template)]
#[template(path = "accept_bulk.html")]
struct BulkPage {
    t: Tr,
    layout: Layout,
    csrf_token: String,
    offices: Vec<Choice>,
    office: String,
    max_items: usize,
    columns: Vec<&'static str>,
    accepted: Vec<AcceptedRow>,
    refused: Vec<RefusedRow>,
    problem: Option<String>,
    file_name: String,
    /// Only the report (for htmx, which swaps it in place).
    fragment: bool,
}

impl BulkPage {
    fn empty(t: Tr, layout: Layout, principal: &Principal, setting: &Setting) -> Self {
        Self {
            csrf_token: principal.csrf_token().unwrap_or_default().to_owned(),
            office: setting
                .offices
                .first()
                .map(|office| office.value.clone())
                .unwrap_or_default(),
            offices: setting.offices.clone(),
            max_items: MAX_BATCH,
            columns: acceptance_csv::COLUMNS.to_vec(),
            accepted: Vec::new(),
            refused: Vec::new(),
            problem: None,
            file_name: String::new(),
            fragment: false,
            t,
            layout,
        }
    }
}

/// The bulk upload form.
#[utoipa::path(get, path = "/accept/bulk", tag = "pages",
    params(super::LangQuery),
    responses((status = 200, description = "HTML form to upload a CSV file of items", content_type = "text/html", body = String)))]
pub async fn bulk_form(
    State(state): State<AppState>,
    principal: Principal,
    page: PageRequest,
) -> ApiResult<Response> {
    let (t, layout) = page.layout(&state, Some(&principal), Section::Accept).await;
    let setting = setting(&state, &principal, &t).await?;
    let data = BulkPage::empty(t, layout, &principal, &setting);
    Ok((page.jar(&state), render(&data)?).into_response())
}

/// A CSV file with every column and one example item, to fill in a spreadsheet.
#[utoipa::path(get, path = "/accept/bulk/template.csv", tag = "pages",
    responses((status = 200, description = "CSV template for bulk acceptance", content_type = "text/csv", body = String)))]
pub async fn bulk_template() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"barid-items.csv\"",
            ),
        ],
        acceptance_csv::template(),
    )
        .into_response()
}

/// The parts of the upload form.
#[derive(Debug, Default)]
struct Upload {
    office: String,
    file_name: String,
    file: Vec<u8>,
}

async fn read_upload(mut multipart: Multipart) -> Result<Upload, String> {
    let mut upload = Upload::default();
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(error) => return Err(error.body_text()),
        };
        let name = field.name().unwrap_or_default().to_owned();
        match name.as_str() {
            "file" => {
                upload.file_name = field.file_name().unwrap_or_default().to_owned();
                upload.file = field
                    .bytes()
                    .await
                    .map_err(|error| error.body_text())?
                    .to_vec();
            }
            "office" => {
                upload.office = field.text().await.map_err(|error| error.body_text())?;
            }
            _ => {}
        }
    }
    Ok(upload)
}

/// Accepts every item of an uploaded CSV file, or none: the report lists the accepted items
/// with their labels, or each refused row with its problems.
#[utoipa::path(post, path = "/accept/bulk", tag = "pages",
    request_body(content = String, content_type = "multipart/form-data",
        description = "`csrf_token`, `office` and `file` (CSV, see docs/acceptance.md)"),
    responses(
        (status = 200, description = "Every item accepted: the report with S10 IDs and labels", content_type = "text/html", body = String),
        (status = 422, description = "Nothing accepted: the report lists each refused row", content_type = "text/html", body = String),
    ))]
pub async fn bulk_submit(
    State(state): State<AppState>,
    principal: Principal,
    page: PageRequest,
    multipart: Result<Multipart, MultipartRejection>,
) -> ApiResult<Response> {
    let (t, layout) = page.layout(&state, Some(&principal), Section::Accept).await;
    let setting = setting(&state, &principal, &t).await?;
    let mut data = BulkPage::empty(t, layout, &principal, &setting);
    data.fragment = page.is_htmx();
    let upload = match multipart {
        Ok(multipart) => read_upload(multipart).await,
        Err(rejection) => Err(rejection.body_text()),
    };
    let upload = match upload {
        Ok(upload) => upload,
        Err(message) => {
            data.problem = Some(message);
            return respond(&state, &page, StatusCode::BAD_REQUEST, &data);
        }
    };
    data.file_name = upload.file_name.clone();
    if !upload.office.is_empty() {
        data.office = upload.office.clone();
    }
    let defaults = CsvDefaults {
        country: setting.operator.to_string(),
        currency: setting
            .currency
            .map(|currency| currency.as_str().to_owned())
            .unwrap_or_default(),
    };
    let rows = match acceptance_csv::parse(&upload.file, MAX_BATCH, &defaults) {
        Ok(rows) => rows,
        Err(CsvProblem::File(message)) => {
            data.problem = Some(message);
            return respond(&state, &page, StatusCode::UNPROCESSABLE_ENTITY, &data);
        }
        Err(CsvProblem::Rows(problems)) => {
            data.refused = problems
                .into_iter()
                .map(|problem| RefusedRow {
                    line: problem.line,
                    reference: problem.reference,
                    field: problem.field,
                    code: problem.code,
                    message: problem.message,
                })
                .collect();
            return respond(&state, &page, StatusCode::UNPROCESSABLE_ENTITY, &data);
        }
    };
    let office: SiteCode = match office_for(&state, &principal, Some(upload.office.as_str())).await
    {
        Ok(office) => office,
        Err(error) => {
            data.problem = Some(error.body().message);
            return respond(&state, &page, StatusCode::UNPROCESSABLE_ENTITY, &data);
        }
    };
    let actor = principal.actor(state.now());
    let lines: Vec<(usize, String)> = rows
        .iter()
        .map(|row| (row.line, row.reference.clone()))
        .collect();
    let drafts = rows.into_iter().map(|row| row.draft).collect();
    match acceptance::accept_batch(state.store(), state.reference(), &actor, &office, drafts).await
    {
        Ok(accepted) => {
            data.accepted = accepted
                .into_iter()
                .zip(lines)
                .map(|(accepted, (_, reference))| AcceptedRow {
                    s10: accepted.item.s10.to_string(),
                    s10_human: accepted.item.s10.human(),
                    reference,
                    addressee: accepted.item.addressee.name().to_owned(),
                    has_customs: accepted.item.customs.is_some(),
                })
                .collect();
            tracing::info!(
                items = data.accepted.len(),
                office = %office,
                "bulk acceptance from a CSV file"
            );
            respond(&state, &page, StatusCode::OK, &data)
        }
        Err(acceptance::AcceptanceError::BatchRefused(failures)) => {
            data.refused = failures
                .into_iter()
                .flat_map(|(index, issues)| {
                    let (line, reference) = lines.get(index).cloned().unwrap_or_default();
                    issues.into_iter().map(move |issue| RefusedRow {
                        line,
                        reference: reference.clone(),
                        field: acceptance_csv::column_of(&issue.field),
                        code: issue.code,
                        message: issue.message,
                    })
                })
                .collect();
            respond(&state, &page, StatusCode::UNPROCESSABLE_ENTITY, &data)
        }
        Err(acceptance::AcceptanceError::Refused(issues)) => {
            data.problem = Some(
                issues
                    .into_iter()
                    .map(|issue| issue.message)
                    .collect::<Vec<_>>()
                    .join("; "),
            );
            respond(&state, &page, StatusCode::UNPROCESSABLE_ENTITY, &data)
        }
        Err(acceptance::AcceptanceError::Store(error)) => Err(error.into()),
    }
}

fn respond(
    state: &AppState,
    page: &PageRequest,
    status: StatusCode,
    data: &BulkPage,
) -> ApiResult<Response> {
    Ok((status, page.jar(state), render(data)?).into_response())
}

/// Whether a principal works the counter (for the navigation).
pub fn works_counter(principal: &Principal) -> bool {
    principal.has_any_role(&[Role::Clerk, Role::Merchant])
}
