//! The data path: stages that talk to live databases, beside the compile pipeline (which never does
//! I/O). See `DESIGN.md`, "The data path": snapshot, schema, compile, apply, copy ranges, sequences,
//! apply, verify. Each stage keeps its progress in the target (the `pg2znb` schema), so a re-run
//! continues where a killed one stopped.
//!
//! - [`apply`]: run one compiled script against a target statement by statement, each statement
//!   committed together with its record in `pg2znb.applied`.

pub mod apply;
