//! Providers: [`ProviderConfig`] and routes ([`Route`]). What a provider's `kind` means (its
//! names, request presets and stream quirks) lives in one place,
//! [`openai_wire_convert::provider`].

use std::collections::BTreeMap;
use std::time::Duration;

use openai_wire_convert::provider::{
    ProviderKind, Quirk, Quirks, ReasoningRoundTrip, RequestSettings,
};
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
    /// stream quirks ([`ProviderKind`]; `"deepseek"`, `"vllm"`, …). Guessed from the name and
    /// host when absent.
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
    /// The kind whose stream quirks apply, when it differs from `kind` (an OpenRouter
    /// provider relaying Kimi: `kind = "openrouter"`, `quirks = "kimi"`); the kind when absent.
    #[serde(default)]
    pub quirks: Option<ProviderKind>,
    /// Quirks applied on top, by name (`"think_tags_in_content"`, `"missing_finish_reason"`,
    /// `"cumulative_tool_arguments"`, …; see `openai_wire_convert::quirks::QUIRKS`).
    #[serde(default)]
    pub extra_quirks: Vec<String>,
    /// Quirks of the kind's preset turned off, by name (`["think_tags_in_content"]` for a
    /// vLLM whose model may start an answer with a literal `<think>`).
    #[serde(default)]
    pub disable_quirks: Vec<String>,
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
            disable_quirks: Vec::new(),
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
    /// `name` (the provider's name in the config) and the URL's host.
    pub fn kind(&self, name: &str) -> ProviderKind {
        self.kind
            .unwrap_or_else(|| ProviderKind::guess(&format!("{name} {}", host_of(&self.base_url))))
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

    /// The stream quirks the converter applies for this provider: the preset of `quirks` (or
    /// of its [kind](Self::kind)), plus `extra_quirks`, minus `disable_quirks` (unknown names
    /// are refused by [`Config::validate`](super::Config::validate)).
    pub fn stream_quirks(&self, name: &str) -> Quirks {
        let mut quirks = Quirks::for_kind(self.quirks.unwrap_or_else(|| self.kind(name)));
        for extra in &self.extra_quirks {
            if let Some(quirk) = Quirk::from_name(extra) {
                quirks.insert(quirk);
            }
        }
        for disabled in &self.disable_quirks {
            if let Some(quirk) = Quirk::from_name(disabled) {
                quirks.remove(quirk);
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
