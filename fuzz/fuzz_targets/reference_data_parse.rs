//! Any bytes offered as any reference table give reference data or a typed error, never a panic.
#![no_main]

use barid_core::{ReferenceData, ReferenceTable};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: (u8, &str)| {
    let (selector, text) = input;
    let tables = ReferenceTable::ALL;
    let table = tables[usize::from(selector) % tables.len()];
    let _ = ReferenceData::with_overrides(&[(table, text)]);
});
