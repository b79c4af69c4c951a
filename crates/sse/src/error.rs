//! Errors of the parser and the writer.

use crate::frame::OwnedFrame;

/// What went wrong while reading an event stream.
///
/// Every error names the byte offset in the stream where it happened. None of them stops the
/// parser: it skips the bad event (or comment) and goes on with the next one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SseError {
    /// A field value of an event (its name, data or id), or a comment, is not valid UTF-8.
    ///
    /// The whole event (or comment) is skipped. Invalid bytes in lines the parser ignores (unknown
    /// fields, comments when comments are turned off) are not an error.
    #[error(
        "invalid UTF-8 at byte {offset} of the stream; the event or comment that starts at byte {start} was skipped"
    )]
    InvalidUtf8 {
        /// Offset of the first invalid byte.
        offset: u64,
        /// Offset where the skipped event (its first field line) or comment starts.
        start: u64,
    },
    /// An event (or a single line outside an event) grew past
    /// [`ParserConfig::max_event_size`](crate::ParserConfig::max_event_size).
    ///
    /// The parser drops what it has of that event and everything up to the blank line that ends
    /// it (for a comment line: up to the end of that line), then carries on.
    #[error(
        "the event that starts at byte {offset} is larger than the limit of {limit} bytes; it was skipped"
    )]
    EventTooLarge {
        /// Offset where the event (or line) starts.
        offset: u64,
        /// The configured limit, in bytes.
        limit: usize,
    },
    /// The stream ended in the middle of an event, before the blank line that dispatches it.
    ///
    /// The event is not dispatched; what was received is in `partial`.
    #[error(
        "the stream ended inside the event that starts at byte {offset} (no blank line after its {} bytes); it was not dispatched",
        partial.raw.len()
    )]
    Truncated {
        /// Offset where the event starts.
        offset: u64,
        /// What was received of it.
        partial: Box<PartialEvent>,
    },
}

/// What was received of an event that the stream cut off (see [`SseError::Truncated`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PartialEvent {
    /// The fields read from the lines received, the unterminated last line included. Field values
    /// are decoded as UTF-8 with replacement characters; `data` is empty when no `data:` line came.
    pub frame: OwnedFrame,
    /// Whether at least one `data:` line was received.
    pub has_data: bool,
    /// The raw bytes received, from the start of the event's first field line to the end of the
    /// stream.
    pub raw: Vec<u8>,
}

/// Why a writer refused a frame or comment. Nothing is written when it does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WriteError {
    /// The event name contains `\r` or `\n`, which would end the `event:` line early.
    #[error("the event name contains a line break at byte {index}; SSE cannot carry it")]
    LineBreakInEvent {
        /// Byte index of the offending character in the name.
        index: usize,
    },
    /// The id contains `\r`, `\n` or U+0000 NULL (a reader ignores an id with NULL).
    #[error("the id contains a line break or NUL at byte {index}; SSE cannot carry it")]
    InvalidId {
        /// Byte index of the offending character in the id.
        index: usize,
    },
    /// The data contains `\r`: a reader would take it as a line break and give back `\n`.
    #[error(
        "the data contains a carriage return at byte {index}; SSE cannot carry it (use \\n for line breaks)"
    )]
    CarriageReturnInData {
        /// Byte index of the carriage return in the data.
        index: usize,
    },
    /// The comment text contains `\r` or `\n`, which would end the comment line early.
    #[error("the comment contains a line break at byte {index}; SSE cannot carry it")]
    LineBreakInComment {
        /// Byte index of the offending character in the comment.
        index: usize,
    },
}
