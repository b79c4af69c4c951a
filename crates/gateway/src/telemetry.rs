//! Metric names and the small helpers that record them.
//!
//! | metric | kind | labels |
//! | --- | --- | --- |
//! | `openai_wire_requests_total` | counter | `endpoint`, `status` (a streamed answer is counted when it ends: `200` when it finished, else the status its error would have had, `499` when the client went away) |
//! | `openai_wire_streams_total` | counter | `endpoint`, `outcome` (`completed`, `incomplete`, `failed`, `cancelled`: streamed answers by how they ended) |
//! | `openai_wire_request_duration_seconds` | histogram | `endpoint` |
//! | `openai_wire_time_to_first_byte_seconds` | histogram | `endpoint` (first upstream byte) |
//! | `openai_wire_upstream_errors_total` | counter | `provider`, `code` |
//! | `openai_wire_active_streams` | gauge | |
//! | `openai_wire_worker_connections` | gauge | `worker` (client connections each worker thread serves now, WebSockets included) |
//! | `openai_wire_connections_refused_total` | counter | (connections past `max_connections`, answered `503` or closed) |
//! | `openai_wire_store_errors_total` | counter | `operation` |
//! | `openai_wire_websocket_connections_total` | counter | (WebSocket mode: connections upgraded) |
//! | `openai_wire_websocket_responses_total` | counter | `status` (`completed`, `incomplete`, `failed`, `cancelled`, `warmup`, `error`: an `error` event instead of a response) |

use std::time::Instant;

/// `openai_wire_requests_total`.
pub const REQUESTS: &str = "openai_wire_requests_total";
/// `openai_wire_streams_total`.
pub const STREAMS: &str = "openai_wire_streams_total";
/// `openai_wire_request_duration_seconds`.
pub const DURATION: &str = "openai_wire_request_duration_seconds";
/// `openai_wire_time_to_first_byte_seconds`.
pub const TTFB: &str = "openai_wire_time_to_first_byte_seconds";
/// `openai_wire_upstream_errors_total`.
pub const UPSTREAM_ERRORS: &str = "openai_wire_upstream_errors_total";
/// `openai_wire_active_streams`.
pub const ACTIVE_STREAMS: &str = "openai_wire_active_streams";
/// `openai_wire_worker_connections`.
pub const WORKER_CONNECTIONS: &str = "openai_wire_worker_connections";
/// `openai_wire_connections_refused_total`.
pub const CONNECTIONS_REFUSED: &str = "openai_wire_connections_refused_total";
/// `openai_wire_store_errors_total`.
pub const STORE_ERRORS: &str = "openai_wire_store_errors_total";
/// `openai_wire_websocket_connections_total`.
pub const WEBSOCKET_CONNECTIONS: &str = "openai_wire_websocket_connections_total";
/// `openai_wire_websocket_responses_total`.
pub const WEBSOCKET_RESPONSES: &str = "openai_wire_websocket_responses_total";

pub(crate) fn describe() {
    metrics::describe_counter!(REQUESTS, "Requests answered, by endpoint and HTTP status.");
    metrics::describe_counter!(
        STREAMS,
        "Streamed answers, by endpoint and how they ended (completed, incomplete, failed, cancelled)."
    );
    metrics::describe_histogram!(
        DURATION,
        metrics::Unit::Seconds,
        "Request duration, to the last byte."
    );
    metrics::describe_histogram!(
        TTFB,
        metrics::Unit::Seconds,
        "Time to the upstream's first byte."
    );
    metrics::describe_counter!(
        UPSTREAM_ERRORS,
        "Upstream failures, by provider and OpenAI error code."
    );
    metrics::describe_gauge!(ACTIVE_STREAMS, "Streams being sent to clients now.");
    metrics::describe_gauge!(
        WORKER_CONNECTIONS,
        "Client connections each worker thread serves now, WebSockets included."
    );
    metrics::describe_counter!(
        CONNECTIONS_REFUSED,
        "Connections past max_connections, answered 503 or closed."
    );
    metrics::describe_counter!(STORE_ERRORS, "Store operations that failed.");
    metrics::describe_counter!(
        WEBSOCKET_CONNECTIONS,
        "WebSocket-mode connections accepted (GET /v1/responses upgraded)."
    );
    metrics::describe_counter!(
        WEBSOCKET_RESPONSES,
        "response.create events answered over WebSocket connections, by outcome."
    );
}

/// The gauge of the connections worker `index` serves.
pub(crate) fn worker_connections(index: usize) -> metrics::Gauge {
    metrics::gauge!(WORKER_CONNECTIONS, "worker" => index.to_string())
}

pub(crate) fn connection_refused() {
    metrics::counter!(CONNECTIONS_REFUSED).increment(1);
}

pub(crate) fn websocket_connection() {
    metrics::counter!(WEBSOCKET_CONNECTIONS).increment(1);
}

pub(crate) fn websocket_response(status: &'static str) {
    metrics::counter!(WEBSOCKET_RESPONSES, "status" => status).increment(1);
}

pub(crate) fn request_done(endpoint: &'static str, status: u16, started: Instant) {
    metrics::counter!(REQUESTS, "endpoint" => endpoint, "status" => status.to_string())
        .increment(1);
    metrics::histogram!(DURATION, "endpoint" => endpoint).record(started.elapsed().as_secs_f64());
}

pub(crate) fn first_byte(endpoint: &'static str, started: Instant) {
    metrics::histogram!(TTFB, "endpoint" => endpoint).record(started.elapsed().as_secs_f64());
}

pub(crate) fn upstream_error(provider: &str, code: &str) {
    metrics::counter!(UPSTREAM_ERRORS, "provider" => provider.to_owned(), "code" => code.to_owned()).increment(1);
}

pub(crate) fn store_error(operation: &'static str) {
    metrics::counter!(STORE_ERRORS, "operation" => operation).increment(1);
}

/// How a streamed answer ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StreamOutcome {
    /// It finished properly.
    Completed,
    /// It finished `incomplete` (a length or content limit).
    Incomplete,
    /// It ended with an error; the HTTP status the error would have had.
    Failed(u16),
    /// The client went away first.
    Cancelled,
}

impl StreamOutcome {
    /// The outcome of a stream that ended with error `code` (`None`: no code).
    pub(crate) fn failed(code: Option<&str>) -> Self {
        StreamOutcome::Failed(openai_wire_convert::error_codes::status_of(
            code.unwrap_or("server_error"),
        ))
    }

    fn labels(self) -> (&'static str, u16) {
        match self {
            StreamOutcome::Completed => ("completed", 200),
            StreamOutcome::Incomplete => ("incomplete", 200),
            StreamOutcome::Failed(status) => ("failed", status),
            StreamOutcome::Cancelled => ("cancelled", 499),
        }
    }
}

/// Counts one active stream while alive. A [`counted`](Self::counted) guard, when dropped,
/// also counts the request by how the stream ended ([`finish`](Self::finish); `cancelled` when
/// it was not called).
pub(crate) struct StreamGuard {
    endpoint: &'static str,
    started: Instant,
    counted: bool,
    outcome: Option<StreamOutcome>,
}

impl StreamGuard {
    pub(crate) fn new(endpoint: &'static str, started: Instant) -> Self {
        metrics::gauge!(ACTIVE_STREAMS).increment(1.0);
        StreamGuard {
            endpoint,
            started,
            counted: false,
            outcome: None,
        }
    }

    /// A guard that counts the request (`openai_wire_requests_total`) and its outcome
    /// (`openai_wire_streams_total`) when the stream ends.
    pub(crate) fn counted(endpoint: &'static str, started: Instant) -> Self {
        StreamGuard {
            counted: true,
            ..Self::new(endpoint, started)
        }
    }

    /// Notes how the stream ended.
    pub(crate) fn finish(&mut self, outcome: StreamOutcome) {
        self.outcome = Some(outcome);
    }
}

impl Drop for StreamGuard {
    fn drop(&mut self) {
        metrics::gauge!(ACTIVE_STREAMS).decrement(1.0);
        if self.counted {
            let (outcome, status) = self.outcome.unwrap_or(StreamOutcome::Cancelled).labels();
            metrics::counter!(STREAMS, "endpoint" => self.endpoint, "outcome" => outcome)
                .increment(1);
            metrics::counter!(REQUESTS, "endpoint" => self.endpoint, "status" => status.to_string())
                .increment(1);
        }
        metrics::histogram!(DURATION, "endpoint" => self.endpoint)
            .record(self.started.elapsed().as_secs_f64());
    }
}
