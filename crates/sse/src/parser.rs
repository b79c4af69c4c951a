//! The event-stream parser: bytes in, [`Item`]s out.

use std::collections::VecDeque;

use memchr::{memchr, memrchr2};

use crate::error::{PartialEvent, SseError};
use crate::frame::{Comment, Frame, Item, OwnedFrame};

/// The UTF-8 byte-order mark, skipped at the very start of a stream.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Settings of a [`Parser`].
///
/// ```
/// use openai_wire_sse::{Parser, ParserConfig};
///
/// let config = ParserConfig::new()
///     .with_max_event_size(1024 * 1024)
///     .with_comments(false);
/// let parser = Parser::with_config(config);
/// assert_eq!(parser.config().max_event_size(), 1024 * 1024);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParserConfig {
    max_event_size: usize,
    comments: bool,
}

impl ParserConfig {
    /// The default [`max_event_size`](Self::max_event_size): 16 MiB.
    pub const DEFAULT_MAX_EVENT_SIZE: usize = 16 * 1024 * 1024;

    /// The defaults: events up to 16 MiB, comments reported.
    pub const fn new() -> Self {
        ParserConfig {
            max_event_size: Self::DEFAULT_MAX_EVENT_SIZE,
            comments: true,
        }
    }

    /// Sets the largest event the parser accepts, in bytes.
    ///
    /// An event's size is the number of bytes from the start of its first field line to the end
    /// of its last line (the line endings between its lines and comment lines inside it count; the
    /// last line ending and the blank line do not). A comment line outside an event is held to the
    /// same limit. Going over it gives [`SseError::EventTooLarge`]; the parser holds at most this
    /// many bytes of one event plus one chunk in memory (and, for each invalid UTF-8 sequence in
    /// them, 16 bytes of bookkeeping).
    #[must_use]
    pub const fn with_max_event_size(mut self, bytes: usize) -> Self {
        self.max_event_size = bytes;
        self
    }

    /// Sets whether comment lines are reported as [`Item::Comment`] (the default) or dropped.
    #[must_use]
    pub const fn with_comments(mut self, report: bool) -> Self {
        self.comments = report;
        self
    }

    /// The largest event the parser accepts, in bytes.
    pub const fn max_event_size(&self) -> usize {
        self.max_event_size
    }

    /// Whether comment lines are reported.
    pub const fn comments(&self) -> bool {
        self.comments
    }
}

impl Default for ParserConfig {
    fn default() -> Self {
        Self::new()
    }
}

/// A value's place in the buffer, relative to the start of its event.
#[derive(Debug, Clone, Copy, Default)]
struct Span {
    start: usize,
    end: usize,
}

/// The fields read so far of the event being received.
#[derive(Debug, Default)]
struct EventState {
    /// Whether a field line has been read since the last blank line.
    active: bool,
    event: Option<Span>,
    data_count: usize,
    data_first: Span,
    /// The `data:` lines after the first one (kept allocated between events).
    data_rest: Vec<Span>,
    id: Option<Span>,
    retry: Option<u64>,
}

impl EventState {
    fn start(&mut self) {
        self.active = true;
        self.event = None;
        self.data_count = 0;
        self.data_rest.clear();
        self.id = None;
        self.retry = None;
    }

    /// Records the field line `buf[start..end]` of the event that starts at `buf[pos]`. Returns
    /// the span of an `id` value that was ignored for holding a NUL.
    #[inline(always)]
    fn field(&mut self, buf: &[u8], pos: usize, start: usize, end: usize) -> Option<Span> {
        let line = &buf[start..end];
        let (name, value_start) = field_name(line);
        let value = &line[value_start..];
        let span = Span {
            start: start + value_start - pos,
            end: end - pos,
        };
        match name {
            FieldName::Data => {
                if self.data_count == 0 {
                    self.data_first = span;
                } else {
                    self.data_rest.push(span);
                }
                self.data_count += 1;
            }
            FieldName::Event => self.event = Some(span),
            // An id with NUL is ignored (WHATWG).
            FieldName::Id if memchr(0, value).is_some() => return Some(span),
            FieldName::Id => self.id = Some(span),
            FieldName::Retry => {
                if let Some(retry) = parse_digits(value) {
                    self.retry = Some(retry);
                }
            }
            FieldName::Other => {}
        }
        None
    }

    fn data_spans(&self) -> impl Iterator<Item = Span> + '_ {
        let first = (self.data_count > 0).then_some(self.data_first);
        first.into_iter().chain(self.data_rest.iter().copied())
    }
}

/// What the parser does with incoming lines after an oversized event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Discard {
    /// Not discarding.
    #[default]
    No,
    /// Dropping the rest of an oversized comment line.
    LineEnd,
    /// Dropping an oversized event up to its blank line.
    BlankLine {
        /// Whether the next byte starts a line (so an empty line there is a blank line).
        at_line_start: bool,
    },
}

/// What one step of the parser produced (indices into the buffer, so no borrow is held).
enum Step {
    Continue,
    NeedMore,
    Error(SseError),
    /// A comment whose text is `buf[start..end]`.
    Comment {
        start: usize,
        end: usize,
    },
    /// An event to dispatch, whose lines are `buf[start..end]` (the fields in `self.ev`).
    Event {
        start: usize,
        end: usize,
    },
}

/// A sans-IO Server-Sent Events parser, following the WHATWG event-stream interpretation rules.
///
/// Push bytes with [`feed`](Self::feed) as they arrive, in chunks of any size and split anywhere,
/// then call [`next_item`](Self::next_item) until it returns `None`. At the end of the stream call
/// [`finish`](Self::finish) and drain once more: an event that did not get its blank line comes
/// out as [`SseError::Truncated`].
///
/// ```
/// use openai_wire_sse::{Item, Parser, SseError};
///
/// let mut parser = Parser::new();
/// let mut seen = Vec::new();
/// for chunk in [&b": keep-alive\nevent: delta\nda"[..], b"ta: {\"x\":1}\r", b"\n\r\ndata: cut"] {
///     parser.feed(chunk);
///     while let Some(item) = parser.next_item() {
///         match item {
///             Ok(Item::Event(frame)) => seen.push(format!("{:?} {}", frame.event, frame.data)),
///             Ok(Item::Comment(comment)) => seen.push(format!("comment{}", comment.text)),
///             Err(error) => seen.push(error.to_string()),
///         }
///     }
/// }
/// parser.finish();
/// while let Some(item) = parser.next_item() {
///     if let Err(SseError::Truncated { offset, partial }) = item {
///         seen.push(format!("truncated at {offset}: {}", partial.frame.data));
///     }
/// }
/// assert_eq!(seen, [
///     "comment keep-alive",
///     "Some(\"delta\") {\"x\":1}",
///     "truncated at 43: cut",
/// ]);
/// ```
///
/// # Behaviour, in detail
///
/// - Lines end with LF, CR or CRLF; a CRLF split across two chunks is one line ending.
/// - A UTF-8 byte-order mark is skipped at the very start of the stream, and only there.
/// - `field: value` and `field:value` are the same (one space after the colon is stripped, not
///   more); a line without a colon is a field with an empty value; unknown fields are ignored.
/// - `data` lines are joined with `\n`. `event`, `id` and `retry`: the last valid line wins. An
///   `id` containing U+0000 NULL is ignored. A `retry` is used only if it is all ASCII digits (and
///   fits in a `u64`).
/// - A blank line ends an event. As WHATWG says, an event with no `data` line is **not
///   dispatched** (so `event: ping\n\n` yields nothing); its `id` and `retry` still update
///   [`last_event_id`](Self::last_event_id) and [`retry`](Self::retry).
/// - Field values are checked to be UTF-8 (a character may be split across chunks). Instead of
///   WHATWG's replacement characters, an event with invalid UTF-8 in its name, data or id is
///   skipped and reported as [`SseError::InvalidUtf8`] with the offset of the bad byte.
/// - An event bigger than [`ParserConfig::max_event_size`] is skipped and reported as
///   [`SseError::EventTooLarge`]; memory stays bounded.
/// - Each [`Frame`] carries the stream offset of its first field line and its index.
#[derive(Debug, Default)]
pub struct Parser {
    config: ParserConfig,
    /// The stream's bytes received and not yet dropped, as text: `buf[0]` is at stream offset
    /// `base`. Each byte that is not valid UTF-8 is stored as a NUL (so offsets stay the same)
    /// and listed in `bad` with its real value. Holding text lets frames borrow `&str`s with no
    /// check per event: UTF-8 is checked once per chunk, which is several times faster.
    buf: String,
    base: u64,
    /// The bytes of a character cut by the end of the last chunk, not yet in `buf`.
    tail: [u8; 4],
    tail_len: usize,
    /// The invalid bytes in `buf`, in stream order.
    bad: VecDeque<BadRun>,
    /// Start of what must be kept: the current event's first line, or the next line.
    pos: usize,
    /// Start of the next line to read.
    scan: usize,
    /// `buf[scan..searched]` is known to hold no line ending.
    searched: usize,
    /// The first CR at or after `searched` is at `next_cr` (`buf.len()` when there is none), as
    /// long as `next_cr >= searched`; below that it is stale and looked up again. Knowing where
    /// the next CR is lets lines be found with a one-byte `memchr` for `\n`, much faster than a
    /// two-byte search on short lines.
    next_cr: usize,
    /// The last line ended with a CR at the end of the buffer: skip one LF that follows.
    pending_cr: bool,
    bom_done: bool,
    finished: bool,
    discard: Discard,
    ev: EventState,
    lines: LineFinder,
    /// Where multi-line data is joined.
    scratch: String,
    last_event_id: String,
    retry: Option<u64>,
    index: u64,
}

/// An event read by [`Parser::fast_event`]: where it starts, and its name and data as buffer
/// ranges.
#[derive(Debug, Clone, Copy)]
struct FastEvent {
    start: usize,
    event: Option<(usize, usize)>,
    data: (usize, usize),
}

/// Invalid UTF-8 bytes (one invalid sequence, at most 3 bytes) stored as NULs in the buffer.
#[derive(Debug, Clone, Copy)]
struct BadRun {
    /// Stream offset of the first byte.
    offset: u64,
    len: u8,
    bytes: [u8; 3],
}

impl BadRun {
    fn end(&self) -> u64 {
        self.offset + u64::from(self.len)
    }
}

impl Parser {
    /// A parser with the default [`ParserConfig`].
    pub fn new() -> Self {
        Self::default()
    }

    /// A parser with the given settings.
    pub fn with_config(config: ParserConfig) -> Self {
        Parser {
            config,
            ..Self::default()
        }
    }

    /// The parser's settings.
    pub fn config(&self) -> &ParserConfig {
        &self.config
    }

    /// Pushes the next bytes of the stream.
    ///
    /// Call [`next_item`](Self::next_item) until it returns `None` before feeding more, so that
    /// memory stays bounded. Bytes fed after [`finish`](Self::finish) are ignored.
    pub fn feed(&mut self, bytes: &[u8]) {
        if self.finished || bytes.is_empty() {
            return;
        }
        self.compact();
        let old_len = self.buf.len();
        let mut raw = std::mem::take(&mut self.buf).into_bytes();
        raw.extend_from_slice(&self.tail[..self.tail_len]);
        raw.extend_from_slice(bytes);
        // Keep a character cut by the end of the chunk for the next one.
        let cut = raw.len() - incomplete_suffix_len(&raw[old_len..]);
        self.tail_len = raw.len() - cut;
        self.tail[..self.tail_len].copy_from_slice(&raw[cut..]);
        raw.truncate(cut);
        self.buf = self.text_from_raw(raw, old_len);
        if self.next_cr == old_len {
            // No CR was left in the buffer: look for one in the new bytes (still in cache).
            self.next_cr = old_len
                + memchr(b'\r', &self.buf.as_bytes()[old_len..])
                    .unwrap_or(self.buf.len() - old_len);
        }
    }

    /// Marks the end of the stream. Drain [`next_item`](Self::next_item) afterwards: an unfinished
    /// last line is read as a line, and an event without its blank line comes out as
    /// [`SseError::Truncated`].
    pub fn finish(&mut self) {
        if self.finished {
            return;
        }
        if self.tail_len > 0 {
            // A character that never got its last bytes: invalid.
            self.compact();
            let old_len = self.buf.len();
            let mut raw = std::mem::take(&mut self.buf).into_bytes();
            raw.extend_from_slice(&self.tail[..self.tail_len]);
            self.tail_len = 0;
            self.buf = self.text_from_raw(raw, old_len);
            if self.next_cr == old_len {
                self.next_cr = self.buf.len();
            }
        }
        self.finished = true;
    }

    /// Whether [`finish`](Self::finish) was called.
    pub fn is_finished(&self) -> bool {
        self.finished
    }

    /// The last event ID (WHATWG's "last event ID buffer"): the value of the last valid `id:` line
    /// of any completed event, dispatched or not; empty until one is seen. This is what a client
    /// sends as `Last-Event-ID` when it reconnects.
    pub fn last_event_id(&self) -> &str {
        &self.last_event_id
    }

    /// The last reconnection time (milliseconds) set by a valid `retry:` line of any completed
    /// event, dispatched or not.
    pub fn retry(&self) -> Option<u64> {
        self.retry
    }

    /// The total number of bytes fed so far.
    pub fn bytes_fed(&self) -> u64 {
        self.base + (self.buf.len() + self.tail_len) as u64
    }

    /// The next event, comment or error, or `None` when more bytes are needed (or, after
    /// [`finish`](Self::finish), when the stream is fully read).
    ///
    /// The item borrows the parser until the next call. Errors never stop the parser: keep
    /// calling.
    pub fn next_item(&mut self) -> Option<Result<Item<'_>, SseError>> {
        loop {
            if let Some(fast) = self.fast_event() {
                let text = self.buf.as_str();
                let frame = Frame {
                    event: fast.event.map(|(start, end)| text_slice(text, start, end)),
                    data: text_slice(text, fast.data.0, fast.data.1),
                    id: None,
                    retry: None,
                    offset: self.base + fast.start as u64,
                    index: self.index,
                };
                self.index += 1;
                return Some(Ok(Item::Event(frame)));
            }
            match self.step() {
                Step::Continue => {}
                Step::NeedMore => return None,
                Step::Error(error) => return Some(Err(error)),
                Step::Comment { start, end } => {
                    let offset = self.base + start as u64 - 1;
                    if let Some(bad) = self.first_bad(start, end, LineKinds::All) {
                        return Some(Err(SseError::InvalidUtf8 {
                            offset: bad,
                            start: offset,
                        }));
                    }
                    let text = text_slice(&self.buf, start, end);
                    return Some(Ok(Item::Comment(Comment { text, offset })));
                }
                Step::Event { start, end } => {
                    return Some(self.build_frame(start, end).map(Item::Event));
                }
            }
        }
    }

    /// Turns `raw` (`raw[..valid]` known to be UTF-8) into text, storing invalid bytes as NULs.
    fn text_from_raw(&mut self, raw: Vec<u8>, valid: usize) -> String {
        let error = match String::from_utf8(raw) {
            Ok(text) => return text,
            Err(error) => error,
        };
        let first_bad = error.utf8_error().valid_up_to().max(valid);
        let mut raw = error.into_bytes();
        let mut at = first_bad;
        let first_new_run = self.bad.len();
        for chunk in raw[first_bad..].utf8_chunks() {
            at += chunk.valid().len();
            let invalid = chunk.invalid();
            if !invalid.is_empty() {
                let mut bytes = [0u8; 3];
                let len = invalid.len().min(3);
                bytes[..len].copy_from_slice(&invalid[..len]);
                self.bad.push_back(BadRun {
                    offset: self.base + at as u64,
                    len: len as u8,
                    bytes,
                });
                at += invalid.len();
            }
        }
        for run in self.bad.range(first_new_run..) {
            let start = (run.offset - self.base) as usize;
            raw[start..start + usize::from(run.len)].fill(0);
        }
        // Every invalid byte is now a NUL, so this cannot fail; were it to, the lossy text keeps
        // the parser going.
        String::from_utf8(raw)
            .unwrap_or_else(|error| String::from_utf8_lossy(error.as_bytes()).into_owned())
    }

    /// Drops the bytes before `pos`.
    fn compact(&mut self) {
        let pos = self.pos;
        if pos == 0 || !self.buf.is_char_boundary(pos) {
            return;
        }
        // Make sure `next_cr` is not stale (below `pos`) before it moves with the buffer.
        let from = self.searched.max(self.scan);
        if self.next_cr < from {
            self.next_cr =
                from + memchr(b'\r', &self.buf.as_bytes()[from..]).unwrap_or(self.buf.len() - from);
        }
        if pos >= self.buf.len() {
            self.buf.clear();
            // A huge event may have grown the buffer: give the memory back once it is gone.
            if self.buf.capacity() > 4 * 1024 * 1024 {
                self.buf.shrink_to(64 * 1024);
            }
        } else {
            self.buf.drain(..pos);
        }
        self.base += pos as u64;
        self.scan -= pos;
        self.searched = self.searched.saturating_sub(pos);
        self.next_cr -= pos;
        self.pos = 0;
        while self.bad.front().is_some_and(|run| run.end() <= self.base) {
            self.bad.pop_front();
        }
    }

    /// The hot path, for the common shape of event: `event:` (optional) and one `data:` line,
    /// ended by LF, nothing odd in the buffer. Reads the whole event from its first line into
    /// local variables, or leaves everything as it was and returns `None` so that
    /// [`step`](Self::step) reads it line by line (a CR, a comment, an `id`, several `data` lines,
    /// an event cut by the end of the buffer, ...).
    #[inline(always)]
    fn fast_event(&mut self) -> Option<FastEvent> {
        if self.ev.active
            || !self.bom_done
            || self.pending_cr
            || self.discard != Discard::No
            || !self.bad.is_empty()
            || self.searched > self.scan
            || self.next_cr < self.scan
        {
            return None;
        }
        // No CR before `next_cr`: a LF is the only possible line ending there.
        let bytes = &self.buf.as_bytes()[..self.next_cr];
        let mut line = self.scan;
        let mut first = line;
        let mut event = None;
        let mut data = None;
        loop {
            let end = if bytes.get(line) == Some(&b'\n') {
                line
            } else {
                line + self.lines.find(bytes.get(line..)?)?
            };
            if line == end {
                if data.is_none() && event.is_none() {
                    // A blank line between events.
                    line = end + 1;
                    first = line;
                    continue;
                }
                let data = data?;
                self.scan = end + 1;
                self.searched = self.scan;
                self.pos = self.scan;
                return Some(FastEvent {
                    start: first,
                    event,
                    data,
                });
            }
            if end - first > self.config.max_event_size {
                return None;
            }
            let (name, value_start) = field_name(&bytes[line..end]);
            let span = (line + value_start, end);
            match name {
                FieldName::Data if data.is_none() => data = Some(span),
                FieldName::Event => event = Some(span),
                _ => return None,
            }
            line = end + 1;
        }
    }

    /// Reads one line (or the end of the buffer) and says what came of it.
    fn step(&mut self) -> Step {
        if !self.bom_done {
            let avail = &self.buf.as_bytes()[self.scan..];
            if avail.len() < BOM.len() && !self.finished && BOM.starts_with(avail) {
                return Step::NeedMore;
            }
            if avail.starts_with(BOM) {
                self.scan += BOM.len();
                self.pos = self.scan;
            }
            self.bom_done = true;
        }
        if self.discard != Discard::No {
            return self.step_discard();
        }
        match self.next_line() {
            Some((start, end)) => self.process_line(start, end),
            None => self.at_end_of_buffer(),
        }
    }

    /// Finds the next complete line from `scan`, returns its content's bounds and moves `scan`
    /// past its line ending.
    fn next_line(&mut self) -> Option<(usize, usize)> {
        let bytes = self.buf.as_bytes();
        if self.pending_cr {
            match bytes.get(self.scan) {
                None => return None,
                Some(&byte) => {
                    self.pending_cr = false;
                    if byte == b'\n' {
                        self.scan += 1;
                        if !self.ev.active && self.discard == Discard::No {
                            self.pos = self.scan;
                        }
                    }
                }
            }
        }
        let start = self.scan;
        let from = self.searched.max(start);
        let len = bytes.len();
        if self.next_cr < from {
            self.next_cr = from + memchr(b'\r', &bytes[from..]).unwrap_or(len - from);
        }
        let next_cr = self.next_cr;
        let end = match self.lines.find(&bytes[from..next_cr]) {
            Some(found) => {
                self.scan = from + found + 1;
                from + found
            }
            None if next_cr < len => {
                // A CR ends the line; a LF right after it belongs to the same line ending.
                match bytes.get(next_cr + 1) {
                    Some(b'\n') => self.scan = next_cr + 2,
                    Some(_) => self.scan = next_cr + 1,
                    None => {
                        self.scan = next_cr + 1;
                        self.pending_cr = true;
                    }
                }
                next_cr
            }
            None => {
                self.searched = len;
                return None;
            }
        };
        self.searched = self.scan;
        Some((start, end))
    }

    /// Handles the complete line `buf[start..end]` (line ending excluded).
    fn process_line(&mut self, start: usize, end: usize) -> Step {
        if start == end {
            return self.end_of_block(start);
        }
        let is_comment = self.buf.as_bytes()[start] == b':';
        let kept_from = if self.ev.active { self.pos } else { start };
        if end - kept_from > self.config.max_event_size {
            let offset = self.base + kept_from as u64;
            let rest_of_event = self.ev.active || !is_comment;
            self.ev.active = false;
            self.pos = self.scan;
            if rest_of_event {
                self.discard = Discard::BlankLine {
                    at_line_start: true,
                };
            }
            return self.too_large(offset);
        }
        if is_comment {
            if !self.ev.active {
                self.pos = self.scan;
            }
            if self.config.comments {
                return Step::Comment {
                    start: start + 1,
                    end,
                };
            }
            return Step::Continue;
        }
        if !self.ev.active {
            self.ev.start();
            self.pos = start;
        }
        if let Some(id) = self.ev.field(self.buf.as_bytes(), self.pos, start, end)
            && !self.bad.is_empty()
        {
            // The NULs may stand for invalid bytes: then the id is not ignored (the event will be
            // reported as invalid UTF-8, and a truncated event shows that id).
            let (id_start, id_end) = (self.pos + id.start, self.pos + id.end);
            let real_nul = self.buf.as_bytes()[id_start..id_end]
                .iter()
                .enumerate()
                .any(|(i, &b)| b == 0 && !self.is_bad(id_start + i));
            if !real_nul {
                self.ev.id = Some(id);
            }
        }
        Step::Continue
    }

    /// A blank line (starting at `blank`): dispatch the current event, if any.
    fn end_of_block(&mut self, blank: usize) -> Step {
        if !self.ev.active {
            self.pos = self.scan;
            return Step::Continue;
        }
        let start = self.pos;
        // The event's lines, the last one's line ending included.
        let end = blank;
        self.pos = self.scan;
        self.ev.active = false;
        if self.ev.data_count > 0 {
            return Step::Event { start, end };
        }
        // No data: not dispatched, but the id and retry count (WHATWG).
        if let Some(bad) = self.first_bad(start, end, LineKinds::Fields) {
            return Step::Error(SseError::InvalidUtf8 {
                offset: bad,
                start: self.base + start as u64,
            });
        }
        if let Some(retry) = self.ev.retry {
            self.retry = Some(retry);
        }
        if let Some(span) = self.ev.id {
            let id = text_slice(&self.buf, start + span.start, start + span.end);
            self.last_event_id.clear();
            self.last_event_id.push_str(id);
        }
        Step::Continue
    }

    /// No complete line is left in the buffer.
    fn at_end_of_buffer(&mut self) -> Step {
        let len = self.buf.len();
        if !self.finished {
            // The unfinished line `buf[scan..]` counts, with the line endings before it (but an
            // event's last line ending does not: there must be bytes after it).
            let kept_from = if self.ev.active { self.pos } else { self.scan };
            if len > self.scan && len - kept_from > self.config.max_event_size {
                let offset = self.base + kept_from as u64;
                let comment_line =
                    !self.ev.active && self.buf.as_bytes().get(self.scan) == Some(&b':');
                self.discard = if comment_line {
                    Discard::LineEnd
                } else {
                    Discard::BlankLine {
                        at_line_start: true,
                    }
                };
                self.ev.active = false;
                self.pos = self.scan;
                return self.too_large(offset);
            }
            return Step::NeedMore;
        }
        // End of stream: an unterminated last line is still a line.
        if self.scan < len {
            let start = self.scan;
            self.scan = len;
            self.searched = len;
            return self.process_line(start, len);
        }
        if self.ev.active {
            return self.truncated();
        }
        Step::NeedMore
    }

    /// Drops lines until the end of the oversized event or line.
    fn step_discard(&mut self) -> Step {
        match self.next_line() {
            Some((start, end)) => {
                self.pos = self.scan;
                self.discard = match self.discard {
                    Discard::BlankLine {
                        at_line_start: true,
                    } if start == end => Discard::No,
                    Discard::BlankLine { .. } => Discard::BlankLine {
                        at_line_start: true,
                    },
                    _ => Discard::No,
                };
                Step::Continue
            }
            None => {
                let len = self.buf.len();
                if self.scan < len {
                    if let Discard::BlankLine { .. } = self.discard {
                        self.discard = Discard::BlankLine {
                            at_line_start: false,
                        };
                    }
                    self.scan = len;
                    self.searched = len;
                }
                self.pos = len;
                if self.finished {
                    self.discard = Discard::No;
                }
                Step::NeedMore
            }
        }
    }

    fn too_large(&self, offset: u64) -> Step {
        Step::Error(SseError::EventTooLarge {
            offset,
            limit: self.config.max_event_size,
        })
    }

    /// The stream ended inside an event: report what was received.
    fn truncated(&mut self) -> Step {
        let start = self.pos;
        let raw = self.raw_bytes(start, self.buf.len());
        let lossy = |span: Span| String::from_utf8_lossy(&raw[span.start..span.end]).into_owned();
        let ev = &self.ev;
        let mut data = String::new();
        for (i, span) in ev.data_spans().enumerate() {
            if i > 0 {
                data.push('\n');
            }
            data.push_str(&lossy(span));
        }
        let offset = self.base + start as u64;
        let frame = OwnedFrame {
            event: ev.event.map(lossy),
            data,
            id: ev.id.map(lossy),
            retry: ev.retry,
            offset,
            index: self.index,
        };
        let partial = PartialEvent {
            frame,
            has_data: ev.data_count > 0,
            raw,
        };
        self.ev.active = false;
        self.pos = self.buf.len();
        self.scan = self.pos;
        self.searched = self.pos;
        Step::Error(SseError::Truncated {
            offset,
            partial: Box::new(partial),
        })
    }

    /// Whether `buf[index]` stands for an invalid byte.
    fn is_bad(&self, index: usize) -> bool {
        let at = self.base + index as u64;
        let after = self.bad.partition_point(|run| run.offset <= at);
        after > 0 && self.bad[after - 1].end() > at
    }

    /// The bytes of `buf[start..end]` as received (invalid bytes put back).
    fn raw_bytes(&self, start: usize, end: usize) -> Vec<u8> {
        let mut raw = self.buf.as_bytes()[start..end].to_vec();
        let (lo, hi) = (self.base + start as u64, self.base + end as u64);
        for run in self
            .bad
            .iter()
            .filter(|run| run.end() > lo && run.offset < hi)
        {
            for (i, &byte) in run.bytes[..usize::from(run.len)].iter().enumerate() {
                let at = run.offset + i as u64;
                if (lo..hi).contains(&at) {
                    raw[(at - lo) as usize] = byte;
                }
            }
        }
        raw
    }

    /// The stream offset of the first invalid byte in `buf[start..end]` that matters: in any line
    /// ([`LineKinds::All`], for a comment), or in the value of an `event`, `data` or `id` line.
    #[inline]
    fn first_bad(&self, start: usize, end: usize, kinds: LineKinds) -> Option<u64> {
        if self.bad.is_empty() {
            return None;
        }
        self.first_bad_slow(start, end, kinds)
    }

    #[cold]
    fn first_bad_slow(&self, start: usize, end: usize, kinds: LineKinds) -> Option<u64> {
        let (lo, hi) = (self.base + start as u64, self.base + end as u64);
        let bytes = self.buf.as_bytes();
        for run in &self.bad {
            if run.end() <= lo {
                continue;
            }
            if run.offset >= hi {
                break;
            }
            let at = run.offset.max(lo);
            if kinds == LineKinds::All {
                return Some(at);
            }
            let index = (at - self.base) as usize;
            let line_start =
                memrchr2(b'\n', b'\r', &bytes[start..index]).map_or(start, |i| start + i + 1);
            // The bad byte matters if it comes after the colon of a field we use.
            let Some(colon) = memchr(b':', &bytes[line_start..index]) else {
                continue;
            };
            if matches!(
                &bytes[line_start..line_start + colon],
                b"data" | b"event" | b"id"
            ) {
                return Some(at);
            }
        }
        None
    }

    /// Checks and assembles the event whose lines are `buf[start..end]`.
    fn build_frame(&mut self, start: usize, end: usize) -> Result<Frame<'_>, SseError> {
        let offset = self.base + start as u64;
        if let Some(bad) = self.first_bad(start, end, LineKinds::Fields) {
            return Err(SseError::InvalidUtf8 {
                offset: bad,
                start: offset,
            });
        }
        let text = self.buf.as_str();
        let ev = &self.ev;
        let value = |span: Span| text_slice(text, start + span.start, start + span.end);
        let data: &str = if ev.data_count == 1 {
            value(ev.data_first)
        } else {
            self.scratch.clear();
            for (i, span) in ev.data_spans().enumerate() {
                if i > 0 {
                    self.scratch.push('\n');
                }
                self.scratch.push_str(value(span));
            }
            &self.scratch
        };
        let id = ev.id.map(value);
        if let Some(id) = id {
            self.last_event_id.clear();
            self.last_event_id.push_str(id);
        }
        if ev.retry.is_some() {
            self.retry = ev.retry;
        }
        let frame = Frame {
            event: ev.event.map(value),
            data,
            id,
            retry: ev.retry,
            offset,
            index: self.index,
        };
        self.index += 1;
        Ok(frame)
    }
}

/// Which lines' invalid bytes make an event (or comment) invalid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LineKinds {
    /// Every byte (a comment).
    All,
    /// The values of `event`, `data` and `id` lines.
    Fields,
}

/// `text[start..end]`. Bounds always fall next to ASCII bytes (line endings, colons, spaces) or at
/// the ends of the buffer, so on character boundaries; should one not, this gives `""` rather
/// than panic.
#[inline]
fn text_slice(text: &str, start: usize, end: usize) -> &str {
    text.get(start..end).unwrap_or_default()
}

/// How many bytes at the end of `bytes` are the start of a character that the next chunk will
/// finish (0 to 3).
fn incomplete_suffix_len(bytes: &[u8]) -> usize {
    for back in 1..=bytes.len().min(3) {
        let byte = bytes[bytes.len() - back];
        if byte & 0xC0 == 0x80 {
            // A continuation byte: look further back for the leading one.
            continue;
        }
        let width = match byte {
            0xC2..=0xDF => 2,
            0xE0..=0xEF => 3,
            0xF0..=0xF4 => 4,
            _ => 1,
        };
        return if width > back { back } else { 0 };
    }
    0
}

/// The fields the parser knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FieldName {
    Data,
    Event,
    Id,
    Retry,
    Other,
}

/// A field line's name and where its value starts (after the colon and one optional space).
#[inline(always)]
fn field_name(line: &[u8]) -> (FieldName, usize) {
    // The common `data:` and `event:` first, without looking for the colon.
    let (name, after_colon) = if line.len() > 4 && line[4] == b':' && line[..4] == *b"data" {
        (FieldName::Data, 5)
    } else if line.len() > 5 && line[5] == b':' && line[..5] == *b"event" {
        (FieldName::Event, 6)
    } else {
        let (name, after_colon) = match memchr(b':', line) {
            Some(colon) => (&line[..colon], colon + 1),
            None => (line, line.len()),
        };
        let name = match name {
            b"data" => FieldName::Data,
            b"event" => FieldName::Event,
            b"id" => FieldName::Id,
            b"retry" => FieldName::Retry,
            _ => FieldName::Other,
        };
        (name, after_colon)
    };
    if line.get(after_colon) == Some(&b' ') {
        (name, after_colon + 1)
    } else {
        (name, after_colon)
    }
}

/// Finds `\n` bytes. On x86-64 with AVX2 it calls `memchr`'s AVX2 searcher directly, which on
/// short lines saves a good part of the cost of each `memchr` call; elsewhere it is `memchr`.
#[derive(Debug, Clone, Copy)]
struct LineFinder {
    #[cfg(target_arch = "x86_64")]
    avx2: Option<memchr::arch::x86_64::avx2::memchr::One>,
}

impl Default for LineFinder {
    fn default() -> Self {
        LineFinder {
            #[cfg(target_arch = "x86_64")]
            avx2: memchr::arch::x86_64::avx2::memchr::One::new(b'\n'),
        }
    }
}

impl LineFinder {
    #[inline(always)]
    fn find(&self, haystack: &[u8]) -> Option<usize> {
        #[cfg(target_arch = "x86_64")]
        if let Some(searcher) = &self.avx2 {
            return searcher.find(haystack);
        }
        memchr(b'\n', haystack)
    }
}

/// Parses a `retry` value: one or more ASCII digits that fit in a `u64`.
fn parse_digits(value: &[u8]) -> Option<u64> {
    if value.is_empty() {
        return None;
    }
    value.iter().try_fold(0u64, |n, &b| {
        if b.is_ascii_digit() {
            n.checked_mul(10)?.checked_add(u64::from(b - b'0'))
        } else {
            None
        }
    })
}
