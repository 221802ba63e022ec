//! The one JSON Lines schema (see `docs/json.md`): an envelope around the `decode --json` object
//! for PDUs, and flat objects for the other events. Every line starts with `"schema"` and
//! `"event"`. The decode object itself is written by [`crate::render::json`]; this module only
//! wraps it.

use std::io::Write;

use serde_json::{json, Map, Value as J};

use crate::codec::{self, Decoded};
use crate::render::json::{pdu_json, push_json_str, JsonOptions, ObjectWriter};
use crate::render::push_uint;

use super::{Event, PduEvent, SCHEMA};

/// `2024-05-01 12:00:00.123456` (UTC) for a time since the Unix epoch.
pub fn utc(t: std::time::Duration) -> String {
    match utc_text(t) {
        Some(b) => b.iter().map(|&c| char::from(c)).collect(),
        None => {
            let secs = t.as_secs() as i64;
            let (y, mo, d) = civil(secs.div_euclid(86_400));
            let s = secs.rem_euclid(86_400);
            format!(
                "{y:04}-{mo:02}-{d:02} {:02}:{:02}:{:02}.{:06}",
                s / 3600,
                s / 60 % 60,
                s % 60,
                t.subsec_micros()
            )
        }
    }
}

/// The text of [`utc`] in a fixed buffer, for years 0 to 9999 (`None` outside them).
fn utc_text(t: std::time::Duration) -> Option<[u8; 26]> {
    let secs = i64::try_from(t.as_secs()).ok()?;
    let (y, mo, d) = civil(secs.div_euclid(86_400));
    let s = secs.rem_euclid(86_400);
    let y = u32::try_from(y).ok().filter(|y| *y <= 9999)?;
    let mut b = *b"0000-00-00 00:00:00.000000";
    let parts = [
        (0..4, y),
        (5..7, mo),
        (8..10, d),
        (11..13, (s / 3600) as u32),
        (14..16, (s / 60 % 60) as u32),
        (17..19, (s % 60) as u32),
        (20..26, t.subsec_micros()),
    ];
    for (r, mut v) in parts {
        for c in b[r].iter_mut().rev() {
            *c = b'0' + (v % 10) as u8;
            v /= 10;
        }
    }
    Some(b)
}

/// Append [`utc`] to `out`.
pub fn utc_into(out: &mut String, t: std::time::Duration) {
    match utc_text(t) {
        Some(b) => out.extend(b.iter().map(|&c| char::from(c))),
        None => out.push_str(&utc(t)),
    }
}

/// The text of an IPv4 socket address (`10.0.0.1:2775`) in a fixed buffer, and its length.
fn v4_text(a: std::net::SocketAddrV4) -> ([u8; 21], usize) {
    let mut b = [0u8; 21];
    let mut n = 0;
    let mut put = |s: &[u8]| {
        b[n..n + s.len()].copy_from_slice(s);
        n += s.len();
    };
    let mut digits = itoa::Buffer::new();
    for (k, o) in a.ip().octets().into_iter().enumerate() {
        if k > 0 {
            put(b".");
        }
        put(digits.format(o).as_bytes());
    }
    put(b":");
    put(digits.format(a.port()).as_bytes());
    (b, n)
}

/// Append a socket address as `Display` writes it.
pub fn addr_into(out: &mut String, a: std::net::SocketAddr) {
    match a {
        std::net::SocketAddr::V4(v4) => {
            let (b, n) = v4_text(v4);
            out.extend(b[..n].iter().map(|&c| char::from(c)));
        }
        std::net::SocketAddr::V6(_) => {
            use std::fmt::Write as _;
            let _ = write!(out, "{a}");
        }
    }
}

/// Append [`utc`] as a JSON string.
fn push_utc(line: &mut Vec<u8>, t: std::time::Duration) {
    match utc_text(t) {
        Some(b) => {
            line.push(b'"');
            line.extend_from_slice(&b);
            line.push(b'"');
        }
        None => push_json_str(line, &utc(t)),
    }
}

/// Days since 1970-01-01 to (year, month, day): the codec's calendar, widened for formatting.
fn civil(days: i64) -> (i64, u32, u32) {
    let (y, m, d) = crate::codec::time::civil_from_days(days);
    (y, u32::from(m), u32::from(d))
}

fn ms(d: std::time::Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Append `v` as serde_json writes it.
fn push_f64(line: &mut Vec<u8>, v: f64) {
    let _ = serde_json::to_writer(&mut *line, &v);
}

/// Append `"key":` with the separating comma when it is not the first member (inlined: each
/// key is then a copy of known length).
#[inline]
fn push_key(line: &mut Vec<u8>, first: &mut bool, key: &str) {
    if !std::mem::take(first) {
        line.push(b',');
    }
    line.push(b'"');
    line.extend_from_slice(key.as_bytes());
    line.extend_from_slice(b"\":");
}

/// Append a fixed word of the schema (nothing to escape) as a JSON string.
fn push_word(line: &mut Vec<u8>, word: &str) {
    line.push(b'"');
    line.extend_from_slice(word.as_bytes());
    line.push(b'"');
}

/// Append an address as a JSON string (its text has nothing to escape).
fn push_addr(line: &mut Vec<u8>, a: std::net::SocketAddr) {
    match a {
        std::net::SocketAddr::V4(v4) => {
            let (b, n) = v4_text(v4);
            line.push(b'"');
            line.extend_from_slice(&b[..n]);
            line.push(b'"');
        }
        std::net::SocketAddr::V6(_) => {
            let _ = write!(line, "\"{a}\"");
        }
    }
}

/// Writes PDU events as JSON lines, keeping the text of the envelope members that repeat from
/// one PDU to the next: a capture's two endpoints, and the time of the PDUs of one frame.
#[derive(Debug, Default)]
pub struct PduLines {
    esme: Memo<std::net::SocketAddr>,
    smsc: Memo<std::net::SocketAddr>,
    /// The values of `time` and `time_epoch`, with the key between them.
    time: Memo<std::time::Duration>,
    /// Writes the decode object.
    objects: ObjectWriter,
}

/// The JSON text written for the last value of a member, reused while the value repeats.
#[derive(Debug)]
struct Memo<K> {
    key: Option<K>,
    text: Vec<u8>,
}

impl<K> Default for Memo<K> {
    fn default() -> Self {
        Memo {
            key: None,
            text: Vec::new(),
        }
    }
}

impl<K: PartialEq + Copy> Memo<K> {
    /// Append the text of `key`, written by `write` when it differs from the last one.
    fn push(&mut self, line: &mut Vec<u8>, key: K, write: fn(&mut Vec<u8>, K)) {
        if self.key != Some(key) {
            self.text.clear();
            write(&mut self.text, key);
            self.key = Some(key);
        }
        line.extend_from_slice(&self.text);
    }
}

/// Append the values of `time` and `time_epoch` for `t`, with the key between them.
fn push_time_values(line: &mut Vec<u8>, t: std::time::Duration) {
    push_utc(line, t);
    line.extend_from_slice(b",\"time_epoch\":");
    push_f64(line, t.as_secs_f64());
}

impl PduLines {
    /// Append one PDU event as one line (with its newline) to `line`: the envelope, then the
    /// decode object (written by [`ObjectWriter`]) as its last key, `"pdu"`.
    pub fn push(&mut self, line: &mut Vec<u8>, ev: &PduEvent<'_>, opts: &JsonOptions) {
        let owned;
        let d: &Decoded = match ev.decoded {
            Some(d) => d,
            None => {
                owned = codec::decode(ev.bytes);
                &owned
            }
        };
        self.push_envelope(line, ev);
        line.extend_from_slice(b",\"pdu\":");
        self.objects.write(line, d, ev.input_offset, opts);
        line.extend_from_slice(b"}\n");
    }

    /// Append the envelope members of a PDU event (without the decode object), keys sorted as
    /// in a serde_json map; the object is left open.
    fn push_envelope(&mut self, line: &mut Vec<u8>, ev: &PduEvent<'_>) {
        let first = &mut true;
        line.push(b'{');
        if let Some(d) = ev.direction {
            push_key(line, first, "direction");
            push_word(line, d.word());
        }
        if let Some(e) = ev.elapsed {
            push_key(line, first, "elapsed_s");
            push_f64(line, e.as_secs_f64());
        }
        if let Some(a) = ev.esme {
            push_key(line, first, "esme");
            self.esme.push(line, a, push_addr);
        }
        push_key(line, first, "event");
        // `event` is always there: every key after it follows a member.
        line.extend_from_slice(b"\"pdu\"");
        if let Some(f) = ev.frame {
            line.extend_from_slice(b",\"frame\":");
            push_uint(line, f);
        }
        line.extend_from_slice(if ev.injected {
            b",\"injected\":true"
        } else {
            b",\"injected\":false"
        });
        if let Some(n) = ev.note {
            line.extend_from_slice(b",\"note\":");
            push_json_str(line, n);
        }
        if let Some(r) = ev.rtt {
            line.extend_from_slice(b",\"rtt_ms\":");
            push_f64(line, ms(r));
        }
        line.extend_from_slice(b",\"schema\":");
        push_uint(line, u64::from(SCHEMA));
        if let Some(s) = ev.session {
            line.extend_from_slice(b",\"session\":");
            push_uint(line, s);
        }
        if let Some(a) = ev.smsc {
            line.extend_from_slice(b",\"smsc\":");
            self.smsc.push(line, a, push_addr);
        }
        if let Some(src) = ev.source {
            line.extend_from_slice(b",\"source\":{\"line\":");
            push_uint(line, src.line as u64);
            if let Some(n) = src.note {
                line.extend_from_slice(b",\"note\":");
                push_json_str(line, n);
            }
            line.extend_from_slice(b",\"shape\":");
            match src.shape {
                Some(shape) => push_json_str(line, shape),
                None => line.extend_from_slice(b"null"),
            }
            line.push(b'}');
        }
        if let Some(f) = ev.stream_offset {
            line.extend_from_slice(b",\"stream_offset\":");
            push_uint(line, f);
        }
        if let Some(t) = ev.time {
            line.extend_from_slice(b",\"time\":");
            self.time.push(line, t, push_time_values);
        }
    }
}

/// The JSON object of a non-PDU event (with `schema` and `event` first).
pub fn event_object(ev: &Event<'_>, opts: &JsonOptions) -> J {
    let mut o = Map::new();
    o.insert("schema".into(), json!(SCHEMA));
    let extend = |o: &mut Map<String, J>, f: &J| {
        if let J::Object(m) = f {
            for (k, v) in m {
                o.insert(k.clone(), v.clone());
            }
        }
    };
    match ev {
        Event::Listening { addr, tls } => {
            o.insert("event".into(), json!("listening"));
            o.insert("addr".into(), json!(addr.to_string()));
            o.insert("port".into(), json!(addr.port()));
            o.insert("tls".into(), json!(tls));
        }
        Event::SessionStart {
            session,
            esme,
            smsc,
            ..
        } => {
            o.insert("event".into(), json!("session_start"));
            o.insert("session".into(), json!(session));
            if let Some(a) = esme {
                o.insert("esme".into(), json!(a.to_string()));
            }
            if let Some(a) = smsc {
                o.insert("smsc".into(), json!(a.to_string()));
            }
            o.insert("time".into(), json!(utc(super::now())));
        }
        Event::SessionEnd {
            session, reason, ..
        } => {
            o.insert("event".into(), json!("session_end"));
            o.insert("session".into(), json!(session));
            o.insert("reason".into(), json!(reason));
            o.insert("time".into(), json!(utc(super::now())));
        }
        Event::Note {
            session,
            kind,
            text,
            elapsed,
            fields,
            ..
        } => {
            o.insert("event".into(), json!("note"));
            o.insert("kind".into(), json!(kind));
            if let Some(s) = session {
                o.insert("session".into(), json!(s));
            }
            if let Some(e) = elapsed {
                o.insert("elapsed_s".into(), json!(e.as_secs_f64()));
            }
            o.insert("text".into(), json!(text));
            extend(&mut o, fields);
        }
        Event::Error {
            cause,
            exit_code,
            received,
        } => {
            o.insert("event".into(), json!("error"));
            o.insert("cause".into(), json!(cause));
            o.insert("exit_code".into(), json!(exit_code));
            if let Some(b) = received {
                let mut p = pdu_json(&codec::decode(b), 0, opts);
                if let Some(m) = p.as_object_mut() {
                    m.remove("input_offset");
                }
                o.insert("received".into(), p);
            }
        }
        Event::Summary {
            session, fields, ..
        } => {
            o.insert("event".into(), json!("summary"));
            if let Some(s) = session {
                o.insert("session".into(), json!(s));
            }
            extend(&mut o, fields);
        }
        Event::Explanation { status } => {
            o.insert("event".into(), json!("explanation"));
            o.insert(
                "explanation".into(),
                serde_json::to_value(crate::spec::status::explain(*status)).unwrap_or(J::Null),
            );
        }
    }
    J::Object(o)
}

/// Write a non-PDU event as one line in one `write_all`.
pub fn write_event<W: Write>(mut w: W, ev: &Event<'_>, opts: &JsonOptions) -> std::io::Result<()> {
    let mut line = serde_json::to_vec(&event_object(ev, opts))?;
    line.push(b'\n');
    w.write_all(&line)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::{Direction, Source};
    use proptest::prelude::*;
    use std::time::Duration;

    /// The envelope as first written: a serde_json map.
    fn reference_envelope(ev: &PduEvent<'_>) -> Map<String, J> {
        let mut o = Map::new();
        o.insert("schema".into(), json!(SCHEMA));
        o.insert("event".into(), json!("pdu"));
        if let Some(s) = ev.session {
            o.insert("session".into(), json!(s));
        }
        if let Some(d) = ev.direction {
            o.insert("direction".into(), json!(d.word()));
        }
        if let Some(a) = ev.esme {
            o.insert("esme".into(), json!(a.to_string()));
        }
        if let Some(a) = ev.smsc {
            o.insert("smsc".into(), json!(a.to_string()));
        }
        if let Some(t) = ev.time {
            o.insert("time".into(), json!(utc(t)));
            o.insert("time_epoch".into(), json!(t.as_secs_f64()));
        }
        if let Some(e) = ev.elapsed {
            o.insert("elapsed_s".into(), json!(e.as_secs_f64()));
        }
        if let Some(f) = ev.frame {
            o.insert("frame".into(), json!(f));
        }
        if let Some(f) = ev.stream_offset {
            o.insert("stream_offset".into(), json!(f));
        }
        if let Some(src) = ev.source {
            o.insert(
                "source".into(),
                match src.note {
                    Some(n) => json!({"line": src.line, "shape": src.shape, "note": n}),
                    None => json!({"line": src.line, "shape": src.shape}),
                },
            );
        }
        if let Some(r) = ev.rtt {
            o.insert("rtt_ms".into(), json!(ms(r)));
        }
        if let Some(n) = ev.note {
            o.insert("note".into(), json!(n));
        }
        o.insert("injected".into(), json!(ev.injected));
        o
    }

    fn opt<T: std::fmt::Debug + Clone>(
        s: impl Strategy<Value = T>,
    ) -> impl Strategy<Value = Option<T>> {
        prop::option::of(s)
    }

    proptest! {
        /// The fixed-buffer time text is the formatter's, for any time up to year 9999 and
        /// beyond.
        #[test]
        fn utc_text_matches_the_formatter(secs in any::<u64>(), near in 0u64..300_000_000_000, micros in 0u32..1_000_000) {
            for s in [secs, near] {
                let t = Duration::new(s, micros * 1000);
                let want = i64::try_from(s).ok().map(|secs| {
                    let (y, mo, d) = civil(secs.div_euclid(86_400));
                    let s = secs.rem_euclid(86_400);
                    format!("{y:04}-{mo:02}-{d:02} {:02}:{:02}:{:02}.{:06}", s / 3600, s / 60 % 60, s % 60, micros)
                });
                if let Some(want) = want {
                    prop_assert_eq!(utc(t), want);
                }
            }
        }

        /// Socket addresses are written as `Display` writes them.
        #[test]
        fn addresses_are_written_as_displayed(a in any::<std::net::SocketAddr>()) {
            let mut s = String::new();
            addr_into(&mut s, a);
            prop_assert_eq!(s, a.to_string());
            let mut j = Vec::new();
            push_addr(&mut j, a);
            prop_assert_eq!(String::from_utf8(j).unwrap(), format!("\"{a}\""));
        }

        /// The directly written line is the reference envelope with the decode object as its
        /// last key, for every combination of envelope members — written by a fresh writer, and
        /// by one whose last line had the same or other endpoints and time (its kept texts).
        #[test]
        fn direct_envelope_equals_the_reference(
            session in opt(any::<u64>()),
            dir in opt(any::<bool>()),
            esme in opt(any::<std::net::SocketAddr>()),
            smsc in opt(any::<std::net::SocketAddr>()),
            time in opt(0u64..4_000_000_000_000_000),
            elapsed in opt(0u64..1_000_000_000_000),
            rtt in opt(0u64..1_000_000_000),
            note in opt(".{0,12}"),
            injected in any::<bool>(),
            frame in opt(any::<u64>()),
            stream_offset in opt(any::<u64>()),
            input_offset in opt(0usize..1_000_000),
            source in opt((1usize..10_000, opt("[a-z-]{1,12}"), opt(".{0,12}"))),
            status in prop::sample::select(vec![0u32, 0x58]),
            before in opt((
                opt(any::<std::net::SocketAddr>()),
                opt(any::<std::net::SocketAddr>()),
                opt(0u64..4_000_000_000_000_000),
            )),
        ) {
            let mut bytes = Vec::new();
            for w in [17u32, 0x8000_0004, status, 3] {
                bytes.extend_from_slice(&w.to_be_bytes());
            }
            bytes.push(0);
            let d = codec::decode(&bytes);
            let ev = PduEvent {
                session,
                direction: dir.map(|e| if e { Direction::EsmeToSmsc } else { Direction::SmscToEsme }),
                esme,
                smsc,
                time: time.map(Duration::from_micros),
                elapsed: elapsed.map(Duration::from_nanos),
                bytes: &bytes,
                decoded: Some(&d),
                rtt: rtt.map(Duration::from_nanos),
                note: note.as_deref(),
                injected,
                frame,
                stream_offset,
                input_offset,
                source: source.as_ref().map(|(line, shape, note)| Source {
                    line: *line,
                    shape: shape.as_deref(),
                    note: note.as_deref(),
                }),
            };
            let opts = JsonOptions::default();
            let mut want = serde_json::to_vec(&J::Object(reference_envelope(&ev))).unwrap();
            want.pop();
            want.extend_from_slice(b",\"pdu\":");
            let mut p = pdu_json(&d, input_offset.unwrap_or(0), &opts);
            if input_offset.is_none() {
                p.as_object_mut().unwrap().remove("input_offset");
            }
            want.extend_from_slice(&serde_json::to_vec(&p).unwrap());
            want.extend_from_slice(b"}\n");
            let mut writer = PduLines::default();
            if let Some((esme, smsc, time)) = before {
                let earlier = PduEvent { esme, smsc, time: time.map(Duration::from_micros), ..ev };
                writer.push(&mut Vec::new(), &earlier, &opts);
            }
            for _ in 0..2 {
                let mut got = Vec::new();
                writer.push(&mut got, &ev, &opts);
                prop_assert_eq!(String::from_utf8(got).unwrap(), String::from_utf8(want.clone()).unwrap());
            }
        }
    }
}
