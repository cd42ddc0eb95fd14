//! Any text either fails to parse or parses to an S9 ID that round-trips exactly, and whose
//! first 20 characters are its dispatch's S8 ID.
#![no_main]

use barid_core::{DispatchId, ReceptacleId};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    if let Ok(receptacle) = ReceptacleId::parse(text) {
        let shown = receptacle.to_string();
        assert_eq!(shown.len(), 29);
        assert_eq!(ReceptacleId::parse(&shown), Ok(receptacle));
        assert_eq!(ReceptacleId::parse(&receptacle.human()), Ok(receptacle));
        assert_eq!(
            DispatchId::parse(shown.get(..20).unwrap_or_default()),
            Ok(receptacle.dispatch)
        );
    }
});
