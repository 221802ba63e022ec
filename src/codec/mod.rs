//! The one SMPP codec shared by every subcommand. (Being written: issue 2.)
pub mod time;
