//! pg2znb: compile PostgreSQL schemas and application SQL for ZNbaseDB.
//! Pipeline order: scan → parse → lower → rules → order → emit (see ARCHITECTURE.md).

pub mod diagnostic;
pub mod manifest;
pub mod scan;
pub mod source;
pub mod synth;
