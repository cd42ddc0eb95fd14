//! The envelope every message travels in: who sends it to whom, when, and which message.

use std::fmt;

use barid_core::CountryCode;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::emsevt::Emsevt;
use crate::error::MessageError;
use crate::itmatt::Itmatt;
use crate::predes::Predes;
use crate::resdes::Resdes;

/// The four messages Barid nodes exchange.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MessageType {
    /// Pre-advice of a dispatch (UPU M41), origin office of exchange to destination (and
    /// closed transit) office.
    Predes,
    /// Response on receipt of a dispatch, with discrepancies (UPU M13), back to the origin.
    Resdes,
    /// Advance item and customs data, the electronic CN 22/CN 23 (UPU M33).
    Itmatt,
    /// Item tracking events (UPU M40).
    Emsevt,
}

impl MessageType {
    pub const ALL: [MessageType; 4] = [
        MessageType::Predes,
        MessageType::Resdes,
        MessageType::Itmatt,
        MessageType::Emsevt,
    ];

    /// The name on the wire and in the outbox: `PREDES`, `RESDES`, `ITMATT`, `EMSEVT`.
    pub fn as_str(&self) -> &'static str {
        match self {
            MessageType::Predes => "PREDES",
            MessageType::Resdes => "RESDES",
            MessageType::Itmatt => "ITMATT",
            MessageType::Emsevt => "EMSEVT",
        }
    }

    /// Reads the exact upper-case name: these are protocol tokens, not user input.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == text)
    }

    /// The version of this message's body a node writes today.
    pub fn current_version(&self) -> u32 {
        1
    }
}

impl fmt::Display for MessageType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The message an envelope carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MessageBody {
    Predes(Predes),
    Resdes(Resdes),
    Itmatt(Itmatt),
    Emsevt(Emsevt),
}

impl MessageBody {
    pub fn message_type(&self) -> MessageType {
        match self {
            MessageBody::Predes(_) => MessageType::Predes,
            MessageBody::Resdes(_) => MessageType::Resdes,
            MessageBody::Itmatt(_) => MessageType::Itmatt,
            MessageBody::Emsevt(_) => MessageType::Emsevt,
        }
    }
}

impl From<Predes> for MessageBody {
    fn from(body: Predes) -> Self {
        MessageBody::Predes(body)
    }
}

impl From<Resdes> for MessageBody {
    fn from(body: Resdes) -> Self {
        MessageBody::Resdes(body)
    }
}

impl From<Itmatt> for MessageBody {
    fn from(body: Itmatt) -> Self {
        MessageBody::Itmatt(body)
    }
}

impl From<Emsevt> for MessageBody {
    fn from(body: Emsevt) -> Self {
        MessageBody::Emsevt(body)
    }
}

/// One message from one post to another.
///
/// The message type is the body's, never a separate field, so the two cannot disagree. Built
/// by [`Envelope::new`], which checks that the posts fit the body (a PREDES comes from the post
/// that closed the dispatch...), and by decoding, which runs the same checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    message_id: Uuid,
    version: u32,
    sender: CountryCode,
    recipient: CountryCode,
    sequence: Option<u64>,
    created_at: OffsetDateTime,
    body: MessageBody,
}

impl Envelope {
    /// A new message in the current version of its type, without a sequence number (the
    /// transport numbers messages per sender and recipient when it sends them).
    ///
    /// Refused: a message to oneself; a PREDES from a post other than the one whose office
    /// closed the dispatch, or to a post that is neither the destination nor the closed
    /// transit post; a RESDES from a post other than the receiving office's, or to a post
    /// other than the dispatch's origin.
    pub fn new(
        message_id: Uuid,
        sender: CountryCode,
        recipient: CountryCode,
        created_at: OffsetDateTime,
        body: MessageBody,
    ) -> Result<Self, MessageError> {
        let version = body.message_type().current_version();
        Self::build(
            message_id, version, sender, recipient, None, created_at, body,
        )
    }

    /// The constructor decoding uses: any supported version, and a sequence number.
    pub(crate) fn build(
        message_id: Uuid,
        version: u32,
        sender: CountryCode,
        recipient: CountryCode,
        sequence: Option<u64>,
        created_at: OffsetDateTime,
        body: MessageBody,
    ) -> Result<Self, MessageError> {
        check_parties(sender, recipient, &body)?;
        Ok(Self {
            message_id,
            version,
            sender,
            recipient,
            sequence,
            created_at,
            body,
        })
    }

    /// Unique per message; a receiver uses it to drop a message it already has.
    pub fn message_id(&self) -> Uuid {
        self.message_id
    }

    pub fn message_type(&self) -> MessageType {
        self.body.message_type()
    }

    /// The version of the body's format the message is (or will be) written in.
    pub fn version(&self) -> u32 {
        self.version
    }

    /// The sending post (its country), as its partner token says.
    pub fn sender(&self) -> CountryCode {
        self.sender
    }

    pub fn recipient(&self) -> CountryCode {
        self.recipient
    }

    /// The number the transport gave the message in the sender→recipient stream.
    pub fn sequence(&self) -> Option<u64> {
        self.sequence
    }

    /// Set by the transport when it sends the message.
    pub fn set_sequence(&mut self, sequence: Option<u64>) {
        self.sequence = sequence;
    }

    pub fn with_sequence(mut self, sequence: u64) -> Self {
        self.sequence = Some(sequence);
        self
    }

    /// When the sender wrote the message, with the sender's UTC offset.
    pub fn created_at(&self) -> OffsetDateTime {
        self.created_at
    }

    pub fn body(&self) -> &MessageBody {
        &self.body
    }

    pub fn into_body(self) -> MessageBody {
        self.body
    }
}

fn check_parties(
    sender: CountryCode,
    recipient: CountryCode,
    body: &MessageBody,
) -> Result<(), MessageError> {
    if sender == recipient {
        return Err(MessageError::new(
            "recipient",
            "same_post",
            format!("a message goes to another post, but sender and recipient are both {sender}"),
        ));
    }
    match body {
        MessageBody::Predes(predes) => {
            let dispatch = predes.dispatch();
            let origin = dispatch.origin.country();
            if sender != origin {
                return Err(MessageError::new(
                    "sender",
                    "sender_mismatch",
                    format!(
                        "a PREDES comes from the post that closed the dispatch: {dispatch} was closed at {} ({origin}), not by {sender}",
                        dispatch.origin
                    ),
                ));
            }
            let advised: Vec<CountryCode> = predes
                .transit_office()
                .map(|office| office.country())
                .into_iter()
                .chain([dispatch.destination.country()])
                .collect();
            if !advised.contains(&recipient) {
                return Err(MessageError::new(
                    "recipient",
                    "recipient_mismatch",
                    format!(
                        "a PREDES goes to the destination or closed transit post of the dispatch ({}), not to {recipient}",
                        names(&advised)
                    ),
                ));
            }
        }
        MessageBody::Resdes(resdes) => {
            let office = resdes.office();
            if sender != office.country() {
                return Err(MessageError::new(
                    "sender",
                    "sender_mismatch",
                    format!(
                        "a RESDES comes from the post of the receiving office {office} ({}), not from {sender}",
                        office.country()
                    ),
                ));
            }
            let origin = resdes.dispatch().origin.country();
            if recipient != origin {
                return Err(MessageError::new(
                    "recipient",
                    "recipient_mismatch",
                    format!(
                        "a RESDES goes back to the post that closed dispatch {} ({origin}), not to {recipient}",
                        resdes.dispatch()
                    ),
                ));
            }
        }
        MessageBody::Itmatt(_) | MessageBody::Emsevt(_) => {}
    }
    Ok(())
}

fn names(countries: &[CountryCode]) -> String {
    countries
        .iter()
        .map(CountryCode::to_string)
        .collect::<Vec<_>>()
        .join(" or ")
}
