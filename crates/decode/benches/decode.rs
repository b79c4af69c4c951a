//! Framing and full typed decoding of Responses streams, against the Rust peer pipeline measured
//! in the same run: `eventsource-stream` framing feeding `async-openai`'s `ResponseStreamEvent`.
//! Also Chat Completions chunks decoded owned and as views (`chat/…`), the gateway's upstream
//! events.
//!
//! Run: `cargo bench -p openai-wire-decode --bench decode`
//!
//! Before the timed benchmarks it prints the allocations per `response.output_text.delta` event of
//! each pipeline (counted by a global allocator wrapper, not timed).

use std::alloc::System;
use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group};
use futures::StreamExt;
use openai_wire_decode::{DecodeStream, Decoder, Format, Item};
use openai_wire_events::{ChatCompletionStreamEvent, ResponseStreamEvent, StreamEvent};
use openai_wire_sse::Parser;
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

#[path = "../../../benches/support.rs"]
mod support;
use support::{CHUNK, largest_corpus_files_in, synthetic_responses_stream};

/// Counts allocations, to report allocations per event.
#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

fn chunks(bytes: &[u8]) -> Vec<Result<bytes::Bytes, std::io::Error>> {
    bytes
        .chunks(CHUNK)
        .map(|c| Ok(bytes::Bytes::copy_from_slice(c)))
        .collect()
}

/// openai-wire: framing only.
fn ours_framing(bytes: &[u8]) -> u64 {
    let mut parser = Parser::new();
    let mut frames = 0;
    for chunk in bytes.chunks(CHUNK) {
        parser.feed(chunk);
        while let Some(item) = parser.next_item() {
            frames += u64::from(matches!(item, Ok(openai_wire_sse::Item::Event(_))));
        }
    }
    parser.finish();
    while parser.next_item().is_some() {}
    frames
}

/// openai-wire: framing and typed decoding, sans-IO.
fn ours_decode(bytes: &[u8]) -> (u64, u64) {
    decode_owned::<ResponseStreamEvent>(bytes)
}

/// openai-wire: framing and typed decoding into owned `E` events, sans-IO.
fn decode_owned<E: StreamEvent>(bytes: &[u8]) -> (u64, u64) {
    let mut decoder = Decoder::<E>::new(Format::Sse);
    let (mut events, mut errors) = (0, 0);
    for chunk in bytes.chunks(CHUNK) {
        decoder.feed(chunk);
        while let Some(item) = decoder.next_item() {
            match item {
                Ok(Item::Event(decoded)) => {
                    black_box(&decoded.event);
                    events += 1;
                }
                Ok(_) => {}
                Err(_) => errors += 1,
            }
        }
    }
    decoder.finish();
    while decoder.next_item().is_some() {}
    (events, errors)
}

/// openai-wire: framing and borrowed views (`Decoder::next_view`), sans-IO.
fn ours_view(bytes: &[u8]) -> (u64, u64) {
    decode_views::<ResponseStreamEvent>(bytes)
}

/// openai-wire: framing and borrowed views of `E` events (`Decoder::next_view`), sans-IO.
fn decode_views<E: StreamEvent>(bytes: &[u8]) -> (u64, u64) {
    let mut decoder = Decoder::<E>::new(Format::Sse);
    let (mut events, mut errors) = (0, 0);
    for chunk in bytes.chunks(CHUNK) {
        decoder.feed(chunk);
        while let Some(item) = decoder.next_view() {
            match item {
                Ok(Item::Event(decoded)) => {
                    black_box(&decoded.event);
                    events += 1;
                }
                Ok(_) => {}
                Err(_) => errors += 1,
            }
        }
    }
    decoder.finish();
    while decoder.next_view().is_some() {}
    (events, errors)
}

/// openai-wire: the `futures::Stream` adapter, on the same executor as the peer.
fn ours_stream(chunks: Vec<Result<bytes::Bytes, std::io::Error>>) -> (u64, u64) {
    futures::executor::block_on(async {
        let mut stream =
            DecodeStream::<_, ResponseStreamEvent>::new(futures::stream::iter(chunks), Format::Sse);
        let (mut events, mut errors) = (0, 0);
        while let Some(item) = stream.next().await {
            match item {
                Ok(openai_wire_decode::OwnedItem::Event(decoded)) => {
                    black_box(&decoded.event);
                    events += 1;
                }
                Ok(_) => {}
                Err(_) => errors += 1,
            }
        }
        (events, errors)
    })
}

/// openai-wire: the `futures::Stream` adapter handing out borrowed views
/// (`DecodeStream::for_each_view`), on the same executor as the peer.
fn ours_stream_views(chunks: Vec<Result<bytes::Bytes, std::io::Error>>) -> (u64, u64) {
    futures::executor::block_on(async {
        let mut stream =
            DecodeStream::<_, ResponseStreamEvent>::new(futures::stream::iter(chunks), Format::Sse);
        let (mut events, mut errors) = (0, 0);
        stream
            .for_each_view(|item| {
                match item {
                    Ok(Item::Event(decoded)) => {
                        black_box(&decoded.event);
                        events += 1;
                    }
                    Ok(_) => {}
                    Err(_) => errors += 1,
                }
                std::ops::ControlFlow::Continue(())
            })
            .await
            .expect("in-memory chunks do not fail");
        (events, errors)
    })
}

/// The peer: eventsource-stream framing only.
fn peer_framing(chunks: Vec<Result<bytes::Bytes, std::io::Error>>) -> u64 {
    use eventsource_stream::Eventsource;
    futures::executor::block_on(async {
        let mut stream = futures::stream::iter(chunks).eventsource();
        let mut frames = 0;
        while let Some(event) = stream.next().await {
            if let Ok(event) = event {
                black_box(&event);
                frames += 1;
            }
        }
        frames
    })
}

/// The peer: eventsource-stream feeding async-openai's `ResponseStreamEvent` (serde's internally
/// tagged enum), the pipeline async-openai runs for `responses().create_stream()`.
fn peer_decode(chunks: Vec<Result<bytes::Bytes, std::io::Error>>) -> (u64, u64) {
    use eventsource_stream::Eventsource;
    futures::executor::block_on(async {
        let mut stream = futures::stream::iter(chunks).eventsource();
        let (mut events, mut errors) = (0, 0);
        while let Some(event) = stream.next().await {
            let Ok(event) = event else {
                errors += 1;
                continue;
            };
            if event.data == "[DONE]" {
                continue;
            }
            match serde_json::from_str::<async_openai::types::responses::ResponseStreamEvent>(
                &event.data,
            ) {
                Ok(parsed) => {
                    black_box(&parsed);
                    events += 1;
                }
                Err(_) => errors += 1,
            }
        }
        (events, errors)
    })
}

/// A stream of delta events only, to count allocations per delta.
fn delta_stream(n: usize) -> Vec<u8> {
    let mut out = Vec::new();
    for seq in 0..n {
        out.extend_from_slice(format!(
            "event: response.output_text.delta\ndata: {{\"type\":\"response.output_text.delta\",\"sequence_number\":{seq},\"item_id\":\"msg_68c1f0a7e9d48193a5b2c4d6e8f0a1b2\",\"output_index\":0,\"content_index\":0,\"delta\":\" word\",\"logprobs\":[],\"obfuscation\":\"Xy7Qp2\"}}\n\n"
        ).as_bytes());
    }
    out
}

/// A Chat Completions stream of content chunks only, as a provider streams them to the gateway
/// (the shape of `gateway_load`'s upstream): what the gateway decodes per upstream event.
fn chat_chunk_stream(n: usize) -> Vec<u8> {
    let mut out = Vec::new();
    for seq in 0..n {
        out.extend_from_slice(format!(
            "data: {{\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion.chunk\",\"created\":1765000000,\"model\":\"bench-model\",\"system_fingerprint\":\"fp_bench\",\"choices\":[{{\"index\":0,\"delta\":{{\"content\":\" word{seq}\"}},\"logprobs\":null,\"finish_reason\":null}}]}}\n\n"
        ).as_bytes());
    }
    out
}

fn allocations_per_event(name: &str, n: u64, run: impl FnOnce() -> u64) {
    let region = Region::new(GLOBAL);
    let events = run();
    let stats = region.change();
    assert_eq!(events, n, "{name} decoded every event");
    let allocations = stats.allocations + stats.reallocations;
    println!(
        "allocations per delta event, {name}: {:.2}",
        allocations as f64 / n as f64
    );
}

fn report_allocations() {
    const N: usize = 100_000;
    let stream = delta_stream(N);
    let pieces = chunks(&stream);
    allocations_per_event("openai-wire Decoder (framing + typed)", N as u64, || {
        ours_decode(&stream).0
    });
    allocations_per_event(
        "openai-wire Decoder views (framing + typed)",
        N as u64,
        || ours_view(&stream).0,
    );
    let chat = chat_chunk_stream(N);
    allocations_per_event("openai-wire Decoder, Chat chunks", N as u64, || {
        decode_owned::<ChatCompletionStreamEvent>(&chat).0
    });
    allocations_per_event("openai-wire Decoder views, Chat chunks", N as u64, || {
        decode_views::<ChatCompletionStreamEvent>(&chat).0
    });
    allocations_per_event("openai-wire framing only", N as u64, || {
        ours_framing(&stream)
    });
    let copy = pieces
        .iter()
        .map(|c| Ok(c.as_ref().expect("chunk").clone()))
        .collect();
    allocations_per_event("openai-wire DecodeStream (futures)", N as u64, || {
        ours_stream(copy).0
    });
    let copy = pieces
        .iter()
        .map(|c| Ok(c.as_ref().expect("chunk").clone()))
        .collect();
    allocations_per_event("openai-wire DecodeStream views (futures)", N as u64, || {
        ours_stream_views(copy).0
    });
    let copy = pieces
        .iter()
        .map(|c| Ok(c.as_ref().expect("chunk").clone()))
        .collect();
    allocations_per_event("peer eventsource-stream + async-openai", N as u64, || {
        peer_decode(copy).0
    });
    let copy = pieces
        .iter()
        .map(|c| Ok(c.as_ref().expect("chunk").clone()))
        .collect();
    allocations_per_event("peer eventsource-stream framing only", N as u64, || {
        peer_framing(copy)
    });
}

fn bench_inputs() -> Vec<(String, Vec<u8>)> {
    let mut inputs = vec![(
        "synthetic_100k_deltas".to_owned(),
        synthetic_responses_stream(),
    )];
    for (path, bytes) in largest_corpus_files_in("responses", 2) {
        let name = path
            .file_stem()
            .map(|s| s.to_string_lossy().chars().take(48).collect())
            .unwrap_or_default();
        inputs.push((name, bytes));
    }
    inputs
}

/// Chat chunks owned and as views: what a view could save the gateway per upstream event.
fn bench_chat_chunks(c: &mut Criterion) {
    const N: usize = 10_000;
    let chat = chat_chunk_stream(N);
    let mut group = c.benchmark_group("chat/10k_content_chunks");
    group.throughput(Throughput::Elements(N as u64));
    group.bench_function("decode: openai-wire Decoder", |b| {
        b.iter(|| black_box(decode_owned::<ChatCompletionStreamEvent>(black_box(&chat))))
    });
    group.bench_function("decode: openai-wire Decoder views", |b| {
        b.iter(|| black_box(decode_views::<ChatCompletionStreamEvent>(black_box(&chat))))
    });
    group.finish();
}

fn bench(c: &mut Criterion) {
    bench_chat_chunks(c);
    for (name, bytes) in bench_inputs() {
        let ours = ours_decode(&bytes);
        let peer = peer_decode(chunks(&bytes));
        println!(
            "{name}: {} bytes; openai-wire {} events / {} errors; peer {} events / {} errors",
            bytes.len(),
            ours.0,
            ours.1,
            peer.0,
            peer.1
        );
        let mut group = c.benchmark_group(format!("responses/{name}"));
        group.throughput(Throughput::Bytes(bytes.len() as u64));
        group.bench_function("framing: openai-wire-sse", |b| {
            b.iter(|| black_box(ours_framing(black_box(&bytes))))
        });
        group.bench_function("framing: eventsource-stream", |b| {
            b.iter_batched(
                || chunks(&bytes),
                |c| black_box(peer_framing(c)),
                criterion::BatchSize::LargeInput,
            )
        });
        group.bench_function("decode: openai-wire Decoder", |b| {
            b.iter(|| black_box(ours_decode(black_box(&bytes))))
        });
        group.bench_function("decode: openai-wire Decoder views", |b| {
            b.iter(|| black_box(ours_view(black_box(&bytes))))
        });
        group.bench_function("decode: openai-wire DecodeStream", |b| {
            b.iter_batched(
                || chunks(&bytes),
                |c| black_box(ours_stream(c)),
                criterion::BatchSize::LargeInput,
            )
        });
        group.bench_function("decode: openai-wire DecodeStream views", |b| {
            b.iter_batched(
                || chunks(&bytes),
                |c| black_box(ours_stream_views(c)),
                criterion::BatchSize::LargeInput,
            )
        });
        group.bench_function("decode: eventsource-stream + async-openai", |b| {
            b.iter_batched(
                || chunks(&bytes),
                |c| black_box(peer_decode(c)),
                criterion::BatchSize::LargeInput,
            )
        });
        group.finish();
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(std::time::Duration::from_secs(1)).measurement_time(std::time::Duration::from_secs(4)).sample_size(20);
    targets = bench
}

fn main() {
    report_allocations();
    benches();
    Criterion::default().configure_from_args().final_summary();
}
