//! Feeds arbitrary bytes to the typed decoder (Responses, Chat and Assistants enums; SSE and
//! JSONL), split at an arbitrary point, and checks that it never panics, that splitting changes
//! nothing, and that the summary agrees with what was yielded.
#![no_main]

use libfuzzer_sys::fuzz_target;
use openai_wire_decode::{Decoder, Format, Item};
use openai_wire_events::{
    AssistantStreamEvent, ChatCompletionStreamEvent, ResponseStreamEvent, StreamEvent,
};

fn run<E: StreamEvent>(format: Format, chunks: &[&[u8]]) -> (Vec<String>, u64, u64) {
    let mut decoder = Decoder::<E>::with_max_event_size(format, 4096);
    let mut out = Vec::new();
    let (mut events, mut errors) = (0, 0);
    let mut drain = |decoder: &mut Decoder<E>, out: &mut Vec<String>| {
        while let Some(item) = decoder.next_item() {
            match item {
                Ok(Item::Event(d)) => {
                    events += 1;
                    // Whatever was decoded can be written back.
                    let written = serde_json::to_string(&d.event).expect("an event serializes");
                    out.push(format!(
                        "{} {} {written}",
                        d.position.index,
                        d.event.wire_type()
                    ));
                }
                Ok(other) => out.push(format!("{other:?}")),
                Err(e) => {
                    errors += 1;
                    out.push(e.to_string());
                }
            }
        }
    };
    for chunk in chunks {
        decoder.feed(chunk);
        drain(&mut decoder, &mut out);
    }
    decoder.finish();
    drain(&mut decoder, &mut out);
    let summary = decoder.summary();
    assert_eq!(summary.events, events);
    assert_eq!(summary.errors, errors);
    (out, events, errors)
}

fn check<E: StreamEvent>(format: Format, data: &[u8], split: usize) {
    let whole = run::<E>(format, &[data]);
    let (head, tail) = data.split_at(split.min(data.len()));
    assert_eq!(
        run::<E>(format, &[head, tail]),
        whole,
        "a split changed the result"
    );
}

fuzz_target!(|input: (u8, u16, &[u8])| {
    let (selector, split, data) = input;
    let format = if selector & 1 == 0 {
        Format::Sse
    } else {
        Format::Jsonl
    };
    let split = usize::from(split);
    match (selector >> 1) % 3 {
        0 => check::<ResponseStreamEvent>(format, data, split),
        1 => check::<ChatCompletionStreamEvent>(format, data, split),
        _ => check::<AssistantStreamEvent>(format, data, split),
    }
});
