//! Web searches for the gateway's `web_search` tool and `POST /v1/alpha/search`, run against
//! the configured backend ([`WebSearchConfig`]): SearXNG's JSON API, Brave Search or Tavily.

use std::time::Duration;

use reqwest::Url;
use serde_json::{Value, json};

use crate::config::{SearchBackendKind, WebSearchConfig};
use crate::workers::WorkerClients;

/// One result of a search.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SearchHit {
    /// The page's title.
    pub(crate) title: String,
    /// Its address.
    pub(crate) url: String,
    /// The backend's snippet of it.
    pub(crate) snippet: String,
}

/// Why a search gave no results.
#[derive(Debug, thiserror::Error)]
pub(crate) enum SearchError {
    /// The backend could not be reached, or did not answer in time.
    #[error("the search backend could not be reached: {0}")]
    Transport(String),
    /// The backend answered with an error status.
    #[error("the search backend answered HTTP {status}: {body}")]
    Status {
        /// The HTTP status.
        status: u16,
        /// The start of its body.
        body: String,
    },
    /// The backend's answer is not what its API documents.
    #[error("the search backend's answer could not be read: {0}")]
    Body(String),
}

/// A configured search backend.
#[derive(Debug, Clone)]
pub(crate) struct WebSearch {
    config: WebSearchConfig,
    base_url: String,
    key: Option<String>,
    /// Each worker's own client ([`WorkerClients`]).
    clients: WorkerClients,
}

impl WebSearch {
    /// The backend of `config` (validated), its key read from the environment now, with a
    /// client for each of `workers` ([`WorkerClients`]).
    pub(crate) fn new(config: &WebSearchConfig, workers: usize) -> Result<Self, SearchError> {
        let clients = WorkerClients::new(workers, || {
            reqwest::Client::builder()
                .timeout(Duration::from_secs(config.timeout_secs))
                .build()
        })
        .map_err(|error| SearchError::Transport(error.to_string()))?;
        Ok(WebSearch {
            base_url: config.base_url().unwrap_or_default().to_owned(),
            key: config
                .api_key_env
                .as_deref()
                .and_then(|var| std::env::var(var).ok()),
            config: config.clone(),
            clients,
        })
    }

    /// How many searches one response may run.
    pub(crate) fn max_searches(&self) -> usize {
        self.config.max_searches
    }

    /// Searches the web for `query`: at most `max_results` hits.
    pub(crate) async fn search(&self, query: &str) -> Result<Vec<SearchHit>, SearchError> {
        let request = match self.config.backend {
            SearchBackendKind::Searxng => self
                .clients
                .here()
                .get(self.url("/search", &[("q", query), ("format", "json")])?),
            SearchBackendKind::Brave => self
                .clients
                .here()
                .get(self.url(
                    "/res/v1/web/search",
                    &[
                        ("q", query),
                        ("count", &self.config.max_results.to_string()),
                    ],
                )?)
                .header("accept", "application/json")
                .header("x-subscription-token", self.key.as_deref().unwrap_or("")),
            SearchBackendKind::Tavily => self
                .clients
                .here()
                .post(self.url("/search", &[])?)
                .bearer_auth(self.key.as_deref().unwrap_or(""))
                .header("content-type", "application/json")
                .body(json!({"query": query, "max_results": self.config.max_results}).to_string()),
        };
        let answer = request
            .send()
            .await
            .map_err(|error| SearchError::Transport(error.without_url().to_string()))?;
        let status = answer.status();
        let body = answer
            .bytes()
            .await
            .map_err(|error| SearchError::Transport(error.without_url().to_string()))?;
        if !status.is_success() {
            let text = String::from_utf8_lossy(&body);
            return Err(SearchError::Status {
                status: status.as_u16(),
                body: text.chars().take(200).collect(),
            });
        }
        let value: Value =
            serde_json::from_slice(&body).map_err(|error| SearchError::Body(error.to_string()))?;
        let mut hits = hits_of(self.config.backend, &value);
        hits.truncate(self.config.max_results);
        Ok(hits)
    }

    fn url(&self, path: &str, query: &[(&str, &str)]) -> Result<Url, SearchError> {
        let mut url = Url::parse(&format!("{}{path}", self.base_url))
            .map_err(|error| SearchError::Transport(error.to_string()))?;
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        Ok(url)
    }
}

/// The hits in a backend's answer: SearXNG's and Tavily's `results[]` (`title`, `url`,
/// `content`), Brave's `web.results[]` (`title`, `url`, `description`).
fn hits_of(backend: SearchBackendKind, answer: &Value) -> Vec<SearchHit> {
    let (results, snippet) = match backend {
        SearchBackendKind::Searxng | SearchBackendKind::Tavily => (&answer["results"], "content"),
        SearchBackendKind::Brave => (&answer["web"]["results"], "description"),
    };
    results
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|hit| {
            let url = hit["url"].as_str()?.to_owned();
            Some(SearchHit {
                title: hit["title"].as_str().unwrap_or_default().to_owned(),
                snippet: hit[snippet].as_str().unwrap_or_default().to_owned(),
                url,
            })
        })
        .collect()
}

/// The results as the model reads them: numbered, each with its title, URL and snippet.
pub(crate) fn results_text(query: &str, hits: &[SearchHit]) -> String {
    if hits.is_empty() {
        return format!("No web results for \"{query}\".");
    }
    let mut text = format!("Web results for \"{query}\":");
    for (i, hit) in hits.iter().enumerate() {
        text.push_str(&format!(
            "\n\n[{}] {}\n{}\n{}",
            i + 1,
            hit.title,
            hit.url,
            hit.snippet
        ));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_backends_answer_shape_is_read() {
        let searxng = json!({"query": "q", "number_of_results": 0, "results": [
            {"url": "https://a.example/", "title": "A", "content": "about a", "engine": "duckduckgo"},
            {"title": "no url"}]});
        let hits = hits_of(SearchBackendKind::Searxng, &searxng);
        assert_eq!(
            hits,
            [SearchHit {
                title: "A".into(),
                url: "https://a.example/".into(),
                snippet: "about a".into()
            }]
        );
        let brave = json!({"type": "search", "web": {"type": "search", "results": [
            {"title": "B", "url": "https://b.example/", "description": "about b"}]}});
        assert_eq!(
            hits_of(SearchBackendKind::Brave, &brave)[0].snippet,
            "about b"
        );
        let tavily = json!({"query": "q", "results": [
            {"title": "C", "url": "https://c.example/", "content": "about c", "score": 0.9}]});
        assert_eq!(
            hits_of(SearchBackendKind::Tavily, &tavily)[0].url,
            "https://c.example/"
        );
    }

    #[test]
    fn results_read_as_a_numbered_list() {
        let hits = vec![SearchHit {
            title: "Rust".into(),
            url: "https://www.rust-lang.org/".into(),
            snippet: "A language.".into(),
        }];
        assert_eq!(
            results_text("rust", &hits),
            "Web results for \"rust\":\n\n[1] Rust\nhttps://www.rust-lang.org/\nA language."
        );
        assert_eq!(results_text("x", &[]), "No web results for \"x\".");
    }
}
