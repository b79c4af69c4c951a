//! Server-Sent Events framing, sans IO: bytes in, frames out; frames in, bytes out.
//!
//! Every OpenAI API that streams over HTTP (Responses, Chat Completions, Assistants, audio, image)
//! speaks Server-Sent Events. This crate is the framing layer under them: it knows lines and
//! fields, not JSON. It does no IO, holds no clock and spawns nothing, so it fits under any
//! runtime, or none.
//!
//! - [`Parser`] reads an event stream as the WHATWG HTML standard's "event stream interpretation"
//!   says (LF, CR and CRLF line endings, split anywhere across chunks; a leading byte-order mark;
//!   comments; `event`, `data`, `id`, `retry`), yields borrowed [`Frame`]s and [`Comment`]s, and
//!   reports bad input as an [`SseError`] that names the byte offset, then carries on: invalid
//!   UTF-8, an event over the size limit, a stream that stops in the middle of an event. No byte
//!   sequence makes it panic, and memory stays bounded.
//! - [`write_frame`] and [`write_comment`] write events and comments, and refuse (with a
//!   [`WriteError`]) anything the parser would read back differently.
//!
//! # Example
//!
//! ```
//! use openai_wire_sse::{Frame, Item, Parser, write_comment, write_frame};
//!
//! // Write a small stream.
//! let mut wire = Vec::new();
//! write_comment(&mut wire, " keep-alive")?;
//! write_frame(&mut wire, &Frame::new(r#"{"delta":"Hel"}"#).with_event("response.output_text.delta"))?;
//! write_frame(&mut wire, &Frame::new("[DONE]"))?;
//!
//! // Read it back, in chunks cut anywhere.
//! let mut parser = Parser::new();
//! let mut events = Vec::new();
//! for chunk in wire.chunks(7) {
//!     parser.feed(chunk);
//!     while let Some(item) = parser.next_item() {
//!         match item? {
//!             Item::Event(frame) => events.push((frame.event.map(str::to_owned), frame.data.to_owned())),
//!             Item::Comment(comment) => assert_eq!(comment.text, " keep-alive"),
//!         }
//!     }
//! }
//! parser.finish();
//! assert!(parser.next_item().is_none(), "the stream ended cleanly");
//!
//! assert_eq!(events, [
//!     (Some("response.output_text.delta".to_owned()), r#"{"delta":"Hel"}"#.to_owned()),
//!     (None, "[DONE]".to_owned()),
//! ]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Performance
//!
//! The parser copies each chunk once into its buffer and checks its UTF-8 there, once per chunk
//! (invalid bytes are remembered, not rejected, so that only the event that holds them is
//! skipped). Lines are found with `memchr`; the common event shape (`event:` and one `data:` line)
//! is read by a short fast path; frames borrow the buffer, so there is no allocation per event
//! (multi-line data is joined into a reused buffer). `benches/framing.rs` measures it on a
//! synthetic Responses stream fed in 16 KiB chunks and on the largest recorded streams of the
//! repository's corpus: `cargo bench -p openai-wire-sse --bench framing`.

mod error;
mod frame;
mod parser;
mod writer;

pub use error::{PartialEvent, SseError, WriteError};
pub use frame::{Comment, Frame, Item, OwnedFrame};
pub use parser::{Parser, ParserConfig};
pub use writer::{write_comment, write_frame};
