//! Writing Responses events as SSE bytes: [`write_response_sse`] (JSON serialized straight into
//! the output) against the same events serialized to a string first and framed by
//! [`write_frame`] (how it was written before), in the same run.
//!
//! Run: `cargo bench -p openai-wire-emit --bench writing -- --warm-up-time 1 --measurement-time 3`

use std::hint::black_box;

#[path = "../../../benches/support.rs"]
mod support;
use support::synthetic_responses_stream;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use openai_wire_emit::write_response_sse;
use openai_wire_events::{ResponseStreamEvent, StreamEvent};
use openai_wire_sse::{Frame, Item, Parser, write_frame};

/// The first `count` events of the synthetic stream, decoded.
fn events(count: usize) -> Vec<ResponseStreamEvent> {
    let mut parser = Parser::new();
    parser.feed(&synthetic_responses_stream());
    let mut events = Vec::with_capacity(count);
    while let Some(item) = parser.next_item() {
        if let Ok(Item::Event(frame)) = item {
            events.push(serde_json::from_str(frame.data).expect("a Responses event"));
            if events.len() == count {
                break;
            }
        }
    }
    events
}

/// The baseline: each event to a string, then framed.
fn through_strings(out: &mut Vec<u8>, events: &[ResponseStreamEvent]) {
    for event in events {
        let json = serde_json::to_string(event).expect("serializable");
        write_frame(out, &Frame::new(&json).with_event(event.wire_type())).expect("a frame");
    }
}

fn bench_writing(c: &mut Criterion) {
    let events = events(10_000);
    let mut bytes = Vec::new();
    write_response_sse(&mut bytes, &events).expect("writable");
    let mut group = c.benchmark_group("write_responses_10k_events");
    group.throughput(Throughput::Bytes(bytes.len() as u64));
    group.bench_function("write_response_sse", |b| {
        b.iter(|| {
            for event in &events {
                // One step's events at a time into a new buffer, as the gateway writes them.
                let mut out = Vec::new();
                write_response_sse(&mut out, std::slice::from_ref(event)).expect("writable");
                black_box(&out);
            }
        });
    });
    group.bench_function("through_strings", |b| {
        b.iter(|| {
            for event in &events {
                let mut out = Vec::new();
                through_strings(&mut out, std::slice::from_ref(event));
                black_box(&out);
            }
        });
    });
    group.finish();
}

criterion_group!(benches, bench_writing);
criterion_main!(benches);
