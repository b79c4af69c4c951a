//! Issue 12, defects 1, 6 and 11, against the real gateway (`Gateway::serve`) and the scripted
//! Chat upstream (`support/upstream.rs`):
//! - stored responses belong to the client key that made them (any other key: 404, as unknown);
//! - a response a stopped gateway left `in_progress` is failed when a gateway starts, and a
//!   live instance's stream on a shared PostgreSQL is left alone;
//! - the envelope key is generated once and kept in the store (shared by instances, kept over
//!   restarts).

mod support;

use std::path::Path;

use futures_util::{SinkExt, StreamExt};
use openai_wire_gateway::{Config, Gateway, SqlStore, Store, StoreConfig};
use serde_json::{Value, json};
use support::upstream::Upstream;
use tokio::sync::oneshot;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

/// A served gateway, stopped when dropped.
struct Served {
    base: String,
    _stop: oneshot::Sender<()>,
}

async fn serve(gateway: Gateway) -> Served {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(async move {
        let _ = gateway
            .serve(listener, async {
                let _ = stopped.await;
            })
            .await;
    });
    Served { base, _stop: stop }
}

fn config(upstream: &Upstream, keys: &[&str], store: StoreConfig) -> Config {
    support::gateway::config_for(upstream, 30, |config| {
        config.client_api_keys = keys.iter().map(|k| (*k).to_owned()).collect();
        config.store = store;
    })
}

async fn request(
    method: reqwest::Method,
    url: String,
    key: Option<&str>,
    body: Option<&Value>,
) -> (u16, String) {
    let mut request = reqwest::Client::new().request(method, url);
    if let Some(key) = key {
        request = request.bearer_auth(key);
    }
    if let Some(body) = body {
        request = request.json(body);
    }
    let response = request.send().await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

async fn get(base: &str, path: &str, key: Option<&str>) -> (u16, String) {
    request(reqwest::Method::GET, format!("{base}{path}"), key, None).await
}

async fn post(base: &str, key: Option<&str>, body: &Value) -> (u16, String) {
    let url = format!("{base}/v1/responses");
    request(reqwest::Method::POST, url, key, Some(body)).await
}

/// A streamed, stored turn; its response id.
async fn create(base: &str, key: Option<&str>, previous: Option<&str>) -> String {
    let mut body = json!({"model": "scripted", "input": "hello", "stream": true});
    if let Some(previous) = previous {
        body["previous_response_id"] = json!(previous);
    }
    let (status, sse) = post(base, key, &body).await;
    assert_eq!(status, 200, "{sse}");
    let completed = sse
        .lines()
        .filter_map(|line| line.strip_prefix("data: "))
        .filter_map(|data| serde_json::from_str::<Value>(data).ok())
        .find(|event| event["type"] == "response.completed")
        .unwrap_or_else(|| panic!("no response.completed in {sse}"));
    completed["response"]["id"].as_str().unwrap().to_owned()
}

/// One WebSocket-mode turn continuing `previous` with `key`: the type of its last event.
async fn ws_continue(base: &str, key: &str, previous: &str) -> Value {
    let url = format!("{}/v1/responses", base.replacen("http", "ws", 1));
    let mut request = url.into_client_request().unwrap();
    request.headers_mut().insert(
        "OpenAI-Beta",
        "responses_websockets=2026-02-06".parse().unwrap(),
    );
    request
        .headers_mut()
        .insert("Authorization", format!("Bearer {key}").parse().unwrap());
    let (mut socket, _) = tokio_tungstenite::connect_async(request).await.unwrap();
    let event = json!({"type": "response.create", "model": "scripted", "input": "more",
        "previous_response_id": previous});
    socket
        .send(Message::Text(event.to_string().into()))
        .await
        .unwrap();
    loop {
        match socket.next().await {
            Some(Ok(Message::Text(text))) => {
                let event: Value = serde_json::from_str(&text).unwrap();
                if matches!(
                    event["type"].as_str(),
                    Some("response.completed" | "response.failed" | "error")
                ) {
                    return event;
                }
            }
            Some(Ok(_)) => {}
            other => panic!("expected an event, got {other:?}"),
        }
    }
}

/// Defect 1: key B gets 404 on everything of key A's, over HTTP and WebSocket mode, and its
/// continuation sends nothing of A's upstream; A keeps them.
#[tokio::test]
async fn another_keys_responses_are_unknown_everywhere_and_the_owner_keeps_them() {
    let upstream = Upstream::start().await;
    let gateway = Gateway::new(config(&upstream, &["key-a", "key-b"], StoreConfig::Memory)).await;
    let gw = serve(gateway.unwrap()).await;
    let (a, b) = (Some("key-a"), Some("key-b"));
    let id = create(&gw.base, a, None).await;
    let sent_upstream = upstream.requests().len();

    for path in [
        format!("/v1/responses/{id}"),
        format!("/v1/responses/{id}?stream=true"),
        format!("/v1/responses/{id}/input_items"),
    ] {
        let (status, body) = get(&gw.base, &path, b).await;
        assert_eq!(status, 404, "{path}: {body}");
        assert!(body.contains("not found"), "{path}: {body}");
    }
    let body = json!({"model": "scripted", "input": "more", "previous_response_id": id});
    let (status, answer) = post(&gw.base, b, &body).await;
    // What an unknown id gets (OpenAI answers 400 `previous_response_not_found`).
    assert_eq!(status, 400, "{answer}");
    assert!(answer.contains("previous_response_not_found"), "{answer}");
    let event = ws_continue(&gw.base, "key-b", &id).await;
    assert_eq!(event["type"], "error", "{event}");
    assert_eq!(
        event["error"]["code"], "previous_response_not_found",
        "{event}"
    );
    let url = format!("{}/v1/responses/{id}", gw.base);
    let (status, _) = request(reqwest::Method::DELETE, url.clone(), b, None).await;
    assert_eq!(status, 404);
    assert_eq!(
        upstream.requests().len(),
        sent_upstream,
        "key B's continuations never reached the upstream with A's history"
    );

    // A still has it all.
    for path in [
        format!("/v1/responses/{id}"),
        format!("/v1/responses/{id}?stream=true"),
        format!("/v1/responses/{id}/input_items"),
    ] {
        let (status, body) = get(&gw.base, &path, a).await;
        assert_eq!(status, 200, "{path}: {body}");
    }
    let next = create(&gw.base, a, Some(&id)).await;
    let event = ws_continue(&gw.base, "key-a", &next).await;
    assert_eq!(event["type"], "response.completed", "{event}");
    // The continuation's response is A's too.
    assert_eq!(
        get(&gw.base, &format!("/v1/responses/{next}"), b).await.0,
        404
    );
    let (status, _) = request(reqwest::Method::DELETE, url, a, None).await;
    assert_eq!(status, 200);
}

/// Defect 1: a gateway without client keys is unchanged: anyone reads, continues, deletes.
#[tokio::test]
async fn a_gateway_without_keys_keeps_todays_behaviour() {
    let upstream = Upstream::start().await;
    let gateway = Gateway::new(config(&upstream, &[], StoreConfig::Memory)).await;
    let gw = serve(gateway.unwrap()).await;
    let id = create(&gw.base, None, None).await;
    assert_eq!(
        get(&gw.base, &format!("/v1/responses/{id}"), None).await.0,
        200
    );
    let path = format!("/v1/responses/{id}/input_items");
    assert_eq!(get(&gw.base, &path, None).await.0, 200);
    create(&gw.base, None, Some(&id)).await;
    let url = format!("{}/v1/responses/{id}", gw.base);
    assert_eq!(
        request(reqwest::Method::DELETE, url, None, None).await.0,
        200
    );
}

/// Writes, straight into the SQLite file, a response a crashed gateway left `in_progress`
/// (its writer's lease an hour old).
async fn write_crashed_response(path: &Path, id: &str) {
    SqlStore::sqlite(path).await.unwrap().close().await;
    let url = format!("sqlite://{}", path.display());
    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let response = json!({"id": id, "object": "response", "created_at": now,
        "status": "in_progress", "model": "scripted", "output": []});
    let input = json!([{"id": "msg_1", "type": "message", "role": "user", "content": "hi"}]);
    sqlx::query(
        "INSERT INTO responses (id, created_at, response, input_items, has_events, writer) \
         VALUES ($1, $2, $3, $4, 0, 'crashed-instance')",
    )
    .bind(id)
    .bind(now)
    .bind(response.to_string())
    .bind(input.to_string())
    .execute(&pool)
    .await
    .unwrap();
    sqlx::query("INSERT INTO gateway_instances (id, heartbeat_at) VALUES ('crashed-instance', $1)")
        .bind(now - 3600)
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
}

/// Defect 6: a response a crashed gateway left `in_progress` is failed once a gateway starts
/// on the file, and continuing it is no longer "still in progress".
#[tokio::test]
async fn a_response_left_in_progress_by_a_crash_is_failed_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("gateway.db");
    write_crashed_response(&path, "resp_crashed").await;
    let upstream = Upstream::start().await;
    let gateway = Gateway::new(config(&upstream, &[], StoreConfig::Sqlite(path.clone()))).await;
    let gw = serve(gateway.unwrap()).await;
    let (status, body) = get(&gw.base, "/v1/responses/resp_crashed", None).await;
    assert_eq!(status, 200, "{body}");
    let response: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(response["status"], "failed", "{response}");
    assert_eq!(response["error"]["code"], "server_error");
    let message = response["error"]["message"].as_str().unwrap();
    assert!(message.contains("gateway stopped"), "{message}");
    let body =
        json!({"model": "scripted", "input": "again", "previous_response_id": "resp_crashed"});
    let (status, answer) = post(&gw.base, None, &body).await;
    assert_eq!(status, 200, "{answer}");
    assert!(!answer.contains("in progress"), "{answer}");
}

/// Defect 11: two gateways on one store share the generated envelope key (a compaction sealed
/// by one opens on the other), a restart keeps it, and a gateway on another store has another.
#[tokio::test]
async fn the_generated_envelope_key_is_shared_by_a_store_and_kept_over_restarts() {
    let dir = tempfile::tempdir().unwrap();
    let shared = StoreConfig::Sqlite(dir.path().join("shared.db"));
    let upstream = Upstream::start().await;
    let one = serve(
        Gateway::new(config(&upstream, &[], shared.clone()))
            .await
            .unwrap(),
    )
    .await;
    let two = serve(
        Gateway::new(config(&upstream, &[], shared.clone()))
            .await
            .unwrap(),
    )
    .await;
    let compact = json!({"model": "scripted", "input": [
        {"type": "message", "role": "user", "content": "fix the parser"}]});
    let url = format!("{}/v1/responses/compact", one.base);
    let (status, answer) = request(reqwest::Method::POST, url, None, Some(&compact)).await;
    assert_eq!(status, 200, "{answer}");
    let answer: Value = serde_json::from_str(&answer).unwrap();
    let compaction = answer["output"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(compaction["type"], "compaction", "{answer}");
    let later = json!({"model": "scripted", "store": false, "input": [
        compaction, {"type": "message", "role": "user", "content": "what next?"}]});
    let (status, body) = post(&two.base, None, &later).await;
    assert_eq!(status, 200, "the other instance opens it: {body}");
    drop(one);
    let again = serve(Gateway::new(config(&upstream, &[], shared)).await.unwrap()).await;
    let (status, body) = post(&again.base, None, &later).await;
    assert_eq!(status, 200, "a restart opens it: {body}");
    let other = StoreConfig::Sqlite(dir.path().join("other.db"));
    let elsewhere = serve(Gateway::new(config(&upstream, &[], other)).await.unwrap()).await;
    let (status, body) = post(&elsewhere.base, None, &later).await;
    assert_eq!(status, 400, "another store, another key: {body}");
    assert!(body.contains("encrypted_content"), "{body}");
}

/// Defects 6 and 11 on PostgreSQL: a second instance starting leaves the first one's stream in
/// progress alone, and both have the same secret.
#[tokio::test]
async fn on_postgres_a_second_instance_leaves_a_live_stream_alone() {
    use support::postgres::Postgres;
    if Postgres::find_bin().is_none() {
        eprintln!("skipped: no PostgreSQL binaries");
        return;
    }
    let server = Postgres::start().expect("PostgreSQL binaries found but the server did not start");
    let store = StoreConfig::Postgres(server.url());
    let upstream = Upstream::start().await;
    let first = serve(
        Gateway::new(config(&upstream, &[], store.clone()))
            .await
            .unwrap(),
    )
    .await;
    // A stream that stalls after its first chunk, kept open.
    let response = reqwest::Client::new()
        .post(format!("{}/v1/responses", first.base))
        .json(&json!({"model": "stall", "input": "hello", "stream": true}))
        .send()
        .await
        .unwrap();
    let mut body = response.bytes_stream();
    let mut seen = String::new();
    let id = loop {
        let chunk = body.next().await.unwrap().unwrap();
        seen.push_str(&String::from_utf8_lossy(&chunk));
        let created = seen
            .lines()
            .filter_map(|line| line.strip_prefix("data: "))
            .filter_map(|data| serde_json::from_str::<Value>(data).ok())
            .find(|event| event["type"] == "response.created");
        if let Some(created) = created {
            break created["response"]["id"].as_str().unwrap().to_owned();
        }
    };
    let path = format!("/v1/responses/{id}");
    let mut stored = None;
    for _ in 0..100 {
        let (status, body) = get(&first.base, &path, None).await;
        if status == 200 {
            stored = Some(body);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(stored.unwrap().contains("in_progress"));
    // The second instance has run its recovery before it answers.
    let second = serve(
        Gateway::new(config(&upstream, &[], store.clone()))
            .await
            .unwrap(),
    )
    .await;
    let (status, body) = get(&second.base, &path, None).await;
    assert_eq!(status, 200, "{body}");
    let response: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(response["status"], "in_progress", "left alone: {response}");
    // The same secret for both, hence the same envelope key.
    let a = SqlStore::postgres(&server.url()).await.unwrap();
    let b = SqlStore::postgres(&server.url()).await.unwrap();
    assert_eq!(a.secret().await.unwrap(), b.secret().await.unwrap());
}

/// Defect 11: `OPENAI_WIRE_ENVELOPE_SECRET` overrides the stored key: gateways on two stores
/// (two generated secrets) open each other's compactions when it is set. The environment is
/// the process's: the test runs itself again as a child process with the variable set.
#[tokio::test]
async fn the_envelope_secret_variable_overrides_the_stored_key() {
    const SECRET: &str = "an operator's secret for the test";
    if std::env::var("OPENAI_WIRE_ENVELOPE_SECRET").as_deref() != Ok(SECRET) {
        let child = std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "the_envelope_secret_variable_overrides_the_stored_key",
            ])
            .env("OPENAI_WIRE_ENVELOPE_SECRET", SECRET)
            .output()
            .unwrap();
        let out = String::from_utf8_lossy(&child.stdout);
        assert!(
            child.status.success(),
            "{out}\n{}",
            String::from_utf8_lossy(&child.stderr)
        );
        assert!(out.contains("1 passed"), "{out}");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let upstream = Upstream::start().await;
    let on = |name: &str| config(&upstream, &[], StoreConfig::Sqlite(dir.path().join(name)));
    let one = serve(Gateway::new(on("one.db")).await.unwrap()).await;
    let two = serve(Gateway::new(on("two.db")).await.unwrap()).await;
    let compact = json!({"model": "scripted", "input": [
        {"type": "message", "role": "user", "content": "fix the parser"}]});
    let url = format!("{}/v1/responses/compact", one.base);
    let (status, answer) = request(reqwest::Method::POST, url, None, Some(&compact)).await;
    assert_eq!(status, 200, "{answer}");
    let answer: Value = serde_json::from_str(&answer).unwrap();
    let compaction = answer["output"].as_array().unwrap().last().unwrap().clone();
    let later = json!({"model": "scripted", "store": false, "input": [
        compaction, {"type": "message", "role": "user", "content": "what next?"}]});
    let (status, body) = post(&two.base, None, &later).await;
    assert_eq!(status, 200, "the variable's key, not the stores': {body}");
}
