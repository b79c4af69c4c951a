//! Events out as Server-Sent Events bytes, framed as OpenAI frames them.

use openai_wire_events::{ChatCompletionStreamEvent, ResponseStreamEvent, StreamEvent};
use openai_wire_sse::{Frame, write_frame};

use crate::error::EmitError;

/// Appends Responses events to `out` as OpenAI sends them: `event: <type>`, `data: <json>` and a
/// blank line per event.
///
/// ```
/// use openai_wire_emit::{ResponseWriter, SequentialIds, write_response_sse};
/// use openai_wire_events::Response;
///
/// let mut writer = ResponseWriter::new(Response::default(), SequentialIds::default());
/// let mut out = Vec::new();
/// write_response_sse(&mut out, &writer.start()?)?;
/// let text = String::from_utf8(out).unwrap();
/// assert!(text.starts_with("event: response.created\ndata: {\"type\":\"response.created\""));
/// # Ok::<(), openai_wire_emit::EmitError>(())
/// ```
pub fn write_response_sse(
    out: &mut Vec<u8>,
    events: &[ResponseStreamEvent],
) -> Result<(), EmitError> {
    for event in events {
        let json = serde_json::to_string(event)?;
        write_frame(out, &Frame::new(&json).with_event(event.wire_type()))?;
    }
    Ok(())
}

/// Appends chat chunks to `out` as OpenAI sends them: `data: <json>` and a blank line per
/// chunk, no `event:` line. End the stream with [`write_chat_done`].
pub fn write_chat_sse(
    out: &mut Vec<u8>,
    events: &[ChatCompletionStreamEvent],
) -> Result<(), EmitError> {
    for event in events {
        let json = serde_json::to_string(event)?;
        write_frame(out, &Frame::new(&json))?;
    }
    Ok(())
}

/// Appends the `data: [DONE]` line (and blank line) that ends a Chat Completions stream.
///
/// ```
/// let mut out = Vec::new();
/// openai_wire_emit::write_chat_done(&mut out);
/// assert_eq!(out, b"data: [DONE]\n\n");
/// ```
pub fn write_chat_done(out: &mut Vec<u8>) {
    out.extend_from_slice(b"data: [DONE]\n\n");
}
