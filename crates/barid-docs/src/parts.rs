//! Pieces every document is built from: bilingual captions, blocks of text fitted into a box,
//! party (sender/addressee) blocks, labelled cells, and the barcode with its human-readable
//! text.

use barid_core::{Party, S10Id};

use crate::DocumentError;
use crate::barcode::Code128;
use crate::canvas::{Page, mm};
use crate::format::{city_line, country_line, is_rtl, ltr};
use crate::strings::{self, Bilingual};
use crate::text::{Align, ELLIPSIS, Paragraph, TextStyle, layout, layout_clamped};

/// Space between the English and the Arabic caption on one line.
const CAPTION_GAP: f32 = 6.0;

/// The English and Arabic of a caption laid out for `width`: on one line if both fit side by
/// side, else each wrapped on its own lines.
struct CaptionLayout {
    en: Paragraph,
    ar: Paragraph,
    side_by_side: bool,
}

impl CaptionLayout {
    fn new(text: Bilingual<'_>, style: TextStyle, width: f32) -> Result<Self, DocumentError> {
        let en = layout(text.en, style, f32::INFINITY)?;
        let ar = layout(text.ar, style, f32::INFINITY)?;
        if en.width() + ar.width() + CAPTION_GAP <= width {
            return Ok(Self {
                en,
                ar,
                side_by_side: true,
            });
        }
        Ok(Self {
            en: layout(text.en, style, width)?,
            ar: layout(text.ar, style, width)?,
            side_by_side: false,
        })
    }

    fn height(&self) -> f32 {
        if self.side_by_side {
            self.en.height().max(self.ar.height())
        } else {
            self.en.height() + self.ar.height()
        }
    }
}

/// Draws a caption with the English at the left and the Arabic at the right of the box; if
/// they do not fit on one line, the Arabic goes on the next. Returns the height used.
pub(crate) fn caption(
    page: &mut Page,
    text: Bilingual<'_>,
    style: TextStyle,
    x: f32,
    y: f32,
    width: f32,
) -> Result<f32, DocumentError> {
    let caption = CaptionLayout::new(text, style, width)?;
    let en = page.paragraph(&caption.en, x, y, width, Align::Left);
    let ar_top = if caption.side_by_side { y } else { y + en };
    page.paragraph(&caption.ar, x, ar_top, width, Align::Right);
    Ok(caption.height())
}

/// The height [`caption`] would use.
pub(crate) fn caption_height(
    text: Bilingual<'_>,
    style: TextStyle,
    width: f32,
) -> Result<f32, DocumentError> {
    Ok(CaptionLayout::new(text, style, width)?.height())
}

/// One paragraph of a block, before fitting.
#[derive(Debug, Clone)]
pub(crate) struct Item {
    pub(crate) text: String,
    pub(crate) style: TextStyle,
}

impl Item {
    pub(crate) fn new(text: impl Into<String>, style: TextStyle) -> Self {
        Self {
            text: text.into(),
            style,
        }
    }
}

/// Smallest size text is shrunk to before it is cut (text already smaller keeps its size).
pub(crate) const MIN_SIZE: f32 = 5.5;

/// `style` scaled by `scale`, but never below [`MIN_SIZE`] (or its own size, if smaller).
fn scaled(style: TextStyle, scale: f32) -> TextStyle {
    style.sized((style.size * scale).max(style.size.min(MIN_SIZE)))
}

/// Lays out `items` in `width`, shrinking them all together (none below [`MIN_SIZE`]) until
/// they fit in `height`; if they still do not, the last ones are cut, ending with an
/// ellipsis. Empty items take no space.
pub(crate) fn fit_block(
    items: &[Item],
    width: f32,
    height: f32,
) -> Result<Vec<Paragraph>, DocumentError> {
    let largest = items.iter().map(|item| item.style.size).fold(0.0, f32::max);
    // Below this scale every item is at its floor.
    let min_scale = if largest > MIN_SIZE {
        MIN_SIZE / largest
    } else {
        1.0
    };
    let mut scale = 1.0f32;
    loop {
        let paragraphs = items
            .iter()
            .map(|item| layout(&item.text, scaled(item.style, scale), width))
            .collect::<Result<Vec<_>, _>>()?;
        let total: f32 = paragraphs.iter().map(Paragraph::height).sum();
        if total <= height {
            return Ok(paragraphs);
        }
        if scale <= min_scale {
            break;
        }
        scale = (scale - 0.05).max(min_scale);
    }
    // Still too tall at the smallest size: keep the items that fit, cut the next one to the
    // lines left (ending with an ellipsis); if no line is left for it, the last kept item ends
    // with the ellipsis instead, so a reader always sees that something is missing.
    let mut fitted: Vec<Paragraph> = Vec::with_capacity(items.len());
    let mut last_kept: Option<(usize, &Item)> = None;
    let mut left = height;
    for item in items {
        let style = scaled(item.style, min_scale);
        let paragraph = layout(&item.text, style, width)?;
        if paragraph.height() <= left {
            left -= paragraph.height();
            if !paragraph.lines.is_empty() {
                last_kept = Some((fitted.len(), item));
            }
            fitted.push(paragraph);
            continue;
        }
        let lines = (left / style.line_height()).floor();
        if lines >= 1.0 {
            fitted.push(layout_clamped(&item.text, style, width, lines as usize)?);
        } else if let Some((index, kept)) = last_kept
            && let Some(paragraph) = fitted.get_mut(index)
        {
            let marked = format!("{} {ELLIPSIS}", kept.text);
            let count = paragraph.lines.len();
            *paragraph = layout_clamped(&marked, paragraph.style, width, count)?;
        }
        break;
    }
    Ok(fitted)
}

/// Draws fitted paragraphs one under the other; returns the height used.
pub(crate) fn draw_block(
    page: &mut Page,
    paragraphs: &[Paragraph],
    x: f32,
    y: f32,
    width: f32,
    align: Align,
) -> f32 {
    let mut top = y;
    for paragraph in paragraphs {
        top += page.paragraph(paragraph, x, top, width, align);
    }
    top - y
}

/// A sender's or addressee's lines, grouped for a block.
#[derive(Debug, Clone)]
pub(crate) struct PartyLines {
    /// Name, business, address and city in the script they were written in.
    pub(crate) original: Vec<Item>,
    /// The Latin transliteration (name, address, city), when there is one.
    pub(crate) latin: Vec<Item>,
    /// Under both: the country in capitals and Arabic, then phone and e-mail.
    pub(crate) footer: Vec<Item>,
    /// Whether the original is right to left, so its column goes at the right.
    pub(crate) rtl: bool,
}

/// The lines of a party block with body text of `size` and the name of `name_size` points.
pub(crate) fn party_lines(party: &Party, size: f32, name_size: f32) -> PartyLines {
    let regular = TextStyle::regular(size);
    let mut original = vec![Item::new(party.name(), TextStyle::bold(name_size))];
    if let Some(business) = party.business_name() {
        original.push(Item::new(business, regular));
    }
    for line in party.address_lines() {
        original.push(Item::new(line.as_str(), regular));
    }
    original.push(Item::new(city_line(party), regular));
    let rtl = is_rtl(party.name());

    let mut latin = Vec::new();
    if let Some(transliteration) = party.latin() {
        latin.push(Item::new(
            transliteration.name(),
            TextStyle::bold(name_size),
        ));
        for line in transliteration.address_lines() {
            latin.push(Item::new(line.as_str(), regular));
        }
        let city = match party.postcode() {
            Some(postcode) => format!("{} {postcode}", transliteration.city()),
            None => transliteration.city().to_owned(),
        };
        latin.push(Item::new(city, regular));
    }

    let mut footer = vec![Item::new(
        country_line(party.country()),
        TextStyle::bold(size),
    )];
    let mut contact = Vec::new();
    if let Some(phone) = party.phone() {
        let caption = if rtl {
            strings::TEL.ar
        } else {
            strings::TEL.en
        };
        contact.push(format!("{caption} {}", ltr(phone)));
    }
    if let Some(email) = party.email() {
        contact.push(ltr(email));
    }
    if !contact.is_empty() {
        footer.push(Item::new(
            contact.join("   "),
            TextStyle::regular(size * 0.85),
        ));
    }
    PartyLines {
        original,
        latin,
        footer,
        rtl,
    }
}

/// Space between the original and the Latin column.
const GUTTER: f32 = 6.0;

/// Draws a party block in `area` (x, y, width, height) under a caption: the original and the
/// Latin transliteration side by side (the original at the right when it is Arabic), then the
/// country and contact lines across. Each part shrinks to fit on its own.
pub(crate) fn party_block(
    page: &mut Page,
    label: Bilingual<'_>,
    party: &Party,
    area: (f32, f32, f32, f32),
    sizes: (f32, f32),
) -> Result<(), DocumentError> {
    let (x, y, width, height) = area;
    let used = caption(page, label, TextStyle::bold(6.5), x, y, width)?;
    let lines = party_lines(party, sizes.0, sizes.1);
    let footer_room = (height - used) * 0.35;
    let footer = fit_block(&lines.footer, width, footer_room)?;
    let footer_height: f32 = footer.iter().map(Paragraph::height).sum();
    let room = height - used - footer_height;
    let top = y + used;
    let columns_height = if lines.latin.is_empty() {
        let original = fit_block(&lines.original, width, room)?;
        draw_block(page, &original, x, top, width, Align::Start)
    } else {
        let column = (width - GUTTER) / 2.0;
        let (original_x, latin_x) = if lines.rtl {
            (x + column + GUTTER, x)
        } else {
            (x, x + column + GUTTER)
        };
        let original = fit_block(&lines.original, column, room)?;
        let latin = fit_block(&lines.latin, column, room)?;
        let left = draw_block(page, &original, original_x, top, column, Align::Start);
        let right = draw_block(page, &latin, latin_x, top, column, Align::Left);
        left.max(right)
    };
    draw_block(page, &footer, x, top + columns_height, width, Align::Start);
    Ok(())
}

/// A framed cell with a bilingual caption on top and a value under it, shrunk to fit.
#[allow(clippy::too_many_arguments)]
pub(crate) fn cell(
    page: &mut Page,
    label: Bilingual<'_>,
    value: &str,
    value_style: TextStyle,
    x: f32,
    y: f32,
    width: f32,
    height: f32,
) -> Result<(), DocumentError> {
    let pad = mm(0.8);
    let inner = width - 2.0 * pad;
    let caption_style = TextStyle::regular(5.5);
    let used = caption(page, label, caption_style, x + pad, y + pad * 0.5, inner)?;
    let paragraphs = fit_block(&[Item::new(value, value_style)], inner, height - used - pad)?;
    draw_block(
        page,
        &paragraphs,
        x + pad,
        y + pad * 0.5 + used,
        inner,
        Align::Start,
    );
    Ok(())
}

/// The Code 128 of an item ID, centred in the box, with the spaced human-readable form under
/// it (`RR 123 456 785 EG`). The module is at most `max_dots` 203 dpi dots. Returns the height.
#[allow(clippy::too_many_arguments)]
pub(crate) fn item_barcode(
    page: &mut Page,
    id: &S10Id,
    x: f32,
    y: f32,
    width: f32,
    bar_height: f32,
    max_dots: u8,
    text_size: f32,
) -> Result<f32, DocumentError> {
    barcode(
        page,
        &id.to_string(),
        &id.human(),
        (x, y, width),
        bar_height,
        max_dots,
        text_size,
    )
}

/// The Code 128 of `data` centred in the box (`x`, `y`, `width`), with `human` (the spaced form
/// people read) under it. The module is the widest whole number of 203 dpi dots, at most
/// `max_dots`, at which the symbol and its quiet zones fit. Returns the height.
pub(crate) fn barcode(
    page: &mut Page,
    data: &str,
    human: &str,
    (x, y, width): (f32, f32, f32),
    bar_height: f32,
    max_dots: u8,
    text_size: f32,
) -> Result<f32, DocumentError> {
    let code = Code128::new(data)?;
    let module = code.module_for(width, max_dots)?;
    code.draw(page, x, width, y, bar_height, module);
    let style = TextStyle::bold(text_size);
    let gap = mm(1.0);
    let height = page.text(human, style, x, y + bar_height + gap, width, Align::Center)?;
    Ok(bar_height + gap + height)
}

/// `Page 2 / 5    صفحة 2 / 5`, with the numbers kept left to right in the Arabic. Returns the
/// height.
pub(crate) fn page_number(
    page: &mut Page,
    (number, total): (usize, usize),
    x: f32,
    y: f32,
    width: f32,
    align: Align,
) -> Result<f32, DocumentError> {
    let text = format!(
        "{} {number} / {total}    {} {}",
        strings::PAGE.en,
        strings::PAGE.ar,
        ltr(&format!("{number} / {total}"))
    );
    page.text(&text, TextStyle::regular(6.5), x, y, width, align)
}
