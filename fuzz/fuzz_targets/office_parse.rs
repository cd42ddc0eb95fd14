//! Any text either fails to parse or parses to an IMPC code that round-trips exactly.
#![no_main]

use barid_core::OfficeCode;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    if let Ok(office) = OfficeCode::parse(text) {
        assert_eq!(OfficeCode::parse(office.as_str()), Ok(office));
    }
});
