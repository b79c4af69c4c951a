//! `openai-wire serve` on a SQLite file, killed (`SIGKILL`) while streams are in flight, then
//! started again on the same file, three times over. After every restart, every response a
//! client saw created is final: `completed` if its client saw it complete, else `failed` with
//! the interrupted message (never `in_progress`, never missing); continuing an interrupted one
//! works; nothing in the file is left `in_progress`; and the file passes
//! `PRAGMA integrity_check` right after each kill. Some streams are killed the moment their
//! client sees `response.created`: the gateway stores a response `in_progress` before that
//! event goes out.
//!
//! The scripted Chat Completions upstream runs in the test process, so it outlives the gateway:
//! model `quick` answers three words at once, `slow` a word every 50 ms for a minute, and
//! `silent` sends no headers for a minute (the gateway opens the client's stream before them).

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::http::header;
use axum::response::Response;
use axum::routing::post;
use openai_wire_gateway::store::INTERRUPTED_MESSAGE;
use serde_json::{Value, json};

const ROUNDS: usize = 3;
/// Per round: streams that finish before the kill, streams cut mid-content, streams cut
/// before the upstream answered.
const QUICK: usize = 3;
const SLOW: usize = 3;
const SILENT: usize = 2;
/// Per round: streams whose gateway is killed as soon as their client sees them created.
const LATE: usize = 6;

/// Generous: how long anything the test waits for may take.
const PATIENCE: Duration = Duration::from_secs(20);

// ---------------------------------------------------------------------------------------------
// The scripted upstream

fn chunk(delta: &str, finish: Option<&str>) -> Bytes {
    let finish = finish.map_or("null".to_owned(), |f| format!("\"{f}\""));
    Bytes::from(format!(
        "data: {{\"id\":\"chatcmpl-crash\",\"object\":\"chat.completion.chunk\",\"created\":1795437521,\"model\":\"scripted\",\"choices\":[{{\"index\":0,\"delta\":{delta},\"finish_reason\":{finish}}}]}}\n\n"
    ))
}

async fn chat(body: Bytes) -> Response {
    let request: Value = serde_json::from_slice(&body).unwrap_or_default();
    let model = request["model"].as_str().unwrap_or_default().to_owned();
    let (words, every) = match model.as_str() {
        "slow" => (1200, Duration::from_millis(50)),
        "silent" => {
            tokio::time::sleep(Duration::from_secs(60)).await;
            (1, Duration::ZERO)
        }
        _ => (3, Duration::ZERO),
    };
    let stream = futures_util::stream::unfold(0u32, move |step| async move {
        let frame = match step {
            0 => chunk(r#"{"role":"assistant","content":""}"#, None),
            n if n <= words => {
                tokio::time::sleep(every).await;
                chunk(&format!(r#"{{"content":"word{n} "}}"#), None)
            }
            n if n == words + 1 => chunk("{}", Some("stop")),
            n if n == words + 2 => Bytes::from_static(b"data: [DONE]\n\n"),
            _ => return None,
        };
        Some((Ok::<_, std::convert::Infallible>(frame), step + 1))
    });
    Response::builder()
        .header(header::CONTENT_TYPE, "text/event-stream")
        .body(Body::from_stream(stream))
        .expect("static response parts")
}

/// Starts the upstream; its port.
async fn start_upstream() -> u16 {
    let app = Router::new().route("/v1/chat/completions", post(chat));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, app).await });
    port
}

// ---------------------------------------------------------------------------------------------
// The gateway

/// `openai-wire serve`, killed (SIGKILL) when dropped.
struct Gateway {
    child: Child,
    base: String,
}

impl Drop for Gateway {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `openai-wire serve` on the SQLite file `store`, on a free port; its log goes to
/// `log`. Waits for `/health`.
async fn start_gateway(
    store: &Path,
    upstream: u16,
    log: &Path,
    client: &reqwest::Client,
) -> Gateway {
    let listen = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .to_string();
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_openai-wire"));
    command
        .args(["serve", "--store"])
        .arg(store)
        .args(["--upstream", &format!("http://127.0.0.1:{upstream}/v1")])
        .args(["--listen", &listen])
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(log);
    // The gateway's configuration is the flags', not the environment's.
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("OPENAI_WIRE_") {
            command.env_remove(name);
        }
    }
    let child = command.spawn().expect("openai-wire serve starts");
    let mut gateway = Gateway {
        child,
        base: format!("http://{listen}"),
    };
    let deadline = Instant::now() + PATIENCE;
    loop {
        let health = client.get(format!("{}/health", gateway.base)).send().await;
        if health.is_ok_and(|r| r.status().is_success()) {
            return gateway;
        }
        if let Ok(Some(status)) = gateway.child.try_wait() {
            panic!("openai-wire serve exited at start: {status}");
        }
        assert!(
            Instant::now() < deadline,
            "the gateway did not answer /health"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

// ---------------------------------------------------------------------------------------------
// The clients

/// What a streaming client saw.
#[derive(Debug, Default, Clone)]
struct Seen {
    id: Option<String>,
    deltas: usize,
    completed: bool,
    /// The stream ended (cleanly or cut).
    ended: bool,
}

/// Streams a `store: true` response of `model`, noting what arrives in `seen`.
async fn stream(
    client: reqwest::Client,
    base: String,
    model: &'static str,
    seen: Arc<Mutex<Seen>>,
) {
    let body = json!({"model": model, "input": "Say something.", "stream": true, "store": true});
    let sent = client
        .post(format!("{base}/v1/responses"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(body.to_string())
        .send()
        .await;
    if let Ok(mut response) = sent {
        let mut text = String::new();
        while let Ok(Some(bytes)) = response.chunk().await {
            text.push_str(&String::from_utf8_lossy(&bytes));
            // Whole lines only; the rest waits for the next chunk.
            let Some(end) = text.rfind('\n') else {
                continue;
            };
            let lines: String = text.drain(..=end).collect();
            let mut seen = seen.lock().unwrap();
            for data in lines.lines().filter_map(|l| l.strip_prefix("data:")) {
                let Ok(event) = serde_json::from_str::<Value>(data.trim()) else {
                    continue;
                };
                match event["type"].as_str().unwrap_or_default() {
                    "response.created" => {
                        seen.id = event["response"]["id"].as_str().map(str::to_owned);
                    }
                    "response.output_text.delta" => seen.deltas += 1,
                    "response.completed" => seen.completed = true,
                    _ => {}
                }
            }
        }
    }
    seen.lock().unwrap().ended = true;
}

/// Waits until `ready` holds for every one of `streams`.
async fn wait_for(streams: &[Arc<Mutex<Seen>>], what: &str, ready: impl Fn(&Seen) -> bool) {
    let deadline = Instant::now() + PATIENCE;
    while !streams.iter().all(|s| ready(&s.lock().unwrap())) {
        let states: Vec<Seen> = streams.iter().map(|s| s.lock().unwrap().clone()).collect();
        assert!(
            Instant::now() < deadline,
            "streams never {what}: {states:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn get_json(client: &reqwest::Client, url: String) -> (u16, Value) {
    let response = client.get(url).send().await.expect("the gateway answers");
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    let value = serde_json::from_str(&text).unwrap_or(Value::String(text));
    (status, value)
}

// ---------------------------------------------------------------------------------------------
// The store

async fn open(path: &Path) -> sqlx::SqlitePool {
    let options = sqlx::sqlite::SqliteConnectOptions::new().filename(path);
    sqlx::sqlite::SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await
        .unwrap()
}

/// `PRAGMA integrity_check` of the file, with no gateway running.
async fn integrity_check(path: &Path) -> String {
    let pool = open(path).await;
    let rows: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_all(&pool)
        .await
        .unwrap();
    pool.close().await;
    rows.join("\n")
}

/// The responses the file holds `in_progress`, or still marked as being written.
async fn unfinished(path: &Path) -> Vec<String> {
    let pool = open(path).await;
    let ids = sqlx::query_scalar(
        "SELECT id FROM responses WHERE writer IS NOT NULL \
         OR json_extract(response, '$.status') = 'in_progress'",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    pool.close().await;
    ids
}

// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_during_streams_leaves_every_response_final_and_the_file_intact() {
    let started = Instant::now();
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("gateway.db");
    let log = dir.path().join("gateway.log");
    let upstream = start_upstream().await;
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    // Every response a client saw created, with whether it saw it complete.
    let mut responses: BTreeMap<String, bool> = BTreeMap::new();
    let mut gateway = start_gateway(&store, upstream, &log, &client).await;

    for round in 1..=ROUNDS {
        let mut tasks = Vec::new();
        let mut launch = |model: &'static str, count: usize| {
            let streams: Vec<_> = (0..count).map(|_| Arc::default()).collect();
            for seen in &streams {
                let task = stream(
                    client.clone(),
                    gateway.base.clone(),
                    model,
                    Arc::clone(seen),
                );
                tasks.push(tokio::spawn(task));
            }
            streams
        };
        let quick = launch("quick", QUICK);
        let slow = launch("slow", SLOW);
        let silent = launch("silent", SILENT);
        wait_for(&quick, "completed", |s| s.completed && s.ended).await;
        wait_for(&slow, "streamed content", |s| {
            s.id.is_some() && s.deltas >= 2
        })
        .await;
        wait_for(&silent, "were created", |s| s.id.is_some()).await;
        // And a few killed the moment their client sees them created.
        let late = launch("silent", LATE);
        wait_for(&late, "were created", |s| s.id.is_some()).await;

        // kill -9, in the middle of the slow and silent streams.
        gateway.child.kill().unwrap();
        gateway.child.wait().unwrap();
        wait_for(&slow, "ended when the gateway died", |s| s.ended).await;
        for seen in quick.iter().chain(&slow).chain(&silent).chain(&late) {
            let seen = seen.lock().unwrap();
            let id = seen.id.clone().expect("response.created was seen");
            responses.insert(id, seen.completed);
        }
        for task in tasks {
            task.abort();
        }
        assert_eq!(
            integrity_check(&store).await,
            "ok",
            "round {round}: the file after kill -9"
        );

        // The same file again: nothing is left in progress, before any request is served.
        gateway = start_gateway(&store, upstream, &log, &client).await;
        assert_eq!(
            unfinished(&store).await,
            Vec::<String>::new(),
            "round {round}: left in progress after the restart"
        );
        for (id, completed) in &responses {
            let (status, response) =
                get_json(&client, format!("{}/v1/responses/{id}", gateway.base)).await;
            assert_eq!(status, 200, "round {round}: {id} is missing: {response}");
            if *completed {
                assert_eq!(response["status"], "completed", "round {round}: {response}");
                continue;
            }
            assert_eq!(response["status"], "failed", "round {round}: {response}");
            assert_eq!(response["error"]["code"], "server_error", "{response}");
            assert_eq!(
                response["error"]["message"], INTERRUPTED_MESSAGE,
                "{response}"
            );
        }
        // Continuing an interrupted response works (its history is what was stored).
        let interrupted = slow[0].lock().unwrap().id.clone().unwrap();
        let body = json!({"model": "quick", "input": "Go on.", "store": false,
            "previous_response_id": interrupted});
        let answer = client
            .post(format!("{}/v1/responses", gateway.base))
            .header(header::CONTENT_TYPE, "application/json")
            .body(body.to_string())
            .send()
            .await
            .unwrap();
        let status = answer.status().as_u16();
        let text = answer.text().await.unwrap();
        assert!(!text.contains("in progress"), "round {round}: {text}");
        assert_eq!(status, 200, "round {round}: {text}");
        let continued: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(continued["status"], "completed", "{continued}");
    }
    let total = responses.len();
    assert_eq!(total, ROUNDS * (QUICK + SLOW + SILENT + LATE));
    drop(gateway);
    assert_eq!(integrity_check(&store).await, "ok", "the file at the end");
    // Generous: the whole test takes a few seconds.
    assert!(
        started.elapsed() < Duration::from_secs(120),
        "took {:?}",
        started.elapsed()
    );
}
