//! Diagnostic renderers: one model, many outputs.

pub mod format;
pub mod github;
pub mod graph;
pub mod html;
pub mod human;
pub mod json;
pub mod sarif;
