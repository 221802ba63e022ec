//! Rendering: annotated hex dump, explanation blocks and JSON, written into strings with an
//! explicit [`Style`]. Nothing here reads global colour state or prints.

pub mod dump;
pub mod explain;
pub mod json;
pub mod junit;
pub mod style;

pub use style::{Role, Style};
