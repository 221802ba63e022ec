//! Decoding arbitrary bytes never panics; spans stay inside the bytes and depth-0 spans tile the
//! PDU; anything that decodes without error survives decode → encode → decode unchanged; a
//! corrected PDU offered by the repair logic decodes cleanly.
#![no_main]

use libfuzzer_sys::fuzz_target;
use smppdiag::codec::{decode, decode_pdu, decode_stream};

fuzz_target!(|data: &[u8]| {
    for (_, d) in decode_stream(data) {
        let mut end = 0;
        for s in d.spans.iter().filter(|s| s.depth == 0) {
            assert_eq!(s.range.start, end, "depth-0 spans tile the PDU");
            end = s.range.end;
        }
        assert!(d.spans.is_empty() || end == d.bytes.len(), "spans cover every byte");
        if let Some(fixed) = &d.repaired {
            assert!(!decode(fixed).is_malformed(), "a corrected PDU is well-formed");
        }
    }
    if let Ok(p) = decode_pdu(data) {
        if let Ok(bytes) = p.encode() {
            assert_eq!(decode_pdu(&bytes).ok(), Some(p), "decode → encode → decode is stable");
        }
    }
});
