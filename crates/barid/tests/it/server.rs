//! Runs the real binary: bootstraps a node with the administration commands, serves it on a
//! free port and talks HTTP to it.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

fn barid_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_barid"))
        .args(args)
        .current_dir(dir)
        .env_remove("BARID_DATABASE_URL")
        .env_remove("BARID_LISTEN")
        .output()
        .unwrap()
}

fn ok(output: Output) -> String {
    assert!(
        output.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// A `barid serve` child process, killed when dropped.
struct Server {
    child: Child,
    address: String,
}

impl Server {
    fn start(dir: &Path) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_barid"))
            .args(["serve", "--listen", "127.0.0.1:0"])
            .current_dir(dir)
            .env_remove("BARID_DATABASE_URL")
            .env_remove("BARID_LISTEN")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).unwrap();
        let address = line
            .trim()
            .strip_prefix("Barid listening on http://")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
            .to_owned();
        Server { child, address }
    }

    /// Sends one HTTP/1.1 request and returns the status code and body.
    fn get(&self, path: &str, token: Option<&str>) -> (u16, String) {
        let mut stream = TcpStream::connect(&self.address).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .unwrap();
        let auth = token
            .map(|t| format!("Authorization: Bearer {t}\r\n"))
            .unwrap_or_default();
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nHost: {}\r\n{auth}Connection: close\r\n\r\n",
            self.address
        )
        .unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        let status = response.split(' ').nth(1).unwrap().parse().unwrap();
        let body = response
            .split_once("\r\n\r\n")
            .map(|(_, b)| b.to_owned())
            .unwrap();
        (status, body)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn a_fresh_node_serves_health_checks_with_the_sqlite_default() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    assert_eq!(server.get("/healthz", None).0, 200);
    assert_eq!(server.get("/readyz", None).0, 200);
    // The default database is barid.db in the working folder, and nowhere else.
    assert!(dir.path().join("barid.db").is_file());
    let (status, body) = server.get("/api/v1/me", None);
    assert_eq!(status, 401);
    assert!(body.contains("\"error\":\"unauthenticated\""), "{body}");
}

#[test]
fn the_administration_commands_bootstrap_a_node_an_api_token_can_use() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| ok(barid_in(dir.path(), args));
    run(&["migrate"]);
    run(&[
        "operator",
        "add",
        "--code",
        "EG",
        "--name-en",
        "Egypt Post",
        "--name-ar",
        "البريد المصري",
        "--currency",
        "EGP",
    ]);
    run(&[
        "office",
        "add",
        "--operator",
        "EG",
        "--code",
        "EGCAIA",
        "--kind",
        "exchange",
        "--name-en",
        "Cairo-A mail traffic centre",
        "--name-ar",
        "مركز القاهرة أ للبريد",
        "--city-en",
        "Cairo",
        "--city-ar",
        "القاهرة",
        "--timezone",
        "Africa/Cairo",
    ]);
    let added = run(&[
        "user",
        "add",
        "--operator",
        "EG",
        "--username",
        "Admin",
        "--role",
        "admin",
    ]);
    assert!(added.contains("user admin added to EG"), "{added}");
    assert!(added.contains("password (shown once): "), "{added}");
    let issued = run(&[
        "token",
        "issue",
        "--operator",
        "EG",
        "--name",
        "monitoring",
        "--role",
        "supervisor",
    ]);
    let secret = issued
        .lines()
        .find_map(|line| line.rsplit_once(": ").map(|(_, s)| s.to_owned()))
        .filter(|s| s.starts_with("barid_"))
        .unwrap_or_else(|| panic!("no secret in {issued}"));

    let server = Server::start(dir.path());
    let (status, body) = server.get("/api/v1/offices", Some(&secret));
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("EGCAIA"), "{body}");
    let (status, _) = server.get("/api/v1/offices", Some("barid_not-a-real-token"));
    assert_eq!(status, 401);
}

#[test]
fn bad_database_urls_are_clear_startup_errors() {
    let dir = tempfile::tempdir().unwrap();
    let unknown = barid_in(
        dir.path(),
        &["migrate", "--database", "mysql://root@localhost/x"],
    );
    assert_eq!(unknown.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("unknown database URL scheme"));
    let missing = barid_in(
        dir.path(),
        &["migrate", "--database", "sqlite://no/such/folder/x.db"],
    );
    assert_eq!(missing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("does not exist"));
    assert!(
        !dir.path().join("no").exists(),
        "nothing is created in the wrong place"
    );
}

#[test]
fn config_example_prints_every_setting() {
    let dir = tempfile::tempdir().unwrap();
    let example = ok(barid_in(dir.path(), &["config", "example"]));
    for setting in [
        "listen",
        "database_url",
        "session_lifetime_minutes",
        "cookie_secure",
    ] {
        assert!(
            example.contains(setting),
            "{setting} missing from\n{example}"
        );
    }
    std::fs::write(dir.path().join("barid.toml"), &example).unwrap();
    ok(barid_in(dir.path(), &["migrate", "--config", "barid.toml"]));
}

#[test]
fn sqlite_backups_are_taken_online() {
    let dir = tempfile::tempdir().unwrap();
    ok(barid_in(dir.path(), &["migrate"]));
    ok(barid_in(
        dir.path(),
        &[
            "operator",
            "add",
            "--code",
            "PS",
            "--name-en",
            "Palestine Post",
            "--name-ar",
            "بريد فلسطين",
            "--currency",
            "ILS",
        ],
    ));
    let _server = Server::start(dir.path());
    ok(barid_in(dir.path(), &["backup", "--to", "copy.db"]));
    let copy = format!("sqlite://{}", dir.path().join("copy.db").display());
    // The copy is a working database holding the operator.
    let again = barid_in(
        dir.path(),
        &[
            "operator",
            "add",
            "--database",
            &copy,
            "--code",
            "PS",
            "--name-en",
            "x",
            "--name-ar",
            "س",
            "--currency",
            "ILS",
        ],
    );
    assert_eq!(again.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&again.stderr);
    assert!(stderr.contains("operator PS already exists"), "{stderr}");
}

#[test]
fn the_demo_builds_the_network_and_serves_items_to_track() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_barid"))
        .args(["demo", "--dir", "demo", "--port", "0", "--items", "12"])
        .current_dir(dir.path())
        .env_remove("BARID_DATABASE_URL")
        .env_remove("BARID_LISTEN")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let mut printed = Vec::new();
    for line in lines.by_ref() {
        let line = line.unwrap();
        let done =
            line.contains("/track/") && printed.iter().any(|l: &String| l.contains("/track/"));
        printed.push(line);
        if done && printed.len() > 40 {
            break;
        }
        if printed.len() > 80 {
            break;
        }
    }
    let text = printed.join("\n");
    let address = text
        .lines()
        .find_map(|l| l.strip_prefix("Barid listening on http://"))
        .unwrap_or_else(|| panic!("no address in\n{text}"))
        .to_owned();
    let server = Server { child, address };
    for login in [
        "eg-clerk",
        "eg-oe-operator",
        "ps-customs",
        "ps-delivery",
        "jo-oe-operator",
    ] {
        assert!(text.contains(login), "{login} missing from\n{text}");
    }
    assert!(text.contains("barid_"), "no merchant token in\n{text}");
    assert!(dir.path().join("demo/barid.db").is_file());
    let delivered = text
        .lines()
        .find(|l| l.contains("/track/") && l.ends_with(": delivered"))
        .and_then(|l| l.split("/track/").nth(1))
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("no delivered item listed in\n{text}"))
        .to_owned();
    let (status, body) = server.get(&format!("/api/v1/items/{delivered}/events"), None);
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("\"status\":\"delivered\""), "{body}");
    // One timeline from three posts: Egypt's acceptance, Jordan's transit, Palestine's delivery.
    for code in ["\"EMA\"", "\"EMJ\"", "\"EMD\"", "\"EMI\""] {
        assert!(body.contains(code), "{code} missing from {body}");
    }
    let (status, page) = server.get(&format!("/track/{delivered}"), None);
    assert_eq!(status, 200);
    assert!(
        page.contains("dir=\"rtl\""),
        "the demo posts speak Arabic by default"
    );
}
