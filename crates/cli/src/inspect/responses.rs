//! The Responses API view: what [`ResponseFold::push_updates`] says each event changed (output
//! text, reasoning summaries and text, refusals, finished tool calls, and the text that only a
//! done event or the final response carried), then the calls a cut-off stream left open and the
//! final response's status and usage, from the fold's snapshot.

use std::io;

use openai_wire_events::{OutputItem, Response, ResponseStreamEvent, ResponseUsage};
use openai_wire_fold::{ReasoningPart, ResponseFold, ResponseUpdate, TextPart};

use super::{Inspect, Kind, Printer, Style, Usage, View, status_lines, tool_call_line};

impl Inspect for ResponseStreamEvent {
    type View = ResponsesView;
}

/// A Responses stream being rendered: the fold reads the events and says what each changed;
/// the view keeps only what it printed (the header) and how the stream went.
///
/// Each item's text streams in its own channel, named by its `output_index`: the fold tells
/// items apart (by index, checked against ids), also when a server's final items disagree with
/// its events.
#[derive(Debug, Default)]
pub struct ResponsesView {
    fold: ResponseFold,
    /// Whether a response started: a recording can hold several.
    started: bool,
    header_shown: bool,
    /// The terminal event's name, for a final response without a status.
    ended_as: Option<&'static str>,
    /// Whether an `error` event was shown.
    errored: bool,
}

impl View<ResponseStreamEvent> for ResponsesView {
    fn event(&mut self, out: &mut Printer<'_>, event: &ResponseStreamEvent) -> io::Result<()> {
        use ResponseStreamEvent as E;
        if let E::ResponseCreated(_) = event {
            if self.started {
                // Another response in the same recording: end the last one, start afresh.
                self.finish(out)?;
                *self = ResponsesView {
                    fold: std::mem::take(&mut self.fold),
                    ..ResponsesView::default()
                };
            }
            self.started = true;
        }
        let updates = self.fold.push_updates(event);
        match event {
            E::ResponseCreated(_) | E::ResponseInProgress(_) | E::ResponseQueued(_) => {
                self.header(out)?
            }
            E::ResponseCompleted(_) => self.ended_as = Some("completed"),
            E::ResponseFailed(_) => self.ended_as = Some("failed"),
            E::ResponseIncomplete(_) => self.ended_as = Some("incomplete"),
            _ => {}
        }
        for update in updates {
            self.show(out, update)?;
        }
        Ok(())
    }

    fn finish(&mut self, out: &mut Printer<'_>) -> io::Result<()> {
        for call in self.fold.unfinished_calls() {
            if let Some(line) = call_line(call) {
                out.line(Style::Tool, &format!("{line} (unfinished)"))?;
            }
        }
        let finished = self.fold.is_finished();
        let response = self.fold.response();
        let status = match self.ended_as {
            Some(kind) if finished => Some(status(response, kind)),
            _ => self.errored.then(|| "error".to_owned()),
        };
        let error = (response.error.as_ref())
            .filter(|_| finished || self.errored)
            .map(|error| match error.code.to_string() {
                code if code.is_empty() => error.message.clone(),
                code => format!("{code}: {}", error.message),
            });
        let usage = response.usage.as_ref().filter(|_| finished).map(usage);
        status_lines(out, status.as_deref(), error.as_deref(), usage.as_ref())
    }
}

impl ResponsesView {
    /// The first line of a response: its id and model.
    fn header(&mut self, out: &mut Printer<'_>) -> io::Result<()> {
        if self.header_shown {
            return Ok(());
        }
        self.header_shown = true;
        let response = self.fold.response();
        let mut header = "── response".to_owned();
        if !response.id.is_empty() {
            header.push(' ');
            header.push_str(&response.id);
        }
        let model = response
            .model
            .as_ref()
            .and_then(|model| serde_json::to_value(model).ok())
            .and_then(|model| model.as_str().map(str::to_owned));
        if let Some(model) = model.filter(|m| !m.is_empty()) {
            header.push_str(&format!(" · model {model}"));
        }
        out.line(Style::Note, &header)
    }

    /// Shows one update: text streams in its item's channel, calls and tool items get a line.
    fn show(&mut self, out: &mut Printer<'_>, update: ResponseUpdate) -> io::Result<()> {
        let (output_index, kind, index, text) = match update {
            ResponseUpdate::TextDelta {
                output_index,
                content_index,
                delta,
            } => (output_index, Kind::Text, channel(content_index), delta),
            ResponseUpdate::RefusalDelta {
                output_index,
                content_index,
                delta,
            } => (output_index, Kind::Refusal, channel(content_index), delta),
            ResponseUpdate::ReasoningDelta {
                output_index,
                part,
                delta,
            } => {
                let index = match part {
                    ReasoningPart::Summary(index) => channel(index),
                    ReasoningPart::Text(index) => -1 - channel(index),
                };
                (output_index, Kind::Reasoning, index, delta)
            }
            ResponseUpdate::UnstreamedText {
                output_index,
                part,
                text,
            } => match text_channel(part) {
                Some((kind, index)) => (output_index, kind, index, text),
                None => return Ok(()),
            },
            ResponseUpdate::TranscriptDelta { delta } => {
                return out.stream(Kind::Text, "audio", 0, &delta);
            }
            ResponseUpdate::ToolCallDone(call) => {
                return out.line(Style::Tool, &tool_call_line(&call.name, &call.arguments));
            }
            ResponseUpdate::ItemDone { item, .. } => match item_line(&item) {
                Some(line) => return out.line(Style::Tool, &line),
                None => return Ok(()),
            },
            ResponseUpdate::Error { code, message } => {
                self.errored = true;
                let message = match code {
                    Some(code) => format!("{code}: {message}"),
                    None => message,
                };
                return out.line(Style::Error, &format!("✗ error: {message}"));
            }
            _ => return Ok(()),
        };
        out.stream(kind, &format!("#{output_index}"), index, &text)
    }
}

/// A part index as a printer channel index.
fn channel(index: u64) -> i64 {
    i64::try_from(index).unwrap_or(i64::MAX)
}

/// The kind and channel index of a text part; `None` for arguments (calls show whole).
fn text_channel(part: TextPart) -> Option<(Kind, i64)> {
    match part {
        TextPart::OutputText(index) => Some((Kind::Text, channel(index))),
        TextPart::Refusal(index) => Some((Kind::Refusal, channel(index))),
        TextPart::Summary(index) => Some((Kind::Reasoning, channel(index))),
        TextPart::ReasoningText(index) => Some((Kind::Reasoning, -1 - channel(index))),
        _ => None,
    }
}

/// The final status: the response's, or the terminal event's name when it has none, with the
/// reason it is incomplete.
fn status(response: &Response, ended_as: &str) -> String {
    let mut status = response
        .status
        .as_ref()
        .map_or_else(|| ended_as.to_owned(), |s| s.to_string());
    if let Some(reason) = response
        .incomplete_details
        .as_ref()
        .and_then(|d| d.reason.as_ref())
    {
        status.push_str(&format!(" ({reason})"));
    }
    status
}

/// The line of a function, custom tool or MCP call, as folded so far.
fn call_line(item: &OutputItem) -> Option<String> {
    match item {
        OutputItem::FunctionCall(call) => Some(tool_call_line(&call.name, &call.arguments)),
        OutputItem::CustomToolCall(call) => Some(tool_call_line(&call.name, &call.input)),
        OutputItem::McpCall(call) => Some(tool_call_line(
            &format!("{}.{}", call.server_label, call.name),
            &call.arguments,
        )),
        _ => None,
    }
}

/// The line of a finished item that is not a function or custom tool call (those come as
/// calls): an MCP call, or a built-in tool call.
fn item_line(item: &OutputItem) -> Option<String> {
    match item {
        OutputItem::FunctionCall(_) | OutputItem::CustomToolCall(_) => None,
        OutputItem::McpCall(_) => call_line(item),
        other => other_tool_call(other),
    }
}

fn usage(usage: &ResponseUsage) -> Usage {
    Usage {
        input: usage.input_tokens,
        cached: Some(usage.input_tokens_details.cached_tokens),
        output: usage.output_tokens,
        reasoning: Some(usage.output_tokens_details.reasoning_tokens),
        total: usage.total_tokens,
    }
}

/// A line for a built-in tool call item (`web_search_call`, `code_interpreter_call`, …): its
/// type and the field that says what it does.
fn other_tool_call(item: &OutputItem) -> Option<String> {
    let value = serde_json::to_value(item).ok()?;
    let kind = value.get("type")?.as_str()?;
    if !kind.ends_with("_call") {
        return None;
    }
    let detail = [
        "action",
        "queries",
        "code",
        "operation",
        "arguments",
        "input",
        "commands",
    ]
    .iter()
    .find_map(|field| value.get(*field).filter(|v| !v.is_null()));
    let detail = match detail {
        Some(serde_json::Value::String(text)) => text.clone(),
        Some(other) => other.to_string(),
        None => String::new(),
    };
    Some(tool_call_line(kind, &shorten(&detail, 300)))
}

/// `text` cut to `limit` characters, with an ellipsis when cut.
pub fn shorten(text: &str, limit: usize) -> String {
    match text.char_indices().nth(limit) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_owned(),
    }
}
