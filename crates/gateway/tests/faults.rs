//! The fault-injection suite (issue 12, acceptance): one table of upstream fault modes, and for
//! each what four observers see, against the real gateway and the scripted Chat upstream
//! (`support/upstream.rs`, whose `model` names script the faults):
//!
//! - a streaming client: the terminal event (`response.completed`, `.incomplete`, `.failed` and
//!   its `error.code`), the stream conformant (`support::assert_responses_conformant`);
//! - a non-streaming client: the HTTP status and the error code, or 200 and the response's
//!   status;
//! - the store, for `store: true` requests: the final status of every record the gateway wrote
//!   (polled briefly: a record never stays `in_progress`);
//! - `/metrics`: the change of `openai_wire_requests_total{endpoint="responses"}` by `status`
//!   (a stream counts as the status its error would have had), of
//!   `openai_wire_streams_total{endpoint="responses"}` by `outcome`, and of
//!   `openai_wire_upstream_errors_total` by `code` for the row's own provider.
//!
//! Each row gets its own gateway, store and provider (named after the row, so that its
//! `upstream_errors_total` series are its own). The metrics recorder is process-global and
//! `openai_wire_streams_total` has no provider label, so the rows run one after another in one
//! test, and this binary has no other test. Every mismatch of every row is collected, then
//! reported together with the table as observed.
//!
//! Small bounds keep it fast: idle timeout 1 s, `max_response_bytes` 256 KiB,
//! `max_response_secs` 2 s.

mod support;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::future::BoxFuture;
use openai_wire_gateway::{MemoryStore, Store, StoreError, StoredResponse};
use serde_json::{Value, json};
use support::gateway::{Running, config_for, start_with_store};
use support::upstream::{CUMULATIVE_TEXT, Upstream};

/// How a streamed answer ended, or how a non-streamed one was answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum End {
    /// `response.completed` / 200 `completed`.
    Completed,
    /// `response.incomplete` / 200 `incomplete`, for this `incomplete_details.reason`.
    Incomplete(&'static str),
    /// `response.failed` with this `error.code` / an HTTP error with this status and code (the
    /// status only for the non-streaming client).
    Failed(u16, &'static str),
}

impl End {
    /// The status a final stored record has.
    fn stored(self) -> &'static str {
        match self {
            End::Completed => "completed",
            End::Incomplete(_) => "incomplete",
            End::Failed(..) => "failed",
        }
    }

    /// The `status` label of `openai_wire_requests_total` (a stream counts as the status its
    /// error would have had).
    fn status(self) -> u16 {
        match self {
            End::Failed(status, _) => status,
            _ => 200,
        }
    }

    /// The `outcome` label of `openai_wire_streams_total`.
    fn outcome(self) -> &'static str {
        self.stored()
    }

    /// How a streaming client sees it: the terminal event and its code.
    fn as_stream(self) -> String {
        match self {
            End::Completed => "response.completed".into(),
            End::Incomplete(reason) => format!("response.incomplete {reason}"),
            End::Failed(_, code) => format!("response.failed {code}"),
        }
    }

    /// How a non-streaming client sees it: the HTTP status, then the code or the status.
    fn as_json(self) -> String {
        match self {
            End::Completed => "200 completed".into(),
            End::Incomplete(reason) => format!("200 incomplete {reason}"),
            End::Failed(status, code) => format!("{status} {code}"),
        }
    }
}

/// When the fault strikes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum When {
    /// Before the upstream's answer (no status, or an error status): a non-streaming client
    /// gets the HTTP error and nothing is stored for it; a streaming client already has
    /// `response.created` (the stream opens at once), so its response ends `failed` and is
    /// stored so.
    BeforeAnswer,
    /// In the answer's body: both clients' responses end the same way and are stored so.
    InStream,
}

/// One fault mode and what every observer should see.
struct Row {
    /// The fault, as the issue names it (also the provider's name: `faults-<mode>`).
    mode: &'static str,
    /// The scripted upstream's `model` (`None`: a provider at a closed port, nothing listening).
    model: Option<&'static str>,
    /// When the fault strikes.
    when: When,
    /// The end for a streaming client (and its stored record and `streams_total` outcome).
    stream: End,
    /// The end for a non-streaming client (and its stored record, if one is written).
    json: End,
    /// The `openai_wire_upstream_errors_total` codes the fault itself counts, once per request.
    /// A response that ends `failed` also counts `response_failed`, except a non-streaming one
    /// refused before the answer (it never became a response).
    upstream_errors: &'static [&'static str],
}

const fn row(
    mode: &'static str,
    model: Option<&'static str>,
    when: When,
    (stream, json): (End, End),
    upstream_errors: &'static [&'static str],
) -> Row {
    Row {
        mode,
        model,
        when,
        stream,
        json,
        upstream_errors,
    }
}

use End::{Completed, Failed, Incomplete};
use When::{BeforeAnswer, InStream};

/// The same end for both clients.
const fn both(end: End) -> (End, End) {
    (end, end)
}

/// The table. An error status keeps the upstream's code (and the status OpenAI gives that
/// code); a stream that breaks off, ends early or says something malformed is `server_error`;
/// a silence past the idle timeout and a response past `max_response_secs` are
/// `upstream_timeout`; a response past `max_response_bytes` is OpenAI's `incomplete` for
/// `max_output_tokens`.
const TABLE: &[Row] = &[
    // Nothing listens: 502 for the JSON client, with `server_error` (whose own status is 500:
    // the stream's failure counts as a 500 in `openai_wire_requests_total`).
    row(
        "refused",
        None,
        BeforeAnswer,
        (Failed(500, "server_error"), Failed(502, "server_error")),
        &["connect"],
    ),
    row(
        "401",
        Some("fail:401"),
        BeforeAnswer,
        both(Failed(502, "upstream_authentication_failed")),
        &["upstream_authentication_failed"],
    ),
    row(
        "429",
        Some("fail:429"),
        BeforeAnswer,
        both(Failed(429, "rate_limit_exceeded")),
        &["rate_limit_exceeded"],
    ),
    row(
        "500",
        Some("fail:500"),
        BeforeAnswer,
        both(Failed(500, "server_error")),
        &["server_error"],
    ),
    row(
        "503",
        Some("fail:503"),
        BeforeAnswer,
        both(Failed(503, "server_is_overloaded")),
        &["server_is_overloaded"],
    ),
    // A load balancer's 502 page.
    row(
        "html",
        Some("fail:html"),
        BeforeAnswer,
        both(Failed(500, "server_error")),
        &["server_error"],
    ),
    row(
        "hang before headers",
        Some("hang:forever"),
        BeforeAnswer,
        both(Failed(504, "upstream_timeout")),
        &["idle_timeout"],
    ),
    row(
        "hang mid-stream",
        Some("stall"),
        InStream,
        both(Failed(504, "upstream_timeout")),
        &["idle_timeout"],
    ),
    row(
        "drop mid-stream",
        Some("drop"),
        InStream,
        both(Failed(500, "server_error")),
        &["stream_cut"],
    ),
    row(
        "malformed chunk",
        Some("malformed"),
        InStream,
        both(Failed(500, "server_error")),
        &["malformed_chunk"],
    ),
    // One event past the decoder's 4 MiB cap: refused as malformed, not buffered on.
    row(
        "huge event",
        Some("huge"),
        InStream,
        both(Failed(500, "server_error")),
        &["malformed_chunk"],
    ),
    row(
        "endless stream",
        Some("endless"),
        InStream,
        both(Incomplete("max_output_tokens")),
        &["max_response_bytes"],
    ),
    // Never silent, never done: the duration bound ends it.
    row(
        "endless trickle",
        Some("trickle"),
        InStream,
        both(Failed(504, "upstream_timeout")),
        &["max_response_secs"],
    ),
    // Perplexity's chunks (the whole text so far in `message.content`, beside the delta).
    row(
        "cumulative content",
        Some("cumulative"),
        InStream,
        both(Completed),
        &[],
    ),
    // No `finish_reason`, no `[DONE]`, then a clean end of the body.
    row(
        "no finish and EOF",
        Some("eof"),
        InStream,
        both(Failed(500, "server_error")),
        &[],
    ),
];

/// A memory store that remembers the id of every record it is given.
#[derive(Default)]
struct Recording {
    inner: MemoryStore,
    ids: Mutex<Vec<String>>,
}

impl Recording {
    /// The ids given so far, each once, in order.
    fn ids(&self) -> Vec<String> {
        self.ids.lock().unwrap().clone()
    }
}

impl Store for Recording {
    fn put(
        &self,
        record: StoredResponse,
        events: Option<Vec<String>>,
    ) -> BoxFuture<'_, Result<(), StoreError>> {
        {
            let mut ids = self.ids.lock().unwrap();
            if !ids.contains(&record.id) {
                ids.push(record.id.clone());
            }
        }
        self.inner.put(record, events)
    }

    fn get<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<Option<StoredResponse>, StoreError>> {
        self.inner.get(id)
    }

    fn events<'a>(
        &'a self,
        id: &'a str,
        starting_after: Option<i64>,
    ) -> BoxFuture<'a, Result<Option<Vec<String>>, StoreError>> {
        self.inner.events(id, starting_after)
    }

    fn delete<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<bool, StoreError>> {
        self.inner.delete(id)
    }

    fn purge_created_before(&self, before: i64) -> BoxFuture<'_, Result<u64, StoreError>> {
        self.inner.purge_created_before(before)
    }

    fn ping(&self) -> BoxFuture<'_, Result<(), StoreError>> {
        self.inner.ping()
    }

    fn secret(&self) -> BoxFuture<'_, Result<Option<String>, StoreError>> {
        self.inner.secret()
    }
}

/// A gateway for one row: provider `faults-<mode>` in front of `upstream`, or of a closed port.
async fn gateway_for(upstream: &Upstream, row: &Row, store: Arc<Recording>) -> Running {
    let closed = match row.model {
        Some(_) => None,
        None => Some(closed_port().await),
    };
    let config = config_for(upstream, 1, |config| {
        let mut provider = config.providers.remove("scripted").unwrap();
        provider.models.clear();
        if let Some(port) = closed {
            provider.base_url = format!("http://127.0.0.1:{port}/v1");
        }
        let name = provider_name(row);
        config.providers.insert(name.clone(), provider);
        config.default_provider = Some(name);
        config.max_response_bytes = 256 << 10;
        config.max_response_duration = Duration::from_secs(2);
    });
    start_with_store(config, store).await
}

/// A loopback port nothing listens on (bound, then let go).
async fn closed_port() -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    listener.local_addr().unwrap().port()
}

fn provider_name(row: &Row) -> String {
    format!("faults-{}", row.mode.replace(' ', "-"))
}

fn request(row: &Row, stream: bool) -> Value {
    json!({
        "model": row.model.unwrap_or("anything"),
        "input": "x",
        "stream": stream,
        "store": true,
    })
}

// ---- observer: a streaming client ----

/// What a streaming client saw: how the stream ended, and the response's id; its text and its
/// error's message go to `text` and `message`.
async fn streaming_client(
    gateway: &Running,
    row: &Row,
    text: &mut String,
    message: &mut String,
) -> (String, String) {
    let response = reqwest::Client::new()
        .post(format!("{}/v1/responses", gateway.base))
        .json(&request(row, true))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "{}: the stream opens", row.mode);
    let body = response.text().await.unwrap();
    support::assert_responses_conformant(&body);
    let events: Vec<Value> = body
        .lines()
        .filter_map(|line| line.strip_prefix("data: "))
        .map(|data| serde_json::from_str(data).unwrap())
        .collect();
    let last = events.last().unwrap_or_else(|| panic!("no event\n{body}"));
    let response = &last["response"];
    let seen = match last["type"].as_str().unwrap_or_default() {
        "response.failed" => format!("response.failed {}", str_of(&response["error"]["code"])),
        "response.incomplete" => format!(
            "response.incomplete {}",
            str_of(&response["incomplete_details"]["reason"])
        ),
        other => other.to_owned(),
    };
    if let Some(error) = response["error"]["message"].as_str() {
        message.push_str(error);
    }
    if let Some(done) = events
        .iter()
        .rev()
        .find(|e| e["type"] == "response.output_text.done")
    {
        text.push_str(done["text"].as_str().unwrap_or_default());
    }
    (seen, str_of(&response["id"]))
}

// ---- observer: a non-streaming client ----

/// What a non-streaming client saw: the HTTP status, then the error code or the response's
/// status (and its incomplete reason).
async fn non_streaming_client(gateway: &Running, row: &Row) -> String {
    let response = reqwest::Client::new()
        .post(format!("{}/v1/responses", gateway.base))
        .json(&request(row, false))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let body: Value = response.json().await.unwrap();
    if status != 200 {
        assert!(body["error"]["message"].is_string(), "{}: {body}", row.mode);
        if row.model.is_none() {
            // The cause is named, not only "could not be reached".
            let message = str_of(&body["error"]["message"]).to_lowercase();
            assert!(message.contains("refused"), "{}: {body}", row.mode);
        }
        return format!("{status} {}", str_of(&body["error"]["code"]));
    }
    match body["status"].as_str().unwrap_or_default() {
        "incomplete" => format!(
            "200 incomplete {}",
            str_of(&body["incomplete_details"]["reason"])
        ),
        other => format!("200 {other}"),
    }
}

// ---- observer: the store ----

/// The final status of every record the store was given that is not in `before`, in order,
/// polled for up to 3 s while one is `in_progress` (then reported as such).
async fn stored_statuses(store: &Recording, before: &[String]) -> Vec<String> {
    let deadline = Instant::now() + Duration::from_secs(3);
    loop {
        let mut statuses = Vec::new();
        for id in store.ids().iter().filter(|id| !before.contains(id)) {
            let record = store.get(id).await.unwrap().unwrap();
            statuses.push(str_of(&record.response["status"]));
        }
        if !statuses.iter().any(|s| s == "in_progress") || Instant::now() > deadline {
            return statuses;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

// ---- observer: /metrics ----

/// The samples of `name` in a Prometheus text, each with its labels.
fn samples(metrics: &str, name: &str) -> Vec<(BTreeMap<String, String>, f64)> {
    metrics
        .lines()
        .filter_map(|line| {
            let rest = line.strip_prefix(name)?;
            let (labels, value) = match rest.strip_prefix('{') {
                Some(rest) => rest.split_once("} ")?,
                None => ("", rest.strip_prefix(' ')?),
            };
            let labels = labels
                .split("\",")
                .filter_map(|pair| {
                    let (key, value) = pair.split_once("=\"")?;
                    Some((key.to_owned(), value.trim_end_matches('"').to_owned()))
                })
                .collect();
            Some((labels, value.trim().parse().ok()?))
        })
        .collect()
}

/// The counters this suite reads: `requests:<status>` and `streams:<outcome>` for
/// `/v1/responses`, and `upstream:<code>` for the row's provider.
async fn counters(gateway: &Running, row: &Row) -> BTreeMap<String, f64> {
    let text = support::metrics_text(&gateway.base).await;
    let provider = provider_name(row);
    let mut out = BTreeMap::new();
    for (labels, value) in samples(&text, "openai_wire_requests_total") {
        if labels.get("endpoint").map(String::as_str) == Some("responses") {
            out.insert(format!("requests:{}", labels["status"]), value);
        }
    }
    for (labels, value) in samples(&text, "openai_wire_streams_total") {
        if labels.get("endpoint").map(String::as_str) == Some("responses") {
            out.insert(format!("streams:{}", labels["outcome"]), value);
        }
    }
    for (labels, value) in samples(&text, "openai_wire_upstream_errors_total") {
        if labels.get("provider") == Some(&provider) {
            out.insert(format!("upstream:{}", labels["code"]), value);
        }
    }
    out
}

/// What changed between two [`counters`] readings: `name+delta`, sorted.
fn delta(before: &BTreeMap<String, f64>, after: &BTreeMap<String, f64>) -> Vec<String> {
    after
        .iter()
        .filter_map(|(name, value)| {
            let grown = value - before.get(name).copied().unwrap_or(0.0);
            (grown != 0.0).then(|| format!("{name}+{grown}"))
        })
        .collect()
}

/// What [`delta`] should read after one request of `row`, streamed or not.
fn expected_delta(row: &Row, streamed: bool) -> Vec<String> {
    let end = if streamed { row.stream } else { row.json };
    let mut out: Vec<String> = row
        .upstream_errors
        .iter()
        .map(|code| format!("upstream:{code}+1"))
        .collect();
    if matches!(end, Failed(..)) && (streamed || row.when == InStream) {
        out.push("upstream:response_failed+1".into());
    }
    if streamed {
        out.push(format!("streams:{}+1", end.outcome()));
    }
    out.push(format!("requests:{}+1", end.status()));
    out.sort();
    out
}

/// What the store should hold after one `store: true` request of `row`, streamed or not.
fn expected_records(row: &Row, streamed: bool) -> Vec<&'static str> {
    match (streamed, row.when) {
        (true, _) => vec![row.stream.stored()],
        (false, InStream) => vec![row.json.stored()],
        (false, BeforeAnswer) => Vec::new(),
    }
}

fn str_of(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Every observer, for one row; the mismatches (empty: all as expected) and the row as
/// observed, for the report.
async fn run_row(upstream: &Upstream, row: &Row) -> (Vec<String>, String) {
    let store = Arc::new(Recording::default());
    let gateway = gateway_for(upstream, row, store.clone()).await;
    let mut wrong = Vec::new();
    let mut check = |what: &str, seen: &dyn std::fmt::Debug, expected: &dyn std::fmt::Debug| {
        let (seen, expected) = (format!("{seen:?}"), format!("{expected:?}"));
        if seen != expected {
            wrong.push(format!(
                "{}: {what}: saw {seen}, expected {expected}",
                row.mode
            ));
        }
    };

    // A streaming client, then the store and the metrics for it.
    let before = counters(&gateway, row).await;
    let (mut text, mut message) = (String::new(), String::new());
    let (streamed, id) = streaming_client(&gateway, row, &mut text, &mut message).await;
    check("streaming client", &streamed, &row.stream.as_stream());
    if matches!(row.stream, Failed(..)) {
        // Said in words, never as the upstream's markup.
        check(
            "the failure has a plain message",
            &(message.len() > 20 && !message.contains('<')),
            &true,
        );
    }
    let stream_records = stored_statuses(&store, &[]).await;
    check(
        "store after the stream",
        &stream_records,
        &expected_records(row, true),
    );
    check(
        "the stored record is the streamed response",
        &store.ids().first(),
        &Some(&id),
    );
    let stream_metrics = delta(&before, &counters(&gateway, row).await);
    check(
        "metrics after the stream",
        &stream_metrics,
        &expected_delta(row, true),
    );
    if row.model == Some("cumulative") {
        // The deltas are the text; the cumulative `message.content` beside them is not added.
        check("the streamed text", &text, &CUMULATIVE_TEXT);
    }

    // A non-streaming client, then the store and the metrics for it.
    let before = counters(&gateway, row).await;
    let ids_before = store.ids();
    let answered = non_streaming_client(&gateway, row).await;
    check("non-streaming client", &answered, &row.json.as_json());
    let json_records = stored_statuses(&store, &ids_before).await;
    check(
        "store after the non-streaming request",
        &json_records,
        &expected_records(row, false),
    );
    let json_metrics = delta(&before, &counters(&gateway, row).await);
    check(
        "metrics after the non-streaming request",
        &json_metrics,
        &expected_delta(row, false),
    );

    gateway.stop().await;
    let observed = format!(
        "| {} | {} ({message:?}) | {} | {:?} / {:?} | {} / {} |",
        row.mode,
        streamed,
        answered,
        stream_records,
        json_records,
        stream_metrics.join(" "),
        json_metrics.join(" "),
    );
    (wrong, observed)
}

#[tokio::test]
async fn every_fault_mode_as_every_observer_sees_it() {
    let upstream = Upstream::start().await;
    let started = Instant::now();
    let mut wrong = Vec::new();
    let mut table = String::from(
        "| mode | streaming client | non-streaming client | store (stream / json) | metrics (stream / json) |\n",
    );
    for row in TABLE {
        let began = Instant::now();
        let (mismatches, observed) = run_row(&upstream, row).await;
        wrong.extend(mismatches);
        writeln!(table, "{observed} {:.1} s", began.elapsed().as_secs_f64()).unwrap();
    }
    println!("{table}");
    assert!(wrong.is_empty(), "{}\n\n{table}", wrong.join("\n"));
    // Generous: the bounds are 1 to 2 s, and a row takes two requests.
    assert!(
        started.elapsed() < Duration::from_secs(120),
        "{:?}",
        started.elapsed()
    );
}
