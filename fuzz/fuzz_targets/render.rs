//! Rendering the annotated dump and JSON of any input never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use smppdiag::codec::decode_stream;
use smppdiag::render::dump::{dump, DumpOptions};
use smppdiag::render::json::{pdu_json, JsonOptions};
use smppdiag::render::Style;

fuzz_target!(|data: &[u8]| {
    for (off, d) in decode_stream(data) {
        let _ = dump(&d, &Style::PLAIN, &DumpOptions::default());
        let _ = pdu_json(&d, off, &JsonOptions::default());
    }
});
