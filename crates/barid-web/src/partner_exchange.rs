//! The partner exchange: the message path between Barid nodes over HTTP. It extends the
//! in-node path ([`crate::dispatcher`], [`crate::inbox`]) and does not replace it: the same
//! outbox rows are sent, and they end in the same inbox, deduplicated by message ID and applied
//! in the sender's sequence order.
//!
//! The receiving side is `POST /exchange/v1/messages` ([`receive`]); the sending side is
//! [`PartnerDispatcher`], which takes each partner's due outbox messages in sequence order,
//! numbers each envelope as it sends it, and marks a message delivered only once the partner
//! acknowledged it. A partner that cannot be reached is tried again with exponential backoff
//! and jitter; nothing is lost (the outbox is the record) and nothing is applied twice (the
//! receiver drops a message ID it already has).
//!
//! `docs/exchange/transport.md` describes the batch and the acknowledgements.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use barid_core::CountryCode;
use barid_messages::BaridJsonV1;
use barid_store::model::{InboxId, InboxInsert, NewInboxMessage, OutboxMessage, Rejection};
use barid_store::{Store, StoreError, StoreResult};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::auth::{Credentials, Principal};
use crate::error::{ApiError, ApiResult};
use crate::inbox::{self, Outcome};
use crate::state::AppState;

/// The path partners post their batches to.
pub const PATH: &str = "/exchange/v1/messages";
/// The most messages one batch may hold.
pub const MAX_BATCH_MESSAGES: usize = 1000;
/// The largest batch body the exchange endpoint reads: an ITMATT of 10,000 items is about
/// 23 MB. A sender keeps its batches well under it ([`BATCH_BYTES`]), sending a larger
/// message alone.
pub const MAX_BATCH_BYTES: usize = 64 * 1024 * 1024;
/// A sender stops adding messages to a batch past this size.
pub const BATCH_BYTES: usize = 4 * 1024 * 1024;

/// What the receiver did with one message of a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AckStatus {
    /// Stored and applied.
    Applied,
    /// Stored; it waits for an earlier message of the sender's sequence, and is applied when
    /// that one arrives.
    Queued,
    /// Already received (same sender, same message ID): nothing changed.
    Duplicate,
    /// Not applied: `error` says why. With `not_applicable` the message was stored in the
    /// receiver's quarantine, its sequence number is used and the messages after it go on;
    /// with any other code it was not stored, and the sender keeps it to send again.
    Rejected,
}

/// The refusal of a message the receiver stored and quarantined: its sequence number is
/// used. Every other refusal happens before the message is stored.
pub const NOT_APPLICABLE: &str = "not_applicable";

/// Why a message was rejected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AckError {
    /// Stable: `invalid_envelope`, `sender_mismatch`, `recipient_mismatch`, `not_applicable`.
    pub code: String,
    pub message: String,
}

/// The receiver's answer about one message, in the order of the batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Acknowledgement {
    /// The message's position in the batch, from 0.
    pub index: usize,
    /// The message ID, when the envelope had a readable one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sequence: Option<u64>,
    pub status: AckStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<AckError>,
}

/// The answer to a batch: one acknowledgement per message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct BatchReply {
    pub acknowledgements: Vec<Acknowledgement>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct IncomingBatch<'a> {
    #[serde(borrow)]
    messages: Vec<&'a RawValue>,
}

/// The envelope fields the transport needs, read without the body; the inbox decodes the
/// whole message when it applies it.
#[derive(Deserialize)]
struct EnvelopeHeader<'a> {
    #[serde(default, borrow)]
    id: Option<std::borrow::Cow<'a, str>>,
    #[serde(default, rename = "type", borrow)]
    message_type: Option<std::borrow::Cow<'a, str>>,
    #[serde(default)]
    version: Option<u64>,
    #[serde(default, borrow)]
    sender: Option<std::borrow::Cow<'a, str>>,
    #[serde(default, borrow)]
    recipient: Option<std::borrow::Cow<'a, str>>,
    #[serde(default)]
    sequence: Option<u64>,
}

fn rejected(
    index: usize,
    id: Option<Uuid>,
    sequence: Option<u64>,
    code: &str,
    message: String,
) -> Acknowledgement {
    Acknowledgement {
        index,
        id,
        sequence,
        status: AckStatus::Rejected,
        error: Some(AckError {
            code: code.to_owned(),
            message,
        }),
    }
}

/// A message of a batch, identified and stored, or answered already.
enum Received {
    Stored {
        inbox: InboxId,
        id: Uuid,
        sequence: u64,
    },
    Answered(Acknowledgement),
}

/// Receives a partner's batch: stores each identifiable message in the inbox (a known message
/// ID is a duplicate), applies what is next in the sender's sequence, and acknowledges every
/// message. Only a partner token may send, and only as its own post, to the post it was
/// issued by.
pub async fn receive(
    state: &AppState,
    principal: &Principal,
    body: &[u8],
) -> ApiResult<BatchReply> {
    let Credentials::Token {
        partner: Some(sender),
        ..
    } = principal.credentials
    else {
        return Err(ApiError::forbidden());
    };
    let recipient = principal.operator;
    let text = std::str::from_utf8(body)
        .map_err(|_| ApiError::invalid_body("messages", "the batch is not UTF-8 text"))?;
    let batch: IncomingBatch<'_> = serde_json::from_str(text).map_err(|error| {
        ApiError::invalid_body(
            "messages",
            format!("a batch is {{\"messages\": [envelope, ...]}}: {error}"),
        )
    })?;
    if batch.messages.len() > MAX_BATCH_MESSAGES {
        return Err(ApiError::invalid_body(
            "messages",
            format!(
                "a batch holds at most {MAX_BATCH_MESSAGES} messages, this one {}",
                batch.messages.len()
            ),
        ));
    }
    let now = state.now();
    let mut storable = Vec::with_capacity(batch.messages.len());
    let mut slots = Vec::with_capacity(batch.messages.len());
    for (index, raw) in batch.messages.iter().enumerate() {
        slots.push(match read_one(index, raw, sender, recipient, now) {
            Ok(message) => {
                let slot = (message.message_id, message.sequence);
                storable.push(message);
                Ok(slot)
            }
            Err(ack) => Err(ack),
        });
    }
    // The whole batch is stored in one transaction: one commit, not one per message.
    let mut inserts = state.store().insert_inbox_all(&storable).await?.into_iter();
    drop(storable);
    let mut received = Vec::with_capacity(slots.len());
    for (index, slot) in slots.into_iter().enumerate() {
        received.push(match slot {
            Err(ack) => Received::Answered(ack),
            Ok((id, sequence)) => {
                let sequence = u64::try_from(sequence).unwrap_or_default();
                match inserts.next() {
                    Some(InboxInsert::Inserted(inbox)) => Received::Stored {
                        inbox,
                        id,
                        sequence,
                    },
                    Some(InboxInsert::Duplicate(_)) => Received::Answered(Acknowledgement {
                        index,
                        id: Some(id),
                        sequence: Some(sequence),
                        status: AckStatus::Duplicate,
                        error: None,
                    }),
                    None => {
                        return Err(ApiError::internal(
                            "the inbox answered for fewer messages than it was given",
                        ));
                    }
                }
            }
        });
    }
    // Applied in a task of its own: a request cut short (the client gone, the time limit)
    // must not stop a message half way through being applied.
    let applier = state.clone();
    let outcomes: HashMap<InboxId, Outcome> = tokio::spawn(async move {
        inbox::apply_from(applier.store(), applier.reference(), recipient, sender, now).await
    })
    .await
    .map_err(ApiError::internal)??
    .into_iter()
    .collect();
    let acknowledgements = received
        .into_iter()
        .enumerate()
        .map(|(index, received)| match received {
            Received::Answered(ack) => ack,
            Received::Stored {
                inbox,
                id,
                sequence,
            } => match outcomes.get(&inbox) {
                Some(Outcome::Applied) => Acknowledgement {
                    index,
                    id: Some(id),
                    sequence: Some(sequence),
                    status: AckStatus::Applied,
                    error: None,
                },
                Some(Outcome::Quarantined(reason)) => rejected(
                    index,
                    Some(id),
                    Some(sequence),
                    NOT_APPLICABLE,
                    reason.clone(),
                ),
                None => Acknowledgement {
                    index,
                    id: Some(id),
                    sequence: Some(sequence),
                    status: AckStatus::Queued,
                    error: None,
                },
            },
        })
        .collect();
    Ok(BatchReply { acknowledgements })
}

/// The inbox row for one message of a batch, or the answer that refuses it before storing.
fn read_one(
    index: usize,
    raw: &RawValue,
    sender: CountryCode,
    recipient: CountryCode,
    now: OffsetDateTime,
) -> Result<NewInboxMessage, Acknowledgement> {
    let header: EnvelopeHeader<'_> = match serde_json::from_str(raw.get()) {
        Ok(header) => header,
        Err(error) => {
            return Err(rejected(
                index,
                None,
                None,
                "invalid_envelope",
                format!("not a message envelope: {error}"),
            ));
        }
    };
    let id = header.id.as_deref().and_then(|id| Uuid::try_parse(id).ok());
    let sequence = header.sequence.filter(|sequence| *sequence >= 1);
    let (Some(id), Some(sequence)) = (id, sequence) else {
        return Err(rejected(
            index,
            id,
            sequence,
            "invalid_envelope",
            "a message needs its UUID (`id`) and its sequence number from 1 (`sequence`)"
                .to_owned(),
        ));
    };
    let Ok(stored_sequence) = i64::try_from(sequence) else {
        return Err(rejected(
            index,
            Some(id),
            Some(sequence),
            "invalid_envelope",
            format!("sequence number {sequence} is too large"),
        ));
    };
    if header.sender.as_deref() != Some(sender.as_str()) {
        return Err(rejected(
            index,
            Some(id),
            Some(sequence),
            "sender_mismatch",
            format!(
                "the token belongs to {sender}, but the message says it is from {}",
                header.sender.as_deref().unwrap_or("nobody")
            ),
        ));
    }
    if header.recipient.as_deref() != Some(recipient.as_str()) {
        return Err(rejected(
            index,
            Some(id),
            Some(sequence),
            "recipient_mismatch",
            format!(
                "this endpoint receives for {recipient}, but the message is addressed to {}",
                header.recipient.as_deref().unwrap_or("nobody")
            ),
        ));
    }
    let message = NewInboxMessage {
        message_id: id,
        recipient,
        sender,
        sequence: stored_sequence,
        message_type: header.message_type.as_deref().unwrap_or("").to_owned(),
        version: header
            .version
            .map(|version| version.to_string())
            .unwrap_or_default(),
        body: raw.get().to_owned(),
        received_at: now,
    };
    Ok(message)
}

/// How long to wait before trying a message again after `attempts` failed tries: doubling
/// from 1 s up to 10 minutes, times `jitter` (from 0.5 to 1.0, drawn by the caller) so that
/// many senders kept out by one outage do not all come back in the same second.
pub fn retry_delay(attempts: u32, jitter: f64) -> Duration {
    let doubling = 2f64.powi(i32::try_from(attempts.saturating_sub(1).min(20)).unwrap_or(20));
    let capped = doubling.min(600.0);
    Duration::from_secs_f64(capped * jitter.clamp(0.5, 1.0))
}

/// What one pass of the dispatcher did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Sent {
    /// Acknowledged by the partner, refusals included.
    pub delivered: usize,
    /// Of those delivered, refused by the partner's node.
    pub rejected: usize,
    /// Not delivered: tried again after a backoff.
    pub failed: usize,
}

/// Sends the outbox to partners hosted on other nodes.
#[derive(Debug, Clone)]
pub struct PartnerDispatcher {
    client: reqwest::Client,
}

/// Why a batch did not reach the partner: the messages stay in the outbox.
#[derive(Debug, thiserror::Error)]
enum SendError {
    #[error("{0}")]
    Transport(String),
    #[error("the partner answered {status}: {body}")]
    Refused { status: u16, body: String },
}

impl PartnerDispatcher {
    /// A dispatcher whose requests give up after `timeout`. Partners' `https://` endpoints
    /// need certificates from the web PKI; see [`Self::with_extra_roots`] for a private CA.
    pub fn new(timeout: Duration) -> Result<Self, String> {
        Self::with_extra_roots(timeout, &crate::tls::ExtraRoots::none())
    }

    /// A dispatcher that also trusts `roots` for partners' `https://` endpoints, in addition
    /// to the built-in web PKI roots: posts often certify their nodes with a CA of their own
    /// (`exchange_ca_file`).
    pub fn with_extra_roots(
        timeout: Duration,
        roots: &crate::tls::ExtraRoots,
    ) -> Result<Self, String> {
        let mut builder = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(Duration::from_secs(10))
            .user_agent(concat!("barid/", env!("CARGO_PKG_VERSION")));
        for der in roots.der() {
            let certificate =
                reqwest::Certificate::from_der(der).map_err(|error| error.to_string())?;
            builder = builder.add_root_certificate(certificate);
        }
        let client = builder.build().map_err(|error| error.to_string())?;
        Ok(Self { client })
    }

    /// One pass: for every operator hosted here and each of its partners with an endpoint
    /// that is not paused (and not hosted here too, which the in-node dispatcher serves),
    /// sends the due messages in sequence order until none is left or the partner fails.
    pub async fn deliver(&self, store: &dyn Store, now: OffsetDateTime) -> StoreResult<Sent> {
        let operators = store.operators().await?;
        let hosted: HashSet<CountryCode> = operators
            .iter()
            .filter(|operator| operator.hosted)
            .map(|operator| operator.code)
            .collect();
        let mut sent = Sent::default();
        for sender in &hosted {
            for endpoint in store.partner_endpoints(*sender).await? {
                if endpoint.paused || hosted.contains(&endpoint.partner) {
                    continue;
                }
                // A store error on one link (a message that will not encode, a failed write)
                // must not keep the other partners' messages from going.
                let pass = match self
                    .deliver_to(
                        store,
                        *sender,
                        endpoint.partner,
                        &endpoint.url,
                        &endpoint.outbound_token,
                        now,
                    )
                    .await
                {
                    Ok(pass) => pass,
                    Err(error) => {
                        tracing::warn!(%sender, partner = %endpoint.partner, %error, "could not send to the partner this pass");
                        continue;
                    }
                };
                sent.delivered += pass.delivered;
                sent.rejected += pass.rejected;
                sent.failed += pass.failed;
            }
        }
        Ok(sent)
    }

    async fn deliver_to(
        &self,
        store: &dyn Store,
        sender: CountryCode,
        partner: CountryCode,
        url: &str,
        token: &str,
        now: OffsetDateTime,
    ) -> StoreResult<Sent> {
        let mut sent = Sent::default();
        loop {
            let pending = store
                .pending_outbox(sender, partner, now, MAX_BATCH_MESSAGES as u32)
                .await?;
            if pending.is_empty() {
                return Ok(sent);
            }
            let (batch, body) = batch_of(&pending)?;
            match self.post(url, token, body).await {
                Ok(reply) => {
                    let answered: HashMap<Uuid, &Acknowledgement> = reply
                        .acknowledgements
                        .iter()
                        .filter_map(|ack| ack.id.map(|id| (id, ack)))
                        .collect();
                    let mut delivered = Vec::new();
                    let mut refused = Vec::new();
                    for message in batch {
                        match answered.get(&message.message_id) {
                            // Refused before it was stored (a wrong endpoint or token, an
                            // envelope the partner's version cannot read): the partner's
                            // sequence did not move, so the message stays ours to send, in
                            // order, once the link is put right.
                            Some(Acknowledgement {
                                status: AckStatus::Rejected,
                                error: Some(error),
                                ..
                            }) if error.code != NOT_APPLICABLE => {
                                let reason = format!(
                                    "{partner} refused it ({}): {}",
                                    error.code, error.message
                                );
                                tracing::warn!(%partner, message = %message.message_id, reason, "the partner refused a message before storing it");
                                fail(store, message, &reason, now).await?;
                                sent.failed += 1;
                            }
                            // Quarantined by the partner: sending it again would only be
                            // answered as a duplicate. It is delivered, and its refusal kept
                            // for the administrators.
                            Some(Acknowledgement {
                                status: AckStatus::Rejected,
                                error,
                                ..
                            }) => {
                                let rejection = error.as_ref().map_or_else(
                                    || Rejection {
                                        code: "rejected".to_owned(),
                                        reason: "refused without a reason".to_owned(),
                                    },
                                    |error| Rejection {
                                        code: error.code.clone(),
                                        reason: error.message.clone(),
                                    },
                                );
                                tracing::warn!(
                                    %partner,
                                    message = %message.message_id,
                                    code = rejection.code,
                                    reason = rejection.reason,
                                    "the partner rejected a message"
                                );
                                refused.push((message.id, rejection));
                            }
                            Some(_) => delivered.push(message.id),
                            None => {
                                let error = "the partner's answer did not acknowledge this message";
                                fail(store, message, error, now).await?;
                                sent.failed += 1;
                            }
                        }
                    }
                    store.mark_outbox_delivered(&delivered, now).await?;
                    store.mark_outbox_rejected(&refused, now).await?;
                    sent.delivered += delivered.len() + refused.len();
                    sent.rejected += refused.len();
                    // More may be due: what did not fit this batch, or beyond a full page.
                    if batch.len() == pending.len() && pending.len() < MAX_BATCH_MESSAGES {
                        return Ok(sent);
                    }
                }
                Err(error) => {
                    tracing::warn!(%partner, %error, "could not deliver to the partner");
                    let reason = error.to_string();
                    for message in batch {
                        fail(store, message, &reason, now).await?;
                    }
                    sent.failed += batch.len();
                    return Ok(sent);
                }
            }
        }
    }

    async fn post(&self, url: &str, token: &str, body: String) -> Result<BatchReply, SendError> {
        let endpoint = format!("{}{PATH}", url.trim_end_matches('/'));
        let response = self
            .client
            .post(endpoint)
            .bearer_auth(token)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body)
            .send()
            .await
            .map_err(|error| SendError::Transport(describe(&error)))?;
        let status = response.status();
        let bytes = response
            .bytes()
            .await
            .map_err(|error| SendError::Transport(describe(&error)))?;
        if !status.is_success() {
            let body = String::from_utf8_lossy(&bytes).chars().take(500).collect();
            return Err(SendError::Refused {
                status: status.as_u16(),
                body,
            });
        }
        serde_json::from_slice(&bytes).map_err(|error| {
            SendError::Transport(format!(
                "the partner's answer is not a batch reply: {error}"
            ))
        })
    }
}

/// reqwest's errors name the URL and the cause on separate levels.
fn describe(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// The first messages of `pending` that fit a batch (always at least one), and the batch's
/// body with each envelope numbered.
/// A stored outbox envelope numbered with its sequence, as it goes to the partner (over HTTP
/// or in an exported file).
pub fn numbered(message: &OutboxMessage) -> StoreResult<String> {
    let sequence = u64::try_from(message.sequence)
        .map_err(|_| StoreError::invalid("sequence", "negative outbox sequence"))?;
    let numbered = BaridJsonV1
        .with_sequence(message.body.as_bytes(), sequence)
        .map_err(|error| StoreError::invalid("outbox", error.to_string()))?;
    String::from_utf8(numbered).map_err(|error| StoreError::invalid("outbox", error.to_string()))
}

fn batch_of(pending: &[OutboxMessage]) -> StoreResult<(&[OutboxMessage], String)> {
    let mut body = String::from("{\"messages\":[");
    let mut taken = 0;
    for message in pending {
        let numbered = numbered(message)?;
        if taken > 0 && body.len() + numbered.len() > BATCH_BYTES {
            break;
        }
        if taken > 0 {
            body.push(',');
        }
        body.push_str(&numbered);
        taken += 1;
    }
    body.push_str("]}");
    Ok((pending.get(..taken).unwrap_or(pending), body))
}

async fn fail(
    store: &dyn Store,
    message: &OutboxMessage,
    error: &str,
    now: OffsetDateTime,
) -> StoreResult<()> {
    let jitter = 0.5 + rand::random::<f64>() / 2.0;
    let delay = retry_delay(message.attempts + 1, jitter);
    let next = now + time::Duration::seconds_f64(delay.as_secs_f64());
    store.mark_outbox_failed(message.id, error, next).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_double_from_a_second_up_to_ten_minutes_with_jitter() {
        assert_eq!(retry_delay(1, 1.0), Duration::from_secs(1));
        assert_eq!(retry_delay(2, 1.0), Duration::from_secs(2));
        assert_eq!(retry_delay(5, 1.0), Duration::from_secs(16));
        assert_eq!(retry_delay(11, 1.0), Duration::from_secs(600));
        assert_eq!(retry_delay(u32::MAX, 1.0), Duration::from_secs(600));
        assert_eq!(retry_delay(3, 0.5), Duration::from_secs(2));
        // Out-of-range jitter is held to its range.
        assert_eq!(retry_delay(3, 7.0), Duration::from_secs(4));
        assert_eq!(retry_delay(0, 1.0), Duration::from_secs(1));
    }
}
