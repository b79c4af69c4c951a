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
//! # reasoning_round_trip = "reasoning_content"   # or "reasoning", "as_streamed", "none"
//! # reasoning_current_turn_only = true
//! # send_reasoning_effort = false
//! # extra_quirks = ["missing_finish_reason"]
//! # compaction_prompt = "Summarize the conversation so far for the assistant."
//! # context_window = 131072                # tokens, for Codex's model catalog
//! # model_info."deepseek-chat" = { context_window = 131072, input_modalities = ["text"] }
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
//! | `OPENAI_WIRE_WORKERS` | `workers` |
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

use openai_wire_convert::quirks::Quirk;
use serde::Deserialize;

mod env;
mod model_info;
mod provider;
#[cfg(test)]
mod tests;
mod web_search;

pub use env::PROVIDER_ENV_FIELDS;
pub use model_info::{DEFAULT_CONTEXT_WINDOW, InputModality, ModelInfo};
pub use openai_wire_convert::provider::{ProviderKind, ReasoningRoundTrip, RequestSettings};
pub use provider::{ProviderConfig, Route, UpstreamApi};
pub use web_search::{SearchBackendKind, WebSearchConfig};

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
    workers: Option<usize>,
    #[serde(default)]
    providers: BTreeMap<String, ProviderConfig>,
    #[serde(default)]
    routes: Vec<Route>,
    web_search: Option<WebSearchConfig>,
}

/// The most connection workers a configuration may ask for ([`Config::workers`]).
pub const MAX_WORKERS: usize = 1024;

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
    /// How many threads serve client connections, each with its own single-threaded runtime
    /// and its own upstream connections; a new connection goes to the one serving the fewest.
    /// 0 (the default): one per CPU; at most [`MAX_WORKERS`].
    pub workers: usize,
    /// The providers, by name.
    pub providers: BTreeMap<String, ProviderConfig>,
    /// The routing rules, in order.
    pub routes: Vec<Route>,
    /// The search backend the gateway runs web searches with ([`WebSearchConfig`]); `None`
    /// drops the hosted `web_search` tool for Chat providers, and says so.
    pub web_search: Option<WebSearchConfig>,
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
            workers: 0,
            providers: BTreeMap::new(),
            routes: Vec::new(),
            web_search: None,
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
        if let Some(workers) = file.workers {
            config.workers = workers;
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
        config.web_search = file.web_search;
        config.validate()?;
        Ok(config)
    }

    /// The no-file configuration: one Chat provider named `upstream` that every request goes to.
    /// Its kind is guessed from the URL's host (`api.deepseek.com` → DeepSeek).
    pub fn simple(options: SimpleOptions) -> Result<Self, ConfigError> {
        let mut provider = ProviderConfig::new(options.upstream.trim_end_matches('/'));
        provider.api_key_env = options.api_key_env;
        provider.model_map = options.model_map.into_iter().collect();
        let mut config = Config::default();
        config.providers.insert("upstream".into(), provider);
        config.default_provider = Some("upstream".into());
        config.validate()?;
        Ok(config)
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
        if self.workers > MAX_WORKERS {
            return Err(ConfigError::Invalid(format!(
                "workers = {} is more threads than any machine needs (at most {MAX_WORKERS}; \
                 0 means one per CPU)",
                self.workers
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
            for (field, names) in [
                ("extra_quirks", &provider.extra_quirks),
                ("disable_quirks", &provider.disable_quirks),
            ] {
                if let Some(unknown) = names.iter().find(|q| Quirk::from_name(q).is_none()) {
                    return Err(ConfigError::Invalid(format!(
                        "providers.{name}.{field}: no quirk named {unknown:?} (see \
                         openai_wire_convert::quirks)"
                    )));
                }
            }
            if let Some(model) = provider.model_info.keys().find(|m| !provider.serves(m)) {
                return Err(ConfigError::Invalid(format!(
                    "providers.{name}.model_info.{model:?}: the provider does not list {model:?} \
                     in `models` or `model_map`"
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
        if let Some(search) = &self.web_search {
            search.validate()?;
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

pub(crate) fn parse_listen(text: &str) -> Result<SocketAddr, ConfigError> {
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

pub(crate) fn split_keys(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .map(str::to_owned)
        .collect()
}
