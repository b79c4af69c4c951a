//! The Chat Completions view: what [`ChatFold`] says each chunk changed (content, reasoning from
//! `reasoning_content`, `reasoning`, `reasoning_details` or Mistral's thinking parts, refusals,
//! finished tool calls), then the finish reasons and the usage.

use std::io;

use openai_wire_events::{
    ChatCompletionMessageToolCall2, ChatCompletionStreamEvent, CompletionStreamEvent,
    CompletionUsage,
};
use openai_wire_fold::{ChatFold, ChatUpdate};
use serde_json::Value;

use super::{Inspect, Kind, Printer, Style, Usage, View, status_lines, tool_call_line};

impl Inspect for ChatCompletionStreamEvent {
    type View = ChatView;
}

impl Inspect for CompletionStreamEvent {
    type View = CompletionsView;
}

/// A Chat Completions stream being rendered: the fold does the reading ([`ChatFold`], which
/// reads deltas with `openai_wire_fold::chat_delta`); the view shows what each chunk changed.
#[derive(Debug, Default)]
pub struct ChatView {
    header_shown: bool,
    fold: ChatFold,
    error: Option<String>,
}

impl View<ChatCompletionStreamEvent> for ChatView {
    fn event(
        &mut self,
        out: &mut Printer<'_>,
        event: &ChatCompletionStreamEvent,
    ) -> io::Result<()> {
        match event {
            ChatCompletionStreamEvent::ChatCompletionChunk(chunk) => {
                self.header(out, &chunk.id, &chunk.model)?;
                show(out, &chunk.id, self.fold.push(chunk))
            }
            ChatCompletionStreamEvent::ChatCompletion(completion) => {
                self.header(out, &completion.id, &completion.model)?;
                show(out, &completion.id, self.fold.push_event(event))?;
                // A chunk has no place for tool calls other than functions.
                for call in completion
                    .choices
                    .iter()
                    .flat_map(|c| &c.message.tool_calls)
                {
                    for call in call {
                        if let Some(line) = other_tool_call_line(call) {
                            out.line(Style::Tool, &line)?;
                        }
                    }
                }
                Ok(())
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
        // Calls of choices that never got a finish reason.
        show(out, "", self.fold.finish())?;
        let completion = self.fold.completion();
        let finishes: Vec<(i64, &str)> = completion
            .choices
            .iter()
            .filter_map(|c| c.finish_reason.as_ref().map(|f| (c.index, f.as_str())))
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
        let usage = self.fold.usage().map(chat_usage);
        status_lines(out, None, self.error.as_deref(), usage.as_ref())
    }

    fn complete(&self) -> bool {
        let choices = self.fold.completion().choices;
        !choices.is_empty() && choices.iter().all(|c| c.finish_reason.is_some())
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
}

/// Shows what the fold says an event changed: text, reasoning and refusals stream (each choice
/// in its channel, `key` naming the completion), finished tool calls get their line.
fn show(out: &mut Printer<'_>, key: &str, updates: Vec<ChatUpdate>) -> io::Result<()> {
    let channel = |choice: u64| i64::try_from(choice).unwrap_or(i64::MAX);
    for update in updates {
        match update {
            ChatUpdate::TextDelta { choice, delta } => {
                out.stream(Kind::Text, key, channel(choice), &delta)?
            }
            ChatUpdate::ReasoningDelta { choice, delta } => {
                out.stream(Kind::Reasoning, key, channel(choice), &delta)?
            }
            ChatUpdate::RefusalDelta { choice, delta } => {
                out.stream(Kind::Refusal, key, channel(choice), &delta)?
            }
            ChatUpdate::ToolCallDone { call, .. } => {
                out.line(Style::Tool, &tool_call_line(&call.name, &call.arguments))?
            }
            _ => {}
        }
    }
    Ok(())
}

/// The line of a whole completion's tool call that is not a function call.
fn other_tool_call_line(call: &ChatCompletionMessageToolCall2) -> Option<String> {
    match call {
        ChatCompletionMessageToolCall2::Function(_) => None,
        ChatCompletionMessageToolCall2::Custom(call) => {
            Some(tool_call_line(&call.custom.name, &call.custom.input))
        }
        ChatCompletionMessageToolCall2::Unknown(value) => Some(tool_call_line(
            value
                .get("type")
                .and_then(Value::as_str)
                .unwrap_or_default(),
            &value.to_string(),
        )),
    }
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
