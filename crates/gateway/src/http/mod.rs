//! The HTTP answers: thin shells over the [turn](crate::turn) and the store.
//!
//! | module | endpoints |
//! | --- | --- |
//! | [`responses`] | `POST /v1/responses` (SSE or JSON) |
//! | [`compact`] | `POST /v1/responses/compact` (JSON) |
//! | [`stored`] | `GET` / `DELETE /v1/responses/{id}`, replay, `input_items` |
//! | [`chat`] | `POST /v1/chat/completions` |
//! | [`websocket`] | `GET /v1/responses` upgraded: WebSocket mode |
//! | [`search`] | `POST /v1/alpha/search` (Codex's standalone web search) |

pub(crate) mod chat;
pub(crate) mod compact;
pub(crate) mod refusals;
pub(crate) mod responses;
pub(crate) mod search;
pub(crate) mod stored;
pub(crate) mod websocket;

use axum::body::{Body, Bytes};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures_util::Stream;

use crate::error::ApiError;

/// An SSE comment that keeps a quiet stream alive; every SSE reader skips it.
pub(crate) const SSE_KEEP_ALIVE: &[u8] = b": keep-alive\n\n";

/// A `text/event-stream` answer with `body`.
pub(crate) fn sse_response(
    body: impl Stream<Item = Result<Bytes, std::convert::Infallible>> + Send + 'static,
) -> Response {
    Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, "text/event-stream")
        .header(header::CACHE_CONTROL, "no-cache")
        .header("x-accel-buffering", "no")
        .body(Body::from_stream(body))
        .unwrap_or_else(|_| ApiError::internal("cannot build the response").into_response())
}
