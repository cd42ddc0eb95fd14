//! A sender killed in the middle of delivering to its partner, for real: Egypt's and
//! Palestine's nodes run as `barid serve` processes on loopback, Egypt's is killed (SIGKILL)
//! while its messages are going over, and started again on the same database. Palestine ends
//! up with every message exactly once, settled in Egypt's order.

#![allow(clippy::indexing_slicing)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use barid_store::Store;
use barid_store::model::InboxState;
use uuid::Uuid;

use crate::exchange_files::{Node, cc, emsevt_from_egypt, example, ok};

/// Messages after the ITMATT: enough for the delivery to take several batches.
const EVENTS: usize = 4_000;

/// `barid serve` on a node's database, killed when dropped.
struct Serving {
    child: Child,
}

impl Serving {
    fn start(node: &Node, listen: &str) -> Serving {
        let mut child = Command::new(env!("CARGO_BIN_EXE_barid"))
            .args(["serve", "--listen", listen, "--database", &node.url])
            .current_dir(&node.dir)
            .env_remove("BARID_DATABASE_URL")
            .env_remove("BARID_LISTEN")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).unwrap();
        assert!(line.starts_with("Barid listening on http://"), "{line:?}");
        Serving { child }
    }

    fn kill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for Serving {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn settled(palestine: &Node) -> i64 {
    palestine.with_store(async |store: &dyn Store| {
        store
            .inbox_settled_through(cc("PS"), cc("EG"))
            .await
            .unwrap()
    })
}

/// Polls `done` every 50 ms, at most `polls` times: a guard so that a lost message fails the
/// test instead of hanging it, not a measure of speed.
fn wait_until(what: &str, polls: u32, mut done: impl FnMut() -> bool) {
    for _ in 0..polls {
        if done() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("gave up waiting: {what}");
}

#[test]
fn a_sender_killed_mid_delivery_and_restarted_loses_nothing_and_applies_nothing_twice() {
    let egypt = Node::new("EG", "PS", "EGCAIA", "Africa/Cairo");
    let palestine = Node::new("PS", "EG", "PSRMHA", "Asia/Hebron");
    let token = ok(palestine.barid(&[
        "token",
        "issue",
        "--operator",
        "PS",
        "--role",
        "partner",
        "--partner",
        "EG",
        "--name",
        "Egypt Post's node",
    ]));
    let token = token
        .lines()
        .find_map(|line| line.split_once("Bearer <secret>`): "))
        .map(|(_, secret)| secret.trim().to_owned())
        .unwrap();
    let palestine_port = free_port();
    ok(egypt.barid(&[
        "partner",
        "connect",
        "--operator",
        "EG",
        "--partner",
        "PS",
        "--url",
        &format!("http://127.0.0.1:{palestine_port}"),
        "--token",
        &token,
    ]));

    // Egypt's outbox: the letter's advance data, then events on items Palestine never heard
    // of (each quarantined there, cheap to apply), then the letter's own events.
    let mut envelopes = vec![example("itmatt.json")];
    let unknown = emsevt_from_egypt(Uuid::nil()).replace("RR471203016EG", "RR471203020EG");
    for _ in 0..EVENTS {
        envelopes.push(unknown.replace(&Uuid::nil().to_string(), &Uuid::new_v4().to_string()));
    }
    envelopes.push(emsevt_from_egypt(Uuid::new_v4()));
    let ids: Vec<Uuid> = envelopes
        .iter()
        .map(|text| {
            let envelope: serde_json::Value = serde_json::from_str(text).unwrap();
            envelope["id"].as_str().unwrap().parse().unwrap()
        })
        .collect();
    egypt.enqueue(&envelopes);
    let total = i64::try_from(envelopes.len()).unwrap();

    let _palestine = Serving::start(&palestine, &format!("127.0.0.1:{palestine_port}"));
    let sender = Serving::start(&egypt, "127.0.0.1:0");
    // Killed once Palestine has settled some of the messages, and before all.
    wait_until("the first messages to arrive", 2_400, || {
        settled(&palestine) > 0
    });
    sender.kill();
    let at_kill = settled(&palestine);
    eprintln!("Egypt's node killed with {at_kill} of {total} messages settled at Palestine");
    assert!(
        at_kill < total,
        "every message went over before the kill ({at_kill}); send more"
    );

    let _sender = Serving::start(&egypt, "127.0.0.1:0");
    wait_until("every message to arrive", 6_000, || {
        settled(&palestine) == total
    });
    wait_until("Egypt to note every delivery", 1_200, || {
        egypt.with_store(async |store: &dyn Store| {
            store
                .outbox_backlog(cc("EG"))
                .await
                .unwrap()
                .iter()
                .all(|backlog| backlog.pending == 0)
        })
    });

    let (held, quarantined, letter_events) = palestine.with_store(async |store: &dyn Store| {
        let held = store
            .inbox_messages(cc("PS"), cc("EG"), &ids)
            .await
            .unwrap();
        let quarantined = store.quarantined_inbox(cc("PS")).await.unwrap().len();
        let letter = barid_core::S10Id::parse("RR471203016EG").unwrap();
        let item = store.item(cc("PS"), &letter).await.unwrap().unwrap();
        let events = store
            .item_events(cc("PS"), item.id)
            .await
            .unwrap()
            .iter()
            .filter(|event| event.event.reported_by == Some(cc("EG")))
            .count();
        (held, quarantined, events)
    });
    // Every message once, numbered 1.. in Egypt's order, none waiting.
    assert_eq!(held.len(), envelopes.len());
    let sequences: Vec<i64> = held
        .iter()
        .map(|message| message.message.sequence)
        .collect();
    assert_eq!(sequences, (1..=total).collect::<Vec<_>>());
    assert!(
        held.iter()
            .all(|message| !matches!(message.state, InboxState::Pending))
    );
    assert_eq!(quarantined, EVENTS);
    // The letter's nine events from Egypt, each once.
    assert_eq!(letter_events, 9);
}
