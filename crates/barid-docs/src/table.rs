//! Ruled tables with a bilingual header row, split over pages: the CN 23's content lines and
//! the office-of-exchange lists (receptacles on the CN 31, registered items on the CN 33,
//! dispatches on the delivery bills, discrepancies on the CN 43).
//!
//! Every cell is laid out once, up front, so that pagination only adds up row heights. A value
//! that repeats down a column (a receptacle serial, a country, an office code) is laid out once
//! per table and shared by its rows. Only a table's first values go through the thread's
//! layout cache: a list of 10,000 distinct item IDs would only keep emptying it.

use std::collections::HashMap;
use std::sync::Arc;

use crate::DocumentError;
use crate::canvas::{FRAME, HAIRLINE, Page};
use crate::parts::draw_block;
use crate::strings::Bilingual;
use crate::text::{Align, Paragraph, TextStyle, layout, layout_clamped, layout_uncached};

/// Horizontal and vertical padding inside table cells.
pub(crate) const CELL_PAD: f32 = 2.0;

const HEADER_EN: TextStyle = TextStyle::bold(5.5);
const HEADER_AR: TextStyle = TextStyle::regular(5.5);

/// A column of a table.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Column {
    pub(crate) title: Bilingual<'static>,
    /// Share of the table width; the shares of a table add up to 1.
    pub(crate) share: f32,
    pub(crate) align: Align,
    /// Whether the column's values are bold (a mark such as "R" that must stand out).
    pub(crate) bold: bool,
}

impl Column {
    pub(crate) const fn new(title: Bilingual<'static>, share: f32, align: Align) -> Self {
        Self {
            title,
            share,
            align,
            bold: false,
        }
    }

    pub(crate) const fn bold(self) -> Self {
        Self { bold: true, ..self }
    }
}

/// The text of one cell: one paragraph, or several one under the other (an English caption
/// over its Arabic, each aligned by its own direction in a `Start` column).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Cell(Vec<String>);

impl Cell {
    pub(crate) fn lines(lines: Vec<String>) -> Self {
        Self(lines)
    }
}

impl From<String> for Cell {
    fn from(text: String) -> Self {
        Self(vec![text])
    }
}

/// Distinct cell values laid out once per table; beyond this, values are laid out each time
/// (repeating values such as serials and countries are met early, distinct IDs are not worth
/// keeping).
const REPEATED_ENTRIES: usize = 1024;

/// Distinct cell values that go through the thread's layout cache, which serves a small table
/// rendered again (a CN 23's lines); the values of a long list bypass it.
const THREAD_CACHED_ENTRIES: usize = 64;

/// A laid-out row: its cells and its height with padding.
#[derive(Debug, Clone)]
struct Row {
    cells: Vec<Arc<[Paragraph]>>,
    height: f32,
}

/// A table's geometry and laid-out rows.
#[derive(Debug, Clone)]
pub(crate) struct Table {
    columns: Vec<Column>,
    x: f32,
    width: f32,
    header: Vec<(Paragraph, Paragraph)>,
    header_height: f32,
    rows: Vec<Row>,
}

impl Table {
    /// Lays out `rows` (one cell per column) in a table from `x` spanning `width`. A paragraph
    /// longer than `max_lines` lines is cut with an ellipsis, so no row can outgrow a page.
    pub(crate) fn new<C: Into<Cell>>(
        columns: Vec<Column>,
        rows: impl IntoIterator<Item = Vec<C>>,
        (x, width): (f32, f32),
        style: TextStyle,
        max_lines: usize,
    ) -> Result<Self, DocumentError> {
        let mut header = Vec::with_capacity(columns.len());
        let mut header_height: f32 = 0.0;
        for column in &columns {
            let inner = column.share * width - 2.0 * CELL_PAD;
            let en = layout(column.title.en, HEADER_EN, inner)?;
            let ar = layout(column.title.ar, HEADER_AR, inner)?;
            header_height = header_height.max(en.height() + ar.height());
            header.push((en, ar));
        }
        header_height += 2.0 * CELL_PAD;
        let rows = rows.into_iter();
        let mut laid_rows = Vec::with_capacity(rows.size_hint().0);
        let mut repeated: HashMap<(usize, Cell), Arc<[Paragraph]>> = HashMap::new();
        for cells in rows {
            let mut laid_cells = Vec::with_capacity(columns.len());
            let mut height: f32 = 0.0;
            for (index, (cell, column)) in cells.into_iter().zip(&columns).enumerate() {
                let key = (index, cell.into());
                let paragraphs = match repeated.get(&key) {
                    Some(paragraphs) => Arc::clone(paragraphs),
                    None => {
                        let cell_style = if column.bold {
                            TextStyle::bold(style.size)
                        } else {
                            style
                        };
                        let inner = column.share * width - 2.0 * CELL_PAD;
                        let paragraphs = key
                            .1
                            .0
                            .iter()
                            .map(|text| {
                                if repeated.len() < THREAD_CACHED_ENTRIES {
                                    layout_clamped(text, cell_style, inner, max_lines)
                                } else {
                                    layout_uncached(text, cell_style, inner, max_lines)
                                }
                            })
                            .collect::<Result<Arc<[Paragraph]>, _>>()?;
                        if repeated.len() < REPEATED_ENTRIES {
                            repeated.insert(key, Arc::clone(&paragraphs));
                        }
                        paragraphs
                    }
                };
                height = height.max(paragraphs.iter().map(Paragraph::height).sum());
                laid_cells.push(paragraphs);
            }
            laid_rows.push(Row {
                cells: laid_cells,
                height: height.max(style.line_height()) + 2.0 * CELL_PAD,
            });
        }
        Ok(Self {
            columns,
            x,
            width,
            header,
            header_height,
            rows: laid_rows,
        })
    }

    /// The number of rows.
    pub(crate) fn len(&self) -> usize {
        self.rows.len()
    }

    /// The header row's height.
    pub(crate) fn header_height(&self) -> f32 {
        self.header_height
    }

    /// How many rows from `first` fit in `height` below the header; at least one when
    /// `at_least_one` (continuation sheets must make progress).
    pub(crate) fn rows_fitting(&self, first: usize, height: f32, at_least_one: bool) -> usize {
        let mut used = self.header_height;
        let mut count = 0;
        for row in self.rows.iter().skip(first) {
            if used + row.height > height && (count > 0 || !at_least_one) {
                break;
            }
            used += row.height;
            count += 1;
        }
        count
    }

    /// The height of rows `first..first + count` with the header.
    pub(crate) fn height(&self, first: usize, count: usize) -> f32 {
        self.header_height
            + self
                .rows
                .iter()
                .skip(first)
                .take(count)
                .map(|row| row.height)
                .sum::<f32>()
    }

    /// Draws the header and rows `first..first + count` from `y`; returns the height.
    pub(crate) fn draw(&self, page: &mut Page, y: f32, first: usize, count: usize) -> f32 {
        let total = self.height(first, count);
        page.frame(self.x, y, self.width, total, FRAME);
        let mut column_x = self.x;
        for (index, (column, (en, ar))) in self.columns.iter().zip(&self.header).enumerate() {
            let width = column.share * self.width;
            if index > 0 {
                page.vrule(column_x, y, y + total, HAIRLINE);
            }
            let inner = width - 2.0 * CELL_PAD;
            let top = y + CELL_PAD;
            let used = page.paragraph(en, column_x + CELL_PAD, top, inner, Align::Left);
            page.paragraph(ar, column_x + CELL_PAD, top + used, inner, Align::Right);
            column_x += width;
        }
        let mut row_y = y + self.header_height;
        page.hrule(self.x, self.x + self.width, row_y, FRAME);
        for row in self.rows.iter().skip(first).take(count) {
            let mut cell_x = self.x;
            for (paragraphs, column) in row.cells.iter().zip(&self.columns) {
                let width = column.share * self.width;
                draw_block(
                    page,
                    paragraphs,
                    cell_x + CELL_PAD,
                    row_y + CELL_PAD,
                    width - 2.0 * CELL_PAD,
                    column.align,
                );
                cell_x += width;
            }
            row_y += row.height;
            page.hrule(self.x, self.x + self.width, row_y, HAIRLINE);
        }
        total
    }
}

/// Splits the table's rows over pages: the first page holds `first_capacity` points of table,
/// the others `later_capacity`. Returns (first row, count) per page.
pub(crate) fn paginate(
    table: &Table,
    first_capacity: f32,
    later_capacity: f32,
) -> Vec<(usize, usize)> {
    let mut pages = vec![(0, table.rows_fitting(0, first_capacity, false))];
    let mut first = pages.iter().map(|(_, count)| count).sum::<usize>();
    while first < table.rows.len() {
        let count = table.rows_fitting(first, later_capacity, true);
        pages.push((first, count));
        first += count;
    }
    pages
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::canvas::{assert_tidy, mm};
    use crate::strings;

    fn table(rows: usize) -> Table {
        let columns = vec![
            Column::new(strings::NAME, 0.7, Align::Start),
            Column::new(strings::QUANTITY, 0.3, Align::Right).bold(),
        ];
        Table::new(
            columns,
            (0..rows).map(|n| vec![format!("Row {n} صف"), (n % 3).to_string()]),
            (mm(10.0), mm(190.0)),
            TextStyle::regular(7.0),
            2,
        )
        .unwrap()
    }

    #[test]
    fn rows_split_over_pages_without_loss_and_each_page_is_tidy() {
        let table = table(200);
        let chunks = paginate(&table, mm(100.0), mm(270.0));
        assert!(chunks.len() > 1);
        assert_eq!(chunks.iter().map(|(_, count)| count).sum::<usize>(), 200);
        for window in chunks.windows(2) {
            assert_eq!(window[0].0 + window[0].1, window[1].0);
        }
        for (first, count) in chunks {
            let mut page = Page::new(mm(210.0), mm(297.0));
            let height = table.draw(&mut page, mm(10.0), first, count);
            assert!(height <= mm(270.0) + 0.01);
            assert_tidy(&page, mm(10.0));
        }
    }

    #[test]
    fn each_paragraph_of_a_long_cell_is_cut_to_its_lines() {
        let columns = vec![Column::new(strings::NAME, 1.0, Align::Start)];
        let long = "word ".repeat(400);
        let table = Table::new(
            columns,
            [vec![Cell::lines(vec![long, "كلمة ".repeat(400)])]],
            (0.0, mm(50.0)),
            TextStyle::regular(7.0),
            3,
        )
        .unwrap();
        let expected = 6.0 * TextStyle::regular(7.0).line_height() + 2.0 * CELL_PAD;
        assert!((table.height(0, 1) - table.header_height() - expected).abs() < 0.01);
    }
}
