//! Providers: [`ProviderConfig`], what kind each is ([`ProviderKind`]) and the request settings
//! its kind presets ([`RequestSettings`]); routes ([`Route`]).

use std::collections::BTreeMap;
use std::time::Duration;

use openai_wire_convert::envelope::ReasoningField;
use openai_wire_convert::quirks::{Quirk, Quirks};
use openai_wire_convert::request::{DeveloperRole, MaxTokensField};
use serde::{Deserialize, Serialize};

/// Which API an upstream speaks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UpstreamApi {
    /// Chat Completions (`POST {base_url}/chat/completions`): the usual case.
    #[default]
    Chat,
    /// The Responses API (`POST {base_url}/responses`): requests are forwarded as they are, and
    /// `/v1/chat/completions` is converted for it.
    Responses,
}

/// What kind of server a provider is: it picks the presets of its [`RequestSettings`] and the
/// provider name its stream [quirks](openai_wire_convert::quirks) are looked up by. When a
/// provider's `kind` is not set, it is guessed from the provider's name, its `quirks` name and
/// its URL's host ([`ProviderKind::guess`]).
///
/// | kind | `developer` role sent as | `max_output_tokens` sent as | reasoning sent back in | only the current turn's | `reasoning_effort` |
/// | --- | --- | --- | --- | --- | --- |
/// | `openai` | `developer` | `max_completion_tokens` | — | — | sent |
/// | `deepseek` | `system` | `max_tokens` | `reasoning_content` | yes | not sent |
/// | `kimi`, `glm` | `system` | `max_tokens` | `reasoning_content` | no | not sent |
/// | `groq`, `openrouter`, `xai` | `system` | `max_tokens` | — | — | sent |
///
/// The `openrouter` kind also turns a client's `web_search` tool into OpenRouter's own server
/// tool, `{"type": "openrouter:web_search"}`, when the gateway has no `[web_search]` backend
/// (`native_web_search`).
/// | `qwen`, `mistral`, `ollama` | `system` | `max_tokens` | — | — | not sent |
/// | `vllm`, `generic` | `system` | `max_tokens` | the field it was streamed in | no | not sent |
///
/// "The field it was streamed in": a self-hosted server (vLLM, SGLang) at an address that names
/// no model may serve DeepSeek, Kimi, GLM or Qwen, which stream reasoning in
/// `reasoning_content` (or `reasoning`) and need it back on the next turn (DeepSeek's thinking
/// mode answers 400 otherwise). The gateway records the field in the reasoning item's envelope
/// and sends the reasoning back in it; assistant messages with tool calls then carry the field,
/// empty when they had no reasoning. `reasoning_round_trip = "none"` turns this off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProviderKind {
    /// OpenAI itself (`api.openai.com`).
    #[serde(rename = "openai")]
    OpenAi,
    /// DeepSeek: wants the current turn's `reasoning_content` back in thinking mode.
    #[serde(rename = "deepseek")]
    DeepSeek,
    /// Kimi (Moonshot): wants `reasoning_content` back.
    Kimi,
    /// GLM (Zhipu, Z.ai): wants `reasoning_content` back ("preserved thinking").
    Glm,
    /// Groq: reads `reasoning_effort`.
    Groq,
    /// OpenRouter: reads `reasoning_effort`.
    #[serde(rename = "openrouter")]
    OpenRouter,
    /// xAI (Grok): reads `reasoning_effort`.
    Xai,
    /// Qwen (DashScope).
    Qwen,
    /// Mistral.
    Mistral,
    /// Ollama's OpenAI-compatible endpoint.
    Ollama,
    /// vLLM's OpenAI-compatible server.
    Vllm,
    /// Any other OpenAI-compatible Chat server: the settings most of them accept.
    Generic,
}

impl ProviderKind {
    /// The kind's name in configuration files (`"deepseek"`).
    pub fn as_str(self) -> &'static str {
        match self {
            ProviderKind::OpenAi => "openai",
            ProviderKind::DeepSeek => "deepseek",
            ProviderKind::Kimi => "kimi",
            ProviderKind::Glm => "glm",
            ProviderKind::Groq => "groq",
            ProviderKind::OpenRouter => "openrouter",
            ProviderKind::Xai => "xai",
            ProviderKind::Qwen => "qwen",
            ProviderKind::Mistral => "mistral",
            ProviderKind::Ollama => "ollama",
            ProviderKind::Vllm => "vllm",
            ProviderKind::Generic => "generic",
        }
    }

    /// The kind a provider most likely is, from any text that names it (its name, its `quirks`
    /// name, its URL): `deepseek`, `kimi`/`moonshot`, `glm`/`zhipu`/`z.ai`, `groq`,
    /// `openrouter`, `x.ai`/`xai`/`grok`, `openai.com`, `qwen`/`dashscope`, `mistral`,
    /// `ollama`, `vllm`, in that order; otherwise [`ProviderKind::Generic`].
    ///
    /// ```
    /// use openai_wire_gateway::ProviderKind;
    ///
    /// assert_eq!(ProviderKind::guess("upstream api.deepseek.com"), ProviderKind::DeepSeek);
    /// assert_eq!(ProviderKind::guess("groq api.groq.com"), ProviderKind::Groq);
    /// assert_eq!(ProviderKind::guess("local 127.0.0.1:8000"), ProviderKind::Generic);
    /// ```
    pub fn guess(text: &str) -> ProviderKind {
        let who = text.to_ascii_lowercase();
        let is = |needles: &[&str]| needles.iter().any(|n| who.contains(n));
        if is(&["deepseek"]) {
            ProviderKind::DeepSeek
        } else if is(&["kimi", "moonshot"]) {
            ProviderKind::Kimi
        } else if is(&["glm", "zhipu", "z.ai"]) {
            ProviderKind::Glm
        } else if is(&["groq"]) {
            ProviderKind::Groq
        } else if is(&["openrouter"]) {
            ProviderKind::OpenRouter
        } else if is(&["x.ai", "xai", "grok"]) {
            ProviderKind::Xai
        } else if is(&["openai.com"]) {
            ProviderKind::OpenAi
        } else if is(&["qwen", "dashscope"]) {
            ProviderKind::Qwen
        } else if is(&["mistral"]) {
            ProviderKind::Mistral
        } else if is(&["ollama"]) {
            ProviderKind::Ollama
        } else if is(&["vllm"]) {
            ProviderKind::Vllm
        } else {
            ProviderKind::Generic
        }
    }

    /// The request settings this kind starts from (the table in the [type docs](ProviderKind)).
    pub fn preset(self) -> RequestSettings {
        let generic = RequestSettings {
            developer_role: DeveloperRole::System,
            max_tokens_field: MaxTokensField::MaxTokens,
            reasoning_round_trip: None,
            reasoning_as_streamed: false,
            reasoning_current_turn_only: false,
            send_reasoning_effort: false,
            native_web_search: false,
        };
        match self {
            ProviderKind::OpenAi => RequestSettings {
                developer_role: DeveloperRole::Developer,
                max_tokens_field: MaxTokensField::MaxCompletionTokens,
                send_reasoning_effort: true,
                ..generic
            },
            ProviderKind::DeepSeek => RequestSettings {
                reasoning_round_trip: Some(ReasoningField::ReasoningContent),
                reasoning_current_turn_only: true,
                ..generic
            },
            ProviderKind::Kimi | ProviderKind::Glm => RequestSettings {
                reasoning_round_trip: Some(ReasoningField::ReasoningContent),
                ..generic
            },
            ProviderKind::OpenRouter => RequestSettings {
                send_reasoning_effort: true,
                native_web_search: true,
                ..generic
            },
            ProviderKind::Groq | ProviderKind::Xai => RequestSettings {
                send_reasoning_effort: true,
                ..generic
            },
            ProviderKind::Vllm | ProviderKind::Generic => RequestSettings {
                reasoning_as_streamed: true,
                ..generic
            },
            ProviderKind::Qwen | ProviderKind::Mistral | ProviderKind::Ollama => generic,
        }
    }
}

/// Which field a provider wants its reasoning back in, on the next turn, in configuration
/// files: `"reasoning_content"`, `"reasoning"`, `"as_streamed"` (the field the upstream
/// streamed it in) or `"none"` (reasoning items are dropped).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReasoningRoundTrip {
    /// `reasoning_content` on assistant messages (DeepSeek, Kimi, GLM).
    ReasoningContent,
    /// `reasoning` on assistant messages (OpenRouter, Ollama, some vLLM versions).
    Reasoning,
    /// The field the upstream streamed it in (the `vllm` and `generic` kinds' preset).
    AsStreamed,
    /// Not sent back.
    None,
}

impl ReasoningRoundTrip {
    /// The Chat field, `None` for [`ReasoningRoundTrip::None`].
    pub fn field(self) -> Option<ReasoningField> {
        match self {
            ReasoningRoundTrip::ReasoningContent => Some(ReasoningField::ReasoningContent),
            ReasoningRoundTrip::Reasoning => Some(ReasoningField::Reasoning),
            ReasoningRoundTrip::AsStreamed | ReasoningRoundTrip::None => None,
        }
    }
}

/// How Chat requests are built for one provider: the preset of its [`ProviderKind`], with the
/// provider's own settings on top ([`ProviderConfig::request_settings`]).
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

/// One upstream provider.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderConfig {
    /// The base URL, up to and including the version segment (`https://api.groq.com/openai/v1`).
    pub base_url: String,
    /// The environment variable that holds the API key (sent as `Authorization: Bearer`). No
    /// key is sent when absent or when the variable is unset (Ollama, vLLM).
    #[serde(default)]
    pub api_key_env: Option<String>,
    /// Which API the upstream speaks.
    #[serde(default)]
    pub api: UpstreamApi,
    /// Model names the provider serves, listed by `GET /v1/models` and used for routing.
    #[serde(default)]
    pub models: Vec<String>,
    /// Client model name → upstream model name (e.g. `"gpt-5" = "deepseek-chat"`). Names not in
    /// the map are sent unchanged.
    #[serde(default)]
    pub model_map: BTreeMap<String, String>,
    /// What kind of server it is: picks the presets of the request settings below and of the
    /// stream quirks ([`ProviderKind`]). Guessed from the name, `quirks` and host when absent.
    #[serde(default)]
    pub kind: Option<ProviderKind>,
    /// What the `developer` role is sent as (`"developer"` or `"system"`); the kind's preset
    /// when absent.
    #[serde(default)]
    pub developer_role: Option<DeveloperRole>,
    /// Which field carries `max_output_tokens` (`"max_completion_tokens"` or `"max_tokens"`);
    /// the kind's preset when absent.
    #[serde(default)]
    pub max_tokens_field: Option<MaxTokensField>,
    /// The field the provider wants its reasoning back in on the next turn
    /// (`"reasoning_content"`, `"reasoning"`, `"as_streamed"` or `"none"`); the kind's preset
    /// when absent.
    #[serde(default)]
    pub reasoning_round_trip: Option<ReasoningRoundTrip>,
    /// Whether only the current turn's reasoning is sent back (DeepSeek documents this); the
    /// kind's preset when absent.
    #[serde(default)]
    pub reasoning_current_turn_only: Option<bool>,
    /// Whether `reasoning.effort` is sent as `reasoning_effort` (providers that do not know the
    /// field may reject the request); the kind's preset when absent.
    #[serde(default)]
    pub send_reasoning_effort: Option<bool>,
    /// Whether a client's `web_search` tool becomes the provider's own web search when the
    /// gateway has no `[web_search]` backend: OpenRouter's server tool
    /// `{"type": "openrouter:web_search"}` (the `openrouter` kind's preset). The gateway's own
    /// backend, when configured, is used instead.
    #[serde(default)]
    pub native_web_search: Option<bool>,
    /// The provider name whose row of the quirk table the stream converter applies
    /// (`openai_wire_convert::quirks`). Defaults to the `kind` when set, else the provider's
    /// own name and host.
    #[serde(default)]
    pub quirks: Option<String>,
    /// Quirks applied on top, by name (`"think_tags_in_content"`, `"missing_finish_reason"`,
    /// `"cumulative_tool_arguments"`, …; see `openai_wire_convert::quirks::QUIRKS`).
    #[serde(default)]
    pub extra_quirks: Vec<String>,
    /// Extra headers sent with every upstream request.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// How long to wait for the TCP/TLS connection, in seconds.
    #[serde(default = "default_connect_timeout")]
    pub connect_timeout_secs: u64,
    /// How long the upstream may stay silent (no byte) before the request fails, in seconds.
    #[serde(default = "default_idle_timeout")]
    pub idle_timeout_secs: u64,
    /// The context window of the provider's models, in tokens, for those whose `model_info`
    /// sets none; [`DEFAULT_CONTEXT_WINDOW`](super::DEFAULT_CONTEXT_WINDOW) when absent. Codex
    /// learns it from the model catalog `openai-wire codex-config` writes.
    #[serde(default)]
    pub context_window: Option<u64>,
    /// Per-model settings, keyed by the model name clients ask for (one listed in `models` or
    /// `model_map`): context window, auto-compaction limit, input modalities, reasoning
    /// summaries, parallel tool calls, tool search ([`ModelInfo`](super::ModelInfo)).
    /// `openai-wire codex-config` writes them into Codex's model catalog.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub model_info: BTreeMap<String, super::ModelInfo>,
    /// The prompt of the summary request the gateway sends to compact a conversation
    /// (`POST /v1/responses/compact`, or a `compaction_trigger` input item) for a Chat
    /// provider; `openai_wire_convert::compaction::DEFAULT_PROMPT` when absent.
    #[serde(default)]
    pub compaction_prompt: Option<String>,
}

fn default_connect_timeout() -> u64 {
    10
}

fn default_idle_timeout() -> u64 {
    300
}

impl ProviderConfig {
    /// A provider at `base_url` with defaults for everything else.
    pub fn new(base_url: impl Into<String>) -> Self {
        ProviderConfig {
            base_url: base_url.into(),
            api_key_env: None,
            api: UpstreamApi::Chat,
            models: Vec::new(),
            model_map: BTreeMap::new(),
            kind: None,
            developer_role: None,
            max_tokens_field: None,
            reasoning_round_trip: None,
            reasoning_current_turn_only: None,
            send_reasoning_effort: None,
            native_web_search: None,
            quirks: None,
            extra_quirks: Vec::new(),
            headers: BTreeMap::new(),
            connect_timeout_secs: default_connect_timeout(),
            idle_timeout_secs: default_idle_timeout(),
            context_window: None,
            model_info: BTreeMap::new(),
            compaction_prompt: None,
        }
    }

    /// The connect timeout.
    pub fn connect_timeout(&self) -> Duration {
        Duration::from_secs(self.connect_timeout_secs.max(1))
    }

    /// The idle (read) timeout.
    pub fn idle_timeout(&self) -> Duration {
        Duration::from_millis(self.idle_timeout_secs.saturating_mul(1000).max(1))
    }

    /// The model name to send upstream for a client's model name.
    pub fn upstream_model<'a>(&'a self, model: &'a str) -> &'a str {
        self.model_map
            .get(model)
            .map(String::as_str)
            .unwrap_or(model)
    }

    /// Whether this provider names `model` (in `models` or as a key of `model_map`).
    pub fn serves(&self, model: &str) -> bool {
        self.models.iter().any(|m| m == model) || self.model_map.contains_key(model)
    }

    /// The provider's kind: `kind` when set, else guessed ([`ProviderKind::guess`]) from
    /// `quirks` (or, when absent, `name`, the provider's name in the config) and the URL's host.
    pub fn kind(&self, name: &str) -> ProviderKind {
        self.kind.unwrap_or_else(|| {
            let host = host_of(&self.base_url);
            ProviderKind::guess(&match &self.quirks {
                Some(quirks) => format!("{quirks} {host}"),
                None => format!("{name} {host}"),
            })
        })
    }

    /// How Chat requests are built for this provider (called `name` in the config): its kind's
    /// preset with the settings given here on top.
    ///
    /// ```
    /// use openai_wire_convert::request::{DeveloperRole, MaxTokensField};
    /// use openai_wire_gateway::{ProviderConfig, ProviderKind};
    ///
    /// let mut provider = ProviderConfig::new("https://example.com/v1");
    /// provider.kind = Some(ProviderKind::DeepSeek);
    /// provider.developer_role = Some(DeveloperRole::Developer);
    /// let settings = provider.request_settings("mine");
    /// assert_eq!(settings.developer_role, DeveloperRole::Developer); // given
    /// assert_eq!(settings.max_tokens_field, MaxTokensField::MaxTokens); // DeepSeek's preset
    /// assert!(settings.reasoning_round_trip.is_some());
    /// ```
    pub fn request_settings(&self, name: &str) -> RequestSettings {
        let preset = self.kind(name).preset();
        RequestSettings {
            developer_role: self.developer_role.unwrap_or(preset.developer_role),
            max_tokens_field: self.max_tokens_field.unwrap_or(preset.max_tokens_field),
            reasoning_round_trip: match self.reasoning_round_trip {
                Some(setting) => setting.field(),
                None => preset.reasoning_round_trip,
            },
            reasoning_as_streamed: match self.reasoning_round_trip {
                Some(setting) => setting == ReasoningRoundTrip::AsStreamed,
                None => preset.reasoning_as_streamed,
            },
            reasoning_current_turn_only: self
                .reasoning_current_turn_only
                .unwrap_or(preset.reasoning_current_turn_only),
            send_reasoning_effort: self
                .send_reasoning_effort
                .unwrap_or(preset.send_reasoning_effort),
            native_web_search: self.native_web_search.unwrap_or(preset.native_web_search),
        }
    }

    /// The name the provider's quirks are looked up by: `quirks` when set, else the `kind`
    /// when set, else the provider's name and host.
    pub fn quirks_name(&self, name: &str) -> String {
        match (&self.quirks, self.kind) {
            (Some(quirks), _) => quirks.clone(),
            (None, Some(kind)) if kind != ProviderKind::Generic => kind.as_str().to_owned(),
            _ => format!("{name} {}", host_of(&self.base_url)),
        }
    }

    /// The stream quirks the converter applies for this provider: the quirk table's rows for
    /// [`quirks_name`](Self::quirks_name), plus `extra_quirks` (unknown names are refused by
    /// [`Config::validate`](super::Config::validate)).
    pub fn stream_quirks(&self, name: &str) -> Quirks {
        let mut quirks = Quirks::for_provider(&self.quirks_name(name));
        for extra in &self.extra_quirks {
            if let Some(quirk) = Quirk::from_name(extra) {
                quirks.insert(quirk);
            }
        }
        quirks
    }

    /// The API key, read from the environment now.
    pub fn api_key(&self) -> Option<String> {
        let var = self.api_key_env.as_deref()?;
        std::env::var(var).ok().filter(|v| !v.is_empty())
    }
}

/// A routing rule: requests that match go to `provider`. Rules are tried in order; a rule with
/// several conditions needs all of them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Route {
    /// The provider's name (a key of `providers`).
    pub provider: String,
    /// A model name, exact or with a trailing `*` (`"deepseek-*"`).
    #[serde(default)]
    pub model: Option<String>,
    /// A path prefix (`"/groq"`): `/groq/v1/responses` goes to the provider as `/v1/responses`.
    #[serde(default)]
    pub path_prefix: Option<String>,
    /// A request header that must be present (`"x-provider"`)…
    #[serde(default)]
    pub header: Option<String>,
    /// …with this value (any value when absent).
    #[serde(default)]
    pub value: Option<String>,
}

impl Route {
    /// Whether `model` matches this rule's model pattern (true when the rule has none).
    pub fn matches_model(&self, model: &str) -> bool {
        match self.model.as_deref() {
            None => true,
            Some(pattern) => match pattern.strip_suffix('*') {
                Some(prefix) => model.starts_with(prefix),
                None => pattern == model,
            },
        }
    }
}

/// The host part of a URL (`https://api.deepseek.com/v1` → `api.deepseek.com`).
pub(crate) fn host_of(url: &str) -> &str {
    let rest = url.split_once("://").map(|(_, r)| r).unwrap_or(url);
    rest.split(['/', '?', '#']).next().unwrap_or(rest)
}
