//! Metric names and the small helpers that record them.
//!
//! | metric | kind | labels |
//! | --- | --- | --- |
//! | `openai_wire_requests_total` | counter | `endpoint`, `status` |
//! | `openai_wire_request_duration_seconds` | histogram | `endpoint` |
//! | `openai_wire_time_to_first_byte_seconds` | histogram | `endpoint` (first upstream byte) |
//! | `openai_wire_upstream_errors_total` | counter | `provider`, `code` |
//! | `openai_wire_active_streams` | gauge | |
//! | `openai_wire_store_errors_total` | counter | `operation` |
//! | `openai_wire_websocket_connections_total` | counter | (WebSocket mode: connections upgraded) |
//! | `openai_wire_websocket_responses_total` | counter | `status` (`completed`, `incomplete`, `failed`, `cancelled`, `warmup`, `error`: an `error` event instead of a response) |

use std::time::Instant;

/// `openai_wire_requests_total`.
pub const REQUESTS: &str = "openai_wire_requests_total";
/// `openai_wire_request_duration_seconds`.
pub const DURATION: &str = "openai_wire_request_duration_seconds";
/// `openai_wire_time_to_first_byte_seconds`.
pub const TTFB: &str = "openai_wire_time_to_first_byte_seconds";
/// `openai_wire_upstream_errors_total`.
pub const UPSTREAM_ERRORS: &str = "openai_wire_upstream_errors_total";
/// `openai_wire_active_streams`.
pub const ACTIVE_STREAMS: &str = "openai_wire_active_streams";
/// `openai_wire_store_errors_total`.
pub const STORE_ERRORS: &str = "openai_wire_store_errors_total";
/// `openai_wire_websocket_connections_total`.
pub const WEBSOCKET_CONNECTIONS: &str = "openai_wire_websocket_connections_total";
/// `openai_wire_websocket_responses_total`.
pub const WEBSOCKET_RESPONSES: &str = "openai_wire_websocket_responses_total";

pub(crate) fn describe() {
    metrics::describe_counter!(REQUESTS, "Requests answered, by endpoint and HTTP status.");
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

/// Counts one active stream while alive.
pub(crate) struct StreamGuard {
    endpoint: &'static str,
    started: Instant,
}

impl StreamGuard {
    pub(crate) fn new(endpoint: &'static str, started: Instant) -> Self {
        metrics::gauge!(ACTIVE_STREAMS).increment(1.0);
        StreamGuard { endpoint, started }
    }
}

impl Drop for StreamGuard {
    fn drop(&mut self) {
        metrics::gauge!(ACTIVE_STREAMS).decrement(1.0);
        metrics::histogram!(DURATION, "endpoint" => self.endpoint)
            .record(self.started.elapsed().as_secs_f64());
    }
}
