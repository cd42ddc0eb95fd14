//! Any text either fails to parse or parses to an S8 ID that round-trips exactly.
#![no_main]

use barid_core::DispatchId;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    if let Ok(dispatch) = DispatchId::parse(text) {
        let shown = dispatch.to_string();
        assert_eq!(shown.len(), 20);
        assert_eq!(DispatchId::parse(&shown), Ok(dispatch));
        assert_eq!(DispatchId::parse(&dispatch.human()), Ok(dispatch));
    }
});
