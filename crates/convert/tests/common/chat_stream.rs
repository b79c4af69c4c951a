//! Test helpers for Chat → Responses stream conversion: the chat corpus, conversion to SSE
//! bytes, and the facts the fold comparison looks at. Used with
//! `#[path = "common/chat_stream.rs"] mod chat_stream;`.

#![allow(dead_code)]

use openai_wire_convert::stream::chat_to_responses::{ChatToResponses, StreamEnd, StreamOptions};
use openai_wire_decode::{Decoder, Format, Item};
use openai_wire_emit::{SequentialIds, write_response_sse};
use openai_wire_events::{
    ChatCompletion, ChatCompletionStreamEvent, OutputItem, OutputMessageContent, Response,
    ResponseStreamEvent,
};
use openai_wire_fold::{ChatFold, ResponseFold};

pub use openai_wire_test_support::corpus_dir;

/// One chat row of `MANIFEST.tsv`.
#[derive(Debug, Clone)]
pub struct ChatEntry {
    pub file: String,
    pub format: Format,
    /// The `provider=` of the notes.
    pub provider: String,
    pub notes: String,
}

pub fn chat_entries() -> Vec<ChatEntry> {
    openai_wire_test_support::entries("chat")
        .into_iter()
        .map(|row| {
            let provider = row
                .notes
                .split(';')
                .find_map(|part| part.trim().strip_prefix("provider="))
                .unwrap_or("")
                .to_owned();
            ChatEntry {
                format: if row.is_jsonl() {
                    Format::Jsonl
                } else {
                    Format::Sse
                },
                file: row.file,
                provider,
                notes: row.notes,
            }
        })
        .collect()
}

/// The entry of a corpus file named `chat/<name>`.
pub fn chat_entry(name: &str) -> ChatEntry {
    let file = format!("chat/{name}");
    chat_entries()
        .into_iter()
        .find(|e| e.file == file)
        .unwrap_or_else(|| panic!("{file} is not in MANIFEST.tsv"))
}

/// A decoded chat stream: its events and how it ended.
pub struct ChatStream {
    pub events: Vec<ChatCompletionStreamEvent>,
    pub done_marker: bool,
}

impl ChatStream {
    /// How the transport saw the end: `[DONE]` or a clean close.
    pub fn end(&self) -> StreamEnd {
        if self.done_marker {
            StreamEnd::DoneMarker
        } else {
            StreamEnd::Eof
        }
    }
}

pub fn read_chat(entry: &ChatEntry) -> ChatStream {
    let bytes = std::fs::read(corpus_dir().join(&entry.file)).expect("corpus file");
    let mut decoder = Decoder::<ChatCompletionStreamEvent>::new(entry.format);
    decoder.feed(&bytes);
    decoder.finish();
    let mut events = Vec::new();
    while let Some(item) = decoder.next_item() {
        match item {
            Ok(Item::Event(decoded)) => events.push(decoded.event),
            Ok(_) => {}
            Err(error) => panic!("{}: {error}", entry.file),
        }
    }
    ChatStream {
        events,
        done_marker: decoder.summary().done_marker,
    }
}

pub fn load(name: &str) -> ChatStream {
    read_chat(&chat_entry(name))
}

/// Converts a whole chat stream, from `start` to `finish(end)`.
pub fn convert(
    events: &[ChatCompletionStreamEvent],
    end: StreamEnd,
    options: StreamOptions,
) -> (Vec<ResponseStreamEvent>, Response) {
    let mut converter =
        ChatToResponses::new(Response::default(), SequentialIds::default(), options);
    let mut out = converter.start().expect("start");
    for event in events {
        out.extend(converter.push_event(event).expect("push_event"));
    }
    out.extend(converter.finish(end));
    (out, converter.response())
}

pub fn to_sse(events: &[ResponseStreamEvent]) -> Vec<u8> {
    let mut bytes = Vec::new();
    write_response_sse(&mut bytes, events).expect("write_response_sse");
    bytes
}

/// Decodes Responses SSE bytes (what a client would read) and folds them.
pub fn fold_sse(bytes: &[u8]) -> ResponseFold {
    let mut decoder = Decoder::<ResponseStreamEvent>::new(Format::Sse);
    decoder.feed(bytes);
    decoder.finish();
    let mut fold = ResponseFold::new();
    while let Some(item) = decoder.next_item() {
        if let Item::Event(decoded) = item.expect("our own SSE decodes") {
            fold.push(&decoded.event);
        }
    }
    fold
}

pub fn fold_chat(events: &[ChatCompletionStreamEvent]) -> ChatCompletion {
    let mut fold = ChatFold::new();
    for event in events {
        fold.push_event(event);
    }
    fold.finish();
    fold.completion()
}

/// What the comparison looks at, from either side.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Facts {
    pub text: String,
    pub refusal: String,
    pub reasoning: String,
    /// (call id, name, arguments).
    pub calls: Vec<(String, String, String)>,
    /// (input, cached, output, reasoning).
    pub usage: (i64, i64, i64, i64),
}

pub fn chat_facts(completion: &ChatCompletion) -> Facts {
    let mut facts = Facts::default();
    if let Some(usage) = &completion.usage {
        facts.usage = (
            usage.prompt_tokens,
            usage
                .prompt_tokens_details
                .as_ref()
                .and_then(|d| d.cached_tokens)
                .unwrap_or(0),
            usage.completion_tokens,
            usage
                .completion_tokens_details
                .as_ref()
                .and_then(|d| d.reasoning_tokens)
                .unwrap_or(0),
        );
    }
    let Some(choice) = completion.choices.iter().find(|c| c.index == 0) else {
        return facts;
    };
    let message = &choice.message;
    facts.text = message.content.clone().unwrap_or_default();
    facts.refusal = message.refusal.clone().unwrap_or_default();
    facts.reasoning = format!(
        "{}{}",
        message.reasoning_content.as_deref().unwrap_or(""),
        message.reasoning.as_deref().unwrap_or("")
    );
    if let Some(call) = &message.function_call {
        facts
            .calls
            .push((String::new(), call.name.clone(), call.arguments.clone()));
    }
    for call in message.tool_calls.iter().flatten() {
        if let openai_wire_events::ChatCompletionMessageToolCall2::Function(call) = call {
            facts.calls.push((
                call.id.clone(),
                call.function.name.clone(),
                call.function.arguments.clone(),
            ));
        }
    }
    facts
}

pub fn response_facts(response: &Response) -> Facts {
    let mut facts = Facts::default();
    if let Some(usage) = &response.usage {
        facts.usage = (
            usage.input_tokens,
            usage.input_tokens_details.cached_tokens,
            usage.output_tokens,
            usage.output_tokens_details.reasoning_tokens,
        );
    }
    for item in &response.output {
        match item {
            OutputItem::Message(message) => {
                for part in &message.content {
                    match part {
                        OutputMessageContent::OutputText(text) => facts.text.push_str(&text.text),
                        OutputMessageContent::Refusal(refusal) => {
                            facts.refusal.push_str(&refusal.refusal)
                        }
                        _ => {}
                    }
                }
            }
            OutputItem::Reasoning(reasoning) => {
                for part in reasoning.content.iter().flatten() {
                    facts.reasoning.push_str(&part.text);
                }
                for part in &reasoning.summary {
                    facts.reasoning.push_str(&part.text);
                }
            }
            OutputItem::FunctionCall(call) => facts.calls.push((
                call.call_id.clone(),
                call.name.clone(),
                call.arguments.clone(),
            )),
            OutputItem::CustomToolCall(call) => {
                facts
                    .calls
                    .push((call.call_id.clone(), call.name.clone(), call.input.clone()))
            }
            _ => {}
        }
    }
    facts
}

/// The wire types of events, in order.
pub fn types(events: &[ResponseStreamEvent]) -> Vec<&str> {
    use openai_wire_events::StreamEvent;
    events.iter().map(|e| e.wire_type()).collect()
}

/// The terminal event's wire type.
pub fn terminal(events: &[ResponseStreamEvent]) -> &str {
    types(events).last().copied().unwrap_or("")
}
