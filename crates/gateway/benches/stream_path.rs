//! The user-space work per event of the gateway's stream path, without the network's wake-ups:
//! a Chat upstream in this process streams a whole answer at once, and the gateway's router is
//! called in process (no client socket). Two paths over the same upstream answer:
//!
//! - `responses`: `POST /v1/responses` (`store: false`, as Codex sends): the Chat chunks are
//!   decoded, converted to Responses events, recorded and written as SSE;
//! - `chat passthrough`: `POST /v1/chat/completions`, the same bytes passed through and watched.
//!
//! The difference is what decoding, conversion, recording and writing cost per event; the
//! load benchmark (`openai-wire`'s `gateway_load`) measures the whole process at a model's
//! pace, where the wake-ups dominate.
//!
//! Before timing, it prints the allocations per event of each path (a counting global
//! allocator; the in-process upstream's and client's allocations are in both paths alike).
//!
//! ```text
//! cargo bench -p openai-wire-gateway --bench stream_path
//! ```

use std::alloc::System;
use std::sync::Arc;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::http::{Request, header};
use axum::routing::post;
use axum::serve::ListenerExt;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use http_body_util::BodyExt;
use openai_wire_gateway::config::ProviderConfig;
use openai_wire_gateway::{Config, Gateway, MemoryStore};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};
use tower::ServiceExt;

/// Counts allocations, for the allocations per event.
#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// Content chunks per answer: as many as the load benchmark's streams have, and ten times that
/// (the difference between the two gives the cost per request apart from the cost per event).
const SIZES: [usize; 2] = [40, 400];

/// A Chat answer as a provider streams it: a role chunk, `content_chunks` content chunks, a
/// finish chunk, a usage chunk and `[DONE]`, each its own body frame.
fn chat_answer(content_chunks: usize) -> Vec<Bytes> {
    let chunk = |delta: &str, finish: &str| {
        Bytes::from(format!(
            "data: {{\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion.chunk\",\"created\":1765000000,\"model\":\"bench-model\",\"system_fingerprint\":\"fp_bench\",\"choices\":[{{\"index\":0,\"delta\":{delta},\"logprobs\":null,\"finish_reason\":{finish}}}]}}\n\n"
        ))
    };
    let mut frames = vec![chunk(r#"{"role":"assistant","content":""}"#, "null")];
    for n in 0..content_chunks {
        frames.push(chunk(&format!(r#"{{"content":" word{n}"}}"#), "null"));
    }
    frames.push(chunk("{}", r#""stop""#));
    frames.push(Bytes::from_static(
        b"data: {\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion.chunk\",\"created\":1765000000,\"model\":\"bench-model\",\"choices\":[],\"usage\":{\"prompt_tokens\":20,\"completion_tokens\":400,\"total_tokens\":420}}\n\ndata: [DONE]\n\n",
    ));
    frames
}

/// Serves [`chat_answer`] on `POST /v1/chat/completions`, as many content chunks as the
/// requested model's name says (`bench-40`); the upstream's base URL.
async fn start_upstream() -> String {
    let answers: Arc<Vec<(String, Vec<Bytes>)>> = Arc::new(
        SIZES
            .iter()
            .map(|&n| (format!("\"bench-{n}\""), chat_answer(n)))
            .collect(),
    );
    let app = Router::new().route(
        "/v1/chat/completions",
        post(move |request: Bytes| {
            let answers = answers.clone();
            async move {
                let request = String::from_utf8_lossy(&request);
                let (_, frames) = answers
                    .iter()
                    .find(|(model, _)| request.contains(model.as_str()))
                    .expect("a bench model");
                let stream = futures_util::stream::iter(
                    frames
                        .iter()
                        .cloned()
                        .map(Ok::<_, std::convert::Infallible>)
                        .collect::<Vec<_>>(),
                );
                axum::response::Response::builder()
                    .header(header::CONTENT_TYPE, "text/event-stream")
                    .body(Body::from_stream(stream))
                    .expect("a response")
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a port");
    let address = listener.local_addr().expect("an address");
    // Without TCP_NODELAY, Nagle's algorithm holds the small frames of a short answer until the
    // gateway's delayed acknowledgement (tens of milliseconds).
    let listener = listener.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
    });
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{address}/v1")
}

fn gateway(upstream: &str) -> Router {
    let mut provider = ProviderConfig::new(upstream.to_owned());
    provider.models = SIZES.iter().map(|n| format!("bench-{n}")).collect();
    let mut config = Config::default();
    config.providers.insert("bench".into(), provider);
    config.default_provider = Some("bench".into());
    Gateway::with_store(config, Arc::new(MemoryStore::new()))
        .expect("a gateway")
        .router()
}

/// The body of a streaming Responses request (`store: false`, as Codex sends) for `model`.
fn responses_body(model: &str) -> String {
    format!(
        r#"{{"model":"{model}","stream":true,"store":false,"instructions":"You are a coding agent.","input":[{{"type":"message","role":"user","content":[{{"type":"input_text","text":"Say something."}}]}}]}}"#
    )
}

/// The body of a streaming Chat Completions request for `model`.
fn chat_body(model: &str) -> String {
    format!(
        r#"{{"model":"{model}","stream":true,"stream_options":{{"include_usage":true}},"messages":[{{"role":"system","content":"You are a coding agent."}},{{"role":"user","content":"Say something."}}]}}"#
    )
}

/// One streamed answer through the router: its body's bytes.
async fn one(router: &Router, path: &str, body: String) -> Bytes {
    let request = Request::post(path)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body))
        .expect("a request");
    let response = router.clone().oneshot(request).await.expect("an answer");
    assert!(response.status().is_success(), "{}", response.status());
    response
        .into_body()
        .collect()
        .await
        .expect("a body")
        .to_bytes()
}

/// Builds a path's request body for a model name.
type RequestBody = fn(&str) -> String;

/// Allocations (and reallocations) of one answer of `path` for each of [`SIZES`], and per
/// content chunk from their difference.
fn report_allocations(
    runtime: &tokio::runtime::Runtime,
    router: &Router,
    path: &str,
    body: RequestBody,
) {
    let counts = SIZES.map(|content_chunks| {
        let body = body(&format!("bench-{content_chunks}"));
        let region = Region::new(GLOBAL);
        runtime.block_on(one(router, path, body));
        let stats = region.change();
        stats.allocations + stats.reallocations
    });
    let per_event = (counts[1] as f64 - counts[0] as f64) / (SIZES[1] - SIZES[0]) as f64;
    println!(
        "allocations, {path}: {} for {} chunks, {} for {}: {per_event:.1} per content chunk",
        counts[0], SIZES[0], counts[1], SIZES[1]
    );
}

fn stream_path(c: &mut Criterion) {
    // One thread for the upstream, the gateway and the client: no wake-up crosses threads, so
    // the time is the work (on a VM, waking an idle vCPU can cost more than an event's work).
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let router = runtime.block_on(async { gateway(&start_upstream().await) });
    let paths: [(&str, RequestBody); 2] = [
        ("/v1/responses", responses_body),
        ("/v1/chat/completions", chat_body),
    ];
    for (path, body) in paths {
        // Warm (connection pool, lazy statics), then counted.
        report_allocations(&runtime, &router, path, body);
        report_allocations(&runtime, &router, path, body);
    }
    for content_chunks in SIZES {
        let model = format!("bench-{content_chunks}");
        // What each path must deliver, checked once before timing.
        let responses = runtime.block_on(one(&router, "/v1/responses", responses_body(&model)));
        let text = String::from_utf8_lossy(&responses);
        assert_eq!(
            text.matches("event: response.output_text.delta").count(),
            content_chunks
        );
        assert!(text.contains("event: response.completed"));
        let chat = runtime.block_on(one(&router, "/v1/chat/completions", chat_body(&model)));
        assert_eq!(
            String::from_utf8_lossy(&chat)
                .matches("\"content\":\" word")
                .count(),
            content_chunks
        );
        assert!(chat.ends_with(b"data: [DONE]\n\n"));

        let mut group = c.benchmark_group(format!(
            "gateway stream path, {content_chunks} content chunks"
        ));
        group.throughput(Throughput::Elements(content_chunks as u64));
        group.bench_function("responses", |b| {
            b.to_async(&runtime)
                .iter(|| one(&router, "/v1/responses", responses_body(&model)));
        });
        group.bench_function("chat passthrough", |b| {
            b.to_async(&runtime)
                .iter(|| one(&router, "/v1/chat/completions", chat_body(&model)));
        });
        group.finish();
    }
}

criterion_group!(benches, stream_path);
criterion_main!(benches);
