//! Hand-written conveniences on generated types.
//!
//! The generated code is data only; what needs judgement (which of two wire shapes to believe)
//! lives here.

#[cfg(feature = "responses")]
use crate::ResponseErrorEvent;

#[cfg(feature = "responses")]
impl ResponseErrorEvent {
    /// The error code, from whichever shape the event came in: nested under `error` (as OpenAI
    /// sends it, and the WebSocket form) or flat (as the spec says).
    pub fn error_code(&self) -> Option<&str> {
        self.error
            .as_ref()
            .and_then(|e| e.code.as_deref())
            .or(self.code.as_deref())
    }

    /// The error message, from whichever shape the event came in (nested first, then flat).
    pub fn error_message(&self) -> &str {
        match &self.error {
            Some(nested) if !nested.message.is_empty() => &nested.message,
            _ => &self.message,
        }
    }

    /// The parameter the error is about, from whichever shape the event came in.
    pub fn error_param(&self) -> Option<&str> {
        self.error
            .as_ref()
            .and_then(|e| e.param.as_deref())
            .or(self.param.as_deref())
    }
}

/// Written by hand (`[write] hand_written_serialize` in `spec/codegen.toml`): the flat fields the
/// SSE shape requires (`code`, `message`, `param`, `null` included) are written when the event has
/// them or has no nested `error`; an event in the nested shape (OpenAI's SSE, the WebSocket form)
/// is written back without flat fields it never had.
#[cfg(feature = "responses")]
impl serde::Serialize for ResponseErrorEvent {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap as _;
        // Every field by name: a field the generator adds later fails to compile here until it is
        // written.
        let ResponseErrorEvent {
            code,
            message,
            param,
            sequence_number,
            agent,
            status,
            error,
            stream_id,
        } = self;
        let flat = error.is_none() || !message.is_empty() || code.is_some() || param.is_some();
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("type", "error")?;
        if flat {
            map.serialize_entry("code", code)?;
            map.serialize_entry("message", message)?;
            map.serialize_entry("param", param)?;
        }
        if let Some(sequence_number) = sequence_number {
            map.serialize_entry("sequence_number", sequence_number)?;
        }
        if let Some(agent) = agent {
            map.serialize_entry("agent", agent)?;
        }
        if let Some(status) = status {
            map.serialize_entry("status", status)?;
        }
        if let Some(error) = error {
            map.serialize_entry("error", error)?;
        }
        if let Some(stream_id) = stream_id {
            map.serialize_entry("stream_id", stream_id)?;
        }
        map.end()
    }
}
