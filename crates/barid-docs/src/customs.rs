//! The CN 22 and CN 23 customs declarations, with every field of the UPU forms (see
//! `upu-standards.md` §5.2 and §5.3; the numbers in brackets are the forms' box numbers).
//!
//! - **CN 22** is printed on the item label stock, 100 × 150 mm, so the same thermal printer
//!   prints the label and the declaration that is stuck next to it.
//! - **CN 23** is printed on A4 (210 × 297 mm), which any office printer has; the copies for
//!   the sender, the office and the item are printed as several copies of the same page.
//!
//! Both have the designated operator, "CUSTOMS DECLARATION", "May be opened officially", the
//! form name and the item number with its barcode; the category tick boxes; the content lines;
//! the totals; the postal charges, comments, licence, certificate and invoice numbers and the
//! importer's reference; the office of origin and date of posting; and the sender's
//! certification with the date and a space to sign. The CN 23 adds the sender and addressee.
//!
//! Content lines that do not fit on the first page continue on continuation sheets, each with
//! the form name, the item number and the page number; the totals stay on the first page.

use barid_core::{
    ContentCategory, CustomsDeclaration, CustomsForm, Grams, Party, S10Id, customs::DeclarationLine,
};
use time::OffsetDateTime;

use crate::DocumentError;
use crate::canvas::{DocumentInfo, FRAME, HAIRLINE, Page, mm, write_pdf};
use crate::format::{date, ltr};
use crate::parts::{
    Item, MIN_SIZE, caption, caption_height, draw_block, fit_block, item_barcode, page_number,
};
use crate::sheet::{A4_HEIGHT_MM as A4_HEIGHT, A4_WIDTH_MM as A4_WIDTH};
use crate::strings::{self, Bilingual, category_name};
use crate::table::{CELL_PAD, Column, Table, paginate};
use crate::text::{Align, Paragraph, TextStyle, layout, layout_clamped};

/// What a customs declaration shows. The web layer fills it from the item's record.
#[derive(Debug, Clone)]
pub struct CustomsInput<'a> {
    pub item_id: S10Id,
    /// The designated operator that accepted the item, e.g. "Egypt Post" / "البريد المصري".
    pub operator: Bilingual<'a>,
    pub declaration: &'a CustomsDeclaration,
    pub sender: &'a Party,
    pub addressee: &'a Party,
    /// The office of origin, as printed (name and/or code, any script).
    pub office_of_origin: &'a str,
    /// The date of posting, printed as the date of the sender's certification too.
    pub posted_at: OffsetDateTime,
}

/// Renders the form the declaration was validated for (CN 22 or CN 23).
pub fn customs_declaration(input: &CustomsInput<'_>) -> Result<Vec<u8>, DocumentError> {
    match input.declaration.form() {
        CustomsForm::Cn22 => cn22(input),
        CustomsForm::Cn23 => cn23(input),
    }
}

/// Renders a CN 22 (100 × 150 mm), whatever form the declaration was validated for.
pub fn cn22(input: &CustomsInput<'_>) -> Result<Vec<u8>, DocumentError> {
    write(input, CustomsForm::Cn22, &cn22_pages(input)?)
}

/// Renders a CN 23 (A4), whatever form the declaration was validated for.
pub fn cn23(input: &CustomsInput<'_>) -> Result<Vec<u8>, DocumentError> {
    write(input, CustomsForm::Cn23, &cn23_pages(input)?)
}

fn write(
    input: &CustomsInput<'_>,
    form: CustomsForm,
    pages: &[Page],
) -> Result<Vec<u8>, DocumentError> {
    write_pdf(
        pages,
        &DocumentInfo {
            title: format!("{} customs declaration {}", form.label(), input.item_id),
            created: input.posted_at,
        },
    )
}

// ---------------------------------------------------------------------------------------------
// Shared pieces

/// Weight in kg without the unit (the column caption says kg): `0.350`.
fn kg(weight: Grams) -> String {
    let text = weight.to_string();
    text.strip_suffix(" kg").unwrap_or(&text).to_owned()
}

const CAPTION: TextStyle = TextStyle::regular(5.5);
const CAPTION_BOLD: TextStyle = TextStyle::bold(5.5);

/// The cells of one content line, in column order.
fn cells(line: &DeclarationLine, form: CustomsForm) -> Vec<String> {
    let origin = format!("{} ({})", line.origin().name_en(), line.origin().as_str());
    let hs = line
        .hs_code()
        .map(|code| code.as_str().to_owned())
        .unwrap_or_default();
    match form {
        CustomsForm::Cn22 => vec![
            format!("{} × {}", line.quantity(), line.description()),
            kg(line.net_weight()),
            line.value().to_string(),
            hs,
            origin,
        ],
        CustomsForm::Cn23 => vec![
            line.description().to_owned(),
            line.quantity().to_string(),
            kg(line.net_weight()),
            line.value().to_string(),
            hs,
            origin,
        ],
    }
}

fn columns(form: CustomsForm) -> Vec<Column> {
    let column = Column::new;
    match form {
        CustomsForm::Cn22 => vec![
            column(strings::CN22_DESCRIPTION, 0.38, Align::Start),
            column(strings::CN22_WEIGHT, 0.13, Align::Right),
            column(strings::CN22_VALUE, 0.18, Align::Right),
            column(strings::CN22_HS, 0.14, Align::Left),
            column(strings::CN22_ORIGIN, 0.17, Align::Left),
        ],
        CustomsForm::Cn23 => vec![
            column(strings::CN23_DESCRIPTION, 0.37, Align::Start),
            column(strings::QUANTITY, 0.08, Align::Right),
            column(strings::CN23_NET_WEIGHT, 0.11, Align::Right),
            column(strings::CN23_VALUE, 0.15, Align::Right),
            column(strings::CN23_HS, 0.12, Align::Left),
            column(strings::CN23_ORIGIN, 0.17, Align::Left),
        ],
    }
}

/// The content table of `form`, its rows in the order of the declaration.
fn content_table(
    form: CustomsForm,
    lines: &[DeclarationLine],
    x: f32,
    width: f32,
    style: TextStyle,
) -> Result<Table, DocumentError> {
    Table::new(
        columns(form),
        lines.iter().map(|line| cells(line, form)),
        (x, width),
        style,
        usize::MAX,
    )
}

/// How the category tick boxes are laid out.
#[derive(Debug, Clone, Copy)]
struct CategoryGrid {
    per_row: usize,
    size: f32,
    /// Whether the explanation line is printed even when empty (the CN 23 always shows its
    /// field; the label-sized CN 22 only when "other" is explained).
    always_explain: bool,
}

impl CategoryGrid {
    fn style(self) -> TextStyle {
        TextStyle::regular(self.size)
    }

    fn row_height(self) -> f32 {
        CHECKBOX.max(self.style().line_height()) + mm(0.8)
    }

    fn explanation(self, declaration: &CustomsDeclaration) -> Option<&str> {
        match declaration.explanation() {
            Some(text) => Some(text),
            None if self.always_explain => Some(""),
            None => None,
        }
    }

    fn height(
        self,
        count: usize,
        declaration: &CustomsDeclaration,
        width: f32,
    ) -> Result<f32, DocumentError> {
        let rows = count.div_ceil(self.per_row.max(1));
        let explanation = match self.explanation(declaration) {
            Some(text) => labelled_line_height(
                strings::EXPLANATION,
                text,
                TextStyle::regular(self.size + 0.5),
                width,
                2,
            )?,
            None => 0.0,
        };
        Ok(self.row_height() * rows as f32 + explanation)
    }

    /// Draws the tick boxes (the declaration's category crossed) and the explanation; returns
    /// the height.
    fn draw(
        self,
        page: &mut Page,
        order: &[ContentCategory],
        declaration: &CustomsDeclaration,
        x: f32,
        y: f32,
        width: f32,
    ) -> Result<f32, DocumentError> {
        let style = self.style();
        let per_row = self.per_row.max(1);
        let column_width = width / per_row as f32;
        for (index, category) in order.iter().enumerate() {
            let cx = x + column_width * (index % per_row) as f32;
            let cy = y + self.row_height() * (index / per_row) as f32;
            let content = CHECKBOX.max(style.line_height());
            page.checkbox(
                cx,
                cy + (content - CHECKBOX) / 2.0,
                CHECKBOX,
                *category == declaration.category(),
            );
            let name = category_name(*category);
            page.text_clamped(
                &format!("{}  {}", name.en, name.ar),
                style,
                cx + CHECKBOX + mm(1.2),
                cy + (content - style.line_height()) / 2.0,
                column_width - CHECKBOX - mm(1.5),
                Align::Left,
                1,
            )?;
        }
        let rows = order.len().div_ceil(per_row);
        let mut height = self.row_height() * rows as f32;
        if let Some(explanation) = self.explanation(declaration) {
            height += labelled_line(
                page,
                strings::EXPLANATION,
                explanation,
                TextStyle::regular(self.size + 0.5),
                x,
                y + height,
                width,
                2,
            )?;
        }
        Ok(height)
    }
}

/// The side of a tick box.
const CHECKBOX: f32 = 2.8 * crate::canvas::PT_PER_MM;

/// A caption then a value on the lines under it; returns the height. An empty value keeps one
/// blank line, so the field is visibly empty rather than missing.
#[allow(clippy::too_many_arguments)]
fn labelled_line(
    page: &mut Page,
    label: Bilingual<'_>,
    value: &str,
    style: TextStyle,
    x: f32,
    y: f32,
    width: f32,
    max_lines: usize,
) -> Result<f32, DocumentError> {
    let used = caption(page, label, CAPTION, x, y, width)?;
    let value_height =
        page.text_clamped(value, style, x, y + used, width, Align::Start, max_lines)?;
    Ok(used + value_height.max(style.line_height()))
}

/// The height [`labelled_line`] would use.
fn labelled_line_height(
    label: Bilingual<'_>,
    value: &str,
    style: TextStyle,
    width: f32,
    max_lines: usize,
) -> Result<f32, DocumentError> {
    Ok(caption_height(label, CAPTION, width)?
        + layout_clamped(value, style, width, max_lines)?
            .height()
            .max(style.line_height()))
}

/// A framed box holding a labelled value, padded; returns its height.
#[allow(clippy::too_many_arguments)]
fn boxed(
    page: &mut Page,
    label: Bilingual<'_>,
    value: &str,
    style: TextStyle,
    x: f32,
    y: f32,
    width: f32,
    min_height: f32,
) -> Result<f32, DocumentError> {
    let pad = CELL_PAD;
    let height = (boxed_height(label, value, style, width)?).max(min_height);
    page.frame(x, y, width, height, HAIRLINE);
    labelled_line(
        page,
        label,
        value,
        style,
        x + pad,
        y + pad,
        width - 2.0 * pad,
        BOX_LINES,
    )?;
    Ok(height)
}

fn boxed_height(
    label: Bilingual<'_>,
    value: &str,
    style: TextStyle,
    width: f32,
) -> Result<f32, DocumentError> {
    Ok(
        labelled_line_height(label, value, style, width - 2.0 * CELL_PAD, BOX_LINES)?
            + 2.0 * CELL_PAD,
    )
}

/// The most lines a boxed CN 23 field shows (the longest, 10 licence numbers of 50
/// characters, needs about 12 in a third of the width).
const BOX_LINES: usize = 14;
/// The most lines an optional CN 22 field shows; the label-sized form has no room for more.
const CN22_EXTRA_LINES: usize = 3;

/// `EXP-1, EXP-2` with each number kept left to right.
fn numbers(list: &[String]) -> String {
    list.iter()
        .map(|number| ltr(number))
        .collect::<Vec<_>>()
        .join(", ")
}

fn office_and_date(input: &CustomsInput<'_>) -> String {
    format!(
        "{}  —  {}",
        input.office_of_origin,
        ltr(&date(input.posted_at))
    )
}

/// The certification text in both languages, the date and a space to sign. Returns the height.
fn certification(
    page: &mut Page,
    input: &CustomsInput<'_>,
    signature: Bilingual<'_>,
    x: f32,
    y: f32,
    width: f32,
    size: f32,
) -> Result<f32, DocumentError> {
    let pad = CELL_PAD;
    let inner = width - 2.0 * pad;
    let height = certification_height(signature, width, size)?;
    page.frame(x, y, width, height, HAIRLINE);
    let mut top = y + pad;
    top += page.text(
        strings::CERTIFICATION.en,
        TextStyle::regular(size),
        x + pad,
        top,
        inner,
        Align::Left,
    )?;
    top += page.text(
        strings::CERTIFICATION.ar,
        TextStyle::regular(size + 0.5),
        x + pad,
        top,
        inner,
        Align::Right,
    )?;
    top += mm(0.8);
    top += caption(page, signature, CAPTION_BOLD, x + pad, top, inner)?;
    let date_width = inner * 0.35;
    page.text(
        &date(input.posted_at),
        TextStyle::bold(size + 2.0),
        x + pad,
        top + mm(1.0),
        date_width,
        Align::Left,
    )?;
    // The signature line, at the bottom of the box, right of the date.
    page.hrule(
        x + pad + date_width + mm(2.0),
        x + width - pad,
        y + height - pad - mm(0.5),
        HAIRLINE,
    );
    Ok(height)
}

fn certification_height(
    signature: Bilingual<'_>,
    width: f32,
    size: f32,
) -> Result<f32, DocumentError> {
    let inner = width - 2.0 * CELL_PAD;
    Ok(2.0 * CELL_PAD
        + layout(strings::CERTIFICATION.en, TextStyle::regular(size), inner)?.height()
        + layout(
            strings::CERTIFICATION.ar,
            TextStyle::regular(size + 0.5),
            inner,
        )?
        .height()
        + mm(0.8)
        + caption_height(signature, CAPTION_BOLD, inner)?
        + mm(9.0))
}

/// The form title block: operator, "CUSTOMS DECLARATION", "May be opened officially" at the
/// left of `width`. Returns the height.
fn title_block(
    page: &mut Page,
    input: &CustomsInput<'_>,
    x: f32,
    y: f32,
    width: f32,
    scale: f32,
    max_height: f32,
) -> Result<f32, DocumentError> {
    let paragraphs = fit_block(
        &[
            Item::new(
                format!("{}: {}", strings::DESIGNATED_OPERATOR.en, input.operator.en),
                TextStyle::regular(6.0 * scale),
            ),
            Item::new(
                format!("{}: {}", strings::DESIGNATED_OPERATOR.ar, input.operator.ar),
                TextStyle::regular(6.5 * scale),
            ),
            Item::new(
                strings::CUSTOMS_DECLARATION.en,
                TextStyle::bold(11.0 * scale),
            ),
            Item::new(
                strings::CUSTOMS_DECLARATION.ar,
                TextStyle::bold(11.0 * scale),
            ),
            Item::new(
                format!(
                    "{}  {}",
                    strings::MAY_BE_OPENED.en,
                    strings::MAY_BE_OPENED.ar
                ),
                TextStyle::regular(7.0 * scale),
            ),
        ],
        width,
        max_height,
    )?;
    Ok(draw_block(page, &paragraphs, x, y, width, Align::Left))
}

/// The header of a continuation sheet; returns its height.
fn continuation_header(
    page: &mut Page,
    input: &CustomsInput<'_>,
    form: CustomsForm,
    (number, total): (usize, usize),
    x: f32,
    y: f32,
    width: f32,
) -> Result<f32, DocumentError> {
    let title = format!(
        "{}  —  {} / {}  —  {}",
        form.label(),
        strings::CONTINUATION.en,
        strings::CONTINUATION.ar,
        input.item_id.human()
    );
    let mut height = page.text(&title, TextStyle::bold(9.0), x, y, width, Align::Left)?;
    height += page_number(page, (number, total), x, y + height, width, Align::Left)?;
    height += mm(1.0);
    height += item_barcode(page, &input.item_id, x, y + height, width, mm(8.0), 3, 8.0)?;
    Ok(height + mm(2.0))
}

/// Under a first page's table when lines continue: the note at the left, the page number at
/// the right. Returns the height.
fn continued_note(
    page: &mut Page,
    total: usize,
    x: f32,
    y: f32,
    width: f32,
) -> Result<f32, DocumentError> {
    let note = format!("{} / {}", strings::CONTINUED.en, strings::CONTINUED.ar);
    let height = page.text_clamped(&note, NOTE, x, y, width * 0.7, Align::Left, 1)?;
    page_number(
        page,
        (1, total),
        x + width * 0.7,
        y,
        width * 0.3,
        Align::Right,
    )?;
    Ok(height)
}

const NOTE: TextStyle = TextStyle::bold(6.5);

/// Draws continuation sheets for `chunks` (all but the first); returns the pages.
#[allow(clippy::too_many_arguments)]
fn continuation_pages(
    input: &CustomsInput<'_>,
    form: CustomsForm,
    table: &Table,
    chunks: &[(usize, usize)],
    size: (f32, f32),
    margin: f32,
) -> Result<Vec<Page>, DocumentError> {
    let total = chunks.len();
    let mut pages = Vec::new();
    for (index, (first, count)) in chunks.iter().enumerate().skip(1) {
        let mut page = Page::new(size.0, size.1);
        let width = size.0 - 2.0 * margin;
        let header = continuation_header(
            &mut page,
            input,
            form,
            (index + 1, total),
            margin,
            margin,
            width,
        )?;
        table.draw(&mut page, margin + header, *first, *count);
        pages.push(page);
    }
    Ok(pages)
}

/// The height of a continuation sheet's header, measured by drawing one.
fn continuation_header_height(
    input: &CustomsInput<'_>,
    form: CustomsForm,
    width: f32,
) -> Result<f32, DocumentError> {
    let mut probe = Page::new(width, width);
    continuation_header(&mut probe, input, form, (99, 99), 0.0, 0.0, width)
}

// ---------------------------------------------------------------------------------------------
// CN 22

const CN22_WIDTH: f32 = 100.0;
const CN22_HEIGHT: f32 = 150.0;
const CN22_MARGIN: f32 = 3.0;

/// CN 22 categories, in the order of the form.
const CN22_CATEGORIES: [ContentCategory; 6] = [
    ContentCategory::Gift,
    ContentCategory::CommercialSample,
    ContentCategory::Documents,
    ContentCategory::ReturnedGoods,
    ContentCategory::SaleOfGoods,
    ContentCategory::Other,
];

pub(crate) fn cn22_pages(input: &CustomsInput<'_>) -> Result<Vec<Page>, DocumentError> {
    let declaration = input.declaration;
    let size = (mm(CN22_WIDTH), mm(CN22_HEIGHT));
    let mut page = Page::new(size.0, size.1);
    let margin = mm(CN22_MARGIN);
    let x = margin;
    let width = size.0 - 2.0 * margin;
    let bottom = size.1 - margin;
    let pad = CELL_PAD;
    let mut y = margin;

    // Header: title lines at the left, the form name at the right, then the barcode.
    let form_width = mm(20.0);
    let title_width = width - form_width;
    let title = fit_block(
        &[
            Item::new(
                format!(
                    "{}  {}",
                    strings::CUSTOMS_DECLARATION.en,
                    strings::CUSTOMS_DECLARATION.ar
                ),
                TextStyle::bold(9.0),
            ),
            Item::new(
                format!("{}  {}", input.operator.en, input.operator.ar),
                TextStyle::regular(6.5),
            ),
            Item::new(
                format!(
                    "{}  {}",
                    strings::MAY_BE_OPENED.en,
                    strings::MAY_BE_OPENED.ar
                ),
                TextStyle::regular(6.5),
            ),
        ],
        title_width,
        mm(12.0),
    )?;
    let title_height = draw_block(&mut page, &title, x, y, title_width, Align::Left);
    let form_height = page.text(
        "CN 22",
        TextStyle::bold(16.0),
        x + title_width,
        y,
        form_width,
        Align::Right,
    )?;
    y += title_height.max(form_height) + mm(1.5);
    y += item_barcode(&mut page, &input.item_id, x, y, width, mm(9.0), 3, 9.0)? + mm(0.5);
    page.hrule(x, x + width, y, FRAME);
    y += pad;

    let grid = CategoryGrid {
        per_row: 2,
        size: 6.0,
        always_explain: false,
    };
    y += grid.draw(&mut page, &CN22_CATEGORIES, declaration, x, y, width)? + pad;

    // What comes under the table, measured first so the table gets the rest of the page.
    let extras = cn22_extras(input);
    let extras_height = extras
        .iter()
        .map(|(label, value)| {
            labelled_line_height(
                *label,
                value,
                TextStyle::regular(6.5),
                width,
                CN22_EXTRA_LINES,
            )
        })
        .sum::<Result<f32, _>>()?;
    let totals_height = mm(8.0);
    let office_height = labelled_line_height(
        strings::OFFICE_OF_ORIGIN,
        &office_and_date(input),
        TextStyle::regular(7.0),
        width,
        2,
    )?;
    let certification_h = certification_height(strings::CN22_SIGNATURE, width, 5.5)?;
    let note = NOTE.line_height();
    let below = totals_height + extras_height + office_height + certification_h + 4.0 * pad;

    let table = content_table(
        CustomsForm::Cn22,
        declaration.lines(),
        x,
        width,
        TextStyle::regular(6.5),
    )?;
    let first_capacity = bottom - y - below - note;
    let later_capacity =
        size.1 - 2.0 * margin - continuation_header_height(input, CustomsForm::Cn22, width)?;
    let chunks = paginate(&table, first_capacity, later_capacity);
    let (first, count) = chunks.first().copied().unwrap_or((0, 0));
    y += table.draw(&mut page, y, first, count);
    if chunks.len() > 1 {
        y += continued_note(&mut page, chunks.len(), x, y, width)?;
    }
    y += pad;

    // Totals (6) and (7).
    let half = width / 2.0;
    let totals = [
        (strings::CN22_TOTAL_WEIGHT, kg(declaration.gross_weight())),
        (
            strings::CN22_TOTAL_VALUE,
            declaration.total_value().to_string(),
        ),
    ];
    let mut totals_used: f32 = 0.0;
    for (index, (label, value)) in totals.iter().enumerate() {
        totals_used = totals_used.max(boxed(
            &mut page,
            *label,
            value,
            TextStyle::bold(8.0),
            x + half * index as f32,
            y,
            half,
            totals_height,
        )?);
    }
    y += totals_used + pad;

    for (label, value) in &extras {
        y += labelled_line(
            &mut page,
            *label,
            value,
            TextStyle::regular(6.5),
            x,
            y,
            width,
            CN22_EXTRA_LINES,
        )?;
    }
    y += pad;
    y += labelled_line(
        &mut page,
        strings::OFFICE_OF_ORIGIN,
        &office_and_date(input),
        TextStyle::regular(7.0),
        x,
        y,
        width,
        2,
    )? + pad;
    certification(&mut page, input, strings::CN22_SIGNATURE, x, y, width, 5.5)?;

    let mut pages = vec![page];
    pages.extend(continuation_pages(
        input,
        CustomsForm::Cn22,
        &table,
        &chunks,
        size,
        margin,
    )?);
    Ok(pages)
}

/// The CN 22's optional fields that are filled in: postal charges, comments, licence,
/// certificate and invoice numbers, importer's reference.
fn cn22_extras(input: &CustomsInput<'_>) -> Vec<(Bilingual<'static>, String)> {
    let declaration = input.declaration;
    let mut extras = Vec::new();
    if let Some(charges) = declaration.postal_charges() {
        extras.push((strings::CN22_POSTAL_CHARGES, charges.to_string()));
    }
    if let Some(comments) = declaration.comments() {
        extras.push((strings::CN22_COMMENTS, comments.to_owned()));
    }
    let mut documents = Vec::new();
    if declaration.has_licence() {
        documents.push(format!(
            "{}: {}",
            strings::LICENCE.en,
            numbers(declaration.licence_numbers())
        ));
    }
    if declaration.has_certificate() {
        documents.push(format!(
            "{}: {}",
            strings::CERTIFICATE.en,
            numbers(declaration.certificate_numbers())
        ));
    }
    if let Some(invoice) = declaration.invoice_number() {
        documents.push(format!("{}: {}", strings::INVOICE.en, ltr(invoice)));
    }
    if !documents.is_empty() {
        extras.push((strings::CN22_DOCUMENTS, documents.join("; ")));
    }
    if let Some(reference) = declaration.importer_reference() {
        extras.push((strings::IMPORTER_REFERENCE, ltr(reference)));
    }
    extras
}

// ---------------------------------------------------------------------------------------------
// CN 23

const CN23_MARGIN: f32 = 10.0;

/// CN 23 box (10), in the order of the form.
const CN23_CATEGORIES: [ContentCategory; 6] = [
    ContentCategory::CommercialSample,
    ContentCategory::ReturnedGoods,
    ContentCategory::Gift,
    ContentCategory::Documents,
    ContentCategory::SaleOfGoods,
    ContentCategory::Other,
];

pub(crate) fn cn23_pages(input: &CustomsInput<'_>) -> Result<Vec<Page>, DocumentError> {
    let declaration = input.declaration;
    let size = (mm(A4_WIDTH), mm(A4_HEIGHT));
    let mut page = Page::new(size.0, size.1);
    let margin = mm(CN23_MARGIN);
    let x = margin;
    let width = size.0 - 2.0 * margin;
    let bottom = size.1 - margin;
    let pad = CELL_PAD;
    let mut y = margin;

    // Header: title block at the left; the form name and the item barcode at the right.
    let right_width = mm(80.0);
    let right_x = x + width - right_width;
    let title = title_block(
        &mut page,
        input,
        x,
        y,
        width - right_width - mm(4.0),
        1.2,
        mm(40.0),
    )?;
    let form_height = page.text(
        "CN 23",
        TextStyle::bold(22.0),
        right_x,
        y,
        right_width,
        Align::Right,
    )?;
    let barcode = item_barcode(
        &mut page,
        &input.item_id,
        right_x,
        y + form_height,
        right_width,
        mm(12.0),
        3,
        10.0,
    )?;
    y += title.max(form_height + barcode) + mm(1.5);

    // From and To, side by side.
    let half = width / 2.0;
    let parties_height = mm(62.0);
    let references = [
        (
            strings::SENDER_REFERENCE,
            declaration.sender_customs_reference().unwrap_or_default(),
        ),
        (
            strings::IMPORTER_REFERENCE,
            declaration.importer_reference().unwrap_or_default(),
        ),
    ];
    for (index, (label, party)) in [
        (strings::FROM, input.sender),
        (strings::TO, input.addressee),
    ]
    .into_iter()
    .enumerate()
    {
        let column_x = x + half * index as f32;
        page.frame(column_x, y, half, parties_height, FRAME);
        party_fields(
            &mut page,
            label,
            party,
            references.get(index).copied(),
            (
                column_x + pad,
                y + pad,
                half - 2.0 * pad,
                parties_height - 2.0 * pad,
            ),
        )?;
    }
    y += parties_height + pad;

    // Everything under the table, measured first.
    let value_style = TextStyle::regular(7.5);
    let totals_height = mm(9.0);
    let comments = declaration.comments().unwrap_or_default();
    let comments_height = boxed_height(strings::COMMENTS, comments, value_style, width)?;
    let third = width / 3.0;
    let licence = numbers(declaration.licence_numbers());
    let certificate = numbers(declaration.certificate_numbers());
    let invoice = declaration.invoice_number().map(ltr).unwrap_or_default();
    let documents_height = [
        boxed_height(
            strings::LICENCE_NUMBERS,
            &licence,
            value_style,
            third - CHECKBOX - mm(1.2),
        )?,
        boxed_height(
            strings::CERTIFICATE_NUMBERS,
            &certificate,
            value_style,
            third - CHECKBOX - mm(1.2),
        )?,
        boxed_height(strings::INVOICE_NUMBER, &invoice, value_style, third)?,
    ]
    .into_iter()
    .fold(0.0, f32::max);
    let grid = CategoryGrid {
        per_row: 3,
        size: 7.0,
        always_explain: true,
    };
    let category_height = 2.0 * pad
        + caption_height(strings::CN23_CATEGORY, CAPTION_BOLD, width - 2.0 * pad)?
        + grid.height(CN23_CATEGORIES.len(), declaration, width - 2.0 * pad)?;
    let office_height = boxed_height(
        strings::OFFICE_OF_ORIGIN,
        &office_and_date(input),
        value_style,
        width,
    )?;
    let certification_h = certification_height(strings::CN23_SIGNATURE, width, 6.5)?;
    let note = NOTE.line_height();
    let below = totals_height
        + category_height
        + comments_height
        + documents_height
        + office_height
        + certification_h
        + 7.0 * pad;

    let table = content_table(
        CustomsForm::Cn23,
        declaration.lines(),
        x,
        width,
        TextStyle::regular(7.5),
    )?;
    let first_capacity = bottom - y - below - note;
    let later_capacity =
        size.1 - 2.0 * margin - continuation_header_height(input, CustomsForm::Cn23, width)?;
    let chunks = paginate(&table, first_capacity, later_capacity);
    let (first, count) = chunks.first().copied().unwrap_or((0, 0));
    y += table.draw(&mut page, y, first, count);
    if chunks.len() > 1 {
        y += continued_note(&mut page, chunks.len(), x, y, width)?;
    }
    y += pad;

    // Totals (4), (6), (9).
    let totals = [
        (strings::CN23_GROSS_WEIGHT, kg(declaration.gross_weight())),
        (
            strings::CN23_TOTAL_VALUE,
            declaration.total_value().to_string(),
        ),
        (
            strings::POSTAL_CHARGES,
            declaration
                .postal_charges()
                .map(|charges| charges.to_string())
                .unwrap_or_default(),
        ),
    ];
    let mut totals_used: f32 = 0.0;
    for (index, (label, value)) in totals.iter().enumerate() {
        totals_used = totals_used.max(boxed(
            &mut page,
            *label,
            value,
            TextStyle::bold(9.0),
            x + third * index as f32,
            y,
            third,
            totals_height,
        )?);
    }
    y += totals_used + pad;

    // (10) Category.
    page.frame(x, y, width, category_height, HAIRLINE);
    let used = caption(
        &mut page,
        strings::CN23_CATEGORY,
        CAPTION_BOLD,
        x + pad,
        y + pad,
        width - 2.0 * pad,
    )?;
    grid.draw(
        &mut page,
        &CN23_CATEGORIES,
        declaration,
        x + pad,
        y + pad + used,
        width - 2.0 * pad,
    )?;
    y += category_height + pad;

    // (11) Comments.
    y += boxed(
        &mut page,
        strings::COMMENTS,
        comments,
        value_style,
        x,
        y,
        width,
        0.0,
    )? + pad;

    // (12) Licence, (13) Certificate, (14) Invoice.
    let documents: [(Bilingual<'_>, &str, Option<bool>); 3] = [
        (
            strings::LICENCE_NUMBERS,
            &licence,
            Some(declaration.has_licence()),
        ),
        (
            strings::CERTIFICATE_NUMBERS,
            &certificate,
            Some(declaration.has_certificate()),
        ),
        (strings::INVOICE_NUMBER, &invoice, None),
    ];
    for (index, (label, value, ticked)) in documents.iter().enumerate() {
        let cx = x + third * index as f32;
        page.frame(cx, y, third, documents_height, HAIRLINE);
        let mut left = cx + pad;
        if let Some(ticked) = ticked {
            page.checkbox(left, y + pad, CHECKBOX, *ticked);
            left += CHECKBOX + mm(1.2);
        }
        labelled_line(
            &mut page,
            *label,
            value,
            value_style,
            left,
            y + pad,
            cx + third - pad - left,
            BOX_LINES,
        )?;
    }
    y += documents_height + pad;

    y += boxed(
        &mut page,
        strings::OFFICE_OF_ORIGIN,
        &office_and_date(input),
        value_style,
        x,
        y,
        width,
        0.0,
    )? + pad;
    certification(&mut page, input, strings::CN23_SIGNATURE, x, y, width, 6.5)?;

    let mut pages = vec![page];
    pages.extend(continuation_pages(
        input,
        CustomsForm::Cn23,
        &table,
        &chunks,
        size,
        margin,
    )?);
    Ok(pages)
}

/// The labelled fields of a CN 23 "From" or "To" block fitted into `area`. Name, street and
/// city show the Latin transliteration under the original when there is one.
fn party_fields(
    page: &mut Page,
    label: Bilingual<'_>,
    party: &Party,
    reference: Option<(Bilingual<'static>, &str)>,
    area: (f32, f32, f32, f32),
) -> Result<(), DocumentError> {
    let (x, y, width, height) = area;
    let used = caption(page, label, TextStyle::bold(7.0), x, y, width)?;
    let value = TextStyle::regular(8.0);
    let latin_style = TextStyle::regular(7.0);
    let latin = party.latin();
    let with_latin = |original: String, latin: Option<String>| {
        let mut items = vec![Item::new(original, value)];
        if let Some(latin) = latin.filter(|latin| !latin.is_empty()) {
            items.push(Item::new(latin, latin_style));
        }
        items
    };
    let country = party.country();
    let contact = match (party.phone(), party.email()) {
        (Some(phone), Some(email)) => format!("{}  /  {}", ltr(phone), ltr(email)),
        (Some(one), None) | (None, Some(one)) => ltr(one),
        (None, None) => String::new(),
    };
    let mut fields: Vec<(Bilingual<'static>, Vec<Item>)> = vec![
        (
            strings::NAME,
            with_latin(
                party.name().to_owned(),
                latin.map(|latin| latin.name().to_owned()),
            ),
        ),
        (
            strings::BUSINESS,
            vec![Item::new(party.business_name().unwrap_or_default(), value)],
        ),
        (
            strings::ADDRESS,
            with_latin(
                party.address_lines().join(", "),
                latin.map(|latin| latin.address_lines().join(", ")),
            ),
        ),
        (
            strings::POSTCODE,
            vec![Item::new(party.postcode().unwrap_or_default(), value)],
        ),
        (
            strings::CITY,
            with_latin(
                party.city().to_owned(),
                latin.map(|latin| latin.city().to_owned()),
            ),
        ),
        (
            strings::COUNTRY,
            vec![Item::new(
                format!(
                    "{}  {}  ({})",
                    country.name_en().to_uppercase(),
                    country.name_ar(),
                    country.as_str()
                ),
                value,
            )],
        ),
        (strings::PHONE_EMAIL, vec![Item::new(contact, value)]),
    ];
    if let Some((label, text)) = reference {
        fields.push((label, vec![Item::new(ltr(text), value)]));
    }
    // Caption column at the left, values at the right; the values shrink together to fit.
    let caption_width = mm(24.0);
    let value_width = width - caption_width - mm(1.5);
    let value_x = x + caption_width + mm(1.5);
    let gap = mm(0.6);
    let captions = fields
        .iter()
        .map(|(label, _)| {
            Ok((
                layout(label.en, CAPTION, caption_width)?,
                layout(label.ar, CAPTION, caption_width)?,
            ))
        })
        .collect::<Result<Vec<_>, DocumentError>>()?;
    let minimums: Vec<f32> = captions
        .iter()
        .map(|(en, ar)| en.height() + ar.height())
        .collect();
    let rows: Vec<Vec<Item>> = fields.into_iter().map(|(_, items)| items).collect();
    let budget = height - used - rows.len() as f32 * gap;
    let values = fit_rows(&minimums, &rows, value_width, budget)?;
    let mut top = y + used;
    for (((en, ar), minimum), paragraphs) in captions.iter().zip(&minimums).zip(&values) {
        let row = minimum.max(paragraphs.iter().map(Paragraph::height).sum());
        let caption_top = page.paragraph(en, x, top, caption_width, Align::Left);
        page.paragraph(ar, x, top + caption_top, caption_width, Align::Left);
        draw_block(page, paragraphs, value_x, top, value_width, Align::Start);
        top += row + gap;
        page.hrule(x, x + width, top - gap / 2.0, 0.25);
    }
    Ok(())
}

/// Lays out rows of paragraphs, each row at least `minimums[i]` high (its caption), shrinking
/// all of them together until the rows fit in `height`; at the smallest size, values are cut
/// (with an ellipsis) to the room left, each row keeping the lines its caption's height allows.
fn fit_rows(
    minimums: &[f32],
    rows: &[Vec<Item>],
    width: f32,
    height: f32,
) -> Result<Vec<Vec<Paragraph>>, DocumentError> {
    let total = |laid: &[Vec<Paragraph>]| -> f32 {
        laid.iter()
            .zip(minimums)
            .map(|(row, minimum)| row.iter().map(Paragraph::height).sum::<f32>().max(*minimum))
            .sum()
    };
    let mut scale = 1.0f32;
    loop {
        let laid = rows
            .iter()
            .map(|row| {
                row.iter()
                    .map(|item| {
                        let size = (item.style.size * scale).max(MIN_SIZE.min(item.style.size));
                        layout(&item.text, item.style.sized(size), width)
                    })
                    .collect::<Result<Vec<_>, _>>()
            })
            .collect::<Result<Vec<_>, _>>()?;
        if total(&laid) <= height {
            return Ok(laid);
        }
        if scale <= 0.6 {
            break;
        }
        scale = (scale - 0.05).max(0.6);
    }
    let mut spare = height - minimums.iter().sum::<f32>();
    let mut fitted = Vec::with_capacity(rows.len());
    for (row, minimum) in rows.iter().zip(minimums) {
        let mut room = *minimum + spare.max(0.0);
        let mut used = 0.0;
        let mut laid = Vec::with_capacity(row.len());
        for item in row {
            let style = item
                .style
                .sized((item.style.size * 0.6).max(MIN_SIZE.min(item.style.size)));
            let lines = (room / style.line_height()).floor();
            if lines < 1.0 {
                break;
            }
            let paragraph = layout_clamped(&item.text, style, width, lines as usize)?;
            room -= paragraph.height();
            used += paragraph.height();
            laid.push(paragraph);
        }
        spare -= (used - minimum).max(0.0);
        fitted.push(laid);
    }
    Ok(fitted)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::canvas::assert_tidy;
    use crate::support::*;

    #[test]
    fn kilograms_are_written_without_their_unit_in_the_table() {
        assert_eq!(kg(Grams::new(350)), "0.350");
        assert_eq!(kg(Grams::new(12_345)), "12.345");
    }

    fn texts(pages: &[Page]) -> Vec<String> {
        pages
            .iter()
            .flat_map(|page| page.text_extents().into_iter().map(|(text, _)| text))
            .collect()
    }

    fn render(
        form: CustomsForm,
        declaration: &CustomsDeclaration,
        sender: &Party,
        addressee: &Party,
    ) -> Vec<Page> {
        let input = customs_input(declaration, sender, addressee);
        let (pages, margin) = match form {
            CustomsForm::Cn22 => (cn22_pages(&input).unwrap(), mm(CN22_MARGIN)),
            CustomsForm::Cn23 => (cn23_pages(&input).unwrap(), mm(CN23_MARGIN)),
        };
        for page in &pages {
            assert_tidy(page, margin);
        }
        pages
    }

    #[test]
    fn every_form_is_tidy_with_samples_minimal_and_longest_inputs() {
        let (sender, addressee) = (sender(), addressee());
        let longest = [longest_party(true), longest_party(false)];
        for form in [CustomsForm::Cn22, CustomsForm::Cn23] {
            for lines in [1, 3, 12, 99] {
                render(form, &declaration(form, lines), &sender, &addressee);
            }
            render(
                form,
                &minimal_declaration(form),
                &minimal_party(),
                &minimal_party(),
            );
            for party in &longest {
                render(form, &declaration(form, 2), party, party);
            }
        }
    }

    #[test]
    fn lines_that_do_not_fit_continue_on_numbered_sheets_and_none_is_lost() {
        for form in [CustomsForm::Cn22, CustomsForm::Cn23] {
            let declaration = declaration(form, 40);
            let pages = render(form, &declaration, &sender(), &addressee());
            assert!(pages.len() > 1);
            let all = texts(&pages);
            // Every line's value is printed exactly once.
            for line in declaration.lines() {
                let value = line.value().to_string();
                assert_eq!(all.iter().filter(|t| **t == value).count(), 1, "{value}");
            }
            let total = pages.len();
            assert!(
                all.iter()
                    .any(|t| t.starts_with("Continued on the next page"))
            );
            assert!(
                all.iter()
                    .any(|t| t.contains(&format!("Page {total} / {total}")))
            );
        }
    }

    #[test]
    fn the_cn23_prints_every_field() {
        let declaration = declaration(CustomsForm::Cn23, 2);
        let pages = render(CustomsForm::Cn23, &declaration, &sender(), &addressee());
        let all = texts(&pages).join("\n");
        for expected in [
            "CN 23",
            "CUSTOMS DECLARATION",
            "May be opened officially",
            "Egypt Post",
            "EE 123 456 785 EG",
            "(1) Detailed description of contents",
            "(2) Quantity",
            "(3) Net weight (kg)",
            "(4) Total gross weight (kg)",
            "(5) Value",
            "(6) Total value",
            "(7) HS tariff number",
            "(8) Country of origin of goods",
            "(9) Postal charges/Fees",
            "(10) Category of item",
            "(11) Comments",
            "(12) Licence No(s).",
            "(13) Certificate No(s).",
            "(14) Invoice No.",
            "(15) Date and sender's signature",
            "Office of origin / Date of posting",
            "Importer's reference",
            "Sender's customs",
            "610510",
            "0.960",
            "2501.00 EGP",
            "450.00 EGP",
            "EXP-2026-0042",
            "CO-EG-77813",
            "INV-2026-11-0193",
            "PS-VAT-562100345",
            "EG-EORI-99120",
            "Mohamed Ahmed Abdallah",
            "Fatima Khalil",
            "2026-11-22",
        ] {
            assert!(
                all.contains(expected),
                "{expected:?} is missing from the CN 23"
            );
        }
    }

    #[test]
    fn the_cn22_prints_its_fields() {
        let declaration = declaration(CustomsForm::Cn22, 2);
        let pages = render(CustomsForm::Cn22, &declaration, &sender(), &addressee());
        let all = texts(&pages).join("\n");
        for expected in [
            "CN 22",
            "CUSTOMS DECLARATION",
            "May be opened officially",
            "(1) Quantity and detailed",
            "(2) Weight",
            "(3) Value",
            "(4) HS tariff",
            "(5) Country of",
            "(6) Total weight (kg)",
            "(7) Total value",
            "(8) Date and sender's signature",
            "2 × 2 men's cotton shirts",
            "0.960",
            "2501.00 EGP",
            "Postal charges/Fees",
            "EXP-2026-0042",
            "Office of origin / Date of posting",
        ] {
            assert!(
                all.contains(expected),
                "{expected:?} is missing from the CN 22"
            );
        }
    }
}
