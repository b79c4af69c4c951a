//! A Chat Completions request (`POST /v1/chat/completions`) to a Responses request, for Chat
//! clients in front of a Responses-only model.
//!
//! # Top-level fields
//!
//! | Chat Completions | Responses |
//! |---|---|
//! | `model` | `model` ([`ResponsesRequestOptions::model`] overrides it) |
//! | leading `system` / `developer` messages | `instructions`, joined with a blank line |
//! | other `messages` | `input` items (see below) |
//! | `tools` `function` `{function: {name, description, parameters, strict}}` | `function` `{name, description, parameters, strict}` |
//! | `tools` `custom` `{custom: {name, description, format}}` | `custom` `{name, description, format}` (`{type: grammar, grammar: {syntax, definition}}` → `{type: grammar, syntax, definition}`) |
//! | `tool_choice` `auto` / `none` / `required` | same |
//! | `tool_choice` `{type: function, function: {name}}` | `{type: function, name}` (and `custom` alike) |
//! | `tool_choice` `{type: allowed_tools, allowed_tools: {mode, tools}}` | `{type: allowed_tools, mode, tools: [{type, name}]}` |
//! | `parallel_tool_calls`, `temperature`, `top_p`, `user`, `metadata`, `service_tier`, `prompt_cache_key`, `safety_identifier` | same |
//! | `response_format` `json_schema` `{json_schema: {name, schema, strict, description}}` | `text.format` `{type: json_schema, name, schema, strict, description}` |
//! | `response_format` `json_object` / `text` | `text.format` `{type: json_object}` / nothing |
//! | `verbosity` | `text.verbosity` |
//! | `max_completion_tokens`, else `max_tokens` | `max_output_tokens` |
//! | `reasoning_effort` | `reasoning.effort` |
//! | `logprobs: true` + `top_logprobs` | `top_logprobs` + `include: ["message.output_text.logprobs"]` |
//! | `stream` | `stream` |
//! | `stream_options.include_usage` | nothing: `response.completed` always carries usage |
//! | `store` | [`ResponsesRequestOptions::store`] (default `false`: the gateway keeps no state for Chat clients) |
//! | `seed` | dropped: the Responses API has none |
//! | `n` > 1, `stop`, `audio` / `modalities` with audio, `prediction`, `logit_bias`, non-zero `frequency_penalty` / `presence_penalty`, `functions` / `function_call`, `web_search_options` | error: no Responses equivalent (`n: 1`, empty and zero values are accepted) |
//!
//! # Messages
//!
//! | Chat message | Responses items |
//! |---|---|
//! | `system` / `developer` (not leading) | `message` with the same role |
//! | `user` (string) | `message` `{role: user, content: "…"}` |
//! | `user` (parts) | `text` → `input_text`, `image_url` `{url, detail}` → `input_image` `{image_url, detail}`, `file` `{file_data, file_id, filename}` → `input_file`; `input_audio` is an error |
//! | `assistant` `content` / `refusal` | `message` `{role: assistant, content: "…"}` (a refusal without content becomes the content) |
//! | `assistant` `tool_calls` `function` | one `function_call` `{call_id, name, arguments}` each |
//! | `assistant` `tool_calls` `custom` | `custom_tool_call` `{call_id, name, input}` |
//! | `assistant` `reasoning_content` / `reasoning` | dropped: a Responses model only takes its own encrypted reasoning back |
//! | `tool` `{tool_call_id, content}` | `function_call_output` `{call_id, output}`, or `custom_tool_call_output` when the call was a custom one; text parts become `input_text` parts |
//! | `function` (deprecated) | error |

use std::collections::HashSet;

use serde_json::{Map, Value, json};

use super::RequestError;

/// How to build the Responses request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponsesRequestOptions {
    /// The upstream model name, from the gateway's model map; `None` keeps the request's.
    pub model: Option<String>,
    /// The `store` flag to send; `None` passes the client's through.
    pub store: Option<bool>,
}

impl Default for ResponsesRequestOptions {
    /// No model override, `store: false`.
    fn default() -> Self {
        Self {
            model: None,
            store: Some(false),
        }
    }
}

/// Converts a Chat Completions request body into a Responses request body.
pub fn chat_to_responses(
    request: &Value,
    options: &ResponsesRequestOptions,
) -> Result<Value, RequestError> {
    let req = request
        .as_object()
        .ok_or_else(|| RequestError::invalid("", "the request body must be a JSON object"))?;
    reject_unsupported(req)?;
    let mut out = Map::new();

    let model = match (&options.model, req.get("model")) {
        (Some(m), _) => m.clone(),
        (None, Some(Value::String(m))) if !m.is_empty() => m.clone(),
        _ => {
            return Err(RequestError::Missing {
                param: "model".into(),
            });
        }
    };
    out.insert("model".into(), Value::String(model));

    let messages = match req.get("messages") {
        Some(Value::Array(m)) if !m.is_empty() => m,
        Some(Value::Array(_)) | None | Some(Value::Null) => {
            return Err(RequestError::Missing {
                param: "messages".into(),
            });
        }
        Some(_) => return Err(RequestError::invalid("messages", "expected an array")),
    };

    let mut instructions: Vec<String> = Vec::new();
    let mut input: Vec<Value> = Vec::new();
    let mut custom_calls: HashSet<String> = HashSet::new();
    let mut leading = true;
    for (i, msg) in messages.iter().enumerate() {
        let path = format!("messages[{i}]");
        let role = str_field(msg, "role", &path)?;
        let content_path = format!("{path}.content");
        match role {
            "system" | "developer" => {
                let text = text_of(msg.get("content"), &content_path)?;
                if leading {
                    instructions.push(text);
                } else {
                    input.push(json!({"type": "message", "role": role, "content": text}));
                }
            }
            "user" => {
                leading = false;
                let content = user_content(msg.get("content"), &content_path)?;
                input.push(json!({"type": "message", "role": "user", "content": content}));
            }
            "assistant" => {
                leading = false;
                let mut text = match msg.get("content") {
                    None | Some(Value::Null) => String::new(),
                    c => text_of(c, &content_path)?,
                };
                if text.is_empty()
                    && let Some(r) = msg.get("refusal").and_then(Value::as_str)
                {
                    text = r.to_owned();
                }
                if !text.is_empty() {
                    input.push(json!({"type": "message", "role": "assistant", "content": text}));
                }
                if let Some(calls) = msg.get("tool_calls").filter(|c| !c.is_null()) {
                    let calls = calls.as_array().ok_or_else(|| {
                        RequestError::invalid(format!("{path}.tool_calls"), "expected an array")
                    })?;
                    for (j, call) in calls.iter().enumerate() {
                        let p = format!("{path}.tool_calls[{j}]");
                        let id = str_field(call, "id", &p)?;
                        match call
                            .get("type")
                            .and_then(Value::as_str)
                            .unwrap_or("function")
                        {
                            "function" => {
                                let f =
                                    call.get("function").ok_or_else(|| RequestError::Missing {
                                        param: format!("{p}.function"),
                                    })?;
                                let name = str_field(f, "name", &format!("{p}.function"))?;
                                let arguments = match f.get("arguments") {
                                    Some(Value::String(a)) => a.clone(),
                                    None | Some(Value::Null) => "{}".to_owned(),
                                    Some(other) => other.to_string(),
                                };
                                input.push(json!({
                                    "type": "function_call",
                                    "call_id": id,
                                    "name": name,
                                    "arguments": arguments,
                                }));
                            }
                            "custom" => {
                                let c =
                                    call.get("custom").ok_or_else(|| RequestError::Missing {
                                        param: format!("{p}.custom"),
                                    })?;
                                let name = str_field(c, "name", &format!("{p}.custom"))?;
                                let tool_input =
                                    c.get("input").and_then(Value::as_str).unwrap_or("");
                                custom_calls.insert(id.to_owned());
                                input.push(json!({
                                    "type": "custom_tool_call",
                                    "call_id": id,
                                    "name": name,
                                    "input": tool_input,
                                }));
                            }
                            other => {
                                return Err(RequestError::unsupported(
                                    format!("{p}.type"),
                                    format!("tool call type `{other}`"),
                                ));
                            }
                        }
                    }
                }
            }
            "tool" => {
                leading = false;
                let call_id = str_field(msg, "tool_call_id", &path)?;
                let output = match msg.get("content") {
                    None | Some(Value::Null) => Value::String(String::new()),
                    Some(Value::String(s)) => Value::String(s.clone()),
                    Some(Value::Array(parts)) => {
                        let mut out = Vec::new();
                        for (j, part) in parts.iter().enumerate() {
                            let p = format!("{content_path}[{j}]");
                            out.push(json!({"type": "input_text", "text": part_text(part, &p)?}));
                        }
                        Value::Array(out)
                    }
                    Some(_) => {
                        return Err(RequestError::invalid(
                            content_path,
                            "expected a string or an array of text parts",
                        ));
                    }
                };
                let kind = if custom_calls.contains(call_id) {
                    "custom_tool_call_output"
                } else {
                    "function_call_output"
                };
                input.push(json!({"type": kind, "call_id": call_id, "output": output}));
            }
            "function" => {
                return Err(RequestError::unsupported(
                    format!("{path}.role"),
                    "the deprecated `function` role; use `tool` messages with tool_call_id",
                ));
            }
            other => {
                return Err(RequestError::invalid(
                    format!("{path}.role"),
                    format!("unknown role `{other}`"),
                ));
            }
        }
    }
    if !instructions.is_empty() {
        out.insert(
            "instructions".into(),
            Value::String(instructions.join("\n\n")),
        );
    }
    out.insert("input".into(), Value::Array(input));

    if let Some(tools) = req.get("tools").filter(|t| !t.is_null()) {
        let tools = tools
            .as_array()
            .ok_or_else(|| RequestError::invalid("tools", "expected an array"))?;
        let mut converted = Vec::new();
        for (i, tool) in tools.iter().enumerate() {
            converted.push(convert_tool(tool, &format!("tools[{i}]"))?);
        }
        out.insert("tools".into(), Value::Array(converted));
    }
    if let Some(choice) = req.get("tool_choice").filter(|c| !c.is_null()) {
        out.insert("tool_choice".into(), convert_tool_choice(choice)?);
    }

    let mut text = Map::new();
    if let Some(rf) = req.get("response_format").filter(|r| !r.is_null()) {
        match rf.get("type").and_then(Value::as_str) {
            Some("text") => {}
            Some("json_object") => {
                text.insert("format".into(), json!({"type": "json_object"}));
            }
            Some("json_schema") => {
                let js = rf.get("json_schema").ok_or_else(|| RequestError::Missing {
                    param: "response_format.json_schema".into(),
                })?;
                let mut format = Map::new();
                format.insert("type".into(), "json_schema".into());
                let name = str_field(js, "name", "response_format.json_schema")?;
                format.insert("name".into(), name.into());
                for key in ["schema", "strict", "description"] {
                    if let Some(v) = js.get(key).filter(|v| !v.is_null()) {
                        format.insert(key.into(), v.clone());
                    }
                }
                text.insert("format".into(), Value::Object(format));
            }
            Some(other) => {
                return Err(RequestError::unsupported(
                    "response_format.type",
                    format!("format `{other}`"),
                ));
            }
            None => {
                return Err(RequestError::Missing {
                    param: "response_format.type".into(),
                });
            }
        }
    }
    if let Some(v) = req.get("verbosity").filter(|v| v.is_string()) {
        text.insert("verbosity".into(), v.clone());
    }
    if !text.is_empty() {
        out.insert("text".into(), Value::Object(text));
    }

    let max = req
        .get("max_completion_tokens")
        .filter(|v| !v.is_null())
        .or_else(|| req.get("max_tokens").filter(|v| !v.is_null()));
    if let Some(max) = max {
        if !max.is_u64() {
            return Err(RequestError::invalid(
                "max_completion_tokens",
                "expected a positive integer",
            ));
        }
        out.insert("max_output_tokens".into(), max.clone());
    }
    if let Some(effort) = req.get("reasoning_effort").filter(|v| !v.is_null()) {
        out.insert("reasoning".into(), json!({"effort": effort}));
    }
    for key in [
        "parallel_tool_calls",
        "temperature",
        "top_p",
        "user",
        "metadata",
        "service_tier",
        "prompt_cache_key",
        "safety_identifier",
    ] {
        if let Some(v) = req.get(key).filter(|v| !v.is_null()) {
            out.insert(key.into(), v.clone());
        }
    }
    if req.get("logprobs").and_then(Value::as_bool) == Some(true) {
        if let Some(n) = req.get("top_logprobs").filter(|v| !v.is_null()) {
            out.insert("top_logprobs".into(), n.clone());
        }
        out.insert("include".into(), json!(["message.output_text.logprobs"]));
    }
    if let Some(s) = req.get("stream").filter(|v| v.is_boolean()) {
        out.insert("stream".into(), s.clone());
    }
    match options.store {
        Some(store) => {
            out.insert("store".into(), Value::Bool(store));
        }
        None => {
            if let Some(s) = req.get("store").filter(|v| v.is_boolean()) {
                out.insert("store".into(), s.clone());
            }
        }
    }
    Ok(Value::Object(out))
}

fn reject_unsupported(req: &Map<String, Value>) -> Result<(), RequestError> {
    let present = |k: &str| req.get(k).filter(|v| !v.is_null());
    if let Some(n) = present("n")
        && n.as_u64() != Some(1)
    {
        return Err(RequestError::unsupported(
            "n",
            "the Responses API returns one choice; send n: 1",
        ));
    }
    if let Some(stop) = present("stop") {
        let empty = stop.as_array().is_some_and(Vec::is_empty);
        if !empty {
            return Err(RequestError::unsupported(
                "stop",
                "the Responses API has no stop sequences",
            ));
        }
    }
    for key in ["frequency_penalty", "presence_penalty"] {
        if let Some(v) = present(key)
            && v.as_f64() != Some(0.0)
        {
            return Err(RequestError::unsupported(
                key,
                "the Responses API has no sampling penalties",
            ));
        }
    }
    if let Some(bias) = present("logit_bias")
        && !bias.as_object().is_some_and(Map::is_empty)
    {
        return Err(RequestError::unsupported(
            "logit_bias",
            "the Responses API has no logit bias",
        ));
    }
    if present("audio").is_some()
        || present("modalities")
            .and_then(Value::as_array)
            .is_some_and(|m| m.iter().any(|v| v.as_str() == Some("audio")))
    {
        return Err(RequestError::unsupported(
            "modalities",
            "audio output is not available through the Responses API",
        ));
    }
    for (key, why) in [
        ("prediction", "the Responses API has no predicted outputs"),
        ("functions", "deprecated; use `tools` with type `function`"),
        ("function_call", "deprecated; use `tool_choice`"),
        (
            "web_search_options",
            "use a model with the web_search tool through the Responses API directly",
        ),
    ] {
        if present(key).is_some() {
            return Err(RequestError::unsupported(key, why));
        }
    }
    Ok(())
}

fn convert_tool(tool: &Value, path: &str) -> Result<Value, RequestError> {
    match tool.get("type").and_then(Value::as_str) {
        Some("function") => {
            let f = tool.get("function").ok_or_else(|| RequestError::Missing {
                param: format!("{path}.function"),
            })?;
            let name = str_field(f, "name", &format!("{path}.function"))?;
            let mut out = Map::new();
            out.insert("type".into(), "function".into());
            out.insert("name".into(), name.into());
            for key in ["description", "parameters", "strict"] {
                if let Some(v) = f.get(key).filter(|v| !v.is_null()) {
                    out.insert(key.into(), v.clone());
                }
            }
            Ok(Value::Object(out))
        }
        Some("custom") => {
            let c = tool.get("custom").ok_or_else(|| RequestError::Missing {
                param: format!("{path}.custom"),
            })?;
            let name = str_field(c, "name", &format!("{path}.custom"))?;
            let mut out = Map::new();
            out.insert("type".into(), "custom".into());
            out.insert("name".into(), name.into());
            if let Some(d) = c.get("description").filter(|v| !v.is_null()) {
                out.insert("description".into(), d.clone());
            }
            if let Some(format) = c.get("format").filter(|v| !v.is_null()) {
                let converted = match format.get("type").and_then(Value::as_str) {
                    Some("text") => json!({"type": "text"}),
                    Some("grammar") => {
                        let g = format.get("grammar").ok_or_else(|| RequestError::Missing {
                            param: format!("{path}.custom.format.grammar"),
                        })?;
                        json!({
                            "type": "grammar",
                            "syntax": g.get("syntax").cloned().unwrap_or_else(|| "lark".into()),
                            "definition": g.get("definition").cloned().unwrap_or_default(),
                        })
                    }
                    _ => {
                        return Err(RequestError::invalid(
                            format!("{path}.custom.format.type"),
                            "expected `text` or `grammar`",
                        ));
                    }
                };
                out.insert("format".into(), converted);
            }
            Ok(Value::Object(out))
        }
        Some(other) => Err(RequestError::unsupported(
            format!("{path}.type"),
            format!("tool type `{other}`"),
        )),
        None => Err(RequestError::Missing {
            param: format!("{path}.type"),
        }),
    }
}

fn convert_tool_choice(choice: &Value) -> Result<Value, RequestError> {
    match choice {
        Value::String(s) if matches!(s.as_str(), "auto" | "none" | "required") => {
            Ok(choice.clone())
        }
        Value::Object(o) => match o.get("type").and_then(Value::as_str) {
            Some(kind @ ("function" | "custom")) => {
                let name = o
                    .get(kind)
                    .and_then(|f| f.get("name"))
                    .and_then(Value::as_str)
                    .ok_or_else(|| RequestError::Missing {
                        param: format!("tool_choice.{kind}.name"),
                    })?;
                Ok(json!({"type": kind, "name": name}))
            }
            Some("allowed_tools") => {
                let at = o
                    .get("allowed_tools")
                    .ok_or_else(|| RequestError::Missing {
                        param: "tool_choice.allowed_tools".into(),
                    })?;
                let mode = at.get("mode").cloned().unwrap_or_else(|| "auto".into());
                let mut tools = Vec::new();
                for (i, t) in at
                    .get("tools")
                    .and_then(Value::as_array)
                    .map(Vec::as_slice)
                    .unwrap_or_default()
                    .iter()
                    .enumerate()
                {
                    let kind = t.get("type").and_then(Value::as_str).unwrap_or("function");
                    let name = t
                        .get(kind)
                        .and_then(|f| f.get("name"))
                        .and_then(Value::as_str)
                        .ok_or_else(|| RequestError::Missing {
                            param: format!("tool_choice.allowed_tools.tools[{i}].{kind}.name"),
                        })?;
                    tools.push(json!({"type": kind, "name": name}));
                }
                Ok(json!({"type": "allowed_tools", "mode": mode, "tools": tools}))
            }
            _ => Err(RequestError::invalid(
                "tool_choice.type",
                "expected `function`, `custom` or `allowed_tools`",
            )),
        },
        _ => Err(RequestError::invalid(
            "tool_choice",
            "expected `auto`, `none`, `required` or an object",
        )),
    }
}

fn text_of(content: Option<&Value>, path: &str) -> Result<String, RequestError> {
    match content {
        None | Some(Value::Null) => Ok(String::new()),
        Some(Value::String(s)) => Ok(s.clone()),
        Some(Value::Array(parts)) => {
            let mut text = String::new();
            for (i, part) in parts.iter().enumerate() {
                if part.get("type").and_then(Value::as_str) == Some("refusal") {
                    text.push_str(part.get("refusal").and_then(Value::as_str).unwrap_or(""));
                    continue;
                }
                text.push_str(&part_text(part, &format!("{path}[{i}]"))?);
            }
            Ok(text)
        }
        Some(_) => Err(RequestError::invalid(
            path,
            "expected a string or an array of content parts",
        )),
    }
}

fn part_text(part: &Value, path: &str) -> Result<String, RequestError> {
    match part.get("type").and_then(Value::as_str) {
        Some("text") => Ok(str_field(part, "text", path)?.to_owned()),
        Some(other) => Err(RequestError::unsupported(
            format!("{path}.type"),
            format!("`{other}` content where only text is accepted"),
        )),
        None => Err(RequestError::Missing {
            param: format!("{path}.type"),
        }),
    }
}

fn user_content(content: Option<&Value>, path: &str) -> Result<Value, RequestError> {
    match content {
        None | Some(Value::Null) => Ok(Value::String(String::new())),
        Some(Value::String(s)) => Ok(Value::String(s.clone())),
        Some(Value::Array(parts)) => {
            let mut out = Vec::with_capacity(parts.len());
            for (i, part) in parts.iter().enumerate() {
                let p = format!("{path}[{i}]");
                let converted = match part.get("type").and_then(Value::as_str) {
                    Some("text") => {
                        json!({"type": "input_text", "text": str_field(part, "text", &p)?})
                    }
                    Some("image_url") => {
                        let img = part.get("image_url").ok_or_else(|| RequestError::Missing {
                            param: format!("{p}.image_url"),
                        })?;
                        let url = match img {
                            Value::String(u) => u.as_str(),
                            _ => str_field(img, "url", &format!("{p}.image_url"))?,
                        };
                        let detail = img.get("detail").and_then(Value::as_str).unwrap_or("auto");
                        json!({"type": "input_image", "image_url": url, "detail": detail})
                    }
                    Some("file") => {
                        let f = part.get("file").ok_or_else(|| RequestError::Missing {
                            param: format!("{p}.file"),
                        })?;
                        let mut file = Map::new();
                        file.insert("type".into(), "input_file".into());
                        for key in ["file_data", "file_id", "filename"] {
                            if let Some(v) = f.get(key).filter(|v| v.is_string()) {
                                file.insert(key.into(), v.clone());
                            }
                        }
                        Value::Object(file)
                    }
                    Some(other) => {
                        return Err(RequestError::unsupported(
                            format!("{p}.type"),
                            format!("content part `{other}` has no Responses input equivalent"),
                        ));
                    }
                    None => {
                        return Err(RequestError::Missing {
                            param: format!("{p}.type"),
                        });
                    }
                };
                out.push(converted);
            }
            Ok(Value::Array(out))
        }
        Some(_) => Err(RequestError::invalid(
            path,
            "expected a string or an array of content parts",
        )),
    }
}

fn str_field<'v>(v: &'v Value, key: &str, path: &str) -> Result<&'v str, RequestError> {
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
