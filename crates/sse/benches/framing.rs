//! Framing throughput: a synthetic Responses stream and the largest recorded streams of the corpus,
//! fed in 16 KiB chunks.
//!
//! Run: `cargo bench -p openai-wire-sse --bench framing -- --warm-up-time 1 --measurement-time 3`

use std::hint::black_box;

#[path = "../../../benches/support.rs"]
mod support;
use support::{CHUNK, largest_corpus_files, synthetic_responses_stream};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use openai_wire_sse::{Item, Parser, write_frame};

/// Parses `bytes` in 16 KiB chunks; returns the number of frames and data bytes seen.
fn parse_chunked(bytes: &[u8]) -> (u64, usize) {
    let mut parser = Parser::new();
    let mut frames = 0u64;
    let mut data_bytes = 0usize;
    for chunk in bytes.chunks(CHUNK) {
        parser.feed(chunk);
        while let Some(item) = parser.next_item() {
            if let Ok(Item::Event(frame)) = item {
                frames += 1;
                data_bytes += frame.data.len();
            }
        }
    }
    parser.finish();
    while let Some(item) = parser.next_item() {
        black_box(&item);
    }
    (frames, data_bytes)
}

fn bench_synthetic(c: &mut Criterion) {
    let stream = synthetic_responses_stream();
    let (frames, _) = parse_chunked(&stream);
    assert_eq!(frames, 100_000);
    let mut group = c.benchmark_group("framing");
    group.throughput(Throughput::Bytes(stream.len() as u64));
    group.bench_function("synthetic_responses_16k_chunks", |b| {
        b.iter(|| black_box(parse_chunked(black_box(&stream))))
    });
    group.finish();
}

fn bench_corpus(c: &mut Criterion) {
    let mut group = c.benchmark_group("framing_corpus");
    for (path, bytes) in largest_corpus_files(3) {
        let name = path
            .file_stem()
            .map(|s| s.to_string_lossy().chars().take(60).collect::<String>())
            .unwrap_or_default();
        group.throughput(Throughput::Bytes(bytes.len() as u64));
        group.bench_function(name, |b| {
            b.iter(|| black_box(parse_chunked(black_box(&bytes))))
        });
    }
    group.finish();
}

fn bench_writer(c: &mut Criterion) {
    let stream = synthetic_responses_stream();
    let mut frames = Vec::new();
    let mut parser = Parser::new();
    parser.feed(&stream);
    while let Some(Ok(item)) = parser.next_item() {
        if let Item::Event(frame) = item {
            frames.push(frame.into_owned());
        }
    }
    let mut group = c.benchmark_group("writer");
    group.throughput(Throughput::Bytes(stream.len() as u64));
    group.bench_function("synthetic_responses", |b| {
        let mut out = Vec::with_capacity(stream.len());
        b.iter(|| {
            out.clear();
            for frame in &frames {
                write_frame(&mut out, &frame.as_frame()).expect("valid frame");
            }
            black_box(out.len())
        })
    });
    group.finish();
}

criterion_group!(benches, bench_synthetic, bench_corpus, bench_writer);
criterion_main!(benches);
