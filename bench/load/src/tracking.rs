//! Timed GET scenarios: public tracking lookups, and label rendering of existing items.
//! Each worker walks the IDs from its own starting point, round and round, until the time is
//! up; the first `--warmup` seconds are not counted.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Args;
use hyper::Method;

use crate::client::{Connection, Target};
use crate::ids::IdSource;
use crate::report::{Report, Tally, snippet};

#[derive(Debug, Args)]
pub struct TrackingArgs {
    /// The server's root, e.g. http://127.0.0.1:8080.
    #[arg(long)]
    pub base_url: String,
    #[command(flatten)]
    pub ids: IdSource,
    /// Workers, each with its own keep-alive connection.
    #[arg(long, default_value_t = 16)]
    pub concurrency: usize,
    /// Seconds measured (after the warm-up).
    #[arg(long, default_value_t = 10)]
    pub duration: u64,
    /// Seconds of load before measuring starts.
    #[arg(long, default_value_t = 2)]
    pub warmup: u64,
    /// Look up the HTML page /track/{s10} instead of the JSON API.
    #[arg(long)]
    pub page: bool,
    /// Another path to GET, with `{s10}` standing for each ID (e.g. `/healthz`, to measure what
    /// a request costs without the lookup).
    #[arg(long, conflicts_with = "page")]
    pub path: Option<String>,
}

#[derive(Debug, Args)]
pub struct LabelArgs {
    /// The server's root, e.g. http://127.0.0.1:8080.
    #[arg(long)]
    pub base_url: String,
    /// An API token of a staff role of the items' operator (labels are not public).
    #[arg(long)]
    pub token: String,
    #[command(flatten)]
    pub ids: IdSource,
    #[arg(long, default_value_t = 2)]
    pub concurrency: usize,
    #[arg(long, default_value_t = 10)]
    pub duration: u64,
    #[arg(long, default_value_t = 2)]
    pub warmup: u64,
}

/// What a timed scenario does.
struct Plan {
    name: String,
    target: Target,
    token: Option<String>,
    paths: Vec<String>,
    concurrency: usize,
    warmup: Duration,
    duration: Duration,
    /// For labels: the answer must be a PDF.
    expect_pdf: bool,
}

pub async fn run(args: TrackingArgs) -> anyhow::Result<Vec<Report>> {
    let ids = args.ids.load()?;
    let (name, paths) = if let Some(template) = &args.path {
        (
            template.as_str(),
            ids.iter().map(|id| template.replace("{s10}", id)).collect(),
        )
    } else if args.page {
        (
            "tracking page /track/{s10}",
            ids.iter().map(|id| format!("/track/{id}")).collect(),
        )
    } else {
        (
            "tracking API /api/v1/items/{s10}/events",
            ids.iter()
                .map(|id| format!("/api/v1/items/{id}/events"))
                .collect(),
        )
    };
    let plan = Plan {
        name: name.to_owned(),
        target: Target::parse(&args.base_url).await?,
        token: None,
        paths,
        concurrency: args.concurrency.max(1),
        warmup: Duration::from_secs(args.warmup),
        duration: Duration::from_secs(args.duration.max(1)),
        expect_pdf: false,
    };
    Ok(vec![timed(plan).await?])
}

pub async fn run_labels(args: LabelArgs) -> anyhow::Result<Vec<Report>> {
    let ids = args.ids.load()?;
    let plan = Plan {
        name: "label /api/v1/items/{s10}/label.pdf".to_owned(),
        target: Target::parse(&args.base_url).await?,
        token: Some(args.token),
        paths: ids
            .iter()
            .map(|id| format!("/api/v1/items/{id}/label.pdf"))
            .collect(),
        concurrency: args.concurrency.max(1),
        warmup: Duration::from_secs(args.warmup),
        duration: Duration::from_secs(args.duration.max(1)),
        expect_pdf: true,
    };
    Ok(vec![timed(plan).await?])
}

async fn timed(plan: Plan) -> anyhow::Result<Report> {
    let plan = Arc::new(plan);
    let started = Instant::now();
    let measure_from = started + plan.warmup;
    let deadline = measure_from + plan.duration;
    let mut workers = Vec::with_capacity(plan.concurrency);
    for worker in 0..plan.concurrency {
        let plan = Arc::clone(&plan);
        workers.push(tokio::spawn(async move {
            run_worker(&plan, worker, measure_from, deadline).await
        }));
    }
    let mut total = Tally::new()?;
    let mut last = measure_from;
    for worker in workers {
        let (tally, finished) = worker.await.context("a worker stopped")??;
        total.merge(&tally)?;
        last = last.max(finished);
    }
    Ok(total.report(&plan.name, plan.concurrency, last - measure_from))
}

/// One worker's loop. Returns what it counted and when its last counted answer came.
async fn run_worker(
    plan: &Plan,
    worker: usize,
    measure_from: Instant,
    deadline: Instant,
) -> anyhow::Result<(Tally, Instant)> {
    let mut connection = Connection::new(plan.target.clone(), plan.token.as_deref())?;
    let mut tally = Tally::new()?;
    let count = plan.paths.len().max(1);
    // Spread the workers over the IDs so they do not all ask for the same item at once.
    let mut next = worker.wrapping_mul(7919) % count;
    let mut last = measure_from;
    loop {
        let sent = Instant::now();
        if sent >= deadline {
            break;
        }
        let Some(path) = plan.paths.get(next) else {
            break;
        };
        next = (next + 1) % count;
        let answer = connection.send(Method::GET, path, &[], None).await;
        let now = Instant::now();
        if sent < measure_from {
            continue;
        }
        last = now;
        match answer {
            Ok(answer) => {
                let mut status = answer.status.as_u16();
                if plan.expect_pdf && status == 200 && !answer.body.starts_with(b"%PDF") {
                    // Counted as a failure (status 0): a 200 that is not a PDF.
                    status = 0;
                }
                tally.record(status, now - sent, || {
                    format!("GET {path}: {}", snippet(&answer.body))
                });
            }
            Err(error) => {
                tally.error(&error);
                // Give a refused connection a moment instead of spinning.
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        }
    }
    Ok((tally, last))
}
