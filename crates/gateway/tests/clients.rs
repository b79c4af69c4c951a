//! What any client, careful or hostile, meets before a turn starts: client authentication
//! that cannot switch itself off, bounded client connections (timeouts, a connection limit,
//! the file-descriptor limit), and errors in OpenAI's shape for every request the router
//! refuses. Against the real server (`Gateway::serve`) and the scripted upstream.

mod support;

use serde_json::Value;
use support::gateway::{config_for, start};
use support::upstream::Upstream;

fn client() -> reqwest::Client {
    reqwest::Client::new()
}

/// Asserts OpenAI's error shape, `{"error": {"message", "type", "param", "code"}}`, and returns
/// the error.
fn openai_error(body: &str) -> Value {
    let value: Value = serde_json::from_str(body).unwrap_or_else(|_| panic!("not JSON: {body:?}"));
    let error = &value["error"];
    assert!(
        error["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{body}"
    );
    assert!(error["type"].is_string(), "{body}");
    assert!(
        error.get("param").is_some() && error.get("code").is_some(),
        "{body}"
    );
    error.clone()
}

// ---------------------------------------------------------------------------------------------
// Client authentication.

#[tokio::test]
async fn an_empty_key_never_matches_and_the_bearer_scheme_is_case_insensitive() {
    let upstream = Upstream::start().await;
    let gateway = start(config_for(&upstream, 1, |c| {
        c.client_api_keys = vec!["sekret".into()];
    }))
    .await;
    let models = format!("{}/v1/models", gateway.base);
    for (header, value) in [
        ("x-api-key", ""),
        ("x-api-key", "   "),
        ("authorization", "Bearer "),
        ("authorization", "Bearer"),
        ("authorization", "Basic sekret"),
        ("authorization", "Bearer wrong"),
    ] {
        let response = client()
            .get(&models)
            .header(header, value)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 401, "{header}: {value:?}");
        let error = openai_error(&response.text().await.unwrap());
        assert_eq!(error["code"], "invalid_api_key");
    }
    for (header, value) in [
        ("authorization", "bearer sekret"),
        ("authorization", "BEARER sekret"),
        ("authorization", "  Bearer   sekret  "),
        ("x-api-key", " sekret "),
    ] {
        let response = client()
            .get(&models)
            .header(header, value)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{header}: {value:?}");
    }
    gateway.stop().await;
}

#[tokio::test]
async fn a_gateway_with_an_empty_client_key_does_not_start() {
    let upstream = Upstream::start().await;
    let config = config_for(&upstream, 1, |c| {
        c.client_api_keys = vec!["good".into(), String::new()];
    });
    let store = std::sync::Arc::new(openai_wire_gateway::MemoryStore::new());
    let error = openai_wire_gateway::Gateway::with_store(config, store).unwrap_err();
    assert!(
        error.to_string().contains("client_api_keys[1] is empty"),
        "{error}"
    );
}
