//! A `POST /v1/responses` body (or a WebSocket `response.create`, or a
//! `POST /v1/responses/compact`), validated: [`TurnRequest`].
//!
//! [`TurnRequest::from_value`] is the single entry of every transport. It checks the body with
//! [`openai_wire_convert::request::validate`] (each top-level parameter's type and range from the
//! spec's `CreateResponse`, unknown parameters refused), so `store: "no"`, `stream: "yes"`,
//! `previous_response_id: 5`, `temperature: 5` or `max_output_tokens: 0` are a 400
//! `invalid_request_error` naming `param`, never read as something else.

use openai_wire_convert::request::validate::{ParamError, validate_object};
use openai_wire_emit::{IdSource, RandomIds, fill_response_defaults};
use openai_wire_events::Response as ResponseObject;
use serde_json::{Map, Value, json};

use crate::error::ApiError;

/// Fields of the request the response object echoes.
const ECHOED: &[&str] = &[
    "instructions",
    "tools",
    "tool_choice",
    "parallel_tool_calls",
    "temperature",
    "top_p",
    "presence_penalty",
    "frequency_penalty",
    "top_logprobs",
    "metadata",
    "previous_response_id",
    "max_output_tokens",
    "max_tool_calls",
    "reasoning",
    "text",
    "truncation",
    "user",
    "store",
    "background",
    "prompt_cache_key",
    "prompt_cache_retention",
    "safety_identifier",
    "service_tier",
];

/// A validated Responses request.
#[derive(Debug, Clone)]
pub(crate) struct TurnRequest {
    /// The request as the client sent it (a JSON object).
    pub(crate) body: Map<String, Value>,
    /// `model`, never empty.
    pub(crate) model: String,
    /// `stream` (false when absent).
    pub(crate) stream: bool,
    /// `store` (true when absent, as OpenAI's default).
    pub(crate) store: bool,
    /// `previous_response_id`.
    pub(crate) previous_response_id: Option<String>,
    /// This turn's input, as items with ids (what `input_items` lists).
    pub(crate) input_items: Vec<Value>,
}

impl TurnRequest {
    /// Reads a request body: a JSON object with a non-empty `model`.
    pub(crate) fn from_bytes(body: &[u8]) -> Result<Self, ApiError> {
        let value: Value = serde_json::from_slice(body).map_err(|error| {
            ApiError::invalid_request(None, format!("The request body is not valid JSON: {error}"))
        })?;
        Self::from_value(value)
    }

    /// Reads a request already parsed as JSON, validated ([`validate_object`]).
    pub(crate) fn from_value(value: Value) -> Result<Self, ApiError> {
        let Value::Object(body) = value else {
            return Err(ApiError::invalid_request(
                None,
                "The request body must be a JSON object.",
            ));
        };
        validate_object(&body).map_err(|error| param_error(&error))?;
        let model = match body.get("model") {
            Some(Value::String(model)) if !model.is_empty() => model.clone(),
            _ => {
                return Err(ApiError::invalid_request(
                    Some("model"),
                    "Missing required parameter: 'model'.",
                ));
            }
        };
        let flag =
            |name: &str, default: bool| body.get(name).and_then(Value::as_bool).unwrap_or(default);
        let stream = flag("stream", false);
        let store = flag("store", true);
        let previous_response_id = body
            .get("previous_response_id")
            .and_then(Value::as_str)
            .map(str::to_owned);
        let input_items = normalize_input(body.get("input"));
        Ok(TurnRequest {
            body,
            model,
            stream,
            store,
            previous_response_id,
            input_items,
        })
    }

    /// The response template: what the response echoes from the request, OpenAI's defaults
    /// for the rest ([`fill_response_defaults`], and `parallel_tool_calls` true). A field the
    /// model cannot read is left to its default alone, not the whole echo.
    pub(crate) fn template(&self) -> ResponseObject {
        let mut object = Map::new();
        for field in ECHOED {
            if let Some(value) = self.body.get(*field).filter(|v| !v.is_null()) {
                object.insert((*field).to_owned(), value.clone());
            }
        }
        object
            .entry("parallel_tool_calls")
            .or_insert(Value::Bool(true));
        object.insert("model".into(), Value::from(self.model.as_str()));
        let mut response = match serde_json::from_value::<ResponseObject>(Value::Object(object)) {
            Ok(response) => response,
            Err(error) => {
                tracing::debug!(%error, "an echoed field is not readable; echoing field by field");
                self.template_field_by_field()
            }
        };
        fill_response_defaults(&mut response);
        response
    }

    /// The template built one echoed field at a time, leaving out those that do not read.
    fn template_field_by_field(&self) -> ResponseObject {
        let mut object = Map::new();
        object.insert("model".into(), Value::from(self.model.as_str()));
        object.insert("parallel_tool_calls".into(), Value::Bool(true));
        for field in ECHOED {
            let Some(value) = self.body.get(*field).filter(|v| !v.is_null()) else {
                continue;
            };
            let alone = json!({ *field: value });
            if serde_json::from_value::<ResponseObject>(alone).is_ok() {
                object.insert((*field).to_owned(), value.clone());
            } else {
                tracing::debug!(field, "echoed field not readable; left to its default");
            }
        }
        serde_json::from_value(Value::Object(object)).unwrap_or_default()
    }
}

/// A refused parameter as a 400 `invalid_request_error` with OpenAI's code and `param`.
pub(crate) fn param_error(error: &ParamError) -> ApiError {
    let mut api = ApiError::new(
        axum::http::StatusCode::BAD_REQUEST,
        "invalid_request_error",
        Some(error.code),
        error.message.clone(),
    );
    api.error.param = error.param.clone();
    api
}

/// Validates a Responses request body (`POST /v1/responses`, or a WebSocket `response.create`
/// without its `type`) as the gateway does before any routing or upstream request: a JSON object
/// with a `model`, each parameter of the spec's type and range, no unknown parameter
/// ([`openai_wire_convert::request::validate`]). The error is the 400 a client would get.
/// Never panics, whatever the bytes (a fuzz target checks it).
pub fn validate_request(body: &[u8]) -> Result<(), ApiError> {
    let request = TurnRequest::from_bytes(body)?;
    // What the turn builds from it next must not fail either.
    let _ = request.template();
    Ok(())
}

/// The request's `input` as a list of items, each with an `id` (a string input becomes one
/// user message).
fn normalize_input(input: Option<&Value>) -> Vec<Value> {
    let mut ids = RandomIds::new();
    let mut items = match input {
        Some(Value::String(text)) => vec![json!({
            "type": "message",
            "role": "user",
            "content": [{"type": "input_text", "text": text}],
        })],
        Some(Value::Array(items)) => items.clone(),
        _ => Vec::new(),
    };
    for item in &mut items {
        if let Some(object) = item.as_object_mut() {
            if !object.contains_key("type") && object.contains_key("role") {
                object.insert("type".into(), Value::from("message"));
            }
            if !object.get("id").is_some_and(Value::is_string) {
                object.insert("id".into(), Value::from(ids.id("msg_")));
            }
        }
    }
    items
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_needs_an_object_with_a_model() {
        for body in [&b"[]"[..], b"{}", b"{\"model\":\"\"}", b"not json"] {
            let error = TurnRequest::from_bytes(body).unwrap_err();
            assert_eq!(
                error.status.as_u16(),
                400,
                "{}",
                String::from_utf8_lossy(body)
            );
        }
    }

    #[test]
    fn defaults_and_input_normalization() {
        let request =
            TurnRequest::from_bytes(br#"{"model":"m","input":"hi","temperature":0.2}"#).unwrap();
        assert!(!request.stream);
        assert!(request.store);
        assert_eq!(request.input_items.len(), 1);
        assert_eq!(request.input_items[0]["type"], "message");
        assert!(
            request.input_items[0]["id"]
                .as_str()
                .unwrap()
                .starts_with("msg_")
        );
        let template = request.template();
        assert_eq!(template.temperature, Some(0.2));
        // What the request left unset takes OpenAI's default.
        assert_eq!(template.top_p, Some(1.0));
        assert!(template.parallel_tool_calls);
    }

    #[test]
    fn wrong_types_are_refused_naming_the_param() {
        for (body, param) in [
            (&br#"{"model":"m","store":"no"}"#[..], "store"),
            (br#"{"model":"m","stream":"yes"}"#, "stream"),
            (
                br#"{"model":"m","previous_response_id":5}"#,
                "previous_response_id",
            ),
            (br#"{"model":1}"#, "model"),
            (br#"{"model":"m","temperature":5}"#, "temperature"),
            (
                br#"{"model":"m","max_output_tokens":0}"#,
                "max_output_tokens",
            ),
            (br#"{"model":"m","bogus":true}"#, "bogus"),
        ] {
            let error = validate_request(body).unwrap_err();
            assert_eq!(error.status.as_u16(), 400);
            assert_eq!(error.error.r#type, "invalid_request_error");
            assert_eq!(error.error.param.as_deref(), Some(param));
        }
        validate_request(br#"{"model":"m","input":"hi","client_metadata":{}}"#).unwrap();
    }

    #[test]
    fn an_unreadable_echoed_field_drops_only_itself() {
        // A value that passes validation but the Response object cannot hold.
        let request = TurnRequest::from_bytes(
            br#"{"model":"m","text":{"format":5},"top_p":0.5,"parallel_tool_calls":false}"#,
        )
        .unwrap();
        let template = request.template();
        assert_eq!(template.temperature, Some(1.0));
        assert_eq!(template.top_p, Some(0.5));
        assert!(!template.parallel_tool_calls);
        assert_eq!(serde_json::to_value(&template.model).unwrap(), "m");
    }
}
