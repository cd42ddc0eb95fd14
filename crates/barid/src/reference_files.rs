//! Loads reference data: the tables shipped in barid-core, each replaced by a file of the same
//! name in the override folder when one is there.

use std::path::Path;

use anyhow::Context;
use barid_core::{ReferenceData, ReferenceTable};

pub fn load(override_dir: Option<&Path>) -> anyhow::Result<ReferenceData> {
    let mut texts = Vec::new();
    if let Some(dir) = override_dir {
        if !dir.is_dir() {
            anyhow::bail!(
                "reference data folder {} does not exist (set by --reference-dir or BARID_REFERENCE_DIR)",
                dir.display()
            );
        }
        for table in ReferenceTable::ALL {
            let path = dir.join(table.file_name());
            if path.exists() {
                let text = std::fs::read_to_string(&path)
                    .with_context(|| format!("reading {}", path.display()))?;
                texts.push((table, text));
            }
        }
    }
    let borrowed: Vec<(ReferenceTable, &str)> = texts
        .iter()
        .map(|(table, text)| (*table, text.as_str()))
        .collect();
    ReferenceData::with_overrides(&borrowed).context("loading reference data")
}
