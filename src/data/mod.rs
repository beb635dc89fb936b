//! The data path: stages that talk to live databases, beside the compile pipeline (which never does
//! I/O). See `DESIGN.md`, "The data path": snapshot, schema, compile, apply, copy ranges, sequences,
//! apply, verify. Each stage keeps its progress in the target (the `pg2znb` schema), so a re-run
//! continues where a killed one stopped.
//!
//! - [`apply`]: run one compiled script against a target statement by statement, each statement
//!   committed together with its record in `pg2znb.applied`.
//! - [`copy`]: every table's rows streamed from the source's exported snapshot into the target,
//!   each table committed with its record in `pg2znb.copied`; sequences set from the snapshot.
//! - [`export`]: `pg2znb export`, every table's rows to one file each, read in one exported
//!   snapshot, described by `DIR/export.json`.
//! - [`import`]: `pg2znb import`, an export directory or a user's file loaded in batches
//!   ([`batch`] cuts files at record boundaries), each with its record in `pg2znb.imported`.
//! - [`migrate`]: `pg2znb migrate`, the steps in order (snapshot, schema, pre-data, copy,
//!   sequences, post-data, verify) with their state in `WORKDIR/status.json`.

pub mod apply;
pub mod batch;
pub mod copy;
pub mod export;
pub mod import;
pub mod migrate;
