fn main() {
    for h in [
        "0000001C00000002000000000000000174657374000000000000",
        "0000002F00000004000000000000000100010131323334000101393837360000000000000000000000000000000548656C6C6F",
        "00000010800000040000005800000001",
    ] {
        let b = hex::decode(h).unwrap();
        for (off, d) in smppdiag::codec::decode_stream(&b) {
            println!("@{off} {} malformed={} repaired={:?}", d.command_name(), d.is_malformed(), d.repaired.as_ref().map(hex::encode_upper));
            for s in &d.spans { println!("  {:>2}..{:<2} {}{} {:?} {:?}", s.range.start, s.range.end, "  ".repeat(s.depth as usize), s.name, s.value, s.meaning); }
            for x in &d.diagnostics { println!("  ! {} {:?} {} | {:?}", x.offset, x.severity, x.message, x.hint); }
        }
    }
}
