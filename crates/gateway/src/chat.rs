//! `POST /v1/chat/completions`: forwarded as it is to Chat upstreams (model mapped).

use std::sync::Arc;
use std::time::Instant;

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use serde_json::Value;

use crate::config::UpstreamApi;
use crate::error::ApiError;
use crate::server::{AppState, ForcedProvider};
use crate::telemetry::{self, StreamGuard};
use crate::upstream;

pub(crate) async fn create(
    State(state): State<Arc<AppState>>,
    forced: Option<axum::Extension<ForcedProvider>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let started = Instant::now();
    let answer = match create_inner(&state, forced.map(|f| f.0), &headers, &body, started).await {
        Ok(response) => response,
        Err(error) => error.into_response(),
    };
    metrics::counter!(telemetry::REQUESTS, "endpoint" => "chat", "status" => answer.status().as_u16().to_string())
        .increment(1);
    answer
}

async fn create_inner(
    state: &AppState,
    forced: Option<ForcedProvider>,
    headers: &HeaderMap,
    body: &Bytes,
    started: Instant,
) -> Result<Response, ApiError> {
    let mut request: Value = serde_json::from_slice(body).map_err(|error| {
        ApiError::invalid_request(None, format!("The request body is not valid JSON: {error}"))
    })?;
    let Some(model) = request
        .get("model")
        .and_then(Value::as_str)
        .map(str::to_owned)
    else {
        return Err(ApiError::invalid_request(
            Some("model"),
            "Missing required parameter: 'model'.",
        ));
    };
    let (name, provider) = state.route(forced.as_ref(), headers, &model)?;
    if provider.api == UpstreamApi::Responses {
        return Err(ApiError::invalid_request(
            Some("model"),
            format!(
                "Provider '{name}' speaks only the Responses API; use /v1/responses for `{model}`."
            ),
        ));
    }
    request["model"] = Value::from(provider.upstream_model(&model));
    let body = serde_json::to_vec(&request)
        .map_err(|error| ApiError::internal(format!("cannot encode the request: {error}")))?;
    let upstream = upstream::send(state, name, provider, "chat/completions", body)
        .await
        .map_err(|error| error.to_api_error())?;
    telemetry::first_byte("chat", started);
    Ok(relay(upstream))
}

/// The upstream's answer, bytes as they come (status and content type kept). Dropping the
/// answer (the client went away) drops the upstream connection.
pub(crate) fn relay(upstream: reqwest::Response) -> Response {
    let status = StatusCode::from_u16(upstream.status().as_u16()).unwrap_or(StatusCode::OK);
    let content_type = upstream
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application/json")
        .to_owned();
    let guard = StreamGuard::new("relay", Instant::now());
    let bytes = upstream.bytes_stream().map(move |chunk| {
        let _alive = &guard;
        chunk.map_err(std::io::Error::other)
    });
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, content_type)
        .body(Body::from_stream(bytes))
        .unwrap_or_else(|_| ApiError::internal("cannot build the response").into_response())
}
