//! Sending a request to a provider, and naming what went wrong in OpenAI's terms.

use axum::http::StatusCode;
use futures_util::StreamExt;
use openai_wire_convert::request::ChatRequestOptions;
use openai_wire_convert::upstream_error::{UpstreamError, from_http};

use crate::config::ProviderConfig;
use crate::error::ApiError;
use crate::server::AppState;
use crate::telemetry;

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
            SendError::Transport { message, timeout } => {
                let mut error = ApiError::bad_gateway(message.clone());
                if *timeout {
                    error.status = StatusCode::GATEWAY_TIMEOUT;
                }
                error
            }
        }
    }
}

/// How to build Chat requests for a provider: its [`RequestSettings`](crate::config::RequestSettings)
/// (the kind's preset, the config's settings on top).
pub(crate) fn chat_options(
    state: &AppState,
    name: &str,
    provider: &ProviderConfig,
    model: &str,
) -> ChatRequestOptions {
    let settings = provider.request_settings(name);
    ChatRequestOptions {
        model: Some(provider.upstream_model(model).to_owned()),
        reasoning_round_trip: settings.reasoning_round_trip,
        reasoning_current_turn_only: settings.reasoning_current_turn_only,
        envelope_key: state.envelope_key.clone(),
        developer_role: settings.developer_role,
        max_tokens_field: settings.max_tokens_field,
        send_reasoning_effort: settings.send_reasoning_effort,
        stream: true,
        include_usage: true,
    }
}

/// POSTs `body` to `{base_url}/{path}`; an error status becomes [`SendError::Http`].
pub(crate) async fn send(
    state: &AppState,
    name: &str,
    provider: &ProviderConfig,
    path: &str,
    body: Vec<u8>,
) -> Result<reqwest::Response, SendError> {
    let Some(client) = state.clients.get(name) else {
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
            let timeout = error.is_timeout();
            telemetry::upstream_error(name, if timeout { "timeout" } else { "connect" });
            tracing::warn!(provider = name, %url, error = %error, "upstream request failed");
            return Err(SendError::Transport {
                message: format!(
                    "The upstream provider could not be reached: {}",
                    without_url(&error)
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

/// The error text without the URL (which may carry a key in its query).
fn without_url(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    if let Some(url) = error.url() {
        text = text.replace(url.as_str(), "the upstream");
    }
    text
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
