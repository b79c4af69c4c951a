//! The one loop that drives every converted stream: upstream items in, the client's events out,
//! with heartbeats and the idle deadline from a sans-IO [`Pacer`].
//!
//! A [`Conversion`] is the sans-IO part (a Chat stream into Responses events, a Responses
//! stream into Chat chunks, a Responses stream relayed and completed); [`pump`] is the only
//! place that waits. It reads the time from tokio's clock, so tests pause and advance it instead
//! of sleeping.
//!
//! Every pumped stream is bounded ([`Limits`]): [`decode_upstream`] stops after
//! `max_bytes` of upstream events ([`Limit::Bytes`]), the pacer's deadline after
//! `max_duration` ([`Limit::Duration`]); the conversion then ends the stream (`incomplete` for
//! size, `failed` with `upstream_timeout` for time), so no upstream can grow a stream's memory
//! or keep it open without end. [`after_send`] makes the upstream request itself part of the
//! stream, so that the client's stream opens before the upstream's headers arrive.

use std::future::Future;
use std::time::Duration;

use futures_util::future::Either;
use futures_util::{Stream, StreamExt, stream};
use openai_wire_convert::stream::pacer::{Pacer, PacerTimeout};
use openai_wire_decode::Format;
use openai_wire_events::StreamEvent;

use crate::error::ApiError;
use crate::upstream::SendError;

mod upstream_body;

pub(crate) use upstream_body::UpstreamBody;

/// The largest single upstream event accepted (memory per stream stays bounded).
pub(crate) const MAX_UPSTREAM_EVENT: usize = 4 << 20;

/// What the upstream said next.
#[derive(Debug)]
pub(crate) enum Upstream<E> {
    /// A decoded event.
    Event(E),
    /// `data: [DONE]`.
    Done,
    /// The connection closed cleanly.
    End,
    /// An event that could not be decoded (the message says why).
    Malformed(String),
    /// The connection broke off (`timeout`: the read timed out).
    Broken {
        /// What happened.
        message: String,
        /// Whether it was a read timeout.
        timeout: bool,
    },
    /// The upstream's answer arrived (its status and headers; [`after_send`]).
    Answered,
    /// The upstream refused the request (an error status) or could not be reached
    /// ([`after_send`]): what the client would have got as an HTTP error.
    Refused(ApiError),
    /// A bound on the response was reached ([`Limits`]).
    Limit(Limit),
    /// A step of a tool the gateway runs inside the response (its web search).
    Server(crate::turn::server_tools::ServerStep),
}

/// The bounds of one pumped response. Zero: no bound.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Limits {
    /// At most this many bytes of upstream events (their JSON as received).
    pub(crate) max_bytes: usize,
    /// At most this long, from the start of the pump.
    pub(crate) max_duration: Duration,
}

impl Limits {
    /// The configured bounds.
    pub(crate) fn of(config: &crate::config::Config) -> Self {
        Limits {
            max_bytes: config.max_response_bytes,
            max_duration: config.max_response_duration,
        }
    }
}

/// Which bound a response reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Limit {
    /// `max_response_bytes` of upstream events.
    Bytes(usize),
    /// `max_response_secs`.
    Duration(Duration),
}

impl Limit {
    /// What the client is told.
    pub(crate) fn message(self) -> String {
        match self {
            Limit::Bytes(max) => format!(
                "The response reached the gateway's size limit ({max} bytes of upstream stream, \
                 max_response_bytes) and was ended there."
            ),
            Limit::Duration(max) => format!(
                "The response took longer than the gateway's limit ({} s, max_response_secs) \
                 and was ended there.",
                max.as_secs_f64()
            ),
        }
    }
}

/// A sans-IO stream conversion that [`pump`] drives.
pub(crate) trait Conversion {
    /// The upstream's event type.
    type In;
    /// What goes to the client.
    type Out;
    /// What goes out before the upstream says anything.
    fn start(&mut self) -> Vec<Self::Out>;
    /// What an upstream item turns into.
    fn push(&mut self, item: Upstream<Self::In>) -> Vec<Self::Out>;
    /// A heartbeat event; `None` asks the transport for its own keep-alive (an SSE comment, a
    /// WebSocket ping).
    fn heartbeat(&mut self) -> Option<Self::Out>;
    /// The upstream has been silent for `idle`: what ends the stream.
    fn idle(&mut self, idle: Duration) -> Vec<Self::Out>;
    /// Whether the stream has ended.
    fn is_finished(&self) -> bool;
}

/// One step of a pumped stream.
pub(crate) enum PumpStep<C: Conversion> {
    /// Events for the client.
    Out(Vec<C::Out>),
    /// A heartbeat the conversion has no event for.
    KeepAlive,
    /// The stream has ended; the conversion, for what it knows of the end.
    Finished(Box<C>),
}

/// An upstream HTTP body, decoded as a stream of [`Upstream`] items (comments skipped). Past
/// `max_bytes` of events (zero: no bound) it ends with [`Limit::Bytes`], and the body is
/// dropped.
pub(crate) fn decode_upstream<E>(
    response: reqwest::Response,
    format: Format,
    max_bytes: usize,
) -> UpstreamBody<E>
where
    E: StreamEvent,
{
    UpstreamBody::new(response, format, max_bytes)
}

/// The upstream request and its answer as one stream: [`Upstream::Answered`] when the
/// answer's headers arrive, then its decoded body ([`decode_upstream`]); or
/// [`Upstream::Refused`] when the upstream refuses the request or cannot be reached. The pump
/// sends the client's first events and heartbeats while `send` is pending.
pub(crate) fn after_send<E, F>(
    send: F,
    format: Format,
    max_bytes: usize,
) -> impl Stream<Item = Upstream<E>> + Send + 'static
where
    E: StreamEvent + Send + 'static,
    F: Future<Output = Result<reqwest::Response, SendError>> + Send + 'static,
{
    // Boxed, so that the request's state is freed once the answer is in rather than kept in
    // the stream's state for its whole life.
    let send = Box::pin(send);
    stream::once(send).flat_map(move |answer| match answer {
        Ok(answer) => Either::Left(
            stream::iter([Upstream::Answered]).chain(decode_upstream(answer, format, max_bytes)),
        ),
        Err(error) => Either::Right(stream::iter([Upstream::Refused(error.to_api_error())])),
    })
}

/// What woke the pump.
enum Wake<E> {
    Upstream(Option<Upstream<E>>),
    Deadline,
}

/// Drives `conversion` over `upstream` until it is finished: each upstream item is pushed as
/// it comes, a heartbeat goes out whenever the [`Pacer`] says one is due, and the stream ends
/// through [`Conversion::idle`] when the upstream stays silent past the idle timeout. An
/// upstream that ends is pushed [`Upstream::End`]. Past `limits.max_duration` the
/// conversion is pushed [`Limit::Duration`]. Dropping the stream drops the upstream.
pub(crate) fn pump<C, S>(
    mut conversion: C,
    upstream: S,
    heartbeat: Option<Duration>,
    idle: Duration,
    limits: Limits,
) -> impl Stream<Item = PumpStep<C>> + Send
where
    C: Conversion + Send + 'static,
    C::In: Send,
    C::Out: Send,
    S: Stream<Item = Upstream<C::In>> + Send + 'static,
{
    async_stream::stream! {
        let first = conversion.start();
        if !first.is_empty() {
            yield PumpStep::Out(first);
        }
        let mut upstream = std::pin::pin!(upstream);
        let start = now();
        let max_duration = limits.max_duration;
        let deadline = (!max_duration.is_zero()).then(|| start + max_duration);
        let mut pacer = Pacer::new(start, heartbeat, idle).with_deadline(deadline);
        let sleep = tokio::time::sleep(Duration::ZERO);
        let mut sleep = std::pin::pin!(sleep);
        let mut armed: Option<std::time::Instant> = None;
        while !conversion.is_finished() {
            let Some(deadline) = pacer.poll_timeout() else { break };
            if needs_rearm(armed, deadline, sleep.is_elapsed()) {
                sleep.as_mut().reset(tokio::time::Instant::from_std(deadline));
                armed = Some(deadline);
            }
            let wake = tokio::select! {
                biased;
                item = upstream.next() => Wake::Upstream(item),
                () = &mut sleep => Wake::Deadline,
            };
            match wake {
                Wake::Upstream(item) => {
                    pacer.on_upstream(now());
                    let out = conversion.push(item.unwrap_or(Upstream::End));
                    if !out.is_empty() {
                        yield PumpStep::Out(out);
                    }
                }
                Wake::Deadline => match pacer.handle_timeout(now()) {
                    Some(PacerTimeout::Heartbeat) => match conversion.heartbeat() {
                        Some(event) => yield PumpStep::Out(vec![event]),
                        None => yield PumpStep::KeepAlive,
                    },
                    Some(PacerTimeout::Idle) => yield PumpStep::Out(conversion.idle(idle)),
                    Some(PacerTimeout::Deadline) => {
                        let out = conversion.push(Upstream::Limit(Limit::Duration(max_duration)));
                        yield PumpStep::Out(out);
                    }
                    None => {}
                },
            }
        }
        yield PumpStep::Finished(Box::new(conversion));
    }
}

/// Whether the pump's timer, armed for `armed`, must be set again for the pacer's next
/// `deadline`. Upstream data only moves the pacer's deadlines later, so the timer is left as it
/// is then: it fires early, [`Pacer::handle_timeout`] finds nothing due, and it is set again.
/// One timer reset per heartbeat interval, not per upstream event (issue 15).
fn needs_rearm(
    armed: Option<std::time::Instant>,
    deadline: std::time::Instant,
    elapsed: bool,
) -> bool {
    armed.is_none_or(|armed| elapsed || deadline < armed)
}

/// Now, on tokio's clock (paused and advanced in tests).
fn now() -> std::time::Instant {
    tokio::time::Instant::now().into_std()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Counts what it is given; ends on `End` or on idle.
    #[derive(Default)]
    struct Counting {
        finished: bool,
    }

    impl Conversion for Counting {
        type In = u32;
        type Out = String;
        fn start(&mut self) -> Vec<String> {
            vec!["start".into()]
        }
        fn push(&mut self, item: Upstream<u32>) -> Vec<String> {
            match item {
                Upstream::Event(n) => vec![format!("event {n}")],
                Upstream::Limit(limit) => {
                    self.finished = true;
                    vec![format!("{limit:?}")]
                }
                _ => {
                    self.finished = true;
                    vec!["end".into()]
                }
            }
        }
        fn heartbeat(&mut self) -> Option<String> {
            Some("beat".into())
        }
        fn idle(&mut self, idle: Duration) -> Vec<String> {
            self.finished = true;
            vec![format!("idle after {}s", idle.as_secs())]
        }
        fn is_finished(&self) -> bool {
            self.finished
        }
    }

    async fn collect(steps: impl Stream<Item = PumpStep<Counting>>) -> Vec<String> {
        let mut out = Vec::new();
        let mut steps = std::pin::pin!(steps);
        while let Some(step) = steps.next().await {
            match step {
                PumpStep::Out(events) => out.extend(events),
                PumpStep::KeepAlive => out.push("keep-alive".into()),
                PumpStep::Finished(_) => out.push("finished".into()),
            }
        }
        out
    }

    #[tokio::test(start_paused = true)]
    async fn heartbeats_while_silent_then_the_idle_deadline_ends_the_stream() {
        let (send, receive) = tokio::sync::mpsc::unbounded_channel::<Upstream<u32>>();
        let upstream = tokio_stream_from(receive);
        send.send(Upstream::Event(1)).unwrap();
        let steps = pump(
            Counting::default(),
            upstream,
            Some(Duration::from_secs(10)),
            Duration::from_secs(35),
            Limits::default(),
        );
        let out = collect(steps).await;
        assert_eq!(
            out,
            [
                "start",
                "event 1",
                "beat",
                "beat",
                "beat",
                "idle after 35s",
                "finished"
            ]
        );
        drop(send);
    }

    #[tokio::test(start_paused = true)]
    async fn upstream_data_postpones_the_heartbeat() {
        let (send, receive) = tokio::sync::mpsc::unbounded_channel::<Upstream<u32>>();
        let upstream = tokio_stream_from(receive);
        let feeder = tokio::spawn(async move {
            for n in 0..3 {
                tokio::time::sleep(Duration::from_secs(8)).await;
                send.send(Upstream::Event(n)).unwrap();
            }
            // Dropping the sender ends the upstream.
        });
        let steps = pump(
            Counting::default(),
            upstream,
            Some(Duration::from_secs(10)),
            Duration::from_secs(60),
            Limits::default(),
        );
        let out = collect(steps).await;
        feeder.await.unwrap();
        assert_eq!(
            out,
            ["start", "event 0", "event 1", "event 2", "end", "finished"]
        );
    }

    #[tokio::test(start_paused = true)]
    async fn without_a_heartbeat_event_the_transport_keeps_the_connection_alive() {
        struct Silent(Counting);
        impl Conversion for Silent {
            type In = u32;
            type Out = String;
            fn start(&mut self) -> Vec<String> {
                Vec::new()
            }
            fn push(&mut self, item: Upstream<u32>) -> Vec<String> {
                self.0.push(item)
            }
            fn heartbeat(&mut self) -> Option<String> {
                None
            }
            fn idle(&mut self, idle: Duration) -> Vec<String> {
                self.0.idle(idle)
            }
            fn is_finished(&self) -> bool {
                self.0.is_finished()
            }
        }
        let (_send, receive) = tokio::sync::mpsc::unbounded_channel::<Upstream<u32>>();
        let steps = pump(
            Silent(Counting::default()),
            tokio_stream_from(receive),
            Some(Duration::from_secs(5)),
            Duration::from_secs(12),
            Limits::default(),
        );
        let mut kinds = Vec::new();
        let mut steps = std::pin::pin!(steps);
        while let Some(step) = steps.next().await {
            kinds.push(match step {
                PumpStep::Out(events) => events.join(","),
                PumpStep::KeepAlive => "keep-alive".into(),
                PumpStep::Finished(_) => "finished".into(),
            });
        }
        assert_eq!(
            kinds,
            ["keep-alive", "keep-alive", "idle after 12s", "finished"]
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_lively_upstream_is_ended_at_the_duration_limit() {
        let (send, receive) = tokio::sync::mpsc::unbounded_channel::<Upstream<u32>>();
        let feeder = tokio::spawn(async move {
            for n in 0.. {
                tokio::time::sleep(Duration::from_secs(4)).await;
                if send.send(Upstream::Event(n)).is_err() {
                    break;
                }
            }
        });
        let steps = pump(
            Counting::default(),
            tokio_stream_from(receive),
            Some(Duration::from_secs(5)),
            Duration::from_secs(30),
            Limits {
                max_bytes: 0,
                max_duration: Duration::from_secs(10),
            },
        );
        let out = collect(steps).await;
        feeder.abort();
        assert_eq!(
            out,
            ["start", "event 0", "event 1", "Duration(10s)", "finished"]
        );
    }

    fn tokio_stream_from<T: Send + 'static>(
        mut receive: tokio::sync::mpsc::UnboundedReceiver<T>,
    ) -> impl Stream<Item = T> + Send + 'static {
        async_stream::stream! {
            while let Some(item) = receive.recv().await {
                yield item;
            }
        }
    }
}
