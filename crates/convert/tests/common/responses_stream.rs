//! Helpers for the Responses → Chat stream tests: the Responses streams of the corpus
//! (`fixtures/corpus`, `MANIFEST.tsv`), split into one segment per response, converted and
//! written as SSE, then read back as a Chat client would.

#![allow(dead_code)]

use openai_wire_convert::stream::responses_to_chat::{
    Outcome, ResponsesToChat, ResponsesToChatOptions,
};
use openai_wire_decode::{Decoder, Format, Item};
use openai_wire_emit::{SequentialIds, write_chat_done, write_chat_sse};
use openai_wire_events::{ChatCompletionStreamEvent, ResponseStreamEvent, StreamEvent};
use openai_wire_fold::ChatFold;

pub use openai_wire_test_support::corpus_dir;

/// One Responses row of `MANIFEST.tsv`.
#[derive(Debug, Clone)]
pub struct Entry {
    pub file: String,
    pub format: Format,
    pub notes: String,
}

/// Every Responses stream of the corpus.
pub fn responses_entries() -> Vec<Entry> {
    openai_wire_test_support::entries("responses")
        .into_iter()
        .map(|row| Entry {
            format: if row.is_jsonl() {
                Format::Jsonl
            } else {
                Format::Sse
            },
            file: row.file,
            notes: row.notes,
        })
        .collect()
}

/// A corpus file decoded: its events, and whether the decoder saw it end properly.
pub fn decode_file(entry: &Entry) -> (Vec<ResponseStreamEvent>, bool) {
    let bytes = std::fs::read(corpus_dir().join(&entry.file)).expect("corpus file");
    decode_responses(&bytes, entry.format)
}

pub fn decode_responses(bytes: &[u8], format: Format) -> (Vec<ResponseStreamEvent>, bool) {
    let mut decoder = Decoder::<ResponseStreamEvent>::new(format);
    decoder.feed(bytes);
    decoder.finish();
    let mut events = Vec::new();
    while let Some(item) = decoder.next_item() {
        if let Ok(Item::Event(decoded)) = item {
            events.push(decoded.event);
        }
    }
    (events, decoder.summary().ended_properly())
}

/// Whether an event ends a response.
pub fn is_terminal(event: &ResponseStreamEvent) -> bool {
    matches!(
        event,
        ResponseStreamEvent::ResponseCompleted(_)
            | ResponseStreamEvent::ResponseFailed(_)
            | ResponseStreamEvent::ResponseIncomplete(_)
            | ResponseStreamEvent::Error(_)
    )
}

/// Splits a recording into its responses: a `response.created` after a terminal event starts
/// the next one (fixtures that join several streams). An `error` followed by `response.failed`
/// stays one response.
pub fn segments(events: Vec<ResponseStreamEvent>) -> Vec<Vec<ResponseStreamEvent>> {
    let mut segments: Vec<Vec<ResponseStreamEvent>> = vec![Vec::new()];
    let mut ended = false;
    for event in events {
        if ended && matches!(event, ResponseStreamEvent::ResponseCreated(_)) {
            segments.push(Vec::new());
            ended = false;
        }
        ended |= is_terminal(&event);
        segments.last_mut().expect("one segment").push(event);
    }
    segments
}

/// One response converted: the chunks, the SSE body a gateway would send, the outcome.
pub struct Converted {
    pub chunks: Vec<ChatCompletionStreamEvent>,
    pub sse: Vec<u8>,
    pub outcome: Outcome,
    pub converter: ResponsesToChat<SequentialIds>,
}

/// Converts events as a gateway does: push each, `finish`, then `[DONE]` only when the
/// outcome says so.
pub fn convert(
    events: &[ResponseStreamEvent],
    ended_properly: bool,
    options: ResponsesToChatOptions,
) -> Converted {
    let mut converter = ResponsesToChat::new(options, SequentialIds::default());
    let mut chunks = Vec::new();
    for event in events {
        chunks.extend(converter.push(event).expect("conversion never errs"));
    }
    chunks.extend(converter.finish(ended_properly).expect("finish never errs"));
    let mut sse = Vec::new();
    write_chat_sse(&mut sse, &chunks).expect("chunks serialize");
    let outcome = converter.outcome();
    if outcome.sends_done() {
        write_chat_done(&mut sse);
    }
    Converted {
        chunks,
        sse,
        outcome,
        converter,
    }
}

/// What a Chat client reads from an SSE body: the fold of its events, and whether it ended
/// with `[DONE]`.
pub fn read_chat(sse: &[u8]) -> (ChatFold, bool) {
    let mut decoder = Decoder::<ChatCompletionStreamEvent>::new(Format::Sse);
    decoder.feed(sse);
    decoder.finish();
    let mut fold = ChatFold::new();
    let mut done = false;
    while let Some(item) = decoder.next_item() {
        match item.expect("our own output decodes") {
            Item::Event(decoded) => {
                fold.push_event(&decoded.event);
            }
            Item::Done(_) => done = true,
            Item::Comment(_) => {}
        }
    }
    (fold, done)
}

/// Events from JSON lines (for hand-made streams in focused tests).
pub fn events(lines: &[&str]) -> Vec<ResponseStreamEvent> {
    lines
        .iter()
        .map(|json| ResponseStreamEvent::from_json(json).expect("test event decodes"))
        .collect()
}

/// The chunk JSON of every chunk event (errors and other events excluded).
pub fn chunk_json(chunks: &[ChatCompletionStreamEvent]) -> Vec<serde_json::Value> {
    chunks
        .iter()
        .filter(|c| matches!(c, ChatCompletionStreamEvent::ChatCompletionChunk(_)))
        .map(|c| serde_json::to_value(c).expect("chunk serializes"))
        .collect()
}
