//! Request conversion: a Responses request to a Chat Completions request
//! ([`responses_to_chat`](responses_to_chat::responses_to_chat)) and back
//! ([`chat_to_responses`](chat_to_responses::chat_to_responses)).
//!
//! Both directions work on `serde_json::Value` rather than on the generated request types. A
//! gateway sees requests from many clients, some slightly off the spec (Codex's reasoning items
//! with `content: null`, tools the spec does not list yet, outputs as strings or part arrays),
//! and must turn each into either a forwardable body or a 400 that names the offending path
//! (`input[3].content[1]`). The JSON tree keeps every field, including those this version does
//! not know, and gives those paths for free; the generated structs would either reject such a
//! request as a whole or drop fields silently. Typed callers can pass `serde_json::to_value(&x)`.
//!
//! The mapping tables are in each module's documentation.

pub mod chat_to_responses;
pub mod responses_to_chat;
mod tools;
pub mod validate;

use std::collections::{BTreeMap, HashMap};

pub use chat_to_responses::{ResponsesRequestOptions, chat_to_responses};
pub use responses_to_chat::{
    ChatRequest, ChatRequestOptions, DeveloperRole, MaxTokensField, responses_to_chat,
};
pub use tools::{is_web_search_tool, web_search_offered};

/// A request that cannot be converted. Each becomes an HTTP 400 in OpenAI's error shape
/// ([`RequestError::to_openai_error`]), naming the offending parameter.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RequestError {
    /// A required field is missing.
    #[error("missing required parameter: '{param}'")]
    Missing {
        /// The JSON path of the field, e.g. `model` or `input[2].call_id`.
        param: String,
    },
    /// A field has the wrong type or an impossible value.
    #[error("invalid value for '{param}': {message}")]
    Invalid {
        /// The JSON path of the field.
        param: String,
        /// What is wrong with it.
        message: String,
    },
    /// A field or item is valid in the source API but has no equivalent in the target one.
    #[error("'{param}' cannot be converted: {message}")]
    Unsupported {
        /// The JSON path of the field.
        param: String,
        /// Why, and what to do instead.
        message: String,
    },
}

impl RequestError {
    pub(crate) fn invalid(param: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Invalid {
            param: param.into(),
            message: message.into(),
        }
    }

    pub(crate) fn unsupported(param: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Unsupported {
            param: param.into(),
            message: message.into(),
        }
    }

    /// The JSON path of the offending field.
    pub fn param(&self) -> &str {
        match self {
            Self::Missing { param }
            | Self::Invalid { param, .. }
            | Self::Unsupported { param, .. } => param,
        }
    }

    /// OpenAI's error code for this error: `missing_required_parameter`, `invalid_value` or
    /// `unsupported_parameter`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Missing { .. } => "missing_required_parameter",
            Self::Invalid { .. } => "invalid_value",
            Self::Unsupported { .. } => "unsupported_parameter",
        }
    }

    /// The HTTP status: always 400.
    pub fn status(&self) -> u16 {
        400
    }

    /// The body of the HTTP answer, in OpenAI's error shape:
    /// `{"error": {"message", "type": "invalid_request_error", "param", "code"}}`.
    pub fn to_openai_error(&self) -> serde_json::Value {
        serde_json::json!({
            "error": {
                "message": self.to_string(),
                "type": "invalid_request_error",
                "param": self.param(),
                "code": self.code(),
            }
        })
    }
}

/// What kind of Responses tool a Chat function stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ToolKind {
    /// A Responses `function` tool: the Chat call's `arguments` are its arguments.
    Function,
    /// A Responses `custom` tool, sent to Chat as a function with one string parameter,
    /// `input`: the Chat call's `arguments` are `{"input": "..."}`, and the Responses item is a
    /// `custom_tool_call` whose `input` is that string.
    Custom,
    /// A client-executed `tool_search` tool, sent as a function with the tool's parameters:
    /// the Responses item is a `tool_search_call` whose `arguments` are the call's (parsed).
    ToolSearch,
    /// The hosted `web_search` tool, run by the gateway (a search backend is configured): the
    /// call never reaches the client as a call; the gateway runs the search, shows a
    /// `web_search_call` item and gives the results back to the model.
    WebSearch,
}

/// The Responses tool behind a Chat function name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OriginalTool {
    /// The namespace, for a tool that came inside a `namespace` tool.
    pub namespace: Option<String>,
    /// The tool's own name (without the namespace).
    pub name: String,
    /// Function or custom.
    pub kind: ToolKind,
}

/// The map between the function names sent to a Chat provider and the Responses tools they
/// stand for. Namespace tools are flattened to `{namespace}__{name}` (shortened with a hash
/// when longer than 64 characters, made unique when two would collide); the map, not the
/// string, is the reference, so every flattened name maps back exactly.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ToolNames {
    by_chat: BTreeMap<String, OriginalTool>,
    by_original: HashMap<(Option<String>, String), String>,
}

/// The longest function name OpenAI-compatible providers accept.
const MAX_NAME: usize = 64;

impl ToolNames {
    /// An empty map (no tools).
    pub fn new() -> Self {
        Self::default()
    }

    /// The Responses tool behind a Chat function name, or `None` for a name that was not sent.
    pub fn original(&self, chat_name: &str) -> Option<&OriginalTool> {
        self.by_chat.get(chat_name)
    }

    /// The Chat function name for a Responses tool (`namespace` is `None` for a top-level tool).
    pub fn chat_name(&self, namespace: Option<&str>, name: &str) -> Option<&str> {
        self.by_original
            .get(&(namespace.map(str::to_owned), name.to_owned()))
            .map(String::as_str)
    }

    /// Every Chat function name with its Responses tool, in name order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &OriginalTool)> {
        self.by_chat.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// Whether no tool was sent.
    pub fn is_empty(&self) -> bool {
        self.by_chat.is_empty()
    }

    /// Registers a tool and returns its Chat name. A tool already registered keeps its name.
    pub fn insert(&mut self, tool: OriginalTool) -> String {
        let key = (tool.namespace.clone(), tool.name.clone());
        if let Some(existing) = self.by_original.get(&key) {
            return existing.clone();
        }
        let base = match &tool.namespace {
            Some(ns) => shorten(&format!("{ns}__{}", tool.name)),
            None => tool.name.clone(),
        };
        let mut chat = base.clone();
        let mut n = 2u32;
        while self.by_chat.contains_key(&chat) {
            let suffix = format!("_{n}");
            let keep = floor_char_boundary(&base, MAX_NAME.saturating_sub(suffix.len()));
            chat = format!("{}{suffix}", &base[..keep]);
            n += 1;
        }
        self.by_chat.insert(chat.clone(), tool);
        self.by_original.insert(key, chat.clone());
        chat
    }
}

/// Names longer than [`MAX_NAME`] keep a prefix and get an 8-hex-digit FNV-1a hash of the whole.
pub(crate) fn shorten(name: &str) -> String {
    if name.len() <= MAX_NAME {
        return name.to_owned();
    }
    let mut hash: u32 = 0x811c_9dc5;
    for b in name.bytes() {
        hash ^= u32::from(b);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    let keep = floor_char_boundary(name, MAX_NAME - 9);
    format!("{}_{hash:08x}", &name[..keep])
}

fn floor_char_boundary(s: &str, at: usize) -> usize {
    let mut at = at.min(s.len());
    while !s.is_char_boundary(at) {
        at -= 1;
    }
    at
}
