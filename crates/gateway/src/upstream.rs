//! Sending a request to a provider, and naming what went wrong in OpenAI's terms.

use std::time::Instant;

use axum::body::Body;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use openai_wire_convert::request::ChatRequestOptions;
use openai_wire_convert::upstream_error::{UpstreamError, from_http, redact};

use crate::error::ApiError;
use crate::state::{AppState, Routed};
use crate::telemetry;
use crate::workers::WorkerClients;

/// At most this much of an upstream error body is read.
const MAX_ERROR_BODY: usize = 64 << 10;

/// Why an upstream request failed before its answer's body.
#[derive(Debug)]
pub(crate) enum SendError {
    /// The upstream answered with an error status.
    Http(UpstreamError),
    /// The upstream could not be reached, or did not answer in time.
    Transport { message: String, timeout: bool },
}

impl SendError {
    pub(crate) fn to_api_error(&self) -> ApiError {
        match self {
            SendError::Http(error) => ApiError::from_upstream(error),
            // A timeout says it is one (504 `upstream_timeout`), not "could not be reached".
            SendError::Transport {
                message,
                timeout: true,
            } => ApiError::from_code(
                "upstream_timeout",
                message.replace(
                    "could not be reached",
                    "did not answer in time (the provider's idle_timeout_secs)",
                ),
            ),
            SendError::Transport { message, .. } => ApiError::bad_gateway(message.clone()),
        }
    }
}

/// How to build Chat requests for a provider: its [`RequestSettings`](crate::config::RequestSettings)
/// (the kind's preset, the config's settings on top).
pub(crate) fn chat_options(state: &AppState, routed: &Routed, model: &str) -> ChatRequestOptions {
    let provider = &routed.provider;
    let settings = provider.request_settings(&routed.name);
    ChatRequestOptions {
        model: Some(provider.upstream_model(model).to_owned()),
        reasoning_round_trip: settings.reasoning_round_trip,
        reasoning_as_streamed: settings.reasoning_as_streamed,
        reasoning_current_turn_only: settings.reasoning_current_turn_only,
        envelope_key: state.envelope_key.clone(),
        developer_role: settings.developer_role,
        max_tokens_field: settings.max_tokens_field,
        send_reasoning_effort: settings.send_reasoning_effort,
        stream: true,
        include_usage: true,
        web_search: state.web_search.is_some(),
        native_web_search: (state.web_search.is_none() && settings.native_web_search)
            .then(|| serde_json::json!({"type": "openrouter:web_search"})),
    }
}

/// POSTs `body` to `{base_url}/{path}`; an error status becomes [`SendError::Http`].
pub(crate) async fn send(
    state: &AppState,
    routed: &Routed,
    path: &str,
    body: Vec<u8>,
) -> Result<reqwest::Response, SendError> {
    let (name, provider) = (routed.name.as_str(), &routed.provider);
    let Some(client) = state.clients.get(name).map(WorkerClients::here) else {
        return Err(SendError::Transport {
            message: format!("no HTTP client for provider {name}"),
            timeout: false,
        });
    };
    let url = format!("{}/{path}", provider.base_url.trim_end_matches('/'));
    let mut request = client
        .post(&url)
        .header("content-type", "application/json")
        .header("accept", "text/event-stream, application/json")
        .body(body);
    if let Some(key) = provider.api_key() {
        request = request.bearer_auth(key);
    }
    for (header, value) in &provider.headers {
        request = request.header(header.as_str(), value.as_str());
    }
    let response = match request.send().await {
        Ok(response) => response,
        Err(error) => {
            // A connection that cannot be made (refused, or not made within the connect
            // timeout) is `connect`; an upstream silent past its idle timeout before its
            // headers is `idle_timeout`, the same code as the pump's idle deadline gives the
            // same silence (whichever of the two timers fires first).
            let timeout = error.is_timeout() && !error.is_connect();
            telemetry::upstream_error(name, if timeout { "idle_timeout" } else { "connect" });
            // The URL and the error text may carry a key (`?key=`): logged redacted.
            tracing::warn!(
                provider = name,
                url = %redact(&url),
                error = %redact(&error.to_string()),
                "upstream request failed"
            );
            return Err(SendError::Transport {
                message: format!(
                    "The upstream provider could not be reached: {}",
                    redact(&without_url(&error))
                ),
                timeout,
            });
        }
    };
    let status = response.status();
    if status.is_success() {
        return Ok(response);
    }
    let retry_after = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body = read_limited(response, MAX_ERROR_BODY).await;
    let error = from_http(status.as_u16(), retry_after.as_deref(), &body);
    telemetry::upstream_error(name, error.code.as_str());
    tracing::warn!(provider = name, status = status.as_u16(), code = %error.code, "upstream answered with an error");
    Err(SendError::Http(error))
}

/// The error text with its causes ("… : Connection refused"), without the URL (which may
/// carry a key in its query).
fn without_url(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    let mut cause = std::error::Error::source(error);
    while let Some(inner) = cause {
        let line = inner.to_string();
        if !text.contains(&line) {
            text.push_str(": ");
            text.push_str(&line);
        }
        cause = inner.source();
    }
    if let Some(url) = error.url() {
        text = text.replace(url.as_str(), "the upstream");
    }
    openai_wire_convert::upstream_error::redact(&text)
}

/// The first `max` bytes of a body (errors end the read quietly).
pub(crate) async fn read_limited(response: reqwest::Response, max: usize) -> Vec<u8> {
    let mut out = Vec::new();
    let mut stream = response.bytes_stream();
    while let Some(Ok(chunk)) = stream.next().await {
        let room = max.saturating_sub(out.len());
        out.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if out.len() >= max {
            break;
        }
    }
    out
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
    let guard = crate::telemetry::StreamGuard::new("relay", Instant::now());
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
