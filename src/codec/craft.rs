//! Crafting PDUs by hand: `submit_sm field=value ...` or an edited `decode --json` object, encoded
//! by the one table-driven encoder ([`Pdu::encode`]).
//!
//! Values follow the field's kind in [`crate::spec::commands`]: integers in decimal or `0x` hex,
//! C-Octet strings as text (or `hex:` octets), short_message as literal octets (`hex:` / `0x`),
//! or `@text:` encoded in the PDU's data_coding. TLVs are `tlv:0xTAG=HEX` or `tlv:NAME=VALUE`
//! typed by [`crate::spec::tlv`]. command_length and sm_length are computed unless given; a given
//! value is written as is, so a deliberately malformed PDU can be built.

use serde_json::Value as J;

use crate::spec::commands::{self, CommandDef, FieldDef, FieldKind};
use crate::spec::status;
use crate::spec::tlv::{self as tlvspec, TlvKind};
use crate::spec::values::{self, Charset};

use super::pdu::{EncodeError, Pdu, Tlv, Value, RAW_BODY};
use super::span::{SpanKind, Val};
use super::text::{self, TextError};

/// Prefix of a short_message / message_payload value given as text to encode in data_coding.
pub const TEXT_PREFIX: &str = "@text:";
/// Prefix of a value given as hex octets.
pub const HEX_PREFIX: &str = "hex:";
/// Prefix of a TLV assignment.
pub const TLV_PREFIX: &str = "tlv:";

/// Header fields that can be assigned like body fields.
const HEADER_FIELDS: &[&str] = &[
    "command_length",
    "command_id",
    "command_status",
    "sequence_number",
];

/// Why a PDU cannot be crafted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CraftError {
    /// The command is neither a spec name nor a number.
    #[error("unknown command {0:?}: give a spec name such as submit_sm, or a command_id such as 0x00000004")]
    UnknownCommand(String),
    /// An argument without `=`.
    #[error("{0:?} is not FIELD=VALUE")]
    NotAssignment(String),
    /// A field the command does not have.
    #[error("{command} has no field {field:?}; its fields are: {known}")]
    UnknownField {
        /// Command name.
        command: String,
        /// What was given.
        field: String,
        /// The fields it has.
        known: String,
    },
    /// A field that cannot be set this way.
    #[error("{0} cannot be set here")]
    NotSettable(String),
    /// Not a number.
    #[error("{field}: {value:?} is not a number (decimal, or hex with 0x)")]
    NotNumber {
        /// Field name.
        field: String,
        /// What was given.
        value: String,
    },
    /// A number too large for the field.
    #[error("{field}: {value} does not fit in {width} octet(s)")]
    TooBig {
        /// Field name.
        field: String,
        /// The number.
        value: u64,
        /// Octets available.
        width: usize,
    },
    /// Bad hex octets.
    #[error("{field}: {reason}")]
    BadHex {
        /// Field name.
        field: String,
        /// What is wrong.
        reason: String,
    },
    /// Text that the data_coding cannot carry.
    #[error("{field}: {source}")]
    Text {
        /// Field name.
        field: String,
        /// The encoder's error.
        #[source]
        source: TextError,
    },
    /// A TLV name not in the table.
    #[error("unknown TLV {0:?}: give a name from the TLV table or tlv:0xTAG=HEX")]
    UnknownTlv(String),
    /// A TLV whose type cannot be written from a plain value.
    #[error("TLV {0}: give its value as hex octets (hex:... or 0x...)")]
    TlvNeedsHex(String),
    /// The JSON is not a decode --json PDU object.
    #[error("JSON input: {0}")]
    Json(String),
    /// The encoder refused the PDU.
    #[error(transparent)]
    Encode(#[from] EncodeError),
}

/// A crafted PDU: the value, plus derived lengths given on purpose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Crafted {
    /// The PDU (its encoder computes command_length and sm_length).
    pub pdu: Pdu,
    /// command_length given explicitly (written as is, even when wrong).
    pub command_length: Option<u32>,
    /// sm_length given explicitly (written as is, even when wrong).
    pub sm_length: Option<u8>,
    /// The exact bytes to write instead (an unedited `decode --json` object, malformed or not).
    pub verbatim: Option<Vec<u8>>,
}

impl Crafted {
    /// Encode to wire bytes, then write the explicitly given lengths over the computed ones.
    pub fn encode(&self) -> Result<Vec<u8>, CraftError> {
        if let Some(v) = &self.verbatim {
            return Ok(v.clone());
        }
        let mut out = self.pdu.encode()?;
        if let Some(n) = self.sm_length {
            if let Some(at) = sm_length_offset(&out) {
                out[at] = n;
            }
        }
        if let Some(n) = self.command_length {
            out[0..4].copy_from_slice(&n.to_be_bytes());
        }
        Ok(out)
    }
}

/// Where sm_length sits in encoded bytes (the decoder's span, so layouts are not walked twice).
fn sm_length_offset(bytes: &[u8]) -> Option<usize> {
    super::decode(bytes)
        .spans
        .iter()
        .find(|s| s.depth == 0 && s.name == "sm_length")
        .map(|s| s.range.start)
}

/// Look a command up by spec name or number.
pub fn command_by_name(name: &str) -> Result<u32, CraftError> {
    if let Some(def) = commands::by_name(name) {
        return Ok(def.id);
    }
    parse_num(name)
        .and_then(|v| u32::try_from(v).ok())
        .ok_or_else(|| CraftError::UnknownCommand(name.to_string()))
}

/// Build a PDU from a command name and `FIELD=VALUE` / `tlv:...=VALUE` arguments, in order.
pub fn from_assignments(command: &str, args: &[String]) -> Result<Crafted, CraftError> {
    let mut c = Crafted {
        pdu: Pdu::new(command_by_name(command)?, 1),
        command_length: None,
        sm_length: None,
        verbatim: None,
    };
    for a in args {
        let (name, value) = a
            .split_once('=')
            .ok_or_else(|| CraftError::NotAssignment(a.clone()))?;
        match name.strip_prefix(TLV_PREFIX) {
            Some(tag) => {
                let tlv = tlv_assignment(tag, value, charset_of(&c.pdu))?;
                c.pdu.tlvs.push(tlv);
            }
            None => assign(&mut c, name, value)?,
        }
    }
    Ok(c)
}

/// Apply `FIELD=VALUE` / `tlv:TAG=VALUE` overrides to a PDU built elsewhere (`send --set`). Header
/// fields and lengths stay the sender's: only body fields and TLVs can be set this way.
pub fn apply_overrides(pdu: &mut Pdu, args: &[String]) -> Result<(), CraftError> {
    let mut c = Crafted {
        pdu: std::mem::take(pdu),
        command_length: None,
        sm_length: None,
        verbatim: None,
    };
    let result = args.iter().try_for_each(|a| {
        let (name, value) = a
            .split_once('=')
            .ok_or_else(|| CraftError::NotAssignment(a.clone()))?;
        if HEADER_FIELDS.contains(&name) || name == "sm_length" {
            return Err(CraftError::NotSettable(name.into()));
        }
        match name.strip_prefix(TLV_PREFIX) {
            Some(tag) => {
                let tlv = tlv_assignment(tag, value, charset_of(&c.pdu))?;
                c.pdu.tlvs.push(tlv);
                Ok(())
            }
            None => assign_body(&mut c, name, value),
        }
    });
    *pdu = c.pdu;
    result
}

/// The charset `@text:` values are encoded in: the PDU's data_coding as set so far.
fn charset_of(pdu: &Pdu) -> Charset {
    values::data_coding(pdu.int("data_coding").unwrap_or(0) as u8).charset
}

/// Set one header or body field from its text form.
fn assign(c: &mut Crafted, name: &str, value: &str) -> Result<(), CraftError> {
    match name {
        "command_length" => c.command_length = Some(int_of(name, value, 4)?),
        "command_id" => c.pdu.command_id = command_by_name(value)?,
        "command_status" => {
            c.pdu.command_status = status::parse_query(value).ok_or(CraftError::NotNumber {
                field: name.into(),
                value: value.into(),
            })?
        }
        "sequence_number" => c.pdu.sequence_number = int_of(name, value, 4)?,
        _ => assign_body(c, name, value)?,
    }
    Ok(())
}

fn assign_body(c: &mut Crafted, name: &str, value: &str) -> Result<(), CraftError> {
    let fd = body_field(c.pdu.command_id, name)?;
    let v = match fd.kind {
        FieldKind::U8(_) => Value::Int(int_of(name, value, 1)?),
        FieldKind::U32(_) => Value::Int(int_of(name, value, 4)?),
        FieldKind::CStr { .. } => Value::Str(string_octets(name, value)?),
        FieldKind::ShortMessage => Value::Octets(message_octets(name, value, charset_of(&c.pdu))?),
        FieldKind::SmLength => {
            c.sm_length = Some(int_of(name, value, 1)? as u8);
            return Ok(());
        }
        FieldKind::DestList | FieldKind::UnsuccessList => {
            return Err(CraftError::NotSettable(name.into()))
        }
    };
    c.pdu.fields.insert(fd.name, v);
    Ok(())
}

/// The layout row of a body field (or the raw body of a command without a layout).
fn body_field(command_id: u32, name: &str) -> Result<FieldDef, CraftError> {
    const RAW: FieldDef = FieldDef {
        name: RAW_BODY,
        kind: FieldKind::ShortMessage,
    };
    let Some(def) = commands::lookup(command_id) else {
        return if name == RAW_BODY {
            Ok(RAW)
        } else {
            Err(unknown_field(None, command_id, name))
        };
    };
    def.body
        .iter()
        .find(|f| f.name == name)
        .copied()
        .ok_or_else(|| unknown_field(Some(def), command_id, name))
}

fn unknown_field(def: Option<&CommandDef>, command_id: u32, name: &str) -> CraftError {
    let body: Vec<&str> = match def {
        Some(d) => d.body.iter().map(|f| f.name).collect(),
        None => vec![RAW_BODY],
    };
    let known: Vec<&str> = HEADER_FIELDS.iter().copied().chain(body).collect();
    CraftError::UnknownField {
        command: commands::name_of(command_id),
        field: name.to_string(),
        known: known.join(", "),
    }
}

/// A number in decimal or `0x` hex.
pub fn parse_num(s: &str) -> Option<u64> {
    let s = s.trim();
    match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        Some(h) => u64::from_str_radix(h, 16).ok(),
        None => s.parse().ok(),
    }
}

/// An integer that fits `width` octets.
fn int_of(field: &str, value: &str, width: usize) -> Result<u32, CraftError> {
    let v = parse_num(value).ok_or_else(|| CraftError::NotNumber {
        field: field.into(),
        value: value.into(),
    })?;
    let max = if width >= 4 {
        u32::MAX as u64
    } else {
        (1u64 << (8 * width)) - 1
    };
    if v > max {
        return Err(CraftError::TooBig {
            field: field.into(),
            value: v,
            width,
        });
    }
    Ok(v as u32)
}

/// Hex octets after `hex:` or `0x`, if the value has either prefix.
fn hex_octets(field: &str, value: &str) -> Option<Result<Vec<u8>, CraftError>> {
    let h = value
        .strip_prefix(HEX_PREFIX)
        .or_else(|| value.strip_prefix("0x"))?;
    let h: String = h.chars().filter(|c| !c.is_whitespace()).collect();
    Some(hex::decode(&h).map_err(|e| CraftError::BadHex {
        field: field.into(),
        reason: format!("{h:?} is not hex octets ({e})"),
    }))
}

/// A C-Octet string's content: `hex:` octets or the text's UTF-8 octets.
fn string_octets(field: &str, value: &str) -> Result<Vec<u8>, CraftError> {
    match value.strip_prefix(HEX_PREFIX) {
        Some(_) => hex_octets(field, value).unwrap_or(Ok(Vec::new())),
        None => Ok(value.as_bytes().to_vec()),
    }
}

/// A message body: `@text:` encoded in `charset`, hex octets, or the literal octets.
fn message_octets(field: &str, value: &str, charset: Charset) -> Result<Vec<u8>, CraftError> {
    if let Some(t) = value.strip_prefix(TEXT_PREFIX) {
        return text::encode_text(t, charset).map_err(|source| CraftError::Text {
            field: field.into(),
            source,
        });
    }
    hex_octets(field, value).unwrap_or_else(|| Ok(value.as_bytes().to_vec()))
}

/// One `tlv:TAG=VALUE` argument (`TAG` after the `tlv:` prefix).
fn tlv_assignment(tag: &str, value: &str, charset: Charset) -> Result<Tlv, CraftError> {
    if tag.starts_with("0x") || tag.starts_with("0X") || tag.bytes().all(|b| b.is_ascii_digit()) {
        let n = int_of("TLV tag", tag, 2)? as u16;
        let field = format!("tlv 0x{n:04X}");
        let value = match hex_octets(&field, value) {
            Some(r) => r?,
            None => hex_octets(&field, &format!("{HEX_PREFIX}{value}")).unwrap_or(Ok(vec![]))?,
        };
        return Ok(Tlv { tag: n, value });
    }
    let def = tlvspec::by_name(tag).ok_or_else(|| CraftError::UnknownTlv(tag.into()))?;
    let name = def.name;
    let value = match (hex_octets(name, value), def.kind) {
        (Some(r), _) => r?,
        (None, TlvKind::Int { width, .. }) => {
            let v = int_of(name, value, width as usize)?;
            v.to_be_bytes()[4 - width as usize..].to_vec()
        }
        (None, TlvKind::CStr { .. }) => [value.as_bytes(), &[0]].concat(),
        (None, TlvKind::Octets { .. }) => value.as_bytes().to_vec(),
        (None, TlvKind::Payload) => message_octets(name, value, charset)?,
        (None, TlvKind::Flag) if value.is_empty() => Vec::new(),
        (None, _) => return Err(CraftError::TlvNeedsHex(name.into())),
    };
    Ok(Tlv {
        tag: def.tag,
        value,
    })
}

// ------------------------------------------------------------------------- decode --json input

/// The decode object of one JSON Lines line: the `pdu` of a `"event": "pdu"` line (schema 1 of
/// `decode --json`, `send --json`, `serve --json` ...), `None` for the other events, or the
/// object itself when it is a bare decode object.
pub fn pdu_object(line: &J) -> Option<&J> {
    match line.get("event").and_then(J::as_str) {
        Some("pdu") => line.get("pdu"),
        Some(_) => None,
        None => Some(line),
    }
}

/// Build a PDU from one `decode --json` object, possibly edited.
///
/// The PDU is rebuilt from the `hex` of every field and TLV (so an untouched object gives back
/// exactly its bytes). A field whose `value` no longer matches what its `hex` decodes to was
/// edited: the value wins and is written like a `FIELD=VALUE` argument (a short_message text is
/// encoded in the data_coding). Top-level `command_status` / `sequence_number` / `command_id`
/// edits count too. command_length and sm_length are recomputed unless their value was edited or
/// was already inconsistent in the input (a malformed PDU stays malformed).
pub fn from_json(obj: &J) -> Result<Crafted, CraftError> {
    let fields = obj.get("fields").and_then(J::as_array).ok_or_else(|| {
        CraftError::Json("no \"fields\" array (is this decode --json output?)".into())
    })?;
    let tlvs = obj
        .get("tlvs")
        .and_then(J::as_array)
        .cloned()
        .unwrap_or_default();
    let original = original_bytes(fields, &tlvs)?;
    let decoded = super::decode(&original);
    let mut c = Crafted {
        pdu: decoded.pdu.clone(),
        command_length: None,
        sm_length: None,
        verbatim: None,
    };
    if let Some(h) = decoded.header {
        c.pdu.command_id = h.command_id;
        c.pdu.command_status = h.command_status;
        c.pdu.sequence_number = h.sequence_number;
    }
    keep_inconsistent_lengths(&mut c, &decoded, &original);
    let mut edited = false;
    for f in fields {
        edited |= apply_json_field(&mut c, &decoded, f)?;
    }
    edited |= apply_top_level_edits(&mut c, obj, &decoded);
    if !edited {
        c.verbatim = Some(original);
    }
    Ok(c)
}

/// The bytes the object's `hex` strings spell: fields in order, then each TLV's tag, length, value.
fn original_bytes(fields: &[J], tlvs: &[J]) -> Result<Vec<u8>, CraftError> {
    let mut out = Vec::new();
    for f in fields {
        let name = str_key(f, "name")?;
        let h = str_key(f, "hex")?;
        if h.contains('*') {
            return Err(CraftError::Json(format!(
                "{name} is redacted; decode with --show-secrets, or set its value"
            )));
        }
        out.extend(hex::decode(h).map_err(|e| CraftError::Json(format!("{name}.hex: {e}")))?);
    }
    for t in tlvs {
        let tag = t
            .get("tag")
            .and_then(J::as_u64)
            .ok_or_else(|| CraftError::Json("a TLV has no numeric \"tag\"".into()))?;
        let value = hex::decode(str_key(t, "hex")?)
            .map_err(|e| CraftError::Json(format!("TLV 0x{tag:04X} hex: {e}")))?;
        let len = t
            .get("length")
            .and_then(J::as_u64)
            .unwrap_or(value.len() as u64);
        out.extend_from_slice(&(tag as u16).to_be_bytes());
        out.extend_from_slice(&(len as u16).to_be_bytes());
        out.extend(value);
    }
    Ok(out)
}

fn str_key<'a>(o: &'a J, key: &str) -> Result<&'a str, CraftError> {
    o.get(key)
        .and_then(J::as_str)
        .ok_or_else(|| CraftError::Json(format!("an entry has no string \"{key}\": {o}")))
}

/// A malformed input's wrong lengths are kept unless edited.
fn keep_inconsistent_lengths(c: &mut Crafted, d: &super::Decoded, bytes: &[u8]) {
    if let Some(h) = d.header {
        if h.command_length as usize != bytes.len() {
            c.command_length = Some(h.command_length);
        }
    }
    let sm_len = d
        .spans
        .iter()
        .find(|s| s.depth == 0 && s.name == "sm_length");
    let sm = d
        .spans
        .iter()
        .find(|s| s.depth == 0 && s.name == "short_message");
    if let (Some(l), Some(sm)) = (sm_len, sm) {
        let given = bytes.get(l.range.start).copied().unwrap_or(0);
        if given as usize != sm.range.len() {
            c.sm_length = Some(given);
        }
    }
}

/// The JSON form of a span's value, as `decode --json` writes it.
fn span_value_json(v: &Option<Val>) -> J {
    match v {
        None => J::Null,
        Some(Val::Int(i)) | Some(Val::Hex(i)) => J::from(*i),
        Some(Val::Str(s)) | Some(Val::Name(s)) => J::from(s.as_str()),
    }
}

/// Apply one field of the object if its value was edited (then true).
fn apply_json_field(c: &mut Crafted, d: &super::Decoded, f: &J) -> Result<bool, CraftError> {
    let name = str_key(f, "name")?;
    let Some(given) = f.get("value") else {
        return Ok(false);
    };
    let span = d
        .spans
        .iter()
        .find(|s| s.depth == 0 && s.name == name && s.kind != SpanKind::Tlv);
    let Some(span) = span else {
        return Ok(false);
    };
    if *given == span_value_json(&span.value) {
        return Ok(false);
    }
    let text = match given {
        J::String(s) if name == "short_message" => format!("{TEXT_PREFIX}{s}"),
        J::String(s) => s.clone(),
        J::Number(n) => n.to_string(),
        other => {
            return Err(CraftError::Json(format!(
                "{name}: value {other} is not a number or string"
            )))
        }
    };
    assign(c, name, &text)?;
    Ok(true)
}

/// Edits of the header made on the object's top-level keys (then true).
fn apply_top_level_edits(c: &mut Crafted, obj: &J, d: &super::Decoded) -> bool {
    let Some(h) = d.header else { return false };
    let changed = |k: &str, was: u32| {
        obj.get(k)
            .and_then(J::as_u64)
            .filter(|v| *v != was as u64)
            .map(|v| v as u32)
    };
    let mut edited = false;
    if let Some(v) = changed("command_status", h.command_status) {
        c.pdu.command_status = v;
        edited = true;
    }
    if let Some(v) = changed("sequence_number", h.sequence_number) {
        c.pdu.sequence_number = v;
        edited = true;
    }
    if let Some(v) = changed("command_id", h.command_id) {
        c.pdu.command_id = v;
        edited = true;
    }
    if let Some(v) = changed("command_length", h.command_length) {
        c.command_length = Some(v);
        edited = true;
    }
    edited
}

// ------------------------------------------------------------------------- MO messages

/// One mobile-originated message for the simulator: `FROM,TO,TEXT` (the text may hold commas).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MoMessage {
    /// source_addr (the subscriber).
    pub from: String,
    /// destination_addr (the ESME's number or short code).
    pub to: String,
    /// The text, sent in GSM 03.38 when it fits, else UCS2; split with a UDH when long.
    pub text: String,
}

impl std::str::FromStr for MoMessage {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let mut it = s.splitn(3, ',');
        match (it.next(), it.next(), it.next()) {
            (Some(from), Some(to), Some(text))
                if !from.trim().is_empty() && !to.trim().is_empty() =>
            {
                Ok(MoMessage {
                    from: from.trim().into(),
                    to: to.trim().into(),
                    text: text.into(),
                })
            }
            _ => Err(format!(
                "{s:?} is not FROM,TO,TEXT (e.g. 447700900123,12345,Hello)"
            )),
        }
    }
}

/// TON/NPI of an address: digits (with an optional `+`) are international/ISDN, anything else
/// alphanumeric.
fn ton_npi(addr: &str) -> (u32, u32, &str) {
    let digits = addr.strip_prefix('+').unwrap_or(addr);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        (1, 1, digits)
    } else {
        (5, 0, addr)
    }
}

/// The deliver_sm PDUs of one MO message (several, with a concatenation UDH numbered by
/// `reference`, when the text is long). Sequence numbers are left 0 for the sender to set.
pub fn mo_deliver_sms(m: &MoMessage, reference: u16) -> Result<Vec<Pdu>, super::split::SplitError> {
    use super::split::{split, SplitMethod};
    let charset = text::choose_coding(&m.text);
    let data_coding = if charset == Charset::Ucs2 { 8 } else { 0 };
    let parts = split(m.text.as_str(), charset, SplitMethod::Udh, reference)?;
    let (src_ton, src_npi, from) = ton_npi(&m.from);
    let (dst_ton, dst_npi, to) = ton_npi(&m.to);
    Ok(parts
        .into_iter()
        .map(|p| {
            Pdu::new(
                crate::spec::commands::by_name("deliver_sm").map_or(0, |d| d.id),
                0,
            )
            .with_int("source_addr_ton", src_ton)
            .with_int("source_addr_npi", src_npi)
            .with_str("source_addr", from)
            .with_int("dest_addr_ton", dst_ton)
            .with_int("dest_addr_npi", dst_npi)
            .with_str("destination_addr", to)
            .with_int("esm_class", if p.udh { 0x40 } else { 0 })
            .with_int("data_coding", data_coding)
            .with_octets("short_message", p.payload)
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn craft(cmd: &str, args: &[&str]) -> Result<Vec<u8>, CraftError> {
        let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        from_assignments(cmd, &args)?.encode()
    }

    #[test]
    fn submit_sm_with_ucs2_text_and_tlv() {
        let b = craft(
            "submit_sm",
            &[
                "data_coding=8",
                "source_addr=ACME",
                "short_message=@text:Привет",
                "tlv:0x1403=0x0102",
            ],
        )
        .unwrap();
        let p = crate::codec::decode_pdu(&b).unwrap();
        assert_eq!(p.string("source_addr").unwrap(), "ACME");
        assert_eq!(p.int("data_coding"), Some(8));
        assert_eq!(
            p.bytes("short_message").unwrap(),
            text::ucs2_encode("Привет")
        );
        assert_eq!(p.tlv(0x1403).unwrap().value, vec![1, 2]);
        assert_eq!(
            u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize,
            b.len()
        );
    }

    #[test]
    fn given_lengths_are_written_as_is() {
        let b = craft(
            "submit_sm",
            &["short_message=Hi", "command_length=47", "sm_length=9"],
        )
        .unwrap();
        assert_eq!(&b[0..4], &47u32.to_be_bytes());
        let d = crate::codec::decode(&b);
        assert!(d.is_malformed());
        let at = d
            .spans
            .iter()
            .find(|s| s.name == "sm_length")
            .unwrap()
            .range
            .start;
        assert_eq!(b[at], 9);
    }

    #[test]
    fn named_tlvs_take_their_table_type() {
        let b = craft(
            "deliver_sm",
            &[
                "tlv:message_state=2",
                "tlv:receipted_message_id=abc",
                "tlv:sar_msg_ref_num=0x0102",
            ],
        )
        .unwrap();
        let p = crate::codec::decode_pdu(&b).unwrap();
        assert_eq!(p.tlv(0x0427).unwrap().value, vec![2]);
        assert_eq!(p.tlv(0x001E).unwrap().value, b"abc\0".to_vec());
        assert_eq!(p.tlv(0x020C).unwrap().value, vec![1, 2]);
    }

    #[test]
    fn errors_name_the_field() {
        let e = craft("submit_sm", &["esm_klass=1"])
            .unwrap_err()
            .to_string();
        assert!(e.contains("esm_klass") && e.contains("esm_class"), "{e}");
        let e = craft("submit_sm", &["esm_class=256"])
            .unwrap_err()
            .to_string();
        assert!(e.contains("does not fit in 1 octet"), "{e}");
        let e = craft("submit_sm", &["short_message=@text:€"]).unwrap();
        // 33 octets of empty submit_sm, then € as GSM escape + septet.
        assert_eq!(e.len(), 35);
        assert!(craft("submit_sm", &["data_coding=1", "short_message=@text:€"]).is_err());
        assert!(craft("frobnicate", &[]).is_err());
        assert!(craft("submit_sm", &["noequals"]).is_err());
    }

    #[test]
    fn json_round_trip_and_edit() {
        let bytes = craft("submit_sm", &["source_addr=ACME", "short_message=Hello"]).unwrap();
        let d = crate::codec::decode(&bytes);
        let j = crate::render::json::pdu_json(&d, 0, &Default::default());
        assert_eq!(from_json(&j).unwrap().encode().unwrap(), bytes);
        let mut edited = j.clone();
        for f in edited["fields"].as_array_mut().unwrap() {
            if f["name"] == "short_message" {
                f["value"] = J::from("Hello, world");
            }
        }
        let out = from_json(&edited).unwrap().encode().unwrap();
        let p = crate::codec::decode_pdu(&out).unwrap();
        assert_eq!(p.bytes("short_message").unwrap(), b"Hello, world");
        assert!(!crate::codec::decode(&out).is_malformed());
    }

    #[test]
    fn mo_messages_pick_coding_and_split() {
        let m: MoMessage = "+447700900123,ACME,Hi, there €".parse().unwrap();
        assert_eq!(m.text, "Hi, there €");
        let p = mo_deliver_sms(&m, 7).unwrap();
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].string("source_addr").unwrap(), "447700900123");
        assert_eq!(p[0].int("dest_addr_ton"), Some(5));
        assert_eq!(p[0].int("data_coding"), Some(0));
        let long = MoMessage {
            from: "1".into(),
            to: "2".into(),
            text: "Привет мир ".repeat(10),
        };
        let parts = mo_deliver_sms(&long, 9).unwrap();
        assert_eq!(parts.len(), 2);
        assert!(parts
            .iter()
            .all(|p| p.int("esm_class") == Some(0x40) && p.int("data_coding") == Some(8)));
        let joined: Vec<u8> = parts
            .iter()
            .flat_map(|p| p.bytes("short_message").unwrap()[6..].to_vec())
            .collect();
        assert_eq!(joined, text::ucs2_encode(&long.text));
        assert!("only,two".parse::<MoMessage>().is_err());
    }

    #[test]
    fn overrides_change_body_fields_only() {
        let mut p = Pdu::new(4, 3).with_octets("short_message", b"hi");
        let set = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        apply_overrides(
            &mut p,
            &set(&[
                "esm_class=0x40",
                "validity_period=000001000000000R",
                "tlv:0x1400=AB",
            ]),
        )
        .unwrap();
        assert_eq!(p.int("esm_class"), Some(0x40));
        assert_eq!(p.string("validity_period").unwrap(), "000001000000000R");
        assert_eq!(p.tlv(0x1400).unwrap().value, vec![0xAB]);
        assert_eq!(p.bytes("short_message").unwrap(), b"hi");
        assert!(apply_overrides(&mut p, &set(&["sequence_number=9"])).is_err());
        assert_eq!(p.sequence_number, 3);
    }
}
