//! The progress bar of `compile` and `lint`: drawn on stderr only when it is a terminal, and only
//! once a run has taken more than a second, so quick runs and CI logs show nothing extra.

use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use pg2znb::progress::Progress;

const DELAY: Duration = Duration::from_secs(1);

pub struct Bar {
    bar: Option<ProgressBar>,
    start: Instant,
    shown: Mutex<bool>,
}

impl Bar {
    /// A bar for this run; inert when stderr is not a terminal.
    pub fn new() -> Bar {
        let bar = std::io::stderr().is_terminal().then(|| {
            let b = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
            b.set_style(
                ProgressStyle::with_template("pg2znb: {msg:16} [{bar:32}] {pos}/{len} {elapsed}")
                    .expect("a valid template")
                    .progress_chars("=> "),
            );
            b
        });
        Bar { bar, start: Instant::now(), shown: Mutex::new(false) }
    }

    /// A stage without a count (writing the scripts).
    pub fn message(&self, msg: &'static str) {
        self.stage(msg, 0);
    }

    /// Remove the bar before the summary is printed.
    pub fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }

    fn show_if_slow(&self, b: &ProgressBar) {
        let mut shown = self.shown.lock().unwrap_or_else(|e| e.into_inner());
        if !*shown && self.start.elapsed() >= DELAY {
            *shown = true;
            b.set_draw_target(ProgressDrawTarget::stderr());
            b.enable_steady_tick(Duration::from_millis(200));
        }
    }
}

impl Progress for Bar {
    fn stage(&self, name: &'static str, total: u64) {
        if let Some(b) = &self.bar {
            // Position first: a redraw in between must not show the old stage's count.
            b.set_position(0);
            b.set_length(total);
            b.set_message(name);
            self.show_if_slow(b);
        }
    }

    fn advance(&self, n: u64) {
        if let Some(b) = &self.bar {
            b.inc(n);
            self.show_if_slow(b);
        }
    }
}
