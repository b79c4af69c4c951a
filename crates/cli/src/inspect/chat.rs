//! The Chat Completions view: content, reasoning (`reasoning_content`, `reasoning`,
//! `reasoning_details`, Mistral's thinking parts), refusals, tool calls accumulated by index,
//! finish reasons and the usage chunk.

use std::collections::BTreeMap;
use std::io;

use openai_wire_events::{
    ChatCompletion, ChatCompletionChunk, ChatCompletionMessageToolCall2,
    ChatCompletionMessageToolCallChunk, ChatCompletionStreamEvent,
    ChatCompletionStreamResponseDelta, ChatCompletionStreamResponseDeltaContent as Content,
    CompletionStreamEvent, CompletionUsage,
};
use serde_json::Value;

use super::{Inspect, Kind, Printer, Style, Usage, View, status_lines, tool_call_line};

impl Inspect for ChatCompletionStreamEvent {
    type View = ChatView;
}

impl Inspect for CompletionStreamEvent {
    type View = CompletionsView;
}

/// A tool call being accumulated from chunks.
#[derive(Debug, Default)]
struct Call {
    index: i64,
    id: Option<String>,
    name: String,
    arguments: String,
}

/// What is known of one choice.
#[derive(Debug, Default)]
struct Choice {
    calls: Vec<Call>,
    finish: Option<String>,
}

/// The state of a Chat Completions stream being rendered.
#[derive(Debug, Default)]
pub struct ChatView {
    header_shown: bool,
    choices: BTreeMap<i64, Choice>,
    usage: Option<Usage>,
    error: Option<String>,
}

impl View<ChatCompletionStreamEvent> for ChatView {
    fn event(
        &mut self,
        out: &mut Printer<'_>,
        event: &ChatCompletionStreamEvent,
    ) -> io::Result<()> {
        match event {
            ChatCompletionStreamEvent::ChatCompletionChunk(chunk) => self.chunk(out, chunk),
            ChatCompletionStreamEvent::ChatCompletion(completion) => {
                self.completion(out, completion)
            }
            ChatCompletionStreamEvent::Error(error) => {
                let error = &error.error;
                let message = match &error.code {
                    Some(code) => format!("{code}: {}", error.message),
                    None => error.message.clone(),
                };
                out.line(Style::Error, &format!("✗ error: {message}"))?;
                self.error = Some(message);
                Ok(())
            }
            ChatCompletionStreamEvent::Unknown(_) => Ok(()),
        }
    }

    fn finish(&mut self, out: &mut Printer<'_>) -> io::Result<()> {
        for choice in self.choices.values_mut() {
            show_calls(out, &mut choice.calls)?;
        }
        let finishes: Vec<(i64, &str)> = self
            .choices
            .iter()
            .filter_map(|(index, choice)| choice.finish.as_deref().map(|f| (*index, f)))
            .collect();
        let finish = match finishes.as_slice() {
            [] => None,
            [(0, reason)] => Some(reason.to_string()),
            many => Some(
                many.iter()
                    .map(|(index, reason)| format!("choice {index}: {reason}"))
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
        };
        if let Some(finish) = finish {
            out.line(Style::Note, &format!("── finish: {finish}"))?;
        }
        status_lines(out, None, self.error.as_deref(), self.usage.as_ref())
    }

    fn complete(&self) -> bool {
        !self.choices.is_empty() && self.choices.values().all(|c| c.finish.is_some())
    }
}

impl ChatView {
    fn header(&mut self, out: &mut Printer<'_>, id: &str, model: &str) -> io::Result<()> {
        if self.header_shown || (id.is_empty() && model.is_empty()) {
            return Ok(());
        }
        self.header_shown = true;
        let mut header = "── chat completion".to_owned();
        if !id.is_empty() {
            header.push(' ');
            header.push_str(id);
        }
        if !model.is_empty() {
            header.push_str(&format!(" · model {model}"));
        }
        out.line(Style::Note, &header)
    }

    fn chunk(&mut self, out: &mut Printer<'_>, chunk: &ChatCompletionChunk) -> io::Result<()> {
        self.header(out, &chunk.id, &chunk.model)?;
        for choice in &chunk.choices {
            let state = self.choices.entry(choice.index).or_default();
            delta(
                out,
                &chunk.id,
                choice.index,
                &choice.delta,
                &mut state.calls,
            )?;
            if let Some(reason) = &choice.finish_reason {
                show_calls(out, &mut state.calls)?;
                state.finish = Some(reason.to_string());
            }
        }
        if let Some(usage) = &chunk.usage {
            self.usage = Some(chat_usage(usage));
        }
        Ok(())
    }

    fn completion(&mut self, out: &mut Printer<'_>, completion: &ChatCompletion) -> io::Result<()> {
        self.header(out, &completion.id, &completion.model)?;
        for choice in &completion.choices {
            let message = &choice.message;
            let key = &completion.id;
            let reasoning = message
                .reasoning_content
                .as_deref()
                .or(message.reasoning.as_deref());
            if let Some(reasoning) = reasoning {
                out.stream(Kind::Reasoning, key, choice.index, reasoning)?;
            } else {
                for text in message
                    .reasoning_details
                    .iter()
                    .flatten()
                    .filter_map(detail_text)
                {
                    out.stream(Kind::Reasoning, key, choice.index, text)?;
                }
            }
            if let Some(content) = &message.content {
                out.stream(Kind::Text, key, choice.index, content)?;
            }
            if let Some(refusal) = &message.refusal {
                out.stream(Kind::Refusal, key, choice.index, refusal)?;
            }
            if let Some(call) = &message.function_call {
                out.line(Style::Tool, &tool_call_line(&call.name, &call.arguments))?;
            }
            for call in message.tool_calls.iter().flatten() {
                let line = match call {
                    ChatCompletionMessageToolCall2::Function(call) => {
                        tool_call_line(&call.function.name, &call.function.arguments)
                    }
                    ChatCompletionMessageToolCall2::Custom(call) => {
                        tool_call_line(&call.custom.name, &call.custom.input)
                    }
                    ChatCompletionMessageToolCall2::Unknown(value) => tool_call_line(
                        value
                            .get("type")
                            .and_then(Value::as_str)
                            .unwrap_or_default(),
                        &value.to_string(),
                    ),
                };
                out.line(Style::Tool, &line)?;
            }
            let state = self.choices.entry(choice.index).or_default();
            state.finish = choice.finish_reason.as_ref().map(|r| r.to_string());
        }
        if let Some(usage) = &completion.usage {
            self.usage = Some(chat_usage(usage));
        }
        Ok(())
    }
}

/// Renders one choice's delta and accumulates its tool calls.
fn delta(
    out: &mut Printer<'_>,
    key: &str,
    index: i64,
    delta: &ChatCompletionStreamResponseDelta,
    calls: &mut Vec<Call>,
) -> io::Result<()> {
    // OpenRouter sends the same text as `reasoning` and in `reasoning_details`: one is enough.
    let reasoning = [&delta.reasoning_content, &delta.reasoning]
        .into_iter()
        .find_map(|text| text.as_deref().filter(|text| !text.is_empty()));
    match reasoning {
        Some(reasoning) => out.stream(Kind::Reasoning, key, index, reasoning)?,
        None => {
            for text in delta
                .reasoning_details
                .iter()
                .flatten()
                .filter_map(detail_text)
            {
                out.stream(Kind::Reasoning, key, index, text)?;
            }
        }
    }
    match &delta.content {
        Some(Content::Text(text)) => out.stream(Kind::Text, key, index, text)?,
        Some(Content::List(parts)) => {
            for part in parts {
                content_part(out, key, index, part)?;
            }
        }
        Some(Content::Unknown(_)) | None => {}
    }
    if let Some(refusal) = &delta.refusal {
        out.stream(Kind::Refusal, key, index, refusal)?;
    }
    if let Some(call) = &delta.function_call {
        // The deprecated single `function_call`: one call, streamed like a tool call.
        let chunk = ChatCompletionMessageToolCallChunk {
            index: Some(-1),
            id: None,
            function: Some(
                openai_wire_events::ChatCompletionMessageToolCallChunkFunction {
                    name: call.name.clone(),
                    arguments: call.arguments.clone(),
                },
            ),
        };
        accumulate(calls, &chunk);
    }
    for chunk in delta.tool_calls.iter().flatten() {
        accumulate(calls, chunk);
    }
    Ok(())
}

/// Renders a content part of a delta whose content is an array (Mistral: `text` and `thinking`
/// parts).
fn content_part(out: &mut Printer<'_>, key: &str, index: i64, part: &Value) -> io::Result<()> {
    match part.get("type").and_then(Value::as_str) {
        Some("text") => {
            if let Some(text) = part.get("text").and_then(Value::as_str) {
                out.stream(Kind::Text, key, index, text)?;
            }
        }
        Some("thinking") => match part.get("thinking") {
            Some(Value::String(text)) => out.stream(Kind::Reasoning, key, index, text)?,
            Some(Value::Array(inner)) => {
                for text in inner
                    .iter()
                    .filter_map(|p| p.get("text").and_then(Value::as_str))
                {
                    out.stream(Kind::Reasoning, key, index, text)?;
                }
            }
            _ => {}
        },
        _ => {}
    }
    Ok(())
}

/// The text of a `reasoning_details` entry (`reasoning.text` or `reasoning.summary`).
fn detail_text(detail: &Value) -> Option<&str> {
    match detail.get("type").and_then(Value::as_str) {
        Some("reasoning.summary") => detail.get("summary").and_then(Value::as_str),
        Some("reasoning.encrypted") => None,
        _ => detail.get("text").and_then(Value::as_str),
    }
}

/// Adds a tool call chunk to the calls of its choice.
///
/// A chunk continues the last call with its index, unless it carries an id other than that
/// call's: some providers send no index and tell calls apart by id only, and some
/// send each call whole in one chunk. The name is taken from the first chunk that has one (some
/// repeat it); arguments are concatenated.
fn accumulate(calls: &mut Vec<Call>, chunk: &ChatCompletionMessageToolCallChunk) {
    let id = chunk.id.as_deref().filter(|id| !id.is_empty());
    let existing = calls
        .iter()
        .rposition(|call| chunk.index.is_none_or(|i| call.index == i));
    let position = match existing {
        Some(position) if id.is_none() || calls[position].id.is_none() => position,
        Some(position) if calls[position].id.as_deref() == id => position,
        _ => {
            let next = i64::try_from(calls.len()).unwrap_or(i64::MAX);
            calls.push(Call {
                index: chunk.index.unwrap_or(next),
                ..Call::default()
            });
            calls.len() - 1
        }
    };
    let call = &mut calls[position];
    if call.id.is_none() {
        call.id = id.map(str::to_owned);
    }
    if let Some(function) = &chunk.function {
        if let Some(name) = function.name.as_deref()
            && call.name.is_empty()
        {
            call.name = name.to_owned();
        }
        if let Some(arguments) = &function.arguments {
            call.arguments.push_str(arguments);
        }
    }
}

/// Shows the accumulated calls and forgets them.
fn show_calls(out: &mut Printer<'_>, calls: &mut Vec<Call>) -> io::Result<()> {
    for call in calls.drain(..) {
        out.line(Style::Tool, &tool_call_line(&call.name, &call.arguments))?;
    }
    Ok(())
}

fn chat_usage(usage: &CompletionUsage) -> Usage {
    Usage {
        input: usage.prompt_tokens,
        cached: usage
            .prompt_tokens_details
            .as_ref()
            .and_then(|d| d.cached_tokens),
        output: usage.completion_tokens,
        reasoning: usage
            .completion_tokens_details
            .as_ref()
            .and_then(|d| d.reasoning_tokens),
        total: usage.total_tokens,
    }
}

/// The state of a legacy Completions stream being rendered.
#[derive(Debug, Default)]
pub struct CompletionsView {
    finish: Option<String>,
    usage: Option<Usage>,
    error: Option<String>,
}

impl View<CompletionStreamEvent> for CompletionsView {
    fn event(&mut self, out: &mut Printer<'_>, event: &CompletionStreamEvent) -> io::Result<()> {
        match event {
            CompletionStreamEvent::TextCompletion(completion) => {
                for choice in &completion.choices {
                    out.stream(Kind::Text, &completion.id, choice.index, &choice.text)?;
                    if let Some(reason) = &choice.finish_reason {
                        self.finish = Some(reason.to_string());
                    }
                }
                if let Some(usage) = &completion.usage {
                    self.usage = Some(chat_usage(usage));
                }
            }
            CompletionStreamEvent::Error(error) => {
                out.line(Style::Error, &format!("✗ error: {}", error.error.message))?;
                self.error = Some(error.error.message.clone());
            }
            CompletionStreamEvent::Unknown(_) => {}
        }
        Ok(())
    }

    fn finish(&mut self, out: &mut Printer<'_>) -> io::Result<()> {
        if let Some(finish) = &self.finish {
            out.line(Style::Note, &format!("── finish: {finish}"))?;
        }
        status_lines(out, None, self.error.as_deref(), self.usage.as_ref())
    }

    fn complete(&self) -> bool {
        self.finish.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunk(
        index: Option<i64>,
        id: Option<&str>,
        name: Option<&str>,
        args: Option<&str>,
    ) -> ChatCompletionMessageToolCallChunk {
        let json = serde_json::json!({
            "index": index, "id": id, "type": "function",
            "function": {"name": name, "arguments": args},
        });
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn accumulates_calls_by_index_and_by_id() {
        let mut calls = Vec::new();
        // OpenAI: name first, then argument pieces; a second call at index 1.
        accumulate(
            &mut calls,
            &chunk(Some(0), Some("call_1"), Some("get_weather"), Some("")),
        );
        accumulate(&mut calls, &chunk(Some(0), None, None, Some("{\"city\":")));
        accumulate(&mut calls, &chunk(Some(0), None, None, Some("\"Paris\"}")));
        accumulate(
            &mut calls,
            &chunk(Some(1), Some("call_2"), Some("get_time"), Some("{}")),
        );
        // No index (Mistral): whole calls told apart by their ids.
        accumulate(
            &mut calls,
            &chunk(None, Some("a"), Some("one"), Some("{\"x\":1}")),
        );
        accumulate(&mut calls, &chunk(None, Some("b"), Some("two"), Some("{}")));
        // The name repeated with each piece (Novita).
        accumulate(
            &mut calls,
            &chunk(Some(2), Some("0"), Some("llm_version"), Some("")),
        );
        accumulate(
            &mut calls,
            &chunk(Some(2), Some("0"), Some("llm_version"), Some("{}")),
        );
        let got: Vec<(&str, &str)> = calls
            .iter()
            .map(|c| (c.name.as_str(), c.arguments.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("get_weather", "{\"city\":\"Paris\"}"),
                ("get_time", "{}"),
                ("one", "{\"x\":1}"),
                ("two", "{}"),
                ("llm_version", "{}"),
            ]
        );
    }
}
