//! `response.all-fields`: a Response object carries every field OpenAI's carries.
//!
//! The fields are those of OpenAI's own Response objects (every recording since 2026-01, e.g.
//! `responses/openai-dotnet__ResponsesToolTests__FileSearchCallStreamingAsync__e2.sse`), which
//! strict readers (validators generated from the Open Responses spec, Go's and Java's SDK types)
//! need: see `shared/notes/responses-server.md`, "The Response object is complete".

use serde_json::Value;

/// The events whose `response` is a whole Response object.
pub(crate) const RESPONSE_EVENTS: &[&str] = &[
    "response.created",
    "response.in_progress",
    "response.queued",
    "response.completed",
    "response.incomplete",
    "response.failed",
];

/// Every field of OpenAI's Response objects, in the order OpenAI writes them (`null` when unset).
const FIELDS: &[&str] = &[
    "id",
    "object",
    "created_at",
    "status",
    "background",
    "completed_at",
    "error",
    "frequency_penalty",
    "incomplete_details",
    "instructions",
    "max_output_tokens",
    "max_tool_calls",
    "model",
    "output",
    "parallel_tool_calls",
    "presence_penalty",
    "previous_response_id",
    "prompt_cache_key",
    "prompt_cache_retention",
    "reasoning",
    "safety_identifier",
    "service_tier",
    "store",
    "temperature",
    "text",
    "tool_choice",
    "tools",
    "top_logprobs",
    "top_p",
    "truncation",
    "usage",
    "user",
    "metadata",
];

/// Fields that strict readers take as numbers or booleans, never `null`.
const NOT_NULL: &[&str] = &[
    "temperature",
    "top_p",
    "presence_penalty",
    "frequency_penalty",
    "top_logprobs",
    "parallel_tool_calls",
];

/// The usage details every `usage` carries (Codex fails on a missing `reasoning_tokens`).
const USAGE_DETAILS: &[(&str, &str)] = &[
    ("input_tokens_details", "cached_tokens"),
    ("output_tokens_details", "reasoning_tokens"),
];

/// What a Response object lacks, in words (`lacks background, store; has null temperature`), or
/// `None` when it is complete. A `response` that is not an object is not looked at: decoding
/// reports it.
pub(crate) fn incompleteness(response: &Value) -> Option<String> {
    let object = response.as_object()?;
    let missing: Vec<&str> = FIELDS
        .iter()
        .copied()
        .filter(|field| !object.contains_key(*field))
        .collect();
    let null: Vec<&str> = NOT_NULL
        .iter()
        .copied()
        .filter(|field| object.get(*field).is_some_and(Value::is_null))
        .collect();
    let usage = object
        .get("usage")
        .map_or(Vec::new(), missing_usage_details);
    let parts: Vec<String> = [
        ("lacks", missing.join(", ")),
        ("has null", null.join(", ")),
        ("has usage without", usage.join(", ")),
    ]
    .into_iter()
    .filter(|(_, fields)| !fields.is_empty())
    .map(|(what, fields)| format!("{what} {fields}"))
    .collect();
    (!parts.is_empty()).then(|| parts.join("; "))
}

/// The usage details (`output_tokens_details.reasoning_tokens`) a non-null `usage` lacks.
fn missing_usage_details(usage: &Value) -> Vec<String> {
    if !usage.is_object() {
        return Vec::new();
    }
    USAGE_DETAILS
        .iter()
        .filter(|(details, field)| usage.get(details).and_then(|d| d.get(field)).is_none())
        .map(|(details, field)| format!("{details}.{field}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// OpenAI's `response.completed` response of
    /// `responses/openai-dotnet__ResponsesToolTests__FileSearchCallStreamingAsync__e2.sse`,
    /// output and tools emptied.
    fn openai() -> Value {
        json!({"id":"resp_040f","object":"response","created_at":1773875503,"status":"completed",
            "background":false,"completed_at":1773875505,"error":null,"frequency_penalty":0.0,
            "incomplete_details":null,"instructions":null,"max_output_tokens":null,
            "max_tool_calls":null,"model":"gpt-4o-mini-2024-07-18","output":[],
            "parallel_tool_calls":true,"presence_penalty":0.0,"previous_response_id":null,
            "prompt_cache_key":null,"prompt_cache_retention":null,
            "reasoning":{"effort":null,"summary":null},"safety_identifier":null,
            "service_tier":"default","store":true,"temperature":1.0,
            "text":{"format":{"type":"text"},"verbosity":"medium"},"tool_choice":"auto","tools":[],
            "top_logprobs":0,"top_p":1.0,"truncation":"disabled",
            "usage":{"input_tokens":1158,"input_tokens_details":{"cached_tokens":0},
                "output_tokens":42,"output_tokens_details":{"reasoning_tokens":0},
                "total_tokens":1200},
            "user":null,"metadata":{}})
    }

    #[test]
    fn openais_response_is_complete() {
        assert_eq!(incompleteness(&openai()), None);
        let mut in_progress = openai();
        in_progress["usage"] = Value::Null;
        assert_eq!(incompleteness(&in_progress), None);
    }

    #[test]
    fn every_gap_is_named() {
        let mut response = openai();
        let object = response.as_object_mut().unwrap();
        object.remove("background");
        object.remove("store");
        object.insert("temperature".into(), Value::Null);
        object.insert("parallel_tool_calls".into(), Value::Null);
        response["usage"]["output_tokens_details"] = json!({});
        assert_eq!(
            incompleteness(&response).as_deref(),
            Some(
                "lacks background, store; has null temperature, parallel_tool_calls; \
                 has usage without output_tokens_details.reasoning_tokens"
            )
        );
    }

    #[test]
    fn only_numbers_and_parallel_tool_calls_must_not_be_null() {
        let mut response = openai();
        response["completed_at"] = Value::Null;
        response["service_tier"] = Value::Null;
        assert_eq!(incompleteness(&response), None);
        assert_eq!(incompleteness(&json!("not an object")), None);
    }
}
