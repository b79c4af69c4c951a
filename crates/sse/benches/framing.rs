//! Framing throughput: a synthetic Responses stream and the largest recorded streams of the corpus,
//! fed in 16 KiB chunks.
//!
//! Run: `cargo bench -p openai-wire-sse --bench framing -- --warm-up-time 1 --measurement-time 3`

use std::hint::black_box;
use std::path::{Path, PathBuf};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use openai_wire_sse::{Frame, Item, Parser, write_frame};

const CHUNK: usize = 16 * 1024;

/// 100,000 `response.output_text.delta` events (~250 bytes each), with a ~2 KB
/// `response.output_item.done` every 1000th event, framed as OpenAI frames them.
fn synthetic_responses_stream() -> Vec<u8> {
    let words = [
        "Hello", " world", ",", " the", " quick", " brown", " fox", " jumps", " over", " lazy",
    ];
    let item_id = "msg_68c1f0a7e9d48193a5b2c4d6e8f0a1b20a4b6c8d0e2f4a6b";
    let long_text = "Lorem ipsum dolor sit amet, consectetur adipiscing elit. ".repeat(30);
    let mut out = Vec::with_capacity(30 * 1024 * 1024);
    let mut data = String::new();
    for seq in 0..100_000u32 {
        data.clear();
        let name = if seq % 1000 == 999 {
            data.push_str(&format!(
                r#"{{"type":"response.output_item.done","sequence_number":{seq},"output_index":0,"item":{{"id":"{item_id}","type":"message","status":"completed","content":[{{"type":"output_text","annotations":[],"logprobs":[],"text":"{long_text}"}}],"role":"assistant"}}}}"#
            ));
            "response.output_item.done"
        } else {
            let delta = words[seq as usize % words.len()];
            data.push_str(&format!(
                r#"{{"type":"response.output_text.delta","sequence_number":{seq},"item_id":"{item_id}","output_index":0,"content_index":0,"delta":"{delta}","logprobs":[],"obfuscation":"Xy7Qp2"}}"#
            ));
            "response.output_text.delta"
        };
        write_frame(&mut out, &Frame::new(&data).with_event(name)).expect("valid frame");
    }
    out
}

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

/// The `n` largest `.sse` files of the repository's corpus.
fn largest_corpus_files(n: usize) -> Vec<(PathBuf, Vec<u8>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/corpus");
    let mut files = Vec::new();
    let mut dirs = vec![root];
    while let Some(dir) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "sse") {
                let len = entry.metadata().map(|m| m.len()).unwrap_or(0);
                files.push((len, path));
            }
        }
    }
    files.sort();
    files
        .into_iter()
        .rev()
        .take(n)
        .filter_map(|(_, path)| std::fs::read(&path).ok().map(|bytes| (path, bytes)))
        .collect()
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
