//! What the gateway says about one model to a client that needs model metadata: Codex CLI's
//! model catalog (`openai-wire codex-config`, [`crate::codex`]).

use serde::{Deserialize, Serialize};

/// The settings of one model, under `providers.<name>.model_info."<model>"` (keyed by the model
/// name clients ask for, as listed in the provider's `models` or `model_map`):
///
/// ```toml
/// [providers.deepseek.model_info."deepseek-chat"]
/// context_window = 131072
/// auto_compact_token_limit = 100000
/// input_modalities = ["text"]
/// reasoning_summaries = false
/// parallel_tool_calls = true
/// tool_search = false
/// ```
///
/// Every setting is optional; the defaults are documented on each field.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelInfo {
    /// The model's context window, in tokens. When absent: the provider's `context_window`,
    /// else [`DEFAULT_CONTEXT_WINDOW`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context_window: Option<u64>,
    /// The input size, in tokens, at which Codex compacts the conversation. When absent, Codex
    /// takes 90% of the context window; Codex also never goes above that.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_compact_token_limit: Option<u64>,
    /// What the model reads besides text: `["text"]` or `["text", "image"]`. When absent:
    /// `["text", "image"]` for a provider of kind `openai`, `["text"]` otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_modalities: Option<Vec<InputModality>>,
    /// Whether Codex asks for reasoning summaries (`reasoning.summary`). When absent: true for
    /// a Responses upstream (`api = "responses"`), which reads the parameter; false for a Chat
    /// upstream, where it has no equivalent (the reasoning a Chat model streams reaches Codex
    /// as a summary either way).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reasoning_summaries: Option<bool>,
    /// Whether the model may call several tools in one turn. True when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parallel_tool_calls: Option<bool>,
    /// Whether Codex may hold MCP and app tools back behind its client-executed `tool_search`
    /// (which the gateway offers the model as a function), so that a request carries only the
    /// tools found so far. False when absent: every tool is offered in every request, which
    /// suits most Chat models; turn it on when many MCP tools crowd the context.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_search: Option<bool>,
}

/// The context window advertised for a model whose provider and `model_info` set none: 128k
/// tokens, the window of most hosted Chat models (DeepSeek, GLM, Qwen, Mistral, most of Groq's).
/// Set the real one: a local server (Ollama's `num_ctx`, vLLM's `--max-model-len`) often has
/// far less.
pub const DEFAULT_CONTEXT_WINDOW: u64 = 128_000;

/// A kind of input a model reads, as Codex's model catalog names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum InputModality {
    /// Text.
    Text,
    /// Images in user messages and tool results.
    Image,
}

impl InputModality {
    /// The name in configuration files and in Codex's catalog (`"text"`, `"image"`).
    pub fn as_str(self) -> &'static str {
        match self {
            InputModality::Text => "text",
            InputModality::Image => "image",
        }
    }
}
