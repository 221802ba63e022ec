//! The one JSON Lines schema (see `docs/json.md`): an envelope around the `decode --json` object
//! for PDUs, and flat objects for the other events. Every line starts with `"schema"` and
//! `"event"`. The decode object itself is written by [`crate::render::json`]; this module only
//! wraps it.

use std::io::Write;

use serde_json::{json, Map, Value as J};

use crate::codec::{self, Decoded};
use crate::render::json::{pdu_json, pdu_json_head, write_pdu_json, JsonOptions};

use super::{Event, PduEvent, SCHEMA};

/// `2024-05-01 12:00:00.123456` (UTC) for a time since the Unix epoch.
pub fn utc(t: std::time::Duration) -> String {
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

/// Days since 1970-01-01 to (year, month, day) in the proleptic Gregorian calendar.
fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

fn ms(d: std::time::Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// The envelope keys of a PDU event, in schema order (without the decode object).
fn pdu_envelope(ev: &PduEvent<'_>) -> Map<String, J> {
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

/// Write one PDU event as one line (with its newline) in one `write_all`. The decode object under `"pdu"` is
/// streamed by [`write_pdu_json`].
pub fn write_pdu_event<W: Write>(
    mut w: W,
    ev: &PduEvent<'_>,
    opts: &JsonOptions,
) -> std::io::Result<()> {
    let owned;
    let d: &Decoded = match ev.decoded {
        Some(d) => d,
        None => {
            owned = codec::decode(ev.bytes);
            &owned
        }
    };
    let mut line: Vec<u8> = Vec::with_capacity(512 + ev.bytes.len() * 8);
    let env = serde_json::to_vec(&J::Object(pdu_envelope(ev)))?;
    // Reopen the envelope object to add the decode object as its last key.
    line.extend_from_slice(env.get(..env.len().saturating_sub(1)).unwrap_or_default());
    line.extend_from_slice(b",\"pdu\":");
    let mut head = pdu_json_head(d, ev.input_offset.unwrap_or(0), opts);
    if ev.input_offset.is_none() {
        head.remove("input_offset");
    }
    write_pdu_json(&mut line, &head, d, opts)?;
    line.extend_from_slice(b"}\n");
    w.write_all(&line)
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
