//! `POST /v1/alpha/search`: Codex's standalone web search, answered from the gateway's search
//! backend ([`crate::search`]).
//!
//! Codex 0.171 (with `supports_standalone_web_search = true` on its provider and the feature
//! `standalone_web_search`) offers the model a `web.run` function and, when the model calls it,
//! posts the call here (measured, `tests/fixtures/codex/alpha_search.request.json`):
//! `{id, model, input, commands: {search_query: [{q}], …}, settings, max_output_tokens}`. The
//! answer's `output` text becomes the function's output. Only `search_query` is served (at most
//! the backend's `max_searches` queries); the other commands (`open`, `find`, `image_query`,
//! `finance`, `weather`, …) are answered with a line saying the gateway does not run them.

use std::sync::Arc;
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::error::ApiError;
use crate::search::results_text;
use crate::state::AppState;
use crate::telemetry;

/// `POST /v1/alpha/search` → `{"output": "…results…"}`.
pub(crate) async fn search(State(state): State<Arc<AppState>>, body: Bytes) -> Response {
    let started = Instant::now();
    let answer = match answer(&state, &body).await {
        Ok(output) => axum::Json(json!({ "output": output })).into_response(),
        Err(error) => error.into_response(),
    };
    telemetry::request_done("alpha_search", answer.status().as_u16(), started);
    answer
}

async fn answer(state: &AppState, body: &[u8]) -> Result<String, ApiError> {
    let Some(search) = &state.web_search else {
        return Err(ApiError::from_code(
            "web_search_not_configured",
            "This gateway has no web search backend: set [web_search] in its configuration \
             (SearXNG, Brave or Tavily).",
        ));
    };
    let request: Value = serde_json::from_slice(body).map_err(|error| {
        ApiError::invalid_request(None, format!("The body is not valid JSON: {error}"))
    })?;
    let commands = request
        .get("commands")
        .and_then(Value::as_object)
        .ok_or_else(|| {
            ApiError::invalid_request(Some("commands"), "Missing required parameter: 'commands'.")
        })?;
    let queries: Vec<&str> = commands
        .get("search_query")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|query| query.get("q").and_then(Value::as_str))
        .filter(|q| !q.trim().is_empty())
        .take(search.max_searches())
        .collect();
    let mut parts = Vec::new();
    let mut failures = Vec::new();
    for query in &queries {
        match search.search(query).await {
            Ok(hits) => parts.push(results_text(query, &hits)),
            Err(error) => {
                tracing::warn!(%error, "web search failed");
                failures.push(format!("The search for \"{query}\" failed: {error}"));
            }
        }
    }
    if parts.is_empty() && !failures.is_empty() {
        return Err(ApiError::from_code(
            "web_search_failed",
            failures.join("\n"),
        ));
    }
    parts.extend(failures);
    let others: Vec<&str> = commands
        .keys()
        .map(String::as_str)
        .filter(|command| *command != "search_query" && *command != "response_length")
        .collect();
    if !others.is_empty() {
        parts.push(format!(
            "This gateway's web search runs only `search_query`; not run: {}.",
            others.join(", ")
        ));
    }
    if parts.is_empty() {
        parts.push("No search query was given.".to_owned());
    }
    Ok(parts.join("\n\n"))
}
