//! Any text either fails to parse or parses to an ID whose display parses back to itself.
#![no_main]

use barid_core::S10Id;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    if let Ok(id) = S10Id::parse(text) {
        let shown = id.to_string();
        assert_eq!(shown.len(), 13);
        assert_eq!(S10Id::parse(&shown), Ok(id));
        assert_eq!(S10Id::parse(&id.human()), Ok(id));
    }
});
