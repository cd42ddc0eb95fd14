//! Pages as display lists, and their conversion to PDF with krilla.
//!
//! Documents first place laid-out text, rules and boxes on a [`Page`] (coordinates in points,
//! origin at the top-left corner, y pointing down, as in krilla), then [`write_pdf`] draws every
//! page. Keeping the list lets a document measure before it commits to a page height (the
//! receipt grows with its content) and lets tests check that everything stays on the page.

use std::sync::Arc;

use krilla::color::{luma, rgb};
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::metadata::{DateTime, Metadata};
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, FillRule, Stroke};
use krilla::surface::Surface;
use krilla::{Document, SerializeSettings};
use time::OffsetDateTime;

use crate::DocumentError;
use crate::fonts::fonts;
use crate::text::{Align, Line, Paragraph, TextStyle, layout, layout_clamped};

/// Points per millimetre.
pub(crate) const PT_PER_MM: f32 = 72.0 / 25.4;

/// Millimetres to points.
pub(crate) fn mm(millimetres: f32) -> f32 {
    millimetres * PT_PER_MM
}

/// Thin rules between fields.
pub(crate) const HAIRLINE: f32 = 0.5;
/// Frames around sections.
pub(crate) const FRAME: f32 = 0.9;

#[derive(Debug, Clone)]
enum Op {
    Text {
        line: Arc<Line>,
        x: f32,
        baseline: f32,
        size: f32,
        white: bool,
    },
    Fill {
        x: f32,
        y: f32,
        width: f32,
        height: f32,
        ink: Ink,
    },
    Stroke {
        x: f32,
        y: f32,
        width: f32,
        height: f32,
        line_width: f32,
    },
    Rule {
        from: (f32, f32),
        to: (f32, f32),
        line_width: f32,
    },
}

/// The colour of a filled area.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ink {
    Black,
    /// The red of registered-mail labels (CN 35 of a registered receptacle). Dark enough
    /// (luminance about 30 %) that a monochrome thermal printer prints it black, so white text
    /// on it stays readable on either printer.
    Red,
}

/// One page being composed.
#[derive(Debug, Clone)]
pub(crate) struct Page {
    pub(crate) width: f32,
    pub(crate) height: f32,
    ops: Vec<Op>,
}

/// The box a piece of text occupies, for tests: x, top, right, bottom in points.
#[cfg(test)]
pub(crate) type Extent = (f32, f32, f32, f32);

impl Page {
    pub(crate) fn new(width: f32, height: f32) -> Self {
        Self {
            width,
            height,
            ops: Vec::new(),
        }
    }

    /// A filled black rectangle (bars, dark bands, tick marks).
    pub(crate) fn fill(&mut self, x: f32, y: f32, width: f32, height: f32) {
        self.fill_ink(x, y, width, height, Ink::Black);
    }

    /// A filled rectangle in `ink`.
    pub(crate) fn fill_ink(&mut self, x: f32, y: f32, width: f32, height: f32, ink: Ink) {
        if width > 0.0 && height > 0.0 {
            self.ops.push(Op::Fill {
                x,
                y,
                width,
                height,
                ink,
            });
        }
    }

    /// A rectangle outline.
    pub(crate) fn frame(&mut self, x: f32, y: f32, width: f32, height: f32, line_width: f32) {
        if width > 0.0 && height > 0.0 {
            self.ops.push(Op::Stroke {
                x,
                y,
                width,
                height,
                line_width,
            });
        }
    }

    /// A straight rule.
    pub(crate) fn rule(&mut self, from: (f32, f32), to: (f32, f32), line_width: f32) {
        self.ops.push(Op::Rule {
            from,
            to,
            line_width,
        });
    }

    /// A horizontal rule at `y` from `x1` to `x2`.
    pub(crate) fn hrule(&mut self, x1: f32, x2: f32, y: f32, line_width: f32) {
        self.rule((x1, y), (x2, y), line_width);
    }

    /// A vertical rule at `x` from `y1` to `y2`.
    pub(crate) fn vrule(&mut self, x: f32, y1: f32, y2: f32, line_width: f32) {
        self.rule((x, y1), (x, y2), line_width);
    }

    /// A tick box of side `side` whose top-left corner is at (x, y), crossed when `ticked`.
    pub(crate) fn checkbox(&mut self, x: f32, y: f32, side: f32, ticked: bool) {
        self.frame(x, y, side, side, HAIRLINE * 1.4);
        if ticked {
            let inset = side * 0.18;
            self.rule(
                (x + inset, y + inset),
                (x + side - inset, y + side - inset),
                1.3,
            );
            self.rule(
                (x + inset, y + side - inset),
                (x + side - inset, y + inset),
                1.3,
            );
        }
    }

    /// Draws a laid-out paragraph with its top at `y` in the box from `x` spanning `width`;
    /// returns its height.
    pub(crate) fn paragraph(
        &mut self,
        paragraph: &Paragraph,
        x: f32,
        y: f32,
        width: f32,
        align: Align,
    ) -> f32 {
        self.paragraph_colored(paragraph, x, y, width, align, false)
    }

    /// Like [`Page::paragraph`], in white (on a dark band) when `white`.
    pub(crate) fn paragraph_colored(
        &mut self,
        paragraph: &Paragraph,
        x: f32,
        y: f32,
        width: f32,
        align: Align,
        white: bool,
    ) -> f32 {
        let style = paragraph.style;
        let mut top = y;
        for line in &paragraph.lines {
            let line_x = align.line_x(paragraph.rtl, x, width, line.width);
            self.ops.push(Op::Text {
                line: line.clone(),
                x: line_x,
                baseline: top + style.ascent(),
                size: style.size,
                white,
            });
            top += style.line_height();
        }
        paragraph.height()
    }

    /// Lays out and draws `text` wrapped to `width`; returns the height used.
    pub(crate) fn text(
        &mut self,
        text: &str,
        style: TextStyle,
        x: f32,
        y: f32,
        width: f32,
        align: Align,
    ) -> Result<f32, DocumentError> {
        let paragraph = layout(text, style, width)?;
        Ok(self.paragraph(&paragraph, x, y, width, align))
    }

    /// Lays out and draws `text` in at most `max_lines` lines (ellipsis when cut).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn text_clamped(
        &mut self,
        text: &str,
        style: TextStyle,
        x: f32,
        y: f32,
        width: f32,
        align: Align,
        max_lines: usize,
    ) -> Result<f32, DocumentError> {
        let paragraph = layout_clamped(text, style, width, max_lines)?;
        Ok(self.paragraph(&paragraph, x, y, width, align))
    }

    /// Where every text line lies (left, top, right, bottom), with the top and bottom of its
    /// line box, for tests that check nothing leaves the page or its section.
    #[cfg(test)]
    pub(crate) fn text_extents(&self) -> Vec<(String, Extent)> {
        self.ops
            .iter()
            .filter_map(|op| match op {
                Op::Text {
                    line,
                    x,
                    baseline,
                    size,
                    ..
                } => {
                    let style = TextStyle::regular(*size);
                    let top = baseline - style.ascent();
                    Some((
                        line.text.clone(),
                        (*x, top, x + line.width, top + style.line_height()),
                    ))
                }
                _ => None,
            })
            .collect()
    }

    /// Every frame and rule as (left, top, right, bottom), for tests.
    #[cfg(test)]
    pub(crate) fn line_extents(&self) -> Vec<Extent> {
        self.ops
            .iter()
            .filter_map(|op| match op {
                Op::Stroke {
                    x,
                    y,
                    width,
                    height,
                    ..
                } => Some((*x, *y, x + width, y + height)),
                Op::Rule { from, to, .. } => Some((
                    from.0.min(to.0),
                    from.1.min(to.1),
                    from.0.max(to.0),
                    from.1.max(to.1),
                )),
                _ => None,
            })
            .collect()
    }

    /// Every black filled rectangle, for tests (x, y, width, height).
    #[cfg(test)]
    pub(crate) fn fills(&self) -> Vec<(f32, f32, f32, f32)> {
        self.fills_of(Ink::Black)
    }

    /// Every filled rectangle in `wanted`, for tests (x, y, width, height).
    #[cfg(test)]
    pub(crate) fn fills_of(&self, wanted: Ink) -> Vec<(f32, f32, f32, f32)> {
        self.ops
            .iter()
            .filter_map(|op| match op {
                Op::Fill {
                    x,
                    y,
                    width,
                    height,
                    ink,
                } if *ink == wanted => Some((*x, *y, *width, *height)),
                _ => None,
            })
            .collect()
    }

    fn draw(&self, surface: &mut Surface<'_>) -> Result<(), DocumentError> {
        let fonts = fonts().map_err(DocumentError::Font)?;
        let black = Fill {
            paint: luma::Color::black().into(),
            opacity: NormalizedF32::ONE,
            rule: FillRule::NonZero,
        };
        let white = Fill {
            paint: luma::Color::white().into(),
            ..black.clone()
        };
        // Fills first: bars and bands go under any text drawn on them. One path per ink keeps
        // a page of bars to a single fill operation.
        let red = Fill {
            paint: rgb::Color::new(0xC8, 0x10, 0x2E).into(),
            ..black.clone()
        };
        for (ink, fill) in [(Ink::Black, &black), (Ink::Red, &red)] {
            let mut path = PathBuilder::new();
            let mut any = false;
            for op in &self.ops {
                if let Op::Fill {
                    x,
                    y,
                    width,
                    height,
                    ink: op_ink,
                } = op
                    && *op_ink == ink
                    && let Some(rect) = Rect::from_xywh(*x, *y, *width, *height)
                {
                    path.push_rect(rect);
                    any = true;
                }
            }
            if any && let Some(path) = path.finish() {
                surface.set_stroke(None);
                surface.set_fill(Some(fill.clone()));
                surface.draw_path(&path);
            }
        }
        for op in &self.ops {
            match op {
                Op::Fill { .. } => {}
                Op::Stroke {
                    x,
                    y,
                    width,
                    height,
                    line_width,
                } => {
                    let mut builder = PathBuilder::new();
                    if let Some(rect) = Rect::from_xywh(*x, *y, *width, *height) {
                        builder.push_rect(rect);
                    }
                    stroke(surface, builder, *line_width);
                }
                Op::Rule {
                    from,
                    to,
                    line_width,
                } => {
                    let mut builder = PathBuilder::new();
                    builder.move_to(from.0, from.1);
                    builder.line_to(to.0, to.1);
                    stroke(surface, builder, *line_width);
                }
                Op::Text {
                    line,
                    x,
                    baseline,
                    size,
                    white: is_white,
                } => {
                    surface.set_stroke(None);
                    surface.set_fill(Some(if *is_white {
                        white.clone()
                    } else {
                        black.clone()
                    }));
                    let mut pen = *x;
                    for run in &line.runs {
                        if !run.glyphs.is_empty() {
                            surface.draw_glyphs(
                                Point::from_xy(pen, *baseline),
                                &run.glyphs,
                                fonts.get(run.font).pdf.clone(),
                                &run.text,
                                *size,
                                false,
                            );
                        }
                        pen += run.width;
                    }
                }
            }
        }
        Ok(())
    }
}

fn stroke(surface: &mut Surface<'_>, builder: PathBuilder, line_width: f32) {
    if let Some(path) = builder.finish() {
        surface.set_fill(None);
        surface.set_stroke(Some(Stroke {
            width: line_width,
            ..Stroke::default()
        }));
        surface.draw_path(&path);
    }
}

/// Title and date written into the PDF's metadata.
#[derive(Debug, Clone)]
pub(crate) struct DocumentInfo {
    pub(crate) title: String,
    /// The document's own time (acceptance, posting), never the clock: the same input always
    /// gives the same bytes.
    pub(crate) created: OffsetDateTime,
}

/// Draws every page and returns the PDF bytes.
pub(crate) fn write_pdf(pages: &[Page], info: &DocumentInfo) -> Result<Vec<u8>, DocumentError> {
    let settings = SerializeSettings {
        // No XMP packet: it would only repeat the metadata dictionary and cost time.
        xmp_metadata: false,
        // Content streams stay uncompressed: deflating them (and the ToUnicode maps) costs a
        // fifth of a label's render time for about 16 KB saved. Embedded fonts are always
        // compressed by krilla.
        compress_content_streams: false,
        ..SerializeSettings::default()
    };
    let mut document = Document::new_with(settings);
    let created = info.created;
    let offset = created.offset();
    let date = DateTime::new(u16::try_from(created.year()).unwrap_or(0))
        .month(u8::from(created.month()))
        .day(created.day())
        .hour(created.hour())
        .minute(created.minute())
        .second(created.second())
        .utc_offset_hour(offset.whole_hours())
        .utc_offset_minute(offset.minutes_past_hour().unsigned_abs());
    document.set_metadata(
        Metadata::new()
            .title(info.title.clone())
            .creator("Barid".to_owned())
            .producer("Barid (krilla)".to_owned())
            .creation_date(date),
    );
    for page in pages {
        let settings = PageSettings::from_wh(page.width, page.height)
            .ok_or_else(|| DocumentError::Pdf(format!("bad page size {page:?}")))?;
        let mut pdf_page = document.start_page_with(settings);
        let mut surface = pdf_page.surface();
        page.draw(&mut surface)?;
        surface.finish();
        pdf_page.finish();
    }
    document
        .finish()
        .map_err(|error| DocumentError::Pdf(format!("{error:?}")))
}

/// Checks for tests: every text line lies inside the page's `margin` and no two lines overlap.
#[cfg(test)]
pub(crate) fn assert_tidy(page: &Page, margin: f32) {
    let extents = page.text_extents();
    let epsilon = 0.01;
    for (left, top, right, bottom) in page.line_extents() {
        assert!(
            left >= margin - epsilon
                && right <= page.width - margin + epsilon
                && top >= margin - epsilon
                && bottom <= page.height - margin + epsilon,
            "a frame or rule at ({left}, {top})..({right}, {bottom}) leaves the margin"
        );
    }
    for (text, (left, top, right, bottom)) in &extents {
        assert!(
            *left >= margin - epsilon
                && *right <= page.width - margin + epsilon
                && *top >= margin - epsilon
                && *bottom <= page.height - margin + epsilon,
            "{text:?} at ({left}, {top})..({right}, {bottom}) leaves the {}×{} page's {margin} pt margin",
            page.width,
            page.height
        );
    }
    for (index, (text, a)) in extents.iter().enumerate() {
        for (other, b) in extents.iter().skip(index + 1) {
            let overlap_x = a.0.max(b.0) < a.2.min(b.2) - epsilon;
            let overlap_y = a.1.max(b.1) < a.3.min(b.3) - epsilon;
            assert!(
                !(overlap_x && overlap_y),
                "{text:?} at {a:?} overlaps {other:?} at {b:?}"
            );
        }
    }
}
