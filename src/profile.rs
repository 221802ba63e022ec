//! Connection profiles: named sets of connection and bind settings in a TOML file, so nobody types
//! a host, a system_id or (above all) a password on a command line.
//!
//! The file is `$SMPPDIAG_CONFIG`, else `$XDG_CONFIG_HOME/smppdiag/config.toml`, else
//! `~/.config/smppdiag/config.toml`:
//!
//! ```toml
//! [profiles.staging]
//! host = "smsc.example.net"
//! port = 3550
//! tls = true
//! system_id = "acme"
//! bind_mode = "trx"                        # tx | rx | trx
//! password_command = "pass show smsc/staging"   # or: password_file = "~/.smsc-staging"
//! ```
//!
//! This module reads and checks the file and fetches a password when asked; it never prints.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// The environment variable naming the config file explicitly.
pub const CONFIG_ENV: &str = "SMPPDIAG_CONFIG";

/// Why profiles cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    /// No file location could be worked out (no HOME, no XDG_CONFIG_HOME, no SMPPDIAG_CONFIG).
    #[error("no config file location: set {CONFIG_ENV}, XDG_CONFIG_HOME or HOME")]
    NoLocation,
    /// The file cannot be read.
    #[error("reading {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The file is not valid TOML or has unknown keys.
    #[error("{path}: {message}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// The TOML parser's message (with line and column).
        message: String,
    },
    /// No profile of that name.
    #[error("no profile {name:?} in {path} (profiles: {known})")]
    Unknown {
        /// What was asked for.
        name: String,
        /// The file.
        path: PathBuf,
        /// The names it has.
        known: String,
    },
    /// Both a password command and a password file.
    #[error("profile {0:?} sets both password_command and password_file; keep one")]
    TwoPasswords(String),
    /// The password command failed.
    #[error("profile {name:?}: password_command {command:?} {what}")]
    Command {
        /// Profile name.
        name: String,
        /// The command.
        command: String,
        /// What went wrong.
        what: String,
    },
    /// The password file cannot be read.
    #[error("profile {name:?}: reading password_file {path}: {source}")]
    PasswordFile {
        /// Profile name.
        name: String,
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
}

/// A bind mode as written in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ProfileBindMode {
    /// bind_transmitter.
    Tx,
    /// bind_receiver.
    Rx,
    /// bind_transceiver.
    Trx,
}

/// Where the password comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PasswordSource {
    /// The first line of this command's standard output (run with `sh -c`).
    Command(String),
    /// The first line of this file.
    File(PathBuf),
}

/// One profile, as written in the file (every key optional).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// SMSC host.
    pub host: Option<String>,
    /// SMSC port.
    pub port: Option<u16>,
    /// Connect with TLS.
    pub tls: Option<bool>,
    /// Extra CA certificate file (PEM).
    pub ca: Option<PathBuf>,
    /// system_id.
    pub system_id: Option<String>,
    /// system_type.
    pub system_type: Option<String>,
    /// Bind mode.
    pub bind_mode: Option<ProfileBindMode>,
    /// Command printing the password.
    pub password_command: Option<String>,
    /// File holding the password.
    pub password_file: Option<PathBuf>,
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    profiles: BTreeMap<String, Profile>,
}

/// The profiles of one config file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profiles {
    /// The file they were read from.
    pub path: PathBuf,
    /// By name, sorted.
    pub by_name: BTreeMap<String, Profile>,
}

/// The config file's location, from the environment (`get` reads a variable).
pub fn config_path(get: impl Fn(&str) -> Option<OsString>) -> Result<PathBuf, ProfileError> {
    let nonempty = |k: &str| get(k).filter(|v| !v.is_empty()).map(PathBuf::from);
    if let Some(p) = nonempty(CONFIG_ENV) {
        return Ok(p);
    }
    let base = nonempty("XDG_CONFIG_HOME")
        .or_else(|| nonempty("HOME").map(|h| h.join(".config")))
        .ok_or(ProfileError::NoLocation)?;
    Ok(base.join("smppdiag").join("config.toml"))
}

/// Read the profiles of the file at `path` (a missing file has none).
pub fn load(path: &Path) -> Result<Profiles, ProfileError> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(source) => {
            return Err(ProfileError::Read {
                path: path.into(),
                source,
            })
        }
    };
    parse(&text, path)
}

/// Parse config text (`path` for messages and for resolving relative password files).
pub fn parse(text: &str, path: &Path) -> Result<Profiles, ProfileError> {
    let file: File = toml::from_str(text).map_err(|e| ProfileError::Parse {
        path: path.into(),
        message: e.to_string().trim_end().to_string(),
    })?;
    for (name, p) in &file.profiles {
        if p.password_command.is_some() && p.password_file.is_some() {
            return Err(ProfileError::TwoPasswords(name.clone()));
        }
    }
    Ok(Profiles {
        path: path.into(),
        by_name: file.profiles,
    })
}

impl Profiles {
    /// The profile called `name`.
    pub fn get(&self, name: &str) -> Result<&Profile, ProfileError> {
        self.by_name.get(name).ok_or_else(|| ProfileError::Unknown {
            name: name.into(),
            path: self.path.clone(),
            known: if self.by_name.is_empty() {
                "none".into()
            } else {
                self.by_name.keys().cloned().collect::<Vec<_>>().join(", ")
            },
        })
    }

    /// Where a profile's password comes from; a relative or `~/` file is resolved against the
    /// config file's directory or the home directory.
    pub fn password_source(&self, profile: &Profile) -> Option<PasswordSource> {
        if let Some(c) = &profile.password_command {
            return Some(PasswordSource::Command(c.clone()));
        }
        let f = profile.password_file.as_ref()?;
        let home = std::env::var_os("HOME").map(PathBuf::from);
        let resolved = match (f.strip_prefix("~"), home) {
            (Ok(rest), Some(h)) => h.join(rest),
            _ if f.is_relative() => self.path.parent().unwrap_or(Path::new(".")).join(f),
            _ => f.clone(),
        };
        Some(PasswordSource::File(resolved))
    }
}

/// Fetch the password: the first line of the command's output or of the file.
pub fn fetch_password(name: &str, source: &PasswordSource) -> Result<String, ProfileError> {
    match source {
        PasswordSource::Command(c) => run_password_command(name, c),
        PasswordSource::File(path) => std::fs::read_to_string(path)
            .map(|t| first_line(&t))
            .map_err(|source| ProfileError::PasswordFile {
                name: name.into(),
                path: path.clone(),
                source,
            }),
    }
}

fn first_line(t: &str) -> String {
    t.lines().next().unwrap_or_default().to_string()
}

fn run_password_command(name: &str, command: &str) -> Result<String, ProfileError> {
    let fail = |what: String| ProfileError::Command {
        name: name.into(),
        command: command.into(),
        what,
    };
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(command)
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::inherit())
        .output()
        .map_err(|e| fail(format!("could not start: {e}")))?;
    if !out.status.success() {
        return Err(fail(format!("failed ({})", out.status)));
    }
    Ok(first_line(&String::from_utf8_lossy(&out.stdout)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<OsString> + 'a {
        move |k| {
            vars.iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| OsString::from(v))
        }
    }

    #[test]
    fn location_follows_smppdiag_config_then_xdg_then_home() {
        let all = [
            (CONFIG_ENV, "/etc/x.toml"),
            ("XDG_CONFIG_HOME", "/xdg"),
            ("HOME", "/home/u"),
        ];
        assert_eq!(
            config_path(env(&all)).unwrap(),
            PathBuf::from("/etc/x.toml")
        );
        assert_eq!(
            config_path(env(&all[1..])).unwrap(),
            PathBuf::from("/xdg/smppdiag/config.toml")
        );
        assert_eq!(
            config_path(env(&all[2..])).unwrap(),
            PathBuf::from("/home/u/.config/smppdiag/config.toml")
        );
        assert!(config_path(env(&[])).is_err());
    }

    #[test]
    fn typed_profiles_and_clear_errors() {
        let p = parse(
            "[profiles.a]\nhost = \"h\"\nport = 3550\ntls = true\nbind_mode = \"rx\"\npassword_file = \"pw\"\n",
            Path::new("/cfg/config.toml"),
        )
        .unwrap();
        let a = p.get("a").unwrap();
        assert_eq!(a.port, Some(3550));
        assert_eq!(a.bind_mode, Some(ProfileBindMode::Rx));
        assert_eq!(
            p.password_source(a),
            Some(PasswordSource::File(PathBuf::from("/cfg/pw")))
        );
        let e = p.get("b").unwrap_err().to_string();
        assert!(e.contains("profiles: a"), "{e}");
        let e = parse("[profiles.a]\nhots = \"h\"\n", Path::new("c.toml"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("hots") && e.contains("line 2"), "{e}");
        let both = "[profiles.a]\npassword_file = \"f\"\npassword_command = \"c\"\n";
        assert!(matches!(
            parse(both, Path::new("c")),
            Err(ProfileError::TwoPasswords(_))
        ));
    }

    #[test]
    fn password_command_first_line_and_failure() {
        let src = PasswordSource::Command("printf 'pw1\\nignored\\n'".into());
        assert_eq!(fetch_password("a", &src).unwrap(), "pw1");
        let bad = PasswordSource::Command("exit 3".into());
        assert!(fetch_password("a", &bad)
            .unwrap_err()
            .to_string()
            .contains("failed"));
    }
}
