//! The one SMPP codec shared by every subcommand. (Being written: issue 2.)

pub mod receipt;
pub mod split;
pub mod text;
pub mod udh;
