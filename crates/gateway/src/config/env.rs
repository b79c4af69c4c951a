//! Environment overrides: `OPENAI_WIRE_*` for the gateway's settings and
//! `OPENAI_WIRE_PROVIDER_<NAME>_<FIELD>` for any provider field ([`Config::apply_env`]).

use std::time::Duration;

use super::provider::ProviderConfig;
use super::{Config, ConfigError, StoreConfig, parse_listen, split_keys};

impl Config {
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
                "WORKERS" => {
                    self.workers = value.trim().parse().map_err(|_| {
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
/// [`ProviderConfig`] but `model_info` (a table of tables, set in the file), in upper case.
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
    "NATIVE_WEB_SEARCH",
    "QUIRKS",
    "EXTRA_QUIRKS",
    "DISABLE_QUIRKS",
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
        "models" | "extra_quirks" | "disable_quirks" => toml::Value::Array(
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
