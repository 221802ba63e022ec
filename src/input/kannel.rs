//! Kannel's field dump of a PDU (`smpp_pdu_dump` in gw/smsc/smpp_pdu.c): a `SMPP PDU 0x... dump:`
//! line, `type_name: submit_sm`, one line per integer field (`command_id: 4 = 0x00000004`), one
//! per string field (`source_addr: "1234"`, `NULL`, or an `octstr_dump` with `data:` lines),
//! then `SMPP PDU dump ends.`. The PDU is rebuilt from the fields with the codec's encoder.

use crate::codec::Pdu;
use crate::spec::commands::{self, FieldKind};
use crate::spec::tlv::{self, TlvKind};

use super::line::hex2;

/// A field dump being read.
#[derive(Debug, Default)]
pub(super) struct FieldDump {
    /// Line of the `SMPP PDU ... dump:` line, while a dump is open.
    start: Option<usize>,
    type_name: Option<String>,
    ints: Vec<(String, u64)>,
    strs: Vec<(String, Vec<u8>)>,
    /// The string field whose `octstr_dump` is being read.
    current: Option<usize>,
}

/// What a line did to the field dump.
pub(super) enum Step {
    /// Not part of a field dump.
    Outside,
    /// Read as part of it.
    Consumed,
    /// The dump ended: the rebuilt PDU (or why it cannot be rebuilt) and its first line.
    Done(usize, Result<Vec<u8>, String>),
}

fn is_start(b: &[u8]) -> bool {
    b.trim_ascii_end().ends_with(b"dump:") && memchr::memmem::find(b, b"SMPP PDU ").is_some()
}

impl FieldDump {
    /// A dump is open.
    pub fn active(&self) -> bool {
        self.start.is_some()
    }

    /// The line may start a field dump (cheap check).
    pub fn may_start(b: &[u8]) -> bool {
        is_start(b)
    }

    /// Read one line.
    pub fn line(&mut self, b: &[u8], no: usize) -> Step {
        if is_start(b) {
            *self = FieldDump {
                start: Some(no),
                ..FieldDump::default()
            };
            return Step::Consumed;
        }
        let Some(start) = self.start else {
            return Step::Outside;
        };
        if memchr::memmem::find(b, b"SMPP PDU dump ends").is_some() {
            let r = self.rebuild();
            *self = FieldDump::default();
            return Step::Done(start, r);
        }
        if let Some(at) = memchr::memmem::find(b, b"data: ") {
            if let Some(k) = self.current {
                let mut j = at + 6;
                while let Some(v) = hex2(b, j) {
                    self.strs[k].1.push(v);
                    j += 2;
                    if b.get(j) != Some(&b' ') || b.get(j + 1) == Some(&b' ') {
                        break;
                    }
                    j += 1;
                }
            }
            return Step::Consumed;
        }
        if let Some((name, value)) = field_line(b) {
            self.field(name, value);
        }
        Step::Consumed
    }

    fn field(&mut self, name: &str, value: &[u8]) {
        let value = value.trim_ascii();
        if matches!(name, "len" | "size" | "immutable") {
            return;
        }
        if name == "type_name" {
            self.type_name = Some(String::from_utf8_lossy(value).into_owned());
            return;
        }
        self.current = None;
        if value == b"NULL" {
            return;
        }
        if let Some(n) = int_value(value) {
            self.ints.push((name.to_string(), n));
            return;
        }
        if value.len() >= 2 && value.starts_with(b"\"") && value.ends_with(b"\"") {
            self.strs
                .push((name.to_string(), value[1..value.len() - 1].to_vec()));
            return;
        }
        // `name:` followed by an octstr_dump (`Octet string at ...`, `data:` lines).
        self.strs.push((name.to_string(), Vec::new()));
        self.current = Some(self.strs.len() - 1);
    }

    fn int(&self, name: &str) -> Option<u64> {
        self.ints.iter().find(|(n, _)| n == name).map(|(_, v)| *v)
    }

    fn rebuild(&self) -> Result<Vec<u8>, String> {
        let def = match (self.int("command_id"), &self.type_name) {
            (Some(id), _) => commands::lookup(id as u32),
            (None, Some(t)) => commands::by_name(t),
            (None, None) => None,
        }
        .ok_or_else(|| "a Kannel field dump without a known command_id or type_name".to_string())?;
        let mut pdu = Pdu::new(def.id, self.int("sequence_number").unwrap_or(0) as u32);
        pdu.command_status = self.int("command_status").unwrap_or(0) as u32;
        for fd in def.body {
            let s = self
                .strs
                .iter()
                .find(|(n, _)| n == fd.name)
                .map(|(_, v)| v.clone());
            let i = self.int(fd.name);
            pdu = match (fd.kind, s, i) {
                (FieldKind::U8(_) | FieldKind::U32(_), _, Some(v)) => {
                    pdu.with_int(fd.name, v as u32)
                }
                (FieldKind::CStr { .. }, Some(v), _) => pdu.with_str(fd.name, v),
                (FieldKind::ShortMessage, Some(v), _) => pdu.with_octets(fd.name, v),
                _ => pdu,
            };
        }
        for (name, v) in &self.strs {
            if let Some(t) = tlv::by_name(name) {
                let mut v = v.clone();
                if matches!(t.kind, TlvKind::CStr { .. }) {
                    v.push(0);
                }
                pdu = pdu.with_tlv(t.tag, v);
            }
        }
        for (name, v) in &self.ints {
            if let Some(t) = tlv::by_name(name) {
                if let TlvKind::Int { width, .. } = t.kind {
                    let be = v.to_be_bytes();
                    pdu = pdu.with_tlv(t.tag, be[8 - usize::from(width)..].to_vec());
                }
            }
        }
        pdu.encode()
            .map_err(|e| format!("the Kannel field dump cannot be rebuilt: {e}"))
    }
}

/// `... name: value` after any log prefix: the first lowercase identifier followed by `: ` (or
/// `:` at the end of the line).
fn field_line(b: &[u8]) -> Option<(&str, &[u8])> {
    let mut from = 0;
    while let Some(n) = memchr::memchr(b':', &b[from..]) {
        let colon = from + n;
        let name_start = b[..colon]
            .iter()
            .rposition(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'_'))
            .map_or(0, |p| p + 1);
        let name = &b[name_start..colon];
        let spaced = name_start == 0 || b[name_start - 1] == b' ' || b[name_start - 1] == b'\t';
        if !name.is_empty()
            && name[0].is_ascii_lowercase()
            && spaced
            && matches!(b.get(colon + 1), None | Some(b' '))
        {
            let name = std::str::from_utf8(name).ok()?;
            return Some((name, b.get(colon + 1..).unwrap_or(&[])));
        }
        from = colon + 1;
    }
    None
}

/// `4 = 0x00000004` (Kannel prints both).
fn int_value(v: &[u8]) -> Option<u64> {
    let s = std::str::from_utf8(v).ok()?;
    let (dec, hex) = s.split_once(" = ")?;
    let d: u64 = dec.trim().parse().ok()?;
    let h = u64::from_str_radix(hex.trim().trim_start_matches("0x"), 16).ok()?;
    (d == h).then_some(d)
}
