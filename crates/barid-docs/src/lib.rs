//! Barid's printed documents, as PDF bytes.
//!
//! What belongs here: the item label (100 × 150 mm), the CN 22 and CN 23 customs declarations,
//! the acceptance receipt; the office-of-exchange documents: the CN 35 (or CN 34) receptacle
//! label, the CN 31 letter bill, the CN 33 special list of registered items, the delivery bills
//! (CN 38, CN 41, CN 37 by category) and the CN 43 verification note; the monthly
//! quality-of-service report between two posts (A4, with its charts); and what they are drawn
//! with: the embedded OFL fonts, a small Arabic/Latin text layout (bidi, shaping, wrapping),
//! Code 128 barcodes, ruled tables and A4 sheets that continue over pages.
//!
//! What does not: I/O, the clock, storage, HTTP. Every document is a pure function from a plain
//! input struct of `barid-core` types to `Result<Vec<u8>, DocumentError>`; times are passed in.
//! Every printed caption is bilingual (English and Arabic) and lives in one place, `strings`.
//!
//! Choices made once for every document:
//! - **Sizes.** Item label, receptacle label and CN 22 on the same 100 × 150 mm thermal label
//!   stock; CN 23 and the office-of-exchange forms on A4; acceptance receipt 80 mm wide
//!   (counter receipt printers), as long as its content.
//! - **Fonts.** Noto Sans and Noto Naskh Arabic, regular and bold (SIL OFL 1.1, see
//!   `fonts/OFL.txt`), compiled in and embedded as subsets. Each run of text gets the font of its
//!   script, since Noto Sans has no Arabic.
//! - **Barcodes.** Code 128 with code sets B and C chosen per run of digits (an S10 ID takes 156
//!   modules instead of 178, an S9 ID 288 instead of 354); the module is 3 dots of a 203 dpi
//!   thermal printer (0.375 mm), or 2 (0.25 mm) where the ID is too long for that, bars start
//!   on a dot, and 10 modules of quiet zone stay clear on each side.
//! - **Determinism.** The same input gives the same bytes: the PDF's date is the document's own
//!   time (acceptance, posting), never the clock.

pub mod barcode;
mod canvas;
mod customs;
mod delivery_bill;
mod exchange;
mod fonts;
mod format;
mod label;
mod letter_bill;
mod parts;
mod quality_report;
mod receipt;
mod receptacle_label;
mod sheet;
mod special_list;
mod strings;
mod table;
mod text;
mod verification_note;

// Unit tests share the integration tests' sample inputs, which name this crate `barid_docs`.
#[cfg(test)]
extern crate self as barid_docs;
#[cfg(test)]
#[path = "../tests/support/mod.rs"]
mod support;

pub use barcode::{Code128, encode_code128};
pub use customs::{CustomsInput, cn22, cn23, customs_declaration};
pub use delivery_bill::{
    DeliveryBillDispatch, DeliveryBillForm, DeliveryBillInput, Transport, delivery_bill,
};
pub use exchange::{DispatchHeader, DispatchReceptacle, Office, OfficeName};
pub use label::{LabelInput, item_label};
pub use letter_bill::{LetterBillInput, letter_bill};
pub use quality_report::{
    QualityDirection, QualityLegFigures, QualityMonthPoint, QualityReportInput,
    QualityServiceFigures, QualityStuckItem, quality_report,
};
pub use receipt::{ReceiptInput, acceptance_receipt};
pub use receptacle_label::{ReceptacleLabelInput, receptacle_label, receptacle_labels};
pub use special_list::{RegisteredItem, SpecialListInput, special_list};
pub use strings::{Bilingual, service_name};
pub use verification_note::{VerificationNoteInput, verification_note};

use barid_core::{DispatchId, Grams, ReceptacleId};

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
    /// A document that lists things was given none, and a PDF needs at least one page.
    #[error("nothing to print: {0}")]
    Empty(&'static str),
    /// A receptacle's measured gross weight does not round to the weight its S9 ID carries; the
    /// printed weight would contradict the barcode.
    #[error(
        "receptacle {receptacle} carries {} in its S9 ID, but its gross weight {gross_weight} \
         does not round to that (to the nearest 0.1 kg)",
        receptacle.weight
    )]
    WeightMismatch {
        receptacle: ReceptacleId,
        gross_weight: Grams,
    },
    /// A receptacle was listed under a dispatch whose S8 ID its S9 ID does not start with.
    #[error(
        "receptacle {receptacle} does not belong to dispatch {dispatch}, whose document lists it"
    )]
    NotInDispatch {
        dispatch: DispatchId,
        receptacle: ReceptacleId,
    },
    /// A delivery bill was given dispatches that go on different forms (CN 38 for category A,
    /// CN 41 for B, CN 37 for C and D).
    #[error(
        "a delivery bill covers one category of mail: dispatch {first} is category {} ({}), \
         but dispatch {other} is category {} ({}); make one delivery bill per form",
        first.category,
        first_form.label(),
        other.category,
        other_form.label()
    )]
    MixedCategories {
        first: DispatchId,
        first_form: DeliveryBillForm,
        other: DispatchId,
        other_form: DeliveryBillForm,
    },
    /// A dispatch's mail category has no delivery bill form.
    #[error(
        "dispatch {dispatch} is of mail category {}, which has no delivery bill \
         (A goes on a CN 38, B on a CN 41, C and D on a CN 37)",
        dispatch.category
    )]
    UnknownCategory { dispatch: DispatchId },
}
