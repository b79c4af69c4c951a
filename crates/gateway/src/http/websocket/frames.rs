//! What a WebSocket-mode client sends: [`read_create`] reads a `response.create` event, and
//! [`Incoming`] sorts every message of the socket.

use axum::extract::ws::Message;
use serde_json::{Map, Value};

use crate::error::ApiError;
use crate::turn::TurnRequest;

/// A `response.create` event, read.
pub(super) struct Create {
    /// Its body as a request (`stream` implied).
    pub(super) request: TurnRequest,
    /// `generate` (true when absent): false asks for a warm-up without the model.
    pub(super) generate: bool,
}

/// Reads one client text frame: `{"type": "response.create", ...the fields of a POST body}`.
/// `stream` and `stream_options` are ignored (a WebSocket response is always streamed) and
/// `generate` is taken out of the body.
pub(super) fn read_create(text: &str) -> Result<Create, ApiError> {
    let value: Value = serde_json::from_str(text).map_err(|error| {
        ApiError::invalid_request(None, format!("The message is not valid JSON: {error}"))
    })?;
    let Value::Object(mut body) = value else {
        return Err(ApiError::invalid_request(
            None,
            "A message must be a JSON object with a `type`.",
        ));
    };
    match body.remove("type") {
        Some(Value::String(kind)) if kind == "response.create" => {}
        Some(Value::String(kind)) => {
            return Err(ApiError::invalid_request(
                Some("type"),
                format!(
                    "Unsupported event type '{kind}'; the only client event is 'response.create'."
                ),
            ));
        }
        _ => {
            return Err(ApiError::invalid_request(
                Some("type"),
                "Missing required parameter: 'type'.",
            ));
        }
    }
    let generate = take_generate(&mut body)?;
    body.remove("stream_options");
    body.insert("stream".into(), Value::Bool(true));
    let request = TurnRequest::from_value(Value::Object(body))?;
    Ok(Create { request, generate })
}

fn take_generate(body: &mut Map<String, Value>) -> Result<bool, ApiError> {
    match body.remove("generate") {
        None | Some(Value::Null) => Ok(true),
        Some(Value::Bool(generate)) => Ok(generate),
        Some(_) => Err(ApiError::invalid_request(
            Some("generate"),
            "Invalid type for 'generate': expected a boolean.",
        )),
    }
}

/// A message from the client, sorted.
pub(super) enum Incoming {
    /// A text frame: a client event.
    Text(String),
    /// A ping or a pong (the socket answers pings itself).
    Control,
    /// The connection is over: the client closed it or went away.
    Gone,
    /// A protocol error: close with this code and reason.
    Refused(u16, &'static str),
}

impl Incoming {
    /// Sorts what the socket's stream yielded.
    pub(super) fn of(message: Option<Result<Message, axum::Error>>) -> Incoming {
        match message {
            None | Some(Ok(Message::Close(_))) => Incoming::Gone,
            Some(Ok(Message::Text(text))) => Incoming::Text(text.as_str().to_owned()),
            Some(Ok(Message::Binary(_))) => {
                Incoming::Refused(CLOSE_UNSUPPORTED, "binary frames are not supported")
            }
            Some(Ok(Message::Ping(_) | Message::Pong(_))) => Incoming::Control,
            Some(Err(error)) => {
                let text = error.to_string();
                if text.contains("too long") || text.contains("too big") {
                    Incoming::Refused(CLOSE_TOO_BIG, "message too big")
                } else {
                    tracing::debug!(%error, "websocket read");
                    Incoming::Gone
                }
            }
        }
    }
}

/// Close code 1001: the server is going away.
pub(super) const CLOSE_GOING_AWAY: u16 = 1001;
/// Close code 1003: a kind of data the endpoint does not accept (binary frames).
pub(super) const CLOSE_UNSUPPORTED: u16 = 1003;
/// Close code 1009: a message too big to process.
pub(super) const CLOSE_TOO_BIG: u16 = 1009;
/// Close code 1000: normal closure.
pub(super) const CLOSE_NORMAL: u16 = 1000;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_create_event_and_drops_the_streaming_fields() {
        let create = read_create(
            r#"{"type":"response.create","model":"m","input":"hi","stream":false,"stream_options":{"include_obfuscation":false},"generate":false}"#,
        )
        .unwrap();
        assert!(!create.generate);
        assert!(create.request.stream);
        assert!(!create.request.body.contains_key("stream_options"));
        assert!(!create.request.body.contains_key("generate"));
        assert!(!create.request.body.contains_key("type"));
    }

    #[test]
    fn refuses_other_events_and_bad_json() {
        for text in [
            "not json",
            "[]",
            r#"{"model":"m"}"#,
            r#"{"type":"response.cancel"}"#,
            r#"{"type":"response.create"}"#,
            r#"{"type":"response.create","model":"m","generate":"no"}"#,
        ] {
            let error = read_create(text).err().unwrap();
            assert_eq!(error.status.as_u16(), 400, "{text}");
        }
    }
}
