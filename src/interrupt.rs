//! Interrupts (Ctrl-C/SIGINT, SIGTERM, SIGHUP) while outputs are being written: the temporary
//! files in progress are removed and the process exits with 130, so an interrupted run leaves no
//! partial script behind. Renaming the finished files into place is a critical section the
//! handler waits for, so an interrupt never leaves a mix of new and old scripts either.

use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

/// Exit status of an interrupted run (128 + SIGINT, as shells report it).
pub const EXIT_INTERRUPTED: i32 = 130;

/// Temporary files that exist and must not outlive the process.
static PENDING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// What a command that talks to servers does on an interrupt (record where it stopped, say how
/// to continue). Its transactions in flight roll back when the process exits: what committed,
/// committed with its record, so a re-run resumes exactly.
type Hook = Box<dyn Fn() + Send>;
static ON_INTERRUPT: Mutex<Option<Hook>> = Mutex::new(None);

/// Run `f` on an interrupt, before the process exits.
pub fn on_interrupt(f: impl Fn() + Send + 'static) {
    *ON_INTERRUPT.lock().unwrap_or_else(|e| e.into_inner()) = Some(Box::new(f));
}

fn pending() -> MutexGuard<'static, Vec<PathBuf>> {
    PENDING.lock().unwrap_or_else(|e| e.into_inner())
}

/// Install the handler (once, at start-up). Without it a signal kills the process outright.
pub fn install() {
    // Fails only when a handler is already installed; then that one decides.
    let _ = ctrlc::set_handler(|| {
        // Held until exit: no temporary file is created or renamed after this point.
        let files = pending();
        for p in files.iter() {
            let _ = std::fs::remove_file(p);
        }
        if let Some(hook) = ON_INTERRUPT.lock().unwrap_or_else(|e| e.into_inner()).as_ref() {
            hook();
        } else {
            eprintln!(
                "pg2znb: interrupted; {} removed",
                pg2znb::text::count(files.len(), "temporary file", "temporary files")
            );
        }
        std::process::exit(EXIT_INTERRUPTED);
    });
}

/// Create the temporary file `path`, registered for removal on interrupt. Creating and
/// registering happen together, so the handler never misses a file that exists.
pub fn create_temp(path: &Path) -> io::Result<File> {
    let mut files = pending();
    let f = File::create(path)?;
    files.push(path.to_path_buf());
    Ok(f)
}

/// The temporary file no longer exists (renamed or removed).
pub fn forget(path: &Path) {
    pending().retain(|p| p != path);
}

/// Run `f` with interrupts held off; `f` gets the registered temporary files to update.
pub fn critical<T>(f: impl FnOnce(&mut Vec<PathBuf>) -> T) -> T {
    f(&mut pending())
}
