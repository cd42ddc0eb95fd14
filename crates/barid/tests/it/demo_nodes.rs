//! `barid demo --nodes`: five nodes in one process, each with its own database and port. The
//! demo's traffic went between them over HTTP; this test then asks each node, over HTTP too,
//! whether it shows its part: Palestine received and verified the dispatch accepted in Cairo,
//! Jordan sent it on in closed transit, and Egypt has Palestine's response on receipt and the
//! delivery Palestine recorded.

#![allow(clippy::indexing_slicing)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// The demo's process, killed when dropped, also when an assertion fails.
struct Demo {
    child: Child,
    dir: PathBuf,
}

impl Drop for Demo {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Demo {
    /// What the demo printed, for failure messages.
    fn output(&self) -> String {
        let read = |name: &str| std::fs::read_to_string(self.dir.join(name)).unwrap_or_default();
        format!("stdout:\n{}\nstderr:\n{}", read("stdout"), read("stderr"))
    }

    /// Starts the demo and waits for its summary: it is written once every node shows the
    /// traffic.
    fn start(dir: &Path) -> (Demo, Value) {
        let summary = dir.join("summary.json");
        let child = Command::new(env!("CARGO_BIN_EXE_barid"))
            .args(["demo", "--nodes", "--port", "0", "--items", "6"])
            .arg("--dir")
            .arg(dir.join("nodes"))
            .arg("--summary-json")
            .arg(&summary)
            .current_dir(dir)
            .env_remove("BARID_DATABASE_URL")
            .env_remove("BARID_LISTEN")
            .stdout(std::fs::File::create(dir.join("stdout")).unwrap())
            .stderr(std::fs::File::create(dir.join("stderr")).unwrap())
            .stdin(Stdio::null())
            .spawn()
            .unwrap();
        let mut demo = Demo {
            child,
            dir: dir.to_owned(),
        };
        let deadline = Instant::now() + Duration::from_secs(120);
        while !summary.exists() {
            if let Some(status) = demo.child.try_wait().unwrap() {
                panic!(
                    "the demo stopped ({status}) before its summary\n{}",
                    demo.output()
                );
            }
            assert!(
                Instant::now() < deadline,
                "no summary after 120 s\n{}",
                demo.output()
            );
            std::thread::sleep(Duration::from_millis(200));
        }
        let value = serde_json::from_slice(&std::fs::read(&summary).unwrap()).unwrap();
        (demo, value)
    }
}

/// A node of the summary, by operator code.
fn node<'a>(summary: &'a Value, operator: &str) -> &'a Value {
    summary["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|node| node["operator"] == operator)
        .unwrap_or_else(|| panic!("no node for {operator} in {summary}"))
}

/// The API token the demo issued on `operator`'s node for `role` at `office`.
fn token(summary: &Value, operator: &str, role: &str, office: &str) -> String {
    node(summary, operator)["api_tokens"]
        .as_array()
        .unwrap()
        .iter()
        .find(|token| token["role"] == role && token["office"] == office)
        .unwrap_or_else(|| panic!("no {role} token at {office} on {operator}'s node"))["token"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// GET on `operator`'s node: the status and the body.
async fn get(summary: &Value, operator: &str, path: &str, token: Option<&str>) -> (u16, String) {
    let url = format!(
        "{}{path}",
        node(summary, operator)["base_url"].as_str().unwrap()
    );
    let mut request = reqwest::Client::new().get(&url);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

async fn get_json(summary: &Value, operator: &str, path: &str, token: &str) -> Value {
    let (status, body) = get(summary, operator, path, Some(token)).await;
    assert_eq!(status, 200, "GET {path} on {operator}'s node: {body}");
    serde_json::from_str(&body).unwrap()
}

/// The summary's dispatch to `destination` whose story contains `story`.
fn dispatch<'a>(summary: &'a Value, destination: &str, story: &str) -> &'a Value {
    summary["dispatches"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| {
            d["destination_office"] == destination && d["story"].as_str().unwrap().contains(story)
        })
        .unwrap_or_else(|| panic!("no dispatch to {destination} ({story}) in {summary}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_nodes_trade_the_demo_traffic_over_http_and_each_shows_its_part() {
    let dir = tempfile::tempdir().unwrap();
    let (demo, summary) = Demo::start(dir.path());
    let context = demo.output();

    // Five nodes, five databases, five addresses.
    let mut urls: Vec<&str> = Vec::new();
    for operator in ["EG", "JO", "PS", "IQ", "LY"] {
        assert!(
            dir.path()
                .join("nodes")
                .join(operator.to_lowercase())
                .join("barid.db")
                .is_file(),
            "{operator}'s database\n{context}"
        );
        let url = node(&summary, operator)["base_url"].as_str().unwrap();
        assert!(!urls.contains(&url), "{url} twice");
        urls.push(url);
        let issued = node(&summary, operator)["partner_tokens"]
            .as_array()
            .unwrap();
        assert_eq!(issued.len(), 4, "{operator} issued {issued:?}");
    }

    let through_amman = dispatch(&summary, "PSRMHA", "verified");
    let s8 = through_amman["s8"].as_str().unwrap();
    // Every node that has it: Egypt's, Jordan's and Palestine's, each addressing it by its S8.
    let nodes: Vec<&String> = through_amman["ids"].as_object().unwrap().keys().collect();
    assert_eq!(nodes, ["EG", "JO", "PS"], "{through_amman}");
    let held_in_amman = dispatch(&summary, "PSRMHA", "not sent on");
    let held_s8 = held_in_amman["s8"].as_str().unwrap();

    // Palestine: the dispatch accepted in Cairo is its inward dispatch, received and verified.
    let ps_oe = token(&summary, "PS", "oe_operator", "PSRMHA");
    let inward = get_json(
        &summary,
        "PS",
        &format!("/api/v1/exchange/dispatches/{s8}"),
        &ps_oe,
    )
    .await;
    assert_eq!(inward["s8"], s8, "{inward}");
    assert_eq!(inward["direction"], "inward", "{inward}");
    assert_eq!(inward["status"], "verified", "{inward}");
    assert_eq!(inward["transit_office"], "JOAMMA", "{inward}");
    let listed = get_json(&summary, "PS", "/api/v1/exchange/dispatches", &ps_oe).await;
    assert!(
        listed.as_array().unwrap().iter().any(|d| d["s8"] == s8),
        "{listed}"
    );
    // Its screens: the verified dispatch's page, and the desk listing the one still expected
    // (a verified dispatch leaves the desk's list of arriving dispatches).
    let (status, page) = get(
        &summary,
        "PS",
        &format!("/exchange/dispatches/{s8}"),
        Some(&ps_oe),
    )
    .await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains(s8), "{page}");
    let (status, desk) = get(&summary, "PS", "/exchange", Some(&ps_oe)).await;
    assert_eq!(status, 200, "{desk}");
    // Its row names it by its S8 ID.
    let at = desk
        .find(&format!(r#"<tr data-dispatch="{held_s8}""#))
        .unwrap_or_else(|| panic!("{held_s8} is not on PS's desk: {desk}"));
    let row = &desk[at..at + desk[at..].find("</tr>").unwrap()];
    assert!(row.contains(r#"data-direction="inward""#), "{row}");
    assert!(row.contains(r#"data-status="expected""#), "{row}");

    // Jordan sent it on, closed, without opening it.
    let jo_oe = token(&summary, "JO", "oe_operator", "JOAMMA");
    let transit = get_json(
        &summary,
        "JO",
        &format!("/api/v1/exchange/dispatches/{s8}"),
        &jo_oe,
    )
    .await;
    assert_eq!(transit["s8"], s8, "{transit}");
    assert_eq!(transit["direction"], "transit", "{transit}");
    assert_eq!(transit["status"], "forwarded", "{transit}");

    // Egypt: Palestine's response on receipt (RESDES) closes the loop on its outward dispatch.
    let eg_oe = token(&summary, "EG", "oe_operator", "EGCAIA");
    let outward = get_json(
        &summary,
        "EG",
        &format!("/api/v1/exchange/dispatches/{s8}"),
        &eg_oe,
    )
    .await;
    assert_eq!(outward["s8"], s8, "{outward}");
    assert_eq!(outward["direction"], "outward", "{outward}");
    let response = &outward["partner_response"];
    assert_eq!(response["office"], "PSRMHA", "{outward}");
    assert_eq!(
        response["receptacles"].as_array().unwrap().len(),
        outward["receptacles"].as_array().unwrap().len(),
        "{outward}"
    );
    assert_eq!(
        response["discrepancies"],
        serde_json::json!([]),
        "{outward}"
    );

    // Egypt's public tracking shows the delivery Palestine recorded, on Egypt's node.
    let delivered = summary["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|item| item["destination"] == "PS" && item["status"] == "delivered")
        .unwrap_or_else(|| panic!("no item delivered in Palestine: {summary}"));
    let s10 = delivered["s10"].as_str().unwrap();
    let (status, body) = get(&summary, "EG", &format!("/api/v1/items/{s10}/events"), None).await;
    assert_eq!(status, 200, "{body}");
    let timeline: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(timeline["status"], "delivered", "{timeline}");
    let codes: Vec<&str> = timeline["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|event| event["code"].as_str().unwrap())
        .collect();
    // Egypt's own events, Jordan's transit, then Palestine's from arrival to the door (with
    // its customs steps for an item that has a declaration).
    assert_eq!(
        codes[..6],
        ["EMA", "EMB", "EMC", "EMJ", "EMK", "EMD"],
        "{timeline}"
    );
    assert_eq!(
        codes[codes.len() - 4..],
        ["EMF", "EMG", "EDG", "EMI"],
        "{timeline}"
    );
    let last = timeline["events"].as_array().unwrap().last().unwrap();
    assert!(
        last["office"].as_str().unwrap().starts_with("PS-"),
        "delivered at a Palestinian delivery office: {last}"
    );
    let (status, page) = get(&summary, "EG", &format!("/track/{s10}"), None).await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains(r#"data-status="delivered""#), "{page}");
    assert!(page.contains(r#"data-code="EMI""#), "{page}");

    // Palestine's public tracking shows the same journey: Egypt's events came with the
    // dispatch, Jordan's transit scans were passed on by Egypt. Egypt's node sends once a
    // second, so the last of them may still be on its way: a bounded number of looks.
    let mut palestine_codes = Vec::new();
    for _ in 0..50 {
        let (status, body) =
            get(&summary, "PS", &format!("/api/v1/items/{s10}/events"), None).await;
        assert_eq!(status, 200, "{body}");
        let timeline: Value = serde_json::from_str(&body).unwrap();
        palestine_codes = timeline["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|event| event["code"].as_str().unwrap().to_owned())
            .collect();
        if palestine_codes == codes {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert_eq!(
        palestine_codes, codes,
        "Palestine's timeline against Egypt's"
    );
    drop(demo);
}
