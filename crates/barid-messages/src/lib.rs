//! Barid's exchange messages between posts, and their versioned encodings.
//!
//! What belongs here: the four messages Barid nodes trade (PREDES pre-advice of a dispatch,
//! RESDES response on receipt, ITMATT advance item and customs data, EMSEVT tracking events),
//! the [`Envelope`] around them, and the syntaxes they are written in, behind the
//! [`MessageCodec`] trait. Barid's own syntax is JSON ([`BaridJsonV1`], syntax `barid-json`);
//! the UPU's EDIFACT and XML syntaxes are distributed to UPU members only, so they are not
//! here, but one can be added as another `MessageCodec`.
//!
//! The message types hold `barid-core` values (S10, S8, S9 and IMPC codes, parties, customs
//! declarations, discrepancies), and their constructors check the rules that tie fields
//! together (a receptacle belongs to its dispatch, a parcel carries a CN 23...). Decoding goes
//! through the same core parsers and constructors, so a message that decodes is valid.
//!
//! What does not: sending or receiving (HTTP, partner tokens, sequence numbers, retries), the
//! outbox and the store, and what a node does with a message once decoded.
//!
//! `docs/exchange/README.md` describes the wire format field by field; the JSON Schemas and
//! golden examples sit beside it.

mod emsevt;
mod envelope;
mod error;
mod itmatt;
mod json;
mod predes;
mod resdes;
mod text;

pub use emsevt::{Emsevt, TrackingEvent, standard_milestone};
pub use envelope::{Envelope, MessageBody, MessageType};
pub use error::{CodecError, MessageError};
pub use itmatt::{ItemAttributes, Itmatt};
pub use json::{BaridJsonV1, EncodedItem};
pub use predes::{Predes, PredesReceptacle, Transport};
pub use resdes::{ReceptacleCondition, Resdes, ResdesReceptacle};
pub use text::{CarrierName, Contents, Conveyance, Note, Signatory, Text, TextError};

/// A syntax that writes and reads [`Envelope`]s: Barid's JSON today, another (an EDIFACT or
/// XML mapping, say) later, without the rest of Barid changing.
pub trait MessageCodec {
    /// The syntax's name, as a partner agreement or a content type names it: `barid-json`.
    fn syntax(&self) -> &'static str;

    /// Writes a message. Fails only on a value the syntax cannot represent.
    fn encode(&self, envelope: &Envelope) -> Result<Vec<u8>, CodecError>;

    /// Reads a message from any bytes: a typed error, never a panic.
    fn decode(&self, bytes: &[u8]) -> Result<Envelope, CodecError>;
}
