//! Where the plugin's work runs.
//!
//! Host callbacks happen only on the host's threads, inside calls into the plugin; network I/O
//! happens only on the plugin's own threads. [`Bridge`] connects the two: a host thread hands a
//! future to the plugin's I/O runtime and waits for its result, relaying the progress it reports
//! and flushing the log while it waits. The host thread never enters the async runtime, so no
//! runtime state (and no thread-local value that would keep the library loaded) is left on it.
//!
//! [`Clock`] is the time the engine reads, so tests can move it; [`Timeouts`] are the waits the
//! plugin bounds.

mod bridge;
mod clock;
pub mod timeouts;

pub use bridge::{Bridge, Reporter, Waiting};
pub use clock::{Clock, SystemClock};
pub use timeouts::Timeouts;
