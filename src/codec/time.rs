//! SMPP time strings (SMPP 3.4 section 7.1.1; 5.0 uses the same format): parse, describe, encode.
//!
//! A time field is either empty (NULL: "not set", whose meaning depends on the field) or exactly
//! 16 characters `YYMMDDhhmmsstnnp`:
//! - absolute: `p` is `+` or `-`, `t` tenths of a second, `nn` the offset from UTC in quarter
//!   hours (00-48), local time ahead (`+`) or behind (`-`) UTC;
//! - relative: `p` is `R`, `tnn` must be `000`, the other digits are a period (years, months,
//!   days, hours, minutes, seconds) from now.
//!
//! `YY` 00-99 is read as 2000-2099. Errors say what is wrong and where; positions in messages are
//! 1-based characters, `offset` fields are 0-based so the decoder can add the field's offset.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Length of a non-NULL time string (without its NUL).
pub const TIME_LEN: usize = 16;

/// A parsed SMPP time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmppTime {
    /// Empty string (NULL): the field is not set.
    Null,
    /// A point in time, in the local time of the sender with its offset from UTC.
    Absolute {
        /// Full year, 2000-2099.
        year: u16,
        /// 1-12.
        month: u8,
        /// 1-31 (checked against the month).
        day: u8,
        /// 0-23.
        hour: u8,
        /// 0-59.
        minute: u8,
        /// 0-59.
        second: u8,
        /// Tenths of a second, 0-9.
        tenths: u8,
        /// Offset of the local time from UTC in quarter hours, -48..=48.
        utc_offset_quarters: i8,
    },
    /// A period from now.
    Relative {
        /// 0-99.
        years: u8,
        /// 0-99.
        months: u8,
        /// 0-99.
        days: u8,
        /// 0-99.
        hours: u8,
        /// 0-99.
        minutes: u8,
        /// 0-99.
        seconds: u8,
    },
}

/// What is wrong with a time string.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimeError {
    /// Neither empty nor 16 characters.
    #[error("time string has {len} characters; it must be empty (NULL) or exactly 16 (YYMMDDhhmmsstnnp)")]
    WrongLength {
        /// Octets present.
        len: usize,
    },
    /// A character that should be a digit is not.
    #[error("character {} is {}, not a digit ({field})", .offset + 1, show(*.found))]
    NotDigit {
        /// 0-based position.
        offset: usize,
        /// The octet found.
        found: u8,
        /// The part of the string it belongs to, e.g. "month MM".
        field: &'static str,
    },
    /// The last character is not one of `+`, `-`, `R`.
    #[error("character 16 is {}, expected '+' or '-' (absolute time) or 'R' (relative time)", show(*.found))]
    BadKind {
        /// The octet found.
        found: u8,
    },
    /// A two-digit field outside its range.
    #[error("{field} is {value:02}, outside {min:02}-{max:02} (characters {}-{})", .offset + 1, .offset + 2)]
    OutOfRange {
        /// The field, e.g. "month MM".
        field: &'static str,
        /// The value found.
        value: u8,
        /// Smallest allowed.
        min: u8,
        /// Largest allowed.
        max: u8,
        /// 0-based position of the first digit.
        offset: usize,
    },
    /// A day that the month does not have.
    #[error("day {day:02} does not exist in {year}-{month:02} (characters 5-6)")]
    NoSuchDay {
        /// Full year.
        year: u16,
        /// Month 1-12.
        month: u8,
        /// The day found.
        day: u8,
    },
    /// A relative time whose `tnn` is not `000`.
    #[error("relative time ('R') must have \"000\" at characters 13-15 (tenths and UTC offset), found \"{found}\"")]
    RelativeNotZero {
        /// The three characters found.
        found: String,
    },
    /// Encoding: a year that YY cannot express.
    #[error("year {year} cannot be written as an SMPP time (YY covers 2000-2099)")]
    YearNotRepresentable {
        /// The year.
        year: i64,
    },
}

fn show(b: u8) -> String {
    if b.is_ascii_graphic() || b == b' ' {
        format!("'{}'", b as char)
    } else {
        format!("0x{b:02X}")
    }
}

/// Field names by position of their first digit.
const FIELDS: [&str; 6] = [
    "year YY",
    "month MM",
    "day DD",
    "hour hh",
    "minute mm",
    "second ss",
];

fn two_digits(b: &[u8], offset: usize, field: &'static str) -> Result<u8, TimeError> {
    let d = |i: usize| -> Result<u8, TimeError> {
        let c = b.get(i).copied().unwrap_or(0);
        if c.is_ascii_digit() {
            Ok(c - b'0')
        } else {
            Err(TimeError::NotDigit {
                offset: i,
                found: c,
                field,
            })
        }
    };
    Ok(d(offset)? * 10 + d(offset + 1)?)
}

fn check(field: &'static str, value: u8, min: u8, max: u8, offset: usize) -> Result<u8, TimeError> {
    if (min..=max).contains(&value) {
        Ok(value)
    } else {
        Err(TimeError::OutOfRange {
            field,
            value,
            min,
            max,
            offset,
        })
    }
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: u8) -> u8 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Parse a time string (without its NUL). See [`parse_bytes`].
pub fn parse(s: &str) -> Result<SmppTime, TimeError> {
    parse_bytes(s.as_bytes())
}

/// Parse the octets of a time field (without its NUL): empty gives [`SmppTime::Null`].
pub fn parse_bytes(b: &[u8]) -> Result<SmppTime, TimeError> {
    if b.is_empty() {
        return Ok(SmppTime::Null);
    }
    if b.len() != TIME_LEN {
        return Err(TimeError::WrongLength { len: b.len() });
    }
    // Report the first non-digit among the 12 date/time digits before judging the kind octet.
    let mut v = [0u8; 6];
    for (i, (slot, field)) in v.iter_mut().zip(FIELDS).enumerate() {
        *slot = two_digits(b, i * 2, field)?;
    }
    let kind = b.get(15).copied().unwrap_or(0);
    let [yy, mo, dd, hh, mi, ss] = v;
    match kind {
        b'R' => {
            let tnn = b.get(12..15).unwrap_or_default();
            if tnn != b"000" {
                return Err(TimeError::RelativeNotZero {
                    found: String::from_utf8_lossy(tnn).into_owned(),
                });
            }
            Ok(SmppTime::Relative {
                years: yy,
                months: mo,
                days: dd,
                hours: hh,
                minutes: mi,
                seconds: ss,
            })
        }
        b'+' | b'-' => {
            // Checked in the order of the characters, so the first problem is reported.
            let year = 2000 + u16::from(yy);
            let month = check("month MM", mo, 1, 12, 2)?;
            let day = check("day DD", dd, 1, 31, 4)?;
            if day > days_in_month(i64::from(year), month) {
                return Err(TimeError::NoSuchDay { year, month, day });
            }
            let hour = check("hour hh", hh, 0, 23, 6)?;
            let minute = check("minute mm", mi, 0, 59, 8)?;
            let second = check("second ss", ss, 0, 59, 10)?;
            let t = b.get(12).copied().unwrap_or(0);
            if !t.is_ascii_digit() {
                return Err(TimeError::NotDigit {
                    offset: 12,
                    found: t,
                    field: "tenths t",
                });
            }
            let nn = two_digits(b, 13, "UTC offset nn")?;
            let nn = check("UTC offset nn (quarter hours)", nn, 0, 48, 13)?;
            let sign: i8 = if kind == b'-' { -1 } else { 1 };
            Ok(SmppTime::Absolute {
                year,
                month,
                day,
                hour,
                minute,
                second,
                tenths: t - b'0',
                utc_offset_quarters: sign * nn as i8,
            })
        }
        other => Err(TimeError::BadKind { found: other }),
    }
}

fn plural(n: u8, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

impl SmppTime {
    /// Human description: "2026-11-22 14:30:00.0 UTC+01:00", "relative: 1 day 2 h 30 min",
    /// "NULL (not set)".
    pub fn describe(&self) -> String {
        match *self {
            SmppTime::Null => "NULL (not set)".to_string(),
            SmppTime::Absolute {
                year,
                month,
                day,
                hour,
                minute,
                second,
                tenths,
                utc_offset_quarters: q,
            } => {
                let sign = if q < 0 { '-' } else { '+' };
                let m = u32::from(q.unsigned_abs()) * 15;
                format!(
                    "{year:04}-{month:02}-{day:02} {hour:02}:{minute:02}:{second:02}.{tenths} \
                     UTC{sign}{:02}:{:02}",
                    m / 60,
                    m % 60
                )
            }
            SmppTime::Relative {
                years,
                months,
                days,
                hours,
                minutes,
                seconds,
            } => {
                let parts: Vec<String> = [
                    (years, plural(years, "year", "years")),
                    (months, plural(months, "month", "months")),
                    (days, plural(days, "day", "days")),
                    (hours, format!("{hours} h")),
                    (minutes, format!("{minutes} min")),
                    (seconds, format!("{seconds} s")),
                ]
                .into_iter()
                .filter(|(n, _)| *n != 0)
                .map(|(_, s)| s)
                .collect();
                if parts.is_empty() {
                    "relative: 0 s (now)".to_string()
                } else {
                    format!("relative: {}", parts.join(" "))
                }
            }
        }
    }

    /// The 16-character string (empty for [`SmppTime::Null`]). Values are written as given;
    /// two-digit fields above 99 are written as 99 and an offset beyond ±48 as 48.
    pub fn encode(&self) -> String {
        match *self {
            SmppTime::Null => String::new(),
            SmppTime::Absolute {
                year,
                month,
                day,
                hour,
                minute,
                second,
                tenths,
                utc_offset_quarters: q,
            } => format!(
                "{:02}{:02}{:02}{:02}{:02}{:02}{}{:02}{}",
                year % 100,
                month.min(99),
                day.min(99),
                hour.min(99),
                minute.min(99),
                second.min(99),
                tenths.min(9),
                q.unsigned_abs().min(48),
                if q < 0 { '-' } else { '+' }
            ),
            SmppTime::Relative {
                years,
                months,
                days,
                hours,
                minutes,
                seconds,
            } => format!(
                "{:02}{:02}{:02}{:02}{:02}{:02}000R",
                years.min(99),
                months.min(99),
                days.min(99),
                hours.min(99),
                minutes.min(99),
                seconds.min(99)
            ),
        }
    }

    /// A relative time as a duration, counting a month as 30 days and a year as 365 days (the
    /// SMSC's own calendar may differ). `None` unless relative.
    pub fn approx_duration(&self) -> Option<Duration> {
        match *self {
            SmppTime::Relative {
                years,
                months,
                days,
                hours,
                minutes,
                seconds,
            } => {
                let days = u64::from(years) * 365 + u64::from(months) * 30 + u64::from(days);
                let secs = days * 86_400
                    + u64::from(hours) * 3_600
                    + u64::from(minutes) * 60
                    + u64::from(seconds);
                Some(Duration::from_secs(secs))
            }
            _ => None,
        }
    }

    /// An absolute time as a point in time (tenths included). `None` unless absolute.
    pub fn to_system_time(&self) -> Option<SystemTime> {
        match *self {
            SmppTime::Absolute {
                year,
                month,
                day,
                hour,
                minute,
                second,
                tenths,
                utc_offset_quarters,
            } => {
                let days = days_from_civil(i64::from(year), month, day);
                let local = days * 86_400
                    + i64::from(hour) * 3_600
                    + i64::from(minute) * 60
                    + i64::from(second);
                let utc = local - i64::from(utc_offset_quarters) * 900;
                let secs = u64::try_from(utc).ok()?;
                Some(
                    UNIX_EPOCH
                        + Duration::from_secs(secs)
                        + Duration::from_millis(u64::from(tenths) * 100),
                )
            }
            _ => None,
        }
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(year: i64, month: u8, day: u8) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date (year, month, day) of a day count since 1970-01-01.
pub(crate) fn civil_from_days(z: i64) -> (i64, u8, u8) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Encode a period as a relative time string (`YYMMDDhhmmss000R`), e.g. 1 h → `000000010000000R`.
///
/// Sub-second parts are dropped. Up to 99 days 23:59:59 the encoding is exact (days, hours,
/// minutes, seconds); longer periods use years of 365 days and months of 30 days, capped at 99
/// years.
pub fn format_relative(d: Duration) -> String {
    let total = d.as_secs();
    let seconds = (total % 60) as u8;
    let minutes = (total / 60 % 60) as u8;
    let hours = (total / 3_600 % 24) as u8;
    let mut days = total / 86_400;
    let (mut years, mut months) = (0u64, 0u64);
    if days > 99 {
        years = days / 365;
        days %= 365;
        months = days / 30;
        days %= 30;
    }
    if years > 99 {
        return SmppTime::Relative {
            years: 99,
            months: 11,
            days: 29,
            hours: 23,
            minutes: 59,
            seconds: 59,
        }
        .encode();
    }
    SmppTime::Relative {
        years: years as u8,
        months: months as u8,
        days: days as u8,
        hours,
        minutes,
        seconds,
    }
    .encode()
}

/// Encode a point in time as an absolute time string in the local time `utc_offset_quarters`
/// quarter hours from UTC (clamped to ±48), e.g. `261122143000004+`.
pub fn format_absolute(t: SystemTime, utc_offset_quarters: i8) -> Result<String, TimeError> {
    let q = utc_offset_quarters.clamp(-48, 48);
    let (secs, tenths) = match t.duration_since(UNIX_EPOCH) {
        Ok(d) => (d.as_secs() as i64, (d.subsec_millis() / 100) as u8),
        Err(e) => {
            let d = e.duration();
            let mut s = -(d.as_secs() as i64);
            let mut ms = d.subsec_millis();
            if ms > 0 {
                s -= 1;
                ms = 1000 - ms;
            }
            (s, (ms / 100) as u8)
        }
    };
    let local = secs + i64::from(q) * 900;
    let (year, month, day) = civil_from_days(local.div_euclid(86_400));
    if !(2000..=2099).contains(&year) {
        return Err(TimeError::YearNotRepresentable { year });
    }
    let sod = local.rem_euclid(86_400);
    Ok(SmppTime::Absolute {
        year: year as u16,
        month,
        day,
        hour: (sod / 3_600) as u8,
        minute: (sod / 60 % 60) as u8,
        second: (sod % 60) as u8,
        tenths,
        utc_offset_quarters: q,
    }
    .encode())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn err(s: &str) -> String {
        parse(s)
            .map(|t| format!("{t:?}"))
            .unwrap_or_else(|e| e.to_string())
    }

    #[test]
    fn absolute_parses() {
        let t = parse("261122143000004+").expect("valid");
        assert_eq!(
            t,
            SmppTime::Absolute {
                year: 2026,
                month: 11,
                day: 22,
                hour: 14,
                minute: 30,
                second: 0,
                tenths: 0,
                utc_offset_quarters: 4,
            }
        );
        assert_eq!(t.describe(), "2026-11-22 14:30:00.0 UTC+01:00");
        assert_eq!(
            parse("990101000000718-").map(|t| t.describe()),
            Ok("2099-01-01 00:00:00.7 UTC-04:30".to_string())
        );
        assert_eq!(
            parse("240229235959948+").map(|t| t.describe()),
            Ok("2024-02-29 23:59:59.9 UTC+12:00".to_string())
        );
        assert_eq!(
            parse("000101000000000-").map(|t| t.describe()),
            Ok("2000-01-01 00:00:00.0 UTC+00:00".to_string())
        );
    }

    #[test]
    fn relative_parses() {
        let t = parse("000001023000000R").expect("valid");
        assert_eq!(
            t,
            SmppTime::Relative {
                years: 0,
                months: 0,
                days: 1,
                hours: 2,
                minutes: 30,
                seconds: 0
            }
        );
        assert_eq!(t.describe(), "relative: 1 day 2 h 30 min");
        assert_eq!(
            t.approx_duration(),
            Some(Duration::from_secs(86_400 + 9_000))
        );
        assert_eq!(
            parse("010200000005000R").map(|t| t.describe()),
            Ok("relative: 1 year 2 months 5 s".to_string())
        );
        assert_eq!(
            parse("000000000000000R").map(|t| t.describe()),
            Ok("relative: 0 s (now)".to_string())
        );
        // Relative fields are periods, not clock values: 48 hours is accepted.
        assert_eq!(
            parse("000000480000000R").map(|t| t.describe()),
            Ok("relative: 48 h".to_string())
        );
    }

    #[test]
    fn null_parses() {
        assert_eq!(parse(""), Ok(SmppTime::Null));
        assert_eq!(SmppTime::Null.describe(), "NULL (not set)");
        assert_eq!(SmppTime::Null.encode(), "");
    }

    #[test]
    fn errors_are_exact() {
        let cases: &[(&str, &str)] = &[
            ("2611221430000", "time string has 13 characters; it must be empty (NULL) or exactly 16 (YYMMDDhhmmsstnnp)"),
            ("261122143000004+0", "time string has 17 characters; it must be empty (NULL) or exactly 16 (YYMMDDhhmmsstnnp)"),
            ("26x122143000004+", "character 3 is 'x', not a digit (month MM)"),
            ("2611 2143000004+", "character 5 is ' ', not a digit (day DD)"),
            ("2611221430\u{0}0004+", "character 11 is 0x00, not a digit (second ss)"),
            ("261122143000004X", "character 16 is 'X', expected '+' or '-' (absolute time) or 'R' (relative time)"),
            ("261322143000004+", "month MM is 13, outside 01-12 (characters 3-4)"),
            ("260022143000004+", "month MM is 00, outside 01-12 (characters 3-4)"),
            ("261100143000004+", "day DD is 00, outside 01-31 (characters 5-6)"),
            ("261132143000004+", "day DD is 32, outside 01-31 (characters 5-6)"),
            ("260230143000004+", "day 30 does not exist in 2026-02 (characters 5-6)"),
            ("250229000000000+", "day 29 does not exist in 2025-02 (characters 5-6)"),
            ("261122243000004+", "hour hh is 24, outside 00-23 (characters 7-8)"),
            ("261122146000004+", "minute mm is 60, outside 00-59 (characters 9-10)"),
            ("261122143060004+", "second ss is 60, outside 00-59 (characters 11-12)"),
            ("26112214300004 +", "character 15 is ' ', not a digit (UTC offset nn)"),
            ("261122143000a04+", "character 13 is 'a', not a digit (tenths t)"),
            ("261122143000049+", "UTC offset nn (quarter hours) is 49, outside 00-48 (characters 14-15)"),
            ("000001000000100R", "relative time ('R') must have \"000\" at characters 13-15 (tenths and UTC offset), found \"100\""),
            ("000001000000004R", "relative time ('R') must have \"000\" at characters 13-15 (tenths and UTC offset), found \"004\""),
        ];
        for (input, want) in cases {
            assert_eq!(&err(input), want, "input {input:?}");
        }
    }

    #[test]
    fn not_digit_offset_is_zero_based() {
        assert_eq!(
            parse("26x122143000004+"),
            Err(TimeError::NotDigit {
                offset: 2,
                found: b'x',
                field: "month MM"
            })
        );
        assert_eq!(
            parse_bytes(b"\x00\x00\x00\x00"),
            Err(TimeError::WrongLength { len: 4 })
        );
    }

    #[test]
    fn relative_encoding() {
        assert_eq!(
            format_relative(Duration::from_secs(3_600)),
            "000000010000000R"
        );
        assert_eq!(format_relative(Duration::from_secs(90)), "000000000130000R");
        assert_eq!(
            format_relative(Duration::from_secs(2 * 86_400 + 61)),
            "000002000101000R"
        );
        assert_eq!(
            format_relative(Duration::from_secs(99 * 86_400)),
            "000099000000000R"
        );
        // 400 days: 1 year (365 d) + 1 month (30 d) + 5 days.
        assert_eq!(
            format_relative(Duration::from_secs(400 * 86_400)),
            "010105000000000R"
        );
        assert_eq!(
            format_relative(Duration::from_secs(u64::MAX)),
            "991129235959000R"
        );
        assert_eq!(
            format_relative(Duration::from_millis(999)),
            "000000000000000R"
        );
    }

    #[test]
    fn absolute_encoding() {
        // 2026-11-22 13:30:00 UTC, written in UTC+01:00.
        let t = UNIX_EPOCH + Duration::from_secs(1_795_354_200);
        assert_eq!(format_absolute(t, 4), Ok("261122143000004+".to_string()));
        assert_eq!(format_absolute(t, 0), Ok("261122133000000+".to_string()));
        assert_eq!(format_absolute(t, -20), Ok("261122083000020-".to_string()));
        assert_eq!(
            format_absolute(UNIX_EPOCH, 0),
            Err(TimeError::YearNotRepresentable { year: 1970 })
        );
        assert_eq!(
            TimeError::YearNotRepresentable { year: 1970 }.to_string(),
            "year 1970 cannot be written as an SMPP time (YY covers 2000-2099)"
        );
        let back = parse("261122143000004+")
            .ok()
            .and_then(|p| p.to_system_time());
        assert_eq!(back, Some(t));
    }

    #[test]
    fn civil_round_trip() {
        for z in [-719_468i64, -1, 0, 10_956, 11_016, 19_782, 47_481, 100_000] {
            let (y, m, d) = civil_from_days(z);
            assert_eq!(days_from_civil(y, m, d), z);
        }
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(19_782), (2024, 2, 29));
    }

    fn absolute() -> impl Strategy<Value = SmppTime> {
        (
            2000u16..=2099,
            1u8..=12,
            1u8..=31,
            0u8..=23,
            0u8..=59,
            0u8..=59,
            0u8..=9,
            -48i8..=48,
        )
            .prop_map(|(year, month, day, hour, minute, second, tenths, q)| {
                SmppTime::Absolute {
                    year,
                    month,
                    day: day.min(days_in_month(i64::from(year), month)),
                    hour,
                    minute,
                    second,
                    tenths,
                    utc_offset_quarters: q,
                }
            })
    }

    proptest! {
        #[test]
        fn absolute_round_trip(t in absolute()) {
            let s = t.encode();
            prop_assert_eq!(s.len(), 16);
            let back = parse(&s);
            // +00 and -00 both mean UTC; the parse gives 0 either way.
            prop_assert_eq!(back, Ok(t));
        }

        #[test]
        fn relative_fields_round_trip(f in prop::array::uniform6(0u8..=99)) {
            let t = SmppTime::Relative {
                years: f[0], months: f[1], days: f[2], hours: f[3], minutes: f[4], seconds: f[5],
            };
            prop_assert_eq!(parse(&t.encode()), Ok(t));
        }

        #[test]
        fn format_relative_round_trip(secs in 0u64..100 * 86_400) {
            let s = format_relative(Duration::from_secs(secs));
            prop_assert_eq!(s.len(), 16);
            let t = parse(&s).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(t.approx_duration(), Some(Duration::from_secs(secs)));
        }

        #[test]
        fn format_relative_long_periods_parse(secs in any::<u64>()) {
            let s = format_relative(Duration::from_secs(secs));
            prop_assert!(matches!(parse(&s), Ok(SmppTime::Relative { .. })), "{}", s);
        }

        #[test]
        fn format_absolute_round_trip(
            secs in 946_684_800u64 + 2 * 86_400..4_102_444_800 - 2 * 86_400,
            tenths in 0u64..10,
            q in -48i8..=48,
        ) {
            let t = UNIX_EPOCH + Duration::from_millis(secs * 1000 + tenths * 100);
            let s = format_absolute(t, q).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let parsed = parse(&s).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(parsed.to_system_time(), Some(t));
        }

        #[test]
        fn parse_never_panics(s in "\\PC{0,20}") {
            let _ = parse(&s);
        }

        #[test]
        fn parse_bytes_never_panics(b in prop::collection::vec(any::<u8>(), 0..20)) {
            if let Ok(t) = parse_bytes(&b) {
                let _ = t.describe();
            }
        }
    }
}
