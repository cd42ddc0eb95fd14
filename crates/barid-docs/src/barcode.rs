//! Code 128 barcodes for item IDs (S10, 13 characters) and receptacle IDs (S9, 29 characters).
//!
//! barcoders encodes a string that names its code sets explicitly (`Ɓ` set B, `Ć` set C) and
//! never switches by itself. [`Code128::new`] chooses them: set B for letters, set C (two
//! digits per symbol) for runs of digits long enough to pay for the switch, which is the
//! minimal encoding for the alphanumeric IDs Barid prints:
//!
//! - a run of digits at the start or the end goes to set C from 4 digits, one in the middle
//!   from 6 (a switch there and back costs two symbols); a whole numeric string from 2;
//! - an odd run keeps its first digit in set B.
//!
//! `RR123456785EG` becomes `ƁRR1Ć23456785ƁEG`: 156 modules instead of 178 in set B alone, so
//! the same label width gives wider bars.
//!
//! Drawing: the module (X dimension) is a whole number of dots of a 203 dpi thermal printer,
//! and the bars start on a dot boundary, so at 203 dpi every bar prints exactly; at least 10
//! modules of quiet zone are kept clear on each side.

use crate::DocumentError;
use crate::canvas::{Page, mm};

/// One dot of a 203 dpi thermal printer, in points.
pub(crate) const DOT_203: f32 = 72.0 / 203.0;

/// Taken off each side of every bar. A rasteriser that blackens every pixel a bar touches
/// (poppler's 1-bit output, printer drivers) would otherwise widen bars whose edges fall a hair
/// inside the previous dot by a whole dot; a twentieth of a dot keeps them exact at 203 dpi and
/// changes nothing visible elsewhere.
const BAR_WIDTH_REDUCTION: f32 = DOT_203 / 20.0;

/// The quiet zone Code 128 requires on each side, in modules.
pub const QUIET_ZONE_MODULES: usize = 10;

/// A Code 128 symbol for one ID.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Code128 {
    data: String,
    symbols: String,
    modules: Vec<bool>,
}

/// Encodes `data` (printable ASCII) as Code 128; see [`Code128::new`].
pub fn encode_code128(data: &str) -> Result<Code128, DocumentError> {
    Code128::new(data)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Set {
    B,
    C,
}

impl Set {
    fn marker(self) -> char {
        match self {
            Set::B => '\u{0181}',
            Set::C => '\u{0106}',
        }
    }
}

impl Code128 {
    /// Encodes printable ASCII (space to `~`), choosing code sets B and C as described in the
    /// module documentation.
    pub fn new(data: &str) -> Result<Self, DocumentError> {
        let refuse = |reason: String| DocumentError::Barcode {
            data: data.to_owned(),
            reason,
        };
        if data.is_empty() {
            return Err(refuse("there is nothing to encode".to_owned()));
        }
        if let Some(bad) = data.chars().find(|c| !(' '..='~').contains(c)) {
            return Err(refuse(format!(
                "{bad:?} is not printable ASCII (only space to ~ can be encoded)"
            )));
        }
        let symbols = choose_sets(data);
        let encoded = barcoders::sym::code128::Code128::new(&symbols)
            .map_err(|error| refuse(format!("{error:?} from the encoder for {symbols:?}")))?
            .encode();
        Ok(Self {
            data: data.to_owned(),
            symbols,
            modules: encoded.into_iter().map(|bit| bit == 1).collect(),
        })
    }

    /// The text the symbol carries, as a scanner reads it.
    pub fn data(&self) -> &str {
        &self.data
    }

    /// The encoder input with its code-set characters, e.g. `ƁRR1Ć23456785ƁEG`.
    pub fn symbols(&self) -> &str {
        &self.symbols
    }

    /// Bars (`true`) and spaces, one per module, from the start character to the stop
    /// pattern, without quiet zones.
    pub fn modules(&self) -> &[bool] {
        &self.modules
    }

    /// The width in modules including both quiet zones.
    pub fn total_modules(&self) -> usize {
        self.modules.len() + 2 * QUIET_ZONE_MODULES
    }

    /// The widest module, in whole 203 dpi dots from `max_dots` down to 2 (0.25 mm), at which
    /// the symbol and its quiet zones fit in `available` points.
    pub(crate) fn module_for(&self, available: f32, max_dots: u8) -> Result<f32, DocumentError> {
        let total = self.total_modules() as f32;
        (2..=max_dots.max(2))
            .rev()
            .map(|dots| f32::from(dots) * DOT_203)
            .find(|module| total * module <= available)
            .ok_or_else(|| DocumentError::BarcodeTooWide {
                data: self.data.clone(),
                needed_mm: total * 2.0 * DOT_203 / mm(1.0),
                available_mm: available / mm(1.0),
            })
    }

    /// Draws the bars centred in the box from `x` spanning `width`, from `y` down `height`
    /// points, with modules of `module` points; returns the x range the bars and quiet zones
    /// take.
    pub(crate) fn draw(
        &self,
        page: &mut Page,
        x: f32,
        width: f32,
        y: f32,
        height: f32,
        module: f32,
    ) -> (f32, f32) {
        let symbol_width = self.modules.len() as f32 * module;
        let centred = x + (width - symbol_width) / 2.0;
        // Snap the first bar to a 203 dpi dot so that bars print as whole dots.
        let left = (centred / DOT_203).round() * DOT_203;
        let mut start: Option<usize> = None;
        for (index, bar) in self
            .modules
            .iter()
            .chain(std::iter::once(&false))
            .enumerate()
        {
            match (bar, start) {
                (true, None) => start = Some(index),
                (false, Some(first)) => {
                    page.fill(
                        left + first as f32 * module + BAR_WIDTH_REDUCTION,
                        y,
                        (index - first) as f32 * module - 2.0 * BAR_WIDTH_REDUCTION,
                        height,
                    );
                    start = None;
                }
                _ => {}
            }
        }
        let quiet = QUIET_ZONE_MODULES as f32 * module;
        (left - quiet, left + symbol_width + quiet)
    }
}

/// Writes `data` (printable ASCII) with the code-set characters barcoders needs.
fn choose_sets(data: &str) -> String {
    let bytes = data.as_bytes();
    let mut out = String::with_capacity(data.len() + 4);
    let mut set: Option<Set> = None;
    let switch = |out: &mut String, set: &mut Option<Set>, wanted: Set| {
        if *set != Some(wanted) {
            out.push(wanted.marker());
            *set = Some(wanted);
        }
    };
    let mut index = 0;
    while index < bytes.len() {
        let run = bytes
            .get(index..)
            .unwrap_or_default()
            .iter()
            .take_while(|byte| byte.is_ascii_digit())
            .count();
        let at_start = index == 0;
        let at_end = index + run == bytes.len();
        let even = run - run % 2;
        let threshold = match (at_start, at_end) {
            (true, true) => 2,
            (true, false) | (false, true) => 4,
            (false, false) => 6,
        };
        if run > 0 && even >= threshold {
            let digits = data.get(index..index + run).unwrap_or_default();
            let (odd, pairs) = digits.split_at(run % 2);
            if !odd.is_empty() {
                switch(&mut out, &mut set, Set::B);
                out.push_str(odd);
            }
            switch(&mut out, &mut set, Set::C);
            out.push_str(pairs);
            index += run;
        } else {
            switch(&mut out, &mut set, Set::B);
            let take = run.max(1);
            out.push_str(data.get(index..index + take).unwrap_or_default());
            index += take;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Decodes module patterns back to set-B/C text, independently of barcoders, so a test can
    /// check that what is drawn carries the data.
    fn decode(modules: &[bool]) -> String {
        // Widths of bars and spaces, 6 per symbol (7 for the stop pattern).
        let mut widths = Vec::new();
        let mut last = modules[0];
        let mut count = 0;
        for &module in modules {
            if module == last {
                count += 1;
            } else {
                widths.push(count);
                last = module;
                count = 1;
            }
        }
        widths.push(count);
        // The Code 128 table, as bar/space widths.
        const PATTERNS: [&str; 106] = [
            "212222", "222122", "222221", "121223", "121322", "131222", "122213", "122312",
            "132212", "221213", "221312", "231212", "112232", "122132", "122231", "113222",
            "123122", "123221", "223211", "221132", "221231", "213212", "223112", "312131",
            "311222", "321122", "321221", "312212", "322112", "322211", "212123", "212321",
            "232121", "111323", "131123", "131321", "112313", "132113", "132311", "211313",
            "231113", "231311", "112133", "112331", "132131", "113123", "113321", "133121",
            "313121", "211331", "231131", "213113", "213311", "213131", "311123", "311321",
            "331121", "312113", "312311", "332111", "314111", "221411", "431111", "111224",
            "111422", "121124", "121421", "141122", "141221", "112214", "112412", "122114",
            "122411", "142112", "142211", "241211", "221114", "413111", "241112", "134111",
            "111242", "121142", "121241", "114212", "124112", "124211", "411212", "421112",
            "421211", "212141", "214121", "412121", "111143", "111341", "131141", "114113",
            "114311", "411113", "411311", "113141", "114131", "311141", "411131", "211412",
            "211214", "211232",
        ];
        // The stop pattern is the last 7 widths; every other symbol is 6.
        let (symbols, stop) = widths.split_at(widths.len() - 7);
        assert_eq!(stop, [2, 3, 3, 1, 1, 1, 2], "ends with the stop pattern");
        assert_eq!(symbols.len() % 6, 0);
        let values: Vec<usize> = symbols
            .chunks(6)
            .map(|chunk| {
                let key: String = chunk.iter().map(|w| w.to_string()).collect();
                PATTERNS.iter().position(|p| *p == key).unwrap()
            })
            .collect();
        let (start, rest) = values.split_first().unwrap();
        let (checksum, data) = rest.split_last().unwrap();
        let mut sum = *start;
        for (i, v) in data.iter().enumerate() {
            sum += (i + 1) * v;
        }
        assert_eq!(sum % 103, *checksum, "checksum");
        let mut set = match start {
            104 => 'B',
            105 => 'C',
            other => panic!("start {other}"),
        };
        let mut text = String::new();
        for &value in data {
            match (set, value) {
                ('B', 99) => set = 'C',
                ('C', 100) => set = 'B',
                ('B', v) => text.push(char::from(b' ' + v as u8)),
                ('C', v) => text.push_str(&format!("{v:02}")),
                _ => unreachable!(),
            }
        }
        text
    }

    #[test]
    fn an_s10_id_uses_set_c_for_its_serial_and_is_156_modules() {
        let code = Code128::new("RR123456785EG").unwrap();
        assert_eq!(code.symbols(), "\u{0181}RR1\u{0106}23456785\u{0181}EG");
        // Stop pattern included (13 modules); barcoders adds the 2-module termination bar.
        assert_eq!(code.modules().len(), 156);
        assert_eq!(decode(code.modules()), "RR123456785EG");
    }

    #[test]
    fn an_s9_receptacle_id_encodes_and_decodes() {
        let id = "EGCAIAJOAMMAAUN60001001100123";
        let code = Code128::new(id).unwrap();
        assert_eq!(decode(code.modules()), id);
        let set_b_only = (1 + 29 + 1) * 11 + 13;
        assert!(code.modules().len() < set_b_only);
    }

    #[test]
    fn refuses_what_code_128_set_b_cannot_carry() {
        assert!(matches!(
            Code128::new(""),
            Err(DocumentError::Barcode { .. })
        ));
        assert!(matches!(
            Code128::new("RR12é"),
            Err(DocumentError::Barcode { .. })
        ));
        assert!(matches!(
            Code128::new("A\nB"),
            Err(DocumentError::Barcode { .. })
        ));
    }

    #[test]
    fn the_module_is_a_whole_number_of_dots_and_errors_when_nothing_fits() {
        let code = Code128::new("RR123456785EG").unwrap();
        let module = code.module_for(mm(94.0), 3).unwrap();
        assert!((module - 3.0 * DOT_203).abs() < 1e-6);
        let smaller = code.module_for(mm(50.0), 3).unwrap();
        assert!((smaller - 2.0 * DOT_203).abs() < 1e-6);
        assert!(matches!(
            code.module_for(mm(20.0), 3),
            Err(DocumentError::BarcodeTooWide { .. })
        ));
    }

    proptest! {
        #[test]
        fn any_printable_ascii_round_trips(data in "[ -~]{1,40}") {
            let code = Code128::new(&data).unwrap();
            prop_assert_eq!(decode(code.modules()), data.clone());
            // Never longer than set B alone.
            prop_assert!(code.modules().len() <= (data.len() + 2) * 11 + 13);
        }
    }
}
