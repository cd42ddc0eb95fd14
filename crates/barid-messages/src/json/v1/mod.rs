//! Version 1 of every message in `barid-json`: the shapes written (borrowing views of the
//! message types, whose field order is the canonical order) and the readers.
//!
//! A later version gets a module of its own beside this one; the message types stay one set,
//! and each version's module maps them to and from its shapes.

mod common;
mod emsevt;
mod itmatt;
mod predes;
mod resdes;

use barid_core::CountryCode;
use serde::Serialize;
use serde_json::value::RawValue;
use uuid::Uuid;

use super::read::Node;
use crate::envelope::{Envelope, MessageBody, MessageType};
use crate::error::CodecError;

use common::Time;

#[derive(Serialize)]
pub(super) struct EnvelopeV1<Body> {
    id: Uuid,
    #[serde(rename = "type")]
    message_type: &'static str,
    version: u32,
    sender: CountryCode,
    recipient: CountryCode,
    #[serde(skip_serializing_if = "Option::is_none")]
    sequence: Option<u64>,
    created_at: Time,
    body: Body,
}

impl<'a> From<&'a Envelope> for EnvelopeV1<BodyV1<'a>> {
    fn from(envelope: &'a Envelope) -> Self {
        Self {
            id: envelope.message_id(),
            message_type: envelope.message_type().as_str(),
            version: envelope.version(),
            sender: envelope.sender(),
            recipient: envelope.recipient(),
            sequence: envelope.sequence(),
            created_at: Time(envelope.created_at()),
            body: BodyV1::from(envelope.body()),
        }
    }
}

pub use itmatt::EncodedItem;
pub(super) use itmatt::{decode_items, encode_items};

/// A new ITMATT envelope (current version, no sequence number) around items encoded ahead by
/// [`encode_items`]: the same fields, in the same order and layout, as an [`Envelope`] of an
/// [`crate::Itmatt`] of those items, so its bytes are the canonical ones.
pub(super) fn itmatt_envelope<'a>(
    message_id: Uuid,
    sender: CountryCode,
    recipient: CountryCode,
    created_at: time::OffsetDateTime,
    items: &[EncodedItem<'a>],
) -> Result<EnvelopeV1<itmatt::SplicedItmattV1<'a>>, CodecError> {
    if sender == recipient {
        return Err(CodecError::invalid(
            "recipient",
            format!("a message goes to another post, but sender and recipient are both {sender}"),
        ));
    }
    Ok(EnvelopeV1 {
        id: message_id,
        message_type: MessageType::Itmatt.as_str(),
        version: MessageType::Itmatt.current_version(),
        sender,
        recipient,
        sequence: None,
        created_at: Time(created_at),
        body: itmatt::spliced(items)?,
    })
}

/// An encoded envelope read only as far as its fields, each kept as written.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawEnvelope<'a> {
    #[serde(borrow)]
    id: &'a RawValue,
    #[serde(rename = "type", borrow)]
    message_type: &'a RawValue,
    #[serde(borrow)]
    version: &'a RawValue,
    #[serde(borrow)]
    sender: &'a RawValue,
    #[serde(borrow)]
    recipient: &'a RawValue,
    #[serde(default, borrow, rename = "sequence")]
    _sequence: Option<&'a RawValue>,
    #[serde(borrow)]
    created_at: &'a RawValue,
    #[serde(borrow)]
    body: &'a RawValue,
}

/// [`RawEnvelope`] written back, in the canonical field order, with a sequence number.
#[derive(Serialize)]
pub(super) struct NumberedEnvelope<'a> {
    id: &'a RawValue,
    #[serde(rename = "type")]
    message_type: &'a RawValue,
    version: &'a RawValue,
    sender: &'a RawValue,
    recipient: &'a RawValue,
    sequence: u64,
    created_at: &'a RawValue,
    body: &'a RawValue,
}

impl<'a> RawEnvelope<'a> {
    pub(super) fn numbered(&self, sequence: u64) -> NumberedEnvelope<'a> {
        NumberedEnvelope {
            id: self.id,
            message_type: self.message_type,
            version: self.version,
            sender: self.sender,
            recipient: self.recipient,
            sequence,
            created_at: self.created_at,
            body: self.body,
        }
    }
}

/// The body alone; its type is the envelope's `type`.
#[derive(Serialize)]
#[serde(untagged)]
pub(super) enum BodyV1<'a> {
    Predes(predes::PredesV1<'a>),
    Resdes(resdes::ResdesV1),
    Itmatt(itmatt::ItmattV1<'a>),
    Emsevt(emsevt::EmsevtV1<'a>),
}

impl<'a> From<&'a MessageBody> for BodyV1<'a> {
    fn from(body: &'a MessageBody) -> Self {
        match body {
            MessageBody::Predes(message) => BodyV1::Predes(message.into()),
            MessageBody::Resdes(message) => BodyV1::Resdes(message.into()),
            MessageBody::Itmatt(message) => BodyV1::Itmatt(message.into()),
            MessageBody::Emsevt(message) => BodyV1::Emsevt(message.into()),
        }
    }
}

const ENVELOPE_FIELDS: &[&str] = &[
    "id",
    "type",
    "version",
    "sender",
    "recipient",
    "sequence",
    "created_at",
    "body",
];

/// Reads an envelope. The type and version come first, so that a message of an unknown type
/// or newer version is reported as such rather than as an unknown field.
pub(super) fn decode_envelope(
    node: &Node<'_>,
    check_version: impl FnOnce(MessageType, u64) -> Result<u32, CodecError>,
) -> Result<Envelope, CodecError> {
    let object = node.open_object()?;
    let type_node = object.required("type")?;
    let type_name = type_node.str()?;
    let message_type =
        MessageType::parse(type_name).ok_or_else(|| CodecError::UnknownMessageType {
            found: type_name.to_owned(),
        })?;
    let version = check_version(message_type, object.required("version")?.u64()?)?;
    object.check_fields(ENVELOPE_FIELDS)?;

    let message_id = object.required("id")?.parse(Uuid::try_parse)?;
    let sender = object.required("sender")?.parse(CountryCode::parse)?;
    let recipient = object.required("recipient")?.parse(CountryCode::parse)?;
    let sequence = object.optional_with("sequence", Node::u64)?;
    let created_at = object.required("created_at")?.time()?;
    let body = decode_body(message_type, &object.required("body")?)?;
    Envelope::build(
        message_id, version, sender, recipient, sequence, created_at, body,
    )
    .map_err(|error| CodecError::from(error.under(object.path())))
}

pub(super) fn decode_body(
    message_type: MessageType,
    node: &Node<'_>,
) -> Result<MessageBody, CodecError> {
    Ok(match message_type {
        MessageType::Predes => MessageBody::Predes(predes::decode(node)?),
        MessageType::Resdes => MessageBody::Resdes(resdes::decode(node)?),
        MessageType::Itmatt => MessageBody::Itmatt(itmatt::decode(node)?),
        MessageType::Emsevt => MessageBody::Emsevt(emsevt::decode(node)?),
    })
}
