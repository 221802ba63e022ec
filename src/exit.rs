//! The exit codes shared by every subcommand, so that CI scripts can rely on them.

/// Process exit status of every `smppdiag` subcommand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Exit {
    /// Everything worked and every PDU was well-formed.
    Success = 0,
    /// The peer answered with a non-zero command_status (its name is in the output).
    SmppError = 1,
    /// Usage error: bad arguments, unreadable input, input that is not hex.
    Usage = 2,
    /// At least one PDU is malformed (the annotated dump is still printed).
    Malformed = 3,
    /// Network failure or timeout (connect, read, peer closed, no response; a `send` run that
    /// reached its end with requests never answered).
    Network = 4,
    /// TLS handshake or certificate failure.
    Tls = 5,
    /// A delivery receipt was missing, or reported a final state other than DELIVRD.
    Receipt = 6,
    /// An internal error (a bug: please report it).
    Internal = 70,
    /// Interrupted by Ctrl-C (after unbinding and printing the partial summary).
    Interrupted = 130,
}

impl Exit {
    /// Every exit status with its number and a one-line description, for `--help` and the docs.
    pub const ALL: &'static [(Exit, &'static str)] = &[
        (
            Exit::Success,
            "success; every PDU well-formed, every response status 0",
        ),
        (
            Exit::SmppError,
            "an error command_status (from the SMSC, or in a decoded response)",
        ),
        (
            Exit::Usage,
            "usage error or unusable input (not hex, file not found)",
        ),
        (
            Exit::Malformed,
            "a PDU is malformed (decoded as far as possible)",
        ),
        (
            Exit::Network,
            "network error or timeout (send: requests left unanswered)",
        ),
        (Exit::Tls, "TLS error"),
        (Exit::Receipt, "delivery receipt missing or not delivered"),
        (Exit::Internal, "internal error (a bug)"),
        (
            Exit::Interrupted,
            "interrupted (Ctrl-C): unbound, partial summary printed",
        ),
    ];

    /// The exit of `decode`: [`Exit::Malformed`] when a PDU is malformed (its header, status
    /// included, may be misread), else [`Exit::SmppError`] when a well-formed response carries
    /// an error command_status, else [`Exit::Success`].
    pub fn of_decode(malformed: bool, error_status: bool) -> Exit {
        if malformed {
            Exit::Malformed
        } else if error_status {
            Exit::SmppError
        } else {
            Exit::Success
        }
    }

    /// The numeric code.
    pub fn code(self) -> u8 {
        self as u8
    }

    /// Text listing every code, for `--help` footers.
    pub fn help_text() -> String {
        let mut s = String::from("Exit codes:\n");
        for (e, what) in Self::ALL {
            s.push_str(&format!("  {:>2}  {}\n", e.code(), what));
        }
        s
    }
}

impl From<Exit> for std::process::ExitCode {
    fn from(e: Exit) -> Self {
        std::process::ExitCode::from(e.code())
    }
}
