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

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures_util::{Stream, StreamExt};
use openai_wire_convert::request::{ResponsesRequestOptions, chat_to_responses};
use openai_wire_convert::stream::responses_to_chat::{
    ChatError, ResponsesToChat, ResponsesToChatOptions, response_to_chat_completion,
};
use openai_wire_decode::{DecodeStream, Decoder, Format, OwnedItem, StreamError};
use openai_wire_emit::{RandomIds, write_chat_done, write_chat_sse};
use openai_wire_events::{
    ChatCompletionStreamEvent, Response as ResponseObject, ResponseStreamEvent,
};
use serde_json::Value;

use crate::config::{ProviderConfig, UpstreamApi};
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
        return via_responses(state, name, provider, &request, &model, started).await;
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

/// What a Chat stream in front of a Responses upstream sends while the upstream is silent for
/// longer than the configured heartbeat: an SSE comment.
pub(crate) const CHAT_HEARTBEAT: &[u8] = b": keep-alive\n\n";

/// The largest single upstream event accepted from a Responses upstream.
const MAX_UPSTREAM_EVENT: usize = 4 << 20;

/// A Chat request for a Responses upstream: converted there, and the answer converted back.
async fn via_responses(
    state: &AppState,
    name: &str,
    provider: &ProviderConfig,
    request: &Value,
    model: &str,
    started: Instant,
) -> Result<Response, ApiError> {
    let streaming = request
        .get("stream")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let include_usage = request
        .pointer("/stream_options/include_usage")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let options = ResponsesRequestOptions {
        model: Some(provider.upstream_model(model).to_owned()),
        store: Some(false),
    };
    let upstream_request = chat_to_responses(request, &options)
        .map_err(|error| ApiError::from_body(error.status(), error.to_openai_error()))?;
    let body = serde_json::to_vec(&upstream_request)
        .map_err(|error| ApiError::internal(format!("cannot encode the request: {error}")))?;
    let upstream = upstream::send(state, name, provider, "responses", body)
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
        return whole_completion(name, upstream, &convert_options).await;
    }
    let converter = ResponsesToChat::new(convert_options, RandomIds::new());
    let mut chunks = Box::pin(convert_stream(converter, upstream, name.to_owned()));
    if !streaming {
        // An upstream that streamed anyway: fold its events.
        let mut last = None;
        while let Some(step) = chunks.next().await {
            if let ChatStep::End(converter) = step {
                last = Some(converter);
            }
        }
        return match last {
            Some(converter) => match converter.error() {
                Some(error) => Err(chat_error(error)),
                None => Ok(axum::Json(converter.completion()).into_response()),
            },
            None => Err(ApiError::internal("the conversion ended without an answer")),
        };
    }
    // Hold the answer until the first chunk: a failure before it is an HTTP error.
    let first = loop {
        match chunks.next().await {
            Some(ChatStep::Chunks(out)) if out.is_empty() => continue,
            Some(ChatStep::End(converter)) => {
                if !converter.started()
                    && let Some(error) = converter.error()
                {
                    return Err(chat_error(error));
                }
                break Some(ChatStep::End(converter));
            }
            step => break step,
        }
    };
    let heartbeat = state.config.heartbeat;
    let body = async_stream::stream! {
        let _guard = StreamGuard::new("chat", started);
        let mut pending = first;
        loop {
            let step = match pending.take() {
                Some(step) => step,
                None if heartbeat.is_zero() => match chunks.next().await {
                    Some(step) => step,
                    None => break,
                },
                None => match tokio::time::timeout(heartbeat, chunks.next()).await {
                    Ok(Some(step)) => step,
                    Ok(None) => break,
                    Err(_) => {
                        // Chat Completions has no heartbeat event: an SSE comment keeps the
                        // connection (and proxies that time out idle ones) alive, and every
                        // SSE reader skips it.
                        yield Ok(Bytes::from_static(CHAT_HEARTBEAT));
                        continue;
                    }
                },
            };
            let mut out = Vec::new();
            let end = match step {
                ChatStep::Chunks(events) => {
                    if let Err(error) = write_chat_sse(&mut out, &events) {
                        tracing::error!(%error, "cannot encode a chat chunk");
                    }
                    false
                }
                ChatStep::End(converter) => {
                    if converter.outcome().sends_done() {
                        write_chat_done(&mut out);
                    }
                    true
                }
            };
            if !out.is_empty() {
                yield Ok::<_, std::convert::Infallible>(Bytes::from(out));
            }
            if end {
                break;
            }
        }
    };
    Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, "text/event-stream")
        .header(header::CACHE_CONTROL, "no-cache")
        .header("x-accel-buffering", "no")
        .body(Body::from_stream(body))
        .map_err(|_| ApiError::internal("cannot build the response"))
}

/// One step of a Responses → Chat stream.
enum ChatStep {
    /// Chunks to send, once the chat stream has started (an error event among them when the
    /// upstream failed after that).
    Chunks(Vec<ChatCompletionStreamEvent>),
    /// The upstream stream is over; the converter says how it ended.
    End(Box<ResponsesToChat<RandomIds>>),
}

/// Upstream Responses events in, Chat chunks out; the converter comes out at the end.
fn convert_stream(
    mut converter: ResponsesToChat<RandomIds>,
    upstream: reqwest::Response,
    provider: String,
) -> impl Stream<Item = ChatStep> + Send {
    async_stream::stream! {
        let decoder = Decoder::<ResponseStreamEvent>::with_max_event_size(Format::Sse, MAX_UPSTREAM_EVENT);
        let mut items = DecodeStream::with_decoder(upstream.bytes_stream(), decoder);
        while !converter.outcome().is_finished() {
            let result = match items.next().await {
                Some(Ok(OwnedItem::Event(decoded))) => converter.push(&decoded.event),
                Some(Ok(OwnedItem::Done(_))) | None => converter.finish(true),
                Some(Ok(OwnedItem::Comment(_))) => continue,
                Some(Err(StreamError::Decode(error))) => {
                    telemetry::upstream_error(&provider, "malformed_event");
                    tracing::warn!(provider = %provider, %error, "the upstream sent a malformed event");
                    converter.finish(false)
                }
                Some(Err(StreamError::Transport(error))) => {
                    telemetry::upstream_error(&provider, if error.is_timeout() { "idle_timeout" } else { "stream_cut" });
                    tracing::warn!(provider = %provider, %error, "the upstream stream broke off");
                    converter.finish(false)
                }
            };
            let chunks = match result {
                Ok(chunks) => chunks,
                Err(error) => {
                    tracing::error!(provider = %provider, %error, "cannot convert the upstream stream");
                    match converter.finish(false) {
                        Ok(chunks) => chunks,
                        Err(_) => break,
                    }
                }
            };
            // Before the first chunk, the only thing the converter can say is the error the
            // stream ends with: it stays with the converter, for an HTTP error instead.
            if converter.started() {
                yield ChatStep::Chunks(chunks);
            }
        }
        if let Some(error) = converter.error() {
            telemetry::upstream_error(&provider, error.error.code.as_deref().unwrap_or("response_failed"));
        }
        yield ChatStep::End(Box::new(converter));
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
    let body = serde_json::to_value(error.body()).unwrap_or_else(|_| {
        serde_json::json!({"error": {"message": error.error.message, "type": error.error.r#type}})
    });
    ApiError::from_body(error.status, body)
}
