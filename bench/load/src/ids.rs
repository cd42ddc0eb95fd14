//! The S10 IDs to look up: from a file (one per line) or from `barid demo --summary-json`.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::Args;
use serde::Deserialize;

/// Where the IDs come from; at least one of the two.
#[derive(Debug, Clone, Args)]
pub struct IdSource {
    /// A file with one S10 ID per line (blank lines and `#` comments are skipped).
    #[arg(long, value_name = "FILE")]
    pub ids_from: Option<PathBuf>,
    /// The JSON summary `barid demo --summary-json` wrote; its `items[].s10` are used.
    #[arg(long, value_name = "FILE")]
    pub summary_json: Option<PathBuf>,
}

#[derive(Debug, Deserialize)]
struct Summary {
    items: Vec<SummaryItem>,
}

#[derive(Debug, Deserialize)]
struct SummaryItem {
    s10: String,
}

impl IdSource {
    pub fn load(&self) -> anyhow::Result<Vec<String>> {
        let mut ids = Vec::new();
        if let Some(path) = &self.ids_from {
            ids.extend(from_file(path)?);
        }
        if let Some(path) = &self.summary_json {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading {}", path.display()))?;
            let summary: Summary = serde_json::from_str(&text)
                .with_context(|| format!("{} is not a demo summary", path.display()))?;
            ids.extend(summary.items.into_iter().map(|item| item.s10));
        }
        if ids.is_empty() {
            bail!("no S10 IDs: give --ids-from FILE or --summary-json FILE (with items)");
        }
        Ok(ids)
    }
}

fn from_file(path: &Path) -> anyhow::Result<Vec<String>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    Ok(text
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(str::to_owned)
        .collect())
}
