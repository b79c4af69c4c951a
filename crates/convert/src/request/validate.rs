//! Validating a Responses request (`POST /v1/responses`, a WebSocket `response.create`, a
//! `POST /v1/responses/compact`) against the types and ranges of the spec's `CreateResponse`, the
//! way OpenAI does: [`validate_responses_request`].
//!
//! Each top-level parameter has one row in [`PARAMS`]: its name, what it must be, and where the
//! row comes from. A wrong type, a value out of range or an unknown parameter is a
//! [`ParamError`] that names the parameter (`param`) and says what was expected, in OpenAI's
//! words:
//!
//! | case | `code` | message |
//! | --- | --- | --- |
//! | no `model` (or `null`) | `missing_required_parameter` | Missing required parameter: 'model'. |
//! | wrong JSON type | `invalid_type` | Invalid type for 'temperature': expected a decimal, but got a string instead. |
//! | above a maximum | `decimal_above_max_value` / `integer_above_max_value` | Invalid 'temperature': decimal above maximum value. Expected a value <= 2, but got 5 instead. |
//! | below a minimum | `decimal_below_min_value` / `integer_below_min_value` | Invalid 'max_output_tokens': integer below minimum value. Expected a value >= 16, but got 0 instead. |
//! | not one of an enum | `invalid_value` | Invalid value: 'x'. Supported values are: 'auto' and 'disabled'. |
//! | an empty string where one is needed | `empty_string` | Invalid 'model': empty string. Expected a string with minimum length 1, but got an empty string instead. |
//! | a parameter nobody defines | `unknown_parameter` | Unknown parameter: 'x'. |
//!
//! # Unknown parameters
//!
//! OpenAI answers a parameter it does not know with 400 `unknown_parameter`, and so does this
//! module, for any name that is neither a property of the spec's `CreateResponse` nor a known
//! client extension ([`Origin::Extension`]): `client_metadata` (Codex sends it with every
//! request), `presence_penalty` and `frequency_penalty` (fields of the Response object, echoed
//! back, and sent on to Chat providers, which take them). Nothing is dropped without a word.
//! The spec's properties cover everything Codex 0.171, the openai SDKs and the Vercel AI SDK send (`include`, `prompt_cache_key`, `stream_options`,
//! `context_management`, `conversation`, `prompt`, `text.verbosity`, `service_tier`, …); the
//! WebSocket transport takes off `type` and `generate` before the request is validated. Nested
//! objects (`input` items, `tools`, `text`, `reasoning`) are checked for their JSON type only, so
//! fields a client adds inside them (Codex's `internal_chat_message_metadata_passthrough` on
//! input items) pass.
//!
//! `null` is accepted for every parameter but `model`, as the spec's `anyOf [..., null]` says,
//! and means "not set".
//!
//! ```
//! use openai_wire_convert::request::validate::validate_responses_request;
//! use serde_json::json;
//!
//! assert!(validate_responses_request(&json!({"model": "gpt-5", "input": "hi"})).is_ok());
//! let error = validate_responses_request(&json!({"model": "gpt-5", "temperature": 5})).unwrap_err();
//! assert_eq!(error.param.as_deref(), Some("temperature"));
//! assert_eq!(
//!     error.message,
//!     "Invalid 'temperature': decimal above maximum value. Expected a value <= 2, but got 5 instead."
//! );
//! ```

use serde_json::{Map, Value};

/// What a parameter must be.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Expect {
    /// `true` or `false`.
    Bool,
    /// A string; `min_len` and `max_len` bound its length in characters.
    String {
        /// The shortest length accepted.
        min_len: usize,
        /// The longest length accepted.
        max_len: Option<usize>,
    },
    /// One of these strings.
    Enum(&'static [&'static str]),
    /// An integer (a number without a fraction) within the bounds.
    Integer {
        /// The smallest value accepted.
        min: Option<i64>,
        /// The largest value accepted.
        max: Option<i64>,
    },
    /// A number within the bounds.
    Decimal {
        /// The smallest value accepted.
        min: f64,
        /// The largest value accepted.
        max: f64,
    },
    /// A JSON object.
    Object,
    /// A JSON object whose values are strings (`metadata`: at most 16 pairs, keys up to 64
    /// characters, values up to 512).
    Metadata,
    /// A JSON array.
    Array,
    /// A JSON array of strings.
    StringArray,
    /// A string or an array of objects (`input`).
    Input,
    /// A string or an object (`tool_choice`, `conversation`).
    StringOrObject,
}

/// Where a row of [`PARAMS`] comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// A property of `CreateResponse` in `spec/openapi.yaml`, its type and range from there.
    Spec,
    /// Not in the spec: a field a known client sends, with the reason it is accepted.
    Extension(&'static str),
}

/// One top-level parameter of a Responses request.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Param {
    /// The parameter's name.
    pub name: &'static str,
    /// What its value must be.
    pub expect: Expect,
    /// Where the row comes from.
    pub origin: Origin,
}

const fn spec(name: &'static str, expect: Expect) -> Param {
    Param {
        name,
        expect,
        origin: Origin::Spec,
    }
}

const STRING: Expect = Expect::String {
    min_len: 0,
    max_len: None,
};

/// Every top-level parameter a Responses request may have, and what it must be.
pub const PARAMS: &[Param] = &[
    spec(
        "model",
        Expect::String {
            min_len: 1,
            max_len: None,
        },
    ),
    spec("input", Expect::Input),
    spec("instructions", STRING),
    spec("background", Expect::Bool),
    spec("stream", Expect::Bool),
    spec("stream_options", Expect::Object),
    spec("store", Expect::Bool),
    spec("previous_response_id", STRING),
    spec("conversation", Expect::StringOrObject),
    spec("context_management", Expect::Array),
    spec("include", Expect::StringArray),
    spec("metadata", Expect::Metadata),
    spec("temperature", Expect::Decimal { min: 0.0, max: 2.0 }),
    spec("top_p", Expect::Decimal { min: 0.0, max: 1.0 }),
    spec(
        "top_logprobs",
        Expect::Integer {
            min: Some(0),
            max: Some(20),
        },
    ),
    spec(
        "max_output_tokens",
        Expect::Integer {
            min: Some(16),
            max: None,
        },
    ),
    spec(
        "max_tool_calls",
        Expect::Integer {
            min: Some(1),
            max: None,
        },
    ),
    spec("parallel_tool_calls", Expect::Bool),
    spec("tools", Expect::Array),
    spec("tool_choice", Expect::StringOrObject),
    spec("text", Expect::Object),
    spec("reasoning", Expect::Object),
    spec("truncation", Expect::Enum(&["auto", "disabled"])),
    spec("prompt", Expect::Object),
    spec("prompt_cache_key", STRING),
    spec(
        "prompt_cache_retention",
        Expect::Enum(&["in_memory", "24h"]),
    ),
    spec("prompt_cache_options", Expect::Object),
    spec(
        "safety_identifier",
        Expect::String {
            min_len: 0,
            max_len: Some(64),
        },
    ),
    spec("service_tier", STRING),
    spec("moderation", Expect::Object),
    spec("user", STRING),
    Param {
        name: "client_metadata",
        expect: Expect::Object,
        origin: Origin::Extension("Codex CLI sends it with every request (installation id, …)"),
    },
    Param {
        name: "presence_penalty",
        expect: Expect::Decimal {
            min: -2.0,
            max: 2.0,
        },
        origin: Origin::Extension(
            "a field of the Response object, echoed back; sent on to Chat providers",
        ),
    },
    Param {
        name: "frequency_penalty",
        expect: Expect::Decimal {
            min: -2.0,
            max: 2.0,
        },
        origin: Origin::Extension(
            "a field of the Response object, echoed back; sent on to Chat providers",
        ),
    },
];

/// The row of `name`, when the request may have it.
pub fn param(name: &str) -> Option<&'static Param> {
    PARAMS.iter().find(|row| row.name == name)
}

/// A request parameter refused: a 400 `invalid_request_error` naming it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ParamError {
    /// The parameter at fault (`temperature`, `metadata.k`, `input[2]`), when there is one.
    pub param: Option<String>,
    /// OpenAI's code (`invalid_type`, `unknown_parameter`, …, see the [module docs](self)).
    pub code: &'static str,
    /// The message, in OpenAI's words.
    pub message: String,
}

impl ParamError {
    fn new(param: &str, code: &'static str, message: String) -> Self {
        ParamError {
            param: Some(param.to_owned()),
            code,
            message,
        }
    }

    /// The HTTP status it is answered with (400).
    pub fn http_status(&self) -> u16 {
        400
    }
}

/// Checks a Responses request body: a JSON object with a `model`, each parameter of the right
/// type and in range, no unknown parameter.
pub fn validate_responses_request(body: &Value) -> Result<(), ParamError> {
    let Value::Object(body) = body else {
        return Err(ParamError {
            param: None,
            code: "invalid_type",
            message: format!(
                "Invalid type for request body: expected an object, but got {} instead.",
                kind(body)
            ),
        });
    };
    validate_object(body)
}

/// [`validate_responses_request`] for a body already known to be an object.
pub fn validate_object(body: &Map<String, Value>) -> Result<(), ParamError> {
    for (name, value) in body {
        let Some(row) = param(name) else {
            return Err(ParamError::new(
                name,
                "unknown_parameter",
                format!("Unknown parameter: '{name}'."),
            ));
        };
        if value.is_null() {
            continue;
        }
        check(name, row.expect, value)?;
    }
    match body.get("model") {
        None | Some(Value::Null) => Err(ParamError::new(
            "model",
            "missing_required_parameter",
            "Missing required parameter: 'model'.".to_owned(),
        )),
        Some(_) => Ok(()),
    }
}

/// OpenAI's name for a JSON value's type: "a string", "an integer", "a decimal", ….
fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "an integer",
        Value::Number(_) => "a decimal",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn invalid_type(name: &str, expected: &str, value: &Value) -> ParamError {
    ParamError::new(
        name,
        "invalid_type",
        format!(
            "Invalid type for '{name}': expected {expected}, but got {} instead.",
            kind(value)
        ),
    )
}

/// A number as written (`5`, `2.5`, `1e400` as JSON text).
fn shown(value: &Value) -> String {
    value.to_string()
}

fn check(name: &str, expect: Expect, value: &Value) -> Result<(), ParamError> {
    match expect {
        Expect::Bool => {
            if !value.is_boolean() {
                return Err(invalid_type(name, "a boolean", value));
            }
        }
        Expect::String { min_len, max_len } => {
            let Some(text) = value.as_str() else {
                return Err(invalid_type(name, "a string", value));
            };
            let len = text.chars().count();
            if len < min_len {
                return Err(if len == 0 {
                    ParamError::new(
                        name,
                        "empty_string",
                        format!(
                            "Invalid '{name}': empty string. Expected a string with minimum \
                             length {min_len}, but got an empty string instead."
                        ),
                    )
                } else {
                    ParamError::new(
                        name,
                        "string_below_min_length",
                        format!(
                            "Invalid '{name}': string too short. Expected a string with minimum \
                             length {min_len}, but got a string with length {len} instead."
                        ),
                    )
                });
            }
            if let Some(max) = max_len
                && len > max
            {
                return Err(ParamError::new(
                    name,
                    "string_above_max_length",
                    format!(
                        "Invalid '{name}': string too long. Expected a string with maximum \
                         length {max}, but got a string with length {len} instead."
                    ),
                ));
            }
        }
        Expect::Enum(values) => {
            let Some(text) = value.as_str() else {
                return Err(invalid_type(name, "a string", value));
            };
            if !values.contains(&text) {
                let quoted: Vec<String> = values.iter().map(|v| format!("'{v}'")).collect();
                let list = match quoted.split_last() {
                    Some((last, rest)) if !rest.is_empty() => {
                        format!("{} and {last}", rest.join(", "))
                    }
                    _ => quoted.join(""),
                };
                return Err(ParamError::new(
                    name,
                    "invalid_value",
                    format!("Invalid value: '{text}'. Supported values are: {list}."),
                ));
            }
        }
        Expect::Integer { min, max } => {
            let Value::Number(number) = value else {
                return Err(invalid_type(name, "an integer", value));
            };
            // 16.0 is an integer written as a decimal; 16.5 is not one.
            let whole = number.is_i64()
                || number.is_u64()
                || number.as_f64().is_some_and(|f| f.fract() == 0.0);
            if !whole {
                return Err(invalid_type(name, "an integer", value));
            }
            let as_float = number.as_f64().unwrap_or(0.0);
            if let Some(min) = min
                && as_float < min as f64
            {
                return Err(ParamError::new(
                    name,
                    "integer_below_min_value",
                    format!(
                        "Invalid '{name}': integer below minimum value. Expected a value >= \
                         {min}, but got {} instead.",
                        shown(value)
                    ),
                ));
            }
            if let Some(max) = max
                && as_float > max as f64
            {
                return Err(ParamError::new(
                    name,
                    "integer_above_max_value",
                    format!(
                        "Invalid '{name}': integer above maximum value. Expected a value <= \
                         {max}, but got {} instead.",
                        shown(value)
                    ),
                ));
            }
        }
        Expect::Decimal { min, max } => {
            let Some(number) = value.as_f64().filter(|_| value.is_number()) else {
                return Err(invalid_type(name, "a decimal", value));
            };
            if number < min {
                return Err(ParamError::new(
                    name,
                    "decimal_below_min_value",
                    format!(
                        "Invalid '{name}': decimal below minimum value. Expected a value >= \
                         {min}, but got {} instead.",
                        shown(value)
                    ),
                ));
            }
            if number > max {
                return Err(ParamError::new(
                    name,
                    "decimal_above_max_value",
                    format!(
                        "Invalid '{name}': decimal above maximum value. Expected a value <= \
                         {max}, but got {} instead.",
                        shown(value)
                    ),
                ));
            }
        }
        Expect::Object => {
            if !value.is_object() {
                return Err(invalid_type(name, "an object", value));
            }
        }
        Expect::Metadata => {
            let Some(pairs) = value.as_object() else {
                return Err(invalid_type(name, "an object", value));
            };
            if pairs.len() > 16 {
                return Err(ParamError::new(
                    name,
                    "object_above_max_properties",
                    format!(
                        "Invalid '{name}': too many properties. Expected an object with at most \
                         16 properties, but got an object with {} properties instead.",
                        pairs.len()
                    ),
                ));
            }
            for (key, text) in pairs {
                let at = format!("{name}.{key}");
                if key.chars().count() > 64 {
                    return Err(ParamError::new(
                        &at,
                        "string_above_max_length",
                        format!(
                            "Invalid '{name}': key too long. Expected a key with maximum length \
                             64, but got a key with length {} instead.",
                            key.chars().count()
                        ),
                    ));
                }
                check(
                    &at,
                    Expect::String {
                        min_len: 0,
                        max_len: Some(512),
                    },
                    text,
                )?;
            }
        }
        Expect::Array => {
            if !value.is_array() {
                return Err(invalid_type(name, "an array", value));
            }
        }
        Expect::StringArray => {
            let Some(items) = value.as_array() else {
                return Err(invalid_type(name, "an array", value));
            };
            for (at, item) in items.iter().enumerate() {
                check(&format!("{name}[{at}]"), STRING, item)?;
            }
        }
        Expect::Input => match value {
            Value::String(_) => {}
            Value::Array(items) => {
                for (at, item) in items.iter().enumerate() {
                    if !item.is_object() {
                        return Err(invalid_type(&format!("{name}[{at}]"), "an object", item));
                    }
                }
            }
            other => return Err(invalid_type(name, "a string or an array", other)),
        },
        Expect::StringOrObject => {
            if !(value.is_string() || value.is_object()) {
                return Err(invalid_type(name, "a string or an object", value));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn refused(body: Value) -> ParamError {
        validate_responses_request(&body).expect_err(&body.to_string())
    }

    #[test]
    fn each_wrong_type_and_range_names_its_param() {
        let cases = [
            (
                json!({"model": "m", "store": "no"}),
                "store",
                "Invalid type for 'store': expected a boolean, but got a string instead.",
            ),
            (
                json!({"model": "m", "stream": "yes"}),
                "stream",
                "Invalid type for 'stream': expected a boolean, but got a string instead.",
            ),
            (
                json!({"model": "m", "previous_response_id": 5}),
                "previous_response_id",
                "Invalid type for 'previous_response_id': expected a string, but got an integer instead.",
            ),
            (
                json!({"model": 1}),
                "model",
                "Invalid type for 'model': expected a string, but got an integer instead.",
            ),
            (
                json!({"model": "m", "temperature": "hot"}),
                "temperature",
                "Invalid type for 'temperature': expected a decimal, but got a string instead.",
            ),
            (
                json!({"model": "m", "temperature": 5}),
                "temperature",
                "Invalid 'temperature': decimal above maximum value. Expected a value <= 2, but got 5 instead.",
            ),
            (
                json!({"model": "m", "top_p": -0.5}),
                "top_p",
                "Invalid 'top_p': decimal below minimum value. Expected a value >= 0, but got -0.5 instead.",
            ),
            (
                json!({"model": "m", "max_output_tokens": 0}),
                "max_output_tokens",
                "Invalid 'max_output_tokens': integer below minimum value. Expected a value >= 16, but got 0 instead.",
            ),
            (
                json!({"model": "m", "max_output_tokens": 100.5}),
                "max_output_tokens",
                "Invalid type for 'max_output_tokens': expected an integer, but got a decimal instead.",
            ),
            (
                json!({"model": "m", "top_logprobs": 21}),
                "top_logprobs",
                "Invalid 'top_logprobs': integer above maximum value. Expected a value <= 20, but got 21 instead.",
            ),
            (
                json!({"model": "m", "presence_penalty": 3}),
                "presence_penalty",
                "Invalid 'presence_penalty': decimal above maximum value. Expected a value <= 2, but got 3 instead.",
            ),
            (
                json!({"model": "m", "truncation": "x"}),
                "truncation",
                "Invalid value: 'x'. Supported values are: 'auto' and 'disabled'.",
            ),
            (
                json!({"model": "m", "metadata": {"k": 1}}),
                "metadata.k",
                "Invalid type for 'metadata.k': expected a string, but got an integer instead.",
            ),
            (
                json!({"model": "m", "input": 3}),
                "input",
                "Invalid type for 'input': expected a string or an array, but got an integer instead.",
            ),
            (
                json!({"model": "m", "input": ["hi"]}),
                "input[0]",
                "Invalid type for 'input[0]': expected an object, but got a string instead.",
            ),
            (
                json!({"model": "m", "include": [1]}),
                "include[0]",
                "Invalid type for 'include[0]': expected a string, but got an integer instead.",
            ),
            (
                json!({"model": "m", "tools": {}}),
                "tools",
                "Invalid type for 'tools': expected an array, but got an object instead.",
            ),
            (
                json!({"model": "m", "reasoning": "high"}),
                "reasoning",
                "Invalid type for 'reasoning': expected an object, but got a string instead.",
            ),
            (
                json!({"model": "m", "tempreature": 1}),
                "tempreature",
                "Unknown parameter: 'tempreature'.",
            ),
            (
                json!({"input": "hi"}),
                "model",
                "Missing required parameter: 'model'.",
            ),
            (
                json!({"model": null}),
                "model",
                "Missing required parameter: 'model'.",
            ),
            (
                json!({"model": ""}),
                "model",
                "Invalid 'model': empty string. Expected a string with minimum length 1, but got an empty string instead.",
            ),
        ];
        for (body, param, message) in cases {
            let error = refused(body.clone());
            assert_eq!(error.param.as_deref(), Some(param), "{body}");
            assert_eq!(error.message, message, "{body}");
            assert_eq!(error.http_status(), 400);
        }
        assert_eq!(refused(json!([])).param, None);
    }

    #[test]
    fn what_clients_send_passes() {
        // Codex 0.171 (HTTP; WebSocket mode takes `type` and `generate` off first).
        let codex = json!({
            "model": "gpt-5-codex", "instructions": null, "stream": true, "store": false,
            "input": [{"type": "message", "role": "developer", "id": "msg_1",
                       "content": [{"type": "input_text", "text": "x"}],
                       "internal_chat_message_metadata_passthrough": {"a": 1}}],
            "tools": [{"type": "function", "name": "exec_command", "parameters": {}}],
            "tool_choice": "auto", "parallel_tool_calls": true,
            "reasoning": {"effort": "medium", "summary": "auto"},
            "text": {"verbosity": "low"}, "include": ["reasoning.encrypted_content"],
            "prompt_cache_key": "k", "client_metadata": {"x": "y"},
            "service_tier": "priority", "stream_options": {"include_obfuscation": false},
            "context_management": [{"type": "compaction", "compact_threshold": 100000}],
        });
        validate_responses_request(&codex).unwrap();
        // The Vercel AI SDK and the openai SDKs.
        let sdk = json!({
            "model": "m", "input": "hi", "temperature": 0, "top_p": 1, "max_output_tokens": 16,
            "metadata": {"a": "b"}, "previous_response_id": null, "user": "u",
            "safety_identifier": "s", "truncation": "auto", "top_logprobs": 0,
            "max_tool_calls": 3, "conversation": "conv_1", "background": false,
            "prompt": {"id": "p"}, "prompt_cache_retention": "24h", "max_output_tokens": 16.0,
        });
        validate_responses_request(&sdk).unwrap();
    }

    #[test]
    fn every_spec_row_is_a_create_response_property() {
        // The rows marked Spec are properties in spec/openapi.yaml (CreateResponse and the
        // property sets it is made of).
        let spec_yaml = include_str!("../../../../spec/openapi.yaml");
        for row in PARAMS.iter().filter(|row| row.origin == Origin::Spec) {
            let line = format!("{}:", row.name);
            assert!(
                spec_yaml
                    .lines()
                    .any(|l| l.starts_with("        ") && l.trim() == line),
                "{} is not a property in the spec",
                row.name
            );
        }
        for row in PARAMS.iter().filter(|row| row.origin != Origin::Spec) {
            assert!(param(row.name).is_some());
        }
    }
}
