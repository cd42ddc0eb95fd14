//! Acceptance through the API: `--count` EMS items from a Cairo shop to Ramallah, each with a
//! CN 23 (sale of goods, three lines with HS codes, worth more than the CN 22 limit of
//! 300 SDR), each request with its own `Idempotency-Key`; then, unless `--labels none`, the
//! item's label.pdf, rendered on demand. With `--bulk`, `--batch` items go in one
//! POST /api/v1/items/bulk.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use bytes::Bytes;
use clap::{Args, ValueEnum};
use hyper::{Method, StatusCode};
use serde_json::{Value, json};

use crate::client::{Connection, Target};
use crate::report::{Report, Tally, snippet};

/// The most items one bulk request may hold (the server's limit).
const MAX_BATCH: usize = 500;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Labels {
    /// GET each accepted item's label.pdf right after accepting it.
    OnDemand,
    /// Accept only.
    None,
}

#[derive(Debug, Args)]
pub struct AcceptArgs {
    /// The server's root, e.g. http://127.0.0.1:8080.
    #[arg(long)]
    pub base_url: String,
    /// An API token that may accept (clerk or merchant) at one office of Egypt Post.
    #[arg(long)]
    pub token: String,
    /// A token for the labels when the accepting one may not read them (a merchant token);
    /// the accepting token by default.
    #[arg(long)]
    pub label_token: Option<String>,
    /// Items to accept.
    #[arg(long, default_value_t = 10_000)]
    pub count: usize,
    /// Workers, each with its own keep-alive connection.
    #[arg(long, default_value_t = 8)]
    pub concurrency: usize,
    /// POST /api/v1/items/bulk with --batch items per request.
    #[arg(long)]
    pub bulk: bool,
    /// Items per bulk request (at most 500).
    #[arg(long, default_value_t = 100)]
    pub batch: usize,
    /// Whether to fetch each item's label after accepting it.
    #[arg(long, value_enum, default_value_t = Labels::OnDemand)]
    pub labels: Labels,
    /// The accepting office, for a token that has more than one.
    #[arg(long)]
    pub office: Option<String>,
    /// Write the accepted S10 IDs here, one per line (for `tracking` and `labels`).
    #[arg(long, value_name = "FILE")]
    pub write_ids: Option<PathBuf>,
}

/// One shop's parcel of clothes and a phone case, item `index` of the run.
pub fn item(index: usize) -> Value {
    json!({
        "service": "ems",
        "destination": "PS",
        "weight_grams": 1500 + (index % 7) * 10,
        "length_mm": 300, "width_mm": 220, "height_mm": 90,
        "contents": "Cotton shirts, scarves and a phone case",
        "sender": {
            "name": "سارة عبد الله",
            "business_name": "متجر النيل للملابس",
            "address_lines": ["18 شارع قصر النيل", "الدور الثالث"],
            "city": "القاهرة",
            "postcode": "11511",
            "country": "EG",
            "phone": "+20 100 555 0199",
            "email": "orders@nile-shop.example",
            "latin": {
                "name": "Sara Abdallah",
                "address_lines": ["18 Qasr El Nil Street", "3rd floor"],
                "city": "Cairo"
            }
        },
        "addressee": {
            "name": format!("ليلى حداد {}", index % 100),
            "address_lines": ["شارع الإرسال 5"],
            "city": "رام الله",
            "country": "PS",
            "phone": "+970 59 123 4567",
            "latin": {
                "name": format!("Layla Haddad {}", index % 100),
                "address_lines": ["Al-Irsal Street 5"],
                "city": "Ramallah"
            }
        },
        "customs": {
            "category": "sale_of_goods",
            "lines": [
                {
                    "description": "Cotton shirts",
                    "quantity": 3,
                    "net_weight_grams": 600,
                    "value": {"amount_minor": 1_500_000, "currency": "EGP"},
                    "hs_code": "6109.10",
                    "origin": "EG"
                },
                {
                    "description": "Silk scarves",
                    "quantity": 2,
                    "net_weight_grams": 300,
                    "value": {"amount_minor": 1_200_000, "currency": "EGP"},
                    "hs_code": "6214.10",
                    "origin": "EG"
                },
                {
                    "description": "Phone case, plastic",
                    "quantity": 1,
                    "net_weight_grams": 100,
                    "value": {"amount_minor": 300_000, "currency": "EGP"},
                    "hs_code": "3926.90",
                    "origin": "CN"
                }
            ],
            "gross_weight_grams": 1500 + (index % 7) * 10,
            "invoice_number": format!("NS-2026-{index:06}")
        }
    })
}

struct Plan {
    target: Target,
    token: String,
    label_token: String,
    count: usize,
    batch: usize,
    bulk: bool,
    labels: Labels,
    office: Option<String>,
    next: AtomicUsize,
}

/// What one worker did.
struct Done {
    accept: Tally,
    label: Tally,
    accepted: Vec<String>,
}

pub async fn run(args: AcceptArgs) -> anyhow::Result<Vec<Report>> {
    let concurrency = args.concurrency.max(1);
    let batch = if args.bulk {
        args.batch.clamp(1, MAX_BATCH)
    } else {
        1
    };
    let plan = Arc::new(Plan {
        target: Target::parse(&args.base_url).await?,
        label_token: args.label_token.unwrap_or_else(|| args.token.clone()),
        token: args.token,
        count: args.count,
        batch,
        bulk: args.bulk,
        labels: args.labels,
        office: args.office,
        next: AtomicUsize::new(0),
    });
    let started = Instant::now();
    let mut workers = Vec::with_capacity(concurrency);
    for _ in 0..concurrency {
        let plan = Arc::clone(&plan);
        workers.push(tokio::spawn(async move { run_worker(&plan).await }));
    }
    let mut accept = Tally::new()?;
    let mut label = Tally::new()?;
    let mut accepted = Vec::with_capacity(plan.count);
    for worker in workers {
        let done = worker.await.context("a worker stopped")??;
        accept.merge(&done.accept)?;
        label.merge(&done.label)?;
        accepted.extend(done.accepted);
    }
    let elapsed = started.elapsed();
    if let Some(path) = &args.write_ids {
        let mut text = accepted.join("\n");
        text.push('\n');
        std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))?;
    }
    let items = u64::try_from(accepted.len()).unwrap_or(u64::MAX);
    let route = if plan.bulk {
        format!("POST /api/v1/items/bulk ({} items per request)", plan.batch)
    } else {
        "POST /api/v1/items".to_owned()
    };
    let with_labels = match plan.labels {
        Labels::OnDemand => ", each followed by GET label.pdf",
        Labels::None => ", no labels",
    };
    let mut reports = vec![
        accept
            .report(
                &format!("accept {route}{with_labels}"),
                concurrency,
                elapsed,
            )
            .with_items(items),
    ];
    if plan.labels == Labels::OnDemand {
        reports.push(
            label
                .report(
                    "label on demand GET /api/v1/items/{s10}/label.pdf",
                    concurrency,
                    elapsed,
                )
                .with_items(items),
        );
    }
    Ok(reports)
}

async fn run_worker(plan: &Plan) -> anyhow::Result<Done> {
    let mut acceptor = Connection::new(plan.target.clone(), Some(&plan.token))?;
    let mut printer = if plan.label_token == plan.token {
        None
    } else {
        Some(Connection::new(
            plan.target.clone(),
            Some(&plan.label_token),
        )?)
    };
    let mut done = Done {
        accept: Tally::new()?,
        label: Tally::new()?,
        accepted: Vec::new(),
    };
    loop {
        let first = plan.next.fetch_add(plan.batch, Ordering::Relaxed);
        if first >= plan.count {
            break;
        }
        let last = (first + plan.batch).min(plan.count);
        let (path, body) = if plan.bulk {
            let items: Vec<Value> = (first..last).map(item).collect();
            (
                "/api/v1/items/bulk",
                json!({"office": plan.office, "items": items}),
            )
        } else {
            let mut body = item(first);
            if let (Some(office), Some(fields)) = (&plan.office, body.as_object_mut()) {
                fields.insert("office".to_owned(), json!(office));
            }
            ("/api/v1/items", body)
        };
        let body = Bytes::from(serde_json::to_vec(&body)?);
        let key = uuid::Uuid::new_v4().to_string();
        let sent = Instant::now();
        let answer = acceptor
            .send(
                Method::POST,
                path,
                &[("idempotency-key", key.as_str())],
                Some(body),
            )
            .await;
        let took = sent.elapsed();
        let answer = match answer {
            Ok(answer) => answer,
            Err(error) => {
                done.accept.error(&error);
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            }
        };
        done.accept.record(answer.status.as_u16(), took, || {
            format!("POST {path}: {}", snippet(&answer.body))
        });
        if answer.status != StatusCode::CREATED {
            continue;
        }
        let ids = accepted_ids(&answer.body, plan.bulk)?;
        if plan.labels == Labels::OnDemand {
            let connection = printer.as_mut().unwrap_or(&mut acceptor);
            for s10 in &ids {
                label(connection, s10, &mut done.label).await;
            }
        }
        done.accepted.extend(ids);
    }
    Ok(done)
}

/// The S10 IDs of a 201 answer.
fn accepted_ids(body: &[u8], bulk: bool) -> anyhow::Result<Vec<String>> {
    let value: Value = serde_json::from_slice(body).context("a 201 answer that is not JSON")?;
    let s10 = |item: &Value| {
        item.get("s10")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .with_context(|| format!("an accepted item without s10: {}", snippet(body)))
    };
    if bulk {
        value
            .get("items")
            .and_then(Value::as_array)
            .context("a bulk answer without items")?
            .iter()
            .map(s10)
            .collect()
    } else {
        Ok(vec![s10(&value)?])
    }
}

async fn label(connection: &mut Connection, s10: &str, tally: &mut Tally) {
    let path = format!("/api/v1/items/{s10}/label.pdf");
    let sent = Instant::now();
    match connection.send(Method::GET, &path, &[], None).await {
        Ok(answer) => {
            let mut status = answer.status.as_u16();
            let is_pdf = answer
                .content_type
                .as_ref()
                .is_some_and(|value| value.as_bytes() == b"application/pdf")
                && answer.body.starts_with(b"%PDF");
            if status == 200 && !is_pdf {
                // Counted as a failure (status 0): a 200 that is not a PDF.
                status = 0;
            }
            tally.record(status, sent.elapsed(), || {
                format!("GET {path}: {}", snippet(&answer.body))
            });
        }
        Err(error) => tally.error(&error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_item_declares_more_than_the_cn22_limit_in_three_lines() {
        let item = item(3);
        let lines = item["customs"]["lines"].as_array().unwrap();
        assert_eq!(lines.len(), 3);
        let total: i64 = lines
            .iter()
            .map(|line| line["value"]["amount_minor"].as_i64().unwrap())
            .sum();
        // 30 000 EGP is about 460 SDR: a CN 23.
        assert_eq!(total, 3_000_000);
        let net: i64 = lines
            .iter()
            .map(|line| line["net_weight_grams"].as_i64().unwrap())
            .sum();
        assert!(net < item["customs"]["gross_weight_grams"].as_i64().unwrap());
    }
}
