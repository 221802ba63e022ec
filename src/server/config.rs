//! The simulator's settings and the parsers of their command-line forms: accounts
//! (`ID:PW[:MAX_BINDS]`), fault rules (`CODE:every=N`), latency (`MS[:JITTER]`) and the receipt
//! state mix (`DELIVRD=90,UNDELIV=10`). Pure functions, no I/O.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use crate::codec::receipt::{stat_info, StatInfo};
use crate::spec::status;

/// A setting given on the command line could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// `--account` not of the form `ID:PASSWORD[:MAX_BINDS]`.
    #[error("account {0:?}: expected SYSTEM_ID:PASSWORD[:MAX_BINDS]")]
    Account(String),
    /// A command_status that is neither a number nor a known name.
    #[error("unknown command_status {0:?} (give a name such as ESME_RTHROTTLED or a value such as 0x58)")]
    Status(String),
    /// `--fail` not of the form `CODE:every=N|prob=P|after=N|first=N`.
    #[error(
        "fault rule {0:?}: expected CODE:every=N, CODE:prob=P (0..1), CODE:after=N or CODE:first=N"
    )]
    Fail(String),
    /// `--latency` not of the form `MS[:JITTER]`.
    #[error("latency {0:?}: expected MS or MS:JITTER (milliseconds, each at most 3600000)")]
    Latency(String),
    /// `--failed-bind` not `close` or `delay:MS`.
    #[error("failed-bind policy {0:?}: expected close or delay:MS (at most 3600000)")]
    FailedBind(String),
    /// `--dlr-state` not of the form `STAT=WEIGHT,...`.
    #[error("receipt state mix {0:?}: expected STAT=WEIGHT[,STAT=WEIGHT...] with final states such as DELIVRD, UNDELIV, EXPIRED, REJECTD")]
    DlrState(String),
}

/// One account the simulator accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// system_id.
    pub system_id: String,
    /// password.
    pub password: String,
    /// How many sessions may be bound with this system_id at once (`None`: no limit).
    pub max_binds: Option<u32>,
}

impl std::str::FromStr for Account {
    type Err = ConfigError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || ConfigError::Account(s.to_string());
        let mut it = s.splitn(3, ':');
        let id = it.next().filter(|v| !v.is_empty()).ok_or_else(err)?;
        let pw = it.next().ok_or_else(err)?;
        let max = match it.next() {
            None => None,
            Some(m) => Some(m.parse::<u32>().ok().filter(|&n| n > 0).ok_or_else(err)?),
        };
        Ok(Account {
            system_id: id.to_string(),
            password: pw.to_string(),
            max_binds: max,
        })
    }
}

/// Parse a command_status given by name (`ESME_RTHROTTLED`, `THROTTLED`) or value (`0x58`, `88`).
pub fn parse_status(s: &str) -> Result<u32, ConfigError> {
    status::parse_query(s).ok_or_else(|| ConfigError::Status(s.to_string()))
}

/// When a fault rule fires, counted over the submit_sm / data_sm requests the server has received
/// (all sessions together, starting at 1).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Trigger {
    /// Every Nth request (N, 2N, 3N ...).
    Every(u64),
    /// Each request with probability P (seeded RNG).
    Prob(f64),
    /// Every request after the first N.
    After(u64),
    /// The first N requests.
    First(u64),
}

/// A fault rule: answer with `status` when `trigger` fires.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FailRule {
    /// The command_status to answer with.
    pub status: u32,
    /// When.
    pub trigger: Trigger,
}

impl std::str::FromStr for FailRule {
    type Err = ConfigError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || ConfigError::Fail(s.to_string());
        let (code, rule) = s.rsplit_once(':').ok_or_else(err)?;
        let status = parse_status(code)?;
        let (kind, val) = rule.split_once('=').ok_or_else(err)?;
        let int = || val.trim().parse::<u64>().map_err(|_| err());
        let trigger = match kind.trim() {
            "every" => Trigger::Every(int()?.max(1)),
            "after" => Trigger::After(int()?),
            "first" => Trigger::First(int()?),
            "prob" => {
                let p = val.trim().parse::<f64>().map_err(|_| err())?;
                if !(0.0..=1.0).contains(&p) {
                    return Err(err());
                }
                Trigger::Prob(p)
            }
            _ => return Err(err()),
        };
        Ok(FailRule { status, trigger })
    }
}

impl std::fmt::Display for Trigger {
    /// The words of the command line: `every=10`, `prob=0.2`, `after=5`, `first=1`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Trigger::Every(k) => write!(f, "every={k}"),
            Trigger::Prob(p) => write!(f, "prob={p}"),
            Trigger::After(k) => write!(f, "after={k}"),
            Trigger::First(k) => write!(f, "first={k}"),
        }
    }
}

impl FailRule {
    /// Whether the rule fires for request number `n` (1-based); `roll` is a uniform draw in [0, 1).
    pub fn fires(&self, n: u64, roll: f64) -> bool {
        match self.trigger {
            Trigger::Every(k) => n % k == 0,
            Trigger::Prob(p) => roll < p,
            Trigger::After(k) => n > k,
            Trigger::First(k) => n <= k,
        }
    }
}

/// Response latency: a base delay plus a uniform jitter in `0..=jitter`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Latency {
    /// Base delay.
    pub base: Duration,
    /// Maximum extra delay.
    pub jitter: Duration,
}

/// The longest `--latency` (base or jitter): one hour.
pub const MAX_LATENCY_MS: u64 = 3_600_000;

impl std::str::FromStr for Latency {
    type Err = ConfigError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || ConfigError::Latency(s.to_string());
        let (b, j) = s.split_once(':').unwrap_or((s, "0"));
        let ms = |v: &str| {
            v.trim()
                .parse::<u64>()
                .ok()
                .filter(|ms| *ms <= MAX_LATENCY_MS)
                .ok_or_else(err)
        };
        Ok(Latency {
            base: Duration::from_millis(ms(b)?),
            jitter: Duration::from_millis(ms(j)?),
        })
    }
}

impl Latency {
    /// True when no delay is configured.
    pub fn is_zero(&self) -> bool {
        self.base.is_zero() && self.jitter.is_zero()
    }

    /// The delay for one response, `roll` being a uniform draw in [0, 1).
    pub fn delay(&self, roll: f64) -> Duration {
        self.base + self.jitter.mul_f64(roll.clamp(0.0, 1.0))
    }
}

/// The final states receipts report, with weights.
#[derive(Debug, Clone, PartialEq)]
pub struct DlrMix(pub Vec<(&'static StatInfo, u32)>);

impl Default for DlrMix {
    fn default() -> Self {
        DlrMix(
            stat_info("DELIVRD")
                .map(|s| vec![(s, 1)])
                .unwrap_or_default(),
        )
    }
}

impl std::str::FromStr for DlrMix {
    type Err = ConfigError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || ConfigError::DlrState(s.to_string());
        let mut v = Vec::new();
        for item in s.split(',').filter(|i| !i.trim().is_empty()) {
            let (name, w) = item.split_once('=').unwrap_or((item, "1"));
            let info = stat_info(name).ok_or_else(err)?;
            let w = w.trim().parse::<u32>().map_err(|_| err())?;
            v.push((info, w));
        }
        if v.is_empty() || v.iter().all(|(_, w)| *w == 0) {
            return Err(err());
        }
        Ok(DlrMix(v))
    }
}

impl DlrMix {
    /// Pick a state for a draw `roll` in [0, 1).
    pub fn pick(&self, roll: f64) -> Option<&'static StatInfo> {
        let total: u64 = self.0.iter().map(|(_, w)| u64::from(*w)).sum();
        if total == 0 {
            return None;
        }
        let mut target = (roll.clamp(0.0, 1.0) * total as f64) as u64;
        for (info, w) in &self.0 {
            let w = u64::from(*w);
            if target < w {
                return Some(info);
            }
            target -= w;
        }
        self.0.iter().rev().find(|(_, w)| *w > 0).map(|(i, _)| *i)
    }
}

/// How much the server prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OutputMode {
    /// One line per PDU.
    #[default]
    Lines,
    /// The annotated dump of every PDU and the explanation of every error status.
    Verbose,
    /// JSON Lines (one event per line).
    Json,
    /// Only the listening lines and the summary.
    Quiet,
}

/// Everything `serve` needs.
#[derive(Debug, Clone)]
pub struct Config {
    /// Plain TCP listen addresses.
    pub listen: Vec<SocketAddr>,
    /// TLS listen addresses (need `tls_cert` and `tls_key`).
    pub listen_tls: Vec<SocketAddr>,
    /// PEM certificate chain for TLS.
    pub tls_cert: Option<PathBuf>,
    /// PEM private key for TLS.
    pub tls_key: Option<PathBuf>,
    /// Accepted accounts.
    pub accounts: Vec<Account>,
    /// Accept every system_id / password.
    pub accept_any: bool,
    /// The system_id the server answers binds with.
    pub system_id: String,
    /// Submits per second allowed per system_id (`None`: unlimited).
    pub max_tps: Option<u32>,
    /// Fault rules, tried in order; the first that fires decides.
    pub fail: Vec<FailRule>,
    /// Answer every bind with this status.
    pub reject_bind: Option<u32>,
    /// Response latency.
    pub latency: Latency,
    /// Close the connection instead of answering the submit that follows the first N.
    pub drop_after: Option<u64>,
    /// Stop answering anything once N submits have been answered in a session.
    pub no_response_after: Option<u64>,
    /// RNG seed (fault probabilities, jitter, receipt states).
    pub seed: u64,
    /// Send no delivery receipts.
    pub no_dlr: bool,
    /// Delay before a receipt is sent.
    pub dlr_delay: Duration,
    /// Final state mix of receipts.
    pub dlr_mix: DlrMix,
    /// Receipts carry the receipted_message_id, message_state and (when not delivered)
    /// network_error_code TLVs besides the text.
    pub dlr_tlvs: bool,
    /// Mobile-originated messages to send to bound receivers / transceivers.
    pub mo: super::mo::MoPlan,
    /// Send enquire_link after a session has been idle this long (`None`: never).
    pub enquire_link: Option<Duration>,
    /// Stop after this long.
    pub max_seconds: Option<Duration>,
    /// Output mode.
    pub output: OutputMode,
    /// Colour in verbose dumps.
    pub color: bool,
    /// Show passwords in dumps.
    pub show_secrets: bool,
    /// How many messages the query/cancel/replace store keeps (oldest dropped first).
    pub store_max: usize,
    /// Capacity of each session's outgoing queue.
    pub out_queue: usize,
    /// Receipts kept for system_ids with no receiver bound, all together, at most.
    pub receipt_queue: usize,
    /// A connection that has not bound within this time is closed.
    pub bind_timeout: Duration,
    /// A bound session that sends nothing for this long gets an enquire_link, and is closed
    /// when that brings nothing back within [`IDLE_PROBE`] (at most the timeout); a client that reads nothing we
    /// write for this long is closed too. `None`: never.
    pub idle_timeout: Option<Duration>,
    /// Connections served at once at most; more are closed at once, with a log line.
    pub max_connections: usize,
    /// What follows a bind refused for its credentials.
    pub failed_bind: FailedBind,
}

/// How long an idle session has to answer the enquire_link of `--idle-timeout` (or the idle
/// timeout itself, when shorter).
pub const IDLE_PROBE: Duration = Duration::from_secs(5);

/// What the server does after refusing a bind for its system_id or password
/// (`--failed-bind close` or `delay:MS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailedBind {
    /// Close the connection after the bind response (what most SMSCs do).
    Close,
    /// Keep the connection, but read nothing more for this long.
    Delay(Duration),
}

impl std::str::FromStr for FailedBind {
    type Err = ConfigError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || ConfigError::FailedBind(s.to_string());
        match s.split_once(':') {
            None if s == "close" => Ok(FailedBind::Close),
            Some(("delay", ms)) => ms
                .trim()
                .parse::<u64>()
                .ok()
                .filter(|ms| *ms <= 3_600_000)
                .map(|ms| FailedBind::Delay(Duration::from_millis(ms)))
                .ok_or_else(err),
            _ => Err(err()),
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: vec![],
            listen_tls: vec![],
            tls_cert: None,
            tls_key: None,
            accounts: vec![],
            accept_any: false,
            system_id: "smppdiag".into(),
            max_tps: None,
            fail: vec![],
            reject_bind: None,
            latency: Latency::default(),
            drop_after: None,
            no_response_after: None,
            seed: 1,
            no_dlr: false,
            dlr_delay: Duration::from_millis(100),
            dlr_mix: DlrMix::default(),
            dlr_tlvs: true,
            mo: Default::default(),
            enquire_link: Some(Duration::from_secs(60)),
            max_seconds: None,
            output: OutputMode::Lines,
            color: false,
            show_secrets: false,
            store_max: 100_000,
            out_queue: 1024,
            receipt_queue: 100_000,
            bind_timeout: Duration::from_secs(10),
            idle_timeout: Some(Duration::from_secs(120)),
            max_connections: 10_000,
            failed_bind: FailedBind::Close,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accounts() {
        let a: Account = "alice:pw:2".parse().unwrap();
        assert_eq!(
            a,
            Account {
                system_id: "alice".into(),
                password: "pw".into(),
                max_binds: Some(2)
            }
        );
        let b: Account = "bob:".parse().unwrap();
        assert_eq!(b.password, "");
        assert_eq!(b.max_binds, None);
        // A password may contain ':' only when MAX_BINDS is given last... it may not; the third
        // part must be a number.
        assert!("x:y:z".parse::<Account>().is_err());
        assert!("nopassword".parse::<Account>().is_err());
        assert!(":pw".parse::<Account>().is_err());
        assert!("a:b:0".parse::<Account>().is_err());
    }

    #[test]
    fn fail_rules() {
        let r: FailRule = "ESME_RTHROTTLED:every=3".parse().unwrap();
        assert_eq!(r.status, 0x58);
        assert_eq!(r.trigger, Trigger::Every(3));
        assert_eq!(r.trigger.to_string(), "every=3");
        assert_eq!(
            (1..=7).map(|n| r.fires(n, 0.5)).collect::<Vec<_>>(),
            [false, false, true, false, false, true, false]
        );
        let r: FailRule = "0x14:first=2".parse().unwrap();
        assert_eq!(r.status, 0x14);
        assert!(r.fires(1, 0.9) && r.fires(2, 0.9) && !r.fires(3, 0.0));
        let r: FailRule = "msgqful:after=2".parse().unwrap();
        assert_eq!(r.status, 0x14);
        assert!(!r.fires(2, 0.0) && r.fires(3, 0.9));
        let r: FailRule = "88:prob=0.25".parse().unwrap();
        assert_eq!(r.status, 88);
        assert!(r.fires(1, 0.2) && !r.fires(1, 0.3));
        assert!("ESME_RNOPE:every=3".parse::<FailRule>().is_err());
        assert!("0x58:prob=1.5".parse::<FailRule>().is_err());
        assert!("0x58:sometimes=1".parse::<FailRule>().is_err());
        assert!("0x58".parse::<FailRule>().is_err());
    }

    #[test]
    fn latency() {
        let l: Latency = "100:50".parse().unwrap();
        assert_eq!(l.delay(0.0), Duration::from_millis(100));
        assert_eq!(l.delay(0.5), Duration::from_millis(125));
        let l: Latency = "20".parse().unwrap();
        assert_eq!(l.jitter, Duration::ZERO);
        assert!("x".parse::<Latency>().is_err());
        assert!(Latency::default().is_zero());
    }

    #[test]
    fn dlr_mix() {
        let m: DlrMix = "DELIVRD=90,UNDELIV=10".parse().unwrap();
        assert_eq!(m.pick(0.0).unwrap().code, "DELIVRD");
        assert_eq!(m.pick(0.899).unwrap().code, "DELIVRD");
        assert_eq!(m.pick(0.9).unwrap().code, "UNDELIV");
        assert_eq!(m.pick(0.9999).unwrap().code, "UNDELIV");
        let m: DlrMix = "expired".parse().unwrap();
        assert_eq!(m.pick(0.3).unwrap().message_state, 3);
        assert!("NOPE=1".parse::<DlrMix>().is_err());
        assert!("DELIVRD=0".parse::<DlrMix>().is_err());
        assert_eq!(DlrMix::default().pick(0.7).unwrap().code, "DELIVRD");
    }
}
