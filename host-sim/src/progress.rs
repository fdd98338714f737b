//! How host-sim shows an action's progress: a live bar with counts and the current phase on a
//! terminal, plain lines when the output goes to a file or a pipe (so logs stay readable).

use std::io::IsTerminal;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Where progress reports go.
pub enum ProgressView {
    /// One line per report on standard error.
    Lines,
    /// A bar redrawn in place, one per running call.
    Bar(Mutex<Option<(u64, ProgressBar)>>),
}

impl ProgressView {
    /// A bar when standard error is a terminal, lines otherwise.
    pub fn for_stderr() -> Self {
        if std::io::stderr().is_terminal() {
            ProgressView::Bar(Mutex::new(None))
        } else {
            ProgressView::Lines
        }
    }

    /// Shows one report of call `call_id`: `done` of `total` (0: unknown) and the phase.
    pub fn show(&self, call_id: u64, done: u64, total: u64, message: &str) {
        match self {
            ProgressView::Lines => {
                if total > 0 {
                    eprintln!("  … {done}/{total} {message}");
                } else {
                    eprintln!("  … {message}");
                }
            }
            ProgressView::Bar(current) => {
                let mut current = current.lock().unwrap_or_else(PoisonError::into_inner);
                let fresh = match current.as_ref() {
                    Some((id, _)) => *id != call_id,
                    None => true,
                };
                if fresh {
                    if let Some((_, old)) = current.take() {
                        old.finish_and_clear();
                    }
                    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
                    bar.enable_steady_tick(Duration::from_millis(120));
                    *current = Some((call_id, bar));
                }
                if let Some((_, bar)) = current.as_ref() {
                    if total > 0 {
                        bar.set_length(total);
                        bar.set_style(
                            ProgressStyle::with_template("{spinner} [{bar:32}] {pos}/{len} {msg}")
                                .unwrap_or_else(|_| ProgressStyle::default_bar())
                                .progress_chars("=> "),
                        );
                        bar.set_position(done.min(total));
                    } else {
                        bar.unset_length();
                        bar.set_style(
                            ProgressStyle::with_template("{spinner} {msg}")
                                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
                        );
                    }
                    bar.set_message(message.to_string());
                }
            }
        }
    }

    /// Removes the bar once the action answered, so its result prints on a clean screen.
    pub fn finish(&self) {
        if let ProgressView::Bar(current) = self
            && let Some((_, bar)) = current
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .take()
        {
            bar.finish_and_clear();
        }
    }
}
