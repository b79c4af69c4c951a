//! Web search done by the gateway (issue 13, item 6), against a local SearXNG-compatible
//! backend (`support/searxng.rs`) and the scripted Chat upstream:
//!
//! - with a backend, the hosted `web_search` tool becomes a function; when the model calls it,
//!   the search runs inside the same response (a `web_search_call` item streamed as OpenAI
//!   does), the results go back to the upstream, and the model answers;
//! - the loop is bounded by `max_searches`;
//! - `POST /v1/alpha/search` (Codex's standalone web search) is served from the backend;
//! - without a backend, the tool is dropped and the response says so in a header.

mod support;

use openai_wire_gateway::{Config, SearchBackendKind, WebSearchConfig};
use serde_json::{Value, json};
use support::gateway::{Running, config_for, start};
use support::searxng::{Searxng, snippet_for, url_for};
use support::upstream::Upstream;

const QUERY: &str = "openai-wire release notes";

fn with_search(config: &mut Config, searxng: &Searxng, max_searches: usize) {
    let mut search = WebSearchConfig::new(SearchBackendKind::Searxng, Some(searxng.url()));
    search.max_searches = max_searches;
    config.web_search = Some(search);
}

fn map_model(config: &mut Config, to: &str) {
    for provider in config.providers.values_mut() {
        provider.model_map.insert("gpt-5.5".into(), to.into());
    }
}

/// Posts a streaming request offering `web_search`; the SSE body and the headers.
async fn stream_with_web_search(gateway: &Running) -> (String, reqwest::header::HeaderMap) {
    let response = reqwest::Client::new()
        .post(format!("{}/v1/responses", gateway.base))
        .json(&json!({
            "model": "gpt-5.5", "stream": true, "store": false,
            "input": "What is new in openai-wire?",
            "tools": [{"type": "web_search"}],
            "include": ["web_search_call.action.sources"],
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let headers = response.headers().clone();
    (response.text().await.unwrap(), headers)
}

fn events(body: &str) -> Vec<Value> {
    body.lines()
        .filter_map(|line| line.strip_prefix("data: "))
        .map(|data| serde_json::from_str(data).unwrap())
        .collect()
}

fn completed(events: &[Value]) -> &Value {
    &events.last().unwrap()["response"]
}

#[tokio::test]
async fn a_web_search_runs_inside_the_response_and_the_model_answers_from_it() {
    let upstream = Upstream::start().await;
    let searxng = Searxng::start().await;
    let gateway = start(config_for(&upstream, 5, |config| {
        with_search(config, &searxng, 4);
        map_model(config, "turns:web_search");
    }))
    .await;
    let (body, headers) = stream_with_web_search(&gateway).await;
    support::assert_responses_conformant(&body);
    assert!(headers.get("openai-wire-warning").is_none());
    let events = events(&body);
    let types: Vec<&str> = events.iter().map(|e| e["type"].as_str().unwrap()).collect();
    let position = |kind: &str| types.iter().position(|t| *t == kind).unwrap();
    // As OpenAI streams a web search: added, in_progress, searching, completed, done.
    assert!(
        position("response.web_search_call.in_progress")
            < position("response.web_search_call.searching")
    );
    assert!(
        position("response.web_search_call.searching")
            < position("response.web_search_call.completed")
    );
    assert!(
        position("response.web_search_call.completed") < position("response.output_text.delta")
    );
    assert_eq!(types.last(), Some(&"response.completed"));

    let response = completed(&events);
    assert_eq!(response["status"], "completed");
    let output = response["output"].as_array().unwrap();
    assert_eq!(output.len(), 2, "{output:#?}");
    let search = &output[0];
    assert_eq!(search["type"], "web_search_call");
    assert_eq!(search["status"], "completed");
    assert_eq!(search["action"]["type"], "search");
    assert_eq!(search["action"]["query"], QUERY);
    assert_eq!(search["action"]["sources"][0]["url"], url_for(QUERY));
    assert_eq!(output[1]["type"], "message");
    assert_eq!(
        output[1]["content"][0]["text"],
        "The search says openai-wire ships a Responses gateway."
    );
    // Usage: both upstream rounds.
    let usage = &response["usage"];
    assert_eq!(
        usage["total_tokens"].as_i64().unwrap(),
        usage["input_tokens"].as_i64().unwrap() + usage["output_tokens"].as_i64().unwrap()
    );

    // The backend got the model's query; the upstream got the results, as a tool message
    // answering its call.
    assert_eq!(searxng.queries(), [QUERY]);
    let requests = upstream.requests();
    assert_eq!(requests.len(), 2, "{requests:#?}");
    let offered: Vec<&str> = requests[0]["tools"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t["function"]["name"].as_str())
        .collect();
    assert_eq!(offered, ["web_search"]);
    let messages = requests[1]["messages"].as_array().unwrap();
    let call = &messages[messages.len() - 2]["tool_calls"][0];
    assert_eq!(call["function"]["name"], "web_search");
    let result = &messages[messages.len() - 1];
    assert_eq!(result["role"], "tool");
    assert_eq!(result["tool_call_id"], call["id"]);
    let text = result["content"].as_str().unwrap();
    assert!(text.contains(&snippet_for(QUERY)), "{text}");
    assert!(text.contains(&url_for(QUERY)), "{text}");
}

#[tokio::test]
async fn the_search_loop_stops_at_max_searches() {
    let upstream = Upstream::start().await;
    let searxng = Searxng::start().await;
    let gateway = start(config_for(&upstream, 5, |config| {
        with_search(config, &searxng, 1);
        map_model(config, "turns:web_search_twice");
    }))
    .await;
    let (body, _) = stream_with_web_search(&gateway).await;
    support::assert_responses_conformant(&body);
    let events = events(&body);
    let output = completed(&events)["output"].as_array().unwrap().clone();
    let searches: Vec<&Value> = output
        .iter()
        .filter(|item| item["type"] == "web_search_call")
        .collect();
    assert_eq!(searches.len(), 2, "{output:#?}");
    assert_eq!(searches[0]["status"], "completed");
    // The second search was not run: the limit was reached.
    assert_eq!(searches[1]["status"], "failed");
    assert_eq!(searxng.queries(), [QUERY]);
    // One round for each allowed search and one more, then the response ends.
    let requests = upstream.requests();
    assert_eq!(requests.len(), 2, "{requests:#?}");
}

#[tokio::test]
async fn without_a_backend_web_search_is_dropped_and_the_response_says_so() {
    let upstream = Upstream::start().await;
    let gateway = start(config_for(&upstream, 5, |_| {})).await;
    let (body, headers) = stream_with_web_search(&gateway).await;
    support::assert_responses_conformant(&body);
    let warning = headers
        .get("openai-wire-warning")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    assert!(warning.contains("web_search dropped"), "{headers:?}");
    assert!(warning.contains("[web_search]"), "{warning}");
    let requests = upstream.requests();
    assert!(requests[0].get("tools").is_none(), "{}", requests[0]);
}

fn alpha_search_request() -> Value {
    let path = support::upstream::turns_dir().join("codex/alpha_search.request.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[tokio::test]
async fn alpha_search_is_answered_from_the_backend() {
    let upstream = Upstream::start().await;
    let searxng = Searxng::start().await;
    let gateway = start(config_for(&upstream, 5, |config| {
        with_search(config, &searxng, 4)
    }))
    .await;
    let request = alpha_search_request();
    assert_eq!(request["commands"]["search_query"][0]["q"], "weather oslo");
    let response = reqwest::Client::new()
        .post(format!("{}/v1/alpha/search", gateway.base))
        .json(&request)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    let output = body["output"].as_str().unwrap();
    assert!(output.contains(&snippet_for("weather oslo")), "{output}");
    assert_eq!(searxng.queries(), ["weather oslo"]);
    assert!(upstream.requests().is_empty());
}

#[tokio::test]
async fn alpha_search_without_a_backend_is_a_501_in_openais_shape() {
    let upstream = Upstream::start().await;
    let gateway = start(config_for(&upstream, 5, |_| {})).await;
    let response = reqwest::Client::new()
        .post(format!("{}/v1/alpha/search", gateway.base))
        .json(&alpha_search_request())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 501);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "web_search_not_configured");
    assert_eq!(body["error"]["type"], "invalid_request_error");
}

#[tokio::test]
async fn an_openrouter_provider_gets_its_own_web_search_tool_without_a_backend() {
    let upstream = Upstream::start().await;
    let gateway = start(config_for(&upstream, 5, |config| {
        for provider in config.providers.values_mut() {
            provider.kind = Some(openai_wire_gateway::ProviderKind::OpenRouter);
        }
    }))
    .await;
    let (body, headers) = stream_with_web_search(&gateway).await;
    support::assert_responses_conformant(&body);
    assert!(headers.get("openai-wire-warning").is_none(), "{headers:?}");
    let requests = upstream.requests();
    assert_eq!(
        requests[0]["tools"],
        json!([{"type": "openrouter:web_search"}]),
        "{}",
        requests[0]
    );
}

#[tokio::test]
async fn the_gateways_backend_wins_over_the_providers_own_search() {
    let upstream = Upstream::start().await;
    let searxng = Searxng::start().await;
    let gateway = start(config_for(&upstream, 5, |config| {
        with_search(config, &searxng, 4);
        for provider in config.providers.values_mut() {
            provider.kind = Some(openai_wire_gateway::ProviderKind::OpenRouter);
        }
    }))
    .await;
    let (body, _) = stream_with_web_search(&gateway).await;
    support::assert_responses_conformant(&body);
    let requests = upstream.requests();
    assert_eq!(requests[0]["tools"][0]["function"]["name"], "web_search");
}

#[tokio::test]
async fn a_cumulative_upstream_searches_for_the_query_it_meant() {
    // Each arguments fragment repeats the arguments so far: the query and the call sent back
    // are the converter's reading, not the fragments added up.
    let upstream = Upstream::start().await;
    let searxng = Searxng::start().await;
    let gateway = start(config_for(&upstream, 5, |config| {
        with_search(config, &searxng, 4);
        map_model(config, "cumulative-args:web_search");
    }))
    .await;
    let (body, _) = stream_with_web_search(&gateway).await;
    support::assert_responses_conformant(&body);
    assert_eq!(searxng.queries(), [QUERY]);
    let requests = upstream.requests();
    assert_eq!(requests.len(), 2, "{requests:#?}");
    let messages = requests[1]["messages"].as_array().unwrap();
    let call = &messages[messages.len() - 2]["tool_calls"][0];
    let arguments: Value =
        serde_json::from_str(call["function"]["arguments"].as_str().unwrap()).unwrap();
    assert_eq!(arguments, json!({"query": QUERY}));
}
