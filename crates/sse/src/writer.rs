//! The writer: frames and comments out as bytes.
//!
//! The writer is strict: every frame it accepts is read back by [`Parser`](crate::Parser) as the
//! same frame (same event name, data, id and retry), and it refuses, with a [`WriteError`] and
//! without writing anything, what SSE cannot carry.

use memchr::{memchr, memchr_iter, memchr2, memchr3};

use crate::error::WriteError;
use crate::frame::Frame;

/// Appends one event to `out`, ending with the blank line that dispatches it.
///
/// Lines come in this order, each ending with `\n`: `event: <name>` (if any), `id: <id>` (if
/// any), `retry: <ms>` (if any), then one `data: <line>` per line of `frame.data` (split at `\n`;
/// empty data gives one empty `data:` line). A space always follows the colon, so values that
/// start with a space survive. `offset` and `index` are not written.
///
/// Refused: an event name with `\r` or `\n`, an id with `\r`, `\n` or NUL, data with `\r`
/// (SSE has no way to carry one: a reader turns it into a line break).
///
/// ```
/// use openai_wire_sse::{Frame, write_frame};
///
/// let mut out = Vec::new();
/// write_frame(&mut out, &Frame::new("line 1\nline 2").with_event("note").with_id("42"))?;
/// assert_eq!(out, b"event: note\nid: 42\ndata: line 1\ndata: line 2\n\n");
///
/// assert!(write_frame(&mut out, &Frame::new("x").with_event("bad\nname")).is_err());
/// # Ok::<(), openai_wire_sse::WriteError>(())
/// ```
pub fn write_frame(out: &mut Vec<u8>, frame: &Frame<'_>) -> Result<(), WriteError> {
    if let Some(event) = frame.event
        && let Some(index) = memchr2(b'\r', b'\n', event.as_bytes())
    {
        return Err(WriteError::LineBreakInEvent { index });
    }
    if let Some(id) = frame.id
        && let Some(index) = memchr3(b'\r', b'\n', 0, id.as_bytes())
    {
        return Err(WriteError::InvalidId { index });
    }
    let data = frame.data.as_bytes();
    if let Some(index) = memchr(b'\r', data) {
        return Err(WriteError::CarriageReturnInData { index });
    }

    out.reserve(data.len() + 16 + frame.event.map_or(0, |e| e.len() + 8));
    if let Some(event) = frame.event {
        out.extend_from_slice(b"event: ");
        out.extend_from_slice(event.as_bytes());
        out.push(b'\n');
    }
    if let Some(id) = frame.id {
        out.extend_from_slice(b"id: ");
        out.extend_from_slice(id.as_bytes());
        out.push(b'\n');
    }
    if let Some(retry) = frame.retry {
        out.extend_from_slice(b"retry: ");
        push_decimal(out, retry);
        out.push(b'\n');
    }
    let mut line_start = 0;
    for line_end in memchr_iter(b'\n', data) {
        out.extend_from_slice(b"data: ");
        out.extend_from_slice(&data[line_start..line_end]);
        out.push(b'\n');
        line_start = line_end + 1;
    }
    out.extend_from_slice(b"data: ");
    out.extend_from_slice(&data[line_start..]);
    out.push(b'\n');
    out.push(b'\n');
    Ok(())
}

/// Appends a comment line, `:` followed by `text` and `\n`.
///
/// The parser reads it back as a [`Comment`](crate::Comment) with the same text. Write
/// `" ping"` to get the usual `: ping`. A comment is not an event and needs no blank line.
///
/// Refused: text with `\r` or `\n`.
///
/// ```
/// use openai_wire_sse::write_comment;
///
/// let mut out = Vec::new();
/// write_comment(&mut out, " OPENROUTER PROCESSING")?;
/// assert_eq!(out, b": OPENROUTER PROCESSING\n");
/// # Ok::<(), openai_wire_sse::WriteError>(())
/// ```
pub fn write_comment(out: &mut Vec<u8>, text: &str) -> Result<(), WriteError> {
    if let Some(index) = memchr2(b'\r', b'\n', text.as_bytes()) {
        return Err(WriteError::LineBreakInComment { index });
    }
    out.reserve(text.len() + 2);
    out.push(b':');
    out.extend_from_slice(text.as_bytes());
    out.push(b'\n');
    Ok(())
}

/// Appends `n` in decimal.
fn push_decimal(out: &mut Vec<u8>, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[at..]);
}
