//! [`RequestSettings`]: how Chat requests are built for a kind of provider, and each kind's
//! preset ([`ProviderKind::preset`]).

use serde::{Deserialize, Serialize};

use super::ProviderKind;
use crate::envelope::ReasoningField;
use crate::request::{DeveloperRole, MaxTokensField};

/// Which field a provider wants its reasoning back in, on the next turn, as configuration files
/// say it: `"reasoning_content"`, `"reasoning"`, `"as_streamed"` (the field the upstream
/// streamed it in) or `"none"` (reasoning items are dropped).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReasoningRoundTrip {
    /// `reasoning_content` on assistant messages (DeepSeek, Kimi, GLM).
    ReasoningContent,
    /// `reasoning` on assistant messages (OpenRouter, Ollama, some vLLM versions).
    Reasoning,
    /// The field the upstream streamed it in (the self-hosted kinds' preset).
    AsStreamed,
    /// Not sent back.
    None,
}

impl ReasoningRoundTrip {
    /// The Chat field, `None` for [`ReasoningRoundTrip::None`] and
    /// [`ReasoningRoundTrip::AsStreamed`].
    pub fn field(self) -> Option<ReasoningField> {
        match self {
            ReasoningRoundTrip::ReasoningContent => Some(ReasoningField::ReasoningContent),
            ReasoningRoundTrip::Reasoning => Some(ReasoningField::Reasoning),
            ReasoningRoundTrip::AsStreamed | ReasoningRoundTrip::None => None,
        }
    }
}

/// How Chat requests are built for one provider: its kind's [preset](ProviderKind::preset),
/// with the provider's own settings on top.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestSettings {
    /// What the `developer` role is sent as.
    pub developer_role: DeveloperRole,
    /// Which field carries `max_output_tokens`.
    pub max_tokens_field: MaxTokensField,
    /// The field the provider wants its reasoning back in (`None`: see
    /// `reasoning_as_streamed`).
    pub reasoning_round_trip: Option<ReasoningField>,
    /// With no `reasoning_round_trip`: send reasoning back in the field it was streamed in
    /// (`false`: reasoning items are dropped).
    pub reasoning_as_streamed: bool,
    /// Send reasoning back only for the current turn (after the last user message).
    pub reasoning_current_turn_only: bool,
    /// Whether `reasoning.effort` is sent as `reasoning_effort`.
    pub send_reasoning_effort: bool,
    /// Whether a client's `web_search` tool becomes the provider's own web search tool when the
    /// gateway has no search backend (OpenRouter's server tool `openrouter:web_search`).
    pub native_web_search: bool,
}

/// The settings most OpenAI-compatible servers accept: `system` for `developer`,
/// `max_tokens`, no reasoning sent back, no `reasoning_effort`.
const COMMON: RequestSettings = RequestSettings {
    developer_role: DeveloperRole::System,
    max_tokens_field: MaxTokensField::MaxTokens,
    reasoning_round_trip: None,
    reasoning_as_streamed: false,
    reasoning_current_turn_only: false,
    send_reasoning_effort: false,
    native_web_search: false,
};

impl ProviderKind {
    /// The request settings this kind starts from (the table in the [module docs](super)).
    ///
    /// "Reasoning sent back in the field it was streamed in" is the self-hosted kinds' preset:
    /// a server (vLLM, SGLang, llama.cpp) at an address that names no model may serve DeepSeek,
    /// Kimi, GLM or Qwen, which stream reasoning in `reasoning_content` (or `reasoning`) and
    /// need it back on the next turn (DeepSeek's thinking mode answers 400 otherwise).
    pub fn preset(self) -> RequestSettings {
        match self {
            ProviderKind::OpenAi | ProviderKind::Azure => RequestSettings {
                developer_role: DeveloperRole::Developer,
                max_tokens_field: MaxTokensField::MaxCompletionTokens,
                send_reasoning_effort: true,
                ..COMMON
            },
            ProviderKind::DeepSeek => RequestSettings {
                reasoning_round_trip: Some(ReasoningField::ReasoningContent),
                reasoning_current_turn_only: true,
                ..COMMON
            },
            ProviderKind::Kimi | ProviderKind::Glm => RequestSettings {
                reasoning_round_trip: Some(ReasoningField::ReasoningContent),
                ..COMMON
            },
            ProviderKind::OpenRouter => RequestSettings {
                send_reasoning_effort: true,
                native_web_search: true,
                ..COMMON
            },
            ProviderKind::Groq | ProviderKind::Xai => RequestSettings {
                send_reasoning_effort: true,
                ..COMMON
            },
            ProviderKind::Vllm
            | ProviderKind::LlamaCpp
            | ProviderKind::GpuStack
            | ProviderKind::Generic => RequestSettings {
                reasoning_as_streamed: true,
                ..COMMON
            },
            ProviderKind::Qwen
            | ProviderKind::Mistral
            | ProviderKind::Ollama
            | ProviderKind::Perplexity
            | ProviderKind::Cerebras
            | ProviderKind::Together
            | ProviderKind::HuggingFace
            | ProviderKind::Writer => COMMON,
        }
    }
}
