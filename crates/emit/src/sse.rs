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
        write_json_frame(out, Some(event.wire_type()), event)?;
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
        write_json_frame(out, None, event)?;
    }
    Ok(())
}

/// The room reserved for each frame before its JSON is written: a text delta event, framed, is
/// 200–300 bytes.
const FRAME_ROOM: usize = 320;

/// Appends one frame whose data is `value` as compact JSON, serialized straight into `out`:
/// compact JSON has no line breaks (serde_json escapes them inside strings), so it is one
/// `data:` line, and no intermediate string is built. Should a line break ever be there, the
/// frame is written again by [`write_frame`], which frames (or refuses) it. On an error `out`
/// is left as it was.
fn write_json_frame(
    out: &mut Vec<u8>,
    event: Option<&str>,
    value: &impl serde::Serialize,
) -> Result<(), EmitError> {
    let start = out.len();
    // Room for a typical delta event, so that a new buffer does not grow step by step.
    out.reserve(FRAME_ROOM);
    if let Some(event) = event {
        out.extend_from_slice(b"event: ");
        out.extend_from_slice(event.as_bytes());
        out.push(b'\n');
    }
    out.extend_from_slice(b"data: ");
    let data = out.len();
    if let Err(error) = serde_json::to_writer(&mut *out, value) {
        out.truncate(start);
        return Err(error.into());
    }
    let line_break = memchr::memchr2(b'\n', b'\r', &out[data..]).is_some();
    if line_break || event.is_some_and(|e| e.contains(['\n', '\r'])) {
        let json = String::from_utf8_lossy(&out[data..]).into_owned();
        out.truncate(start);
        let frame = Frame::new(&json);
        let frame = match event {
            Some(event) => frame.with_event(event),
            None => frame,
        };
        return write_frame(out, &frame).map_err(EmitError::from);
    }
    out.extend_from_slice(b"\n\n");
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;
    use serde_json::value::RawValue;

    /// The framing before JSON was written in place: a string, then [`write_frame`].
    fn through_a_string(event: Option<&str>, value: &impl serde::Serialize) -> Vec<u8> {
        let json = serde_json::to_string(value).unwrap();
        let frame = Frame::new(&json);
        let frame = match event {
            Some(event) => frame.with_event(event),
            None => frame,
        };
        let mut out = Vec::new();
        write_frame(&mut out, &frame).unwrap();
        out
    }

    proptest! {
        #[test]
        fn events_are_framed_as_through_a_string(text in "\\PC*|[\\n\\r\\u{2028}\"\\\\a]{0,8}") {
            let delta: ResponseStreamEvent = serde_json::from_value(json!({
                "type": "response.output_text.delta", "sequence_number": 3, "item_id": "msg_1",
                "output_index": 0, "content_index": 0, "delta": text, "logprobs": []
            }))
            .unwrap();
            let mut out = b"before".to_vec();
            write_response_sse(&mut out, std::slice::from_ref(&delta)).unwrap();
            let mut expected = b"before".to_vec();
            expected.extend(through_a_string(Some(delta.wire_type()), &delta));
            prop_assert_eq!(&out, &expected);

            let chunk: ChatCompletionStreamEvent = serde_json::from_value(json!({
                "id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1,
                "model": "m", "choices": [{"index": 0, "delta": {"content": text}}]
            }))
            .unwrap();
            let mut out = Vec::new();
            write_chat_sse(&mut out, std::slice::from_ref(&chunk)).unwrap();
            prop_assert_eq!(out, through_a_string(None, &chunk));
        }
    }

    #[test]
    fn raw_json_with_a_line_break_is_framed_by_the_sse_writer() {
        // Raw JSON kept from an upstream is written as it came, line breaks included.
        let pretty = RawValue::from_string("{\"a\":\n1}".to_owned()).unwrap();
        let mut out = b"kept".to_vec();
        write_json_frame(&mut out, Some("x"), &pretty).unwrap();
        assert_eq!(out, b"keptevent: x\ndata: {\"a\":\ndata: 1}\n\n");

        let carriage = RawValue::from_string("{\"a\":\r1}".to_owned()).unwrap();
        let error = write_json_frame(&mut out, None, &carriage).unwrap_err();
        assert!(matches!(error, EmitError::Sse(_)), "{error:?}");
        assert_eq!(
            out, b"keptevent: x\ndata: {\"a\":\ndata: 1}\n\n",
            "left as it was"
        );
    }
}
