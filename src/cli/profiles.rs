//! `--profile NAME` on bind/send/unbind, and `smppdiag profiles`, which lists the profiles of the
//! config file without their secrets. The file itself is read by [`crate::profile`].

use std::io::Write;

use clap::parser::ValueSource;
use serde_json::json;

use crate::exit::Exit;
use crate::profile::{self, PasswordSource, Profile, ProfileBindMode, Profiles};

use super::connect::{BindModeArg, ConnectArgs};

/// The connection options a profile can set (clap ids of [`ConnectArgs`]).
const PROFILE_OPTIONS: &[&str] = &[
    "host",
    "port",
    "tls",
    "ca",
    "system_id",
    "system_type",
    "bind_mode",
    "password",
    "password_file",
];

/// Arguments of `profiles`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "The file is $SMPPDIAG_CONFIG, else $XDG_CONFIG_HOME/smppdiag/config.toml, \
else ~/.config/smppdiag/config.toml:

  [profiles.staging]
  host = \"smsc.example.net\"
  port = 3550
  tls = true
  system_id = \"acme\"
  bind_mode = \"trx\"
  password_command = \"pass show smsc/staging\"

Keys: host, port, tls, ca, system_id, system_type, bind_mode (tx|rx|trx), and one of
password_command (first line of its output) or password_file (first line; ~/ and paths
relative to the config file work). Options given on the command line or in the environment
(SMPP_SYSTEM_ID, SMPP_PASSWORD) win over the profile."
)]
pub struct ProfilesArgs {
    /// One JSON object per profile.
    #[arg(long)]
    pub json: bool,
}

/// Note which profile-settable options the user gave (command line or environment).
pub fn record_explicit(conn: &mut ConnectArgs, m: &clap::ArgMatches) {
    conn.explicit = PROFILE_OPTIONS
        .iter()
        .filter(|id| {
            matches!(
                m.value_source(id),
                Some(ValueSource::CommandLine | ValueSource::EnvVariable)
            )
        })
        .map(|id| id.to_string())
        .collect();
}

fn load() -> anyhow::Result<Profiles> {
    let path = profile::config_path(|k| std::env::var_os(k))?;
    Ok(profile::load(&path)?)
}

/// Fill the options not given explicitly from `--profile`, fetching its password if needed.
pub fn apply(conn: &mut ConnectArgs) -> anyhow::Result<()> {
    let Some(name) = conn.profile.clone() else {
        return Ok(());
    };
    let profiles = load()?;
    let p = profiles.get(&name)?;
    let free = |id: &str| !conn.explicit.iter().any(|e| e == id);
    let (host, port, system_id, system_type) = (
        free("host"),
        free("port"),
        free("system_id"),
        free("system_type"),
    );
    let (tls, ca, mode) = (free("tls"), free("ca"), free("bind_mode"));
    let password = free("password") && free("password_file");
    fill(&mut conn.host, host, p.host.clone());
    fill(&mut conn.port, port, p.port);
    fill(&mut conn.tls, tls, p.tls);
    fill(&mut conn.system_id, system_id, p.system_id.clone());
    fill(&mut conn.system_type, system_type, p.system_type.clone());
    if ca && p.ca.is_some() {
        conn.ca = p.ca.clone();
    }
    if mode {
        if let Some(m) = p.bind_mode {
            conn.bind_mode = Some(bind_mode(m));
        }
    }
    if password {
        if let Some(src) = profiles.password_source(p) {
            conn.password = Some(profile::fetch_password(&name, &src)?);
        }
    }
    Ok(())
}

fn fill<T>(slot: &mut T, free: bool, from_profile: Option<T>) {
    if let (true, Some(v)) = (free, from_profile) {
        *slot = v;
    }
}

fn bind_mode(m: ProfileBindMode) -> BindModeArg {
    match m {
        ProfileBindMode::Tx => BindModeArg::Tx,
        ProfileBindMode::Rx => BindModeArg::Rx,
        ProfileBindMode::Trx => BindModeArg::Trx,
    }
}

/// How the password of a profile is obtained, without the secret.
fn password_label(profiles: &Profiles, p: &Profile) -> String {
    match profiles.password_source(p) {
        Some(PasswordSource::Command(c)) => format!("from command `{c}`"),
        Some(PasswordSource::File(f)) => format!("from file {}", f.display()),
        None => "none".into(),
    }
}

/// Run `profiles`.
pub fn run(args: ProfilesArgs, _ctx: &super::Ctx) -> anyhow::Result<Exit> {
    let profiles = load()?;
    let mut out = std::io::stdout().lock();
    if !args.json && profiles.by_name.is_empty() {
        writeln!(out, "no profiles in {}", profiles.path.display())?;
        return Ok(Exit::Success);
    }
    if !args.json {
        writeln!(out, "profiles in {}:", profiles.path.display())?;
    }
    for (name, p) in &profiles.by_name {
        if args.json {
            writeln!(out, "{}", profile_json(&profiles, name, p))?;
        } else {
            write_profile(&mut out, &profiles, name, p)?;
        }
    }
    Ok(Exit::Success)
}

fn profile_json(profiles: &Profiles, name: &str, p: &Profile) -> serde_json::Value {
    json!({
        "name": name,
        "host": p.host,
        "port": p.port,
        "tls": p.tls,
        "ca": p.ca,
        "system_id": p.system_id,
        "system_type": p.system_type,
        "bind_mode": p.bind_mode,
        "password": password_label(profiles, p),
    })
}

fn write_profile(
    out: &mut impl Write,
    profiles: &Profiles,
    name: &str,
    p: &Profile,
) -> std::io::Result<()> {
    let host = p.host.as_deref().unwrap_or("(default host)");
    let port = p
        .port
        .map_or("(default port)".to_string(), |n| n.to_string());
    let tls = if p.tls == Some(true) { ", TLS" } else { "" };
    writeln!(out, "  {name}: {host}:{port}{tls}")?;
    if let Some(s) = &p.system_id {
        writeln!(out, "    system_id    {s}")?;
    }
    if let Some(m) = p.bind_mode {
        writeln!(
            out,
            "    bind mode    {}",
            serde_json::to_value(m)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default()
        )?;
    }
    writeln!(out, "    password     {}", password_label(profiles, p))
}
