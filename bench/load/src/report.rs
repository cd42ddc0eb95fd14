//! Counting requests and their latencies, and printing the result.

use std::collections::BTreeMap;
use std::fmt;
use std::io::Write;
use std::path::Path;
use std::time::Duration;

use hdrhistogram::Histogram;
use serde::Serialize;

/// How many answers that were not 2xx are kept to show.
const KEPT_FAILURES: usize = 3;

/// The requests of one kind made by one worker (merged across workers at the end).
#[derive(Debug, Clone)]
pub struct Tally {
    /// Microseconds, from 1 µs to 10 minutes, 3 significant digits.
    latencies: Histogram<u64>,
    pub statuses: BTreeMap<u16, u64>,
    pub errors: u64,
    pub failures: Vec<String>,
}

impl Tally {
    pub fn new() -> anyhow::Result<Self> {
        Ok(Self {
            latencies: Histogram::new_with_bounds(1, 600_000_000, 3)?,
            statuses: BTreeMap::new(),
            errors: 0,
            failures: Vec::new(),
        })
    }

    /// An answer with `status` that took `took`; `detail` describes a failure to keep.
    pub fn record(&mut self, status: u16, took: Duration, detail: impl FnOnce() -> String) {
        let micros = u64::try_from(took.as_micros()).unwrap_or(u64::MAX).max(1);
        self.latencies.saturating_record(micros);
        *self.statuses.entry(status).or_default() += 1;
        if !(200..300).contains(&status) && self.failures.len() < KEPT_FAILURES {
            self.failures.push(format!("{status}: {}", detail()));
        }
    }

    /// A request that got no answer (connection refused or reset).
    pub fn error(&mut self, error: &anyhow::Error) {
        self.errors += 1;
        if self.failures.len() < KEPT_FAILURES {
            self.failures.push(format!("no answer: {error:#}"));
        }
    }

    pub fn merge(&mut self, other: &Tally) -> anyhow::Result<()> {
        self.latencies.add(&other.latencies)?;
        for (status, count) in &other.statuses {
            *self.statuses.entry(*status).or_default() += count;
        }
        self.errors += other.errors;
        for failure in &other.failures {
            if self.failures.len() < KEPT_FAILURES {
                self.failures.push(failure.clone());
            }
        }
        Ok(())
    }

    pub fn answered(&self) -> u64 {
        self.latencies.len()
    }

    /// The report for these requests over `elapsed`; `units` is what the rate counts when it is
    /// not requests (items of a bulk request).
    pub fn report(&self, name: &str, concurrency: usize, elapsed: Duration) -> Report {
        let millis = |quantile: f64| self.latencies.value_at_quantile(quantile) as f64 / 1000.0;
        let requests = self.answered();
        let seconds = elapsed.as_secs_f64();
        Report {
            scenario: name.to_owned(),
            concurrency,
            requests,
            seconds,
            per_second: if seconds > 0.0 {
                requests as f64 / seconds
            } else {
                0.0
            },
            items: None,
            items_per_second: None,
            p50_ms: millis(0.50),
            p90_ms: millis(0.90),
            p99_ms: millis(0.99),
            max_ms: self.latencies.max() as f64 / 1000.0,
            mean_ms: self.latencies.mean() / 1000.0,
            non_2xx: self
                .statuses
                .iter()
                .filter(|(status, _)| !(200..300).contains(*status))
                .map(|(_, count)| count)
                .sum(),
            errors: self.errors,
            statuses: self.statuses.clone(),
            failures: self.failures.clone(),
        }
    }
}

/// The figures of one scenario.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub scenario: String,
    pub concurrency: usize,
    /// Requests answered in the measured window.
    pub requests: u64,
    pub seconds: f64,
    /// Requests per second.
    pub per_second: f64,
    /// For acceptance: items accepted (a bulk request holds many), and per second.
    pub items: Option<u64>,
    pub items_per_second: Option<f64>,
    pub p50_ms: f64,
    pub p90_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    pub mean_ms: f64,
    pub non_2xx: u64,
    /// Requests that got no answer.
    pub errors: u64,
    pub statuses: BTreeMap<u16, u64>,
    pub failures: Vec<String>,
}

impl Report {
    pub fn with_items(mut self, items: u64) -> Self {
        self.items = Some(items);
        self.items_per_second = Some(if self.seconds > 0.0 {
            items as f64 / self.seconds
        } else {
            0.0
        });
        self
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{} (concurrency {}): {} requests in {:.2} s = {:.0} req/s",
            self.scenario, self.concurrency, self.requests, self.seconds, self.per_second
        )?;
        if let (Some(items), Some(rate)) = (self.items, self.items_per_second) {
            writeln!(f, "  items: {items} = {rate:.0} items/s")?;
        }
        writeln!(
            f,
            "  latency ms: p50 {:.3}  p90 {:.3}  p99 {:.3}  max {:.3}  mean {:.3}",
            self.p50_ms, self.p90_ms, self.p99_ms, self.max_ms, self.mean_ms
        )?;
        let statuses: Vec<String> = self
            .statuses
            .iter()
            .map(|(status, count)| format!("{status}: {count}"))
            .collect();
        write!(
            f,
            "  statuses: {}; non-2xx {}; no answer {}",
            statuses.join(", "),
            self.non_2xx,
            self.errors
        )?;
        for failure in &self.failures {
            write!(f, "\n  e.g. {failure}")?;
        }
        Ok(())
    }
}

/// Appends each report as one JSON line.
pub fn append_json(path: &Path, reports: &[Report]) -> anyhow::Result<()> {
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    for report in reports {
        serde_json::to_writer(&mut file, report)?;
        file.write_all(b"\n")?;
    }
    Ok(())
}

/// Up to 200 characters of an answer's body, for a failure message.
pub fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    text.chars().take(200).collect()
}
