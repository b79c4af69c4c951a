//! A local search backend for tests that answers as SearXNG's JSON API does:
//! `GET /search?q=…&format=json` → `{query, number_of_results, results: [{url, title, content,
//! engine, engines, positions, score, category, parsed_url, …}], answers, corrections,
//! infoboxes, suggestions, unresponsive_engines}`. As a SearXNG instance whose settings do not
//! enable the JSON format, it answers `403 Forbidden` (an HTML page) to any other `format`.
//!
//! Its results are made from the query, so a test can tell which query a text came from:
//! [`snippet_for`]. Every query is kept ([`Searxng::queries`]).

#![allow(dead_code)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::json;
use tokio::sync::oneshot;

/// The snippet the backend returns for `query` (its first result's `content`).
pub fn snippet_for(query: &str) -> String {
    format!("{query}: openai-wire ships a Responses gateway (canned SearXNG result).")
}

/// The first result's URL for `query`.
pub fn url_for(query: &str) -> String {
    let slug: String = query
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    format!("https://search.example/{slug}")
}

/// A running fake SearXNG; stopped when dropped.
pub struct Searxng {
    base: String,
    queries: Arc<Mutex<Vec<String>>>,
    _stop: oneshot::Sender<()>,
}

impl Searxng {
    /// Starts it on a free loopback port.
    pub async fn start() -> Searxng {
        let queries = Arc::new(Mutex::new(Vec::new()));
        let app = Router::new()
            .route("/search", get(search))
            .with_state(queries.clone());
        let (addr, stop) = super::serve_local(app).await;
        Searxng {
            base: format!("http://{addr}"),
            queries,
            _stop: stop,
        }
    }

    /// Its address (the `url` of `[web_search]`).
    pub fn url(&self) -> String {
        self.base.clone()
    }

    /// The queries it answered, in order.
    pub fn queries(&self) -> Vec<String> {
        self.queries.lock().unwrap().clone()
    }
}

async fn search(
    State(queries): State<Arc<Mutex<Vec<String>>>>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    if params.get("format").map(String::as_str) != Some("json") {
        return (
            StatusCode::FORBIDDEN,
            [("content-type", "text/html")],
            "<html><body><h1>403 Forbidden</h1></body></html>",
        )
            .into_response();
    }
    let query = params.get("q").cloned().unwrap_or_default();
    queries.lock().unwrap().push(query.clone());
    let url = url_for(&query);
    let body = json!({
        "query": query,
        "number_of_results": 0,
        "results": [
            {
                "url": url,
                "title": format!("{query} - canned result"),
                "content": snippet_for(&query),
                "publishedDate": null,
                "thumbnail": "",
                "engine": "duckduckgo",
                "template": "default.html",
                "parsed_url": ["https", "search.example", "/", "", "", ""],
                "img_src": "",
                "priority": "",
                "engines": ["duckduckgo", "brave"],
                "positions": [1, 2],
                "score": 3.0,
                "category": "general",
            },
            {
                "url": "https://second.example/",
                "title": "Second result",
                "content": "Another page.",
                "engine": "brave",
                "engines": ["brave"],
                "positions": [2],
                "score": 0.5,
                "category": "general",
            }
        ],
        "answers": [],
        "corrections": [],
        "infoboxes": [],
        "suggestions": [],
        "unresponsive_engines": [],
    });
    axum::Json(body).into_response()
}
