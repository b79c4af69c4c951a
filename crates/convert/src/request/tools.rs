//! The tools of a Responses request, as Chat functions.
//!
//! A Chat provider gets one flat list of functions. It is gathered from three places:
//!
//! - the request's `tools`;
//! - the `tools` of every `additional_tools` input item: a Responses Lite model (Codex's
//!   `gpt-5.6-sol`, `gpt-6-astra`, …) gets its tools only there, for example the namespace
//!   `functions` with the code-mode custom tool `exec`;
//! - the `tools` of every client-executed `tool_search_output` item: the deferred tools (MCP
//!   servers, apps) a client such as Codex loaded when the model searched for them. They stay
//!   callable on every later request that carries the output.
//!
//! A tool met again in a later item is sent once. A client-executed `tool_search` tool
//! (`execution: "client"`) becomes a function `tool_search` with the tool's own parameters; the
//! model's call comes back as a `tool_search_call` item. With
//! [`ChatRequestOptions::web_search`] on, the hosted `web_search` tool becomes a function
//! `web_search` that the gateway runs itself. Other hosted tools are dropped with a warning.

use serde_json::{Map, Value, json};

use super::responses_to_chat::{ChatRequestOptions, str_field, type_of};
use super::{OriginalTool, RequestError, ToolKind, ToolNames};

/// Tool types a Chat provider cannot run; dropped with a warning.
pub(super) const HOSTED_TOOLS: &[&str] = &[
    "web_search",
    "web_search_preview",
    "web_search_preview_2025_03_11",
    "web_search_2025_08_26",
    "file_search",
    "tool_search",
    "code_interpreter",
    "image_generation",
    "computer_use_preview",
    "computer_use",
    "computer",
    "mcp",
    "local_shell",
    "shell",
    "apply_patch",
];

/// Item types that belong to hosted tools (or to OpenAI-only state); dropped with a warning.
pub(super) const HOSTED_ITEMS: &[&str] = &[
    "web_search_call",
    "file_search_call",
    "tool_search_call",
    "tool_search_output",
    "computer_call",
    "computer_call_output",
    "code_interpreter_call",
    "image_generation_call",
    "local_shell_call",
    "local_shell_call_output",
    "shell_call",
    "shell_call_output",
    "apply_patch_call",
    "apply_patch_call_output",
    "mcp_list_tools",
    "mcp_approval_request",
    "mcp_approval_response",
    "mcp_call",
];

/// The Chat name, parameters and description of the function that stands for a
/// client-executed `tool_search` when the tool brings none (Codex's own, as of 0.171).
const TOOL_SEARCH_DESCRIPTION: &str = "Searches the deferred tools (MCP servers, apps) and loads the ones that match, so that they can be called on the next step.";

/// The function the gateway offers for web search when a search backend is configured.
const WEB_SEARCH_DESCRIPTION: &str = "Searches the web and returns the top results (title, URL, snippet). Use it for anything recent or not known for certain.";

/// Whether duplicates are an error (the request's `tools`) or skipped (tools loaded by items).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Duplicates {
    Refuse,
    Skip,
}

/// Every Chat function for a request: its `tools`, then the tools of its `additional_tools`
/// and client `tool_search_output` items (`items` are the history and input items, in order,
/// with their paths).
pub(super) fn collect_tools(
    tools: Option<&Value>,
    items: &[(String, &Value)],
    options: &ChatRequestOptions,
    names: &mut ToolNames,
    warnings: &mut Vec<String>,
) -> Result<Vec<Value>, RequestError> {
    let mut out = match tools {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(list)) => {
            let list: Vec<(String, &Value)> = list
                .iter()
                .enumerate()
                .map(|(i, tool)| (format!("tools[{i}]"), tool))
                .collect();
            convert_tools(&list, options, Duplicates::Refuse, names, warnings)?
        }
        Some(_) => return Err(RequestError::invalid("tools", "expected an array")),
    };
    for (path, item) in items {
        let Some(list) = loaded_tools(item) else {
            continue;
        };
        let list: Vec<(String, &Value)> = list
            .iter()
            .enumerate()
            .map(|(j, tool)| (format!("{path}.tools[{j}]"), tool))
            .collect();
        out.extend(convert_tools(
            &list,
            options,
            Duplicates::Skip,
            names,
            warnings,
        )?);
    }
    Ok(out)
}

/// The tools an input item makes available: an `additional_tools` item's, or a client-executed
/// `tool_search_output`'s.
fn loaded_tools(item: &Value) -> Option<&Vec<Value>> {
    match item.get("type").and_then(Value::as_str)? {
        "additional_tools" => item.get("tools")?.as_array(),
        "tool_search_output" if is_client_search(item) => item.get("tools")?.as_array(),
        _ => None,
    }
}

/// Whether a `tool_search` tool or item is executed by the client (`execution: "client"`).
pub(super) fn is_client_search(value: &Value) -> bool {
    value.get("execution").and_then(Value::as_str) == Some("client")
}

fn convert_tools(
    tools: &[(String, &Value)],
    options: &ChatRequestOptions,
    duplicates: Duplicates,
    names: &mut ToolNames,
    warnings: &mut Vec<String>,
) -> Result<Vec<Value>, RequestError> {
    let mut out = Vec::new();
    for (path, tool) in tools {
        match type_of(tool, path)? {
            "function" | "custom" => {
                let name = str_field(tool, "name", path)?;
                if duplicates == Duplicates::Skip && names.chat_name(None, name).is_some() {
                    continue;
                }
                out.push(convert_tool(tool, None, None, names, path)?);
            }
            "namespace" => out.extend(convert_namespace(tool, duplicates, names, path)?),
            "tool_search" if is_client_search(tool) => {
                if names.chat_name(None, TOOL_SEARCH).is_none() {
                    out.push(tool_search_function(tool, names));
                }
            }
            kind if is_web_search_tool(kind) && web_search_offered(options) => {
                if let Some(tool) = web_search_tool(options, names)
                    && !out.contains(&tool)
                {
                    out.push(tool);
                }
            }
            other if HOSTED_TOOLS.contains(&other) => warnings.push(format!(
                "{path}: hosted tool `{other}` dropped (a Chat provider cannot run it)"
            )),
            other => {
                return Err(RequestError::unsupported(
                    format!("{path}.type"),
                    format!("tool type `{other}` has no Chat Completions equivalent"),
                ));
            }
        }
    }
    Ok(out)
}

fn convert_namespace(
    tool: &Value,
    duplicates: Duplicates,
    names: &mut ToolNames,
    path: &str,
) -> Result<Vec<Value>, RequestError> {
    let ns = str_field(tool, "name", path)?;
    let ns_desc = tool.get("description").and_then(Value::as_str);
    let inner =
        tool.get("tools")
            .and_then(Value::as_array)
            .ok_or_else(|| RequestError::Missing {
                param: format!("{path}.tools"),
            })?;
    let mut out = Vec::new();
    for (j, t) in inner.iter().enumerate() {
        let p = format!("{path}.tools[{j}]");
        match type_of(t, &p)? {
            "function" | "custom" => {
                let name = str_field(t, "name", &p)?;
                if duplicates == Duplicates::Skip && names.chat_name(Some(ns), name).is_some() {
                    continue;
                }
                out.push(convert_tool(t, Some(ns), ns_desc, names, &p)?);
            }
            other => {
                return Err(RequestError::unsupported(
                    format!("{p}.type"),
                    format!("tool type `{other}` inside a namespace"),
                ));
            }
        }
    }
    Ok(out)
}

/// The name a client-executed `tool_search` is registered under in [`ToolNames`].
pub(super) const TOOL_SEARCH: &str = "tool_search";

/// The name the gateway's `web_search` is registered under in [`ToolNames`].
pub(super) const WEB_SEARCH: &str = "web_search";

/// The function standing for a client-executed `tool_search` tool: its own description and
/// parameters (Codex sends both), or a plain `query` string.
fn tool_search_function(tool: &Value, names: &mut ToolNames) -> Value {
    let chat_name = names.insert(OriginalTool {
        namespace: None,
        name: TOOL_SEARCH.to_owned(),
        kind: ToolKind::ToolSearch,
    });
    let description = tool
        .get("description")
        .and_then(Value::as_str)
        .filter(|d| !d.is_empty())
        .unwrap_or(TOOL_SEARCH_DESCRIPTION);
    let parameters = tool
        .get("parameters")
        .filter(|p| p.get("properties").is_some())
        .cloned()
        .unwrap_or_else(|| {
            json!({
                "type": "object",
                "properties": {"query": {"type": "string", "description": "What to search the deferred tools for."}},
                "required": ["query"],
            })
        });
    json!({"type": "function", "function": {
        "name": chat_name,
        "description": description,
        "parameters": parameters,
    }})
}

/// Whether a tool type is OpenAI's hosted web search (`web_search`, its dated and preview
/// forms).
pub fn is_web_search_tool(kind: &str) -> bool {
    matches!(
        kind,
        "web_search"
            | "web_search_preview"
            | "web_search_2025_08_26"
            | "web_search_preview_2025_03_11"
    )
}

/// Whether the hosted web search reaches the model with `options`: as the gateway's function
/// ([`ChatRequestOptions::web_search`]) or as the provider's own tool
/// ([`ChatRequestOptions::native_web_search`]).
pub fn web_search_offered(options: &ChatRequestOptions) -> bool {
    options.web_search || options.native_web_search.is_some()
}

/// What stands for the hosted web search: the gateway's function (once), else the provider's
/// own tool.
fn web_search_tool(options: &ChatRequestOptions, names: &mut ToolNames) -> Option<Value> {
    if options.web_search {
        return names
            .chat_name(None, WEB_SEARCH)
            .is_none()
            .then(|| web_search_function(names));
    }
    options.native_web_search.clone()
}

/// The function standing for the hosted `web_search` tool, run by the gateway.
fn web_search_function(names: &mut ToolNames) -> Value {
    let chat_name = names.insert(OriginalTool {
        namespace: None,
        name: WEB_SEARCH.to_owned(),
        kind: ToolKind::WebSearch,
    });
    json!({"type": "function", "function": {
        "name": chat_name,
        "description": WEB_SEARCH_DESCRIPTION,
        "parameters": {
            "type": "object",
            "properties": {"query": {"type": "string", "description": "The search query."}},
            "required": ["query"],
        },
    }})
}

/// The text of the tool message for a `tool_search_output`: which tools it loaded, by the
/// names the model now calls them.
pub(super) fn tool_search_output_text(item: &Value, names: &ToolNames) -> String {
    let mut loaded = Vec::new();
    for tool in item
        .get("tools")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let ns = tool
            .get("name")
            .and_then(Value::as_str)
            .filter(|_| tool.get("type").and_then(Value::as_str) == Some("namespace"));
        let inner: Vec<&Value> = match ns {
            Some(_) => tool
                .get("tools")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .collect(),
            None => vec![tool],
        };
        for t in inner {
            let Some(name) = t.get("name").and_then(Value::as_str) else {
                continue;
            };
            let chat = names.chat_name(ns, name).unwrap_or(name);
            match t
                .get("description")
                .and_then(Value::as_str)
                .filter(|d| !d.is_empty())
            {
                Some(d) => loaded.push(format!("- {chat}: {d}")),
                None => loaded.push(format!("- {chat}")),
            }
        }
    }
    if loaded.is_empty() {
        return "No matching tools were found.".to_owned();
    }
    format!(
        "These tools are now loaded and can be called:\n{}",
        loaded.join("\n")
    )
}

fn convert_tool(
    tool: &Value,
    namespace: Option<&str>,
    ns_description: Option<&str>,
    names: &mut ToolNames,
    path: &str,
) -> Result<Value, RequestError> {
    let name = str_field(tool, "name", path)?;
    let custom = tool.get("type").and_then(Value::as_str) == Some("custom");
    let kind = if custom {
        ToolKind::Custom
    } else {
        ToolKind::Function
    };
    if namespace.is_none() && names.original(name).is_some() {
        return Err(RequestError::invalid(
            format!("{path}.name"),
            format!("duplicate tool name `{name}`"),
        ));
    }
    let chat_name = names.insert(OriginalTool {
        namespace: namespace.map(str::to_owned),
        name: name.to_owned(),
        kind,
    });
    let mut description = String::new();
    if let Some(d) = ns_description.filter(|d| !d.is_empty()) {
        description.push_str(d);
        description.push_str("\n\n");
    }
    if let Some(d) = tool.get("description").and_then(Value::as_str) {
        description.push_str(d);
    }
    let mut function = Map::new();
    function.insert("name".into(), Value::String(chat_name));
    if custom {
        if let Some(format) = tool.get("format").filter(|f| !f.is_null()) {
            match format.get("type").and_then(Value::as_str) {
                Some("text") | None => {}
                Some("grammar") => {
                    let syntax = format
                        .get("syntax")
                        .and_then(Value::as_str)
                        .unwrap_or("lark");
                    let definition = format
                        .get("definition")
                        .and_then(Value::as_str)
                        .unwrap_or("");
                    if !description.is_empty() {
                        description.push_str("\n\n");
                    }
                    description.push_str(&format!(
                        "The `input` argument is raw text (not JSON) that must match this {syntax} grammar:\n```{syntax}\n{definition}\n```"
                    ));
                }
                Some(other) => {
                    return Err(RequestError::unsupported(
                        format!("{path}.format.type"),
                        format!("custom tool format `{other}`"),
                    ));
                }
            }
        }
        function.insert(
            "parameters".into(),
            json!({
                "type": "object",
                "properties": {"input": {"type": "string", "description": "The raw input of the tool."}},
                "required": ["input"],
                "additionalProperties": false,
            }),
        );
    } else {
        if let Some(p) = tool.get("parameters").filter(|p| !p.is_null()) {
            function.insert("parameters".into(), p.clone());
        }
        if let Some(s) = tool.get("strict").filter(|s| s.is_boolean()) {
            function.insert("strict".into(), s.clone());
        }
    }
    if !description.is_empty() {
        function.insert("description".into(), Value::String(description));
    }
    Ok(json!({"type": "function", "function": Value::Object(function)}))
}

pub(super) fn convert_tool_choice(
    choice: &Value,
    names: &ToolNames,
    has_tools: bool,
) -> Result<Option<Value>, RequestError> {
    match choice {
        Value::String(s) => match s.as_str() {
            "auto" | "none" => Ok(has_tools.then(|| choice.clone())),
            "required" => {
                if has_tools {
                    Ok(Some(choice.clone()))
                } else {
                    Err(RequestError::invalid(
                        "tool_choice",
                        "`required` but no tool a Chat provider can run was sent",
                    ))
                }
            }
            other => Err(RequestError::invalid(
                "tool_choice",
                format!("unknown mode `{other}`"),
            )),
        },
        Value::Object(o) => {
            let kind = o.get("type").and_then(Value::as_str).unwrap_or("");
            match kind {
                "function" | "custom" => {
                    let name = o.get("name").and_then(Value::as_str).ok_or_else(|| {
                        RequestError::Missing {
                            param: "tool_choice.name".into(),
                        }
                    })?;
                    let ns = o.get("namespace").and_then(Value::as_str);
                    let chat = names.chat_name(ns, name).ok_or_else(|| {
                        RequestError::invalid(
                            "tool_choice.name",
                            format!("tool `{name}` is not in `tools`"),
                        )
                    })?;
                    Ok(Some(
                        json!({"type": "function", "function": {"name": chat}}),
                    ))
                }
                "allowed_tools" => {
                    let mode = o.get("mode").and_then(Value::as_str).unwrap_or("auto");
                    let list = o.get("tools").and_then(Value::as_array).ok_or_else(|| {
                        RequestError::Missing {
                            param: "tool_choice.tools".into(),
                        }
                    })?;
                    let mut allowed = Vec::new();
                    for (i, t) in list.iter().enumerate() {
                        let t_kind = t.get("type").and_then(Value::as_str).unwrap_or("");
                        if let Some(chat) = hosted_function(t_kind, names) {
                            allowed.push(json!({"type": "function", "function": {"name": chat}}));
                            continue;
                        }
                        if HOSTED_TOOLS.contains(&t_kind) {
                            continue;
                        }
                        let name = t.get("name").and_then(Value::as_str).ok_or_else(|| {
                            RequestError::Missing {
                                param: format!("tool_choice.tools[{i}].name"),
                            }
                        })?;
                        let ns = t.get("namespace").and_then(Value::as_str);
                        let chat = names.chat_name(ns, name).ok_or_else(|| {
                            RequestError::invalid(
                                format!("tool_choice.tools[{i}].name"),
                                format!("tool `{name}` is not in `tools`"),
                            )
                        })?;
                        allowed.push(json!({"type": "function", "function": {"name": chat}}));
                    }
                    Ok(Some(json!({
                        "type": "allowed_tools",
                        "allowed_tools": {"mode": mode, "tools": allowed},
                    })))
                }
                other => match hosted_function(other, names) {
                    Some(chat) => Ok(Some(
                        json!({"type": "function", "function": {"name": chat}}),
                    )),
                    None => Err(RequestError::unsupported(
                        "tool_choice.type",
                        format!(
                            "cannot force the hosted tool `{other}`: a Chat provider cannot run it"
                        ),
                    )),
                },
            }
        }
        _ => Err(RequestError::invalid(
            "tool_choice",
            "expected a string or an object",
        )),
    }
}

/// The Chat function standing for a hosted tool type, when one was sent (`tool_search` run by
/// the client, `web_search` run by the gateway).
fn hosted_function<'n>(kind: &str, names: &'n ToolNames) -> Option<&'n str> {
    match kind {
        "tool_search" => names.chat_name(None, TOOL_SEARCH),
        k if is_web_search_tool(k) => names.chat_name(None, WEB_SEARCH),
        _ => None,
    }
}
