//! Text layout for mixed Arabic and Latin: bidi runs, a font per run, shaping, measuring,
//! greedy word wrapping.
//!
//! krilla's `draw_text` does no bidi, no font fallback and no line breaking, so every string a
//! document prints goes through [`layout`]:
//!
//! 1. control characters (line breaks, tabs, NUL) become spaces, so one string is one bidi
//!    paragraph whose direction comes from its first strong character (Unicode rules P2/P3);
//! 2. the paragraph is broken into lines at white space, measuring each word as shaped; a word
//!    wider than the line is broken between characters (never before a combining mark);
//! 3. each line is reordered into visual runs (unicode-bidi, rule L1 to L2); within a run every
//!    character gets Noto Naskh Arabic if it is Arabic, Noto Sans otherwise, and neutrals
//!    (spaces, digits, punctuation) keep the font of their neighbours so Arabic words joined by
//!    punctuation stay one shaping run;
//! 4. each single-font, single-direction segment is shaped by rustybuzz, which returns glyphs in
//!    visual order with Arabic joining forms, and clusters that map every glyph back to the
//!    logical text (so `pdftotext` gives the Arabic back in logical order).
//!
//! A character missing from both fonts is drawn as the .notdef box of the font its neighbours
//! use. Nothing here panics, whatever the input; a property test checks that.

use std::cell::RefCell;
use std::collections::{HashMap, VecDeque};
use std::ops::Range;
use std::sync::Arc;

use krilla::text::{GlyphId, KrillaGlyph};
use rustybuzz::{Direction, UnicodeBuffer};
use unicode_bidi::BidiInfo;

use crate::DocumentError;
use crate::fonts::{Family, FontId, Fonts, fonts};

/// Size and weight of a piece of text.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct TextStyle {
    /// Font size in points.
    pub(crate) size: f32,
    pub(crate) bold: bool,
}

impl TextStyle {
    pub(crate) const fn regular(size: f32) -> Self {
        Self { size, bold: false }
    }

    pub(crate) const fn bold(size: f32) -> Self {
        Self { size, bold: true }
    }

    /// The same weight at another size.
    pub(crate) fn sized(self, size: f32) -> Self {
        Self { size, ..self }
    }

    /// Distance between baselines of consecutive lines. Noto Naskh Arabic has tall marks and
    /// deep descenders, so this is more generous than Latin alone would need.
    pub(crate) fn line_height(self) -> f32 {
        self.size * LINE_HEIGHT
    }

    /// Distance from the top of a line box to its baseline.
    pub(crate) fn ascent(self) -> f32 {
        self.size * ASCENT
    }
}

/// Line height as a multiple of the font size.
const LINE_HEIGHT: f32 = 1.32;
/// Baseline position below the top of a line box, as a multiple of the font size.
const ASCENT: f32 = 0.98;

/// A run of glyphs in one font and one direction, ready to draw: glyphs are in visual order
/// and their text ranges index into `text`.
#[derive(Debug, Clone)]
pub(crate) struct GlyphRun {
    pub(crate) font: FontId,
    /// Where `text` starts in the paragraph, in bytes.
    pub(crate) start: usize,
    pub(crate) text: String,
    pub(crate) glyphs: Vec<KrillaGlyph>,
    /// Advance width in points.
    pub(crate) width: f32,
}

/// One line, its runs in visual order (left to right).
#[derive(Debug, Clone, Default)]
pub(crate) struct Line {
    pub(crate) runs: Vec<GlyphRun>,
    /// Advance width in points.
    pub(crate) width: f32,
    /// The line's text in logical order, for tests and debugging.
    #[cfg_attr(not(test), allow(dead_code))]
    pub(crate) text: String,
}

/// A laid-out paragraph.
#[derive(Debug, Clone)]
pub(crate) struct Paragraph {
    /// Shared, so that drawing a paragraph or taking it from a cache copies no glyphs.
    pub(crate) lines: Vec<Arc<Line>>,
    /// Whether the paragraph direction is right to left (first strong character Arabic).
    pub(crate) rtl: bool,
    pub(crate) style: TextStyle,
}

impl Paragraph {
    /// Height of all lines.
    pub(crate) fn height(&self) -> f32 {
        self.lines.len() as f32 * self.style.line_height()
    }

    /// Width of the widest line.
    pub(crate) fn width(&self) -> f32 {
        self.lines.iter().map(|line| line.width).fold(0.0, f32::max)
    }
}

/// Horizontal placement of each line within its box.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Align {
    /// Left for left-to-right paragraphs, right for right-to-left ones.
    Start,
    Left,
    Right,
    Center,
}

impl Align {
    /// The x of a line's left edge in a box from `x` spanning `width`.
    pub(crate) fn line_x(self, paragraph_rtl: bool, x: f32, width: f32, line_width: f32) -> f32 {
        match self {
            Align::Left => x,
            Align::Right => x + width - line_width,
            Align::Center => x + (width - line_width) / 2.0,
            Align::Start if paragraph_rtl => x + width - line_width,
            Align::Start => x,
        }
    }
}

/// Ends text that was cut to fit.
pub(crate) const ELLIPSIS: char = '\u{2026}';

/// Lays out `text` in lines at most `max_width` points wide (use `f32::INFINITY` for one
/// line). Empty or blank text gives no lines.
pub(crate) fn layout(
    text: &str,
    style: TextStyle,
    max_width: f32,
) -> Result<Paragraph, DocumentError> {
    layout_clamped(text, style, max_width, usize::MAX)
}

/// Like [`layout`], but at most `max_lines` lines; when text is cut, the last line ends with
/// an ellipsis so a reader sees that something is missing.
pub(crate) fn layout_clamped(
    text: &str,
    style: TextStyle,
    max_width: f32,
    max_lines: usize,
) -> Result<Paragraph, DocumentError> {
    let key = CacheKey {
        text: text.to_owned(),
        size: style.size.to_bits(),
        bold: style.bold,
        width: max_width.to_bits(),
        max_lines,
    };
    if let Some(hit) = CACHE.with(|cache| cache.borrow().get(&key).cloned()) {
        return Ok(hit);
    }
    let paragraph = layout_uncached(text, style, max_width, max_lines)?;
    CACHE.with(|cache| {
        let mut cache = cache.borrow_mut();
        if cache.len() >= CACHE_ENTRIES {
            cache.clear();
        }
        cache.insert(key, paragraph.clone());
    });
    Ok(paragraph)
}

/// What a laid-out paragraph depends on.
#[derive(Debug, PartialEq, Eq, Hash)]
struct CacheKey {
    text: String,
    size: u32,
    bold: bool,
    width: u32,
    max_lines: usize,
}

/// Paragraphs kept per thread. Captions, operator and service names and country names repeat
/// on every document, and shaping dominates layout time; the cache is emptied when full.
const CACHE_ENTRIES: usize = 256;

thread_local! {
    static CACHE: RefCell<HashMap<CacheKey, Paragraph>> = RefCell::new(HashMap::new());
}

/// Like [`layout_clamped`], without the thread's cache: for callers that keep their own (a
/// table lays out thousands of distinct IDs, which would only churn it).
pub(crate) fn layout_uncached(
    text: &str,
    style: TextStyle,
    max_width: f32,
    max_lines: usize,
) -> Result<Paragraph, DocumentError> {
    let fonts = fonts().map_err(DocumentError::Font)?;
    let text = sanitize(text);
    let bidi = BidiInfo::new(&text, None);
    let rtl = bidi
        .paragraphs
        .first()
        .is_some_and(|paragraph| paragraph.level.is_rtl());
    let max_width = if max_width.is_nan() {
        0.0
    } else {
        max_width.max(0.0)
    };
    let shaper = Shaper {
        fonts,
        text: &text,
        bidi: &bidi,
        style,
    };
    let trimmed = trimmed_range(&text);
    if trimmed.is_empty() || max_lines == 0 {
        return Ok(Paragraph {
            lines: Vec::new(),
            rtl,
            style,
        });
    }
    // Most fields fit on one line: shape the whole text once and keep it if it fits. Otherwise
    // its glyph advances give every word's width for breaking, and only the lines are shaped
    // again.
    let whole = shaper.line(trimmed.clone());
    let mut lines = if whole.width <= max_width {
        vec![(trimmed, whole)]
    } else {
        let advances = Advances::of(&whole, text.len(), style.size);
        let ranges = shaper.break_lines(&advances, max_width);
        shaper.settle(ranges, max_width)
    };
    if lines.len() > max_lines {
        lines.truncate(max_lines);
        if let Some((range, line)) = lines.last_mut() {
            *line = shaper.ellipsized(range.clone(), max_width);
        }
    }
    let lines = lines.into_iter().map(|(_, line)| Arc::new(line)).collect();
    Ok(Paragraph { lines, rtl, style })
}

/// Replaces control and paragraph-separator characters by spaces: a printed field is one
/// paragraph, and control characters have no glyphs.
fn sanitize(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}') {
                ' '
            } else {
                c
            }
        })
        .collect()
}

/// Arabic script blocks: Arabic, Supplement, Extended-B and -A, Presentation Forms-A and -B.
fn is_arabic(c: char) -> bool {
    matches!(c,
        '\u{0600}'..='\u{06FF}'
        | '\u{0750}'..='\u{077F}'
        | '\u{0870}'..='\u{08FF}'
        | '\u{FB50}'..='\u{FDFF}'
        | '\u{FE70}'..='\u{FEFC}')
}

/// Characters a shaper hides; they belong with their neighbours whatever the font has.
fn is_default_ignorable(c: char) -> bool {
    matches!(c,
        '\u{00AD}'
        | '\u{034F}'
        | '\u{061C}'
        | '\u{180E}'
        | '\u{200B}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{206F}'
        | '\u{FE00}'..='\u{FE0F}'
        | '\u{FEFF}')
}

/// Combining marks and joiners, before which a long word must not be broken.
fn is_attached(c: char) -> bool {
    is_default_ignorable(c)
        || matches!(c,
            '\u{0300}'..='\u{036F}'
            | '\u{0483}'..='\u{0489}'
            | '\u{0610}'..='\u{061A}'
            | '\u{064B}'..='\u{065F}'
            | '\u{0670}'
            | '\u{06D6}'..='\u{06DC}'
            | '\u{06DF}'..='\u{06E4}'
            | '\u{06E7}'..='\u{06E8}'
            | '\u{06EA}'..='\u{06ED}'
            | '\u{08D3}'..='\u{08FF}'
            | '\u{1AB0}'..='\u{1AFF}'
            | '\u{1DC0}'..='\u{1DFF}'
            | '\u{20D0}'..='\u{20FF}'
            | '\u{FE20}'..='\u{FE2F}')
}

struct Shaper<'a> {
    fonts: &'a Fonts,
    text: &'a str,
    bidi: &'a BidiInfo<'a>,
    style: TextStyle,
}

impl Shaper<'_> {
    fn font(&self, family: Family) -> FontId {
        FontId {
            family,
            bold: self.style.bold,
        }
    }

    /// Splits a same-direction run into single-font segments, in logical order.
    fn font_segments(&self, range: Range<usize>) -> Vec<(Family, Range<usize>)> {
        let Some(run) = self.text.get(range.clone()) else {
            return Vec::new();
        };
        let latin = self.fonts.get(self.font(Family::Latin));
        let arabic = self.fonts.get(self.font(Family::Arabic));
        let chars: Vec<(usize, char)> = run.char_indices().collect();
        // Strong pass: letters decide their own font.
        let mut families: Vec<Option<Family>> = chars
            .iter()
            .map(|&(_, c)| {
                if is_arabic(c) {
                    Some(Family::Arabic)
                } else if c.is_alphabetic() {
                    if !latin.has_glyph(c) && arabic.has_glyph(c) {
                        Some(Family::Arabic)
                    } else {
                        Some(Family::Latin)
                    }
                } else {
                    None
                }
            })
            .collect();
        // Neutral pass: keep the previous character's font, or take the next letter's.
        let mut next_strong: Vec<Option<Family>> = vec![None; chars.len()];
        let mut upcoming = None;
        for (slot, family) in next_strong.iter_mut().zip(&families).rev() {
            if family.is_some() {
                upcoming = *family;
            }
            *slot = upcoming;
        }
        let mut previous: Option<Family> = None;
        for ((family, &(_, c)), next) in families.iter_mut().zip(&chars).zip(&next_strong) {
            let resolved = match *family {
                Some(strong) => strong,
                None => {
                    let wanted = previous.or(*next).unwrap_or(Family::Latin);
                    let other = match wanted {
                        Family::Latin => Family::Arabic,
                        Family::Arabic => Family::Latin,
                    };
                    if is_default_ignorable(c) || self.fonts.get(self.font(wanted)).has_glyph(c) {
                        wanted
                    } else if self.fonts.get(self.font(other)).has_glyph(c) {
                        other
                    } else {
                        wanted
                    }
                }
            };
            *family = Some(resolved);
            previous = Some(resolved);
        }
        let mut segments: Vec<(Family, Range<usize>)> = Vec::new();
        for (&(offset, c), family) in chars.iter().zip(&families) {
            let family = family.unwrap_or(Family::Latin);
            let start = range.start + offset;
            let end = start + c.len_utf8();
            match segments.last_mut() {
                Some((last, last_range)) if *last == family => last_range.end = end,
                _ => segments.push((family, start..end)),
            }
        }
        segments
    }

    /// Shapes one single-font, single-direction segment.
    fn shape(&self, family: Family, range: Range<usize>, rtl: bool) -> GlyphRun {
        let id = self.font(family);
        let font = self.fonts.get(id);
        let range_start = range.start;
        let text = self.text.get(range).unwrap_or_default().to_owned();
        let mut buffer = UnicodeBuffer::new();
        buffer.push_str(&text);
        buffer.set_direction(if rtl {
            Direction::RightToLeft
        } else {
            Direction::LeftToRight
        });
        buffer.set_script(font.script);
        let shaped = rustybuzz::shape_with_plan(&font.face, font.plan(rtl), buffer);
        let infos = shaped.glyph_infos();
        let positions = shaped.glyph_positions();
        let mut clusters: Vec<usize> = infos.iter().map(|info| info.cluster as usize).collect();
        clusters.sort_unstable();
        clusters.dedup();
        let upem = font.units_per_em;
        let mut advance = 0.0;
        let glyphs = infos
            .iter()
            .zip(positions)
            .filter_map(|(info, position)| {
                let start = (info.cluster as usize).min(text.len());
                let end = clusters
                    .iter()
                    .find(|&&cluster| cluster > start)
                    .copied()
                    .unwrap_or(text.len());
                let x_advance = position.x_advance as f32 / upem;
                advance += x_advance;
                // Bidi controls and joiners are shaped as invisible zero-width glyphs. Drawn,
                // they would still claim their glyph's width in the PDF font, and text
                // extractors would put them in the middle of the next word; they are left out.
                let invisible = x_advance == 0.0
                    && text
                        .get(start..end)
                        .is_some_and(|cluster| cluster.chars().all(is_default_ignorable));
                (!invisible).then(|| {
                    KrillaGlyph::new(
                        GlyphId::new(info.glyph_id),
                        x_advance,
                        position.x_offset as f32 / upem,
                        position.y_offset as f32 / upem,
                        position.y_advance as f32 / upem,
                        start..end,
                        None,
                    )
                })
            })
            .collect();
        GlyphRun {
            font: id,
            start: range_start,
            text,
            glyphs,
            width: advance * self.style.size,
        }
    }

    /// Lays out one line: visual runs, font segments, shaping.
    fn line(&self, range: Range<usize>) -> Line {
        let Some(text) = self.text.get(range.clone()) else {
            return Line::default();
        };
        let Some(paragraph) = self
            .bidi
            .paragraphs
            .iter()
            .find(|paragraph| paragraph.range.contains(&range.start))
        else {
            return Line::default();
        };
        let end = range.end.min(paragraph.range.end);
        let (levels, runs) = self.bidi.visual_runs(paragraph, range.start..end);
        let mut line = Line {
            text: text.to_owned(),
            ..Line::default()
        };
        for run in runs {
            let rtl = levels.get(run.start).is_some_and(|level| level.is_rtl());
            let mut segments = self.font_segments(run);
            if rtl {
                segments.reverse();
            }
            for (family, segment) in segments {
                let glyph_run = self.shape(family, segment, rtl);
                line.width += glyph_run.width;
                line.runs.push(glyph_run);
            }
        }
        line
    }

    /// The last line of clamped text: as much of the line as fits with an ellipsis after it.
    fn ellipsized(&self, range: Range<usize>, max_width: f32) -> Line {
        let rest = self.text.get(range).unwrap_or_default();
        let mut cut = rest.len();
        loop {
            let kept = rest.get(..cut).unwrap_or_default().trim_end();
            let candidate = format!("{kept}{ELLIPSIS}");
            let line = single_line(self.fonts, &candidate, self.style);
            if line.width <= max_width || kept.is_empty() {
                return line;
            }
            cut = previous_boundary(rest, cut);
        }
    }

    /// Greedy line breaking at white space, from the advances of the whole text shaped on
    /// one line; words wider than a line are broken between characters.
    fn break_lines(&self, advances: &Advances, max_width: f32) -> Vec<Range<usize>> {
        let mut lines: Vec<Range<usize>> = Vec::new();
        let mut current: Option<Range<usize>> = None;
        let mut queue: VecDeque<Range<usize>> = words(self.text).into();
        while let Some(word) = queue.pop_front() {
            if advances.width(word.clone()) > max_width {
                // Too wide for any line: finish the current line, then break the word.
                if let Some(range) = current.take() {
                    lines.push(range);
                }
                let cut = self.fitting_prefix(advances, word.clone(), max_width);
                lines.push(word.start..cut);
                if cut < word.end {
                    queue.push_front(cut..word.end);
                }
                continue;
            }
            current = match current.take() {
                None => Some(word),
                Some(range) => {
                    let joined = range.start..word.end;
                    if advances.width(joined.clone()) <= max_width {
                        Some(joined)
                    } else {
                        lines.push(range);
                        Some(word)
                    }
                }
            };
        }
        if let Some(range) = current {
            lines.push(range);
        }
        lines
    }

    /// Shapes each line. Widths measured on the whole text can differ a little from a line
    /// shaped alone (kerning and joining at the break, font changes); a line that comes out too
    /// wide hands its last word, or for a broken word its last character, to the next line.
    fn settle(&self, ranges: Vec<Range<usize>>, max_width: f32) -> Vec<(Range<usize>, Line)> {
        let mut settled = Vec::with_capacity(ranges.len());
        let mut pending: VecDeque<Range<usize>> = ranges.into();
        while let Some(mut range) = pending.pop_front() {
            let mut line = self.line(range.clone());
            while line.width > max_width {
                let Some(cut) = self.last_break(range.clone()) else {
                    break;
                };
                let head_end = trimmed_end(self.text, range.start, cut);
                if head_end <= range.start {
                    break;
                }
                let tail_start = skip_spaces(self.text, cut, range.end);
                match pending.front_mut() {
                    // The ranges are contiguous in the text, so the tail joins the next line.
                    Some(next) => next.start = tail_start,
                    None => pending.push_front(tail_start..range.end),
                }
                range = range.start..head_end;
                line = self.line(range.clone());
            }
            settled.push((range, line));
        }
        settled
    }

    /// Where to cut an overlong line: before its last word, or, with no space, before its last
    /// character (never before a combining mark).
    fn last_break(&self, range: Range<usize>) -> Option<usize> {
        let text = self.text.get(range.clone())?;
        if let Some(space) = text.rfind(char::is_whitespace) {
            return Some(range.start + space);
        }
        text.char_indices()
            .rev()
            .find(|&(offset, c)| offset > 0 && !is_attached(c))
            .map(|(offset, _)| range.start + offset)
    }

    /// The end of the longest prefix of `word` that fits in `max_width`, at least one
    /// character (with its marks) so that layout always advances.
    fn fitting_prefix(&self, advances: &Advances, word: Range<usize>, max_width: f32) -> usize {
        let Some(text) = self.text.get(word.clone()) else {
            return word.end;
        };
        let mut boundaries = text
            .char_indices()
            .filter(|&(offset, c)| offset > 0 && !is_attached(c))
            .map(|(offset, _)| word.start + offset)
            .chain(std::iter::once(word.end));
        let first = boundaries.next().unwrap_or(word.end);
        let mut best = first;
        for end in boundaries {
            if advances.width(word.start..end) > max_width {
                break;
            }
            best = end;
        }
        if advances.width(word.start..first) > max_width {
            first
        } else {
            best
        }
    }
}

/// The advance of every character of a paragraph, from its glyphs shaped on one line: the
/// width of any range is then a difference of two prefix sums.
struct Advances {
    /// `prefix[i]` is the advance of bytes `..i`, in points.
    prefix: Vec<f32>,
}

impl Advances {
    fn of(line: &Line, len: usize, size: f32) -> Self {
        let mut per_byte = vec![0.0f32; len + 1];
        for run in &line.runs {
            for glyph in &run.glyphs {
                if let Some(slot) = per_byte.get_mut(run.start + glyph.text_range.start) {
                    *slot += glyph.x_advance * size;
                }
            }
        }
        let mut prefix = Vec::with_capacity(len + 1);
        let mut sum = 0.0;
        prefix.push(0.0);
        for advance in per_byte.iter().take(len) {
            sum += advance;
            prefix.push(sum);
        }
        Self { prefix }
    }

    fn width(&self, range: Range<usize>) -> f32 {
        let at = |index: usize| self.prefix.get(index).copied().unwrap_or(0.0);
        at(range.end) - at(range.start)
    }
}

/// A single line of `text` (already sanitized), with no wrapping.
fn single_line(fonts: &Fonts, text: &str, style: TextStyle) -> Line {
    let bidi = BidiInfo::new(text, None);
    let shaper = Shaper {
        fonts,
        text,
        bidi: &bidi,
        style,
    };
    shaper.line(0..text.len())
}

/// Byte ranges of the words of `text` (maximal runs without white space).
fn words(text: &str) -> Vec<Range<usize>> {
    let mut words = Vec::new();
    let mut start: Option<usize> = None;
    for (offset, c) in text.char_indices() {
        match (c.is_whitespace(), start) {
            (true, Some(begin)) => {
                words.push(begin..offset);
                start = None;
            }
            (false, None) => start = Some(offset),
            _ => {}
        }
    }
    if let Some(begin) = start {
        words.push(begin..text.len());
    }
    words
}

/// `text` without leading and trailing white space, as a range.
fn trimmed_range(text: &str) -> Range<usize> {
    let start = text.len() - text.trim_start().len();
    let end = text.trim_end().len().max(start);
    start..end
}

/// The end of `text[start..end]` without trailing white space.
fn trimmed_end(text: &str, start: usize, end: usize) -> usize {
    text.get(start..end)
        .map_or(start, |slice| start + slice.trim_end().len())
}

/// The first position at or after `start` (and before `end`) that is not white space.
fn skip_spaces(text: &str, start: usize, end: usize) -> usize {
    text.get(start..end)
        .map_or(end, |slice| end - slice.trim_start().len())
}

/// The char boundary before `index` (0 stays 0).
fn previous_boundary(text: &str, index: usize) -> usize {
    text.get(..index)
        .and_then(|head| head.char_indices().next_back())
        .map_or(0, |(offset, _)| offset)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn families(line: &Line) -> Vec<(Family, String)> {
        line.runs
            .iter()
            .map(|run| (run.font.family, run.text.clone()))
            .collect()
    }

    #[test]
    fn arabic_runs_use_the_arabic_font_and_latin_runs_the_latin_font() {
        let paragraph = layout("From رام الله to Cairo", TextStyle::regular(10.0), 1000.0).unwrap();
        assert!(!paragraph.rtl);
        let line = &paragraph.lines[0];
        assert_eq!(
            families(line),
            vec![
                (Family::Latin, "From ".to_owned()),
                (Family::Arabic, "رام الله".to_owned()),
                (Family::Latin, " to Cairo".to_owned()),
            ]
        );
        // A number after Arabic belongs to the Arabic phrase (rule W2): it goes to its left.
        let paragraph = layout("Ramallah رام الله 2026", TextStyle::regular(10.0), 1000.0).unwrap();
        assert_eq!(
            families(&paragraph.lines[0]),
            vec![
                (Family::Latin, "Ramallah ".to_owned()),
                (Family::Latin, "2026".to_owned()),
                (Family::Arabic, "رام الله ".to_owned()),
            ]
        );
    }

    #[test]
    fn a_right_to_left_paragraph_puts_its_first_word_rightmost() {
        let paragraph = layout("شارع التحرير 12", TextStyle::regular(10.0), 1000.0).unwrap();
        assert!(paragraph.rtl);
        let runs = families(&paragraph.lines[0]);
        // Visual order, left to right: the number, then the Arabic words.
        assert_eq!(runs.first().unwrap().1, "12");
        assert_eq!(runs.last().unwrap().1, "شارع التحرير ");
        // The Arabic run is shaped right to left: its leftmost letter is the last one typed.
        let arabic = &paragraph.lines[0].runs.last().unwrap();
        let leftmost = arabic
            .glyphs
            .iter()
            .map(|glyph| &arabic.text[glyph.text_range.clone()])
            .find(|text| !text.trim().is_empty())
            .unwrap();
        assert_eq!(leftmost, "ر");
    }

    #[test]
    fn arabic_letters_are_shaped_into_joining_forms() {
        let fonts = fonts().unwrap();
        // Isolated forms of the letters, one by one, versus the word: shaping must choose other
        // glyphs (initial, medial, final forms).
        let word = layout("بيت", TextStyle::regular(10.0), 1000.0).unwrap();
        let joined: Vec<u32> = word.lines[0].runs[0]
            .glyphs
            .iter()
            .map(|g| g.glyph_id.to_u32())
            .collect();
        let naskh = fonts.get(FontId {
            family: Family::Arabic,
            bold: false,
        });
        let isolated: Vec<u32> = "تيب"
            .chars()
            .filter_map(|c| naskh.face.glyph_index(c))
            .map(|g| u32::from(g.0))
            .collect();
        assert_eq!(joined.len(), 3);
        assert_ne!(joined, isolated);
    }

    #[test]
    fn every_arabic_glyph_stands_for_one_character() {
        // Without the optional "لله" ligature, text extractors get "الله" back in order.
        let paragraph = layout("عبد الله", TextStyle::regular(10.0), 1000.0).unwrap();
        let run = &paragraph.lines[0].runs[0];
        assert_eq!(run.glyphs.len(), "عبد الله".chars().count());
        for glyph in &run.glyphs {
            assert_eq!(run.text[glyph.text_range.clone()].chars().count(), 1);
        }
    }

    #[test]
    fn long_text_wraps_within_the_width_and_keeps_every_word() {
        let text = "Apartment 14, Building 7, Al-Irsal Street, near the Ministry of Health, \
                    Al-Bireh, Ramallah and al-Bireh Governorate";
        let paragraph = layout(text, TextStyle::regular(9.0), 120.0).unwrap();
        assert!(paragraph.lines.len() > 3);
        for line in &paragraph.lines {
            assert!(line.width <= 120.0, "{} is {} wide", line.text, line.width);
        }
        let rejoined: Vec<&str> = paragraph
            .lines
            .iter()
            .flat_map(|line| line.text.split_whitespace())
            .collect();
        assert_eq!(rejoined, text.split_whitespace().collect::<Vec<_>>());
    }

    #[test]
    fn long_arabic_text_wraps_within_the_width() {
        let text = "عمارة ١٤، شارع الإرسال، بالقرب من وزارة الصحة، البيرة، محافظة رام الله والبيرة";
        let paragraph = layout(text, TextStyle::regular(9.0), 100.0).unwrap();
        assert!(paragraph.rtl);
        assert!(paragraph.lines.len() > 2);
        assert!(paragraph.lines.iter().all(|line| line.width <= 100.0));
        assert_eq!(
            paragraph.lines[0].text.split_whitespace().next(),
            Some("عمارة")
        );
    }

    #[test]
    fn a_word_longer_than_the_line_is_broken_between_characters() {
        let word = "x".repeat(200);
        let paragraph = layout(&word, TextStyle::regular(9.0), 50.0).unwrap();
        assert!(paragraph.lines.len() > 5);
        assert!(paragraph.lines.iter().all(|line| line.width <= 50.0));
        let rejoined: String = paragraph
            .lines
            .iter()
            .map(|line| line.text.as_str())
            .collect();
        assert_eq!(rejoined, word);
    }

    #[test]
    fn clamped_text_ends_with_an_ellipsis_and_fits() {
        let text = "word ".repeat(100);
        let paragraph = layout_clamped(&text, TextStyle::regular(9.0), 80.0, 3).unwrap();
        assert_eq!(paragraph.lines.len(), 3);
        assert!(paragraph.lines[2].text.ends_with(ELLIPSIS));
        assert!(paragraph.lines.iter().all(|line| line.width <= 80.0));
    }

    #[test]
    fn empty_and_blank_text_have_no_lines() {
        for text in ["", "   ", "\n\t"] {
            assert!(
                layout(text, TextStyle::regular(9.0), 100.0)
                    .unwrap()
                    .lines
                    .is_empty()
            );
        }
    }

    #[test]
    fn characters_missing_from_both_fonts_still_lay_out() {
        let paragraph = layout("漢字 😀 אבג", TextStyle::regular(9.0), 100.0).unwrap();
        assert!(!paragraph.lines.is_empty());
        assert!(paragraph.lines.iter().all(|line| !line.runs.is_empty()));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        #[test]
        fn layout_never_panics_and_stays_within_its_width(
            text in "(?s).{0,60}|\\PC{0,80}|[a-zA-Z \u{0600}-\u{06FF}\u{200c}-\u{200f}\u{202a}-\u{202e}\u{2066}-\u{2069}0-9(),.-]{0,120}",
            width in 0.0f32..300.0,
            size in 1.0f32..30.0,
            bold in any::<bool>(),
            max_lines in 1usize..6,
        ) {
            let style = TextStyle { size, bold };
            let paragraph = layout(&text, style, width).unwrap();
            for line in &paragraph.lines {
                // A line may only be too wide if it holds a single character (and its marks).
                let graphemes = line.text.chars().filter(|&c| !is_attached(c)).count();
                prop_assert!(line.width <= width + 0.01 || graphemes <= 1,
                    "{:?} is {} wide in {}", line.text, line.width, width);
            }
            let clamped = layout_clamped(&text, style, width, max_lines).unwrap();
            prop_assert!(clamped.lines.len() <= max_lines);
        }

        #[test]
        fn wrapping_keeps_every_non_space_character(text in "[a-z \u{0627}-\u{064a}0-9]{0,150}", width in 20.0f32..200.0) {
            let paragraph = layout(&text, TextStyle::regular(9.0), width).unwrap();
            let kept: String = paragraph.lines.iter().flat_map(|l| l.text.chars()).filter(|c| !c.is_whitespace()).collect();
            let given: String = text.chars().filter(|c| !c.is_whitespace()).collect();
            prop_assert_eq!(kept, given);
        }
    }
}
