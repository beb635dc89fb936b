//! pg2znb: compile PostgreSQL schemas and application SQL for ZNbaseDB.
//! Pipeline order: scan → parse → lower → rules → order → emit (see ARCHITECTURE.md).

pub mod codes;
pub mod compile;
pub mod config;
pub mod data;
pub mod diagnostic;
pub mod emit;
pub mod fingerprint;
pub mod ir;
pub mod lint;
pub mod lower;
pub mod manifest;
pub mod order;
pub mod parse;
pub mod pgss;
pub mod progress;
pub mod render;
pub mod report;
pub mod rules;
pub mod sanity;
pub mod scan;
pub mod source;
pub mod synth;
pub mod text;
pub mod unsupported;
pub mod verify;
