//! Which errors are worth another try, and how long to wait before it: shared by `apply` and
//! `copy`, so both stages retry the same errors the same way.
//!
//! Transient: the connection broke (no server error), class 08 (connection exceptions), 40001
//! (serialization failure), 40P01 (deadlock), 57P01–57P03 (the server shut down or is starting).
//! Data errors (class 22, 23) are never transient: the same rows fail the same way again.

use std::time::Duration;

/// Whether a retry on a new connection may succeed.
pub fn transient(e: &postgres::Error) -> bool {
    match e.code() {
        Some(c) => {
            let c = c.code();
            c.starts_with("08") || matches!(c, "40001" | "40P01" | "57P01" | "57P02" | "57P03")
        }
        // No server error: the connection broke (closed, I/O, timeout).
        None => e.as_db_error().is_none(),
    }
}

/// Whether the rows themselves are at fault (class 22 data exception, class 23 integrity
/// constraint violation): never retried.
pub fn data_error(e: &postgres::Error) -> bool {
    e.code().is_some_and(|c| c.code().starts_with("22") || c.code().starts_with("23"))
}

/// What copy and import do when the target rejects rows for their data (a [`data_error`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum OnError {
    /// Stop, naming the table, the range or batch, and the server's message.
    #[default]
    Abort,
    /// Write the rejected rows and the message to the errors directory and go on.
    Stash,
}

/// The wait before retry number `attempt` (1 = the first retry): `base` doubled each time,
/// capped at 5 s.
pub fn backoff(base: Duration, attempt: u32) -> Duration {
    base.saturating_mul(1 << attempt.saturating_sub(1).min(5)).min(Duration::from_secs(5))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_is_capped() {
        let b = Duration::from_millis(200);
        assert_eq!(backoff(b, 1), Duration::from_millis(200));
        assert_eq!(backoff(b, 2), Duration::from_millis(400));
        assert_eq!(backoff(b, 4), Duration::from_millis(1600));
        assert_eq!(backoff(b, 9), Duration::from_secs(5));
    }
}
