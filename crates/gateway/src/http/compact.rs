//! `POST /v1/responses/compact`: a conversation compacted into one `compaction` item
//! ([`Turn::compact`]), answered as JSON.

use std::sync::Arc;
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use crate::error::ApiError;
use crate::state::{AppState, RouteHints};
use crate::telemetry;
use crate::turn::{Turn, TurnRequest};

/// `POST /v1/responses/compact`: `{model, input, instructions?, previous_response_id?, …}` →
/// `{id, object: "response.compaction", created_at, output, usage}`.
pub(crate) async fn compact(
    State(state): State<Arc<AppState>>,
    hints: RouteHints,
    body: Bytes,
) -> Response {
    let started = Instant::now();
    let answer = match answer(&state, &hints, &body).await {
        Ok(compaction) => axum::Json(compaction).into_response(),
        Err(error) => error.into_response(),
    };
    telemetry::request_done("compact", answer.status().as_u16(), started);
    answer
}

async fn answer(state: &Arc<AppState>, hints: &RouteHints, body: &[u8]) -> Result<Value, ApiError> {
    let request = TurnRequest::from_bytes(body)?;
    let turn = Turn::prepare(state, request, hints, None).await?;
    turn.compact().await
}
