//! A Responses request (`POST /v1/responses`) to a Chat Completions request.
//!
//! # Top-level fields
//!
//! | Responses | Chat Completions |
//! |---|---|
//! | `model` | `model` ([`ChatRequestOptions::model`] overrides it) |
//! | `instructions` | first message, role `system` |
//! | `input` (string) | one `user` message |
//! | `input` (items) | `messages`, after the `history` items (see below) |
//! | `tools` | `tools` (see below) |
//! | `tool_choice` `auto` / `none` / `required` | same |
//! | `tool_choice` `{type: function, name}` / `{type: custom, name}` | `{type: function, function: {name}}` (Chat name) |
//! | `tool_choice` `{type: allowed_tools, mode, tools}` | `{type: allowed_tools, allowed_tools: {mode, tools}}` |
//! | `tool_choice` naming `tool_search` (client) or `web_search` (with a search backend) | `{type: function, function: {name}}` |
//! | `tool_choice` naming another hosted tool | error (the tool is not sent) |
//! | `parallel_tool_calls` | same, only when tools are sent (OpenAI rejects it otherwise) |
//! | `text.format` `json_schema` `{name, schema, strict, description}` | `response_format` `{type: json_schema, json_schema: {…}}` |
//! | `text.format` `json_object` | `response_format` `{type: json_object}` |
//! | `text.format` `text` | nothing (the default) |
//! | `max_output_tokens` | `max_completion_tokens` or `max_tokens` ([`MaxTokensField`]) |
//! | `reasoning.effort` | `reasoning_effort` (unless [`ChatRequestOptions::send_reasoning_effort`] is off) |
//! | `temperature`, `top_p`, `presence_penalty`, `frequency_penalty`, `user`, `metadata`, `service_tier` | same |
//! | `top_logprobs` | `logprobs: true` + `top_logprobs` |
//! | `stream` | [`ChatRequestOptions::stream`] (the gateway decides; it may stream upstream for a non-streaming client) |
//! | `stream_options.include_usage` | set when streaming and [`ChatRequestOptions::include_usage`] |
//! | `include: ["reasoning.encrypted_content"]` | nothing sent; [`ChatRequest::include_encrypted_reasoning`] tells the stream converter to seal reasoning |
//! | `prompt` (a stored prompt template) | error: only OpenAI can resolve it |
//! | `store`, `previous_response_id`, `conversation`, `background`, `truncation`, `text.verbosity`, `reasoning.summary`, `prompt_cache_key`, `prompt_cache_retention`, `safety_identifier`, `client_metadata`, `max_tool_calls`, `stream_options.include_obfuscation` | not sent: the gateway handles the state, the rest has no Chat equivalent a provider accepts |
//!
//! # Input items
//!
//! | Responses item | Chat message |
//! |---|---|
//! | `message` role `user` | `user`; parts `input_text` → `text`, `input_image` → `image_url` (`{url, detail}`), `input_file` (`file_data`/`file_id`, `filename`) → `file`, `input_audio` → `input_audio`; a single text part becomes a plain string |
//! | `message` role `system` | `system`, text parts joined |
//! | `message` role `developer` | `developer`, or `system` ([`DeveloperRole`]) |
//! | `message` role `assistant` | `assistant`, `output_text` parts joined into `content`, `refusal` into `refusal` |
//! | `function_call` `{call_id, name, namespace?, arguments}` | a `tool_calls` entry of the assistant message `{id: call_id, type: function, function: {name, arguments}}` |
//! | `custom_tool_call` `{call_id, name, input}` | a `tool_calls` entry whose `arguments` are `{"input": input}` |
//! | `function_call_output` / `custom_tool_call_output` `{call_id, output}` | `tool` message `{tool_call_id, content}`; an output array's text parts become the content, its images and files go into one `user` message after the run of tool messages |
//! | `reasoning` | `reasoning_content` (or `reasoning`) of the assistant message that follows, when [`ChatRequestOptions::reasoning_round_trip`] is set: from our sealed `encrypted_content` ([`crate::envelope`]), else from `content` `reasoning_text` parts; with [`ChatRequestOptions::reasoning_as_streamed`] instead, from our envelope only, in the field the upstream streamed it in; otherwise dropped |
//! | `item_reference` | error: the gateway must resolve references from its store first |
//! | `additional_tools` (Responses Lite: a model's only tools) | no message: its tools become functions (below) |
//! | `tool_search_call` with `execution: "client"` `{call_id, arguments}` | a `tool_calls` entry calling `tool_search` with the arguments as JSON text |
//! | `tool_search_output` with `execution: "client"` `{call_id, tools}` | `tool` message listing the tools it loaded, by the function names they now have; the tools themselves become functions (below) |
//! | `web_search_call`, when [`ChatRequestOptions::web_search`] is on | dropped quietly: the gateway ran the search, and the answer after it carries what was found |
//! | hosted-tool items (`web_search_call`, `file_search_call`, server `tool_search_*`, `computer_call`, `code_interpreter_call`, `image_generation_call`, `local_shell_call`, `shell_call`, `apply_patch_call`, `mcp_*`, …) and their outputs | dropped, with a warning: their tools are not sent to a Chat provider (below) |
//! | `compaction` | the `user` message its summary stands for ([`crate::compaction::restore`], opened with [`ChatRequestOptions::envelope_key`]); one this gateway did not seal (OpenAI's, forged, altered, another key) is an error naming `input[i].encrypted_content` |
//! | `compaction_trigger` | dropped, with a warning (the gateway answers a last one with a compaction before converting) |
//! | any other type | error |
//!
//! Consecutive assistant-side items (reasoning, assistant message, function and custom tool
//! calls) of one turn become **one** assistant message: text and every tool call together,
//! with that turn's reasoning attached. DeepSeek rejects a tool message that does not follow
//! the assistant message holding all calls of its turn. A new reasoning item, or an assistant
//! message after tool calls, starts a new assistant message.
//!
//! When the round trip is on, an assistant message with tool calls and no reasoning gets an
//! empty `reasoning_content`: DeepSeek and Kimi in thinking mode reject such a message without
//! the field.
//!
//! # Tools
//!
//! | Responses tool | Chat tool |
//! |---|---|
//! | `function` `{name, description, parameters, strict}` | `function` `{name, description, parameters, strict}` |
//! | `custom` `{name, description, format}` | `function` with one required string parameter `input`; a grammar (`lark` or `regex`) is appended to the description |
//! | `namespace` `{name, description, tools}` | each inner tool flattened to `{namespace}__{name}` (see [`ToolNames`]); the namespace description is prefixed to each inner description |
//! | the `tools` of `additional_tools` and client `tool_search_output` items | the same mappings, after `tools`; a tool met again is sent once |
//! | `tool_search` with `execution: "client"` `{description, parameters}` | `function` `tool_search` with that description and those parameters (a `query` string when none); its call comes back as a `tool_search_call` item |
//! | `web_search` (and its dated and preview forms), when [`ChatRequestOptions::web_search`] is on | `function` `web_search` `{query}`, run by the gateway |
//! | `web_search`, with [`ChatRequestOptions::native_web_search`] instead | that tool, as given (OpenRouter's server tool) |
//! | hosted tools (`web_search` without a search backend, `file_search`, server `tool_search`, `code_interpreter`, `image_generation`, `computer_use_preview`, `mcp`, `local_shell`, `shell`, `apply_patch`, …) | dropped, with a warning: a Chat provider cannot run them, and a client like Codex must keep working without them |
//!
//! [`ToolNames`]: super::ToolNames

use serde_json::{Map, Value, json};

use super::tools::{self, HOSTED_ITEMS, TOOL_SEARCH, is_client_search};
use super::{RequestError, ToolNames};
use crate::envelope::{self, EnvelopeKey, ReasoningField};
use openai_wire_events::InputItem;

/// What to send as the `developer` role. In configuration files: `"developer"` or `"system"`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeveloperRole {
    /// Keep `developer` (OpenAI and recent compatible servers).
    #[default]
    Developer,
    /// Send `system` (most Chat providers: DeepSeek, Qwen, GLM, Kimi, Groq, Ollama, vLLM).
    System,
}

/// Which field carries `max_output_tokens`. In configuration files: `"max_completion_tokens"`
/// or `"max_tokens"`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MaxTokensField {
    /// `max_completion_tokens` (OpenAI's current name).
    #[default]
    MaxCompletionTokens,
    /// `max_tokens` (the older name most compatible providers read).
    MaxTokens,
}

/// How to build the Chat request for one provider.
#[derive(Debug, Clone)]
pub struct ChatRequestOptions {
    /// The upstream model name, from the gateway's model map; `None` keeps the request's.
    pub model: Option<String>,
    /// The field the provider wants its reasoning back in; `None` drops reasoning items (but
    /// see [`reasoning_as_streamed`](Self::reasoning_as_streamed)).
    pub reasoning_round_trip: Option<ReasoningField>,
    /// When `reasoning_round_trip` is `None`: send reasoning back in the field the upstream
    /// streamed it in (`reasoning_content` or `reasoning`), as recorded in this gateway's
    /// envelope. A provider whose kind is unknown (a self-hosted vLLM or SGLang serving
    /// DeepSeek, Kimi, GLM or Qwen) then gets its reasoning back as a named kind would;
    /// reasoning that came with no envelope is not sent.
    pub reasoning_as_streamed: bool,
    /// Send reasoning back only for the assistant messages after the last user message (the
    /// current turn's tool-call steps), as DeepSeek documents; `false` sends all of it (Kimi,
    /// GLM "preserved thinking").
    pub reasoning_current_turn_only: bool,
    /// The key that opens reasoning envelopes and compactions ([`crate::compaction`]).
    pub envelope_key: EnvelopeKey,
    /// What to send as the `developer` role.
    pub developer_role: DeveloperRole,
    /// Which field carries `max_output_tokens`.
    pub max_tokens_field: MaxTokensField,
    /// Whether to send `reasoning_effort`.
    pub send_reasoning_effort: bool,
    /// Whether to ask the upstream for a stream.
    pub stream: bool,
    /// Whether to ask for usage in the last chunk (`stream_options.include_usage`).
    pub include_usage: bool,
    /// Whether the hosted `web_search` tool is offered to the model as a function the gateway
    /// runs (a search backend is configured); otherwise it is dropped with a warning.
    pub web_search: bool,
    /// The provider's own web search tool, sent in `tools` for a client's `web_search` when
    /// [`web_search`](Self::web_search) is off (OpenRouter's `{"type": "openrouter:web_search"}`).
    pub native_web_search: Option<Value>,
}

impl Default for ChatRequestOptions {
    /// No model override, reasoning dropped, `developer` kept, `max_completion_tokens`,
    /// `reasoning_effort` sent, streaming with usage.
    fn default() -> Self {
        Self {
            model: None,
            reasoning_round_trip: None,
            reasoning_as_streamed: false,
            reasoning_current_turn_only: false,
            envelope_key: EnvelopeKey::default(),
            developer_role: DeveloperRole::Developer,
            max_tokens_field: MaxTokensField::MaxCompletionTokens,
            send_reasoning_effort: true,
            stream: true,
            include_usage: true,
            web_search: false,
            native_web_search: None,
        }
    }
}

/// A converted request: the Chat body and what the way back needs.
#[derive(Debug, Clone, PartialEq)]
pub struct ChatRequest {
    /// The Chat Completions request body.
    pub body: Value,
    /// The function names sent, and the Responses tools they stand for.
    pub tool_names: ToolNames,
    /// Whether the client asked for `reasoning.encrypted_content` (so the stream converter
    /// should seal the upstream's reasoning into the reasoning item).
    pub include_encrypted_reasoning: bool,
    /// What was dropped on the way, for the gateway's log (hosted tools, their items,
    /// unreadable reasoning envelopes).
    pub warnings: Vec<String>,
}

/// Converts a Responses request body into a Chat Completions request.
///
/// `history` holds earlier items from the gateway's store (for `previous_response_id`); they
/// come before `input`. Codex sends `store: false` and its whole history in `input`, so for it
/// `history` is empty.
pub fn responses_to_chat(
    request: &Value,
    history: &[InputItem],
    options: &ChatRequestOptions,
) -> Result<ChatRequest, RequestError> {
    let req = request
        .as_object()
        .ok_or_else(|| RequestError::invalid("", "the request body must be a JSON object"))?;
    let mut out = Map::new();
    let mut warnings = Vec::new();

    // model
    let model = match (&options.model, req.get("model")) {
        (Some(m), _) => m.clone(),
        (None, Some(Value::String(m))) if !m.is_empty() => m.clone(),
        (None, Some(v)) if !v.is_null() => {
            return Err(RequestError::invalid("model", "expected a string"));
        }
        _ => {
            return Err(RequestError::Missing {
                param: "model".into(),
            });
        }
    };
    out.insert("model".into(), Value::String(model));

    if let Some(prompt) = req.get("prompt")
        && !prompt.is_null()
    {
        return Err(RequestError::unsupported(
            "prompt",
            "stored prompt templates can only be resolved by OpenAI; send `instructions` and `input` instead",
        ));
    }

    // Tools first: input items need the name map. History items are read as JSON, like input.
    let history: Vec<Value> = history
        .iter()
        .enumerate()
        .map(|(i, item)| {
            serde_json::to_value(item)
                .map_err(|e| RequestError::invalid(format!("history[{i}]"), e.to_string()))
        })
        .collect::<Result<_, _>>()?;
    let input_items: &[Value] = match req.get("input") {
        Some(Value::Array(items)) => items,
        _ => &[],
    };
    let all_items: Vec<(String, &Value)> = history
        .iter()
        .enumerate()
        .map(|(i, item)| (format!("history[{i}]"), item))
        .chain(
            input_items
                .iter()
                .enumerate()
                .map(|(i, item)| (format!("input[{i}]"), item)),
        )
        .collect();
    let mut names = ToolNames::new();
    let tools = tools::collect_tools(
        req.get("tools"),
        &all_items,
        options,
        &mut names,
        &mut warnings,
    )?;
    let has_tools = !tools.is_empty();

    // messages
    let mut builder = Builder {
        options,
        names: &names,
        messages: Vec::new(),
        pending: None,
        pending_reasoning: None,
        deferred_media: Vec::new(),
        warnings: &mut warnings,
    };
    match req.get("instructions") {
        None | Some(Value::Null) => {}
        Some(Value::String(s)) => {
            if !s.is_empty() {
                builder
                    .messages
                    .push(json!({"role": "system", "content": s}));
            }
        }
        Some(_) => return Err(RequestError::invalid("instructions", "expected a string")),
    }
    for (i, item) in history.iter().enumerate() {
        builder.item(item, &format!("history[{i}]"))?;
    }
    match req.get("input") {
        None | Some(Value::Null) => {}
        Some(Value::String(s)) => {
            builder.flush();
            builder.messages.push(json!({"role": "user", "content": s}));
        }
        Some(Value::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                builder.item(item, &format!("input[{i}]"))?;
            }
        }
        Some(_) => {
            return Err(RequestError::invalid(
                "input",
                "expected a string or an array of items",
            ));
        }
    }
    builder.flush();
    builder.flush_media();
    let mut messages = builder.messages;
    if options.reasoning_round_trip.is_some() && options.reasoning_current_turn_only {
        strip_reasoning_before_last_user(&mut messages, options);
    }
    if options.reasoning_round_trip.is_none() && options.reasoning_as_streamed {
        fill_streamed_reasoning_field(&mut messages);
    }
    if messages.is_empty() {
        return Err(RequestError::Missing {
            param: "input".into(),
        });
    }
    out.insert("messages".into(), Value::Array(messages));

    if has_tools {
        out.insert("tools".into(), Value::Array(tools));
    }
    if let Some(choice) = req.get("tool_choice")
        && !choice.is_null()
    {
        if let Some(choice) = tools::convert_tool_choice(choice, &names, has_tools)? {
            out.insert("tool_choice".into(), choice);
        }
    }
    if has_tools && let Some(p) = req.get("parallel_tool_calls") {
        match p {
            Value::Bool(_) => {
                out.insert("parallel_tool_calls".into(), p.clone());
            }
            Value::Null => {}
            _ => {
                return Err(RequestError::invalid(
                    "parallel_tool_calls",
                    "expected a boolean",
                ));
            }
        }
    }

    // text.format
    if let Some(text) = req.get("text").filter(|t| !t.is_null()) {
        if let Some(format) = text.get("format").filter(|f| !f.is_null()) {
            if let Some(rf) = convert_text_format(format)? {
                out.insert("response_format".into(), rf);
            }
        }
    }

    // max_output_tokens
    if let Some(max) = req.get("max_output_tokens").filter(|v| !v.is_null()) {
        if !max.is_u64() {
            return Err(RequestError::invalid(
                "max_output_tokens",
                "expected a positive integer",
            ));
        }
        let field = match options.max_tokens_field {
            MaxTokensField::MaxCompletionTokens => "max_completion_tokens",
            MaxTokensField::MaxTokens => "max_tokens",
        };
        out.insert(field.into(), max.clone());
    }

    // reasoning.effort
    if options.send_reasoning_effort
        && let Some(effort) = req
            .get("reasoning")
            .and_then(|r| r.get("effort"))
            .filter(|e| !e.is_null())
    {
        if !effort.is_string() {
            return Err(RequestError::invalid(
                "reasoning.effort",
                "expected a string",
            ));
        }
        out.insert("reasoning_effort".into(), effort.clone());
    }

    // numbers and plain passthroughs
    for key in [
        "temperature",
        "top_p",
        "presence_penalty",
        "frequency_penalty",
    ] {
        if let Some(v) = req.get(key).filter(|v| !v.is_null()) {
            if !v.is_number() {
                return Err(RequestError::invalid(key, "expected a number"));
            }
            out.insert(key.into(), v.clone());
        }
    }
    for key in ["user", "service_tier"] {
        if let Some(v) = req.get(key).filter(|v| !v.is_null()) {
            if !v.is_string() {
                return Err(RequestError::invalid(key, "expected a string"));
            }
            out.insert(key.into(), v.clone());
        }
    }
    if let Some(v) = req.get("metadata").filter(|v| !v.is_null()) {
        if !v.is_object() {
            return Err(RequestError::invalid("metadata", "expected an object"));
        }
        out.insert("metadata".into(), v.clone());
    }
    if let Some(v) = req.get("top_logprobs").filter(|v| !v.is_null()) {
        if !v.is_u64() {
            return Err(RequestError::invalid("top_logprobs", "expected an integer"));
        }
        out.insert("logprobs".into(), Value::Bool(true));
        out.insert("top_logprobs".into(), v.clone());
    }

    // stream
    out.insert("stream".into(), Value::Bool(options.stream));
    if options.stream && options.include_usage {
        out.insert("stream_options".into(), json!({"include_usage": true}));
    }

    let include_encrypted_reasoning =
        req.get("include")
            .and_then(Value::as_array)
            .is_some_and(|a| {
                a.iter()
                    .any(|v| v.as_str() == Some("reasoning.encrypted_content"))
            });

    Ok(ChatRequest {
        body: Value::Object(out),
        tool_names: names,
        include_encrypted_reasoning,
        warnings,
    })
}

fn convert_text_format(format: &Value) -> Result<Option<Value>, RequestError> {
    match format.get("type").and_then(Value::as_str) {
        Some("text") => Ok(None),
        Some("json_object") => Ok(Some(json!({"type": "json_object"}))),
        Some("json_schema") => {
            let mut schema = Map::new();
            let name = format.get("name").and_then(Value::as_str).ok_or_else(|| {
                RequestError::Missing {
                    param: "text.format.name".into(),
                }
            })?;
            schema.insert("name".into(), Value::String(name.to_owned()));
            let body = format
                .get("schema")
                .filter(|s| s.is_object())
                .ok_or_else(|| RequestError::Missing {
                    param: "text.format.schema".into(),
                })?;
            schema.insert("schema".into(), body.clone());
            for key in ["strict", "description"] {
                if let Some(v) = format.get(key).filter(|v| !v.is_null()) {
                    schema.insert(key.into(), v.clone());
                }
            }
            Ok(Some(
                json!({"type": "json_schema", "json_schema": Value::Object(schema)}),
            ))
        }
        Some(other) => Err(RequestError::unsupported(
            "text.format.type",
            format!("format `{other}`"),
        )),
        None => Err(RequestError::Missing {
            param: "text.format.type".into(),
        }),
    }
}

/// The assistant message being built from consecutive assistant-side items.
#[derive(Default)]
struct Pending {
    text: String,
    has_text: bool,
    refusal: Option<String>,
    tool_calls: Vec<Value>,
    reasoning: Option<Reasoning>,
}

struct Reasoning {
    text: String,
    details: Option<Value>,
    /// The field the upstream streamed it in, when it came from one of our envelopes.
    field: Option<ReasoningField>,
}

struct Builder<'a> {
    options: &'a ChatRequestOptions,
    names: &'a ToolNames,
    messages: Vec<Value>,
    pending: Option<Pending>,
    /// Reasoning seen before any other assistant-side item of its turn.
    pending_reasoning: Option<Reasoning>,
    /// Images and files from tool outputs, sent as one user message after the tool messages.
    deferred_media: Vec<Value>,
    warnings: &'a mut Vec<String>,
}

impl Builder<'_> {
    fn item(&mut self, item: &Value, path: &str) -> Result<(), RequestError> {
        // A message item may omit `type` (EasyInputMessage).
        let kind = match item.get("type") {
            Some(Value::String(t)) => t.as_str(),
            None | Some(Value::Null) if item.get("role").is_some() => "message",
            Some(_) => {
                return Err(RequestError::invalid(
                    format!("{path}.type"),
                    "expected a string",
                ));
            }
            None => {
                return Err(RequestError::Missing {
                    param: format!("{path}.type"),
                });
            }
        };
        match kind {
            "message" => self.message(item, path),
            "function_call" => {
                let call_id = str_field(item, "call_id", path)?;
                let name = str_field(item, "name", path)?;
                let ns = item.get("namespace").and_then(Value::as_str);
                let arguments = match item.get("arguments") {
                    Some(Value::String(a)) => a.clone(),
                    None | Some(Value::Null) => "{}".to_owned(),
                    Some(other) => other.to_string(),
                };
                let chat = self.chat_name(ns, name);
                self.push_call(call_id, chat, arguments);
                Ok(())
            }
            "custom_tool_call" => {
                let call_id = str_field(item, "call_id", path)?;
                let name = str_field(item, "name", path)?;
                let ns = item.get("namespace").and_then(Value::as_str);
                let input = item.get("input").and_then(Value::as_str).unwrap_or("");
                let chat = self.chat_name(ns, name);
                let arguments = json!({"input": input}).to_string();
                self.push_call(call_id, chat, arguments);
                Ok(())
            }
            "function_call_output" | "custom_tool_call_output" => {
                self.flush();
                let call_id = str_field(item, "call_id", path)?;
                let content = self.tool_output(item.get("output"), &format!("{path}.output"))?;
                self.messages
                    .push(json!({"role": "tool", "tool_call_id": call_id, "content": content}));
                Ok(())
            }
            "reasoning" => {
                self.reasoning(item);
                Ok(())
            }
            "compaction" => {
                let message = crate::compaction::restore(item, &self.options.envelope_key)
                    .map_err(|error| crate::compaction::request_error(path, &error))?;
                self.flush();
                self.messages.push(message);
                Ok(())
            }
            "tool_search_call" if is_client_search(item) => {
                let call_id = call_id_of(item, path)?;
                let arguments = match item.get("arguments") {
                    Some(Value::String(a)) => a.clone(),
                    None | Some(Value::Null) => "{}".to_owned(),
                    Some(other) => other.to_string(),
                };
                let chat = self.chat_name(None, TOOL_SEARCH);
                self.push_call(call_id, chat, arguments);
                Ok(())
            }
            "tool_search_output" if is_client_search(item) => {
                self.flush();
                let call_id = call_id_of(item, path)?;
                let content = tools::tool_search_output_text(item, self.names);
                self.messages
                    .push(json!({"role": "tool", "tool_call_id": call_id, "content": content}));
                Ok(())
            }
            // Its tools were hoisted into the request's functions.
            "additional_tools" => Ok(()),
            // The gateway ran the search; the answer that follows carries what it found.
            "web_search_call" if self.options.web_search => Ok(()),
            "compaction_trigger" => {
                self.warnings.push(format!(
                    "{path}: `compaction_trigger` item dropped (the gateway answers a last one with a compaction)"
                ));
                Ok(())
            }
            "item_reference" => Err(RequestError::unsupported(
                path,
                "item references must be resolved from the store before conversion",
            )),
            other if HOSTED_ITEMS.contains(&other) => {
                self.warnings.push(format!(
                    "{path}: `{other}` item dropped (its tool does not exist on a Chat provider)"
                ));
                Ok(())
            }
            other => Err(RequestError::unsupported(
                format!("{path}.type"),
                format!("input item type `{other}` cannot be sent to a Chat Completions provider"),
            )),
        }
    }

    fn chat_name(&self, ns: Option<&str>, name: &str) -> String {
        if let Some(chat) = self.names.chat_name(ns, name) {
            return chat.to_owned();
        }
        // A call to a tool no longer offered: flatten the same way, without the map.
        match ns {
            Some(ns) => super::shorten(&format!("{ns}__{name}")),
            None => name.to_owned(),
        }
    }

    fn push_call(&mut self, call_id: &str, name: String, arguments: String) {
        self.flush_media();
        let pending = self.pending_mut();
        pending.tool_calls.push(json!({
            "id": call_id,
            "type": "function",
            "function": {"name": name, "arguments": arguments},
        }));
    }

    fn pending_mut(&mut self) -> &mut Pending {
        let reasoning = self.pending_reasoning.take();
        let pending = self.pending.get_or_insert_with(Pending::default);
        if let Some(r) = reasoning {
            pending.reasoning = Some(r);
        }
        pending
    }

    fn reasoning(&mut self, item: &Value) {
        // A reasoning item after text or calls starts the next step of the conversation.
        if self.pending.is_some() {
            self.flush();
        }
        if self.options.reasoning_round_trip.is_none() && !self.options.reasoning_as_streamed {
            return;
        }
        let mut found: Option<Reasoning> = None;
        if let Some(enc) = item.get("encrypted_content").and_then(Value::as_str) {
            if envelope::is_ours(enc) {
                match envelope::open(enc, &self.options.envelope_key) {
                    Ok(carry) => {
                        found = Some(Reasoning {
                            text: carry.text,
                            details: carry.details,
                            field: Some(carry.field),
                        });
                    }
                    Err(e) => self.warnings.push(format!(
                        "reasoning item `{}`: envelope dropped: {e}",
                        item.get("id").and_then(Value::as_str).unwrap_or("")
                    )),
                }
            }
        }
        if found.is_none()
            && self.options.reasoning_round_trip.is_some()
            && let Some(parts) = item.get("content").and_then(Value::as_array)
        {
            let text: String = parts
                .iter()
                .filter(|p| p.get("type").and_then(Value::as_str) == Some("reasoning_text"))
                .filter_map(|p| p.get("text").and_then(Value::as_str))
                .collect();
            if !text.is_empty() {
                found = Some(Reasoning {
                    text,
                    details: None,
                    field: None,
                });
            }
        }
        if let Some(r) = found {
            match &mut self.pending_reasoning {
                Some(existing) => {
                    existing.text.push_str(&r.text);
                    if existing.details.is_none() {
                        existing.details = r.details;
                    }
                    if existing.field.is_none() {
                        existing.field = r.field;
                    }
                }
                None => self.pending_reasoning = Some(r),
            }
        }
    }

    fn message(&mut self, item: &Value, path: &str) -> Result<(), RequestError> {
        let role = str_field(item, "role", path)?;
        let content_path = format!("{path}.content");
        let content = item.get("content");
        match role {
            "assistant" => {
                if self
                    .pending
                    .as_ref()
                    .is_some_and(|p| !p.tool_calls.is_empty())
                {
                    self.flush();
                }
                self.flush_media();
                let (text, refusal) = assistant_content(content, &content_path)?;
                let pending = self.pending_mut();
                if let Some(t) = text {
                    pending.text.push_str(&t);
                    pending.has_text = true;
                }
                if let Some(r) = refusal {
                    pending.refusal.get_or_insert_with(String::new).push_str(&r);
                }
                Ok(())
            }
            "user" => {
                self.flush();
                self.flush_media();
                let content = user_content(content, &content_path)?;
                self.messages
                    .push(json!({"role": "user", "content": content}));
                Ok(())
            }
            "system" | "developer" => {
                self.flush();
                self.flush_media();
                let text = text_only(content, &content_path)?;
                let role = match (role, self.options.developer_role) {
                    ("developer", DeveloperRole::Developer) => "developer",
                    _ => "system",
                };
                self.messages.push(json!({"role": role, "content": text}));
                Ok(())
            }
            other => Err(RequestError::invalid(
                format!("{path}.role"),
                format!("unknown role `{other}`"),
            )),
        }
    }

    /// A tool output: the text for the tool message; media parts are deferred.
    fn tool_output(&mut self, output: Option<&Value>, path: &str) -> Result<String, RequestError> {
        match output {
            None | Some(Value::Null) => Ok(String::new()),
            Some(Value::String(s)) => Ok(s.clone()),
            Some(Value::Array(parts)) => {
                let mut text = String::new();
                for (i, part) in parts.iter().enumerate() {
                    let p = format!("{path}[{i}]");
                    match type_of(part, &p)? {
                        "input_text" | "output_text" | "text" => {
                            if !text.is_empty() {
                                text.push('\n');
                            }
                            text.push_str(str_field(part, "text", &p)?);
                        }
                        _ => {
                            let chat = user_part(part, &p)?;
                            self.deferred_media.push(chat);
                        }
                    }
                }
                Ok(text)
            }
            Some(Value::Object(_)) => Ok(output.map(Value::to_string).unwrap_or_default()),
            Some(_) => Err(RequestError::invalid(
                path,
                "expected a string or an array of content parts",
            )),
        }
    }

    fn flush(&mut self) {
        let Some(p) = self.pending.take() else {
            // Reasoning with nothing after it (an interrupted turn) has nowhere to go.
            self.pending_reasoning = None;
            return;
        };
        let mut m = Map::new();
        m.insert("role".into(), "assistant".into());
        m.insert(
            "content".into(),
            if p.has_text || p.tool_calls.is_empty() && p.refusal.is_none() {
                Value::String(p.text)
            } else {
                Value::Null
            },
        );
        if let Some(r) = p.refusal {
            m.insert("refusal".into(), Value::String(r));
        }
        let has_calls = !p.tool_calls.is_empty();
        if has_calls {
            m.insert("tool_calls".into(), Value::Array(p.tool_calls));
        }
        let streamed = p.reasoning.as_ref().and_then(|r| r.field);
        let field = match (self.options.reasoning_round_trip, streamed) {
            (Some(field), _) => Some(field),
            (None, Some(field)) if self.options.reasoning_as_streamed => Some(field),
            (None, _) => None,
        };
        if let Some(field) = field {
            match p.reasoning {
                Some(r) => {
                    m.insert(field.as_str().into(), Value::String(r.text));
                    if let Some(d) = r.details {
                        m.insert("reasoning_details".into(), d);
                    }
                }
                None if has_calls => {
                    m.insert(field.as_str().into(), Value::String(String::new()));
                }
                None => {}
            }
        }
        self.messages.push(Value::Object(m));
    }

    fn flush_media(&mut self) {
        if self.deferred_media.is_empty() {
            return;
        }
        let parts = std::mem::take(&mut self.deferred_media);
        self.messages
            .push(json!({"role": "user", "content": parts}));
    }
}

/// Once the upstream has shown which field it streams reasoning in, every assistant message
/// carries that field, empty when it had no reasoning: DeepSeek and Kimi in thinking mode
/// reject a tool-call message without it (DeepSeek V4 any assistant message), also behind vLLM
/// or SGLang.
fn fill_streamed_reasoning_field(messages: &mut [Value]) {
    let streamed = [ReasoningField::ReasoningContent, ReasoningField::Reasoning]
        .into_iter()
        .find(|field| messages.iter().any(|m| m.get(field.as_str()).is_some()));
    let Some(field) = streamed else {
        return;
    };
    for m in messages {
        if let Some(o) = m.as_object_mut()
            && o.get("role").and_then(Value::as_str) == Some("assistant")
            && !o.contains_key(field.as_str())
        {
            o.insert(field.as_str().into(), Value::String(String::new()));
        }
    }
}

fn strip_reasoning_before_last_user(messages: &mut [Value], options: &ChatRequestOptions) {
    let Some(field) = options.reasoning_round_trip else {
        return;
    };
    let Some(last_user) = messages
        .iter()
        .rposition(|m| m.get("role").and_then(Value::as_str) == Some("user"))
    else {
        return;
    };
    for m in &mut messages[..last_user] {
        if let Some(o) = m.as_object_mut() {
            o.remove(field.as_str());
            o.remove("reasoning_details");
        }
    }
}

fn assistant_content(
    content: Option<&Value>,
    path: &str,
) -> Result<(Option<String>, Option<String>), RequestError> {
    match content {
        None | Some(Value::Null) => Ok((None, None)),
        Some(Value::String(s)) => Ok((Some(s.clone()), None)),
        Some(Value::Array(parts)) => {
            let mut text: Option<String> = None;
            let mut refusal: Option<String> = None;
            for (i, part) in parts.iter().enumerate() {
                let p = format!("{path}[{i}]");
                match type_of(part, &p)? {
                    "output_text" | "input_text" | "text" => text
                        .get_or_insert_with(String::new)
                        .push_str(str_field(part, "text", &p)?),
                    "refusal" => refusal
                        .get_or_insert_with(String::new)
                        .push_str(str_field(part, "refusal", &p)?),
                    other => {
                        return Err(RequestError::unsupported(
                            format!("{p}.type"),
                            format!("`{other}` content in an assistant message"),
                        ));
                    }
                }
            }
            Ok((text, refusal))
        }
        Some(_) => Err(RequestError::invalid(
            path,
            "expected a string or an array of content parts",
        )),
    }
}

fn text_only(content: Option<&Value>, path: &str) -> Result<String, RequestError> {
    match content {
        None | Some(Value::Null) => Ok(String::new()),
        Some(Value::String(s)) => Ok(s.clone()),
        Some(Value::Array(parts)) => {
            let mut text = String::new();
            for (i, part) in parts.iter().enumerate() {
                let p = format!("{path}[{i}]");
                match type_of(part, &p)? {
                    "input_text" | "output_text" | "text" => {
                        if !text.is_empty() {
                            text.push('\n');
                        }
                        text.push_str(str_field(part, "text", &p)?);
                    }
                    other => {
                        return Err(RequestError::unsupported(
                            format!("{p}.type"),
                            format!(
                                "`{other}` content in a system or developer message; Chat accepts only text there"
                            ),
                        ));
                    }
                }
            }
            Ok(text)
        }
        Some(_) => Err(RequestError::invalid(
            path,
            "expected a string or an array of content parts",
        )),
    }
}

fn user_content(content: Option<&Value>, path: &str) -> Result<Value, RequestError> {
    match content {
        None | Some(Value::Null) => Ok(Value::String(String::new())),
        Some(Value::String(s)) => Ok(Value::String(s.clone())),
        Some(Value::Array(parts)) => {
            let mut out = Vec::with_capacity(parts.len());
            for (i, part) in parts.iter().enumerate() {
                out.push(user_part(part, &format!("{path}[{i}]"))?);
            }
            if let [single] = out.as_slice()
                && single.get("type").and_then(Value::as_str) == Some("text")
            {
                return Ok(single.get("text").cloned().unwrap_or_default());
            }
            Ok(Value::Array(out))
        }
        Some(_) => Err(RequestError::invalid(
            path,
            "expected a string or an array of content parts",
        )),
    }
}

fn user_part(part: &Value, path: &str) -> Result<Value, RequestError> {
    match type_of(part, path)? {
        "input_text" | "output_text" | "text" => {
            Ok(json!({"type": "text", "text": str_field(part, "text", path)?}))
        }
        "input_image" => {
            let url = match part.get("image_url") {
                Some(Value::String(u)) => u.clone(),
                // Tolerate the Chat shape `{url}` inside a Responses part.
                Some(Value::Object(o)) if o.get("url").is_some_and(Value::is_string) => {
                    o["url"].as_str().unwrap_or_default().to_owned()
                }
                _ => {
                    return Err(if part.get("file_id").is_some_and(|f| !f.is_null()) {
                        RequestError::unsupported(
                            format!("{path}.file_id"),
                            "images by file_id need OpenAI's file store; send image_url (a URL or a data: URL)",
                        )
                    } else {
                        RequestError::Missing {
                            param: format!("{path}.image_url"),
                        }
                    });
                }
            };
            let mut image = Map::new();
            image.insert("url".into(), Value::String(url));
            if let Some(d) = part.get("detail").filter(|d| d.is_string()) {
                image.insert("detail".into(), d.clone());
            }
            Ok(json!({"type": "image_url", "image_url": Value::Object(image)}))
        }
        "input_file" => {
            if part.get("file_url").is_some_and(|u| !u.is_null()) {
                return Err(RequestError::unsupported(
                    format!("{path}.file_url"),
                    "Chat Completions takes files as file_data or file_id, not by URL",
                ));
            }
            let mut file = Map::new();
            for key in ["file_data", "file_id", "filename"] {
                if let Some(v) = part.get(key).filter(|v| v.is_string()) {
                    file.insert(key.into(), v.clone());
                }
            }
            if !file.contains_key("file_data") && !file.contains_key("file_id") {
                return Err(RequestError::Missing {
                    param: format!("{path}.file_data"),
                });
            }
            Ok(json!({"type": "file", "file": Value::Object(file)}))
        }
        "input_audio" => {
            let audio = part
                .get("input_audio")
                .filter(|a| a.is_object())
                .ok_or_else(|| RequestError::Missing {
                    param: format!("{path}.input_audio"),
                })?;
            Ok(json!({"type": "input_audio", "input_audio": audio}))
        }
        other => Err(RequestError::unsupported(
            format!("{path}.type"),
            format!("content part `{other}`"),
        )),
    }
}

/// The `call_id` of a tool search item, or its `id` when it has none.
fn call_id_of<'v>(item: &'v Value, path: &str) -> Result<&'v str, RequestError> {
    match item.get("call_id").and_then(Value::as_str) {
        Some(id) => Ok(id),
        None => str_field(item, "id", path),
    }
}

pub(super) fn type_of<'v>(v: &'v Value, path: &str) -> Result<&'v str, RequestError> {
    match v.get("type") {
        Some(Value::String(t)) => Ok(t),
        Some(_) => Err(RequestError::invalid(
            format!("{path}.type"),
            "expected a string",
        )),
        None => Err(RequestError::Missing {
            param: format!("{path}.type"),
        }),
    }
}

pub(super) fn str_field<'v>(v: &'v Value, key: &str, path: &str) -> Result<&'v str, RequestError> {
    match v.get(key) {
        Some(Value::String(s)) => Ok(s),
        None | Some(Value::Null) => Err(RequestError::Missing {
            param: format!("{path}.{key}"),
        }),
        Some(_) => Err(RequestError::invalid(
            format!("{path}.{key}"),
            "expected a string",
        )),
    }
}
