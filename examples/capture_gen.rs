//! Write a synthetic SMPP session capture with `PcapRecorder` (for benches/capture.sh).
//!
//! Usage: `cargo run --release --example capture_gen -- OUT.pcap PDUS`
//!        `cargo run --release --example capture_gen -- OUT.pcap --stream PDUS.hex [SEGMENT]`
//!
//! One session: bind_transceiver / _resp, then submit_sm / submit_sm_resp pairs (every 50th
//! answered ESME_RTHROTTLED), then unbind / _resp; PDUS counts every PDU.
//!
//! With `--stream`: the PDUs of a hex file (one per line, as benches/gen_pdus.py writes them)
//! sent back to back by the client on one connection, cut into SEGMENT-octet TCP segments
//! (default 1,400), so PDUs straddle segments as in a windowed session.

use std::net::SocketAddr;
use std::time::{Duration, UNIX_EPOCH};

use smppdiag::capture::{Direction, PcapRecorder};
use smppdiag::codec::Pdu;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let out = args
        .next()
        .ok_or("usage: capture_gen OUT.pcap PDUS [STREAMS]")?;
    let count = args.next().ok_or("PDUS missing")?;
    if count == "--stream" {
        let hex = args.next().ok_or("PDUS.hex missing")?;
        let segment: usize = args.next().map_or(Ok(1400), |s| s.parse())?;
        return segmented(&out, &hex, segment);
    }
    let total: u64 = count.parse()?;
    let streams: u64 = 1;
    let pairs = (total.max(4) - 4) / 2;
    let file = std::fs::File::create(&out)?;
    let mut w = std::io::BufWriter::with_capacity(1 << 20, file);
    let t0 = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    let server: SocketAddr = "10.0.0.2:2775".parse()?;
    let submit = |seq: u32| {
        Pdu::new(0x0000_0004, seq)
            .with_int("source_addr_ton", 5)
            .with_str("source_addr", "BENCH")
            .with_int("dest_addr_ton", 1)
            .with_int("dest_addr_npi", 1)
            .with_str("destination_addr", "447700900123")
            .with_int("registered_delivery", 1)
            .with(
                "short_message",
                smppdiag::codec::Value::Octets(b"Hello from the capture benchmark".to_vec()),
            )
            .encode()
    };
    for s in 0..streams {
        let client: SocketAddr = format!("10.0.0.1:{}", 40000 + s).parse()?;
        let mut t = t0 + Duration::from_secs(s * 10);
        let mut rec = PcapRecorder::new(&mut w, client, server, t)?;
        let mut step = |rec: &mut PcapRecorder<&mut std::io::BufWriter<std::fs::File>>,
                        dir: Direction,
                        bytes: Vec<u8>|
         -> Result<(), Box<dyn std::error::Error>> {
            t += Duration::from_micros(150);
            rec.record(dir, &bytes, t)?;
            Ok(())
        };
        let bind = Pdu::new(0x0000_0009, 1)
            .with_str("system_id", format!("bench{s}"))
            .with_str("password", "secret")
            .with_int("interface_version", 0x34)
            .encode()?;
        step(&mut rec, Direction::EsmeToSmsc, bind)?;
        let bind_resp = Pdu::new(0x8000_0009, 1)
            .with_str("system_id", "SMSC")
            .encode()?;
        step(&mut rec, Direction::SmscToEsme, bind_resp)?;
        for i in 0..pairs {
            let seq = 2 + i as u32;
            step(&mut rec, Direction::EsmeToSmsc, submit(seq)?)?;
            let mut resp = Pdu::new(0x8000_0004, seq);
            if i % 50 == 49 {
                resp.command_status = 0x58;
            } else {
                resp = resp.with_str("message_id", format!("{:08X}", i));
            }
            step(&mut rec, Direction::SmscToEsme, resp.encode()?)?;
        }
        let seq = 2 + pairs as u32;
        step(
            &mut rec,
            Direction::EsmeToSmsc,
            Pdu::new(0x0000_0006, seq).encode()?,
        )?;
        step(
            &mut rec,
            Direction::SmscToEsme,
            Pdu::new(0x8000_0006, seq).encode()?,
        )?;
        rec.finish()?;
    }
    Ok(())
}

/// One client-to-server stream of the PDUs in `hex` (one per line), in `segment`-octet segments.
fn segmented(out: &str, hex: &str, segment: usize) -> Result<(), Box<dyn std::error::Error>> {
    let mut stream = Vec::new();
    for line in std::fs::read_to_string(hex)?.lines() {
        let line = line.trim();
        if !line.is_empty() {
            stream.extend(hex::decode(line)?);
        }
    }
    let file = std::fs::File::create(out)?;
    let w = std::io::BufWriter::with_capacity(1 << 20, file);
    let mut t = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    let client: SocketAddr = "10.0.0.1:40000".parse()?;
    let server: SocketAddr = "10.0.0.2:2775".parse()?;
    let mut rec = PcapRecorder::new(w, client, server, t)?;
    for chunk in stream.chunks(segment.max(1)) {
        t += Duration::from_micros(100);
        rec.record(Direction::EsmeToSmsc, chunk, t)?;
    }
    rec.finish()?;
    Ok(())
}
