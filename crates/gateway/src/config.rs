//! The gateway's configuration: one TOML file, environment overrides, and the no-file case.
//!
//! The file format is documented, entry by entry, in `config/example.toml` at the repository
//! root. In short:
//!
//! ```toml
//! listen = "127.0.0.1:8787"
//! store = "sqlite"             # "sqlite", "sqlite:///path/to.db", "postgres://…", "memory"
//! heartbeat_secs = 15
//! client_api_keys_env = "OPENAI_WIRE_CLIENT_KEYS"
//!
//! [providers.deepseek]
//! kind = "deepseek"            # request settings and stream quirks preset (see ProviderKind)
//! base_url = "https://api.deepseek.com/v1"
//! api_key_env = "DEEPSEEK_API_KEY"
//! models = ["deepseek-chat", "deepseek-reasoner"]
//! model_map = { "gpt-5" = "deepseek-chat" }
//! # any preset setting can be overridden:
//! # developer_role = "system"              # or "developer"
//! # max_tokens_field = "max_tokens"        # or "max_completion_tokens"
//! # reasoning_round_trip = "reasoning_content"   # or "reasoning", "none"
//! # reasoning_current_turn_only = true
//! # send_reasoning_effort = false
//! # extra_quirks = ["missing_finish_reason"]
//! # compaction_prompt = "Summarize the conversation so far for the assistant."
//!
//! [[routes]]
//! model = "deepseek-*"
//! provider = "deepseek"
//! ```
//!
//! Environment overrides (applied by [`Config::apply_env`], after the file):
//!
//! | variable | overrides |
//! | --- | --- |
//! | `OPENAI_WIRE_LISTEN` | `listen` |
//! | `OPENAI_WIRE_STORE` | `store` |
//! | `OPENAI_WIRE_HEARTBEAT_SECS` | `heartbeat_secs` |
//! | `OPENAI_WIRE_DEFAULT_PROVIDER` | `default_provider` |
//! | `OPENAI_WIRE_CLIENT_API_KEYS` | `client_api_keys` (comma-separated) |
//! | `OPENAI_WIRE_CLIENT_HEADER_TIMEOUT_SECS` | `client_header_timeout_secs` |
//! | `OPENAI_WIRE_MAX_CONNECTIONS` | `max_connections` |
//! | `OPENAI_WIRE_MAX_REPLAY_BYTES` | `max_replay_bytes` |
//! | `OPENAI_WIRE_MAX_RESPONSE_BYTES` | `max_response_bytes` |
//! | `OPENAI_WIRE_MAX_RESPONSE_SECS` | `max_response_secs` |
//! | `OPENAI_WIRE_RETENTION_DAYS` | `retention_days` |
//! | `OPENAI_WIRE_WEBSOCKET_LIFETIME_SECS` | `websocket_lifetime_secs` |
//! | `OPENAI_WIRE_WEBSOCKET_MAX_MESSAGE_BYTES` | `websocket_max_message_bytes` |
//! | `OPENAI_WIRE_WEBSOCKET_MAX_CACHED_BYTES` | `websocket_max_cached_bytes` |
//! | `OPENAI_WIRE_PROVIDER_<NAME>_<FIELD>` | `providers.<name>.<field>`, any field |
//!
//! `<NAME>` is the provider's name in upper case with `-` and `.` as `_`; a name that is not in
//! the file adds a provider (called `<name>`, lower case), which then needs a `_BASE_URL`.
//! `<FIELD>` is one of [`PROVIDER_ENV_FIELDS`]. Lists are comma-separated
//! (`OPENAI_WIRE_PROVIDER_DEEPSEEK_MODELS=deepseek-chat,deepseek-reasoner`), maps are
//! comma-separated `key=value` pairs (`..._MODEL_MAP=gpt-5=deepseek-chat`), and a wrong field
//! or value is an error that names the variable.
//!
//! # Client authentication
//!
//! Clients authenticate with one of the client keys, as `Authorization: Bearer KEY` (the scheme
//! in any case) or `x-api-key: KEY`. The keys come from `client_api_keys` (a list in the file),
//! `client_api_keys_env` (the name of a variable holding comma-separated keys, read when the
//! file is read) and `OPENAI_WIRE_CLIENT_API_KEYS` (comma-separated; replaces the others).
//!
//! - **No key setting at all: no client authentication.** That is the default, for a gateway
//!   on the loopback interface; say so by leaving all three unset.
//! - **Any key setting that yields no usable key is an error at start**, never "no auth":
//!   `client_api_keys = []` or holding an empty (or blank) string, `client_api_keys_env`
//!   naming a variable that is unset or holds no key, `OPENAI_WIRE_CLIENT_API_KEYS=""` or
//!   `" , "`. Keys are trimmed; empty items between commas are skipped.
//! - An empty presented key never matches.
//!
//! # Client connections
//!
//! | setting | default | what it bounds |
//! | --- | --- | --- |
//! | `client_header_timeout_secs` | 30 | a connection must deliver a complete request head this long after it opens or after its previous response ended; else it is closed. This covers silent connections, half-sent headers and idle keep-alive connections (HTTP/1.1; an HTTP/2 connection is pinged at this interval and closed when the ping is not answered). Zero: no timeout |
//! | `max_connections` | 4096 | connections served at once (WebSocket connections included); one more is answered `503` `server_is_overloaded` in OpenAI's error JSON and closed. Lowered at start to what the process's file-descriptor limit allows (the soft limit is first raised to the hard one) |

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use openai_wire_convert::envelope::ReasoningField;
use openai_wire_convert::quirks::{Quirk, Quirks};
use openai_wire_convert::request::{DeveloperRole, MaxTokensField};
use serde::{Deserialize, Serialize};

/// A configuration that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read the config file {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not valid TOML or does not have the expected shape.
    #[error("invalid config: {0}")]
    Parse(#[from] toml::de::Error),
    /// A value is wrong (a route naming an unknown provider, a bad URL, …).
    #[error("invalid config: {0}")]
    Invalid(String),
}

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
/// | `qwen`, `mistral`, `ollama`, `vllm`, `generic` | `system` | `max_tokens` | — | — | not sent |
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
            reasoning_current_turn_only: false,
            send_reasoning_effort: false,
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
            ProviderKind::Groq | ProviderKind::OpenRouter | ProviderKind::Xai => RequestSettings {
                send_reasoning_effort: true,
                ..generic
            },
            ProviderKind::Qwen
            | ProviderKind::Mistral
            | ProviderKind::Ollama
            | ProviderKind::Vllm
            | ProviderKind::Generic => generic,
        }
    }
}

/// Which field a provider wants its reasoning back in, on the next turn, in configuration
/// files: `"reasoning_content"`, `"reasoning"` or `"none"` (reasoning items are dropped).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReasoningRoundTrip {
    /// `reasoning_content` on assistant messages (DeepSeek, Kimi, GLM).
    ReasoningContent,
    /// `reasoning` on assistant messages (OpenRouter, Ollama, some vLLM versions).
    Reasoning,
    /// Not sent back.
    None,
}

impl ReasoningRoundTrip {
    /// The Chat field, `None` for [`ReasoningRoundTrip::None`].
    pub fn field(self) -> Option<ReasoningField> {
        match self {
            ReasoningRoundTrip::ReasoningContent => Some(ReasoningField::ReasoningContent),
            ReasoningRoundTrip::Reasoning => Some(ReasoningField::Reasoning),
            ReasoningRoundTrip::None => None,
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
    /// The field the provider wants its reasoning back in (`None`: reasoning items dropped).
    pub reasoning_round_trip: Option<ReasoningField>,
    /// Send reasoning back only for the current turn (after the last user message).
    pub reasoning_current_turn_only: bool,
    /// Whether `reasoning.effort` is sent as `reasoning_effort`.
    pub send_reasoning_effort: bool,
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
    /// (`"reasoning_content"`, `"reasoning"` or `"none"`); the kind's preset when absent.
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
    /// The context window advertised in the Codex model catalog (tokens).
    #[serde(default)]
    pub context_window: Option<u64>,
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
            quirks: None,
            extra_quirks: Vec::new(),
            headers: BTreeMap::new(),
            connect_timeout_secs: default_connect_timeout(),
            idle_timeout_secs: default_idle_timeout(),
            context_window: None,
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
            reasoning_current_turn_only: self
                .reasoning_current_turn_only
                .unwrap_or(preset.reasoning_current_turn_only),
            send_reasoning_effort: self
                .send_reasoning_effort
                .unwrap_or(preset.send_reasoning_effort),
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
    /// [`Config::validate`]).
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

/// Where responses are stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreConfig {
    /// SQLite at the default path: `gateway.db` in the user's data directory.
    SqliteDefault,
    /// SQLite at this path.
    Sqlite(PathBuf),
    /// PostgreSQL at this URL (`postgres://user@host/db`).
    Postgres(String),
    /// In memory, lost on exit (tests).
    Memory,
}

impl StoreConfig {
    /// Reads `sqlite`, `sqlite://PATH`, `sqlite:PATH`, `postgres://…`, `postgresql://…`,
    /// `memory`, or a bare path (SQLite).
    pub fn parse(text: &str) -> Result<Self, ConfigError> {
        let text = text.trim();
        Ok(if text.is_empty() || text == "sqlite" {
            StoreConfig::SqliteDefault
        } else if text == "memory" {
            StoreConfig::Memory
        } else if text.starts_with("postgres://") || text.starts_with("postgresql://") {
            StoreConfig::Postgres(text.to_owned())
        } else if let Some(path) = text
            .strip_prefix("sqlite://")
            .or_else(|| text.strip_prefix("sqlite:"))
        {
            if path.is_empty() {
                return Err(ConfigError::Invalid("store: empty SQLite path".into()));
            }
            StoreConfig::Sqlite(PathBuf::from(path))
        } else if text.contains("://") {
            return Err(ConfigError::Invalid(format!(
                "store: unknown scheme in {text:?} (use sqlite, postgres://…, or memory)"
            )));
        } else {
            StoreConfig::Sqlite(PathBuf::from(text))
        })
    }

    /// The default SQLite path: `gateway.db` in the user's data directory
    /// (`~/.local/share/openai-wire` on Linux).
    pub fn default_sqlite_path() -> Option<PathBuf> {
        directories::ProjectDirs::from("", "", "openai-wire")
            .map(|dirs| dirs.data_dir().join("gateway.db"))
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    listen: Option<String>,
    store: Option<String>,
    heartbeat_secs: Option<u64>,
    client_api_keys: Option<Vec<String>>,
    client_api_keys_env: Option<String>,
    default_provider: Option<String>,
    max_replay_bytes: Option<usize>,
    max_response_bytes: Option<usize>,
    max_response_secs: Option<u64>,
    retention_days: Option<u64>,
    websocket_lifetime_secs: Option<u64>,
    websocket_max_message_bytes: Option<usize>,
    websocket_max_cached_bytes: Option<usize>,
    client_header_timeout_secs: Option<u64>,
    max_connections: Option<usize>,
    #[serde(default)]
    providers: BTreeMap<String, ProviderConfig>,
    #[serde(default)]
    routes: Vec<Route>,
}

/// The whole configuration of a gateway.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// The address `serve` listens on (the CLI binds it; tests bind their own listener).
    pub listen: SocketAddr,
    /// Where responses are stored.
    pub store: StoreConfig,
    /// After this long without anything from the upstream, a streaming client gets a
    /// `response.in_progress` event (zero: never).
    pub heartbeat: Duration,
    /// Keys clients must present (`Authorization: Bearer` or `x-api-key`); empty: no client
    /// authentication. [`Config::validate`] refuses an empty or blank key; see the
    /// [module docs](self#client-authentication) for which settings are errors.
    pub client_api_keys: Vec<String>,
    /// The provider used when no route and no provider's model list matches.
    pub default_provider: Option<String>,
    /// At most this many bytes of stream events are kept per response for replay
    /// (`GET /v1/responses/{id}?stream=true`); a longer stream is stored without its events.
    pub max_replay_bytes: usize,
    /// The most bytes of upstream stream (event JSON as received) one response may take. A
    /// longer response is ended `incomplete` with `incomplete_details.reason:
    /// "max_output_tokens"`, as OpenAI ends a response whose output reached its length limit,
    /// so memory per stream (and what is stored) stays bounded. 64 MiB by default: well above
    /// a 128k-token answer streamed token by token (about 200 bytes of JSON per token). Zero:
    /// no bound.
    pub max_response_bytes: usize,
    /// The longest one response may stream (from the request to its last event). A longer one
    /// ends `failed` with code `upstream_timeout`. 30 minutes by default: long reasoning runs
    /// take minutes, and OpenAI points longer work to background mode. Zero: no bound.
    pub max_response_duration: Duration,
    /// Stored responses older than this are deleted (checked when the gateway starts, then
    /// every hour); zero keeps them forever. 30 days by default, as OpenAI keeps them.
    pub retention_days: u64,
    /// WebSocket mode (`GET /v1/responses`): a connection lives at most this long; when it is
    /// reached the running response finishes, then the client gets an `error` event with code
    /// `websocket_connection_limit_reached` and the connection closes. 60 minutes by default,
    /// as OpenAI's.
    pub websocket_lifetime: Duration,
    /// WebSocket mode: the largest client message accepted, in bytes (a larger one closes the
    /// connection with code 1009). [`MAX_REQUEST_BYTES`](crate::MAX_REQUEST_BYTES) by default,
    /// the same bound as an HTTP body.
    pub websocket_max_message_bytes: usize,
    /// WebSocket mode: at most this many bytes (as JSON) of the last response's conversation
    /// are kept in memory per connection for `previous_response_id`. A longer conversation is
    /// not kept: continuing it on the connection then works only when it was stored
    /// (`store: true`), else it is `previous_response_not_found`. 32 MiB by default.
    pub websocket_max_cached_bytes: usize,
    /// A client connection must deliver a complete request head within this long of opening
    /// or of its previous response's end (silent connections, half-sent headers, idle
    /// keep-alive); else it is closed. 30 seconds by default; zero: no timeout.
    pub client_header_timeout: Duration,
    /// At most this many client connections are served at once; one more gets a `503`
    /// `server_is_overloaded` and is closed. 4096 by default; [`Gateway::serve`](crate::Gateway::serve)
    /// lowers it to what the file-descriptor limit allows.
    pub max_connections: usize,
    /// The providers, by name.
    pub providers: BTreeMap<String, ProviderConfig>,
    /// The routing rules, in order.
    pub routes: Vec<Route>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 8787)),
            store: StoreConfig::SqliteDefault,
            heartbeat: Duration::from_secs(15),
            client_api_keys: Vec::new(),
            default_provider: None,
            max_replay_bytes: 8 << 20,
            max_response_bytes: 64 << 20,
            max_response_duration: Duration::from_secs(1800),
            retention_days: 30,
            websocket_lifetime: Duration::from_secs(3600),
            websocket_max_message_bytes: crate::server::MAX_REQUEST_BYTES,
            websocket_max_cached_bytes: 32 << 20,
            client_header_timeout: Duration::from_secs(30),
            max_connections: 4096,
            providers: BTreeMap::new(),
            routes: Vec::new(),
        }
    }
}

/// The no-file case: `openai-wire serve --upstream URL --api-key-env VAR [--model-map a=b]`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SimpleOptions {
    /// The upstream's base URL (`https://api.deepseek.com/v1`).
    pub upstream: String,
    /// The environment variable holding the upstream's key.
    pub api_key_env: Option<String>,
    /// `client model = upstream model` pairs.
    pub model_map: Vec<(String, String)>,
}

impl Config {
    /// Reads a TOML file (environment overrides are not applied; see [`Config::apply_env`]).
    pub fn from_file(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_owned(),
            source,
        })?;
        Self::from_toml(&text)
    }

    /// Reads a configuration from TOML text.
    pub fn from_toml(text: &str) -> Result<Self, ConfigError> {
        Self::from_toml_with_env(text, |var| std::env::var(var).ok())
    }

    /// [`Config::from_toml`], reading `client_api_keys_env`'s variable through `env`.
    fn from_toml_with_env(
        text: &str,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        let file: FileConfig = toml::from_str(text)?;
        let mut config = Config::default();
        if let Some(listen) = file.listen {
            config.listen = parse_listen(&listen)?;
        }
        if let Some(store) = file.store {
            config.store = StoreConfig::parse(&store)?;
        }
        if let Some(secs) = file.heartbeat_secs {
            config.heartbeat = Duration::from_secs(secs);
        }
        config.client_api_keys = file_client_keys(
            file.client_api_keys,
            file.client_api_keys_env.as_deref(),
            env,
        )?;
        if let Some(secs) = file.client_header_timeout_secs {
            config.client_header_timeout = Duration::from_secs(secs);
        }
        if let Some(max) = file.max_connections {
            config.max_connections = max;
        }
        config.default_provider = file.default_provider;
        if let Some(max) = file.max_replay_bytes {
            config.max_replay_bytes = max;
        }
        if let Some(max) = file.max_response_bytes {
            config.max_response_bytes = max;
        }
        if let Some(secs) = file.max_response_secs {
            config.max_response_duration = Duration::from_secs(secs);
        }
        if let Some(days) = file.retention_days {
            config.retention_days = days;
        }
        if let Some(secs) = file.websocket_lifetime_secs {
            config.websocket_lifetime = Duration::from_secs(secs);
        }
        if let Some(max) = file.websocket_max_message_bytes {
            config.websocket_max_message_bytes = max;
        }
        if let Some(max) = file.websocket_max_cached_bytes {
            config.websocket_max_cached_bytes = max;
        }
        config.providers = file.providers;
        config.routes = file.routes;
        config.validate()?;
        Ok(config)
    }

    /// The no-file configuration: one Chat provider named `upstream` that every request goes to.
    /// Its quirks are guessed from the URL's host (`api.deepseek.com` → DeepSeek's).
    pub fn simple(options: SimpleOptions) -> Result<Self, ConfigError> {
        let mut provider = ProviderConfig::new(options.upstream.trim_end_matches('/'));
        provider.api_key_env = options.api_key_env;
        provider.model_map = options.model_map.into_iter().collect();
        provider.quirks = Some(host_of(&provider.base_url).to_owned());
        let mut config = Config::default();
        config.providers.insert("upstream".into(), provider);
        config.default_provider = Some("upstream".into());
        config.validate()?;
        Ok(config)
    }

    /// Applies the `OPENAI_WIRE_*` overrides from the process environment.
    pub fn apply_env(&mut self) -> Result<(), ConfigError> {
        self.apply_vars(std::env::vars())
    }

    /// Applies the `OPENAI_WIRE_*` overrides from `vars` (name, value pairs).
    pub fn apply_vars(
        &mut self,
        vars: impl IntoIterator<Item = (String, String)>,
    ) -> Result<(), ConfigError> {
        for (name, value) in vars {
            let Some(key) = name.strip_prefix("OPENAI_WIRE_") else {
                continue;
            };
            match key {
                "LISTEN" => self.listen = parse_listen(&value)?,
                "STORE" => self.store = StoreConfig::parse(&value)?,
                "HEARTBEAT_SECS" => {
                    let secs = value.trim().parse::<u64>().map_err(|_| {
                        ConfigError::Invalid(format!("OPENAI_WIRE_HEARTBEAT_SECS: {value:?}"))
                    })?;
                    self.heartbeat = Duration::from_secs(secs);
                }
                "DEFAULT_PROVIDER" => self.default_provider = Some(value),
                "CLIENT_API_KEYS" => {
                    self.client_api_keys = split_keys(&value);
                    if self.client_api_keys.is_empty() {
                        return Err(ConfigError::Invalid(format!(
                            "{name} is set but holds no key ({value:?}); unset it to run \
                             without client authentication"
                        )));
                    }
                }
                "CLIENT_HEADER_TIMEOUT_SECS" => {
                    let secs = value.trim().parse::<u64>().map_err(|_| {
                        ConfigError::Invalid(format!(
                            "{name}: {value:?} is not a number of seconds"
                        ))
                    })?;
                    self.client_header_timeout = Duration::from_secs(secs);
                }
                "MAX_CONNECTIONS" => {
                    self.max_connections = value.trim().parse().map_err(|_| {
                        ConfigError::Invalid(format!("{name}: {value:?} is not a count"))
                    })?;
                }
                "MAX_REPLAY_BYTES" => {
                    self.max_replay_bytes = value.trim().parse().map_err(|_| {
                        ConfigError::Invalid(format!("{name}: {value:?} is not a byte count"))
                    })?;
                }
                "MAX_RESPONSE_BYTES" => {
                    self.max_response_bytes = value.trim().parse().map_err(|_| {
                        ConfigError::Invalid(format!("{name}: {value:?} is not a byte count"))
                    })?;
                }
                "MAX_RESPONSE_SECS" => {
                    let secs = value.trim().parse::<u64>().map_err(|_| {
                        ConfigError::Invalid(format!(
                            "{name}: {value:?} is not a number of seconds"
                        ))
                    })?;
                    self.max_response_duration = Duration::from_secs(secs);
                }
                "RETENTION_DAYS" => {
                    self.retention_days = value.trim().parse().map_err(|_| {
                        ConfigError::Invalid(format!("{name}: {value:?} is not a number of days"))
                    })?;
                }
                "WEBSOCKET_LIFETIME_SECS" => {
                    let secs = value.trim().parse::<u64>().map_err(|_| {
                        ConfigError::Invalid(format!(
                            "{name}: {value:?} is not a number of seconds"
                        ))
                    })?;
                    self.websocket_lifetime = Duration::from_secs(secs);
                }
                "WEBSOCKET_MAX_MESSAGE_BYTES" => {
                    self.websocket_max_message_bytes = value.trim().parse().map_err(|_| {
                        ConfigError::Invalid(format!("{name}: {value:?} is not a byte count"))
                    })?;
                }
                "WEBSOCKET_MAX_CACHED_BYTES" => {
                    self.websocket_max_cached_bytes = value.trim().parse().map_err(|_| {
                        ConfigError::Invalid(format!("{name}: {value:?} is not a byte count"))
                    })?;
                }
                _ => {
                    if let Some(rest) = key.strip_prefix("PROVIDER_") {
                        self.apply_provider_var(&name, rest, &value)?;
                    }
                }
            }
        }
        self.validate()
    }

    /// `OPENAI_WIRE_PROVIDER_<NAME>_<FIELD>`: sets one field of a provider, or creates the
    /// provider when no configured one is called `<NAME>` (its name is `<name>` in lower case).
    fn apply_provider_var(
        &mut self,
        var: &str,
        rest: &str,
        value: &str,
    ) -> Result<(), ConfigError> {
        let existing = self.providers.keys().find_map(|name| {
            let field = rest
                .strip_prefix(env_name(name).as_str())?
                .strip_prefix('_')?;
            PROVIDER_ENV_FIELDS
                .contains(&field)
                .then(|| (name.clone(), field))
        });
        let (name, field) = match existing {
            Some(found) => found,
            None => {
                let Some(field) = PROVIDER_ENV_FIELDS
                    .iter()
                    .filter(|field| {
                        rest.strip_suffix(**field)
                            .and_then(|name| name.strip_suffix('_'))
                            .is_some_and(|name| !name.is_empty())
                    })
                    .max_by_key(|field| field.len())
                else {
                    return Err(ConfigError::Invalid(format!(
                        "{var}: expected OPENAI_WIRE_PROVIDER_<NAME>_<FIELD> with a FIELD among {}",
                        PROVIDER_ENV_FIELDS.join(", ")
                    )));
                };
                let name = rest[..rest.len() - field.len() - 1].to_ascii_lowercase();
                (name, *field)
            }
        };
        let provider = self
            .providers
            .entry(name.clone())
            .or_insert_with(|| ProviderConfig::new(""));
        *provider = provider_with(provider, field, value)
            .map_err(|error| ConfigError::Invalid(format!("{var}: {error}")))?;
        Ok(())
    }

    /// Checks that routes and the default provider name existing providers and URLs are HTTP(S).
    pub fn validate(&self) -> Result<(), ConfigError> {
        if let Some(i) = self
            .client_api_keys
            .iter()
            .position(|k| k.trim().is_empty())
        {
            return Err(ConfigError::Invalid(format!(
                "client_api_keys[{i}] is empty: an empty key would let in a request with an \
                 empty key; remove it (no key setting at all means no client authentication)"
            )));
        }
        if self.max_connections == 0 {
            return Err(ConfigError::Invalid(
                "max_connections must be at least 1".into(),
            ));
        }
        for (name, provider) in &self.providers {
            if !(provider.base_url.starts_with("http://")
                || provider.base_url.starts_with("https://"))
            {
                return Err(ConfigError::Invalid(format!(
                    "providers.{name}.base_url must start with http:// or https://, got {:?}",
                    provider.base_url
                )));
            }
            if let Some(unknown) = provider
                .extra_quirks
                .iter()
                .find(|q| Quirk::from_name(q).is_none())
            {
                return Err(ConfigError::Invalid(format!(
                    "providers.{name}.extra_quirks: no quirk named {unknown:?} (see openai_wire_convert::quirks)"
                )));
            }
        }
        for (i, route) in self.routes.iter().enumerate() {
            if !self.providers.contains_key(&route.provider) {
                return Err(ConfigError::Invalid(format!(
                    "routes[{i}].provider: no provider named {:?}",
                    route.provider
                )));
            }
            if let Some(prefix) = &route.path_prefix
                && (!prefix.starts_with('/') || prefix.len() < 2 || prefix.ends_with('/'))
            {
                return Err(ConfigError::Invalid(format!(
                    "routes[{i}].path_prefix must look like \"/name\", got {prefix:?}"
                )));
            }
        }
        if let Some(name) = &self.default_provider
            && !self.providers.contains_key(name)
        {
            return Err(ConfigError::Invalid(format!(
                "default_provider: no provider named {name:?}"
            )));
        }
        Ok(())
    }

    /// Every model name the gateway advertises, with its provider, in a stable order.
    pub fn models(&self) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = Vec::new();
        for (name, provider) in &self.providers {
            for model in provider.models.iter().chain(provider.model_map.keys()) {
                if !out.iter().any(|(m, _)| m == model) {
                    out.push((model.clone(), name.clone()));
                }
            }
        }
        out
    }
}

fn parse_listen(text: &str) -> Result<SocketAddr, ConfigError> {
    text.trim()
        .parse()
        .map_err(|_| ConfigError::Invalid(format!("listen: not an address: {text:?}")))
}

/// The client keys of a file: `client_api_keys` and the keys in `client_api_keys_env`'s
/// variable (read through `env`). A setting that is present but yields no usable key is an
/// error, never "no authentication".
fn file_client_keys(
    listed: Option<Vec<String>>,
    var: Option<&str>,
    env: impl Fn(&str) -> Option<String>,
) -> Result<Vec<String>, ConfigError> {
    let mut keys = Vec::new();
    if let Some(listed) = &listed {
        for (i, key) in listed.iter().enumerate() {
            if key.trim().is_empty() {
                return Err(ConfigError::Invalid(format!(
                    "client_api_keys[{i}] is empty: an empty key would let in a request with \
                     an empty key; remove it (no key setting at all means no client \
                     authentication)"
                )));
            }
            keys.push(key.trim().to_owned());
        }
    }
    if let Some(var) = var {
        let Some(value) = env(var) else {
            return Err(ConfigError::Invalid(format!(
                "client_api_keys_env names {var}, which is not set; set it to the client keys \
                 (comma-separated), or remove client_api_keys_env to run without client \
                 authentication"
            )));
        };
        let from_var = split_keys(&value);
        if from_var.is_empty() {
            return Err(ConfigError::Invalid(format!(
                "client_api_keys_env names {var}, which holds no key; set it to the client \
                 keys (comma-separated), or remove client_api_keys_env to run without client \
                 authentication"
            )));
        }
        keys.extend(from_var);
    }
    if listed.is_some() && keys.is_empty() {
        return Err(ConfigError::Invalid(
            "client_api_keys is empty; list at least one key, or remove client_api_keys to run \
             without client authentication"
                .into(),
        ));
    }
    Ok(keys)
}

fn split_keys(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .map(str::to_owned)
        .collect()
}

fn env_name(name: &str) -> String {
    name.chars()
        .map(|c| match c {
            '-' | '.' => '_',
            c => c.to_ascii_uppercase(),
        })
        .collect()
}

/// The provider fields `OPENAI_WIRE_PROVIDER_<NAME>_<FIELD>` can set: every field of
/// [`ProviderConfig`], in upper case.
pub const PROVIDER_ENV_FIELDS: &[&str] = &[
    "BASE_URL",
    "API_KEY_ENV",
    "API",
    "MODELS",
    "MODEL_MAP",
    "KIND",
    "DEVELOPER_ROLE",
    "MAX_TOKENS_FIELD",
    "REASONING_ROUND_TRIP",
    "REASONING_CURRENT_TURN_ONLY",
    "SEND_REASONING_EFFORT",
    "QUIRKS",
    "EXTRA_QUIRKS",
    "HEADERS",
    "CONNECT_TIMEOUT_SECS",
    "IDLE_TIMEOUT_SECS",
    "CONTEXT_WINDOW",
    "COMPACTION_PROMPT",
];

/// `provider` with `field` (upper case, from [`PROVIDER_ENV_FIELDS`]) set from an environment
/// value: lists are comma-separated (`a,b`), maps are `key=value` pairs separated by commas,
/// numbers and `true`/`false` are read as such, anything else is a string. The result goes
/// through the same deserializer as the file, so a wrong value gets the file's error.
fn provider_with(
    provider: &ProviderConfig,
    field: &str,
    value: &str,
) -> Result<ProviderConfig, String> {
    let key = field.to_ascii_lowercase();
    let parsed = match key.as_str() {
        "models" | "extra_quirks" => toml::Value::Array(
            value
                .split(',')
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(|v| toml::Value::String(v.to_owned()))
                .collect(),
        ),
        "model_map" | "headers" => {
            let mut table = toml::Table::new();
            for pair in value.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                let (k, v) = pair
                    .split_once('=')
                    .ok_or_else(|| format!("`{pair}` is not KEY=VALUE"))?;
                table.insert(
                    k.trim().to_owned(),
                    toml::Value::String(v.trim().to_owned()),
                );
            }
            toml::Value::Table(table)
        }
        _ => match value.trim() {
            "true" => toml::Value::Boolean(true),
            "false" => toml::Value::Boolean(false),
            v => v
                .parse::<i64>()
                .map(toml::Value::Integer)
                .unwrap_or_else(|_| toml::Value::String(value.to_owned())),
        },
    };
    let mut table = toml::Table::try_from(provider).map_err(|error| error.to_string())?;
    table.insert(key, parsed);
    toml::Value::Table(table)
        .try_into()
        .map_err(|error: toml::de::Error| error.message().to_owned())
}

/// The host part of a URL (`https://api.deepseek.com/v1` → `api.deepseek.com`).
fn host_of(url: &str) -> &str {
    let rest = url.split_once("://").map(|(_, r)| r).unwrap_or(url);
    rest.split(['/', '?', '#']).next().unwrap_or(rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_file_with_routes_and_applies_env_overrides() {
        let mut config = Config::from_toml(
            r#"
            listen = "127.0.0.1:9000"
            store = "memory"
            [providers.groq]
            base_url = "https://api.groq.com/openai/v1"
            api_key_env = "GROQ_API_KEY"
            models = ["llama-3.3-70b-versatile"]
            [[routes]]
            model = "llama-*"
            provider = "groq"
            "#,
        )
        .unwrap();
        assert_eq!(config.store, StoreConfig::Memory);
        assert!(config.routes[0].matches_model("llama-3"));
        config
            .apply_vars([
                (
                    "OPENAI_WIRE_PROVIDER_GROQ_BASE_URL".into(),
                    "http://127.0.0.1:1/v1".into(),
                ),
                ("OPENAI_WIRE_CLIENT_API_KEYS".into(), "a, b".into()),
                ("HOME".into(), "/x".into()),
            ])
            .unwrap();
        assert_eq!(config.providers["groq"].base_url, "http://127.0.0.1:1/v1");
        assert_eq!(config.client_api_keys, ["a", "b"]);
    }

    #[test]
    fn env_overrides_reach_every_provider_setting_and_can_add_a_provider() {
        let mut config = Config::from_toml(
            r#"
            [providers.my-ds]
            base_url = "https://api.deepseek.com/v1"
            "#,
        )
        .unwrap();
        let vars = [
            ("OPENAI_WIRE_PROVIDER_MY_DS_KIND", "deepseek"),
            ("OPENAI_WIRE_PROVIDER_MY_DS_DEVELOPER_ROLE", "developer"),
            ("OPENAI_WIRE_PROVIDER_MY_DS_IDLE_TIMEOUT_SECS", "42"),
            ("OPENAI_WIRE_PROVIDER_MY_DS_SEND_REASONING_EFFORT", "true"),
            (
                "OPENAI_WIRE_PROVIDER_MY_DS_MODELS",
                "deepseek-chat, deepseek-reasoner",
            ),
            (
                "OPENAI_WIRE_PROVIDER_MY_DS_MODEL_MAP",
                "gpt-5=deepseek-chat,o3=deepseek-reasoner",
            ),
            ("OPENAI_WIRE_PROVIDER_MY_DS_HEADERS", "X-Title=codex"),
            (
                "OPENAI_WIRE_PROVIDER_MY_DS_EXTRA_QUIRKS",
                "missing_finish_reason",
            ),
            (
                "OPENAI_WIRE_PROVIDER_LOCAL_VLLM_BASE_URL",
                "http://127.0.0.1:8000/v1",
            ),
            ("OPENAI_WIRE_PROVIDER_LOCAL_VLLM_API", "responses"),
            ("OPENAI_WIRE_MAX_REPLAY_BYTES", "1024"),
            ("OPENAI_WIRE_RETENTION_DAYS", "7"),
            (
                "OPENAI_WIRE_PROVIDER_MY_DS_COMPACTION_PROMPT",
                "Summarize, briefly.",
            ),
        ];
        config
            .apply_vars(vars.map(|(k, v)| (k.to_owned(), v.to_owned())))
            .unwrap();
        let ds = &config.providers["my-ds"];
        assert_eq!(ds.kind, Some(ProviderKind::DeepSeek));
        let settings = ds.request_settings("my-ds");
        assert_eq!(settings.developer_role, DeveloperRole::Developer);
        assert!(settings.send_reasoning_effort);
        assert_eq!(ds.idle_timeout(), Duration::from_secs(42));
        assert_eq!(ds.models, ["deepseek-chat", "deepseek-reasoner"]);
        assert_eq!(ds.upstream_model("o3"), "deepseek-reasoner");
        assert_eq!(ds.headers["X-Title"], "codex");
        assert_eq!(ds.extra_quirks, ["missing_finish_reason"]);
        assert_eq!(ds.base_url, "https://api.deepseek.com/v1", "untouched");
        let vllm = &config.providers["local_vllm"];
        assert_eq!(vllm.base_url, "http://127.0.0.1:8000/v1");
        assert_eq!(vllm.api, UpstreamApi::Responses);
        assert_eq!(config.max_replay_bytes, 1024);
        assert_eq!(config.retention_days, 7);
        assert_eq!(ds.compaction_prompt.as_deref(), Some("Summarize, briefly."));
    }

    #[test]
    fn websocket_bounds_have_defaults_and_come_from_the_file_and_the_environment() {
        let config = Config::default();
        assert_eq!(config.websocket_lifetime, Duration::from_secs(3600));
        assert_eq!(
            config.websocket_max_message_bytes,
            crate::server::MAX_REQUEST_BYTES
        );
        assert_eq!(config.websocket_max_cached_bytes, 32 << 20);
        let mut config = Config::from_toml(
            r#"
            websocket_lifetime_secs = 60
            websocket_max_message_bytes = 1000
            websocket_max_cached_bytes = 2000
            "#,
        )
        .unwrap();
        assert_eq!(config.websocket_lifetime, Duration::from_secs(60));
        assert_eq!(config.websocket_max_message_bytes, 1000);
        assert_eq!(config.websocket_max_cached_bytes, 2000);
        let vars = [
            ("OPENAI_WIRE_WEBSOCKET_LIFETIME_SECS", "5"),
            ("OPENAI_WIRE_WEBSOCKET_MAX_MESSAGE_BYTES", "10"),
            ("OPENAI_WIRE_WEBSOCKET_MAX_CACHED_BYTES", "20"),
        ];
        config
            .apply_vars(vars.map(|(k, v)| (k.to_owned(), v.to_owned())))
            .unwrap();
        assert_eq!(config.websocket_lifetime, Duration::from_secs(5));
        assert_eq!(config.websocket_max_message_bytes, 10);
        assert_eq!(config.websocket_max_cached_bytes, 20);
        let error = config
            .apply_vars([(
                "OPENAI_WIRE_WEBSOCKET_LIFETIME_SECS".to_owned(),
                "soon".to_owned(),
            )])
            .unwrap_err();
        assert!(error.to_string().contains("WEBSOCKET_LIFETIME_SECS"));
    }

    #[test]
    fn env_overrides_with_a_wrong_field_or_value_say_which_variable() {
        let base =
            Config::from_toml("[providers.groq]\nbase_url = \"http://127.0.0.1:1/v1\"\n").unwrap();
        for (var, value, says) in [
            ("OPENAI_WIRE_PROVIDER_GROQ_TIMEOUT", "5", "FIELD among"),
            ("OPENAI_WIRE_PROVIDER_GROQ_KIND", "nonsense", "nonsense"),
            (
                "OPENAI_WIRE_PROVIDER_GROQ_IDLE_TIMEOUT_SECS",
                "soon",
                "soon",
            ),
            ("OPENAI_WIRE_PROVIDER_GROQ_MODEL_MAP", "gpt-5", "KEY=VALUE"),
            ("OPENAI_WIRE_PROVIDER_NEW_KIND", "groq", "base_url"),
            ("OPENAI_WIRE_MAX_REPLAY_BYTES", "lots", "byte count"),
        ] {
            let mut config = base.clone();
            let error = config
                .apply_vars([(var.to_owned(), value.to_owned())])
                .unwrap_err()
                .to_string();
            assert!(error.contains(says), "{var}={value}: {error}");
            if var != "OPENAI_WIRE_PROVIDER_NEW_KIND" {
                assert!(error.contains(var), "{var}={value}: {error}");
            }
        }
    }

    #[test]
    fn client_auth_that_yields_no_usable_key_is_an_error_at_start() {
        let env = |var: &str| match var {
            "EMPTY_KEYS" => Some(String::new()),
            "BLANK_KEYS" => Some(" , ".to_owned()),
            "GOOD_KEYS" => Some(" k1 ,k2,".to_owned()),
            _ => None,
        };
        for (file, says) in [
            ("client_api_keys = []", "client_api_keys is empty"),
            (
                "client_api_keys = [\"a\", \"\"]",
                "client_api_keys[1] is empty",
            ),
            ("client_api_keys = [\"  \"]", "client_api_keys[0] is empty"),
            (
                "client_api_keys_env = \"UNSET_KEYS\"",
                "UNSET_KEYS, which is not set",
            ),
            (
                "client_api_keys_env = \"EMPTY_KEYS\"",
                "EMPTY_KEYS, which holds no key",
            ),
            (
                "client_api_keys_env = \"BLANK_KEYS\"",
                "BLANK_KEYS, which holds no key",
            ),
        ] {
            let error = Config::from_toml_with_env(file, env)
                .unwrap_err()
                .to_string();
            assert!(error.contains(says), "{file}: {error}");
        }
        // No key setting at all: no authentication, explicitly the default.
        assert!(
            Config::from_toml_with_env("", env)
                .unwrap()
                .client_api_keys
                .is_empty()
        );
        let config = Config::from_toml_with_env(
            "client_api_keys = [\" k0 \"]\nclient_api_keys_env = \"GOOD_KEYS\"",
            env,
        )
        .unwrap();
        assert_eq!(config.client_api_keys, ["k0", "k1", "k2"]);
        // The real `from_toml` reads the process environment: a name surely unset.
        let error =
            Config::from_toml("client_api_keys_env = \"OPENAI_WIRE_TEST_SURELY_UNSET_48213\"")
                .unwrap_err();
        assert!(error.to_string().contains("not set"), "{error}");
        // A key added in code is checked too.
        let config = Config {
            client_api_keys: vec!["".into()],
            ..Config::default()
        };
        assert!(config.validate().is_err());
    }

    #[test]
    fn client_api_keys_env_override_with_no_key_is_an_error() {
        for value in ["", " , ", ","] {
            let mut config = Config::default();
            let error = config
                .apply_vars([("OPENAI_WIRE_CLIENT_API_KEYS".to_owned(), value.to_owned())])
                .unwrap_err()
                .to_string();
            assert!(
                error.contains("OPENAI_WIRE_CLIENT_API_KEYS is set but holds no key"),
                "{value:?}: {error}"
            );
        }
        let mut config = Config::default();
        config
            .apply_vars([("OPENAI_WIRE_CLIENT_API_KEYS".to_owned(), " a ,b".to_owned())])
            .unwrap();
        assert_eq!(config.client_api_keys, ["a", "b"]);
    }

    #[test]
    fn client_connection_bounds_have_defaults_and_come_from_the_file_and_the_environment() {
        let config = Config::default();
        assert_eq!(config.client_header_timeout, Duration::from_secs(30));
        assert_eq!(config.max_connections, 4096);
        let mut config =
            Config::from_toml("client_header_timeout_secs = 5\nmax_connections = 10").unwrap();
        assert_eq!(config.client_header_timeout, Duration::from_secs(5));
        assert_eq!(config.max_connections, 10);
        let vars = [
            ("OPENAI_WIRE_CLIENT_HEADER_TIMEOUT_SECS", "7"),
            ("OPENAI_WIRE_MAX_CONNECTIONS", "20"),
        ];
        config
            .apply_vars(vars.map(|(k, v)| (k.to_owned(), v.to_owned())))
            .unwrap();
        assert_eq!(config.client_header_timeout, Duration::from_secs(7));
        assert_eq!(config.max_connections, 20);
        for (var, value) in [
            ("OPENAI_WIRE_MAX_CONNECTIONS", "0"),
            ("OPENAI_WIRE_MAX_CONNECTIONS", "many"),
            ("OPENAI_WIRE_CLIENT_HEADER_TIMEOUT_SECS", "soon"),
        ] {
            assert!(
                config
                    .clone()
                    .apply_vars([(var.to_owned(), value.to_owned())])
                    .is_err(),
                "{var}={value}"
            );
        }
    }

    #[test]
    fn rejects_a_route_to_an_unknown_provider() {
        let error = Config::from_toml("[[routes]]\nprovider = \"nope\"\n").unwrap_err();
        assert!(error.to_string().contains("nope"), "{error}");
    }

    #[test]
    fn simple_case_guesses_quirks_from_the_host() {
        let config = Config::simple(SimpleOptions {
            upstream: "https://api.deepseek.com/v1/".into(),
            api_key_env: Some("DEEPSEEK_API_KEY".into()),
            model_map: vec![("gpt-5".into(), "deepseek-chat".into())],
        })
        .unwrap();
        let provider = &config.providers["upstream"];
        assert_eq!(provider.base_url, "https://api.deepseek.com/v1");
        assert_eq!(provider.quirks.as_deref(), Some("api.deepseek.com"));
        assert_eq!(provider.upstream_model("gpt-5"), "deepseek-chat");
    }

    #[test]
    fn kind_presets_and_explicit_settings() {
        let config = Config::from_toml(
            r#"
            [providers.ds]
            kind = "deepseek"
            base_url = "http://127.0.0.1:1/v1"
            [providers.custom]
            kind = "deepseek"
            base_url = "http://127.0.0.1:2/v1"
            developer_role = "developer"
            max_tokens_field = "max_completion_tokens"
            reasoning_round_trip = "none"
            reasoning_current_turn_only = false
            send_reasoning_effort = true
            extra_quirks = ["missing_finish_reason"]
            [providers.guessed]
            base_url = "https://api.groq.com/openai/v1"
            "#,
        )
        .unwrap();
        let ds = config.providers["ds"].request_settings("ds");
        assert_eq!(ds, ProviderKind::DeepSeek.preset());
        assert_eq!(ds.developer_role, DeveloperRole::System);
        assert_eq!(ds.max_tokens_field, MaxTokensField::MaxTokens);
        assert_eq!(
            ds.reasoning_round_trip,
            Some(ReasoningField::ReasoningContent)
        );
        assert!(ds.reasoning_current_turn_only && !ds.send_reasoning_effort);
        assert_eq!(config.providers["ds"].quirks_name("ds"), "deepseek");

        let custom = &config.providers["custom"];
        let settings = custom.request_settings("custom");
        assert_eq!(settings.developer_role, DeveloperRole::Developer);
        assert_eq!(
            settings.max_tokens_field,
            MaxTokensField::MaxCompletionTokens
        );
        assert_eq!(settings.reasoning_round_trip, None);
        assert!(!settings.reasoning_current_turn_only && settings.send_reasoning_effort);
        assert!(
            custom
                .stream_quirks("custom")
                .contains(Quirk::MissingFinishReason)
        );

        let guessed = &config.providers["guessed"];
        assert_eq!(guessed.kind("guessed"), ProviderKind::Groq);
        assert!(guessed.request_settings("guessed").send_reasoning_effort);
    }

    #[test]
    fn rejects_unknown_kinds_and_quirks() {
        let error =
            Config::from_toml("[providers.x]\nbase_url = \"http://h/v1\"\nkind = \"deepsick\"\n")
                .unwrap_err();
        assert!(error.to_string().contains("deepsick"), "{error}");
        let error = Config::from_toml(
            "[providers.x]\nbase_url = \"http://h/v1\"\nextra_quirks = [\"nope\"]\n",
        )
        .unwrap_err();
        assert!(error.to_string().contains("extra_quirks"), "{error}");
    }

    #[test]
    fn guesses_match_the_old_host_rules() {
        let cases = [
            (
                "upstream",
                "https://api.openai.com/v1",
                ProviderKind::OpenAi,
            ),
            (
                "upstream",
                "https://api.deepseek.com/v1",
                ProviderKind::DeepSeek,
            ),
            ("kimi", "https://api.moonshot.ai/v1", ProviderKind::Kimi),
            (
                "zhipu",
                "https://open.bigmodel.cn/api/paas/v4",
                ProviderKind::Glm,
            ),
            (
                "openrouter",
                "https://openrouter.ai/api/v1",
                ProviderKind::OpenRouter,
            ),
            ("grok", "https://api.x.ai/v1", ProviderKind::Xai),
            ("local", "http://127.0.0.1:11434/v1", ProviderKind::Generic),
        ];
        for (name, url, kind) in cases {
            assert_eq!(ProviderConfig::new(url).kind(name), kind, "{name} {url}");
        }
    }

    #[test]
    fn store_urls() {
        assert_eq!(
            StoreConfig::parse("sqlite").unwrap(),
            StoreConfig::SqliteDefault
        );
        assert_eq!(
            StoreConfig::parse("sqlite:///tmp/x.db").unwrap(),
            StoreConfig::Sqlite("/tmp/x.db".into())
        );
        assert!(matches!(
            StoreConfig::parse("postgres://u@h/db").unwrap(),
            StoreConfig::Postgres(_)
        ));
        assert!(StoreConfig::parse("redis://x").is_err());
    }
}

#[cfg(test)]
mod example {
    #[test]
    fn the_example_config_is_valid() {
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../config/example.toml");
        let config = super::Config::from_file(&path).unwrap();
        for name in ["deepseek", "groq", "openrouter", "ollama", "vllm"] {
            let provider = &config.providers[name];
            // Each names its kind, and its written-out settings agree with the preset or
            // say why not.
            assert_eq!(provider.kind.map(|k| k.as_str()), Some(name));
        }
        assert_eq!(
            config.providers["deepseek"].request_settings("deepseek"),
            super::ProviderKind::DeepSeek.preset()
        );
        assert_eq!(config.routes.len(), 3);
    }
}
