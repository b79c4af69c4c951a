//! The gateway's hot path: Chat Completions chunks (already decoded) converted into Responses
//! events by `ChatToResponses`, per chunk.
//!
//! Run: `cargo bench -p openai-wire-convert --bench chat_to_responses`
//!
//! Three inputs, each converted start to finish per iteration:
//! - `corpus`: every Chat stream of `fixtures/corpus/` (with its provider's quirks), as the
//!   golden test converts them;
//! - `text`: 10,000 content deltas of a few words each (the common case);
//! - `tool_arguments`: 10,000 argument fragments of four interleaved parallel tool calls.
//!
//! Throughput is in chunks; decoding and serializing are not measured.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use openai_wire_convert::provider::{ProviderKind, Quirks};
use openai_wire_convert::stream::chat_to_responses::{ChatToResponses, StreamEnd, StreamOptions};
use openai_wire_decode::{Decoder, Format, Item};
use openai_wire_emit::SequentialIds;
use openai_wire_events::{ChatCompletionStreamEvent, Response, StreamEvent};

/// One stream to convert: its events, how it ends, the options.
struct Input {
    events: Vec<ChatCompletionStreamEvent>,
    end: StreamEnd,
    options: StreamOptions,
}

fn corpus() -> Vec<Input> {
    openai_wire_test_support::entries("chat")
        .into_iter()
        .map(|row| {
            let provider = row
                .notes
                .split(';')
                .find_map(|part| part.trim().strip_prefix("provider="))
                .unwrap_or("")
                .to_owned();
            let format = if row.is_jsonl() {
                Format::Jsonl
            } else {
                Format::Sse
            };
            let mut decoder = Decoder::<ChatCompletionStreamEvent>::new(format);
            decoder.feed(&row.bytes());
            decoder.finish();
            let mut events = Vec::new();
            while let Some(item) = decoder.next_item() {
                if let Ok(Item::Event(decoded)) = item {
                    events.push(decoded.event);
                }
            }
            let end = if decoder.summary().done_marker {
                StreamEnd::DoneMarker
            } else {
                StreamEnd::Eof
            };
            Input {
                events,
                end,
                options: StreamOptions {
                    quirks: Quirks::for_kind(ProviderKind::guess(&provider)),
                    ..StreamOptions::default()
                },
            }
        })
        .collect()
}

fn chunk(delta: &str, finish: Option<&str>) -> ChatCompletionStreamEvent {
    let finish = finish.map_or("null".to_owned(), |f| format!("\"{f}\""));
    let json = format!(
        r#"{{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{{"index":0,"delta":{delta},"finish_reason":{finish}}}]}}"#
    );
    ChatCompletionStreamEvent::from_json(&json).expect("bench chunk")
}

fn synthetic_text() -> Input {
    let words = [
        "Hello", " world", ",", " the", " quick", " brown", " fox", " jumps",
    ];
    let mut events = vec![chunk(r#"{"role":"assistant","content":""}"#, None)];
    for n in 0..10_000 {
        let text = words[n % words.len()];
        events.push(chunk(&format!(r#"{{"content":"{text}"}}"#), None));
    }
    events.push(chunk("{}", Some("stop")));
    Input {
        events,
        end: StreamEnd::DoneMarker,
        options: StreamOptions::default(),
    }
}

fn synthetic_tool_arguments() -> Input {
    let mut events = Vec::new();
    for call in 0..4 {
        events.push(chunk(
            &format!(
                r#"{{"tool_calls":[{{"index":{call},"id":"call_{call}","type":"function","function":{{"name":"exec_command","arguments":""}}}}]}}"#
            ),
            None,
        ));
    }
    for call in 0..4 {
        events.push(chunk(
            &format!(
                r#"{{"tool_calls":[{{"index":{call},"function":{{"arguments":"{{\"cmd\": \""}}}}]}}"#
            ),
            None,
        ));
    }
    for n in 0..10_000 {
        let call = n % 4;
        events.push(chunk(
            &format!(r#"{{"tool_calls":[{{"index":{call},"function":{{"arguments":"ab "}}}}]}}"#),
            None,
        ));
    }
    for call in 0..4 {
        events.push(chunk(
            &format!(r#"{{"tool_calls":[{{"index":{call},"function":{{"arguments":"\"}}"}}}}]}}"#),
            None,
        ));
    }
    events.push(chunk("{}", Some("tool_calls")));
    Input {
        events,
        end: StreamEnd::DoneMarker,
        options: StreamOptions::default(),
    }
}

/// Converts every input start to finish; returns the number of Responses events.
fn convert(inputs: &[Input]) -> usize {
    let mut count = 0;
    for input in inputs {
        let mut converter = ChatToResponses::new(
            Response::default(),
            SequentialIds::default(),
            input.options.clone(),
        );
        count += converter.start().map_or(0, |e| e.len());
        for event in &input.events {
            if let Ok(out) = converter.push_event(event) {
                count += out.len();
                black_box(out);
            }
        }
        count += converter.finish(input.end).len();
    }
    count
}

fn benches(c: &mut Criterion) {
    let mut group = c.benchmark_group("chat_to_responses");
    for (name, inputs) in [
        ("corpus", corpus()),
        ("text", vec![synthetic_text()]),
        ("tool_arguments", vec![synthetic_tool_arguments()]),
    ] {
        let chunks: usize = inputs.iter().map(|i| i.events.len()).sum();
        group.throughput(Throughput::Elements(chunks as u64));
        group.bench_function(name, |b| b.iter(|| convert(black_box(&inputs))));
    }
    group.finish();
}

criterion_group!(chat_to_responses, benches);
criterion_main!(chat_to_responses);
