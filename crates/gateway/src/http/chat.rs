//! `POST /v1/chat/completions`: forwarded as it is to Chat upstreams (model mapped), converted
//! for Responses-only upstreams.
//!
//! For a Responses upstream the Chat request becomes a Responses request
//! ([`openai_wire_convert::request::chat_to_responses`]) and the answer comes back as Chat:
//!
//! - streaming: each upstream event goes through a [`ResponsesToChat`] and its chunks go out at
//!   once; the body ends with `data: [DONE]` only when the response finished
//!   ([`Outcome::sends_done`](openai_wire_convert::stream::responses_to_chat::Outcome::sends_done)), with an error event otherwise. An upstream that fails before
//!   anything was sent gets an HTTP error instead (OpenAI's error shape and status). While the
//!   upstream is silent for longer than the configured heartbeat, the client gets an SSE comment
//!   (`: keep-alive`), which Chat readers skip.
//! - not streaming: the upstream's JSON response becomes a `chat.completion`
//!   ([`response_to_chat_completion`]); a failed response becomes an HTTP error. An upstream
//!   that streams anyway is folded through the same converter.

use std::sync::Arc;
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use futures_util::{Stream, StreamExt};
use openai_wire_convert::request::{ResponsesRequestOptions, chat_to_responses};
use openai_wire_convert::stream::responses_to_chat::{
    ChatError, ResponsesToChat, ResponsesToChatOptions, response_to_chat_completion,
};
use openai_wire_decode::Format;
use openai_wire_emit::{RandomIds, write_chat_done, write_chat_sse};
use openai_wire_events::{Response as ResponseObject, ResponseStreamEvent};
use serde_json::Value;

use crate::config::UpstreamApi;
use crate::conversions::ChatOverResponses;
use crate::error::ApiError;
use crate::http::{SSE_KEEP_ALIVE, sse_response};
use crate::pump::{Limits, PumpStep, decode_upstream, pump};
use crate::state::{AppState, RouteHints, Routed};
use crate::telemetry::{self, StreamGuard};
use crate::upstream;

/// `POST /v1/chat/completions`.
pub(crate) async fn create(
    State(state): State<Arc<AppState>>,
    hints: RouteHints,
    body: Bytes,
) -> Response {
    let started = Instant::now();
    let answer = match create_inner(&state, &hints, &body, started).await {
        Ok(response) => response,
        Err(error) => error.into_response(),
    };
    metrics::counter!(telemetry::REQUESTS, "endpoint" => "chat", "status" => answer.status().as_u16().to_string())
        .increment(1);
    answer
}

async fn create_inner(
    state: &AppState,
    hints: &RouteHints,
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
    let routed = state.route(hints, &model)?;
    if routed.provider.api == UpstreamApi::Responses {
        return via_responses(state, &routed, &request, &model, started).await;
    }
    request["model"] = Value::from(routed.provider.upstream_model(&model));
    let body = serde_json::to_vec(&request)
        .map_err(|error| ApiError::internal(format!("cannot encode the request: {error}")))?;
    let upstream = upstream::send(state, &routed, "chat/completions", body)
        .await
        .map_err(|error| error.to_api_error())?;
    telemetry::first_byte("chat", started);
    Ok(upstream::relay(upstream))
}

/// A Chat request for a Responses upstream: converted there, and the answer converted back.
async fn via_responses(
    state: &AppState,
    routed: &Routed,
    request: &Value,
    model: &str,
    started: Instant,
) -> Result<Response, ApiError> {
    let flag = |pointer: &str| request.pointer(pointer).and_then(Value::as_bool);
    let streaming = flag("/stream").unwrap_or(false);
    let include_usage = flag("/stream_options/include_usage").unwrap_or(false);
    let options = ResponsesRequestOptions {
        model: Some(routed.provider.upstream_model(model).to_owned()),
        store: Some(false),
    };
    let upstream_request = chat_to_responses(request, &options)
        .map_err(|error| ApiError::from_request_error(&error))?;
    let body = serde_json::to_vec(&upstream_request)
        .map_err(|error| ApiError::internal(format!("cannot encode the request: {error}")))?;
    let upstream = upstream::send(state, routed, "responses", body)
        .await
        .map_err(|error| error.to_api_error())?;
    telemetry::first_byte("chat", started);
    // The chunks carry the model the client asked for, as a Chat upstream's would.
    let convert_options = ResponsesToChatOptions::default()
        .with_model(model)
        .with_usage(include_usage);
    let is_sse = upstream
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/event-stream"));
    if !streaming && !is_sse {
        return whole_completion(&routed.name, upstream, &convert_options).await;
    }
    let conversion = ChatOverResponses {
        converter: ResponsesToChat::new(convert_options, RandomIds::new()),
        provider: routed.name.clone(),
    };
    let limits = Limits::of(&state.config);
    let steps = pump(
        conversion,
        decode_upstream::<ResponseStreamEvent>(upstream, Format::Sse, limits.max_bytes),
        Some(state.config.heartbeat),
        routed.provider.idle_timeout(),
        limits,
    );
    let mut steps = Box::pin(steps);
    if !streaming {
        // An upstream that streamed anyway: fold its events.
        return match last_step(&mut steps).await {
            Some(converter) => match converter.converter.error() {
                Some(error) => Err(chat_error(error)),
                None => Ok(axum::Json(converter.converter.completion()).into_response()),
            },
            None => Err(ApiError::internal("the conversion ended without an answer")),
        };
    }
    let first = first_step(&mut steps).await?;
    Ok(sse_response(chat_sse(first, steps, started)))
}

/// The first step with something to send. The answer is held until then, so that a failure
/// before the first chunk is an HTTP error.
async fn first_step(
    steps: &mut (impl Stream<Item = PumpStep<ChatOverResponses>> + Unpin),
) -> Result<Option<PumpStep<ChatOverResponses>>, ApiError> {
    loop {
        match steps.next().await {
            Some(PumpStep::Out(out)) if out.is_empty() => continue,
            Some(PumpStep::KeepAlive) => continue,
            Some(PumpStep::Finished(conversion)) => {
                if !conversion.converter.started()
                    && let Some(error) = conversion.converter.error()
                {
                    return Err(chat_error(error));
                }
                return Ok(Some(PumpStep::Finished(conversion)));
            }
            step => return Ok(step),
        }
    }
}

/// The last step's conversion, once the stream is over.
async fn last_step(
    steps: &mut (impl Stream<Item = PumpStep<ChatOverResponses>> + Unpin),
) -> Option<Box<ChatOverResponses>> {
    let mut last = None;
    while let Some(step) = steps.next().await {
        if let PumpStep::Finished(conversion) = step {
            last = Some(conversion);
        }
    }
    last
}

/// The Chat SSE body: the chunks, a comment while the upstream is silent, and `data: [DONE]`
/// only when the response finished.
fn chat_sse(
    first: Option<PumpStep<ChatOverResponses>>,
    mut steps: impl Stream<Item = PumpStep<ChatOverResponses>> + Send + Unpin + 'static,
    started: Instant,
) -> impl Stream<Item = Result<Bytes, std::convert::Infallible>> + Send + 'static {
    async_stream::stream! {
        let _guard = StreamGuard::new("chat", started);
        let mut pending = first;
        loop {
            let step = match pending.take() {
                Some(step) => step,
                None => match steps.next().await {
                    Some(step) => step,
                    None => break,
                },
            };
            let mut out = Vec::new();
            let end = match step {
                PumpStep::Out(chunks) => {
                    if let Err(error) = write_chat_sse(&mut out, &chunks) {
                        tracing::error!(%error, "cannot encode a chat chunk");
                    }
                    false
                }
                // Chat Completions has no heartbeat event: an SSE comment keeps the connection
                // (and proxies that time out idle ones) alive.
                PumpStep::KeepAlive => {
                    out.extend_from_slice(SSE_KEEP_ALIVE);
                    false
                }
                PumpStep::Finished(conversion) => {
                    if conversion.converter.outcome().sends_done() {
                        write_chat_done(&mut out);
                    }
                    true
                }
            };
            if !out.is_empty() {
                yield Ok(Bytes::from(out));
            }
            if end {
                break;
            }
        }
    }
}

/// A non-streaming upstream answer (a Responses `response` object) as a `chat.completion`.
async fn whole_completion(
    provider: &str,
    upstream: reqwest::Response,
    options: &ResponsesToChatOptions,
) -> Result<Response, ApiError> {
    let bytes = upstream.bytes().await.map_err(|error| {
        telemetry::upstream_error(provider, "stream_cut");
        ApiError::bad_gateway(format!("The upstream answer broke off: {error}"))
    })?;
    let response: ResponseObject = serde_json::from_slice(&bytes).map_err(|error| {
        telemetry::upstream_error(provider, "malformed_response");
        ApiError::bad_gateway(format!("The upstream sent an unreadable response: {error}"))
    })?;
    match response_to_chat_completion(&response, options) {
        Ok(completion) => Ok(axum::Json(completion).into_response()),
        Err(openai_wire_convert::stream::responses_to_chat::ResponsesToChatError::Upstream(
            error,
        )) => {
            telemetry::upstream_error(
                provider,
                error.error.code.as_deref().unwrap_or("response_failed"),
            );
            Err(chat_error(&error))
        }
        Err(error) => Err(ApiError::internal(format!(
            "cannot convert the upstream response: {error}"
        ))),
    }
}

/// A Chat error as an HTTP answer.
fn chat_error(error: &ChatError) -> ApiError {
    ApiError::with_status(error.status, error.error.clone())
}
