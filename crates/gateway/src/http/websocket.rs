//! WebSocket mode: `GET /v1/responses` upgraded to a WebSocket, a [`Turn`] per
//! `response.create`.
//!
//! Each client text frame is one `{"type": "response.create", ...POST body fields}`; each event
//! of the response goes out as one text frame, exactly the JSON of the SSE `data:` line, in
//! order, ending with the terminal event. On one connection:
//!
//! - responses run one at a time, in the order asked (frames received meanwhile wait);
//! - the last response's conversation is kept in memory (up to
//!   [`Config::websocket_max_cached_bytes`](crate::Config::websocket_max_cached_bytes)), so a
//!   `store: false` response can be continued with `previous_response_id` and only the new
//!   input; a continuation that fails drops it;
//! - `generate: false` is a warm-up answered without the model ([`warmup`]);
//! - a client error is an `error` event ([`ApiError::to_websocket_event`]) and the connection
//!   stays open; a binary frame closes it with 1003, a message past
//!   [`Config::websocket_max_message_bytes`](crate::Config::websocket_max_message_bytes) with
//!   1009;
//! - a client that closes or goes away cancels the running response (stored `cancelled`);
//! - after [`Config::websocket_lifetime`](crate::Config::websocket_lifetime) the running
//!   response finishes, then an `error` event `websocket_connection_limit_reached` and a close;
//! - on shutdown the running response finishes, then a close with 1001;
//! - a silent upstream with no heartbeat event gets the client a ping.

mod frames;
mod warmup;

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Instant;

use axum::extract::State;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::response::Response;
use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use openai_wire_events::{ResponseStatus, ResponseStreamEvent};

use crate::error::ApiError;
use crate::state::{AppState, RouteHints};
use crate::telemetry::{self, StreamGuard};
use crate::turn::{Conversation, Turn, TurnOutcome, TurnStep, TurnSteps};
use frames::{CLOSE_GOING_AWAY, CLOSE_NORMAL, Create, Incoming};

/// At most this many client events wait while a response runs; past it the socket is not read
/// (the client's further frames wait in the network buffers).
const MAX_QUEUED: usize = 16;

/// `GET /v1/responses` with `Upgrade: websocket` (client authentication has happened).
pub(crate) async fn upgrade(
    State(state): State<Arc<AppState>>,
    hints: RouteHints,
    upgrade: WebSocketUpgrade,
) -> Response {
    let max = state.config.websocket_max_message_bytes;
    // Taken now, so that a shutdown waits for the connection from the upgrade on.
    let open = state.connections.token();
    upgrade
        .max_message_size(max)
        .max_frame_size(max)
        .on_upgrade(move |socket| async move {
            telemetry::websocket_connection();
            Connection::new(state, hints, socket).run().await;
            drop(open);
        })
}

/// Why a connection ends.
enum End {
    /// The client closed it or went away.
    Gone,
    /// The server is shutting down.
    Shutdown,
    /// The connection lived its lifetime.
    Lifetime,
    /// A protocol error: close with this code and reason.
    Refused(u16, &'static str),
}

/// One upgraded connection.
struct Connection {
    state: Arc<AppState>,
    hints: RouteHints,
    sink: SplitSink<WebSocket, Message>,
    stream: SplitStream<WebSocket>,
    /// The last response's conversation.
    cached: Option<Conversation>,
    /// Client events waiting for the running response to end.
    queue: VecDeque<String>,
    deadline: tokio::time::Instant,
}

impl Connection {
    fn new(state: Arc<AppState>, hints: RouteHints, socket: WebSocket) -> Self {
        let (sink, stream) = socket.split();
        let now = tokio::time::Instant::now();
        let deadline = now
            .checked_add(state.config.websocket_lifetime)
            .unwrap_or_else(|| now + std::time::Duration::from_secs(100 * 365 * 86_400));
        Connection {
            state,
            hints,
            sink,
            stream,
            cached: None,
            queue: VecDeque::new(),
            deadline,
        }
    }

    /// Answers client events, one at a time, until the connection ends.
    async fn run(mut self) {
        let end = loop {
            let text = match self.queue.pop_front() {
                Some(text) => text,
                None => match self.idle().await {
                    Ok(text) => text,
                    Err(end) => break end,
                },
            };
            if let Err(end) = self.answer(&text).await {
                break end;
            }
            if self.state.shutdown.is_cancelled() {
                break End::Shutdown;
            }
            if tokio::time::Instant::now() >= self.deadline {
                break End::Lifetime;
            }
        };
        self.end(end).await;
    }

    /// Waits for the next client event with no response running.
    async fn idle(&mut self) -> Result<String, End> {
        loop {
            tokio::select! {
                biased;
                () = self.state.shutdown.cancelled() => return Err(End::Shutdown),
                () = tokio::time::sleep_until(self.deadline) => return Err(End::Lifetime),
                message = self.stream.next() => match Incoming::of(message) {
                    Incoming::Text(text) => return Ok(text),
                    Incoming::Control => {}
                    Incoming::Gone => return Err(End::Gone),
                    Incoming::Refused(code, reason) => return Err(End::Refused(code, reason)),
                },
            }
        }
    }

    /// Answers one client event: a response, a warm-up, or an `error` event.
    async fn answer(&mut self, text: &str) -> Result<(), End> {
        let started = Instant::now();
        let Create { request, generate } = match frames::read_create(text) {
            Ok(create) => create,
            Err(error) => return self.refuse(&error, false).await,
        };
        let continues = request.previous_response_id.is_some()
            && request.previous_response_id.as_deref()
                == self.cached.as_ref().map(|c| c.response_id.as_str());
        let turn =
            match Turn::prepare(&self.state, request, &self.hints, self.cached.as_ref()).await {
                Ok(turn) => turn,
                Err(error) => return self.refuse(&error, continues).await,
            };
        if !generate {
            return self.warm_up(turn).await;
        }
        match turn.start(started).await {
            Ok(steps) => self.stream_turn(steps, started).await,
            Err(error) => self.refuse(&error, continues).await,
        }
    }

    /// Sends `error` as an `error` event; a refused continuation drops the cached response.
    async fn refuse(&mut self, error: &ApiError, continues: bool) -> Result<(), End> {
        if continues {
            self.cached = None;
        }
        telemetry::websocket_response("error");
        self.send_json(&error.to_websocket_event()).await
    }

    /// `generate: false`: `response.created` and `response.completed`, no upstream request.
    async fn warm_up(&mut self, turn: Turn) -> Result<(), End> {
        let (id, events) = match warmup::events(&turn) {
            Ok(answer) => answer,
            Err(error) => {
                let error = ApiError::internal(format!("cannot build the warm-up: {error}"));
                return self.refuse(&error, false).await;
            }
        };
        let conversation =
            warmup::conversation(&self.state, &self.hints, &turn, id, self.cached.as_ref()).await;
        self.keep(conversation);
        telemetry::websocket_response("warmup");
        for event in &events {
            self.send_event(event).await?;
        }
        Ok(())
    }

    /// Sends the turn's events as they come, watching the client meanwhile: a close cancels
    /// the turn (dropping its steps), other events wait their turn.
    async fn stream_turn(&mut self, mut steps: TurnSteps, started: Instant) -> Result<(), End> {
        let _guard = StreamGuard::new("websocket", started);
        loop {
            let step = tokio::select! {
                biased;
                message = self.stream.next(), if self.queue.len() < MAX_QUEUED => {
                    match Incoming::of(message) {
                        Incoming::Text(text) => self.queue.push_back(text),
                        Incoming::Control => {}
                        Incoming::Gone => return Err(self.cancelled(End::Gone)),
                        Incoming::Refused(code, reason) => {
                            return Err(self.cancelled(End::Refused(code, reason)));
                        }
                    }
                    continue;
                }
                step = steps.next() => step,
            };
            match step {
                Some(TurnStep::Events(events)) => {
                    for event in &events {
                        if let Err(end) = self.send_event(event).await {
                            return Err(self.cancelled(end));
                        }
                    }
                }
                Some(TurnStep::KeepAlive) => {
                    if let Err(end) = self.send(Message::Ping(Default::default())).await {
                        return Err(self.cancelled(end));
                    }
                }
                Some(TurnStep::Finished(outcome)) => {
                    self.finished(*outcome);
                    return Ok(());
                }
                None => return Ok(()),
            }
        }
    }

    fn cancelled(&mut self, end: End) -> End {
        telemetry::websocket_response("cancelled");
        end
    }

    /// Keeps a finished turn's conversation when it can be continued.
    fn finished(&mut self, outcome: TurnOutcome) {
        let status = match outcome.response.status {
            Some(ResponseStatus::Completed) => "completed",
            Some(ResponseStatus::Incomplete) => "incomplete",
            _ => "failed",
        };
        telemetry::websocket_response(status);
        let continuable = status != "failed";
        self.keep(continuable.then_some(outcome.conversation));
    }

    /// Keeps `conversation` as the connection's last response, unless it is too big.
    fn keep(&mut self, conversation: Option<Conversation>) {
        let max = self.state.config.websocket_max_cached_bytes;
        self.cached = conversation.filter(|conversation| {
            let size = serde_json::to_vec(&conversation.items).map_or(usize::MAX, |v| v.len());
            let fits = size <= max;
            if !fits {
                tracing::debug!(
                    size,
                    max,
                    "websocket: the conversation is too big to keep in memory"
                );
            }
            fits
        });
    }

    async fn send_event(&mut self, event: &ResponseStreamEvent) -> Result<(), End> {
        match serde_json::to_string(event) {
            Ok(json) => self.send(Message::Text(json.into())).await,
            Err(error) => {
                tracing::error!(%error, "cannot encode an event");
                Ok(())
            }
        }
    }

    async fn send_json(&mut self, value: &serde_json::Value) -> Result<(), End> {
        self.send(Message::Text(value.to_string().into())).await
    }

    async fn send(&mut self, message: Message) -> Result<(), End> {
        self.sink.send(message).await.map_err(|error| {
            tracing::debug!(%error, "websocket write");
            End::Gone
        })
    }

    /// Ends the connection as `end` says.
    async fn end(mut self, end: End) {
        let (code, reason) = match end {
            End::Gone => {
                let _ = self.sink.close().await;
                return;
            }
            End::Shutdown => (CLOSE_GOING_AWAY, "server shutting down"),
            End::Refused(code, reason) => (code, reason),
            End::Lifetime => {
                let minutes = self.state.config.websocket_lifetime.as_secs() / 60;
                let error = ApiError::from_code(
                    "websocket_connection_limit_reached",
                    format!(
                        "Responses websocket connection limit reached ({minutes} minutes). \
                         Create a new websocket connection to continue."
                    ),
                );
                if self.send_json(&error.to_websocket_event()).await.is_err() {
                    return;
                }
                (CLOSE_NORMAL, "connection limit reached")
            }
        };
        let frame = CloseFrame {
            code,
            reason: reason.into(),
        };
        if self.send(Message::Close(Some(frame))).await.is_err() {
            return;
        }
        // Wait (briefly) for the client's close frame, so that the connection ends cleanly.
        let drain = async { while self.stream.next().await.is_some() {} };
        let _ = tokio::time::timeout(std::time::Duration::from_secs(1), drain).await;
    }
}
