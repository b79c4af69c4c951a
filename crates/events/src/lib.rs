//! Every event of every OpenAI streaming protocol as Rust types, generated from the OpenAPI spec.
//!
//! One enum per protocol direction, one variant per event type, named after the wire name:
//!
//! | protocol | enum |
//! | --- | --- |
//! | Responses (SSE and WebSocket server events) | [`ResponseStreamEvent`] |
//! | Responses WebSocket client events | [`ResponsesClientEvent`] |
//! | Chat Completions chunks | [`ChatCompletionStreamEvent`] (chunk: [`ChatCompletionChunk`]) |
//! | legacy Completions | [`CompletionStreamEvent`] |
//! | Realtime server / client | [`RealtimeServerEvent`] / [`RealtimeClientEvent`] |
//! | Realtime translation server / client | [`RealtimeTranslationServerEvent`] / [`RealtimeTranslationClientEvent`] |
//! | Assistants run stream | [`AssistantStreamEvent`] |
//! | audio transcription / speech | [`TranscriptionStreamEvent`] / [`SpeechStreamEvent`] |
//! | image generation / edit | [`ImageGenerationStreamEvent`] / [`ImageEditStreamEvent`] |
//! | webhooks | [`WebhookEvent`] |
//! | Agents session stream | [`AgentSessionStreamEvent`] |
//! | Live API server / client | [`LiveServerEvent`] / [`LiveClientEvent`] |
//!
//! The Agents session stream, the Live API and some newer events of the other protocols (the
//! Responses WebSocket `response.steer` family, new webhooks) are not in the spec snapshot: they
//! come from `spec/additions/`, written from the openai-python 3.63.0 types (see `spec/SOURCE.md`).
//!
//! Each enum implements [`StreamEvent`]: decode from JSON text, get the wire type back, tell
//! unknown and terminal events. To find the Rust type of a wire name, search the source for it
//! in quotes (`"response.output_text.delta"`).
//!
//! # Reading is lenient, writing is strict
//!
//! - An event type this version does not know decodes to `Unknown` ([`UnknownEvent`]), keeping
//!   the type and the raw JSON. It is never an error and never dropped.
//! - Unknown fields are ignored.
//! - String enums (statuses, roles, finish reasons, …) are open: a value the spec does not list
//!   reads as `Other(String)`. Unions (output items, content parts, annotations, tools, …) have an
//!   `Unknown(serde_json::Value)` arm, so one unknown item does not lose the rest of a response.
//! - Required fields that real servers leave out or send as `null` read as empty (strings,
//!   numbers, arrays, maps) or as `None` (`sequence_number`, item `status`, …; see
//!   `spec/codegen.toml`).
//! - The Responses `error` event reads in both shapes seen in practice: flat (`code`, `message`,
//!   `param`) as the spec says, and nested under `error` as OpenAI sends it.
//! - Realtime's retired beta names (`response.text.delta`, …) read as their GA events.
//!
//! Writing (`serde::Serialize`) always gives the type tag and every field the spec requires.
//!
//! # Decoding is tag-first
//!
//! [`StreamEvent::from_json`] reads the `type` first (without parsing the rest when it is the
//! first key, as OpenAI writes it) and then deserializes that variant's struct directly from the
//! text: no intermediate `serde_json::Value`, no serde internally tagged enum buffering.
//!
//! # Example
//!
//! ```
//! use openai_wire_events::{ResponseStreamEvent, StreamEvent};
//!
//! let json = r#"{"type":"response.output_text.delta","item_id":"msg_1","output_index":0,
//!               "content_index":0,"delta":"Hel","sequence_number":4,"logprobs":[]}"#;
//! let event = ResponseStreamEvent::from_json(json)?;
//! assert_eq!(event.wire_type(), "response.output_text.delta");
//! let ResponseStreamEvent::ResponseOutputTextDelta(delta) = &event else { unreachable!() };
//! assert_eq!(delta.delta, "Hel");
//! assert_eq!(delta.sequence_number, Some(4));
//!
//! // A type this version does not know is kept, not rejected.
//! let future = ResponseStreamEvent::from_json(r#"{"type":"response.teleport.done","x":1}"#)?;
//! assert!(future.is_unknown());
//! assert_eq!(future.wire_type(), "response.teleport.done");
//!
//! // Writing gives back what the spec requires.
//! let written = serde_json::to_value(&event)?;
//! assert_eq!(written["type"], "response.output_text.delta");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Features
//!
//! One per protocol family, all on by default: `responses`, `chat`, `realtime`, `assistants`,
//! `audio`, `images`, `webhooks`, `agents`, `live`.

mod conveniences;
pub mod disposition;
pub mod generated;
mod runtime;
pub mod view;

pub use runtime::{DecodeError, StreamEvent, UnknownEvent, has_key, peek_tag};
pub use view::{EventView, Lazy, UnknownEventRef};

#[cfg(any(
    feature = "responses",
    feature = "chat",
    feature = "realtime",
    feature = "assistants",
    feature = "audio",
    feature = "images",
    feature = "webhooks",
    feature = "agents",
    feature = "live"
))]
#[allow(unused_imports)] // empty when only features without shared types are on
pub use generated::common::*;

#[cfg(feature = "agents")]
pub use generated::agents::*;
#[cfg(feature = "assistants")]
pub use generated::assistants::*;
#[cfg(feature = "audio")]
pub use generated::audio::*;
#[cfg(feature = "chat")]
pub use generated::chat::*;
#[cfg(feature = "images")]
pub use generated::images::*;
#[cfg(feature = "live")]
pub use generated::live::*;
#[cfg(feature = "realtime")]
pub use generated::realtime::*;
#[cfg(feature = "responses")]
pub use generated::responses::*;
#[cfg(feature = "webhooks")]
pub use generated::webhooks::*;
