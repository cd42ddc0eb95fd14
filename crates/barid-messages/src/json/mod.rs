//! `barid-json`: Barid's JSON syntax for the exchange messages.
//!
//! The canonical form is what [`BaridJsonV1::encode`] writes: pretty-printed with two-space
//! indents, fields in a fixed order, optional fields left out when absent (never `null`), lists
//! always present, times in RFC 3339 with their own UTC offset, and a final line break.
//! Decoding a canonical message and encoding it again gives the same bytes.

mod read;
mod v1;

use barid_core::CountryCode;
use serde::Serialize;
use serde_json::Value;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::MessageCodec;
use crate::envelope::{Envelope, MessageBody, MessageType};
use crate::error::CodecError;
use crate::itmatt::ItemAttributes;

use read::Node;
pub use v1::EncodedItem;

/// The versions of each message type this build reads and writes.
const SUPPORTED_VERSIONS: &[u32] = &[1];

/// The `barid-json` syntax, version 1 of every message type.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BaridJsonV1;

impl BaridJsonV1 {
    pub const SYNTAX: &'static str = "barid-json";

    /// The versions of `message_type` this codec reads and writes.
    pub fn supported_versions(&self, message_type: MessageType) -> &'static [u32] {
        match message_type {
            MessageType::Predes
            | MessageType::Resdes
            | MessageType::Itmatt
            | MessageType::Emsevt => SUPPORTED_VERSIONS,
        }
    }

    fn check_version(&self, message_type: MessageType, version: u64) -> Result<u32, CodecError> {
        let supported = self.supported_versions(message_type);
        u32::try_from(version)
            .ok()
            .filter(|version| supported.contains(version))
            .ok_or(CodecError::UnsupportedVersion {
                message_type,
                found: version,
                supported,
            })
    }

    /// Writes only the body, in `version` of its type, for a store that keeps the message
    /// type and version in columns of their own (the outbox).
    pub fn encode_body(&self, body: &MessageBody, version: u32) -> Result<Vec<u8>, CodecError> {
        self.check_version(body.message_type(), u64::from(version))?;
        canonical(&v1::BodyV1::from(body))
    }

    /// Reads a body written by [`BaridJsonV1::encode_body`]. Error paths start at the body
    /// (`receptacles[0].id`). The checks between body and envelope (who may send a PREDES...)
    /// run when the body is put back in an [`Envelope`].
    pub fn decode_body(
        &self,
        message_type: MessageType,
        version: u32,
        bytes: &[u8],
    ) -> Result<MessageBody, CodecError> {
        self.check_version(message_type, u64::from(version))?;
        let value = parse(bytes)?;
        v1::decode_body(message_type, &Node::new(&value, ""))
    }
}

/// Advance data encoded ahead: a node that knows early which items an ITMATT will carry (those
/// of a closed receptacle) encodes them then, and puts the ITMATT together from the pieces when
/// the dispatch closes, without reading or encoding the items again.
impl BaridJsonV1 {
    /// Encodes items for a later [`BaridJsonV1::encode_itmatt`], checking each as
    /// [`crate::Itmatt::new`] does. Error paths start at the list (`[3].addressee.country`).
    pub fn encode_items(&self, items: &[ItemAttributes]) -> Result<String, CodecError> {
        v1::encode_items(items)
    }

    /// Reads back what [`BaridJsonV1::encode_items`] wrote, borrowing each item's JSON.
    pub fn decode_items<'a>(&self, text: &'a str) -> Result<Vec<EncodedItem<'a>>, CodecError> {
        v1::decode_items(text)
    }

    /// A new ITMATT of these items, byte for byte what [`MessageCodec::encode`] writes for an
    /// [`Envelope::new`] of an [`crate::Itmatt`] of the same items in the same order. Refused:
    /// no items, an item twice, a message to oneself.
    pub fn encode_itmatt(
        &self,
        message_id: Uuid,
        sender: CountryCode,
        recipient: CountryCode,
        created_at: OffsetDateTime,
        items: &[EncodedItem<'_>],
    ) -> Result<Vec<u8>, CodecError> {
        canonical(&v1::itmatt_envelope(
            message_id, sender, recipient, created_at, items,
        )?)
    }
}

/// The transport's side: numbering a stored message as it is sent.
impl BaridJsonV1 {
    /// The same message with the transport's sequence number in it (replacing any it had),
    /// without decoding its body: a sender numbers each stored message as it sends it, and an
    /// ITMATT of 10,000 items is not read again for that. Canonical in, canonical out; bytes
    /// that are not an envelope's fields are refused, but the body is not checked.
    pub fn with_sequence(&self, bytes: &[u8], sequence: u64) -> Result<Vec<u8>, CodecError> {
        let text = std::str::from_utf8(bytes).map_err(|error| CodecError::MalformedJson {
            line: 1,
            column: error.valid_up_to() + 1,
            message: error.to_string(),
        })?;
        let stored: v1::RawEnvelope<'_> = serde_json::from_str(text).map_err(|error| {
            if error.is_data() {
                CodecError::invalid("", error.to_string())
            } else {
                CodecError::MalformedJson {
                    line: error.line(),
                    column: error.column(),
                    message: error.to_string(),
                }
            }
        })?;
        canonical(&stored.numbered(sequence))
    }
}

impl MessageCodec for BaridJsonV1 {
    fn syntax(&self) -> &'static str {
        Self::SYNTAX
    }

    fn encode(&self, envelope: &Envelope) -> Result<Vec<u8>, CodecError> {
        self.check_version(envelope.message_type(), u64::from(envelope.version()))?;
        canonical(&v1::EnvelopeV1::from(envelope))
    }

    fn decode(&self, bytes: &[u8]) -> Result<Envelope, CodecError> {
        let value = parse(bytes)?;
        v1::decode_envelope(&Node::new(&value, ""), |message_type, version| {
            self.check_version(message_type, version)
        })
    }
}

fn parse(bytes: &[u8]) -> Result<Value, CodecError> {
    serde_json::from_slice(bytes).map_err(|error| CodecError::MalformedJson {
        line: error.line(),
        column: error.column(),
        message: error.to_string(),
    })
}

/// Pretty JSON (serde_json indents by two spaces) and a final line break, so a golden file
/// saved by an editor is byte for byte what the encoder writes.
fn canonical(value: &impl Serialize) -> Result<Vec<u8>, CodecError> {
    let mut bytes = serde_json::to_vec_pretty(value).map_err(|error| CodecError::Unencodable {
        message: error.to_string(),
    })?;
    bytes.push(b'\n');
    Ok(bytes)
}
