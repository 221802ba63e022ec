//! Known sender mistakes. When the strict reading of a message PDU fails, the bytes are read again
//! under each combination of the mistakes seen in the wild (a NULL time written as four zero
//! octets, sm_length written on two octets, missing one-octet fields). A combination that explains
//! every byte, with nothing else wrong, is reported as what the sender most likely did, together
//! with the PDU as it should have been.

use crate::spec::commands::{self, FieldKind};

use super::decode::{decode_variant, DecodeOptions, Decoded, DecodedAttempt, Variant};
use super::span::{Diagnostic, Severity};

/// Try the known mistakes; the best fitting reading, or `None`.
pub(crate) fn try_repairs(
    bytes: &[u8],
    opts: DecodeOptions,
    strict: &DecodedAttempt,
) -> Option<Decoded> {
    let h = strict.0.header?;
    let def = commands::lookup(h.command_id)?;
    if !def.body.iter().any(|f| f.kind == FieldKind::SmLength) {
        return None;
    }
    // Nothing to repair when only the header length is off.
    if strict.0.other_errors <= strict_len_errors(strict) {
        return None;
    }
    let mut best: Option<DecodedAttempt> = None;
    let mut others: Vec<Variant> = Vec::new();
    for time4 in [false, true] {
        for smlen16 in [false, true] {
            for missing in 0..=2u8 {
                let v = Variant {
                    time4,
                    smlen16,
                    missing,
                };
                if v == Variant::default() {
                    continue;
                }
                let a = decode_variant(bytes, opts, v);
                let fits = a.0.other_errors == strict_len_errors(&a)
                    && !a.0.truncated
                    && a.0.pos == a.0.end
                    && !a.0.repairs.is_empty();
                // a "fit" that ends in TLVs would be guesswork: require the message to end the PDU.
                let ends_in_message = a.0.pdu.tlvs.is_empty();
                if fits && ends_in_message {
                    if best
                        .as_ref()
                        .is_none_or(|b| a.0.repairs.len() < b.0.repairs.len())
                    {
                        if let Some(b) = best.take() {
                            others.push(b.0.variant);
                        }
                        best = Some(a);
                    } else {
                        others.push(v);
                    }
                }
            }
        }
    }
    let best = best?;
    let pdu = best.0.pdu.clone();
    let n = best.0.repairs.len();
    let fixed = pdu.encode().ok();
    let mut d = best.into_decoded(bytes);
    let mut msg = format!(
        "the bytes do not follow the {} layout, but they fit it exactly once {} sender mistake{} (below) are allowed for",
        def.name,
        n,
        if n == 1 { "" } else { "s" }
    );
    if let Some(f) = &fixed {
        msg.push_str(&format!(
            "; written correctly this PDU is {} octets",
            f.len()
        ));
    }
    d.diagnostics.insert(
        0,
        Diagnostic {
            offset: 0,
            severity: Severity::Info,
            message: msg,
            hint: fixed
                .as_ref()
                .map(|f| format!("Corrected PDU: {}", hex::encode_upper(f))),
        },
    );
    for v in others {
        d.diagnostics.insert(
            1,
            Diagnostic {
                offset: 0,
                severity: Severity::Info,
                message: format!(
                    "another reading fits the bytes too, with more mistakes: {}",
                    describe(v)
                ),
                hint: None,
            },
        );
    }
    d.repaired = fixed;
    Some(d)
}

/// Errors that come from the header's command_length disagreeing with the bytes.
fn strict_len_errors(a: &DecodedAttempt) -> usize {
    a.0.diags
        .iter()
        .filter(|x| x.severity == Severity::Error && x.message.starts_with("command_length says"))
        .count()
}

/// A short description of a combination of mistakes.
fn describe(v: Variant) -> String {
    let mut parts = Vec::new();
    if v.time4 {
        parts.push("NULL times written as four zero octets");
    }
    match v.missing {
        1 => parts.push("data_coding missing"),
        2 => parts.push("registered_delivery and data_coding missing"),
        _ => {}
    }
    if v.smlen16 {
        parts.push("sm_length written on two octets");
    }
    parts.join(", ")
}
