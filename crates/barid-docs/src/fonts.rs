//! The four embedded fonts and everything parsed from them once per process.
//!
//! Noto Sans (Latin, Greek, Cyrillic, digits, punctuation) and Noto Naskh Arabic, each in
//! regular and bold, copied unmodified from Debian's `fonts-noto-core` and licensed under the
//! SIL Open Font License 1.1 (`fonts/OFL.txt`). They are compiled into the binary with
//! `include_bytes!`, so nothing is read from disk or downloaded at build or run time.
//!
//! Parsing a font (and hashing its bytes, which krilla does) and building a shaping plan cost
//! far more than laying out a label, so they happen once, lazily, and are shared by every
//! render. The cache holds only data derived from the embedded bytes: it is not I/O.

use std::sync::LazyLock;

use rustybuzz::ttf_parser::Tag;
use rustybuzz::{Direction, Face, Feature, ShapePlan, script};

const SANS_REGULAR: &[u8] = include_bytes!("../fonts/NotoSans-Regular.ttf");
const SANS_BOLD: &[u8] = include_bytes!("../fonts/NotoSans-Bold.ttf");
const NASKH_REGULAR: &[u8] = include_bytes!("../fonts/NotoNaskhArabic-Regular.ttf");
const NASKH_BOLD: &[u8] = include_bytes!("../fonts/NotoNaskhArabic-Bold.ttf");

/// The script family a run is set in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Family {
    /// Noto Sans: Latin and everything that is not Arabic.
    Latin,
    /// Noto Naskh Arabic.
    Arabic,
}

/// One of the four embedded faces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct FontId {
    pub(crate) family: Family,
    pub(crate) bold: bool,
}

impl FontId {
    fn name(self) -> &'static str {
        match (self.family, self.bold) {
            (Family::Latin, false) => "NotoSans-Regular",
            (Family::Latin, true) => "NotoSans-Bold",
            (Family::Arabic, false) => "NotoNaskhArabic-Regular",
            (Family::Arabic, true) => "NotoNaskhArabic-Bold",
        }
    }
}

/// A parsed face with what shaping and drawing need.
pub(crate) struct LoadedFont {
    pub(crate) face: Face<'static>,
    pub(crate) pdf: krilla::text::Font,
    /// Font units per em, to turn rustybuzz advances into em fractions.
    pub(crate) units_per_em: f32,
    /// Shaping plans for left-to-right and right-to-left runs, built once.
    ltr: ShapePlan,
    rtl: ShapePlan,
    /// The script every run in this face is shaped as (the plan must match the buffer).
    pub(crate) script: rustybuzz::Script,
}

impl std::fmt::Debug for LoadedFont {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoadedFont")
            .field("units_per_em", &self.units_per_em)
            .finish_non_exhaustive()
    }
}

impl LoadedFont {
    fn load(bytes: &'static [u8], family: Family) -> Option<Self> {
        let face = Face::from_slice(bytes, 0)?;
        let pdf = krilla::text::Font::new(bytes.into(), 0)?;
        let units_per_em = face.units_per_em() as f32;
        if units_per_em <= 0.0 {
            return None;
        }
        let script = match family {
            Family::Latin => script::LATIN,
            Family::Arabic => script::ARABIC,
        };
        // Noto Naskh Arabic's optional ligatures (`liga`) include one glyph for "لله" in every
        // "الله" (as in عبد الله). Text extractors such as pdftotext reverse a many-character
        // glyph in right-to-left text, so that name would come back as "اهلل". Without `liga`
        // every Arabic glyph stands for one character; letters still join, and the required
        // lam-alef forms (`rlig`) are kept.
        let features = match family {
            Family::Latin => Vec::new(),
            Family::Arabic => vec![Feature::new(Tag::from_bytes(b"liga"), 0, ..)],
        };
        let ltr = ShapePlan::new(&face, Direction::LeftToRight, Some(script), None, &features);
        let rtl = ShapePlan::new(&face, Direction::RightToLeft, Some(script), None, &features);
        Some(Self {
            face,
            pdf,
            units_per_em,
            ltr,
            rtl,
            script,
        })
    }

    pub(crate) fn plan(&self, rtl: bool) -> &ShapePlan {
        if rtl { &self.rtl } else { &self.ltr }
    }

    /// Whether the face has a glyph for `c` (other than .notdef).
    pub(crate) fn has_glyph(&self, c: char) -> bool {
        self.face.glyph_index(c).is_some()
    }
}

/// All four faces; `None` only if an embedded file failed to parse, which a test rules out.
#[derive(Debug)]
pub(crate) struct Fonts {
    sans: LoadedFont,
    sans_bold: LoadedFont,
    naskh: LoadedFont,
    naskh_bold: LoadedFont,
}

impl Fonts {
    pub(crate) fn get(&self, id: FontId) -> &LoadedFont {
        match (id.family, id.bold) {
            (Family::Latin, false) => &self.sans,
            (Family::Latin, true) => &self.sans_bold,
            (Family::Arabic, false) => &self.naskh,
            (Family::Arabic, true) => &self.naskh_bold,
        }
    }
}

static FONTS: LazyLock<Result<Fonts, &'static str>> = LazyLock::new(|| {
    let load = |bytes, id: FontId| LoadedFont::load(bytes, id.family).ok_or(id.name());
    Ok(Fonts {
        sans: load(
            SANS_REGULAR,
            FontId {
                family: Family::Latin,
                bold: false,
            },
        )?,
        sans_bold: load(
            SANS_BOLD,
            FontId {
                family: Family::Latin,
                bold: true,
            },
        )?,
        naskh: load(
            NASKH_REGULAR,
            FontId {
                family: Family::Arabic,
                bold: false,
            },
        )?,
        naskh_bold: load(
            NASKH_BOLD,
            FontId {
                family: Family::Arabic,
                bold: true,
            },
        )?,
    })
});

/// The shared, parsed fonts, or the name of the embedded file that failed to parse.
pub(crate) fn fonts() -> Result<&'static Fonts, &'static str> {
    FONTS.as_ref().map_err(|name| *name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_embedded_font_parses_and_covers_its_script() {
        let fonts = fonts().unwrap();
        for bold in [false, true] {
            let latin = fonts.get(FontId {
                family: Family::Latin,
                bold,
            });
            let arabic = fonts.get(FontId {
                family: Family::Arabic,
                bold,
            });
            assert!(latin.has_glyph('A') && latin.has_glyph('é') && latin.has_glyph('0'));
            assert!(
                !latin.has_glyph('ع'),
                "Noto Sans has no Arabic: runs need their own font"
            );
            assert!(arabic.has_glyph('ع') && arabic.has_glyph('ـ') && arabic.has_glyph('،'));
        }
    }
}
