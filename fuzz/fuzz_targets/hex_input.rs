//! Fuzz target: the hex input parser must never panic, and what it returns must be sane.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match smppdiag::input::parse(text) {
        Ok(records) => {
            assert!(!records.is_empty());
            let lines = text.split('\n').count();
            for r in &records {
                assert!(!r.bytes.is_empty());
                assert!(r.line >= 1 && r.line <= lines);
            }
            assert!(records.windows(2).all(|w| w[0].line <= w[1].line));
        }
        Err(e) => {
            if let Some((line, column)) = e.position() {
                assert!(line >= 1 && column >= 1);
            }
        }
    }
});
