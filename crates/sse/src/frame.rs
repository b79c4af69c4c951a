//! The things a [`Parser`](crate::Parser) yields and a writer takes: frames and comments.

/// One dispatched Server-Sent Event, borrowed from the parser (or built by hand for the writer).
///
/// A frame produced by [`Parser::next_item`](crate::Parser::next_item) borrows the parser's
/// buffer; it lives until the next call to the parser. Call [`Frame::into_owned`] to keep it.
///
/// To build one for [`write_frame`](crate::write_frame), start from [`Frame::new`]:
///
/// ```
/// use openai_wire_sse::Frame;
///
/// let frame = Frame::new("{\"type\":\"ping\"}").with_event("ping").with_id("7");
/// assert_eq!(frame.event, Some("ping"));
/// assert_eq!(frame.id, Some("7"));
/// assert_eq!(frame.retry, None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Frame<'a> {
    /// The value of the event's last `event:` line, or `None` when it had none.
    ///
    /// WHATWG treats both a missing and an empty name as `"message"`; that default is the
    /// caller's business, this field reports what was on the wire.
    pub event: Option<&'a str>,
    /// The event's `data:` lines, joined with `\n` (no trailing newline).
    pub data: &'a str,
    /// The value of the event's last valid `id:` line, or `None` when it had none.
    ///
    /// An `id:` line whose value contains U+0000 NULL is ignored, as WHATWG says. The id that
    /// persists across events (for `Last-Event-ID` on reconnect) is
    /// [`Parser::last_event_id`](crate::Parser::last_event_id).
    pub id: Option<&'a str>,
    /// The value of the event's last `retry:` line made only of ASCII digits, in milliseconds.
    pub retry: Option<u64>,
    /// Byte offset in the stream where the event's first field line starts (a byte-order mark
    /// at the start of the stream counts).
    pub offset: u64,
    /// How many frames the parser dispatched before this one (0 for the first).
    pub index: u64,
}

impl<'a> Frame<'a> {
    /// A frame with the given data and no name, id or retry (offset and index 0).
    pub fn new(data: &'a str) -> Self {
        Frame {
            event: None,
            data,
            id: None,
            retry: None,
            offset: 0,
            index: 0,
        }
    }

    /// Sets the event name.
    #[must_use]
    pub fn with_event(mut self, event: &'a str) -> Self {
        self.event = Some(event);
        self
    }

    /// Sets the event id.
    #[must_use]
    pub fn with_id(mut self, id: &'a str) -> Self {
        self.id = Some(id);
        self
    }

    /// Sets the reconnection time in milliseconds.
    #[must_use]
    pub fn with_retry(mut self, retry: u64) -> Self {
        self.retry = Some(retry);
        self
    }

    /// Copies the frame into an [`OwnedFrame`].
    pub fn into_owned(self) -> OwnedFrame {
        OwnedFrame {
            event: self.event.map(str::to_owned),
            data: self.data.to_owned(),
            id: self.id.map(str::to_owned),
            retry: self.retry,
            offset: self.offset,
            index: self.index,
        }
    }
}

/// A [`Frame`] that owns its strings.
///
/// ```
/// use openai_wire_sse::Frame;
///
/// let owned = Frame::new("hello").with_event("greeting").into_owned();
/// assert_eq!(owned.as_frame(), Frame::new("hello").with_event("greeting"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct OwnedFrame {
    /// See [`Frame::event`].
    pub event: Option<String>,
    /// See [`Frame::data`].
    pub data: String,
    /// See [`Frame::id`].
    pub id: Option<String>,
    /// See [`Frame::retry`].
    pub retry: Option<u64>,
    /// See [`Frame::offset`].
    pub offset: u64,
    /// See [`Frame::index`].
    pub index: u64,
}

impl OwnedFrame {
    /// Borrows this frame as a [`Frame`].
    pub fn as_frame(&self) -> Frame<'_> {
        Frame {
            event: self.event.as_deref(),
            data: &self.data,
            id: self.id.as_deref(),
            retry: self.retry,
            offset: self.offset,
            index: self.index,
        }
    }
}

/// A comment line (one that starts with `:`), such as the keep-alive `: OPENROUTER PROCESSING`.
///
/// Comments are never events. The parser reports them by default so that a proxy can forward
/// keep-alives; turn that off with [`ParserConfig::with_comments`](crate::ParserConfig::with_comments).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Comment<'a> {
    /// Everything after the colon, as it was (no space stripped): `: ping` gives `" ping"`.
    pub text: &'a str,
    /// Byte offset in the stream where the line (its colon) starts.
    pub offset: u64,
}

/// One thing the parser read: an event or a comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Item<'a> {
    /// A dispatched event (a block that ended with a blank line and had at least one `data:` line).
    Event(Frame<'a>),
    /// A comment line.
    Comment(Comment<'a>),
}
