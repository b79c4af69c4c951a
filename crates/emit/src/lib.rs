//! Writers that cannot produce a wrong OpenAI stream: Responses events and Chat Completions
//! chunks from high-level calls.
//!
//! A server, a gateway or a test double says what happens ("a message starts", "here is some
//! text", "a function call to `get_weather` starts", "done, with this usage"), and the writer
//! emits the whole event sequence the protocol requires: `sequence_number`s from 0, output and
//! content indices, `content_part` and `reasoning_summary_part` events, done events carrying the
//! accumulated values, and a terminal event carrying the full final object, with full usage.
//!
//! - [`ResponseWriter`]: the Responses API stream (`response.created` … `response.completed`,
//!   `response.failed` or `response.incomplete`). Items of several kinds may be open at once and
//!   their deltas may interleave; done events still come in `output_index` order.
//! - [`ChatChunkWriter`]: Chat Completions chunks (role, content, refusal, `reasoning_content`,
//!   tool calls, `finish_reason`, `n` choices, the usage chunk).
//! - [`write_response_sse`], [`write_chat_sse`], [`write_chat_done`]: the events as SSE bytes,
//!   framed as OpenAI frames them.
//! - [`fill_response_defaults`]: OpenAI's defaults for the fields of a `Response` the request left
//!   unset (`temperature` 1.0, `tool_choice` `"auto"`, `text.format` text, …). The writer applies
//!   it to its template, so every `Response` it writes carries every field OpenAI's carries.
//! - [`IdSource`]: where ids and timestamps come from. [`SequentialIds`] makes output
//!   reproducible; [`RandomIds`] is for real servers.
//!
//! The writers are sans-IO state machines: each call returns the events it produced, for the
//! caller to send at once; nothing here does IO, reads a clock or spawns. A call that would make
//! the stream wrong (text pushed to a function call, a delta after its item finished, a second
//! terminal, a handle from another writer) is refused with an [`EmitError`], emits nothing and
//! leaves the writer as it was. Nothing panics.
//!
//! # Example
//!
//! ```
//! use openai_wire_emit::{ResponseWriter, SequentialIds, write_response_sse};
//! use openai_wire_events::{
//!     Response, ResponseUsage, ResponseUsageInputTokensDetails, ResponseUsageOutputTokensDetails,
//!     StreamEvent,
//! };
//!
//! // What the server echoes from the request.
//! let template = Response {
//!     model: Some("gpt-4o-mini".into()),
//!     ..Response::default()
//! };
//! let mut writer = ResponseWriter::new(template, SequentialIds::new(1_700_000_000));
//!
//! let mut events = writer.start()?;
//! let (message, opened) = writer.open_message()?;
//! events.extend(opened);
//! for delta in ["Hello", ", ", "world"] {
//!     events.extend(writer.push_text(message, delta)?);
//! }
//! events.extend(writer.complete(ResponseUsage {
//!     input_tokens: 12,
//!     input_tokens_details: ResponseUsageInputTokensDetails { cached_tokens: 0, ..Default::default() },
//!     output_tokens: 3,
//!     output_tokens_details: ResponseUsageOutputTokensDetails { reasoning_tokens: 0 },
//!     total_tokens: 15,
//!     ..Default::default()
//! })?);
//!
//! let types: Vec<&str> = events.iter().map(|event| event.wire_type()).collect();
//! assert_eq!(types, [
//!     "response.created",
//!     "response.in_progress",
//!     "response.output_item.added",
//!     "response.content_part.added",
//!     "response.output_text.delta",
//!     "response.output_text.delta",
//!     "response.output_text.delta",
//!     "response.output_text.done",
//!     "response.content_part.done",
//!     "response.output_item.done",
//!     "response.completed",
//! ]);
//!
//! // The completed event carries the whole response; `response()` is the same object.
//! let final_response = writer.response();
//! assert_eq!(final_response.id, "resp_0001");
//! assert_eq!(final_response.usage.as_ref().map(|u| u.total_tokens), Some(15));
//!
//! // As SSE bytes, ready for the socket.
//! let mut body = Vec::new();
//! write_response_sse(&mut body, &events)?;
//! let body = String::from_utf8(body).unwrap();
//! assert!(body.contains("event: response.output_text.done\ndata: {\"type\":\"response.output_text.done\""));
//! assert!(body.contains(r#""text":"Hello, world""#));
//!
//! // Misuse is an error, not a wrong stream.
//! assert!(writer.push_text(message, "late").is_err());
//! # Ok::<(), openai_wire_emit::EmitError>(())
//! ```

mod chat;
mod defaults;
pub mod dispositions;
mod error;
mod ids;
mod response;
mod sse;

use std::sync::atomic::{AtomicU64, Ordering};

pub use chat::{ChatChunkWriter, ChatOptions, ToolCallHandle};
pub use defaults::fill_response_defaults;
pub use error::{EmitError, ItemKind};
pub use ids::{IdSource, RandomIds, SequentialIds};
pub use response::{ItemHandle, ResponseWriter, WebSearchOutcome};
pub use sse::{write_chat_done, write_chat_sse, write_response_sse};

/// A number unique to each writer of the process, so that handles name their writer.
fn next_writer_id() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}
