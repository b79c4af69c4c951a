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
