//! Decoding: lenient and exact. Every byte ends up in a span; everything wrong becomes a
//! diagnostic at its offset. Never panics.

use crate::spec::commands::{self, CommandDef, FieldKind, StrKind};
use crate::spec::values::{Interp, INTERFACE_VERSION, NPI, TON};
use crate::spec::{status, table_name};

use super::header::{be32, field, Header, HEADER_LEN, MAX_PDU_LEN};
use super::pdu::{Dest, Pdu, UnsuccessSme, Value, RAW_BODY};
use super::pool::Pool;
use super::span::{Diagnostic, Severity, Span, SpanKind, Val};
use super::{message, repair, tlv};

/// Options for [`decode_with`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecodeOptions {
    /// Build spans (needed for the dump and JSON; sessions in quiet mode skip them).
    pub spans: bool,
    /// Try the known sender mistakes when the strict reading fails.
    pub repair: bool,
}

impl Default for DecodeOptions {
    fn default() -> Self {
        DecodeOptions {
            spans: true,
            repair: true,
        }
    }
}

/// Everything decoding found out about one PDU.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    /// The PDU's bytes, exactly as given.
    pub bytes: Vec<u8>,
    /// The header, when at least 16 bytes were present.
    pub header: Option<Header>,
    /// The PDU as far as it could be read.
    pub pdu: Pdu,
    /// Field spans (empty when not requested).
    pub spans: Vec<Span>,
    /// Findings, in offset order.
    pub diagnostics: Vec<Diagnostic>,
    /// When the bytes fit a known sender mistake: the same PDU encoded correctly.
    pub repaired: Option<Vec<u8>>,
    /// The delivery receipt carried in the message text, if it is one.
    pub receipt: Option<super::receipt::Receipt>,
    /// Buffers the decode had spare, passed on to the next decode that reuses this one.
    spare: Pool,
}

impl Decoded {
    /// The spans in groups: each top-level span followed by the spans nested under it (deeper
    /// than it), in order.
    pub fn span_groups(&self) -> impl Iterator<Item = &[Span]> {
        let mut rest = self.spans.as_slice();
        std::iter::from_fn(move || {
            let top = rest.first()?;
            let end = rest[1..]
                .iter()
                .position(|s| s.depth <= top.depth)
                .map_or(rest.len(), |p| p + 1);
            let (group, after) = rest.split_at(end);
            rest = after;
            Some(group)
        })
    }

    /// True when any diagnostic is an error.
    pub fn is_malformed(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.severity == Severity::Error)
    }

    /// True when the PDU is a response (or generic_nack) with a non-zero command_status: the
    /// peer answered with an error.
    pub fn carries_error_status(&self) -> bool {
        self.header
            .is_some_and(|h| commands::is_response(h.command_id) && h.command_status != 0)
    }

    /// The command name.
    pub fn command_name(&self) -> String {
        match self.header {
            Some(h) => commands::name_of(h.command_id),
            None => "(incomplete header)".to_string(),
        }
    }

    /// The first error, if any.
    pub fn first_error(&self) -> Option<&Diagnostic> {
        self.diagnostics
            .iter()
            .find(|d| d.severity == Severity::Error)
    }
}

/// A strict decoding failure (for sessions): the first error found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("malformed {command} at offset {offset}: {message}")]
pub struct DecodeError {
    /// Command name.
    pub command: String,
    /// Byte offset.
    pub offset: usize,
    /// What is wrong.
    pub message: String,
}

/// Decode one PDU with spans and repair.
pub fn decode(bytes: &[u8]) -> Decoded {
    decode_with(bytes, DecodeOptions::default())
}

/// Decode one PDU strictly (no spans): the PDU, or the first error.
pub fn decode_pdu(bytes: &[u8]) -> Result<Pdu, DecodeError> {
    let d = decode_with(
        bytes,
        DecodeOptions {
            spans: false,
            repair: false,
        },
    );
    match d.first_error() {
        None => Ok(d.pdu),
        Some(e) => Err(DecodeError {
            command: d.command_name(),
            offset: e.offset,
            message: e.message.clone(),
        }),
    }
}

/// command_id of the responses whose body is a lone message_id (submit_sm_resp, data_sm_resp),
/// the ones [`decode_pdu_fast`] reads without the general decoder.
const MESSAGE_ID_RESPONSES: &[u32] = &[0x8000_0004, 0x8000_0103];

/// Longest message_id, NUL included (SMPP 3.4 and 5.0).
const MESSAGE_ID_MAX: usize = 65;

/// [`decode_pdu`] with a fast path for the commonest PDU of a load run: a submit_sm_resp or
/// data_sm_resp whose body is exactly one NUL-terminated printable message_id of at most 64
/// characters (no TLVs). Such a PDU is read directly, without the general decoder; the result is
/// the same as [`decode_pdu`]'s. Anything else goes through [`decode_pdu`].
pub fn decode_pdu_fast(bytes: &[u8]) -> Result<Pdu, DecodeError> {
    match message_id_response(bytes) {
        Some(p) => Ok(p),
        None => decode_pdu(bytes),
    }
}

fn message_id_response(bytes: &[u8]) -> Option<Pdu> {
    let h = Header::parse(bytes)?;
    if h.command_length as usize != bytes.len() || !MESSAGE_ID_RESPONSES.contains(&h.command_id) {
        return None;
    }
    let body = bytes.get(HEADER_LEN..)?;
    let (&last, id) = body.split_last()?;
    if last != 0 || body.len() > MESSAGE_ID_MAX || !id.iter().all(|b| (0x20..0x7F).contains(b)) {
        return None;
    }
    let mut p = Pdu::new(h.command_id, h.sequence_number).with_str("message_id", id);
    p.command_status = h.command_status;
    Some(p)
}

/// Repairs tried when the strict reading fails (see [`super::repair`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Variant {
    /// NULL time fields written as four zero octets.
    pub time4: bool,
    /// sm_length written on two octets.
    pub smlen16: bool,
    /// How many one-octet fields before sm_length are missing (data_coding first, then
    /// registered_delivery).
    pub missing: u8,
}

/// Decode one PDU. `bytes` is the whole PDU as delimited by the caller (see [`super::frame`]).
pub fn decode_with(bytes: &[u8], opts: DecodeOptions) -> Decoded {
    decode_reusing(bytes, opts, None)
}

/// [`decode_with`], reusing the buffers (spans, diagnostics, bytes) of a decode the caller no
/// longer needs: decoding a stream PDU after PDU then allocates less. The result is the same.
pub fn decode_reusing(bytes: &[u8], opts: DecodeOptions, spare: Option<Decoded>) -> Decoded {
    let bufs = spare.map(Buffers::from).unwrap_or_default();
    let strict = decode_variant_in(bytes, opts, Variant::default(), bufs);
    if !opts.repair || !strict.is_malformed() {
        return strict.into_decoded(bytes);
    }
    match repair::try_repairs(bytes, opts, &strict) {
        Some(d) => d,
        None => strict.into_decoded(bytes),
    }
}

/// The buffers of a finished decode, emptied for the next: its lists, and in the pool every
/// String and octet buffer its values owned.
#[derive(Default)]
pub(crate) struct Buffers {
    spans: Vec<Span>,
    diags: Vec<Diagnostic>,
    bytes: Vec<u8>,
    /// A PDU with no field and no TLV set, whose lists keep their capacity.
    pdu: Pdu,
    pool: Pool,
}

impl From<Decoded> for Buffers {
    fn from(d: Decoded) -> Buffers {
        let Decoded {
            mut bytes,
            mut pdu,
            mut spans,
            mut diagnostics,
            repaired,
            receipt,
            spare: mut pool,
            header: _,
        } = d;
        // The spans go back in reverse, so that the next decode, taking from the top, gets the
        // Strings in the order this one used them (each then tends to fit its next use).
        for s in spans.drain(..).rev() {
            pool.keep_span(s);
        }
        for diag in diagnostics.drain(..) {
            pool.keep_diag(diag);
        }
        pool.keep_pdu(&mut pdu);
        if let Some(r) = receipt {
            pool.keep_receipt(r);
        }
        if let Some(r) = repaired {
            pool.keep_octets(r);
        }
        bytes.clear();
        Buffers {
            spans,
            diags: diagnostics,
            bytes,
            pdu: Pdu {
                fields: pdu.fields,
                tlvs: pdu.tlvs,
                ..Pdu::default()
            },
            pool,
        }
    }
}

/// The state of one decoding attempt.
pub(crate) struct Dec<'a> {
    pub buf: &'a [u8],
    pub pos: usize,
    pub end: usize,
    pub opts: DecodeOptions,
    pub variant: Variant,
    pub spans: Vec<Span>,
    pub diags: Vec<Diagnostic>,
    pub pdu: Pdu,
    pub header: Option<Header>,
    /// Errors other than those the variant's repairs explain.
    pub other_errors: usize,
    /// Repairs applied (diagnostics describing them).
    pub repairs: Vec<Diagnostic>,
    pub truncated: bool,
    pub sm_length: Option<usize>,
    pub sm_length_at: Option<usize>,
    pub receipt: Option<super::receipt::Receipt>,
    /// Where the PDU's bytes are copied for the result.
    pub bytes_buf: Vec<u8>,
    /// Spare buffers for the values (see [`Pool`]).
    pub pool: Pool,
}

impl<'a> Dec<'a> {
    pub fn diag(
        &mut self,
        offset: usize,
        severity: Severity,
        message: String,
        hint: Option<String>,
    ) {
        if severity == Severity::Error {
            self.other_errors += 1;
        }
        self.diags.push(Diagnostic {
            offset,
            severity,
            message,
            hint,
        });
    }

    pub fn repaired(&mut self, offset: usize, message: String, hint: String) {
        let d = Diagnostic {
            offset,
            severity: Severity::Error,
            message,
            hint: Some(hint),
        };
        self.repairs.push(d.clone());
        self.diags.push(d);
    }

    /// Record a span (when spans are wanted; else its Strings go back to the pool). Inlined: a
    /// span is large, and a call would copy it once more on the way to the list.
    #[inline]
    pub fn span(&mut self, s: Span) {
        if self.opts.spans {
            self.spans.push(s);
        } else {
            self.skip_span(s);
        }
    }

    #[cold]
    fn skip_span(&mut self, s: Span) {
        self.pool.keep_span(s);
    }

    /// `n` followed by `suffix` (as `format!("{n}{suffix}")`), in a spare String.
    pub fn count_text(&mut self, n: usize, suffix: &str) -> String {
        let mut s = self.pool.string();
        s.push_str(itoa::Buffer::new().format(n));
        s.push_str(suffix);
        s
    }

    pub fn remaining(&self) -> usize {
        self.end.saturating_sub(self.pos)
    }

    fn into_decoded(self, bytes: &[u8]) -> Decoded {
        let mut diagnostics = self.diags;
        diagnostics.sort_by_key(|d| d.offset);
        let mut copy = self.bytes_buf;
        copy.clear();
        copy.extend_from_slice(bytes);
        Decoded {
            bytes: copy,
            header: self.header,
            pdu: self.pdu,
            spans: self.spans,
            diagnostics,
            repaired: None,
            receipt: self.receipt,
            spare: self.pool,
        }
    }
}

pub(crate) fn decode_variant(
    bytes: &[u8],
    opts: DecodeOptions,
    variant: Variant,
) -> DecodedAttempt<'_> {
    decode_variant_in(bytes, opts, variant, Buffers::default())
}

fn decode_variant_in(
    bytes: &[u8],
    opts: DecodeOptions,
    variant: Variant,
    bufs: Buffers,
) -> DecodedAttempt<'_> {
    let Buffers {
        mut spans,
        diags,
        bytes: bytes_buf,
        pdu,
        pool,
    } = bufs;
    if opts.spans {
        // A submit_sm with a few TLVs fits without growing.
        spans.reserve(32);
    }
    let mut d = Dec {
        buf: bytes,
        pos: 0,
        end: bytes.len(),
        opts,
        variant,
        spans,
        diags,
        pdu,
        header: None,
        other_errors: 0,
        repairs: Vec::new(),
        truncated: false,
        sm_length: None,
        sm_length_at: None,
        receipt: None,
        bytes_buf,
        pool,
    };
    decode_header(&mut d);
    if d.header.is_some() {
        decode_body(&mut d);
        if d.pos < d.end {
            // Whatever an error stopped us from reading still gets a span of its own.
            let at = d.pos;
            d.span(
                Span::new("undecoded", at..d.end, 0, SpanKind::Unexplained)
                    .meaning(Some("not decoded: see the error above".into())),
            );
            d.pos = d.end;
        }
    }
    DecodedAttempt(d)
}

/// One decoding attempt (strict or with a variant).
pub(crate) struct DecodedAttempt<'a>(pub Dec<'a>);

impl<'a> DecodedAttempt<'a> {
    pub fn is_malformed(&self) -> bool {
        self.0.other_errors > 0 || !self.0.repairs.is_empty()
    }
    pub fn into_decoded(self, bytes: &[u8]) -> Decoded {
        self.0.into_decoded(bytes)
    }
}

fn decode_header(d: &mut Dec) {
    let n = d.buf.len();
    let names = [
        ("command_length", field::COMMAND_LENGTH),
        ("command_id", field::COMMAND_ID),
        ("command_status", field::COMMAND_STATUS),
        ("sequence_number", field::SEQUENCE_NUMBER),
    ];
    if n < HEADER_LEN {
        for (name, r) in names {
            if r.end <= n {
                let v = be32(d.buf, r.clone()).unwrap_or(0);
                d.span(Span::new(name, r, 0, SpanKind::Header).val(Val::Int(v as u64)));
            } else if r.start < n {
                d.span(
                    Span::new(name, r.start..n, 0, SpanKind::Unexplained)
                        .meaning(Some("truncated".into())),
                );
            }
        }
        d.diag(
            0,
            Severity::Error,
            format!(
                "only {n} octet{} present; every SMPP PDU starts with a 16-octet header",
                plural(n)
            ),
            Some(
                "The PDU was cut short: copy the whole PDU (check the log line was not truncated)."
                    .into(),
            ),
        );
        d.pos = n;
        return;
    }
    let Some(h) = Header::parse(d.buf) else {
        return;
    };
    d.header = Some(h);
    d.pos = HEADER_LEN;
    d.pdu.command_id = h.command_id;
    d.pdu.command_status = h.command_status;
    d.pdu.sequence_number = h.sequence_number;

    // command_length
    let len = h.command_length as usize;
    let mut m = d.count_text(len, " octets");
    if len != n {
        m.push_str(&format!(" ({n} present)"));
    }
    d.span(
        Span::new("command_length", field::COMMAND_LENGTH, 0, SpanKind::Header)
            .val(Val::Int(len as u64))
            .meaning(Some(m.into())),
    );
    if len < HEADER_LEN {
        d.diag(
            0,
            Severity::Error,
            format!("command_length {len} is smaller than the 16-octet header"),
            Some("command_length counts the whole PDU, header included; a value below 16 usually means the sender wrote the body length only, or the bytes are not an SMPP PDU.".into()),
        );
    } else if len > MAX_PDU_LEN {
        d.diag(
            0,
            Severity::Error,
            format!("command_length {len} is absurdly large (over {MAX_PDU_LEN} octets)"),
            Some("The stream is probably out of step (reading text or TLS as SMPP), or the length was written little-endian.".into()),
        );
    } else if len > n {
        let missing = len - n;
        d.diag(
            0,
            Severity::Error,
            format!("command_length says {len} octets but only {n} are present ({missing} missing)"),
            Some("Either the PDU was cut short when copied, or the sender computed command_length before filling in every field.".into()),
        );
    } else if len < n {
        let extra = n - len;
        d.diag(
            0,
            Severity::Error,
            format!("command_length says {len} octets but {n} are present ({extra} extra); the bytes after offset {len} do not start another PDU"),
            Some("The sender likely computed command_length wrongly (e.g. before adding the last fields, or with a field written wider than the spec says).".into()),
        );
    }

    // command_id
    let def = commands::lookup(h.command_id);
    let name: std::borrow::Cow<'static, str> = match def {
        Some(def) => def.name.into(),
        None => commands::name_of(h.command_id).into(),
    };
    d.span(
        Span::new("command_id", field::COMMAND_ID, 0, SpanKind::Header)
            .val(Val::Name(name.clone()))
            .meaning(def.is_none().then(|| "not a defined command".into())),
    );
    if def.is_none() {
        let hint = if commands::lookup(h.command_id ^ 0x8000_0000).is_some() {
            "The value differs from a known command only in bit 31 (the response bit)."
        } else if h.command_id.swap_bytes() != h.command_id
            && commands::lookup(h.command_id.swap_bytes()).is_some()
        {
            "The value is a known command_id with its bytes reversed: the sender wrote it little-endian."
        } else {
            "Check that these bytes are SMPP at all, and that the stream is in step."
        };
        d.diag(
            4,
            Severity::Error,
            format!("unknown command_id 0x{:08X} ({name}); an SMSC answers it with generic_nack ESME_RINVCMDID", h.command_id),
            Some(hint.into()),
        );
    }

    // command_status
    d.span(
        Span::new("command_status", field::COMMAND_STATUS, 0, SpanKind::Header)
            .val(Val::Name(status::name_of(h.command_status)))
            .meaning(if h.command_status == 0 {
                None
            } else {
                Some(status::lookup(h.command_status).map_or_else(
                    || status::explain(h.command_status).meaning,
                    |r| r.short.into(),
                ))
            }),
    );
    if !commands::is_response(h.command_id) && h.command_status != 0 && h.command_id != 0x8000_0000
    {
        d.diag(
            8,
            Severity::Warning,
            format!(
                "command_status is 0x{:08X} in a request; requests carry 0",
                h.command_status
            ),
            None,
        );
    }
    d.span(
        Span::new(
            "sequence_number",
            field::SEQUENCE_NUMBER,
            0,
            SpanKind::Header,
        )
        .val(Val::Int(h.sequence_number as u64)),
    );
    if h.sequence_number == 0 || h.sequence_number > 0x7FFF_FFFF {
        d.diag(
            12,
            Severity::Warning,
            format!(
                "sequence_number {} is outside 1..0x7FFFFFFF",
                h.sequence_number
            ),
            None,
        );
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn decode_body(d: &mut Dec) {
    let Some(h) = d.header else { return };
    let Some(def) = commands::lookup(h.command_id) else {
        if d.pos < d.end {
            let raw = d.buf[d.pos..d.end].to_vec();
            d.span(
                Span::new(RAW_BODY, d.pos..d.end, 0, SpanKind::Unexplained)
                    .meaning(Some("body of an unknown command, not decoded".into())),
            );
            d.pdu.fields.set(RAW_BODY, Value::Octets(raw));
            d.pos = d.end;
        }
        return;
    };
    let body_start = d.pos;
    if commands::is_response(h.command_id) && h.command_status != 0 {
        if d.pos == d.end {
            return; // the spec's shape: an error response has no body
        }
        d.diag(
            body_start,
            Severity::Info,
            "this error response carries a body; SMPP 3.4 says a response with a non-zero command_status has none, but many SMSCs send one".into(),
            None,
        );
    }
    if d.pos == d.end && !def.body.is_empty() && commands::is_response(h.command_id) {
        // e.g. submit_sm_resp without message_id: tolerated by many, but worth a warning.
        d.diag(
            body_start,
            Severity::Warning,
            format!(
                "{} has no body; {} expected",
                def.name,
                def.body
                    .iter()
                    .map(|f| f.name)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            None,
        );
        return;
    }
    d.pdu.fields.reserve(def.body.len());
    for fd in def.body {
        if d.truncated {
            break;
        }
        decode_field(d, def, fd.name, fd.kind);
    }
    if d.truncated {
        return;
    }
    if d.pos < d.end {
        if def.tlvs {
            tlv::decode_tlvs(d);
        } else {
            let n = d.end - d.pos;
            let at = d.pos;
            d.span(
                Span::new("unexpected", at..d.end, 0, SpanKind::Unexplained)
                    .meaning(Some("bytes after the last field".into())),
            );
            d.diag(
                at,
                Severity::Error,
                format!("{n} unexpected octet{} after the last field of {}, which takes no TLVs", plural(n), def.name),
                Some("command_length or a field length is probably wrong, or a field was written wider than the spec says.".into()),
            );
            d.pos = d.end;
        }
    }
    message::cross_checks(d, def);
}

/// Report that the PDU ended before a field.
fn ran_out(d: &mut Dec, name: &str, need: &str) {
    let at = d.pos;
    d.truncated = true;
    let claimed = d.header.map(|h| h.command_length as usize).unwrap_or(0);
    let hint = if claimed > d.end {
        Some(format!(
            "command_length promises {} more octet(s): the PDU looks cut short.",
            claimed - d.end
        ))
    } else {
        Some("The sender left out this field or wrote an earlier field too short.".into())
    };
    let have = d.end.saturating_sub(at);
    let message = if have == 0 {
        format!("the PDU ends at offset {at}, before {name} ({need})")
    } else {
        format!("the PDU ends inside {name}: it needs {need}, only {have} octet{} present at offset {at}", plural(have))
    };
    d.diag(at, Severity::Error, message, hint);
}

fn decode_field(d: &mut Dec, def: &CommandDef, name: &'static str, kind: FieldKind) {
    match kind {
        FieldKind::U8(interp) => {
            if d.variant.missing >= 1 && name == "data_coding"
                || d.variant.missing >= 2 && name == "registered_delivery"
            {
                let at = d.pos;
                d.repaired(
                    at,
                    format!("{name} is missing: the octets before sm_length are one short of the {} layout", def.name),
                    format!("The sender left out {name}; every mandatory field must be present, even when it is 0."),
                );
                return;
            }
            let Some(&v) = d.buf.get(d.pos).filter(|_| d.pos < d.end) else {
                return ran_out(d, name, "1 octet");
            };
            let at = d.pos;
            d.pos += 1;
            int_field(d, name, at..at + 1, v as u32, interp, 0);
            d.pdu.fields.set(name, Value::Int(v as u32));
        }
        FieldKind::U32(interp) => {
            if d.remaining() < 4 {
                return ran_out(d, name, "4 octets");
            }
            let at = d.pos;
            let v = be32(d.buf, at..at + 4).unwrap_or(0);
            d.pos += 4;
            int_field(d, name, at..at + 4, v, interp, 0);
            d.pdu.fields.set(name, Value::Int(v));
        }
        FieldKind::CStr { max, what } => {
            if let Some(s) = cstr(d, name, max, what, 0) {
                d.pdu.fields.set(name, Value::Str(s));
            }
        }
        FieldKind::SmLength => {
            let at = d.pos;
            if d.variant.smlen16 {
                if d.remaining() < 2 {
                    return ran_out(d, name, "1 octet");
                }
                let v = u16::from_be_bytes([d.buf[at], d.buf[at + 1]]) as usize;
                d.pos += 2;
                d.span(
                    Span::new(name, at..at + 2, 0, SpanKind::Field)
                        .val(Val::Int(v as u64))
                        .meaning(Some(format!("{v} octets (written on 2 octets)").into())),
                );
                d.repaired(
                    at,
                    "sm_length is written on two octets; it is a single octet".into(),
                    "The sender encoded sm_length as a 16-bit integer. Write one octet (0-254); use message_payload for longer data.".into(),
                );
                d.sm_length = Some(v);
                d.sm_length_at = Some(at);
                return;
            }
            let Some(&v) = d.buf.get(at).filter(|_| at < d.end) else {
                return ran_out(d, name, "1 octet");
            };
            d.pos += 1;
            d.sm_length_at = Some(at);
            let meaning = d.count_text(usize::from(v), " octets follow");
            d.span(
                Span::new(name, at..at + 1, 0, SpanKind::Field)
                    .val(Val::Int(v as u64))
                    .meaning(Some(meaning.into())),
            );
            if v == 255 {
                d.diag(
                    at,
                    Severity::Warning,
                    "sm_length 255 exceeds the SMPP 3.4 limit of 254 (5.0 allows 255)".into(),
                    None,
                );
            }
            d.sm_length = Some(v as usize);
        }
        FieldKind::ShortMessage => {
            let want = d.sm_length.unwrap_or(0);
            let at = d.pos;
            let have = d.remaining();
            let n = if want > have {
                d.diag(
                    at,
                    Severity::Error,
                    format!("sm_length says {want} octets but only {have} remain"),
                    Some("sm_length does not match the message, or the PDU was cut short.".into()),
                );
                d.truncated = true;
                have
            } else {
                want
            };
            let data = d.pool.octets_from(&d.buf[at..at + n]);
            d.pos += n;
            if n > 0 {
                message::message_spans(d, name, at..at + n, 0);
            }
            d.pdu.fields.set(name, Value::Octets(data));
        }
        FieldKind::DestList => dest_list(d),
        FieldKind::UnsuccessList => unsuccess_list(d),
    }
}

/// Emit an integer field span with its meaning and checks.
pub(crate) fn int_field(
    d: &mut Dec,
    name: &'static str,
    r: std::ops::Range<usize>,
    v: u32,
    interp: Interp,
    depth: u8,
) {
    let meaning = if d.opts.spans {
        interp.meaning(v)
    } else {
        None
    };
    let kind = if depth == 0 {
        SpanKind::Field
    } else {
        SpanKind::Part
    };
    let val = match interp {
        Interp::EsmClass
        | Interp::RegisteredDelivery
        | Interp::DataCoding
        | Interp::ProtocolId
        | Interp::InterfaceVersion => Val::Hex(v as u64),
        _ => Val::Int(v as u64),
    };
    d.span(
        Span::new(name, r.clone(), depth, kind)
            .val(val)
            .meaning(meaning),
    );
    let at = r.start;
    match interp {
        Interp::Ton if table_name(TON, v).is_none() => {
            d.diag(at, Severity::Warning, format!("{name} 0x{v:02X} is not a defined TON (0-6)"), None)
        }
        Interp::Npi if table_name(NPI, v).is_none() => {
            d.diag(at, Severity::Warning, format!("{name} 0x{v:02X} is not a defined NPI"), None)
        }
        Interp::InterfaceVersion if table_name(INTERFACE_VERSION, v).is_none() && v > 0x33 => d.diag(
            at,
            Severity::Warning,
            format!("interface_version 0x{v:02X} is not a defined version (0x34 = 3.4, 0x50 = 5.0)"),
            None,
        ),
        Interp::InterfaceVersion if v == 0 => d.diag(
            at,
            Severity::Warning,
            "interface_version 0x00: most SMSCs expect 0x34 (3.4) or 0x50 (5.0) and may treat 0x00 as 3.3".into(),
            Some("Set interface_version to 0x34 unless the SMSC asks for another.".into()),
        ),
        Interp::Priority if v > 4 => {
            d.diag(at, Severity::Warning, format!("priority_flag {v} is reserved (0-4 are defined)"), None)
        }
        _ => {}
    }
}

/// Read a C-Octet string field with checks; `None` only when no byte at all was left.
pub(crate) fn cstr(
    d: &mut Dec,
    name: &'static str,
    max: usize,
    what: StrKind,
    depth: u8,
) -> Option<Vec<u8>> {
    let at = d.pos;
    if at >= d.end {
        ran_out(d, name, "at least its NUL octet");
        return None;
    }
    if what == StrKind::Time
        && d.variant.time4
        && d.buf.get(at..at + 4) == Some(&[0, 0, 0, 0][..])
        && at + 4 <= d.end
    {
        d.pos += 4;
        d.span(
            Span::new(name, at..at + 4, depth, SpanKind::Field)
                .val(Val::Str("".into()))
                .meaning(Some("NULL (written as 4 octets)".into())),
        );
        d.repaired(
            at,
            format!("{name} is written as four zero octets; a NULL time is a single 0x00 octet"),
            "The sender wrote the unset time as a 32-bit zero. An SMPP time is a C-Octet string: one 0x00 octet when unset, or 16 characters plus NUL.".into(),
        );
        return Some(Vec::new());
    }
    let slice = &d.buf[at..d.end];
    let (content, consumed, terminated) = match slice.iter().position(|&b| b == 0) {
        Some(i) => (&slice[..i], i + 1, true),
        None => (slice, slice.len(), false),
    };
    let content = d.pool.octets_from(content);
    d.pos += consumed;
    let kind = if depth == 0 {
        SpanKind::Field
    } else {
        SpanKind::Part
    };
    let text = super::text::lossy(&content);
    if d.opts.spans {
        let value = d.pool.string_from(&text);
        let mut span = Span::new(name, at..at + consumed, depth, kind).val(Val::Str(value.into()));
        span.secret = what == StrKind::Secret;
        if content.is_empty() {
            span = span.meaning(Some(if what == StrKind::Time {
                "NULL (not set)".into()
            } else {
                "empty".into()
            }));
        } else if what == StrKind::Time {
            span = span.meaning(Some(super::message::describe_time(&text).into()));
        }
        d.span(span);
    }
    if !terminated {
        d.truncated = true;
        d.diag(
            at,
            Severity::Error,
            format!("{name} has no terminating NUL: the string runs to the end of the PDU ({} octets)", content.len()),
            Some(format!("C-Octet strings end with 0x00; the sender left it out, so every field after {name} is missing.")),
        );
        return Some(content);
    }
    if consumed > max {
        let sev = if what == StrKind::Secret || max >= 21 {
            Severity::Warning
        } else {
            Severity::Error
        };
        d.diag(
            at,
            sev,
            format!("{name} is {} characters; the spec allows at most {} ({} octets with the NUL)", content.len(), max - 1, max),
            Some(if what == StrKind::Secret {
                "Many SMSCs accept longer passwords, but some truncate or reject them (ESME_RINVPASWD).".to_string()
            } else {
                "Some SMSCs reject or truncate over-long fields.".to_string()
            }),
        );
    }
    match what {
        StrKind::Time => message::check_time(d, name, at, &text),
        StrKind::Address => message::check_address(d, name, at, &text),
        _ => {}
    }
    if content.iter().any(|&b| !(0x20..0x7F).contains(&b)) && what != StrKind::Secret {
        d.diag(
            at,
            Severity::Warning,
            format!("{name} contains non-printable or non-ASCII octets"),
            None,
        );
    }
    Some(content)
}

fn dest_list(d: &mut Dec) {
    let at = d.pos;
    let Some(&n) = d.buf.get(at).filter(|_| at < d.end) else {
        return ran_out(d, "number_of_dests", "1 octet");
    };
    d.pos += 1;
    d.span(Span::new("number_of_dests", at..at + 1, 0, SpanKind::Field).val(Val::Int(n as u64)));
    if n == 0 {
        d.diag(
            at,
            Severity::Error,
            "number_of_dests is 0; submit_multi needs at least one destination".into(),
            None,
        );
    }
    let mut dests = Vec::new();
    for i in 0..n {
        let start = d.pos;
        let Some(&flag) = d.buf.get(start).filter(|_| start < d.end) else {
            ran_out(d, "dest_flag", &format!("destination {} of {n}", i + 1));
            break;
        };
        // Parent span first; its range is fixed up once the entry is read.
        let parent_idx = d.spans.len();
        d.span(Span::new(
            format!("dest_address[{i}]"),
            start..start,
            0,
            SpanKind::Field,
        ));
        d.pos += 1;
        int_field(
            d,
            "dest_flag",
            start..start + 1,
            flag as u32,
            Interp::DestFlag,
            1,
        );
        match flag {
            1 => {
                let ton = read_u8_part(d, "dest_addr_ton", Interp::Ton);
                let npi = if d.truncated {
                    None
                } else {
                    read_u8_part(d, "dest_addr_npi", Interp::Npi)
                };
                let addr = if d.truncated {
                    None
                } else {
                    cstr(d, "destination_addr", 21, StrKind::Address, 1)
                };
                if let (Some(ton), Some(npi), Some(addr)) = (ton, npi, addr) {
                    dests.push(Dest::Sme { ton, npi, addr });
                }
            }
            2 => {
                if let Some(name) = cstr(d, "dl_name", 21, StrKind::Text, 1) {
                    dests.push(Dest::List(name));
                }
            }
            _ => {
                d.diag(
                    start,
                    Severity::Error,
                    format!(
                        "dest_flag {flag} is neither 1 (SME address) nor 2 (distribution list)"
                    ),
                    None,
                );
                d.truncated = true;
            }
        }
        if let Some(p) = d.spans.get_mut(parent_idx) {
            p.range = start..d.pos;
        }
        if d.truncated {
            break;
        }
    }
    d.pdu.fields.set("dest_address", Value::Dests(dests));
}

fn read_u8_part(d: &mut Dec, name: &'static str, interp: Interp) -> Option<u8> {
    let at = d.pos;
    let Some(&v) = d.buf.get(at).filter(|_| at < d.end) else {
        ran_out(d, name, "1 octet");
        return None;
    };
    d.pos += 1;
    int_field(d, name, at..at + 1, v as u32, interp, 1);
    Some(v)
}

fn unsuccess_list(d: &mut Dec) {
    let at = d.pos;
    let Some(&n) = d.buf.get(at).filter(|_| at < d.end) else {
        return ran_out(d, "no_unsuccess", "1 octet");
    };
    d.pos += 1;
    d.span(Span::new("no_unsuccess", at..at + 1, 0, SpanKind::Field).val(Val::Int(n as u64)));
    let mut list = Vec::new();
    for i in 0..n {
        let start = d.pos;
        let parent_idx = d.spans.len();
        d.span(Span::new(
            format!("unsuccess_sme[{i}]"),
            start..start,
            0,
            SpanKind::Field,
        ));
        let ton = read_u8_part(d, "dest_addr_ton", Interp::Ton);
        let npi = if d.truncated {
            None
        } else {
            read_u8_part(d, "dest_addr_npi", Interp::Npi)
        };
        let addr = if d.truncated {
            None
        } else {
            cstr(d, "destination_addr", 21, StrKind::Address, 1)
        };
        let st = if d.truncated || d.remaining() < 4 {
            if !d.truncated {
                ran_out(d, "error_status_code", "4 octets");
            }
            None
        } else {
            let p = d.pos;
            let v = be32(d.buf, p..p + 4).unwrap_or(0);
            d.pos += 4;
            int_field(
                d,
                "error_status_code",
                p..p + 4,
                v,
                Interp::CommandStatus,
                1,
            );
            Some(v)
        };
        if let Some(p) = d.spans.get_mut(parent_idx) {
            p.range = start..d.pos;
            if p.range.is_empty() {
                d.spans.truncate(parent_idx);
            }
        }
        if let (Some(ton), Some(npi), Some(addr), Some(status)) = (ton, npi, addr, st) {
            list.push(UnsuccessSme {
                ton,
                npi,
                addr,
                status,
            });
        }
        if d.truncated {
            break;
        }
    }
    d.pdu.fields.set("unsuccess_sme", Value::Unsuccess(list));
}

#[cfg(test)]
mod fast_tests {
    use super::*;
    use proptest::prelude::*;

    fn pdu(command_id: u32, status: u32, body: &[u8]) -> Vec<u8> {
        let mut v = Vec::new();
        Header {
            command_length: (16 + body.len()) as u32,
            command_id,
            command_status: status,
            sequence_number: 7,
        }
        .emit(&mut v);
        v.extend_from_slice(body);
        v
    }

    #[test]
    fn fast_path_reads_a_plain_submit_sm_resp() {
        let b = pdu(0x8000_0004, 0, b"m0001\0");
        assert!(message_id_response(&b).is_some());
        let p = decode_pdu_fast(&b).unwrap();
        assert_eq!(p, decode_pdu(&b).unwrap());
        assert_eq!(p.string("message_id").as_deref(), Some("m0001"));
        assert_eq!((p.command_id, p.sequence_number), (0x8000_0004, 7));
    }

    #[test]
    fn other_shapes_take_the_general_decoder() {
        // No NUL, a TLV after the id, an over-long id, a non-printable octet, another command,
        // an empty body, a length that disagrees with the bytes.
        let long = [b'a'; 65];
        let mut long_z = long.to_vec();
        long_z.push(0);
        let mut bad_len = pdu(0x8000_0004, 0, b"x\0");
        bad_len[3] = 40;
        for b in [
            pdu(0x8000_0004, 0, b"m0001"),
            pdu(0x8000_0004, 0, b"m1\0\x04\x25\0\x01\x01"),
            pdu(0x8000_0004, 0, &long_z),
            pdu(0x8000_0004, 0, b"m\x01\0"),
            pdu(0x8000_0009, 0, b"smsc\0"),
            pdu(0x8000_0004, 0x58, b""),
            bad_len,
        ] {
            assert!(message_id_response(&b).is_none(), "{b:02X?}");
            assert_eq!(decode_pdu_fast(&b), decode_pdu(&b));
        }
    }

    proptest! {
        #[test]
        fn fast_path_agrees_with_decode_pdu(
            cmd in prop::sample::select(vec![0x8000_0004u32, 0x8000_0103, 0x8000_0021, 0x8000_0005]),
            status in prop::sample::select(vec![0u32, 0x58]),
            body in prop::collection::vec(prop::sample::select(vec![0u8, 1, 0x20, b'7', b'a', 0x7E, 0x7F, 0xC3]), 0..70),
        ) {
            let b = pdu(cmd, status, &body);
            prop_assert_eq!(decode_pdu_fast(&b), decode_pdu(&b));
        }

        #[test]
        fn reusing_buffers_gives_the_same_decode(
            first in prop::collection::vec(any::<u8>(), 0..120),
            body in prop::collection::vec(prop::sample::select(vec![0u8, 1, 4, 0x24, 0x40, b'a', 0xFF]), 0..120),
            cmd in prop::sample::select(vec![0x04u32, 0x05, 0x8000_0004, 0x09, 0x21]),
        ) {
            let b = pdu(cmd, 0, &body);
            let spare = decode(&first);
            prop_assert_eq!(decode_reusing(&b, DecodeOptions::default(), Some(spare)), decode(&b));
        }

        #[test]
        fn a_chain_of_reused_decodes_gives_fresh_decodes(
            msgs in prop::collection::vec(
                (
                    prop::sample::select(vec![0x04u32, 0x05, 0x8000_0004, 0x103]),
                    prop::sample::select(vec![0u8, 0x04, 0x40, 0x44]),
                    prop::sample::select(vec![0u8, 1, 3, 4, 8]),
                    prop::sample::select(vec![
                        "Hello world",
                        "id:0000000042 sub:001 dlvrd:001 submit date:2611221430 done date:2611221431 stat:DELIVRD err:000 text:Hello",
                        "id:7 stat:WEIRD text:x id:8",
                        "",
                        "\u{5}\0\u{3}\u{1}\u{2}\u{1}part one",
                        "@£$¥ {caf\u{e9}} [€]",
                    ]),
                    any::<bool>(),
                ),
                1..8,
            ),
        ) {
            let mut spare = None;
            for (i, (cmd, esm, dc, text, tlvs)) in msgs.into_iter().enumerate() {
                let mut p = Pdu::new(cmd, i as u32 + 1)
                    .with_str("source_addr", "447700900123")
                    .with_str("destination_addr", "ACME")
                    .with_int("esm_class", u32::from(esm))
                    .with_int("data_coding", u32::from(dc))
                    .with_octets("short_message", text.as_bytes());
                if cmd & 0x8000_0000 != 0 {
                    p = Pdu::new(cmd, i as u32 + 1).with_str("message_id", text);
                }
                if tlvs {
                    p = p.with_tlv(0x001E, &b"0000000042\0"[..]).with_tlv(0x0427, vec![2]).with_tlv(0x1401, vec![1, 2]);
                }
                let Ok(b) = p.encode() else { continue };
                let d = decode_reusing(&b, DecodeOptions::default(), spare.take());
                prop_assert_eq!(&d, &decode(&b));
                let quiet = DecodeOptions { spans: false, repair: false };
                prop_assert_eq!(decode_reusing(&b, quiet, Some(d.clone())), decode_with(&b, quiet));
                spare = Some(d);
            }
        }

        #[test]
        fn fast_path_agrees_on_printable_ids(id in "[ -~]{0,66}", status in 0u32..0x100) {
            let mut body = id.into_bytes();
            body.push(0);
            let b = pdu(0x8000_0004, status, &body);
            prop_assert_eq!(message_id_response(&b).is_some(), body.len() <= MESSAGE_ID_MAX);
            prop_assert_eq!(decode_pdu_fast(&b), decode_pdu(&b));
        }
    }
}
