//! The browser tests in `e2e/`: Node's test runner drives Debian's chromium with
//! playwright-core against a `barid demo` this test starts. They log in, accept an item with a
//! CN 23 through the form, check the label's barcode, track an item in Arabic and see a
//! suspended destination refused. Screenshots go to `target/browser-screenshots/`.
//!
//! Chromium is required: without it the test fails and says how to install it, unless
//! `BARID_BROWSER_TESTS=skip`.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

const SKIP_VARIABLE: &str = "BARID_BROWSER_TESTS";
const DEFAULT_CHROMIUM: &str = "/usr/bin/chromium";

/// The workspace root: two levels above this crate.
fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// The browser, or `None` when the browser tests are to be skipped.
fn chromium() -> Option<PathBuf> {
    if std::env::var(SKIP_VARIABLE).is_ok_and(|value| value.trim() == "skip") {
        eprintln!("{SKIP_VARIABLE}=skip: the browser tests are SKIPPED");
        return None;
    }
    let path = std::env::var_os("BARID_CHROMIUM")
        .filter(|path| !path.is_empty())
        .map_or_else(|| PathBuf::from(DEFAULT_CHROMIUM), PathBuf::from);
    assert!(
        path.is_file(),
        "the browser tests need Debian's chromium at {} (BARID_CHROMIUM names another): \
         install it with `apt-get install chromium` (.ci/run does), or set \
         {SKIP_VARIABLE}=skip to skip them",
        path.display()
    );
    Some(path)
}

fn shown(output: &Output) -> String {
    format!(
        "--- stdout ---\n{}\n--- stderr ---\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// Runs `program` in `dir`, failing with a hint when it is not installed.
fn run(dir: &Path, program: &str, args: &[&str], envs: &[(&str, &Path)]) -> Output {
    let mut command = Command::new(program);
    command.args(args).current_dir(dir).stdin(Stdio::null());
    for (name, value) in envs {
        command.env(name, value);
    }
    command.output().unwrap_or_else(|error| {
        panic!(
            "cannot run {program} ({error}): the browser tests need Node.js 20 or newer with npm \
             (or set {SKIP_VARIABLE}=skip)"
        )
    })
}

/// Installs playwright-core from the committed lock file unless it is there already.
fn npm_ci_if_needed(e2e: &Path) {
    if e2e
        .join("node_modules/playwright-core/package.json")
        .is_file()
    {
        return;
    }
    let output = run(e2e, "npm", &["ci", "--no-audit", "--no-fund"], &[]);
    assert!(
        output.status.success(),
        "`npm ci` in {} failed\n{}",
        e2e.display(),
        shown(&output)
    );
}

/// A `barid demo` child process, killed when dropped.
struct Demo {
    child: Child,
    log: PathBuf,
}

impl Demo {
    /// Starts the demo in `dir` and waits until it has written its summary JSON, which it
    /// does once the server listens. Returns the server and the summary's `base_url`.
    fn start(dir: &Path, summary: &Path) -> (Demo, String) {
        // Its output goes to a file, not a pipe nobody reads, which could fill and stall it.
        let log = dir.join("demo.log");
        let out = File::create(&log).unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_barid"))
            .args(["demo", "--dir"])
            .arg(dir.join("demo"))
            .args(["--port", "0", "--items", "12", "--summary-json"])
            .arg(summary)
            .current_dir(dir)
            .env_remove("BARID_DATABASE_URL")
            .env_remove("BARID_LISTEN")
            .stdin(Stdio::null())
            .stdout(out.try_clone().unwrap())
            .stderr(out)
            .spawn()
            .unwrap();
        let mut demo = Demo { child, log };
        // A deadline to stop waiting, not a measurement: a slow machine only waits longer.
        let deadline = Instant::now() + Duration::from_secs(300);
        while !summary.is_file() {
            if let Some(status) = demo.child.try_wait().unwrap() {
                panic!(
                    "barid demo exited ({status}) before serving\n{}",
                    demo.log()
                );
            }
            assert!(
                Instant::now() < deadline,
                "barid demo wrote no {} in 5 minutes\n{}",
                summary.display(),
                demo.log()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        let json: serde_json::Value =
            serde_json::from_slice(&std::fs::read(summary).unwrap()).unwrap();
        let base_url = json
            .get("base_url")
            .and_then(serde_json::Value::as_str)
            .unwrap_or_else(|| panic!("no base_url in the summary {json}"))
            .to_owned();
        (demo, base_url)
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Demo {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn the_browser_tests_pass_against_the_demo() {
    let Some(chromium) = chromium() else {
        return;
    };
    let root = workspace_root();
    let e2e = root.join("e2e");
    npm_ci_if_needed(&e2e);
    // The folder CI keeps as artifacts: emptied first, so it shows this run only.
    let screenshots = root.join("target/browser-screenshots");
    let _ = std::fs::remove_dir_all(&screenshots);
    std::fs::create_dir_all(&screenshots).unwrap();

    let dir = tempfile::tempdir().unwrap();
    let summary = dir.path().join("summary.json");
    let (demo, base_url) = Demo::start(dir.path(), &summary);

    let output = run(
        &e2e,
        "node",
        &["--test", "--test-concurrency=1"],
        &[
            ("BARID_URL", Path::new(&base_url)),
            ("BARID_SUMMARY", &summary),
            ("BARID_SCREENSHOTS", &screenshots),
            ("BARID_CHROMIUM", &chromium),
        ],
    );
    assert!(
        output.status.success(),
        "the browser tests failed ({}); screenshots in {}\n{}\n--- barid demo ---\n{}",
        output.status,
        screenshots.display(),
        shown(&output),
        demo.log()
    );
    println!("{}", String::from_utf8_lossy(&output.stdout));
    println!("screenshots in {}", screenshots.display());
}
