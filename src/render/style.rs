//! Output style, decided once at start-up and passed to every renderer.

use colored::Colorize;

/// What a piece of output is, so renderers colour by role, never by hard-coded colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Offsets and other secondary text.
    Dim,
    /// Field names.
    Field,
    /// Decoded values.
    Value,
    /// Raw hex bytes.
    Bytes,
    /// Headings (command name line).
    Heading,
    /// Success (ESME_ROK, delivered).
    Good,
    /// Warnings.
    Warn,
    /// Errors (malformed, error status).
    Error,
    /// Notes and hints.
    Note,
}

/// Rendering style. `color: false` gives plain text (tests, pipes, `NO_COLOR`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Style {
    /// Emit ANSI colour.
    pub color: bool,
}

impl Style {
    /// Plain text, no colour.
    pub const PLAIN: Style = Style { color: false };

    /// Append `s` painted for `role` to `out` (without colour: `s` itself, nothing allocated).
    pub fn paint_bytes(&self, out: &mut Vec<u8>, role: Role, s: &str) {
        if self.color {
            out.extend_from_slice(self.paint(role, s).as_bytes());
        } else {
            out.extend_from_slice(s.as_bytes());
        }
    }

    /// Paint `s` for `role` (a no-op without colour).
    pub fn paint(&self, role: Role, s: &str) -> String {
        if !self.color {
            return s.to_string();
        }
        let c = match role {
            Role::Dim => s.bright_black(),
            Role::Field => s.cyan(),
            Role::Value => s.normal(),
            Role::Bytes => s.yellow(),
            Role::Heading => s.bold(),
            Role::Good => s.green(),
            Role::Warn => s.yellow().bold(),
            Role::Error => s.red().bold(),
            Role::Note => s.blue(),
        };
        c.to_string()
    }
}
