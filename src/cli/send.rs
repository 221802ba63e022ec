//! `smppdiag send`: bind, submit (split when long, repeated, windowed, paced, retried), wait for
//! receipts, unbind, summarise.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{bail, Context};
use serde_json::json;

use crate::codec::split::{split, Part, SplitInput, SplitMethod};
use crate::codec::text;
use crate::codec::{Dest, Pdu, Value};
use crate::exit::Exit;
use crate::render::Role;
use crate::session::retry::{NoRetry, Retry};
use crate::session::send::{self as engine, RefPatch, SendOutcome, SendPlan};
use crate::session::stats::Summary;
use crate::session::{fmt_dur, BindMode, SessionError};
use crate::spec::status;
use crate::spec::values::Charset;

use super::connect::{self, ConnectArgs, OutHandle};
use super::retry_args::RetryArgs;

/// `--coding`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Coding {
    /// GSM 03.38 when every character fits, else UCS2.
    Auto,
    /// GSM 03.38 default alphabet (data_coding 0).
    Gsm7,
    /// IA5 / ASCII (data_coding 1).
    Ia5,
    /// Latin-1 (data_coding 3).
    Latin1,
    /// UCS2 / UTF-16BE (data_coding 8).
    Ucs2,
    /// 8-bit binary (data_coding 4).
    Binary,
}

/// `--split`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SplitArg {
    /// Concatenation UDH with an 8-bit reference (esm_class 0x40).
    Udh,
    /// SAR TLVs.
    Sar,
    /// One message_payload TLV.
    Payload,
}

/// `(charset, data_coding)` of each coding; one row each.
const CODINGS: &[(Charset, u8)] = &[
    (Charset::Gsm7, 0x00),
    (Charset::Ascii, 0x01),
    (Charset::Latin1, 0x03),
    (Charset::Binary, 0x04),
    (Charset::Ucs2, 0x08),
];

/// Arguments of `send`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  smppdiag send --system-id acme --from ACME --to +15551234567 --text 'Hello'\n  smppdiag send --to 15551234567 --text \"$(cat long.txt)\" --split sar --wait-dlr 60\n  smppdiag send --to 15551234567 --text load --count 100000 --window 100 --rate 500 --quiet\n  smppdiag send --to 1555 --text hi --retry --retry-delay 1\n  smppdiag send --to 1555 --text hi --wait-dlr 30 --expect-dlr DELIVRD --junit send.xml --quiet"
)]
pub struct SendArgs {
    /// Connection and bind options.
    #[command(flatten)]
    pub conn: ConnectArgs,

    /// Source address (alphanumeric sender ids get TON 5).
    #[arg(long, default_value = "", help_heading = "Message")]
    pub from: String,
    /// Destination address; repeat for several (one submit_sm each, or one submit_multi with --multi).
    #[arg(long, required_unless_present = "pdus", help_heading = "Message")]
    pub to: Vec<String>,
    /// One submit_multi for all --to addresses.
    #[arg(long, help_heading = "Message")]
    pub multi: bool,
    /// source_addr_ton (default: from the address shape).
    #[arg(long, help_heading = "Message")]
    pub src_ton: Option<u8>,
    /// source_addr_npi (default: from the address shape).
    #[arg(long, help_heading = "Message")]
    pub src_npi: Option<u8>,
    /// dest_addr_ton (default: from the address shape).
    #[arg(long, help_heading = "Message")]
    pub dst_ton: Option<u8>,
    /// dest_addr_npi (default: from the address shape).
    #[arg(long, help_heading = "Message")]
    pub dst_npi: Option<u8>,
    /// Message text.
    #[arg(long, group = "body", help_heading = "Message")]
    pub text: Option<String>,
    /// Message body as hex octets, sent as they are (data_coding 0x04 unless --coding says
    /// otherwise).
    #[arg(
        long,
        visible_alias = "binary",
        value_name = "HEX",
        group = "body",
        help_heading = "Message"
    )]
    pub hex: Option<String>,
    /// An explicit UDH (hex, e.g. 050003CC0201) put before the body; sets UDHI (esm_class 0x40)
    /// and sends the body as one part, unsplit.
    #[arg(long, value_name = "HEX", help_heading = "Message")]
    pub udh: Option<String>,
    /// Set any body field or TLV of the submit PDU, as `encode` does: esm_class=0x03,
    /// data_coding=0xF5, validity_period=000001000000000R, tlv:0x1403=0102 (repeatable; applied
    /// last, so it wins over the options above).
    #[arg(long, value_name = "NAME=VALUE", help_heading = "Message")]
    pub set: Vec<String>,
    /// Message text from a file (UTF-8; binary with --coding binary).
    #[arg(long, group = "body", help_heading = "Message")]
    pub file: Option<PathBuf>,
    /// Text coding.
    #[arg(long, value_enum, default_value_t = Coding::Auto, help_heading = "Message")]
    pub coding: Coding,
    /// How long messages are split.
    #[arg(long, value_enum, default_value_t = SplitArg::Udh, help_heading = "Message")]
    pub split: SplitArg,
    /// esm_class (0x40 is added for UDH parts).
    #[arg(long, value_parser = parse_u8, default_value = "0", help_heading = "Message")]
    pub esm_class: u8,
    /// registered_delivery (default 1 with --wait-dlr, else 0).
    #[arg(long, value_parser = parse_u8, help_heading = "Message")]
    pub registered_delivery: Option<u8>,
    /// priority_flag.
    #[arg(long, value_parser = parse_u8, default_value = "0", help_heading = "Message")]
    pub priority: u8,
    /// validity_period (SMPP time, e.g. 000001000000000R for one day).
    #[arg(long, default_value = "", value_parser = parse_smpp_time, help_heading = "Message")]
    pub validity: String,
    /// schedule_delivery_time (SMPP time, e.g. 000000001000000R for ten minutes from now).
    #[arg(long, default_value = "", value_parser = parse_smpp_time, help_heading = "Message")]
    pub schedule: String,
    /// service_type.
    #[arg(long, default_value = "", help_heading = "Message")]
    pub service_type: String,
    /// protocol_id.
    #[arg(long, value_parser = parse_u8, default_value = "0", help_heading = "Message")]
    pub protocol_id: u8,
    /// Any TLV: TAG:TYPE:VALUE with TAG a number (0x1400) or name, TYPE u8|u16|u32|str|cstr|hex.
    #[arg(long, value_name = "TAG:TYPE:VALUE", help_heading = "Message")]
    pub tlv: Vec<String>,
    /// Use data_sm (body in message_payload) instead of submit_sm.
    #[arg(long, help_heading = "Message")]
    pub data_sm: bool,

    /// Wait up to SECS for the delivery receipts (binds trx; registered_delivery 1).
    #[arg(long, value_name = "SECS", help_heading = "Load and receipts")]
    pub wait_dlr: Option<f64>,
    /// Send the message this many times.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..), help_heading = "Load and receipts")]
    pub count: u64,
    /// Requests in flight at most.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=100_000), help_heading = "Load and receipts")]
    pub window: u32,
    /// Messages (parts) per second at most.
    #[arg(long, value_name = "TPS", help_heading = "Load and receipts")]
    pub rate: Option<f64>,
    /// Retry rejected messages with the retry policy of the status table.
    #[arg(long, help_heading = "Retry policy")]
    pub retry: bool,
    /// Retry policy parameters (as `explain`).
    #[command(flatten)]
    pub retry_args: RetryArgs,
    /// `--pdu HEX|@FILE`, `--no-bind`, `--keep-sequence`.
    #[command(flatten)]
    pub raw: super::send_pdu::PduArgs,
    /// `--expect STATUS` (every submission's answer) and `--junit FILE`.
    #[command(flatten)]
    pub report: super::report::ReportArgs,
    /// Expect every receipt to carry this state (DELIVRD, UNDELIV, ...) within --wait-dlr.
    #[arg(long, value_name = "STATE", requires = "wait_dlr", value_parser = parse_dlr_state, help_heading = "CI")]
    pub expect_dlr: Option<&'static crate::codec::receipt::StatInfo>,
}

fn parse_dlr_state(s: &str) -> Result<&'static crate::codec::receipt::StatInfo, String> {
    crate::expect::parse_dlr_state(s).map_err(|e| e.to_string())
}

fn parse_u8(s: &str) -> Result<u8, String> {
    let v = match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        Some(h) => u8::from_str_radix(h, 16),
        None => s.parse(),
    };
    v.map_err(|_| format!("expected 0-255 or 0x00-0xFF, got {s}"))
}

/// An SMPP time (absolute `YYMMDDhhmmsstnn+`/`-`, relative `YYMMDDhhmmss000R`, or empty),
/// checked by the codec's parser so a wrong one is refused before connecting.
fn parse_smpp_time(s: &str) -> Result<String, String> {
    crate::codec::time::parse(s)
        .map(|_| s.to_string())
        .map_err(|e| {
            format!(
                "{e}\n  absolute: YYMMDDhhmmsstnn+ (e.g. 261130143000004+ is 14:30 at UTC+1)\n  \
             relative: YYMMDDhhmmss000R (e.g. 000001000000000R is one day from now)"
            )
        })
}

/// TON/NPI from the shape of an address: `+digits` or 10+ digits international (1/1), shorter
/// digits unknown/ISDN (0/1), anything with letters alphanumeric (5/0). The `+` is dropped.
pub fn auto_ton_npi(addr: &str) -> (u8, u8, String) {
    let a = addr.trim();
    if let Some(d) = a.strip_prefix('+') {
        if !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()) {
            return (1, 1, d.to_string());
        }
    }
    if a.is_empty() {
        return (0, 0, String::new());
    }
    if a.bytes().all(|b| b.is_ascii_digit()) {
        return if a.len() >= 10 {
            (1, 1, a.to_string())
        } else {
            (0, 1, a.to_string())
        };
    }
    (5, 0, a.to_string())
}

/// Parse `--tlv TAG:TYPE:VALUE`.
pub fn parse_tlv(s: &str) -> anyhow::Result<(u16, Vec<u8>)> {
    let mut it = s.splitn(3, ':');
    let (Some(tag), Some(ty), Some(val)) = (it.next(), it.next(), it.next()) else {
        bail!("--tlv wants TAG:TYPE:VALUE, got {s:?}");
    };
    let tag = match tag.strip_prefix("0x").or_else(|| tag.strip_prefix("0X")) {
        Some(h) => u16::from_str_radix(h, 16).ok(),
        None => tag
            .parse()
            .ok()
            .or_else(|| crate::spec::tlv::by_name(tag).map(|d| d.tag)),
    }
    .with_context(|| format!("--tlv: unknown tag {tag:?} (a number like 0x1400, or a TLV name)"))?;
    let num = |max: u64| -> anyhow::Result<u64> {
        let v = match val.strip_prefix("0x") {
            Some(h) => u64::from_str_radix(h, 16),
            None => val.parse(),
        }
        .with_context(|| format!("--tlv: {val:?} is not a number"))?;
        if v > max {
            bail!("--tlv: {v} does not fit in {ty}");
        }
        Ok(v)
    };
    let bytes = match ty {
        "u8" | "int8" => vec![num(0xFF)? as u8],
        "u16" | "int16" => (num(0xFFFF)? as u16).to_be_bytes().to_vec(),
        "u32" | "int32" => (num(0xFFFF_FFFF)? as u32).to_be_bytes().to_vec(),
        "str" | "text" => val.as_bytes().to_vec(),
        "cstr" => {
            let mut v = val.as_bytes().to_vec();
            v.push(0);
            v
        }
        "hex" => crate::input::bytes_of(val)
            .or_else(|| hex::decode(val.replace(' ', "")).ok())
            .with_context(|| format!("--tlv: {val:?} is not hex"))?,
        _ => bail!("--tlv: unknown type {ty:?} (u8, u16, u32, str, cstr, hex)"),
    };
    Ok((tag, bytes))
}

use crate::spec::ids::cmd::{DATA_SM, SUBMIT_MULTI, SUBMIT_SM};
use crate::spec::ids::tag::{
    MESSAGE_PAYLOAD as TAG_MESSAGE_PAYLOAD, SAR_MSG_REF_NUM as TAG_SAR_REF,
    SAR_SEGMENT_SEQNUM as TAG_SAR_SEQ, SAR_TOTAL_SEGMENTS as TAG_SAR_TOTAL,
};

/// The message body: encoded bytes and its charset.
fn body(args: &SendArgs) -> anyhow::Result<(Vec<u8>, Option<String>, Charset)> {
    if let Some(h) = &args.hex {
        let bytes =
            hex::decode(h.replace([' ', ':'], "")).map_err(|e| anyhow::anyhow!("--hex: {e}"))?;
        let cs = match args.coding {
            Coding::Auto | Coding::Binary => Charset::Binary,
            c => charset_of(c),
        };
        return Ok((bytes, None, cs));
    }
    let text = match (&args.text, &args.file) {
        (Some(t), _) => t.clone(),
        (None, Some(f)) => {
            if args.coding == Coding::Binary {
                let b = std::fs::read(f).with_context(|| format!("reading {}", f.display()))?;
                return Ok((b, None, Charset::Binary));
            }
            std::fs::read_to_string(f).with_context(|| format!("reading {}", f.display()))?
        }
        (None, None) => bail!("give the message with --text, --hex or --file"),
    };
    let cs = match args.coding {
        Coding::Auto => text::choose_coding(&text),
        c => charset_of(c),
    };
    if cs == Charset::Binary {
        return Ok((text.clone().into_bytes(), Some(text), cs));
    }
    let bytes = text::encode_text(&text, cs).map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok((bytes, Some(text), cs))
}

fn charset_of(c: Coding) -> Charset {
    match c {
        Coding::Auto | Coding::Gsm7 => Charset::Gsm7,
        Coding::Ia5 => Charset::Ascii,
        Coding::Latin1 => Charset::Latin1,
        Coding::Ucs2 => Charset::Ucs2,
        Coding::Binary => Charset::Binary,
    }
}

/// "to 447700900123", "to 3 destinations", with " part 2/3" for long messages.
fn part_label(dests: &[(u8, u8, String)], part: usize, parts: usize) -> String {
    let to = match dests {
        [(_, _, a)] => format!("to {a}"),
        d => format!("to {} destinations", d.len()),
    };
    if parts > 1 {
        format!("{to} part {}/{parts}", part + 1)
    } else {
        to
    }
}

/// The encoded PDUs of one round.
#[derive(Debug, Clone)]
pub struct Built {
    /// Every destination's every part, encoded.
    pub parts: Vec<Vec<u8>>,
    /// Where each part's concatenation reference sits.
    pub refs: Vec<Option<RefPatch>>,
    /// "3 parts per message, GSM 03.38".
    pub what: String,
    /// Per part: "to 447700900123 part 1/3", for the report's test cases.
    pub labels: Vec<String>,
}

/// Build the encoded PDUs of one round (every destination, every part).
pub fn build_parts(args: &SendArgs) -> anyhow::Result<Built> {
    let (bytes, _text, cs) = body(args)?;
    let dc = CODINGS
        .iter()
        .find(|(c, _)| *c == cs)
        .map_or(0, |(_, d)| *d);
    let method = match args.split {
        SplitArg::Udh => SplitMethod::Udh,
        SplitArg::Sar => SplitMethod::Sar,
        SplitArg::Payload => SplitMethod::Payload,
    };
    let reference = (std::process::id() as u16)
        ^ (std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos() as u16));
    let parts: Vec<Part> = if let Some(u) = &args.udh {
        let mut payload =
            hex::decode(u.replace([' ', ':'], "")).map_err(|e| anyhow::anyhow!("--udh: {e}"))?;
        payload.extend_from_slice(&bytes);
        vec![Part {
            payload,
            udh: true,
            sar: None,
        }]
    } else if args.data_sm && method == SplitMethod::Payload {
        vec![Part {
            payload: bytes.clone(),
            udh: false,
            sar: None,
        }]
    } else {
        split(SplitInput::Bytes(&bytes), cs, method, reference)
            .map_err(|e| anyhow::anyhow!("{e}"))?
    };
    let (sa_ton, sa_npi, from) = auto_ton_npi(&args.from);
    let sa_ton = args.src_ton.unwrap_or(sa_ton);
    let sa_npi = args.src_npi.unwrap_or(sa_npi);
    let tlvs = args
        .tlv
        .iter()
        .map(|t| parse_tlv(t))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let rd = args
        .registered_delivery
        .unwrap_or(if args.wait_dlr.is_some() { 1 } else { 0 });
    let dests: Vec<(u8, u8, String)> = args
        .to
        .iter()
        .map(|t| {
            let (ton, npi, a) = auto_ton_npi(t);
            (args.dst_ton.unwrap_or(ton), args.dst_npi.unwrap_or(npi), a)
        })
        .collect();
    let groups: Vec<Vec<(u8, u8, String)>> = if args.multi {
        vec![dests]
    } else {
        dests.into_iter().map(|d| vec![d]).collect()
    };
    let cmd = if args.data_sm {
        DATA_SM
    } else if args.multi {
        SUBMIT_MULTI
    } else {
        SUBMIT_SM
    };
    let mut out = Vec::new();
    let mut refs = Vec::new();
    let mut labels = Vec::new();
    for g in &groups {
        for (i, p) in parts.iter().enumerate() {
            labels.push(part_label(g, i, parts.len()));
            let mut pdu = Pdu::new(cmd, 0)
                .with_str("service_type", &args.service_type)
                .with_int("source_addr_ton", u32::from(sa_ton))
                .with_int("source_addr_npi", u32::from(sa_npi))
                .with_str("source_addr", &from)
                .with_int(
                    "esm_class",
                    u32::from(args.esm_class | if p.udh { 0x40 } else { 0 }),
                )
                .with_int("registered_delivery", u32::from(rd))
                .with_int("data_coding", u32::from(dc));
            if cmd == SUBMIT_MULTI {
                pdu = pdu.with(
                    "dest_address",
                    Value::Dests(
                        g.iter()
                            .map(|(ton, npi, a)| Dest::Sme {
                                ton: *ton,
                                npi: *npi,
                                addr: a.as_bytes().to_vec(),
                            })
                            .collect(),
                    ),
                );
            } else if let Some((ton, npi, a)) = g.first() {
                pdu = pdu
                    .with_int("dest_addr_ton", u32::from(*ton))
                    .with_int("dest_addr_npi", u32::from(*npi))
                    .with_str("destination_addr", a);
            }
            if cmd != DATA_SM {
                pdu = pdu
                    .with_int("protocol_id", u32::from(args.protocol_id))
                    .with_int("priority_flag", u32::from(args.priority))
                    .with_str("schedule_delivery_time", &args.schedule)
                    .with_str("validity_period", &args.validity);
            }
            if cmd == DATA_SM || method == SplitMethod::Payload {
                pdu = pdu.with_tlv(TAG_MESSAGE_PAYLOAD, p.payload.clone());
            } else {
                pdu = pdu.with("short_message", Value::Octets(p.payload.clone()));
            }
            if let Some((r, total, seq)) = p.sar {
                pdu = pdu
                    .with_tlv(TAG_SAR_REF, r.to_be_bytes().to_vec())
                    .with_tlv(TAG_SAR_TOTAL, vec![total])
                    .with_tlv(TAG_SAR_SEQ, vec![seq]);
            }
            for (tag, v) in &tlvs {
                pdu = pdu.with_tlv(*tag, v.clone());
            }
            crate::codec::craft::apply_overrides(&mut pdu, &args.set)
                .map_err(|e| anyhow::anyhow!("--set: {e}"))?;
            let encoded = pdu.encode()?;
            refs.push(ref_patch(&encoded, p, method, reference));
            out.push(encoded);
        }
    }
    let what = format!(
        "{} part{} per message, {}",
        parts.len(),
        if parts.len() == 1 { "" } else { "s" },
        text::charset_name(cs)
    );
    Ok(Built {
        parts: out,
        refs,
        what,
        labels,
    })
}

/// Where the concatenation reference of `part` sits in `encoded`.
fn ref_patch(encoded: &[u8], part: &Part, method: SplitMethod, reference: u16) -> Option<RefPatch> {
    let find = |needle: &[u8]| {
        encoded
            .get(16..)?
            .windows(needle.len())
            .position(|w| w == needle)
            .map(|i| i + 16)
    };
    if part.udh && method == SplitMethod::Udh {
        let udh = part.payload.get(..6)?;
        return find(udh).map(|o| RefPatch {
            offset: o + 3,
            width: 1,
            base: reference & 0xFF,
        });
    }
    let (r, _, _) = part.sar?;
    let mut needle = vec![0x02, 0x0C, 0x00, 0x02];
    needle.extend_from_slice(&r.to_be_bytes());
    find(&needle).map(|o| RefPatch {
        offset: o + 4,
        width: 2,
        base: r,
    })
}

/// The slowest `--rate`: one message every 100 s.
const MIN_RATE: f64 = 0.01;
/// The fastest `--rate`.
const MAX_RATE: f64 = 1_000_000.0;

/// Run `send`.
pub fn run(args: SendArgs, ctx: &super::Ctx) -> anyhow::Result<Exit> {
    if !args.raw.pdus.is_empty() {
        return super::send_pdu::run(&args.conn, &args.raw, &args.report, ctx);
    }
    let default_mode = if args.wait_dlr.is_some() {
        BindMode::Trx
    } else {
        BindMode::Tx
    };
    let params = args.conn.bind_params(default_mode)?;
    let Built {
        parts,
        refs,
        what,
        labels,
    } = build_parts(&args)?;
    let retry: Box<dyn Retry> = if args.retry || args.retry_args.any_set() {
        Box::new(args.retry_args.policy()?)
    } else {
        Box::new(NoRetry)
    };
    if let Some(r) = args.rate {
        if !(r.is_finite() && (MIN_RATE..=MAX_RATE).contains(&r)) {
            bail!(
                "--rate must be between {MIN_RATE} and {MAX_RATE} messages per second, got {}",
                super::show_number(r)
            );
        }
    }
    let wait = args
        .wait_dlr
        .map(|w| super::secs_in("--wait-dlr", w, 0.0))
        .transpose()?;
    let mut plan = SendPlan {
        parts,
        count: args.count,
        window: args.window as usize,
        rate: args.rate,
        retry,
        wait_receipts: wait,
        refs,
        deadline: None,
    };
    let overall = args.conn.overall()?;
    let response_timeout = args.conn.response_timeout()?;
    let out = OutHandle::new(&args.conn, ctx.style)?;
    let rt = connect::runtime()?;
    let mut checks = Vec::new();
    let exit = rt.block_on(async {
        // The run itself stops at the deadline (printing the partial summary); the outer
        // timeout only guards the unbind that follows.
        plan.deadline = overall.map(|t| (tokio::time::Instant::now() + t, t));
        let overall = overall.map(|t| t + UNBIND_GRACE);
        let plan = &plan;
        let expect = SendExpect {
            report: &args.report,
            status: args.report.expected(),
            dlr: args.expect_dlr,
            labels: &labels,
            timeout: response_timeout,
            checks: &mut checks,
        };
        let work = body_async(&args.conn, &params, plan, &what, &out, expect);
        match overall {
            Some(t) => match tokio::time::timeout(t, work).await {
                Ok(e) => e,
                Err(_) => out.with(|o| {
                    o.failure(&SessionError::Timeout {
                        what: "send".into(),
                        after: t,
                    })
                }),
            },
            None => work.await,
        }
    });
    out.with(|o| o.flush());
    let suite = format!("smppdiag send {}:{}", args.conn.host, args.conn.port);
    let exit = args
        .report
        .finish(&suite, "smppdiag.send", &checks, args.expect_dlr.is_some())?
        .unwrap_or(exit);
    Ok(exit)
}

/// Every receipt of the accepted parts in `answers` has the state `want`, and none is missing.
fn receipt_check(
    subject: &str,
    want: &crate::codec::receipt::StatInfo,
    answers: &engine::PartAnswers,
    outcome: &SendOutcome,
    slot: usize,
    started: std::time::Instant,
) -> crate::expect::Check {
    let accepted = answers.statuses.get(&0).map_or(0, |(n, _)| *n);
    let counting = accepted > 1;
    let mut got: Vec<String> = answers
        .receipts
        .iter()
        .map(|(st, (n, _))| counted(st.clone(), *n, counting))
        .collect();
    let came: u64 = answers.receipts.values().map(|(n, _)| n).sum();
    let missing = accepted.saturating_sub(came);
    if missing > 0 {
        got.push(counted("no receipt".into(), missing, counting));
    }
    if accepted == 0 {
        got.push("no message accepted".into());
    }
    let offending = answers
        .receipts
        .iter()
        .find(|(st, _)| st.as_str() != want.code);
    let detail = match offending {
        Some((st, (_, pdu))) => format!(
            "{} {st} receipt:\n{}",
            if counting { "the first" } else { "the" },
            super::report::dump_of(pdu)
        ),
        None if missing > 0 => {
            let ids: Vec<&str> = outcome
                .receipts
                .iter()
                .filter(|r| r.slot == slot && r.state.is_none())
                .map(|r| r.message_id.as_str())
                .take(10)
                .collect();
            format!(
                "no receipt within --wait-dlr for message id {}",
                ids.join(", ")
            )
        }
        None => String::new(),
    };
    crate::expect::Check {
        subject: subject.to_string(),
        expected: want.code.into(),
        got: got.join(", "),
        met: accepted > 0 && offending.is_none() && missing == 0,
        detail,
        time: started.elapsed(),
    }
}

/// How long past `--timeout` the unbind of an interrupted run may take.
const UNBIND_GRACE: Duration = Duration::from_secs(3);

/// `fut`, ended with [`SessionError::Timeout`] at the plan's deadline.
async fn by_deadline<T>(
    plan: &SendPlan,
    fut: impl std::future::Future<Output = Result<T, SessionError>>,
) -> Result<T, SessionError> {
    match plan.deadline {
        Some((at, limit)) => {
            tokio::time::timeout_at(at, fut)
                .await
                .unwrap_or(Err(SessionError::Timeout {
                    what: "send".into(),
                    after: limit,
                }))
        }
        None => fut.await,
    }
}

/// What `send` checks: the submissions' status, the receipts' state, and where checks go.
///
/// One check (one JUnit test case) per message part when the run has at most
/// [`engine::ITEMIZE_MAX`] of them, else one per destination and part, with counts; a failed
/// one carries the dump of the first offending answer, receipt or unanswered request.
struct SendExpect<'a> {
    /// `--expect` and `--junit`.
    report: &'a super::report::ReportArgs,
    status: u32,
    dlr: Option<&'static crate::codec::receipt::StatInfo>,
    labels: &'a [String],
    /// The response timeout, for the words of an unanswered request.
    timeout: Duration,
    checks: &'a mut Vec<crate::expect::Check>,
}

/// `ESME_ROK`, or `ESME_ROK x3` when counting.
fn counted(what: String, n: u64, counting: bool) -> String {
    if counting {
        format!("{what} x{n}")
    } else {
        what
    }
}

impl SendExpect<'_> {
    /// The exit status the run will end with, `own` unless expectations decide it.
    fn final_exit(&self, own: Exit) -> Exit {
        self.report.final_exit(self.checks, self.dlr.is_some(), own)
    }

    /// The checks of a run (finished, or stopped early: parts not answered by then fail).
    fn record(
        &mut self,
        command: &str,
        outcome: &SendOutcome,
        plan: &SendPlan,
        started: std::time::Instant,
    ) {
        let parts = plan.parts.len().max(1);
        for (i, answers) in outcome.answers.iter().enumerate() {
            let part = i % parts;
            let label = self.labels.get(part).map_or("", String::as_str);
            let (subject, receipts, want) = if outcome.itemized {
                let m = i / parts + 1;
                let s = format!("message {m}: {command} {label}");
                (s, format!("message {m}: receipt {label}"), 1)
            } else {
                let n = plan.count;
                (
                    format!("{command} {label} x{n}"),
                    format!("receipts {label} x{n}"),
                    n,
                )
            };
            let check = self.status_check(&subject, answers, want, plan, part, started);
            self.checks.push(check);
            if let Some(dlr) = self.dlr {
                let check = receipt_check(&receipts, dlr, answers, outcome, i, started);
                self.checks.push(check);
            }
        }
    }

    /// Every answer of `answers` is the expected status, and all `want` came.
    fn status_check(
        &self,
        subject: &str,
        answers: &engine::PartAnswers,
        want: u64,
        plan: &SendPlan,
        part: usize,
        started: std::time::Instant,
    ) -> crate::expect::Check {
        use crate::expect::status_label;
        let counting = want > 1;
        let mut got: Vec<String> = answers
            .statuses
            .iter()
            .map(|(st, (n, _))| counted(status_label(*st), *n, counting))
            .collect();
        let timeout = format!(" within {}", fmt_dur(self.timeout));
        if answers.unanswered > 0 {
            got.push(counted(
                format!("no response{timeout}"),
                answers.unanswered,
                counting,
            ));
        }
        let missing = want.saturating_sub(answers.answered());
        if missing > 0 {
            got.push(counted(
                "no answer before the run stopped".into(),
                missing,
                counting,
            ));
        }
        let offending = answers.statuses.iter().find(|(st, _)| **st != self.status);
        let detail = match offending {
            Some((st, (_, pdu))) => format!(
                "{} {} answer:\n{}",
                if counting { "the first" } else { "the" },
                status::name_of(*st),
                super::report::dump_of(pdu)
            ),
            None if answers.unanswered > 0 => format!(
                "no response{timeout} to this request (sequence number as sent aside):\n{}",
                plan.parts
                    .get(part)
                    .map(|b| super::report::dump_bytes(b))
                    .unwrap_or_default()
            ),
            None => String::new(),
        };
        crate::expect::Check {
            subject: subject.to_string(),
            expected: status_label(self.status),
            got: got.join(", "),
            met: offending.is_none() && answers.unanswered == 0 && missing == 0,
            detail,
            time: started.elapsed(),
        }
    }

    /// The run ended before any answer could be checked.
    fn failed(&mut self, subject: &str, why: String, started: std::time::Instant) {
        self.checks.push(crate::expect::Check::status(
            subject,
            self.status,
            Err(why),
            String::new(),
            started.elapsed(),
        ));
    }
}

/// The session of a run: connected and bound, or the exit status to end with (reported).
async fn bound_session(
    conn: &ConnectArgs,
    params: &crate::session::BindParams,
    plan: &SendPlan,
    out: &OutHandle,
    expect: &mut SendExpect<'_>,
) -> Result<crate::session::Session<Box<dyn crate::session::conn::Stream>>, Exit> {
    let started = std::time::Instant::now();
    let mut session = match by_deadline(plan, connect::open(conn, out)).await {
        Ok(s) => s,
        Err(e) => {
            expect.failed("connect", e.to_string(), started);
            return Err(out.with(|o| o.failure(&e)));
        }
    };
    let (bind, rtt) = match by_deadline(plan, session.bind(params)).await {
        Ok(r) => r,
        Err(e) => {
            expect.failed("bind", e.to_string(), started);
            let exit = out.with(|o| o.failure(&e));
            if matches!(e, SessionError::Interrupted | SessionError::Timeout { .. }) {
                connect::unbind_briefly(&mut session).await;
            }
            return Err(exit);
        }
    };
    let st = bind.command_status;
    if st == 0 {
        expect.checks.push(crate::expect::Check::status(
            crate::spec::commands::name_of(params.mode.command_id()),
            0,
            Ok(0),
            String::new(),
            rtt,
        ));
        return Ok(session);
    }
    expect.failed(
        "bind",
        format!("the bind refused: {}", crate::expect::status_label(st)),
        started,
    );
    out.with(|o| {
        let name = status::explain(st).name;
        if o.is_json() {
            let shown = expect.final_exit(Exit::SmppError);
            o.json_line(&json!({"event": "summary", "command": "send",
                "ok": shown == Exit::Success, "bind_status": st, "status_name": name,
                "exit_code": shown.code()}));
        } else {
            let l = o.paint(Role::Error, &format!("✗ bind refused: {name} (0x{st:08X})"));
            o.line(&format!("\n{l}"));
            o.explain(st);
            if st == crate::spec::ids::status::ESME_RALYBND {
                o.line(&connect::already_bound_advice(&params.system_id));
            }
        }
    });
    session.shutdown().await;
    Err(Exit::SmppError)
}

async fn body_async(
    conn: &ConnectArgs,
    params: &crate::session::BindParams,
    plan: &SendPlan,
    what: &str,
    out: &OutHandle,
    mut expect: SendExpect<'_>,
) -> Exit {
    let started = std::time::Instant::now();
    let mut session = match bound_session(conn, params, plan, out, &mut expect).await {
        Ok(s) => s,
        Err(exit) => return exit,
    };
    let total = plan.count.saturating_mul(plan.parts.len() as u64);
    let bar = progress_bar(total, out);
    let result = engine::run(&mut session, plan, &mut |s: &Summary| {
        if let Some(b) = &bar {
            b.set_position(s.accepted + s.failed + s.timed_out);
            if let Some(r) = s.rate {
                b.set_message(format!("at {r:.0}/s"));
            }
        }
    })
    .await;
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    let command = plan
        .parts
        .first()
        .and_then(|p| crate::codec::Header::parse(p))
        .map_or_else(
            || "submit_sm".to_string(),
            |h| crate::spec::commands::name_of(h.command_id),
        );
    let outcome = match result {
        Ok(o) => o,
        Err(f) => {
            expect.record(&command, &f.outcome, plan, started);
            let evidence = f.error.received().map(super::report::dump_bytes);
            expect.checks.push(crate::expect::Check {
                subject: "the send run".into(),
                expected: "a complete run".into(),
                got: f.error.to_string(),
                met: false,
                detail: evidence.unwrap_or_default(),
                time: started.elapsed(),
            });
            let exit = out.with(|o| o.failure(&f.error));
            if matches!(
                f.error,
                SessionError::Interrupted
                    | SessionError::Timeout { .. }
                    | SessionError::ResponseTimeout { .. }
                    | SessionError::WrongResponse { .. }
            ) {
                connect::unbind_briefly(&mut session).await;
            }
            let shown = expect.final_exit(exit);
            out.with(|o| print_summary(o, &f.outcome, plan, what, (exit, shown)));
            return exit;
        }
    };
    expect.record(&command, &outcome, plan, started);
    let unbind = session.unbind(Duration::from_millis(500)).await;
    // Unanswered requests are reported by their one line; the SMSC's refusals (exit 1) still
    // come first in the exit code, as for every session command.
    let unanswered = unanswered_error(&outcome, &session).map(|e| out.with(|o| o.failure(&e)));
    let mut exit = if outcome.summary.failed > 0 {
        Exit::SmppError
    } else if let Some(e) = unanswered {
        e
    } else if plan.wait_receipts.is_some() && !outcome.all_delivered() {
        Exit::Receipt
    } else if outcome.summary.malformed > 0 {
        Exit::Malformed
    } else {
        Exit::Success
    };
    if let Err(e) = &unbind {
        let e2 = out.with(|o| o.failure(e));
        if exit == Exit::Success {
            exit = e2;
        }
    }
    let shown = expect.final_exit(exit);
    out.with(|o| print_summary(o, &outcome, plan, what, (exit, shown)));
    exit
}

/// The failure of a run that reached its end with requests never answered.
fn unanswered_error<S>(
    outcome: &SendOutcome,
    session: &crate::session::Session<S>,
) -> Option<SessionError>
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    let first = outcome.first_unanswered?;
    Some(SessionError::Unanswered {
        count: outcome.summary.timed_out,
        command: crate::spec::commands::name_of(first.command_id),
        after: session.response_timeout(),
        first: first.sequence,
    })
}

fn progress_bar(total: u64, out: &OutHandle) -> Option<indicatif::ProgressBar> {
    let quiet = out.with(|o| !o.verbose());
    if total < 1000 || !quiet || !std::io::stderr().is_terminal() {
        return None;
    }
    let b = indicatif::ProgressBar::with_draw_target(
        Some(total),
        indicatif::ProgressDrawTarget::stderr_with_hz(5),
    );
    b.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} {per_sec} {msg} eta {eta}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    Some(b)
}

fn ms(d: Duration) -> f64 {
    (d.as_secs_f64() * 1_000_000.0).round() / 1000.0
}

/// The summary; `exit` is the run's own status (the text verdict), `shown` the process's (the
/// JSON `ok` and `exit_code`: with expectations, whether they were met).
fn print_summary(
    o: &mut connect::Out,
    out: &SendOutcome,
    plan: &SendPlan,
    what: &str,
    (exit, shown): (Exit, Exit),
) {
    let s = &out.summary;
    let rejected: serde_json::Map<String, serde_json::Value> = s
        .rejected
        .iter()
        .map(|(k, v)| (status::explain(*k).name.to_string(), json!(v)))
        .collect();
    if o.is_json() {
        let receipts: Vec<_> = out
            .receipts
            .iter()
            .map(|r| json!({"message_id": r.message_id, "state": r.state}))
            .collect();
        o.json_line(&json!({
            "event": "summary", "command": "send", "ok": shown == Exit::Success,
            "exit_code": shown.code(),
            "messages": plan.count, "parts_per_round": plan.parts.len(),
            "sent": s.sent, "accepted": s.accepted, "rejected": rejected,
            "unanswered": s.unanswered(), "timed_out": s.timed_out, "late": s.late,
            "retries": s.retries, "failed": s.failed,
            "elapsed_s": s.elapsed.as_secs_f64(), "throughput": s.throughput(),
            "send_span_s": s.send_span.as_secs_f64(), "send_rate": s.send_rate(),
            "latency_ms": {"p50": ms(s.latency.quantile(0.5)), "p99": ms(s.latency.quantile(0.99)),
                           "max": ms(s.latency.max())},
            "message_ids": out.message_ids,
            "receipts": s.receipts, "receipts_missing": s.receipts_missing,
            "receipt_results": receipts,
            "malformed": s.malformed,
        }));
        return;
    }
    o.line("");
    o.line(&o.paint(Role::Heading, "summary"));
    // Every line fits 80 columns: the counts on a line of their own.
    o.line(&format!("  messages {} ({what})", plan.count));
    let unanswered = match (s.unanswered(), s.late) {
        (0, _) => String::new(),
        (n, 0) => format!(", unanswered {n}"),
        (n, late) => format!(", unanswered {n} ({late} answered late)"),
    };
    o.line(&format!(
        "  sent {}, accepted {}, rejected {}{unanswered}, retries {}, failed {}",
        s.sent,
        s.accepted,
        s.rejected_total(),
        s.retries,
        s.failed
    ));
    for (st, n) in &s.rejected {
        o.line(&format!("    {} × {n}", status::explain(*st).name));
    }
    o.line(&format!(
        "  throughput {:.1} msg/s over {}",
        s.throughput(),
        fmt_dur(s.elapsed)
    ));
    o.line(&format!(
        "  latency p50 {}, p99 {}, max {}",
        fmt_dur(s.latency.quantile(0.5)),
        fmt_dur(s.latency.quantile(0.99)),
        fmt_dur(s.latency.max())
    ));
    if s.sent >= 2 {
        o.line(&format!(
            "  sent at {:.1} msg/s (first to last submission, over {})",
            s.send_rate(),
            fmt_dur(s.send_span)
        ));
    }
    if plan.count == 1 && !out.message_ids.is_empty() {
        o.line(&format!(
            "  message id{}: {}",
            if out.message_ids.len() > 1 { "s" } else { "" },
            out.message_ids.join(", ")
        ));
    }
    if plan.wait_receipts.is_some() {
        let states: Vec<String> = s.receipts.iter().map(|(k, v)| format!("{k} {v}")).collect();
        o.line(&format!(
            "  receipts: {}{}",
            if states.is_empty() {
                "none".to_string()
            } else {
                states.join(", ")
            },
            if s.receipts_missing > 0 {
                format!(", {} missing", s.receipts_missing)
            } else {
                String::new()
            }
        ));
    }
    if s.malformed > 0 {
        o.line(&format!(
            "  {} malformed PDU(s) from the SMSC (see the dumps)",
            s.malformed
        ));
    }
    // The explanations of the rejections come after the figures, before the verdict.
    if o.mode == connect::Mode::Quiet {
        for st in s.rejected.keys() {
            o.explain(*st);
        }
    }
    let verdict = match exit {
        Exit::Success => o.paint(Role::Good, "✓ all accepted"),
        Exit::Receipt => o.paint(Role::Error, "✗ receipt missing or not delivered"),
        Exit::SmppError => o.paint(Role::Error, "✗ the SMSC rejected messages"),
        Exit::Interrupted => o.paint(Role::Error, "✗ interrupted (partial summary)"),
        _ => o.paint(Role::Error, "✗ failed"),
    };
    o.line(&verdict);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ton_npi_from_shape() {
        assert_eq!(
            auto_ton_npi("+4915112345678"),
            (1, 1, "4915112345678".into())
        );
        assert_eq!(
            auto_ton_npi("4915112345678"),
            (1, 1, "4915112345678".into())
        );
        assert_eq!(auto_ton_npi("12345"), (0, 1, "12345".into()));
        assert_eq!(auto_ton_npi("ACME"), (5, 0, "ACME".into()));
        assert_eq!(auto_ton_npi(""), (0, 0, String::new()));
    }

    #[test]
    fn tlv_argument() {
        assert_eq!(parse_tlv("0x1400:u16:258").unwrap(), (0x1400, vec![1, 2]));
        assert_eq!(
            parse_tlv("user_message_reference:u16:7").unwrap().1,
            vec![0, 7]
        );
        assert_eq!(parse_tlv("0x3000:cstr:ab").unwrap().1, b"ab\0".to_vec());
        assert_eq!(parse_tlv("0x3000:hex:0A0B").unwrap().1, vec![10, 11]);
        assert!(parse_tlv("0x1400:u8:300").is_err());
        assert!(parse_tlv("nope:u8:1").is_err());
        assert!(parse_tlv("0x1400:u8").is_err());
    }
}
