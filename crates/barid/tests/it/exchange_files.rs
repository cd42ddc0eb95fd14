//! `barid export` and `barid import` between two nodes with their own SQLite databases and no
//! link: Egypt's node exports what its outbox holds for Palestine, Palestine's node imports the
//! files, and the real binary does both.

#![allow(clippy::indexing_slicing)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use barid_core::{CountryCode, S10Id};
use barid_store::Store;
use barid_store::model::{Actor, NewOutboxMessage};
use serde_json::Value;
use uuid::Uuid;

const DISPATCH: &str = "EGCAIAPSRMHAAUN60042";
const LETTER: &str = "RR471203016EG";

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/exchange/examples")
}

pub(crate) fn example(name: &str) -> String {
    std::fs::read_to_string(examples().join(name)).unwrap()
}

pub(crate) fn cc(code: &str) -> CountryCode {
    CountryCode::parse(code).unwrap()
}

/// A node: its folder and database.
pub(crate) struct Node {
    _dir: tempfile::TempDir,
    pub(crate) dir: PathBuf,
    pub(crate) url: String,
}

impl Node {
    /// A node hosting `hosted`, knowing `partner`, with `office` its office of exchange.
    pub(crate) fn new(hosted: &str, partner: &str, office: &str, timezone: &str) -> Node {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().to_owned();
        let url = format!("sqlite://{}", path.join("barid.db").display());
        let node = Node {
            _dir: dir,
            dir: path,
            url,
        };
        ok(node.barid(&["migrate"]));
        for (code, partner_flag) in [(hosted, false), (partner, true)] {
            let mut args = vec![
                "operator",
                "add",
                "--code",
                code,
                "--name-en",
                code,
                "--name-ar",
                "بريد",
                "--currency",
                if code == "EG" { "EGP" } else { "ILS" },
            ];
            if partner_flag {
                args.push("--partner");
            }
            ok(node.barid(&args));
        }
        ok(node.barid(&[
            "office",
            "add",
            "--operator",
            hosted,
            "--code",
            office,
            "--kind",
            "exchange",
            "--name-en",
            "Office of exchange",
            "--name-ar",
            "مكتب التبادل",
            "--city-en",
            "City",
            "--city-ar",
            "مدينة",
            "--timezone",
            timezone,
        ]));
        node
    }

    pub(crate) fn barid(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_barid"))
            .args(args)
            .arg("--database")
            .arg(&self.url)
            .current_dir(&self.dir)
            .env_remove("BARID_DATABASE_URL")
            .output()
            .unwrap()
    }

    fn import(&self, file: &Path) -> Output {
        Command::new(env!("CARGO_BIN_EXE_barid"))
            .arg("import")
            .arg(file)
            .arg("--database")
            .arg(&self.url)
            .current_dir(&self.dir)
            .env_remove("BARID_DATABASE_URL")
            .output()
            .unwrap()
    }

    fn export(&self, kind: &str, format: &str) -> PathBuf {
        let file = self.dir.join(format!("{kind}.{format}"));
        ok(self.barid(&[
            "export",
            "--type",
            kind,
            "--since",
            "2026-01-01",
            "--partner",
            "PS",
            "--format",
            format,
            "--output",
            file.to_str().unwrap(),
        ]));
        file
    }

    /// Runs `work` on the node's store, closed afterwards.
    pub(crate) fn with_store<T>(&self, work: impl AsyncFnOnce(&dyn Store) -> T) -> T {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let store = barid_store_sqlite::connect(&self.url).await.unwrap();
            let result = work(&store).await;
            store.close().await;
            result
        })
    }

    /// Writes these envelopes in Egypt's outbox for Palestine, in order.
    pub(crate) fn enqueue(&self, envelopes: &[String]) {
        self.with_store(async |store| {
            let messages: Vec<NewOutboxMessage> = envelopes
                .iter()
                .map(|text| {
                    let envelope: Value = serde_json::from_str(text).unwrap();
                    NewOutboxMessage {
                        message_id: envelope
                            .get("id")
                            .and_then(Value::as_str)
                            .unwrap()
                            .parse()
                            .unwrap(),
                        recipient: cc("PS"),
                        message_type: envelope
                            .get("type")
                            .and_then(Value::as_str)
                            .unwrap()
                            .to_owned(),
                        version: "1".to_owned(),
                        body: text.clone(),
                    }
                })
                .collect();
            let actor = Actor {
                operator: cc("EG"),
                user: None,
                token: None,
                name: "test".to_owned(),
                office: None,
                at: time::macros::datetime!(2026-11-22 14:06:12 +02:00),
            };
            store.enqueue_messages(&actor, &messages).await.unwrap();
        });
    }

    /// What Palestine's node holds: inbox messages by state, the letter's events reported by
    /// Egypt, and whether the dispatch is expected.
    fn palestine(&self) -> (usize, usize, bool) {
        self.with_store(async |store| {
            let letter = S10Id::parse(LETTER).unwrap();
            let events = match store.item(cc("PS"), &letter).await.unwrap() {
                Some(item) => store
                    .item_events(cc("PS"), item.id)
                    .await
                    .unwrap()
                    .iter()
                    .filter(|event| event.event.reported_by == Some(cc("EG")))
                    .count(),
                None => 0,
            };
            let dispatch = barid_core::DispatchId::parse(DISPATCH).unwrap();
            let expected = store
                .expected_dispatch(cc("PS"), &dispatch)
                .await
                .unwrap()
                .is_some();
            let items = store
                .items_by_s10(&letter)
                .await
                .unwrap()
                .iter()
                .filter(|item| item.operator == cc("PS"))
                .count();
            (items, events, expected)
        })
    }
}

pub(crate) fn ok(output: Output) -> String {
    assert!(
        output.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

fn failed(output: Output) -> String {
    assert_eq!(
        output.status.code(),
        Some(1),
        "{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stderr).unwrap()
}

/// Egypt's EMSEVT for Palestine on the letter: the example's events, sent the other way.
pub(crate) fn emsevt_from_egypt(id: Uuid) -> String {
    example("emsevt.json")
        .replace("e5a91f37-6c2d-4b08-8f4e-1d9b7a3c5e62", &id.to_string())
        .replace("\"sender\": \"PS\"", "\"sender\": \"X\"")
        .replace("\"recipient\": \"EG\"", "\"recipient\": \"PS\"")
        .replace("\"sender\": \"X\"", "\"sender\": \"EG\"")
}

/// Egypt's node with the ITMATT, PREDES and EMSEVT examples in its outbox for Palestine
/// (sequences 1, 2, 3), and Palestine's node.
fn two_nodes() -> (Node, Node) {
    let egypt = Node::new("EG", "PS", "EGCAIA", "Africa/Cairo");
    egypt.enqueue(&[
        example("itmatt.json"),
        example("predes.json"),
        emsevt_from_egypt(Uuid::new_v4()),
    ]);
    let palestine = Node::new("PS", "EG", "PSRMHA", "Asia/Hebron");
    (egypt, palestine)
}

#[test]
fn exported_files_imported_on_the_partners_node_are_applied_once() {
    let (egypt, palestine) = two_nodes();
    let itmatt = egypt.export("itmatt", "json");
    let predes = egypt.export("predes", "json");
    let emsevt = egypt.export("emsevt", "json");

    // The file is the transport's batch body, each envelope numbered with its sequence.
    let batch: Value = serde_json::from_str(&std::fs::read_to_string(&predes).unwrap()).unwrap();
    let messages = batch.get("messages").and_then(Value::as_array).unwrap();
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].get("sequence"), Some(&Value::from(2)));
    assert_eq!(messages[0].get("type"), Some(&Value::from("PREDES")));

    // Events first: they wait for the messages before them.
    let out = ok(palestine.import(&emsevt));
    assert!(
        out.contains("0 applied") && out.contains("1 queued"),
        "{out}"
    );
    assert_eq!(palestine.palestine(), (0, 0, false));

    let out = ok(palestine.import(&itmatt));
    assert!(out.contains("1 applied"), "{out}");
    let out = ok(palestine.import(&predes));
    assert!(out.contains("1 applied"), "{out}");
    assert!(out.contains("also applied 1"), "{out}");
    // Palestine holds the letter with Egypt's events, and expects the dispatch.
    assert_eq!(palestine.palestine(), (1, 9, true));

    // Importing again changes nothing.
    for file in [&itmatt, &predes, &emsevt] {
        let out = ok(palestine.import(file));
        assert!(out.contains("0 applied, 1 duplicate(s), 0 queued"), "{out}");
    }
    assert_eq!(palestine.palestine(), (1, 9, true));

    // --json gives the summary for scripts.
    let out = ok(palestine.barid(&["import", itmatt.to_str().unwrap(), "--json"]));
    let summary: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(summary.get("duplicates"), Some(&Value::from(1)));
    assert_eq!(summary.get("applied"), Some(&Value::from(0)));
}

#[test]
fn a_file_with_one_bad_message_changes_nothing_and_names_it() {
    let (egypt, palestine) = two_nodes();
    let itmatt = std::fs::read_to_string(egypt.export("itmatt", "json")).unwrap();
    let emsevt = std::fs::read_to_string(egypt.export("emsevt", "json")).unwrap();
    let message = |text: &str| {
        let batch: Value = serde_json::from_str(text).unwrap();
        batch.get("messages").unwrap().get(0).unwrap().clone()
    };
    // An EMSEVT on an item Palestine does not know (bagged, but without advance data).
    let mut unknown_item = message(&emsevt);
    let unknown_id = Uuid::new_v4();
    let text = serde_json::to_string(&unknown_item)
        .unwrap()
        .replace(LETTER, "RR471203020EG");
    unknown_item = serde_json::from_str(&text).unwrap();
    unknown_item["id"] = Value::from(unknown_id.to_string());
    unknown_item["sequence"] = Value::from(2);
    // A message whose S10 ID has a wrong check digit.
    let mut bad_digit = message(&emsevt);
    let text = serde_json::to_string(&bad_digit)
        .unwrap()
        .replace(LETTER, "RR471203017EG");
    bad_digit = serde_json::from_str(&text).unwrap();
    bad_digit["sequence"] = Value::from(3);
    let file = palestine.dir.join("mixed.json");
    std::fs::write(
        &file,
        serde_json::to_string(&serde_json::json!({
            "messages": [message(&itmatt), unknown_item, bad_digit]
        }))
        .unwrap(),
    )
    .unwrap();

    let report = failed(palestine.import(&file));
    assert!(
        report.contains("nothing imported; 2 problem(s)"),
        "{report}"
    );
    assert!(
        report.contains(&format!("message 1 ({unknown_id})"))
            && report.contains("PS does not know the item RR471203020EG"),
        "{report}"
    );
    assert!(
        report.contains("message 2") && report.contains("body.events[0].s10"),
        "{report}"
    );
    // Not even the good ITMATT was taken in.
    assert_eq!(palestine.palestine(), (0, 0, false));
    let held = palestine.with_store(async |store| {
        store
            .pending_inbox(cc("PS"), cc("EG"), 10)
            .await
            .unwrap()
            .len()
            + store
                .inbox_settled_through(cc("PS"), cc("EG"))
                .await
                .unwrap() as usize
    });
    assert_eq!(held, 0);

    // A message from an operator Palestine's node does not know, or to one it does not host.
    let stranger = palestine.dir.join("stranger.json");
    std::fs::write(
        &stranger,
        itmatt.replace("\"recipient\": \"PS\"", "\"recipient\": \"JO\""),
    )
    .unwrap();
    let report = failed(palestine.import(&stranger));
    assert!(report.contains("message 0"), "{report}");
    // Not a batch at all.
    let garbage = palestine.dir.join("garbage.json");
    std::fs::write(&garbage, "{\"messages\": [1, 2").unwrap();
    let report = failed(palestine.import(&garbage));
    assert!(report.contains("the file: a batch is"), "{report}");
}

#[test]
fn csv_events_are_imported_once_and_a_bad_row_names_its_line() {
    let (egypt, palestine) = two_nodes();
    ok(palestine.import(&egypt.export("itmatt", "json")));
    ok(palestine.import(&egypt.export("predes", "json")));

    // The CSV export: one row per event.
    let csv_file = egypt.export("emsevt", "csv");
    let csv = std::fs::read_to_string(&csv_file).unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some(
            "message_id,sequence,sender,recipient,created_at,s10,code,milestone,at,office,\
             reason,next_action,signatory,note"
        )
    );
    assert_eq!(lines.clone().count(), 8);
    assert!(
        lines
            .next()
            .unwrap()
            .contains(",3,EG,PS,2026-11-27T10:06:30+02:00,RR471203016EG,EMD,arrived_inward_office,2026-11-25T10:30:00+02:00,PSRMHA,")
    );

    // A hand-edited copy with one bad time: its line is named and nothing changes.
    let mut rows: Vec<String> = csv.lines().map(str::to_owned).collect();
    rows[3] = rows[3].replace("+02:00,PSRMHA", ",PSRMHA");
    let bad = palestine.dir.join("bad.csv");
    std::fs::write(&bad, rows.join("\n")).unwrap();
    let report = failed(palestine.import(&bad));
    assert!(report.contains("line 4"), "{report}");
    assert!(report.contains("column at"), "{report}");
    assert_eq!(palestine.palestine(), (1, 1, true));

    let out = ok(palestine.import(&csv_file));
    assert!(out.contains("1 applied"), "{out}");
    assert_eq!(palestine.palestine(), (1, 9, true));
    let out = ok(palestine.import(&csv_file));
    assert!(out.contains("1 duplicate(s)"), "{out}");

    // Events typed in a spreadsheet, without message ID or sequence: numbered after the
    // latest message from Egypt, with an ID from their content, so a second import is known.
    let typed = palestine.dir.join("typed.csv");
    std::fs::write(
        &typed,
        "sender,recipient,s10,code,milestone,at,office,reason,note\n\
         EG,PS,RR471203016EG,EMH,delivery_attempt_failed,2026-11-28T09:00:00+02:00,PSRMHA,10,\
         \"مغلق\"\n",
    )
    .unwrap();
    let out = ok(palestine.import(&typed));
    assert!(out.contains("1 applied"), "{out}");
    assert_eq!(palestine.palestine(), (1, 10, true));
    let out = ok(palestine.import(&typed));
    assert!(out.contains("1 duplicate(s)"), "{out}");
    assert_eq!(palestine.palestine(), (1, 10, true));

    // A bad S10 ID on line 3 of a typed file.
    std::fs::write(
        &typed,
        "sender,recipient,s10,code,milestone,at,office\n\
         EG,PS,RR471203016EG,EMI,delivered,2026-11-29T09:00:00+02:00,PSRMHA\n\
         EG,PS,RR471203017EG,EMI,delivered,2026-11-29T09:00:00+02:00,PSRMHA\n",
    )
    .unwrap();
    let report = failed(palestine.import(&typed));
    assert!(
        report.contains("line 3") && report.contains("check digit"),
        "{report}"
    );
    assert_eq!(palestine.palestine(), (1, 10, true));
}

#[test]
fn itmatt_and_predes_export_as_csv_rows_and_are_not_imported_from_csv() {
    let (egypt, palestine) = two_nodes();
    let itmatt = std::fs::read_to_string(egypt.export("itmatt", "csv")).unwrap();
    let header = itmatt.lines().next().unwrap();
    assert!(header.starts_with("message_id,sequence,sender,recipient,created_at,s10,mail_class"));
    assert!(header.ends_with("value_minor,currency,hs_code,line_origin"));
    // The letter's two customs lines and the parcel's lines, one row each.
    assert!(itmatt.contains("RR471203016EG"));
    assert!(itmatt.contains(",1,Children's cotton T-shirts,3,450,90000,EGP,610910,EG"));
    assert!(itmatt.contains(",2,Knitted wool hat,1,120,35000,EGP,650500,EG"));

    let predes = std::fs::read_to_string(egypt.export("predes", "csv")).unwrap();
    assert_eq!(predes.lines().count(), 4, "{predes}");
    assert!(
        predes.contains(
            "EGCAIAPSRMHAAUN60042,JOAMMA,2026-11-22T14:05:00+02:00,Royal Jordanian,RJ504,"
        )
    );
    assert!(predes.contains(
        "EGCAIAPSRMHAAUN60042001010044,4350,3,RR471203016EG RR471203020EG RR471203033EG"
    ));

    let file = palestine.dir.join("items.csv");
    std::fs::write(&file, &itmatt).unwrap();
    let report = failed(palestine.import(&file));
    assert!(
        report.contains("only EMSEVT events are imported from CSV"),
        "{report}"
    );

    // Nothing since a later time; a bad --since is a clear error.
    let out = ok(egypt.barid(&[
        "export",
        "--type",
        "predes",
        "--since",
        "2027-01-01T00:00:00Z",
        "--partner",
        "PS",
    ]));
    assert_eq!(out, "{\"messages\":[]}\n");
    let output = egypt.barid(&[
        "export",
        "--type",
        "predes",
        "--since",
        "yesterday",
        "--partner",
        "PS",
    ]);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("--since \"yesterday\""));
}

/// `barid partner connect`, `pause`, `resume` and `list` on a node's database, with the same
/// checks as the API.
#[test]
fn partner_links_are_set_up_from_the_command_line() {
    let egypt = Node::new("EG", "PS", "EGCAIA", "Africa/Cairo");
    let connected = ok(egypt.barid(&[
        "partner",
        "connect",
        "--operator",
        "EG",
        "--partner",
        "PS",
        "--url",
        "https://barid.palpost.ps/",
        "--token",
        "issued-by-palestine",
    ]));
    assert!(
        connected.contains("go to https://barid.palpost.ps/exchange/v1/messages"),
        "{connected}"
    );
    ok(egypt.barid(&["partner", "pause", "--operator", "EG", "--partner", "PS"]));
    let text = ok(egypt.barid(&["partner", "list", "--operator", "EG"]));
    assert!(
        text.contains("PS  https://barid.palpost.ps  PAUSED"),
        "{text}"
    );
    assert!(!text.contains("issued-by-palestine"), "{text}");
    ok(egypt.barid(&["partner", "resume", "--operator", "EG", "--partner", "PS"]));
    let endpoints = egypt
        .with_store(async |store: &dyn Store| store.partner_endpoints(cc("EG")).await.unwrap());
    assert_eq!(endpoints.len(), 1);
    assert_eq!(endpoints[0].outbound_token, "issued-by-palestine");
    assert!(!endpoints[0].paused);

    // Refused, changing nothing: not http(s), an unknown partner, a link to itself, pausing
    // a link that does not exist.
    for args in [
        vec![
            "--partner",
            "PS",
            "--url",
            "ftp://barid.palpost.ps",
            "--token",
            "t",
        ],
        vec![
            "--partner",
            "JO",
            "--url",
            "https://barid.jopost.jo",
            "--token",
            "t",
        ],
        vec![
            "--partner",
            "EG",
            "--url",
            "https://barid.egyptpost.eg",
            "--token",
            "t",
        ],
    ] {
        let mut command = vec!["partner", "connect", "--operator", "EG"];
        command.extend(args);
        let refused = egypt.barid(&command);
        assert!(!refused.status.success(), "{command:?}: {refused:?}");
        assert!(!refused.stderr.is_empty());
    }
    let refused = egypt.barid(&["partner", "pause", "--operator", "EG", "--partner", "JO"]);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("no endpoint"));
    let after = egypt
        .with_store(async |store: &dyn Store| store.partner_endpoints(cc("EG")).await.unwrap());
    assert_eq!(after, endpoints);
}
