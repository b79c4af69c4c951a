//! When a converted stream needs something other than upstream data: a heartbeat for the
//! client, or the end of a silent upstream. [`Pacer`], sans-IO in the manner of `quinn-proto`:
//! the caller passes the time in, asks [`Pacer::poll_timeout`] when to wake up, and calls
//! [`Pacer::handle_timeout`] then.
//!
//! - While the upstream is silent, a heartbeat is due every `heartbeat` (none when it is
//!   `None`): the Responses converter answers it with a numbered `response.in_progress`, a Chat
//!   stream with an SSE comment.
//! - An upstream silent for `idle` is abandoned: [`PacerTimeout::Idle`], after which the pacer
//!   asks for nothing more.
//!
//! - A stream may have a deadline ([`Pacer::with_deadline`]): the longest it may last, upstream
//!   data or not. [`PacerTimeout::Deadline`] then ends it, after which the pacer asks for
//!   nothing more.
//!
//! Upstream data resets the heartbeat and idle clocks ([`Pacer::on_upstream`]), never the
//! deadline.
//!
//! ```
//! use std::time::{Duration, Instant};
//! use openai_wire_convert::stream::pacer::{Pacer, PacerTimeout};
//!
//! let start = Instant::now();
//! let mut pacer = Pacer::new(start, Some(Duration::from_secs(10)), Duration::from_secs(25));
//! assert_eq!(pacer.poll_timeout(), Some(start + Duration::from_secs(10)));
//! let at = start + Duration::from_secs(10);
//! assert_eq!(pacer.handle_timeout(at), Some(PacerTimeout::Heartbeat));
//! assert_eq!(pacer.handle_timeout(start + Duration::from_secs(20)), Some(PacerTimeout::Heartbeat));
//! // The idle deadline comes before the next heartbeat would.
//! assert_eq!(pacer.poll_timeout(), Some(start + Duration::from_secs(25)));
//! assert_eq!(pacer.handle_timeout(start + Duration::from_secs(25)), Some(PacerTimeout::Idle));
//! assert_eq!(pacer.poll_timeout(), None);
//! ```

use std::time::{Duration, Instant};

/// What a deadline that passed asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PacerTimeout {
    /// Send the client a heartbeat: the upstream has been silent for the heartbeat interval.
    Heartbeat,
    /// Abandon the upstream: it has been silent for the idle timeout.
    Idle,
    /// End the stream: it has lasted as long as it may ([`Pacer::with_deadline`]).
    Deadline,
}

/// The heartbeat and idle deadlines of one converted stream. See the [module docs](self).
#[derive(Debug, Clone)]
pub struct Pacer {
    heartbeat: Option<Duration>,
    idle: Duration,
    /// When the upstream last sent something.
    last_upstream: Instant,
    /// When the next heartbeat is due.
    next_heartbeat: Option<Instant>,
    /// When the stream must end, upstream data or not.
    deadline: Option<Instant>,
    /// Whether the idle timeout or the deadline has passed (the pacer is then done).
    expired: bool,
}

impl Pacer {
    /// A pacer whose clocks start at `now`. A zero `heartbeat` is the same as `None`.
    pub fn new(now: Instant, heartbeat: Option<Duration>, idle: Duration) -> Self {
        let heartbeat = heartbeat.filter(|d| !d.is_zero());
        Pacer {
            heartbeat,
            idle,
            last_upstream: now,
            next_heartbeat: heartbeat.map(|d| now + d),
            deadline: None,
            expired: false,
        }
    }

    /// The same pacer, which also ends the stream at `deadline` ([`PacerTimeout::Deadline`]),
    /// however lively the upstream is.
    ///
    /// ```
    /// use std::time::{Duration, Instant};
    /// use openai_wire_convert::stream::pacer::{Pacer, PacerTimeout};
    ///
    /// let start = Instant::now();
    /// let end = start + Duration::from_secs(60);
    /// let mut pacer = Pacer::new(start, None, Duration::from_secs(30)).with_deadline(Some(end));
    /// pacer.on_upstream(start + Duration::from_secs(50));
    /// assert_eq!(pacer.poll_timeout(), Some(end));
    /// assert_eq!(pacer.handle_timeout(end), Some(PacerTimeout::Deadline));
    /// assert_eq!(pacer.poll_timeout(), None);
    /// ```
    pub fn with_deadline(mut self, deadline: Option<Instant>) -> Self {
        self.deadline = deadline;
        self
    }

    /// The upstream sent something at `now`: both clocks start again.
    pub fn on_upstream(&mut self, now: Instant) {
        self.last_upstream = now;
        self.next_heartbeat = self.heartbeat.map(|d| now + d);
    }

    /// When [`handle_timeout`](Self::handle_timeout) should next be called; `None` once the
    /// idle deadline has passed.
    pub fn poll_timeout(&self) -> Option<Instant> {
        if self.expired {
            return None;
        }
        let idle_at = self.last_upstream + self.idle;
        let next = match self.next_heartbeat {
            Some(beat) if beat < idle_at => beat,
            _ => idle_at,
        };
        Some(match self.deadline {
            Some(deadline) if deadline < next => deadline,
            _ => next,
        })
    }

    /// What is due at `now`, if anything: [`PacerTimeout::Deadline`] once the deadline has
    /// passed (once only), [`PacerTimeout::Idle`] once the upstream has been silent for the
    /// idle timeout (once only), else [`PacerTimeout::Heartbeat`] when a
    /// heartbeat is due (the next one is then a heartbeat interval later).
    pub fn handle_timeout(&mut self, now: Instant) -> Option<PacerTimeout> {
        if self.expired {
            return None;
        }
        if self.deadline.is_some_and(|deadline| now >= deadline) {
            self.expired = true;
            return Some(PacerTimeout::Deadline);
        }
        if now >= self.last_upstream + self.idle {
            self.expired = true;
            return Some(PacerTimeout::Idle);
        }
        match (self.next_heartbeat, self.heartbeat) {
            (Some(due), Some(every)) if now >= due => {
                self.next_heartbeat = Some(now + every);
                Some(PacerTimeout::Heartbeat)
            }
            _ => None,
        }
    }

    /// The idle timeout.
    pub fn idle(&self) -> Duration {
        self.idle
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(n: u64) -> Duration {
        Duration::from_secs(n)
    }

    #[test]
    fn upstream_data_resets_both_clocks() {
        let start = Instant::now();
        let mut pacer = Pacer::new(start, Some(secs(10)), secs(30));
        pacer.on_upstream(start + secs(9));
        assert_eq!(pacer.handle_timeout(start + secs(10)), None);
        assert_eq!(pacer.poll_timeout(), Some(start + secs(19)));
        assert_eq!(
            pacer.handle_timeout(start + secs(19)),
            Some(PacerTimeout::Heartbeat)
        );
        assert_eq!(
            pacer.handle_timeout(start + secs(38)),
            Some(PacerTimeout::Heartbeat)
        );
        assert_eq!(
            pacer.handle_timeout(start + secs(39)),
            Some(PacerTimeout::Idle)
        );
    }

    #[test]
    fn without_heartbeats_only_the_idle_deadline_is_asked_for() {
        let start = Instant::now();
        let mut pacer = Pacer::new(start, Some(Duration::ZERO), secs(5));
        assert_eq!(pacer.poll_timeout(), Some(start + secs(5)));
        assert_eq!(pacer.handle_timeout(start + secs(4)), None);
        assert_eq!(
            pacer.handle_timeout(start + secs(5)),
            Some(PacerTimeout::Idle)
        );
        assert_eq!(pacer.handle_timeout(start + secs(6)), None);
        assert_eq!(pacer.poll_timeout(), None);
    }

    #[test]
    fn the_deadline_ends_a_lively_stream_and_comes_before_idle() {
        let start = Instant::now();
        let mut pacer =
            Pacer::new(start, Some(secs(10)), secs(30)).with_deadline(Some(start + secs(25)));
        for at in [5, 10, 15, 20] {
            pacer.on_upstream(start + secs(at));
            assert_eq!(pacer.handle_timeout(start + secs(at)), None);
        }
        // The next heartbeat would be due at 30, the idle deadline at 50.
        assert_eq!(pacer.poll_timeout(), Some(start + secs(25)));
        assert_eq!(
            pacer.handle_timeout(start + secs(25)),
            Some(PacerTimeout::Deadline)
        );
        assert_eq!(pacer.poll_timeout(), None);
        assert_eq!(pacer.handle_timeout(start + secs(99)), None);
    }

    #[test]
    fn an_early_wake_up_asks_for_nothing() {
        let start = Instant::now();
        let mut pacer = Pacer::new(start, Some(secs(10)), secs(30));
        assert_eq!(pacer.handle_timeout(start + secs(3)), None);
        assert_eq!(pacer.poll_timeout(), Some(start + secs(10)));
    }
}
