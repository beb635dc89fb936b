//! The data path: stages that talk to live databases, beside the compile pipeline (which never does
//! I/O). See `DESIGN.md`, "The data path": snapshot, schema, compile, apply, copy ranges, sequences,
//! apply, verify. Each stage keeps its progress in the target (the `pg2znb` schema), so a re-run
//! continues where a killed one stopped.
//!
//! - [`apply`]: run one compiled script against a target statement by statement, each statement
//!   committed together with its record in `pg2znb.applied`.
//! - [`copy`]: every table's rows streamed from the source's exported snapshot into the target
//!   range by range ([`ranges`] cuts tables), each range committed with its record in
//!   `pg2znb.copied`; sequences set from the snapshot. [`retry`] classifies errors for every
//!   stage, [`stash`] sets rejected ranges aside, [`znbase`] holds what only a ZNbaseDB target
//!   gets, [`copy_progress`] is what the copy reports to, [`relay`] reads the source's rows in
//!   batches.
//! - [`export`]: `pg2znb export`, every table's rows to one file each, read in one exported
//!   snapshot, described by `DIR/export.json`.
//! - [`import`]: `pg2znb import`, an export directory or a user's file loaded in batches
//!   ([`batch`] cuts files at record boundaries), each with its record in `pg2znb.imported`.
//! - [`prepare`]: migrate's checks before anything is written (pg_dump, servers, the target's
//!   engine, emptiness, connections), and a missing target database created.
//! - [`finalize`]: post-data over `--jobs` connections in the compile's dependency order; in
//!   migrate it starts with the copy, and [`gate`] says which statements may run before the whole
//!   copy is done (a table's indexes and constraints once its rows are in).
//! - [`records`]: where completion records live — the target's `pg2znb` schema, or the work
//!   directory when the target's role cannot create that schema.
//! - [`changes`]: whether the source was written after the snapshot (statistics counters).
//! - [`migrate`]: `pg2znb migrate`, the steps in order (prepare, snapshot, schema, pre-data, copy,
//!   sequences, finalize, verify) with their state in `WORKDIR/status.json`.

pub mod apply;
pub mod batch;
pub mod changes;
pub mod copy;
pub mod copy_journal;
pub mod copy_progress;
pub mod export;
pub mod finalize;
pub mod gate;
pub mod import;
pub mod migrate;
pub mod prepare;
pub mod ranges;
pub mod records;
pub mod relay;
pub mod retry;
pub mod stash;
pub mod znbase;
