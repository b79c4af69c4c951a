//! `[web_search]`: the search backend the gateway runs web searches with.
//!
//! A Chat provider cannot run OpenAI's hosted `web_search` tool. With a backend configured, the
//! gateway offers the model a `web_search` function, runs the searches the model asks for
//! inside the same response (a bounded loop: at most `max_searches` per response), streams a
//! `web_search_call` item for each as OpenAI does, and serves `POST /v1/alpha/search` (Codex's
//! standalone web search) from the same backend. Without one, the tool is dropped, and the
//! gateway says so: once in its log at start, and in an `openai-wire-warning` header on each
//! response whose request asked for it.
//!
//! ```toml
//! [web_search]
//! backend = "searxng"                 # or "brave", "tavily"
//! url = "http://127.0.0.1:8888"       # SearXNG's address (its JSON format must be enabled)
//! # api_key_env = "BRAVE_API_KEY"     # brave and tavily: the variable holding the key
//! # max_results = 5
//! # max_searches = 4                  # per response
//! # timeout_secs = 15
//! ```

use serde::{Deserialize, Serialize};

use super::ConfigError;

/// Which search service answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SearchBackendKind {
    /// SearXNG, self-hosted: `GET {url}/search?q=…&format=json` (the instance's `search.formats`
    /// must include `json`).
    Searxng,
    /// Brave Search API: `GET {url}/res/v1/web/search` with `X-Subscription-Token`.
    Brave,
    /// Tavily: `POST {url}/search` with a bearer key.
    Tavily,
}

impl SearchBackendKind {
    /// The hosted service's address, for the kinds that have one.
    pub fn default_url(self) -> Option<&'static str> {
        match self {
            SearchBackendKind::Searxng => None,
            SearchBackendKind::Brave => Some("https://api.search.brave.com"),
            SearchBackendKind::Tavily => Some("https://api.tavily.com"),
        }
    }
}

/// The `[web_search]` table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebSearchConfig {
    /// The search service.
    pub backend: SearchBackendKind,
    /// Its address (required for SearXNG; Brave's and Tavily's own by default).
    #[serde(default)]
    pub url: Option<String>,
    /// The environment variable holding the service's key (Brave, Tavily).
    #[serde(default)]
    pub api_key_env: Option<String>,
    /// How many results a search returns to the model.
    #[serde(default = "default_max_results")]
    pub max_results: usize,
    /// How many searches one response may run; past it, the model is told to answer with what
    /// it has.
    #[serde(default = "default_max_searches")]
    pub max_searches: usize,
    /// How long one search may take, in seconds.
    #[serde(default = "default_timeout_secs")]
    pub timeout_secs: u64,
}

fn default_max_results() -> usize {
    5
}

fn default_max_searches() -> usize {
    4
}

fn default_timeout_secs() -> u64 {
    15
}

impl WebSearchConfig {
    /// A backend at `url` with the default bounds.
    pub fn new(backend: SearchBackendKind, url: Option<String>) -> Self {
        WebSearchConfig {
            backend,
            url,
            api_key_env: None,
            max_results: default_max_results(),
            max_searches: default_max_searches(),
            timeout_secs: default_timeout_secs(),
        }
    }

    /// The address searches go to.
    pub fn base_url(&self) -> Option<&str> {
        self.url
            .as_deref()
            .or(self.backend.default_url())
            .map(|url| url.trim_end_matches('/'))
    }

    /// Checks the table: an address for SearXNG, a key variable for Brave and Tavily, bounds
    /// of at least 1.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let invalid = |message: String| Err(ConfigError::Invalid(format!("web_search.{message}")));
        match self.base_url() {
            None => return invalid("url: SearXNG needs its address (http://host:port)".into()),
            Some(url) if !(url.starts_with("http://") || url.starts_with("https://")) => {
                return invalid(format!(
                    "url must start with http:// or https://, got {url:?}"
                ));
            }
            Some(_) => {}
        }
        if self.backend != SearchBackendKind::Searxng && self.api_key_env.is_none() {
            return invalid(format!(
                "api_key_env: {:?} needs the variable that holds its key",
                self.backend
            ));
        }
        if self.max_results == 0 || self.max_searches == 0 || self.timeout_secs == 0 {
            return invalid("max_results, max_searches and timeout_secs must be at least 1".into());
        }
        Ok(())
    }
}
