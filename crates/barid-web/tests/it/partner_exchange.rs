//! The partner exchange between real nodes: each post's node is a server of its own, with its
//! own database, listening on a loopback port, and messages go between them over HTTP.
//!
//! Egypt closes a dispatch for Palestine in closed transit through Jordan; the pre-advice and
//! the advance data reach the other nodes, including Jordan's after it was down. Then the
//! faults: the same batch twice, batches out of order, a poisoned message among good ones, a
//! sender that stopped after the partner applied its batch but before it noted the delivery.

#![allow(clippy::indexing_slicing)]

use std::net::SocketAddr;

use axum::http::StatusCode;
use barid_core::{Milestone, ReferenceData, Role, S10Id};
use barid_messages::{BaridJsonV1, TrackingEvent};
use barid_store::contract::world::{self, T0, cc, cli};
use barid_store::model::{NewApiToken, OutboxMessage, PartnerEndpoint};
use barid_web::exchange_messages;
use barid_web::new_api_token;
use barid_web::partner_exchange::{BatchReply, PartnerDispatcher, Sent};
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::sync::oneshot;

use crate::support::{Caller, TestApp, dispatch_from_egypt};

/// A post's node serving on loopback until dropped (`exchange_tls` starts one over HTTPS).
pub(crate) struct Node {
    pub(crate) app: TestApp,
    pub(crate) address: SocketAddr,
    pub(crate) _stop: oneshot::Sender<()>,
}

impl Node {
    pub(crate) async fn start(operator: &'static str) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        Self::start_on(operator, listener).await
    }

    pub(crate) async fn start_on(operator: &'static str, listener: TcpListener) -> Self {
        let app = TestApp::node_of(operator).await;
        app.demo_agreements().await;
        let address = listener.local_addr().unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let state = app.state.clone();
        tokio::spawn(async move {
            barid_web::serve(state, listener, async {
                stopped.await.ok();
            })
            .await
            .unwrap();
        });
        Self {
            app,
            address,
            _stop: stop,
        }
    }

    pub(crate) fn url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// A partner token this node issues to `partner`'s node.
    pub(crate) async fn issue_partner_token(&self, operator: &str, partner: &str) -> String {
        let (secret, secret_hash) = new_api_token();
        self.app
            .store
            .create_api_token(
                &cli(operator),
                &NewApiToken {
                    operator: cc(operator),
                    name: format!("{partner}'s node"),
                    secret_hash,
                    role: Role::Partner,
                    office: None,
                    partner: Some(cc(partner)),
                },
            )
            .await
            .unwrap();
        secret
    }

    /// Where this node sends `operator`'s messages for `partner`.
    pub(crate) async fn send_to(&self, operator: &str, partner: &str, url: String, token: String) {
        self.app
            .store
            .set_partner_endpoint(
                &cli(operator),
                &PartnerEndpoint {
                    operator: cc(operator),
                    partner: cc(partner),
                    url,
                    outbound_token: token,
                    paused: false,
                    updated_at: T0,
                },
            )
            .await
            .unwrap();
    }
}

fn s10(serial: u32) -> S10Id {
    world::s10(serial)
}

/// Egypt dispatches these items to Palestine (through Jordan): the S8 ID.
pub(crate) async fn egypt_dispatches(
    egypt: &TestApp,
    serials: std::ops::RangeInclusive<u32>,
) -> String {
    let dispatch = dispatch_from_egypt(egypt, serials, 5_000).await;
    dispatch["s8"].as_str().unwrap().to_owned()
}

pub(crate) fn dispatcher() -> PartnerDispatcher {
    PartnerDispatcher::new(std::time::Duration::from_secs(10)).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dispatch_is_pre_advised_across_three_nodes_over_http_and_waits_out_a_partner_down() {
    let egypt = Node::start("EG").await;
    let palestine = Node::start("PS").await;
    // Jordan's node is down: its port is known, nothing listens there.
    let jordan_port = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let jordan_address = jordan_port.local_addr().unwrap();
    drop(jordan_port);

    let to_palestine = palestine.issue_partner_token("PS", "EG").await;
    egypt
        .send_to("EG", "PS", palestine.url(), to_palestine)
        .await;
    egypt
        .send_to(
            "EG",
            "JO",
            format!("http://{jordan_address}"),
            "not yet issued".to_owned(),
        )
        .await;

    let s8 = egypt_dispatches(&egypt.app, 1..=3).await;
    let s8_id = barid_core::DispatchId::parse(&s8).unwrap();
    let now = T0 + time::Duration::hours(2);
    let sent = dispatcher()
        .deliver(egypt.app.store.as_ref(), now)
        .await
        .unwrap();
    // PREDES, ITMATT and the EMSEVT of Egypt's events so far reached Palestine; Jordan's
    // PREDES did not.
    assert_eq!(
        sent,
        Sent {
            delivered: 3,
            rejected: 0,
            failed: 1
        }
    );
    let expected = palestine
        .app
        .store
        .expected_dispatch(cc("PS"), &s8_id)
        .await
        .unwrap()
        .expect("Palestine expects the dispatch");
    assert_eq!(expected.s8, s8_id);
    for serial in 1..=3 {
        let copy = palestine
            .app
            .store
            .item(cc("PS"), &s10(serial))
            .await
            .unwrap()
            .expect("Palestine has the item's advance data");
        assert!(copy.customs.is_some());
    }
    let backlog = egypt.app.store.outbox_backlog(cc("EG")).await.unwrap();
    let jordan = backlog
        .iter()
        .find(|entry| entry.recipient == cc("JO"))
        .unwrap();
    assert_eq!(jordan.pending, 1);
    assert!(jordan.last_error.is_some(), "{jordan:?}");
    assert!(
        backlog
            .iter()
            .filter(|entry| entry.recipient == cc("PS"))
            .all(|entry| entry.pending == 0),
        "{backlog:?}"
    );
    // Retried only after its backoff.
    assert_eq!(
        dispatcher()
            .deliver(egypt.app.store.as_ref(), now)
            .await
            .unwrap(),
        Sent::default()
    );

    // Jordan's node comes up hours later, and issues Egypt its token.
    let jordan = Node::start_on("JO", TcpListener::bind(jordan_address).await.unwrap()).await;
    let to_jordan = jordan.issue_partner_token("JO", "EG").await;
    egypt.send_to("EG", "JO", jordan.url(), to_jordan).await;
    let later = now + time::Duration::hours(5);
    assert_eq!(
        dispatcher()
            .deliver(egypt.app.store.as_ref(), later)
            .await
            .unwrap(),
        Sent {
            delivered: 1,
            rejected: 0,
            failed: 0
        }
    );
    let transit = jordan
        .app
        .store
        .expected_dispatch(cc("JO"), &s8_id)
        .await
        .unwrap()
        .expect("Jordan expects the dispatch in transit");
    assert_eq!(transit.s8, s8_id);
    assert!(
        egypt
            .app
            .store
            .outbox_backlog(cc("EG"))
            .await
            .unwrap()
            .iter()
            .all(|entry| entry.pending == 0)
    );
}

/// Posts a batch of these envelopes to the node's exchange endpoint.
async fn post_batch(node: &Node, token: &str, envelopes: &[String]) -> (StatusCode, Value) {
    let body = format!("{{\"messages\":[{}]}}", envelopes.join(","));
    let response = reqwest::Client::new()
        .post(format!("{}/exchange/v1/messages", node.url()))
        .bearer_auth(token)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    let status = StatusCode::from_u16(response.status().as_u16()).unwrap();
    let value: Value = serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
    (status, value)
}

fn numbered(message: &OutboxMessage) -> String {
    let bytes = BaridJsonV1
        .with_sequence(message.body.as_bytes(), message.sequence as u64)
        .unwrap();
    String::from_utf8(bytes).unwrap()
}

fn statuses(reply: &Value) -> Vec<String> {
    let parsed: BatchReply = serde_json::from_value(reply.clone()).unwrap();
    parsed
        .acknowledgements
        .iter()
        .map(|ack| {
            let status = serde_json::to_value(ack.status).unwrap();
            match &ack.error {
                Some(error) => format!("{}:{}", status.as_str().unwrap(), error.code),
                None => status.as_str().unwrap().to_owned(),
            }
        })
        .collect()
}

/// An EMSEVT from Egypt to Palestine with one departure (`EMC`) per item, numbered `sequence`.
fn departures(serials: &[u32], sequence: u64) -> String {
    let reference = ReferenceData::embedded().unwrap();
    let events = serials
        .iter()
        .map(|serial| TrackingEvent {
            s10: s10(*serial),
            code: reference
                .code_for(Milestone::DepartedOutwardOffice)
                .unwrap(),
            milestone: Milestone::DepartedOutwardOffice,
            at: T0 + time::Duration::hours(3),
            office: world::site("EGCAIA"),
            reason: None,
            next_action: None,
            signatory: None,
            note: None,
        })
        .collect();
    let message = exchange_messages::emsevt(cc("EG"), cc("PS"), events, T0)
        .unwrap()
        .remove(0);
    let bytes = BaridJsonV1
        .with_sequence(message.body.as_bytes(), sequence)
        .unwrap();
    String::from_utf8(bytes).unwrap()
}

async fn event_count(node: &Node, serial: u32) -> usize {
    let item = node
        .app
        .store
        .item(cc("PS"), &s10(serial))
        .await
        .unwrap()
        .unwrap();
    node.app
        .store
        .item_events(cc("PS"), item.id)
        .await
        .unwrap()
        .len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn batches_twice_out_of_order_or_poisoned_lose_nothing_and_apply_once() {
    let egypt = Node::start("EG").await;
    let palestine = Node::start("PS").await;
    let token = palestine.issue_partner_token("PS", "EG").await;
    let s8 = egypt_dispatches(&egypt.app, 11..=12).await;
    let s8_id = barid_core::DispatchId::parse(&s8).unwrap();
    let outbox = egypt
        .app
        .store
        .pending_outbox(cc("EG"), cc("PS"), T0 + time::Duration::days(1), 10)
        .await
        .unwrap();
    let types: Vec<&str> = outbox.iter().map(|m| m.message_type.as_str()).collect();
    assert_eq!(types, vec!["PREDES", "ITMATT", "EMSEVT"]);
    let (predes, itmatt, history) = (
        numbered(&outbox[0]),
        numbered(&outbox[1]),
        numbered(&outbox[2]),
    );

    // Out of order: the ITMATT (2) before the PREDES (1) waits for it.
    let (status, reply) = post_batch(&palestine, &token, std::slice::from_ref(&itmatt)).await;
    assert_eq!(status, StatusCode::OK, "{reply}");
    assert_eq!(statuses(&reply), vec!["queued"]);
    assert!(
        palestine
            .app
            .store
            .item(cc("PS"), &s10(11))
            .await
            .unwrap()
            .is_none()
    );
    let (_, reply) = post_batch(&palestine, &token, &[predes.clone(), itmatt.clone()]).await;
    assert_eq!(statuses(&reply), vec!["applied", "duplicate"]);
    assert!(
        palestine
            .app
            .store
            .expected_dispatch(cc("PS"), &s8_id)
            .await
            .unwrap()
            .is_some()
    );
    // Egypt's events on the items so far (EMA again, recognised; EMB; EMC).
    let (_, reply) = post_batch(&palestine, &token, std::slice::from_ref(&history)).await;
    assert_eq!(statuses(&reply), vec!["applied"]);
    let before = event_count(&palestine, 11).await;
    assert_eq!(before, 3);

    // The same batch again: nothing changes.
    let (_, reply) = post_batch(
        &palestine,
        &token,
        &[predes.clone(), itmatt.clone(), history.clone()],
    )
    .await;
    assert_eq!(
        statuses(&reply),
        vec!["duplicate", "duplicate", "duplicate"]
    );
    assert_eq!(event_count(&palestine, 11).await, before);

    // A poisoned message (an item Palestine does not know) between two good ones: it is
    // quarantined, and the one after it is applied all the same.
    let (_, reply) = post_batch(
        &palestine,
        &token,
        &[
            departures(&[11], 4),
            departures(&[99], 5),
            departures(&[12], 6),
        ],
    )
    .await;
    assert_eq!(
        statuses(&reply),
        vec!["applied", "rejected:not_applicable", "applied"]
    );
    assert_eq!(event_count(&palestine, 11).await, before + 1);
    assert_eq!(event_count(&palestine, 12).await, before + 1);
    let quarantined = palestine
        .app
        .store
        .quarantined_inbox(cc("PS"))
        .await
        .unwrap();
    assert_eq!(quarantined.len(), 1);
    assert_eq!(quarantined[0].message.sequence, 5);
    assert!(
        quarantined[0]
            .error
            .as_deref()
            .unwrap()
            .contains(&s10(99).to_string()),
        "{:?}",
        quarantined[0].error
    );

    // Refused without being stored: a message claiming another sender, and one without its
    // sequence number. Neither moves Palestine's sequence on.
    let mut foreign: Value = serde_json::from_str(&departures(&[11], 7)).unwrap();
    foreign["sender"] = json!("JO");
    let mut unnumbered: Value = serde_json::from_str(&departures(&[11], 7)).unwrap();
    unnumbered.as_object_mut().unwrap().remove("sequence");
    let (_, reply) = post_batch(
        &palestine,
        &token,
        &[foreign.to_string(), unnumbered.to_string(), "17".to_owned()],
    )
    .await;
    assert_eq!(
        statuses(&reply),
        vec![
            "rejected:sender_mismatch",
            "rejected:invalid_envelope",
            "rejected:invalid_envelope"
        ]
    );
    assert_eq!(event_count(&palestine, 11).await, before + 1);

    // Egypt's node stopped after Palestine applied its batch but before noting the delivery:
    // its restarted dispatcher sends the three messages again, Palestine recognises them, and
    // Egypt's outbox is empty with nothing applied twice.
    egypt
        .send_to("EG", "PS", palestine.url(), token.clone())
        .await;
    let sent = dispatcher()
        .deliver(egypt.app.store.as_ref(), T0 + time::Duration::days(1))
        .await
        .unwrap();
    assert_eq!(sent.delivered, 3);
    assert_eq!(event_count(&palestine, 11).await, before + 1);
    assert!(
        egypt
            .app
            .store
            .pending_outbox(cc("EG"), cc("PS"), T0 + time::Duration::days(1), 10)
            .await
            .unwrap()
            .is_empty()
    );

    // Only a partner token may post, and a batch must be one.
    let clerk = palestine
        .app
        .token_at("PS", Role::OeOperator, "PSRMHA")
        .await;
    let Caller::Token(clerk) = clerk else {
        unreachable!()
    };
    let (status, reply) = post_batch(&palestine, &clerk, &[]).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{reply}");
    let response = reqwest::Client::new()
        .post(format!("{}/exchange/v1/messages", palestine.url()))
        .bearer_auth(&token)
        .body("[1, 2]")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 422);
    let error: Value = serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
    assert_eq!(error["error"], "invalid_body", "{error}");
}
