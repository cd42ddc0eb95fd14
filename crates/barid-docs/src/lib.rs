//! Barid's printed documents, as PDF bytes.
//!
//! What belongs here: the item label (100 × 150 mm), the CN 22 and CN 23 customs declarations,
//! the acceptance receipt, and what they are drawn with: the embedded OFL fonts, a small
//! Arabic/Latin text layout (bidi, shaping, wrapping) and Code 128 barcodes. Later documents
//! (CN 35 bag labels, CN 31/CN 38 bills) reuse the same pieces.
//!
//! What does not: I/O, the clock, storage, HTTP. Every document is a pure function from a plain
//! input struct of `barid-core` types to `Result<Vec<u8>, DocumentError>`; times are passed in.
//! Every printed caption is bilingual (English and Arabic) and lives in one place, `strings`.
//!
//! Choices made once for every document:
//! - **Sizes.** Item label 100 × 150 mm and CN 22 on the same thermal label stock; CN 23 on A4;
//!   acceptance receipt 80 mm wide (counter receipt printers), as long as its content.
//! - **Fonts.** Noto Sans and Noto Naskh Arabic, regular and bold (SIL OFL 1.1, see
//!   `fonts/OFL.txt`), compiled in and embedded as subsets. Each run of text gets the font of its
//!   script, since Noto Sans has no Arabic.
//! - **Barcodes.** Code 128 with code sets B and C chosen per run of digits (an S10 ID takes 156
//!   modules instead of 178); the module is 3 dots of a 203 dpi thermal printer (0.375 mm), bars
//!   start on a dot, and 10 modules of quiet zone stay clear on each side.
//! - **Determinism.** The same input gives the same bytes: the PDF's date is the document's own
//!   time (acceptance, posting), never the clock.

pub mod barcode;
mod canvas;
mod customs;
mod fonts;
mod format;
mod label;
mod parts;
mod receipt;
mod strings;
mod text;

// Unit tests share the integration tests' sample inputs, which name this crate `barid_docs`.
#[cfg(test)]
extern crate self as barid_docs;
#[cfg(test)]
#[path = "../tests/support/mod.rs"]
mod support;

pub use barcode::{Code128, encode_code128};
pub use customs::{CustomsInput, cn22, cn23, customs_declaration};
pub use label::{LabelInput, item_label};
pub use receipt::{ReceiptInput, acceptance_receipt};
pub use strings::{Bilingual, service_name};

/// Why a document could not be produced.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DocumentError {
    /// An embedded font did not parse; a unit test rules this out for the shipped files.
    #[error("the embedded font {0} could not be read")]
    Font(&'static str),
    /// The text cannot be carried by Code 128 (only printable ASCII can).
    #[error("{data:?} cannot be encoded as Code 128: {reason}")]
    Barcode { data: String, reason: String },
    /// The barcode does not fit the space the document gives it, even at the smallest module.
    #[error(
        "the Code 128 barcode of {data:?} needs {needed_mm:.1} mm with its quiet zones, \
         but only {available_mm:.1} mm are available"
    )]
    BarcodeTooWide {
        data: String,
        needed_mm: f32,
        available_mm: f32,
    },
    /// krilla refused to write the PDF.
    #[error("the PDF could not be written: {0}")]
    Pdf(String),
}
