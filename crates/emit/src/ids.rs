//! Where ids and timestamps come from: the [`IdSource`] trait and its two implementations.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::time::{SystemTime, UNIX_EPOCH};

/// Gives the writers their ids (`resp_…`, `msg_…`, `call_…`, `chatcmpl-…`) and the current time.
///
/// The writers never read a clock or a random number generator themselves: everything that
/// differs from one run to the next comes from here, so that a writer fed a deterministic source
/// ([`SequentialIds`]) writes the same bytes every time. A server uses [`RandomIds`].
///
/// The writers ask for ids with these prefixes: `resp_` (a response), `msg_` (a message item),
/// `rs_` (a reasoning item), `fc_` (a function call item), `ctc_` (a custom tool call item),
/// `call_` (a call id the caller did not give) and `chatcmpl-` (a chat completion).
///
/// `&mut S` and `Box<S>` are sources too, so one source can serve several writers.
///
/// ```
/// use openai_wire_emit::{IdSource, SequentialIds};
///
/// let mut ids = SequentialIds::new(1_700_000_000);
/// assert_eq!(ids.id("msg_"), "msg_0001");
/// assert_eq!(ids.id("fc_"), "fc_0002");
/// assert_eq!(ids.now(), 1_700_000_000);
/// ```
pub trait IdSource {
    /// A new id, unique for this source, that starts with `prefix`.
    fn id(&mut self, prefix: &str) -> String;

    /// The current time, in seconds since the Unix epoch.
    fn now(&mut self) -> i64;
}

impl<S: IdSource + ?Sized> IdSource for &mut S {
    fn id(&mut self, prefix: &str) -> String {
        (**self).id(prefix)
    }

    fn now(&mut self) -> i64 {
        (**self).now()
    }
}

impl<S: IdSource + ?Sized> IdSource for Box<S> {
    fn id(&mut self, prefix: &str) -> String {
        (**self).id(prefix)
    }

    fn now(&mut self) -> i64 {
        (**self).now()
    }
}

/// A deterministic [`IdSource`], for tests and reproducible output.
///
/// Ids are the prefix followed by a counter shared by all prefixes, at least four digits wide
/// (`resp_0001`, `msg_0002`, …); the time is a fixed value, moved on only by
/// [`SequentialIds::advance`].
///
/// ```
/// use openai_wire_emit::{IdSource, SequentialIds};
///
/// let mut ids = SequentialIds::new(100);
/// assert_eq!(ids.id("resp_"), "resp_0001");
/// ids.advance(5);
/// assert_eq!(ids.now(), 105);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SequentialIds {
    issued: u64,
    time: i64,
}

impl SequentialIds {
    /// A source whose clock reads `time` (seconds since the Unix epoch) and whose first id ends
    /// in `0001`.
    pub fn new(time: i64) -> Self {
        SequentialIds { issued: 0, time }
    }

    /// Moves the clock on by `seconds`.
    pub fn advance(&mut self, seconds: i64) {
        self.time = self.time.saturating_add(seconds);
    }

    /// How many ids this source has given so far.
    pub fn issued(&self) -> u64 {
        self.issued
    }
}

impl Default for SequentialIds {
    /// A source at 2023-11-14T22:13:20Z (`1_700_000_000`).
    fn default() -> Self {
        SequentialIds::new(1_700_000_000)
    }
}

impl IdSource for SequentialIds {
    fn id(&mut self, prefix: &str) -> String {
        self.issued += 1;
        format!("{prefix}{:04}", self.issued)
    }

    fn now(&mut self) -> i64 {
        self.time
    }
}

/// The [`IdSource`] for a real server: the system clock, and ids made of 32 random-looking
/// hexadecimal digits after the prefix (`msg_3f9c…`).
///
/// The digits are a keyed hash (the standard library's randomly seeded SipHash keys) of a
/// counter, so ids do not repeat within a source and differ between sources and processes. They
/// are unique names, not secrets: do not use them as tokens.
///
/// ```
/// use openai_wire_emit::{IdSource, RandomIds};
///
/// let mut ids = RandomIds::new();
/// let (a, b) = (ids.id("msg_"), ids.id("msg_"));
/// assert!(a.starts_with("msg_") && a.len() == 36);
/// assert_ne!(a, b);
/// assert!(ids.now() > 1_600_000_000);
/// ```
#[derive(Debug, Clone)]
pub struct RandomIds {
    keys: RandomState,
    counter: u64,
}

impl RandomIds {
    /// A source with freshly seeded keys.
    pub fn new() -> Self {
        RandomIds {
            keys: RandomState::new(),
            counter: 0,
        }
    }

    fn word(&self, lane: u8) -> u64 {
        let mut hasher = self.keys.build_hasher();
        hasher.write_u64(self.counter);
        hasher.write_u8(lane);
        hasher.finish()
    }
}

impl Default for RandomIds {
    fn default() -> Self {
        RandomIds::new()
    }
}

impl IdSource for RandomIds {
    fn id(&mut self, prefix: &str) -> String {
        self.counter = self.counter.wrapping_add(1);
        format!("{prefix}{:016x}{:016x}", self.word(0), self.word(1))
    }

    fn now(&mut self) -> i64 {
        // A clock before 1970 reads as 0 rather than failing.
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |elapsed| {
                i64::try_from(elapsed.as_secs()).unwrap_or(i64::MAX)
            })
    }
}
