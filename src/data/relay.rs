//! The copy's source side: `COPY … TO STDOUT` read in batches.
//!
//! The sync client enters its runtime once per COPY message, that is once per row: a third of
//! the copy's own CPU went to entering and leaving tokio (perf, 4.6 M rows). Here the async
//! client, on a runtime of the worker's own, fills a batch of up to [`BATCH`] bytes per entry,
//! and the batch goes to the target as one write.

use std::pin::Pin;

use futures_util::StreamExt;
use tokio::runtime::Runtime;
use tokio_postgres::{Client, CopyOutStream};

use crate::verify::{Connector, VerifyError};

/// Bytes read from the source per batch written to the target.
pub const BATCH: usize = 256 * 1024;

/// A source session in the exported snapshot.
pub struct Source {
    rt: Runtime,
    client: Client,
}

impl Source {
    /// Connect and import `snapshot` (a read-only repeatable-read transaction in it).
    pub fn open(connector: &Connector, snapshot: &str) -> Result<Source, VerifyError> {
        let rt = tokio::runtime::Builder::new_current_thread().enable_io().enable_time().build().map_err(|e| {
            VerifyError::Connect { origin: format!("{}: ", connector.name()), message: format!("no runtime: {e}") }
        })?;
        let client = connector.connect_async(&rt)?;
        rt.block_on(client.batch_execute(&super::copy::snapshot_sql(snapshot)))
            .map_err(|e| VerifyError::query("set transaction snapshot", &e))?;
        Ok(Source { rt, client })
    }

    /// Start `COPY … TO STDOUT`.
    pub fn copy_out(&mut self, sql: &str) -> Result<Rows<'_>, tokio_postgres::Error> {
        let stream = self.rt.block_on(self.client.copy_out(sql))?;
        Ok(Rows { rt: &self.rt, stream: Box::pin(stream) })
    }
}

/// The rows of one `COPY … TO STDOUT`, in batches.
pub struct Rows<'a> {
    rt: &'a Runtime,
    stream: Pin<Box<CopyOutStream>>,
}

impl Rows<'_> {
    /// Append whole rows to `buf` until it holds at least `max` bytes or the rows end; `false`
    /// when the rows ended.
    pub fn next_batch(&mut self, buf: &mut Vec<u8>, max: usize) -> Result<bool, tokio_postgres::Error> {
        let stream = &mut self.stream;
        self.rt.block_on(async {
            while buf.len() < max {
                match stream.next().await {
                    Some(Ok(row)) => buf.extend_from_slice(&row),
                    Some(Err(e)) => return Err(e),
                    None => return Ok(false),
                }
            }
            Ok(true)
        })
    }
}
