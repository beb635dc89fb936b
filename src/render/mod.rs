//! Diagnostic renderers: one model, many outputs.

pub mod human;
