//! Progress of a long compile or lint, reported to whoever shows it (the CLI draws a bar on a
//! terminal). The library only calls this trait; it never draws or prints.

pub trait Progress: Sync {
    /// A stage starts, with `total` units of work (0: not counted).
    fn stage(&self, _name: &'static str, _total: u64) {}
    /// `n` more units of the current stage are done.
    fn advance(&self, _n: u64) {}
}

/// Reports nothing.
pub struct Silent;

impl Progress for Silent {}
