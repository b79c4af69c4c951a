//! OpenAI's defaults for the fields of a [`Response`]: [`fill_response_defaults`].

use std::collections::BTreeMap;

use openai_wire_events::{
    Reasoning, Response, ResponseFormatText, ResponseTextParam, ResponseTruncation,
    ServiceTierResponses2, TextResponseFormatConfiguration, ToolChoiceOptions, ToolChoiceParam,
};

/// Fills every field of `response` that is unset (`None`) with the value OpenAI writes when the
/// request did not set it, so that the response carries every field OpenAI's carries, with the
/// same values.
///
/// | field | default |
/// | --- | --- |
/// | `temperature`, `top_p` | `1.0` |
/// | `presence_penalty`, `frequency_penalty` | `0.0` |
/// | `top_logprobs` | `0` |
/// | `truncation` | `"disabled"` |
/// | `tool_choice` | `"auto"` |
/// | `text` | `{"format": {"type": "text"}}` (a `text` without `format` gets the format, and keeps its `verbosity`) |
/// | `service_tier` | `"default"` |
/// | `store` | `true` |
/// | `background` | `false` |
/// | `metadata` | `{}` |
/// | `reasoning` | `{"effort": null, "summary": null}` |
///
/// Values already set are kept, whatever they are, and so are the fields without a default:
/// `parallel_tool_calls` (a `bool`, which cannot tell unset from `false`), `model`,
/// `instructions`, the limits (`max_output_tokens`, `max_tool_calls`) and the identifiers
/// (`previous_response_id`, `prompt_cache_key`, `safety_identifier`, `user`), which OpenAI writes
/// as `null` when unset. The generated [`Response`] writes every one of these fields, `null` when
/// `None` (`spec/codegen.toml`, `[write] always_written`), and its `usage`, when there is one,
/// always carries `input_tokens_details.cached_tokens` and `output_tokens_details.reasoning_tokens`.
///
/// [`ResponseWriter::new`](crate::ResponseWriter::new) applies it to its template, so that every
/// event of a writer is complete. It is for responses from elsewhere too (stored ones, an
/// upstream's): it is idempotent, and allocates only for the fields it fills.
///
/// ```
/// use openai_wire_emit::fill_response_defaults;
/// use openai_wire_events::Response;
/// use serde_json::json;
///
/// let mut response: Response = serde_json::from_value(json!({
///     "id": "resp_1", "object": "response", "created_at": 1_700_000_000, "status": "completed",
///     "model": "gpt-4o-mini", "output": [], "temperature": 0.2,
///     "text": {"verbosity": "low"},
/// }))?;
/// fill_response_defaults(&mut response);
/// let json = serde_json::to_value(&response)?;
///
/// // What the request set is kept; what it left unset gets OpenAI's default.
/// assert_eq!(json["temperature"], 0.2);
/// assert_eq!(json["top_p"], 1.0);
/// assert_eq!(json["text"], json!({"format": {"type": "text"}, "verbosity": "low"}));
/// assert_eq!(json["tool_choice"], "auto");
/// assert_eq!(json["truncation"], "disabled");
/// assert_eq!(json["reasoning"], json!({"effort": null, "summary": null}));
/// assert_eq!(json["metadata"], json!({}));
/// assert_eq!((json["store"].clone(), json["background"].clone()), (json!(true), json!(false)));
/// // Fields without a default are written as `null`.
/// assert!(json["max_output_tokens"].is_null() && json["previous_response_id"].is_null());
///
/// // A second call changes nothing.
/// let once = response.clone();
/// fill_response_defaults(&mut response);
/// assert_eq!(response, once);
/// # Ok::<(), serde_json::Error>(())
/// ```
pub fn fill_response_defaults(response: &mut Response) {
    fill_sampling(response);
    fill_text(response.text.get_or_insert_with(ResponseTextParam::default));
    response
        .tool_choice
        .get_or_insert(ToolChoiceParam::ToolChoiceOptions(ToolChoiceOptions::Auto));
    response
        .truncation
        .get_or_insert(ResponseTruncation::Disabled);
    response
        .service_tier
        .get_or_insert(ServiceTierResponses2::Default);
    response.store.get_or_insert(true);
    response.background.get_or_insert(false);
    response.metadata.get_or_insert_with(BTreeMap::new);
    response.reasoning.get_or_insert_with(Reasoning::default);
}

/// The sampling parameters: `temperature`, `top_p`, the penalties, `top_logprobs`.
fn fill_sampling(response: &mut Response) {
    response.temperature.get_or_insert(1.0);
    response.top_p.get_or_insert(1.0);
    response.presence_penalty.get_or_insert(0.0);
    response.frequency_penalty.get_or_insert(0.0);
    response.top_logprobs.get_or_insert(0);
}

/// `text.format` is plain text unless the request said otherwise.
fn fill_text(text: &mut ResponseTextParam) {
    text.format
        .get_or_insert(TextResponseFormatConfiguration::Text(ResponseFormatText {}));
}
