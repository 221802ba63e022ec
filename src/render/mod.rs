//! Rendering: annotated hex dump, explanation blocks and JSON, written into buffers with an
//! explicit [`Style`]. Nothing here reads global colour state.
