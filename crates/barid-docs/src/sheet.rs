//! A4 sheets for the office-of-exchange forms (CN 31, CN 33, delivery bills, CN 43): content
//! flows down the page and onto continuation sheets.
//!
//! The first page opens with the form's title and number; each later page with a short
//! continuation header naming the form and the dispatch, so a loose sheet can be put back. Every
//! page ends with a footer: the form and reference at the left, "Page n / N" at the right.
//! Blocks that must not be split (a row of fields, the signatures) move to the next page whole;
//! tables split between rows and repeat their header row.

use crate::DocumentError;
use crate::canvas::{FRAME, HAIRLINE, Page, mm};
use crate::parts::{Item, caption, caption_height, draw_block, fit_block, page_number};
use crate::strings::{self, Bilingual};
use crate::table::{CELL_PAD, Table};
use crate::text::{Align, Paragraph, TextStyle, layout_clamped};

pub(crate) const A4_WIDTH_MM: f32 = 210.0;
pub(crate) const A4_HEIGHT_MM: f32 = 297.0;
pub(crate) const MARGIN_MM: f32 = 10.0;

/// Room kept at the bottom of every page for the footer.
const FOOTER_MM: f32 = 6.0;
/// A field's value is cut after this many lines, so a header row cannot outgrow a page.
const FIELD_LINES: usize = 3;
const FIELD_CAPTION: TextStyle = TextStyle::regular(5.5);
const SIGNATURE_BOX_MM: f32 = 26.0;
/// The space a field with no value keeps, to be filled in by hand.
const BLANK_MM: f32 = 7.0;
const GAP_MM: f32 = 2.0;

/// One framed field of a row: a bilingual caption over one or more values.
#[derive(Debug, Clone)]
pub(crate) struct Field {
    pub(crate) label: Bilingual<'static>,
    pub(crate) values: Vec<Item>,
    /// Share of the row's width; the shares of a row add up to 1.
    pub(crate) share: f32,
}

impl Field {
    pub(crate) fn new(label: Bilingual<'static>, values: Vec<Item>, share: f32) -> Self {
        Self {
            label,
            values,
            share,
        }
    }
}

/// A document being laid out on A4 pages.
#[derive(Debug)]
pub(crate) struct Sheet {
    form: String,
    title: Bilingual<'static>,
    /// Printed in the continuation headers and footers: the dispatch (S8) or the office.
    reference: String,
    /// Finished pages, before the current one.
    done: Vec<Page>,
    current: Page,
    y: f32,
}

impl Sheet {
    /// Starts the first page with the title block: the title in English and Arabic at the
    /// left, the form number large at the right.
    pub(crate) fn new(
        form: &str,
        title: Bilingual<'static>,
        reference: String,
    ) -> Result<Self, DocumentError> {
        let mut sheet = Self {
            form: form.to_owned(),
            title,
            reference,
            done: Vec::new(),
            current: Page::new(mm(A4_WIDTH_MM), mm(A4_HEIGHT_MM)),
            y: mm(MARGIN_MM),
        };
        let (x, width, y) = (sheet.x(), sheet.width(), sheet.y);
        let form_width = mm(40.0);
        let title_width = width - form_width - mm(4.0);
        let page = sheet.page();
        let form_height = page.text(
            form,
            TextStyle::bold(24.0),
            x + width - form_width,
            y,
            form_width,
            Align::Right,
        )?;
        let title_lines = fit_block(
            &[
                Item::new(title.en, TextStyle::bold(13.0)),
                Item::new(title.ar, TextStyle::bold(13.0)),
            ],
            title_width,
            mm(22.0),
        )?;
        let title_height = draw_block(page, &title_lines, x, y, title_width, Align::Start);
        sheet.y += title_height.max(form_height) + mm(1.0);
        let rule_y = sheet.y;
        sheet.page().hrule(x, x + width, rule_y, FRAME);
        sheet.y += mm(GAP_MM);
        Ok(sheet)
    }

    pub(crate) fn x(&self) -> f32 {
        mm(MARGIN_MM)
    }

    pub(crate) fn width(&self) -> f32 {
        mm(A4_WIDTH_MM - 2.0 * MARGIN_MM)
    }

    /// The lowest y content may reach, above the footer.
    fn bottom(&self) -> f32 {
        mm(A4_HEIGHT_MM - MARGIN_MM - FOOTER_MM)
    }

    /// The height left on the current page.
    pub(crate) fn room(&self) -> f32 {
        self.bottom() - self.y
    }

    /// The page being drawn on.
    fn page(&mut self) -> &mut Page {
        &mut self.current
    }

    /// Space between blocks.
    pub(crate) fn gap(&mut self) {
        self.y += mm(GAP_MM);
    }

    /// Starts a continuation sheet: the form and its title on one line, the reference under it.
    pub(crate) fn new_page(&mut self) -> Result<(), DocumentError> {
        let full = std::mem::replace(
            &mut self.current,
            Page::new(mm(A4_WIDTH_MM), mm(A4_HEIGHT_MM)),
        );
        self.done.push(full);
        self.y = mm(MARGIN_MM);
        let (x, width, y) = (self.x(), self.width(), self.y);
        let line = format!(
            "{}  —  {}  —  {} / {}",
            self.form,
            self.title.en,
            strings::CONTINUATION_OF.en,
            strings::CONTINUATION_OF.ar
        );
        let reference = self.reference.clone();
        let page = self.page();
        let mut used =
            page.text_clamped(&line, TextStyle::bold(9.0), x, y, width, Align::Left, 1)?;
        used += page.text_clamped(
            &reference,
            TextStyle::bold(9.0),
            x,
            y + used,
            width,
            Align::Left,
            1,
        )?;
        used += mm(1.0);
        page.hrule(x, x + width, y + used, FRAME);
        self.y += used + mm(GAP_MM);
        Ok(())
    }

    /// Moves to a new page unless `height` fits on this one.
    pub(crate) fn keep(&mut self, height: f32) -> Result<(), DocumentError> {
        if height > self.room() {
            self.new_page()?;
        }
        Ok(())
    }

    /// Reserves `height` points for a drawing (a chart), on this page if it fits, else on the
    /// next; returns the page to draw on and the top of the space.
    pub(crate) fn space(&mut self, height: f32) -> Result<(&mut Page, f32), DocumentError> {
        self.keep(height)?;
        let y = self.y;
        self.y += height;
        Ok((&mut self.current, y))
    }

    /// A row of framed fields, kept on one page.
    pub(crate) fn fields(&mut self, fields: &[Field]) -> Result<(), DocumentError> {
        let (x, width) = (self.x(), self.width());
        let mut cells: Vec<(f32, f32, Vec<Paragraph>)> = Vec::with_capacity(fields.len());
        let mut row_height: f32 = 0.0;
        for field in fields {
            let cell_width = field.share * width;
            let inner = cell_width - 2.0 * CELL_PAD;
            let caption_h = caption_height(field.label, FIELD_CAPTION, inner)?;
            let values = field
                .values
                .iter()
                .map(|item| layout_clamped(&item.text, item.style, inner, FIELD_LINES))
                .collect::<Result<Vec<_>, _>>()?;
            let values_h: f32 = values.iter().map(Paragraph::height).sum();
            let values_h = if values_h > 0.0 {
                values_h
            } else {
                mm(BLANK_MM)
            };
            row_height = row_height.max(caption_h + values_h + 2.0 * CELL_PAD);
            cells.push((cell_width, caption_h, values));
        }
        self.keep(row_height)?;
        let y = self.y;
        let page = self.page();
        let mut cell_x = x;
        for (field, (cell_width, caption_h, values)) in fields.iter().zip(&cells) {
            let inner = cell_width - 2.0 * CELL_PAD;
            page.frame(cell_x, y, *cell_width, row_height, HAIRLINE);
            caption(
                page,
                field.label,
                FIELD_CAPTION,
                cell_x + CELL_PAD,
                y + CELL_PAD,
                inner,
            )?;
            let drawn = draw_block(
                page,
                values,
                cell_x + CELL_PAD,
                y + CELL_PAD + caption_h,
                inner,
                Align::Start,
            );
            if drawn == 0.0 {
                // Nothing given: a line to write on.
                page.hrule(
                    cell_x + CELL_PAD,
                    cell_x + cell_width - CELL_PAD,
                    y + row_height - mm(1.5),
                    HAIRLINE,
                );
            }
            cell_x += cell_width;
        }
        self.y += row_height;
        Ok(())
    }

    /// A bold bilingual heading over what follows, kept with at least `with` points of it.
    pub(crate) fn heading(&mut self, text: Bilingual<'_>, with: f32) -> Result<(), DocumentError> {
        let style = TextStyle::bold(8.5);
        let height = caption_height(text, style, self.width())?;
        self.keep(height + with)?;
        let (x, width, y) = (self.x(), self.width(), self.y);
        caption(self.page(), text, style, x, y, width)?;
        self.y += height + mm(1.0);
        Ok(())
    }

    /// A framed notice with the English and the Arabic centred, one under the other.
    pub(crate) fn notice(&mut self, text: Bilingual<'_>, size: f32) -> Result<(), DocumentError> {
        let (x, width) = (self.x(), self.width());
        let inner = width - 2.0 * CELL_PAD;
        let lines = [
            layout_clamped(text.en, TextStyle::bold(size), inner, 2)?,
            layout_clamped(text.ar, TextStyle::bold(size), inner, 2)?,
        ];
        let height: f32 = lines.iter().map(Paragraph::height).sum::<f32>() + 2.0 * mm(GAP_MM);
        self.keep(height)?;
        let y = self.y;
        let page = self.page();
        page.frame(x, y, width, height, FRAME);
        draw_block(
            page,
            &lines,
            x + CELL_PAD,
            y + mm(GAP_MM),
            inner,
            Align::Center,
        );
        self.y += height;
        Ok(())
    }

    /// Draws `table`, splitting it between rows over as many pages as it needs; every page
    /// repeats the header row.
    pub(crate) fn table(&mut self, table: &Table) -> Result<(), DocumentError> {
        if table.len() == 0 {
            self.keep(table.header_height())?;
            let y = self.y;
            self.y += table.draw(self.page(), y, 0, 0);
            return Ok(());
        }
        let mut first = 0;
        while first < table.len() {
            let mut count = table.rows_fitting(first, self.room(), false);
            if count == 0 {
                self.new_page()?;
                count = table.rows_fitting(first, self.room(), true);
            }
            let y = self.y;
            self.y += table.draw(self.page(), y, first, count);
            first += count;
            if first < table.len() {
                self.new_page()?;
            }
        }
        Ok(())
    }

    /// Boxes side by side for the officers to sign: each with its caption, a line for the name
    /// and date and a line for the signature. Kept on one page.
    pub(crate) fn signatures(&mut self, boxes: &[Bilingual<'static>]) -> Result<(), DocumentError> {
        let height = mm(SIGNATURE_BOX_MM);
        self.keep(height)?;
        let (x, width, y) = (self.x(), self.width(), self.y);
        let count = boxes.len().max(1) as f32;
        let gap = mm(4.0);
        let box_width = (width - gap * (count - 1.0)) / count;
        let page = self.page();
        for (index, label) in boxes.iter().enumerate() {
            let box_x = x + (box_width + gap) * index as f32;
            let inner = box_width - 2.0 * CELL_PAD;
            page.frame(box_x, y, box_width, height, HAIRLINE);
            let used = caption(
                page,
                *label,
                TextStyle::bold(6.5),
                box_x + CELL_PAD,
                y + CELL_PAD,
                inner,
            )?;
            // The rest of the box: two slots, each a caption over a line to write on.
            let top = y + CELL_PAD + used;
            let slot = (y + height - top) / 2.0;
            for (n, slot_label) in [strings::NAME_AND_DATE, strings::SIGNATURE]
                .iter()
                .enumerate()
            {
                let slot_top = top + slot * n as f32;
                caption(
                    page,
                    *slot_label,
                    FIELD_CAPTION,
                    box_x + CELL_PAD,
                    slot_top + mm(0.5),
                    inner,
                )?;
                page.hrule(
                    box_x + CELL_PAD,
                    box_x + box_width - CELL_PAD,
                    slot_top + slot - mm(1.0),
                    HAIRLINE,
                );
            }
        }
        self.y += height;
        Ok(())
    }

    /// Adds every page's footer (the form and reference, the page number) and returns the
    /// pages.
    pub(crate) fn finish(self) -> Result<Vec<Page>, DocumentError> {
        let (x, width) = (self.x(), self.width());
        let top = self.bottom() + mm(1.5);
        let left = format!("{}   {}", self.form, self.reference);
        let mut pages = self.done;
        pages.push(self.current);
        let total = pages.len();
        for (index, page) in pages.iter_mut().enumerate() {
            page.hrule(x, x + width, top - mm(0.5), HAIRLINE);
            page.text_clamped(
                &left,
                TextStyle::regular(6.5),
                x,
                top,
                width * 0.6,
                Align::Left,
                1,
            )?;
            page_number(
                page,
                (index + 1, total),
                x + width * 0.6,
                top,
                width * 0.4,
                Align::Right,
            )?;
        }
        Ok(pages)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::canvas::assert_tidy;

    fn texts(page: &Page) -> Vec<String> {
        page.text_extents().into_iter().map(|(t, _)| t).collect()
    }

    #[test]
    fn blocks_flow_onto_continuation_sheets_with_numbered_footers() {
        let mut sheet =
            Sheet::new("CN 99", strings::CN31_TITLE, "REFERENCE 42".to_owned()).unwrap();
        for n in 0..40 {
            sheet
                .fields(&[
                    Field::new(
                        strings::NAME,
                        vec![Item::new(format!("Value {n}"), TextStyle::bold(9.0))],
                        0.5,
                    ),
                    // Nothing given: a line to fill in by hand.
                    Field::new(strings::CARRIER, Vec::new(), 0.5),
                ])
                .unwrap();
        }
        sheet
            .signatures(&[strings::DISPATCHING_OFFICER, strings::RECEIVING_OFFICER])
            .unwrap();
        let pages = sheet.finish().unwrap();
        assert!(pages.len() >= 2);
        let total = pages.len();
        for (index, page) in pages.iter().enumerate() {
            assert_tidy(page, mm(MARGIN_MM));
            let all = texts(page);
            assert!(
                all.iter()
                    .any(|t| t.starts_with(&format!("Page {} / {total}", index + 1))),
                "{all:?}"
            );
            assert!(all.iter().any(|t| t.contains("REFERENCE 42")));
            assert_eq!(
                all.iter().any(|t| t.contains("Continuation sheet")),
                index > 0
            );
        }
        // Every value once, none lost at a page break.
        let all: Vec<String> = pages.iter().flat_map(texts).collect();
        for n in 0..40 {
            let value = format!("Value {n}");
            assert_eq!(all.iter().filter(|t| **t == value).count(), 1);
        }
        // The blank fields each have a rule to write on (besides frames and table rules).
        let rules = pages
            .iter()
            .flat_map(|page| page.line_extents())
            .filter(|(_, top, _, bottom)| top == bottom)
            .count();
        assert!(rules >= 40);
    }
}
