//! Bytes to typed OpenAI stream events.
//!
//! A [`Decoder`] is a sans-IO state machine: feed it the bytes of a stream as they arrive (any
//! chunking), pull [`Item`]s out, call [`Decoder::finish`] at the end of input, and read the
//! [`Summary`] to learn whether the stream ended properly or was cut off.
//!
//! - SSE streams are framed by [`openai_wire_sse`]; JSONL (one event's JSON per line) is framed
//!   here. Realtime WebSocket text messages are single events: [`decode_message`].
//! - `data: [DONE]` (Chat, Assistants, some Responses servers) is the end marker
//!   [`Item::Done`]. The Assistants stream's `event: done` decodes as its own `Done` event.
//! - Each event carries its position (index among the stream's frames, byte offset) and its raw
//!   JSON text.
//! - A frame that cannot be read, or an event of a known type whose JSON does not fit its type,
//!   is a [`DecodeError`] with the same position and the raw text; decoding goes on with the next
//!   event. An event of an unknown type is not an error: it decodes to the enum's `Unknown`.
//!
//! # Features
//!
//! - `stream`: `DecodeStream`, a `futures::Stream` of owned items over any stream of byte
//!   chunks (reqwest's `bytes_stream()` plugs straight in).
//! - `tokio`: `decode_reader` over any `tokio::io::AsyncRead`.
//! - `tungstenite`: `websocket::MessageStream`, Realtime events from a tokio-tungstenite
//!   connection (one per text message), and `websocket::to_message` for the client's events.
//!
//! None of them reconnects: a stream that ends early ends, and the [`Summary`] says so.
//!
//! # Example
//!
//! ```
//! use openai_wire_decode::{Decoder, Format, Item};
//! use openai_wire_events::{ChatCompletionStreamEvent, ChatCompletionStreamResponseDeltaContent as Content};
//!
//! let bytes = b"data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\
//! \"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"},\"finish_reason\":null}]}\n\ndata: [DONE]\n\n";
//! let mut decoder = Decoder::<ChatCompletionStreamEvent>::new(Format::Sse);
//! let mut text = String::new();
//! for chunk in bytes.chunks(7) {
//!     decoder.feed(chunk);
//!     while let Some(item) = decoder.next_item() {
//!         if let Item::Event(decoded) = item? {
//!             if let ChatCompletionStreamEvent::ChatCompletionChunk(chunk) = decoded.event {
//!                 for choice in &chunk.choices {
//!                     if let Some(Content::Text(delta)) = &choice.delta.content {
//!                         text.push_str(delta);
//!                     }
//!                 }
//!             }
//!         }
//!     }
//! }
//! decoder.finish();
//! while let Some(item) = decoder.next_item() { item?; }
//! assert_eq!(text, "Hi");
//! assert!(decoder.summary().ended_properly());
//! # Ok::<(), openai_wire_decode::DecodeError>(())
//! ```

use std::marker::PhantomData;

mod detect;
pub use detect::{Protocol, UnknownProtocol, detect};

#[cfg(feature = "stream")]
mod stream;
/// The SSE framing error an [`ErrorKind::Frame`] carries (re-exported from `openai-wire-sse`).
pub use openai_wire_sse::SseError;
#[cfg(feature = "tokio")]
pub use stream::decode_reader;
#[cfg(feature = "stream")]
pub use stream::{DecodeStream, StreamError};
#[cfg(feature = "tungstenite")]
pub mod websocket;

use openai_wire_events::{EventView, StreamEvent};
use openai_wire_sse::{Parser, ParserConfig};

/// How the events of a stream are framed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Server-Sent Events (`event:` / `data:` lines, blank line between events).
    Sse,
    /// One event's JSON per line (recordings, logs, Realtime message dumps).
    Jsonl,
}

/// One decoded event, borrowed from the decoder until the next call to it.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded<'a, E> {
    /// The typed event.
    pub event: E,
    /// The event's JSON text, exactly as received.
    pub raw: &'a str,
    /// The SSE event name, when the frame had one.
    pub event_name: Option<&'a str>,
    /// The position of the event in the stream.
    pub position: Position,
}

/// Where an event sits in its stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Position {
    /// How many frames (events, `[DONE]` markers, broken frames) came before this one.
    pub index: u64,
    /// Byte offset in the stream where the event's first line starts.
    pub offset: u64,
}

/// What the decoder yields.
#[derive(Debug, Clone, PartialEq)]
pub enum Item<'a, E> {
    /// A decoded event.
    Event(Decoded<'a, E>),
    /// The `data: [DONE]` end marker.
    Done(Position),
    /// An SSE comment line (a keep-alive such as `: ping`), without the colon.
    Comment(&'a str),
}

/// An [`Item`] that owns its text, for holding across calls (and across `.await`s).
#[derive(Debug, Clone, PartialEq)]
pub enum OwnedItem<E> {
    /// A decoded event.
    Event(OwnedDecoded<E>),
    /// The `data: [DONE]` end marker.
    Done(Position),
    /// An SSE comment line, without the colon.
    Comment(String),
}

/// A [`Decoded`] event that owns its raw JSON.
#[derive(Debug, Clone, PartialEq)]
pub struct OwnedDecoded<E> {
    /// The typed event.
    pub event: E,
    /// The event's JSON text, exactly as received.
    pub raw: String,
    /// The SSE event name, when the frame had one.
    pub event_name: Option<String>,
    /// The position of the event in the stream.
    pub position: Position,
}

impl<E> From<Item<'_, E>> for OwnedItem<E> {
    fn from(item: Item<'_, E>) -> Self {
        match item {
            Item::Event(d) => OwnedItem::Event(OwnedDecoded {
                event: d.event,
                raw: d.raw.to_owned(),
                event_name: d.event_name.map(str::to_owned),
                position: d.position,
            }),
            Item::Done(position) => OwnedItem::Done(position),
            Item::Comment(text) => OwnedItem::Comment(text.to_owned()),
        }
    }
}

/// An event that could not be decoded. Decoding goes on with the next one.
#[derive(Debug, thiserror::Error)]
#[error("event {} at byte {}: {kind}", position.index, position.offset)]
pub struct DecodeError {
    /// Where the event sits in the stream.
    pub position: Position,
    /// The event's text as received (JSON or not); empty when the frame itself was unreadable.
    pub raw: String,
    /// What went wrong.
    #[source]
    pub kind: ErrorKind,
}

/// Why an event could not be decoded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The framing was broken: invalid UTF-8, an event over the size limit, or an event cut off
    /// by the end of the stream.
    #[error(transparent)]
    Frame(SseError),
    /// The event's text is not a JSON object, or its known type's fields do not fit.
    #[error(transparent)]
    Event(openai_wire_events::DecodeError),
    /// A JSONL line is not valid UTF-8.
    #[error("invalid UTF-8 in a line at byte {offset}")]
    InvalidUtf8 {
        /// Offset of the first invalid byte.
        offset: u64,
    },
    /// A JSONL line is longer than the maximum event size.
    #[error("a line is longer than the limit of {limit} bytes")]
    LineTooLong {
        /// The configured limit.
        limit: usize,
    },
}

/// What the decoder has seen so far; read it after [`Decoder::finish`] to know how the stream
/// ended.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// Events decoded (unknown ones included, `[DONE]` excluded).
    pub events: u64,
    /// Events of a type the model does not know.
    pub unknown: u64,
    /// Decode errors.
    pub errors: u64,
    /// The wire type of the last terminal event seen (`response.completed`, `error`, …).
    pub terminal: Option<String>,
    /// Whether the `[DONE]` marker was seen.
    pub done_marker: bool,
    /// Whether the input ended in the middle of an event.
    pub truncated: bool,
    /// Whether anything came after the terminal event or the `[DONE]` marker.
    pub events_after_end: u64,
}

impl Summary {
    /// Whether the stream ended as its protocol says streams end: with a terminal event or the
    /// `[DONE]` marker, and not cut off in the middle of an event.
    pub fn ended_properly(&self) -> bool {
        (self.terminal.is_some() || self.done_marker) && !self.truncated
    }
}

/// A sans-IO decoder of one stream into events of the protocol enum `E`.
#[derive(Debug)]
pub struct Decoder<E> {
    framing: Framing,
    summary: Summary,
    max_event_size: usize,
    /// SSE: the index the next frame (event, `[DONE]` or broken frame) gets.
    next_index: u64,
    _event: PhantomData<fn() -> E>,
}

#[derive(Debug)]
enum Framing {
    Sse(Box<Parser>),
    Jsonl(LineBuffer),
}

impl<E: StreamEvent> Decoder<E> {
    /// A decoder for a stream framed as `format`, with the default maximum event size (16 MiB).
    pub fn new(format: Format) -> Self {
        Self::with_max_event_size(format, ParserConfig::DEFAULT_MAX_EVENT_SIZE)
    }

    /// A decoder that refuses events larger than `max_event_size` bytes (memory stays bounded).
    pub fn with_max_event_size(format: Format, max_event_size: usize) -> Self {
        let framing = match format {
            Format::Sse => Framing::Sse(Box::new(Parser::with_config(
                ParserConfig::new().with_max_event_size(max_event_size),
            ))),
            Format::Jsonl => Framing::Jsonl(LineBuffer::default()),
        };
        Self {
            framing,
            summary: Summary::default(),
            max_event_size,
            next_index: 0,
            _event: PhantomData,
        }
    }

    /// Pushes the next bytes of the stream.
    pub fn feed(&mut self, bytes: &[u8]) {
        match &mut self.framing {
            Framing::Sse(parser) => parser.feed(bytes),
            Framing::Jsonl(lines) => lines.feed(bytes),
        }
    }

    /// Marks the end of input. Items still buffered can then be pulled; an event cut off by the
    /// end is reported as an error and the summary says the stream was truncated.
    pub fn finish(&mut self) {
        match &mut self.framing {
            Framing::Sse(parser) => parser.finish(),
            Framing::Jsonl(lines) => lines.finished = true,
        }
    }

    /// What was seen so far.
    pub fn summary(&self) -> &Summary {
        &self.summary
    }

    /// The next item, or `None` when more bytes (or [`finish`](Self::finish)) are needed.
    #[allow(clippy::should_implement_trait)]
    pub fn next_item(&mut self) -> Option<Result<Item<'_, E>, DecodeError>> {
        let frame = next_frame(
            &mut self.framing,
            &mut self.summary,
            &mut self.next_index,
            self.max_event_size,
        )?;
        let rules = FrameRules::of::<E>();
        Some(frame.and_then(|frame| {
            decode_frame(&mut self.summary, frame, rules, E::decode, owned_facts::<E>)
        }))
    }

    /// The next item as a borrowed view ([`StreamEvent::View`], see
    /// [`openai_wire_events::view`]): its strings borrow from the decoder's buffer instead of
    /// being copied, and its `logprobs` are read only when asked for. Same items, same errors
    /// and same summary as [`next_item`](Self::next_item), except for `logprobs` that are JSON
    /// but do not fit their type, which are reported when read.
    pub fn next_view(&mut self) -> Option<Result<Item<'_, E::View<'_>>, DecodeError>> {
        let frame = next_frame(
            &mut self.framing,
            &mut self.summary,
            &mut self.next_index,
            self.max_event_size,
        )?;
        let rules = FrameRules::of::<E>();
        Some(frame.and_then(|frame| {
            decode_frame(
                &mut self.summary,
                frame,
                rules,
                <E::View<'_> as EventView<'_>>::decode,
                view_facts,
            )
        }))
    }

    /// [`next_view`](Self::next_view), with every [`Lazy`](openai_wire_events::Lazy) part read
    /// and checked ([`EventView::validate`]): exactly the items, errors and summary of
    /// [`next_item`](Self::next_item), without copying the events' strings. For readers that
    /// must know every event fits its type (`openai-wire decode`).
    pub fn next_validated_view(&mut self) -> Option<Result<Item<'_, E::View<'_>>, DecodeError>> {
        let frame = next_frame(
            &mut self.framing,
            &mut self.summary,
            &mut self.next_index,
            self.max_event_size,
        )?;
        let rules = FrameRules::of::<E>();
        let decode = |name, json| {
            let view = <E::View<'_> as EventView<'_>>::decode(name, json)?;
            view.validate().map(|()| view)
        };
        Some(
            frame.and_then(|frame| {
                decode_frame(&mut self.summary, frame, rules, decode, view_facts)
            }),
        )
    }
}

/// A frame before its event is decoded.
enum Frame<'a> {
    /// An event's text (or the `[DONE]` marker), with its SSE name and position.
    Event {
        event_name: Option<&'a str>,
        data: &'a str,
        position: Position,
    },
    /// An SSE comment line.
    Comment(&'a str),
}

/// The next frame of the stream, or `None` when more bytes are needed. Broken frames are
/// counted in `summary` and numbered like the others.
fn next_frame<'a>(
    framing: &'a mut Framing,
    summary: &mut Summary,
    next_index: &mut u64,
    max_event_size: usize,
) -> Option<Result<Frame<'a>, DecodeError>> {
    match framing {
        Framing::Sse(parser) => {
            // The parser counts the frames it could read; a broken frame takes its place in
            // the stream's order too, so the decoder numbers frames itself.
            let index = *next_index;
            let item = match parser.next_item()? {
                Ok(item) => item,
                Err(error) => {
                    *next_index += 1;
                    return Some(Err(frame_error(summary, index, error)));
                }
            };
            match item {
                openai_wire_sse::Item::Comment(comment) => Some(Ok(Frame::Comment(comment.text))),
                openai_wire_sse::Item::Event(frame) => {
                    *next_index += 1;
                    Some(Ok(Frame::Event {
                        event_name: frame.event,
                        data: frame.data,
                        position: Position {
                            index,
                            offset: frame.offset,
                        },
                    }))
                }
            }
        }
        Framing::Jsonl(lines) => match lines.next_line(max_event_size)? {
            Ok((line, position)) => Some(Ok(Frame::Event {
                event_name: None,
                data: line,
                position,
            })),
            Err((kind, position)) => {
                summary.errors += 1;
                Some(Err(DecodeError {
                    position,
                    raw: String::new(),
                    kind,
                }))
            }
        },
    }
}

/// The error of an SSE frame that could not be read (counted in `summary`).
fn frame_error(summary: &mut Summary, index: u64, error: SseError) -> DecodeError {
    let offset = match &error {
        SseError::InvalidUtf8 { start, .. } => *start,
        SseError::EventTooLarge { offset, .. } => *offset,
        SseError::Truncated { offset, .. } => {
            summary.truncated = true;
            *offset
        }
        _ => 0,
    };
    summary.errors += 1;
    let raw = match &error {
        SseError::Truncated { partial, .. } => String::from_utf8_lossy(&partial.raw).into_owned(),
        _ => String::new(),
    };
    DecodeError {
        position: Position { index, offset },
        raw,
        kind: ErrorKind::Frame(error),
    }
}

/// What a protocol's frames need to be told apart.
#[derive(Debug, Clone, Copy)]
struct FrameRules {
    /// Whether the protocol has an event named `done` (the Assistants stream), which is not
    /// the `[DONE]` marker.
    done_event: bool,
}

impl FrameRules {
    fn of<E: StreamEvent>() -> Self {
        FrameRules {
            done_event: E::WIRE_TYPES.contains(&"done"),
        }
    }
}

fn owned_facts<E: StreamEvent>(event: &E) -> (bool, bool, &str) {
    (event.is_unknown(), event.is_terminal(), event.wire_type())
}

fn view_facts<'a, V: EventView<'a>>(event: &V) -> (bool, bool, &str) {
    (event.is_unknown(), event.is_terminal(), event.wire_type())
}

/// Decodes a frame's event with `decode` (the owned enum's or its view's), counting it.
fn decode_frame<'a, T>(
    summary: &mut Summary,
    frame: Frame<'a>,
    rules: FrameRules,
    decode: impl FnOnce(Option<&'a str>, &'a str) -> Result<T, openai_wire_events::DecodeError>,
    facts: fn(&T) -> (bool, bool, &str),
) -> Result<Item<'a, T>, DecodeError> {
    let (event_name, data, position) = match frame {
        Frame::Comment(text) => return Ok(Item::Comment(text)),
        Frame::Event {
            event_name,
            data,
            position,
        } => (event_name, data, position),
    };
    let ended = summary.terminal.is_some() || summary.done_marker;
    let named_done = event_name == Some("done") && rules.done_event;
    if data.trim() == "[DONE]" && !named_done {
        if ended && summary.done_marker {
            summary.events_after_end += 1;
        }
        summary.done_marker = true;
        return Ok(Item::Done(position));
    }
    match decode(event_name, data) {
        Ok(event) => {
            summary.events += 1;
            if ended {
                summary.events_after_end += 1;
            }
            let (unknown, terminal, wire_type) = facts(&event);
            if unknown {
                summary.unknown += 1;
            }
            if terminal {
                summary.terminal = Some(wire_type.to_owned());
            }
            Ok(Item::Event(Decoded {
                event,
                raw: data,
                event_name,
                position,
            }))
        }
        Err(error) => {
            summary.errors += 1;
            Err(DecodeError {
                position,
                raw: data.to_owned(),
                kind: ErrorKind::Event(error),
            })
        }
    }
}

/// Decodes one Realtime (or Responses) WebSocket text message.
pub fn decode_message<E: StreamEvent>(text: &str) -> Result<E, openai_wire_events::DecodeError> {
    E::from_json(text)
}

/// The framing of JSONL: complete lines out of arbitrary chunks.
#[derive(Debug, Default)]
struct LineBuffer {
    buffer: Vec<u8>,
    /// Bytes of `buffer` already handed out (dropped on the next feed or line).
    consumed: usize,
    /// Stream offset of `buffer[0]`.
    base: u64,
    /// Lines handed out.
    index: u64,
    finished: bool,
    /// Set while skipping the rest of a line that was too long.
    skipping: bool,
}

impl LineBuffer {
    fn compact(&mut self) {
        if self.consumed > 0 {
            self.buffer.drain(..self.consumed);
            self.base += self.consumed as u64;
            self.consumed = 0;
        }
    }

    fn feed(&mut self, bytes: &[u8]) {
        self.compact();
        self.buffer.extend_from_slice(bytes);
    }

    #[allow(clippy::type_complexity)]
    fn next_line(
        &mut self,
        limit: usize,
    ) -> Option<Result<(&str, Position), (ErrorKind, Position)>> {
        self.compact();
        loop {
            let start = self.consumed;
            let rest = &self.buffer[start..];
            let (end, next) = match rest.iter().position(|&b| b == b'\n') {
                Some(newline) => (start + newline, start + newline + 1),
                None if self.finished && !rest.is_empty() => (self.buffer.len(), self.buffer.len()),
                None => {
                    if rest.len() > limit && !self.skipping {
                        let position = Position {
                            index: self.index,
                            offset: self.base + start as u64,
                        };
                        self.index += 1;
                        self.skipping = true;
                        self.consumed = self.buffer.len();
                        return Some(Err((ErrorKind::LineTooLong { limit }, position)));
                    }
                    if self.skipping {
                        self.consumed = self.buffer.len();
                    }
                    return None;
                }
            };
            self.consumed = next;
            if self.skipping {
                self.skipping = false;
                continue;
            }
            let line = &self.buffer[start..end];
            if line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            let position = Position {
                index: self.index,
                offset: self.base + start as u64,
            };
            self.index += 1;
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            if line.len() > limit {
                return Some(Err((ErrorKind::LineTooLong { limit }, position)));
            }
            return Some(match std::str::from_utf8(line) {
                Ok(text) => Ok((text, position)),
                Err(e) => Err((
                    ErrorKind::InvalidUtf8 {
                        offset: position.offset + e.valid_up_to() as u64,
                    },
                    position,
                )),
            });
        }
    }
}
