//! `POST /v1/responses`: a [`Turn`] answered as an SSE stream or as one JSON response.

use std::sync::Arc;
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use openai_wire_emit::write_response_sse;
use openai_wire_events::ResponseStatus;

use crate::error::ApiError;
use crate::http::{SSE_KEEP_ALIVE, sse_response};
use crate::state::{AppState, RouteHints};
use crate::telemetry::{self, StreamGuard, StreamOutcome};
use crate::turn::{Turn, TurnRequest, TurnStep, TurnSteps};

/// `POST /v1/responses`.
pub(crate) async fn create(
    State(state): State<Arc<AppState>>,
    hints: RouteHints,
    body: Bytes,
) -> Response {
    let started = Instant::now();
    let answer = match answer(&state, &hints, &body, started).await {
        Ok(response) => response,
        Err(error) => error.into_response(),
    };
    let streamed = answer
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v == "text/event-stream");
    // A stream is counted when it ends, by how it ended (`StreamGuard::counted`).
    if !streamed {
        telemetry::request_done("responses", answer.status().as_u16(), started);
    }
    answer
}

async fn answer(
    state: &Arc<AppState>,
    hints: &RouteHints,
    body: &[u8],
    started: Instant,
) -> Result<Response, ApiError> {
    let request = TurnRequest::from_bytes(body)?;
    let streaming = request.stream;
    let turn = Turn::prepare(state, request, hints, None).await?;
    let warnings = turn.warnings();
    let steps = turn.start(started).await?;
    let mut response = if streaming {
        sse_answer(steps, started)
    } else {
        json_answer(steps).await?
    };
    for warning in warnings {
        if let Ok(value) = header::HeaderValue::from_str(&warning) {
            response.headers_mut().append(WARNING_HEADER, value);
        }
    }
    Ok(response)
}

/// The header that tells the client what the gateway could not do for its request (a hosted
/// tool dropped): one per warning.
pub(crate) const WARNING_HEADER: &str = "openai-wire-warning";

/// The turn as an SSE stream: each step's events in one write.
fn sse_answer(mut steps: TurnSteps, started: Instant) -> Response {
    let body = async_stream::stream! {
        let mut guard = StreamGuard::counted("responses", started);
        while let Some(step) = steps.next().await {
            let events = match step {
                TurnStep::Events(events) => events,
                TurnStep::KeepAlive => {
                    yield Ok(Bytes::from_static(SSE_KEEP_ALIVE));
                    continue;
                }
                TurnStep::Finished(outcome) => {
                    guard.finish(stream_outcome(&outcome.response));
                    break;
                }
            };
            let mut out = Vec::new();
            if let Err(error) = write_response_sse(&mut out, &events) {
                tracing::error!(%error, "cannot encode an event");
                continue;
            }
            yield Ok::<_, std::convert::Infallible>(Bytes::from(out));
        }
    };
    sse_response(body)
}

/// How a response that ended a stream counts.
fn stream_outcome(response: &openai_wire_events::Response) -> StreamOutcome {
    match response.status {
        Some(ResponseStatus::Completed) => StreamOutcome::Completed,
        Some(ResponseStatus::Incomplete) => StreamOutcome::Incomplete,
        _ => StreamOutcome::failed(response.error.as_ref().map(|e| e.code.as_str())),
    }
}

/// The turn as one JSON response; a failed response is an HTTP error with its code's status.
async fn json_answer(mut steps: TurnSteps) -> Result<Response, ApiError> {
    let mut outcome = None;
    while let Some(step) = steps.next().await {
        if let TurnStep::Finished(finished) = step {
            outcome = Some(finished);
        }
    }
    let Some(outcome) = outcome else {
        return Err(ApiError::internal("the turn ended without a response"));
    };
    let response = outcome.response;
    if response.status == Some(ResponseStatus::Failed) {
        let (code, message) = match &response.error {
            Some(error) => (error.code.as_str().to_owned(), error.message.clone()),
            None => ("server_error".to_owned(), "The upstream failed.".to_owned()),
        };
        return Err(ApiError::from_code(&code, message));
    }
    Ok(axum::Json(response).into_response())
}
