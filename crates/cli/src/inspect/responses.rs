//! The Responses API view: output text, reasoning summaries and text, refusals, tool calls from
//! their items, and the final response's status and usage.

use std::collections::HashSet;
use std::io;

use openai_wire_events::{
    OutputItem, OutputMessageContent, Response, ResponseStreamEvent, ResponseUsage,
};

use super::{Inspect, Kind, Printer, Style, Usage, View, status_lines, tool_call_line};

impl Inspect for ResponseStreamEvent {
    type View = ResponsesView;
}

/// Which kind of text of an output item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Part {
    Text,
    Refusal,
    Summary,
    Reasoning,
}

/// A tool call whose item is not done yet.
#[derive(Debug, Default)]
struct PendingCall {
    name: String,
    arguments: String,
}

/// The state of a Responses stream being rendered.
///
/// Items are told apart by their id (by `#output_index` when they have none): servers do not
/// always agree between the output indexes of events and the positions in the final response,
/// nor between the content indexes of deltas and of the final item.
#[derive(Debug, Default)]
pub struct ResponsesView {
    /// Kinds of text shown, by item: `.done` events and final items only show what no delta
    /// did.
    shown: HashSet<(String, Part)>,
    /// Tool calls being streamed, by item, in the order they started.
    calls: Vec<(String, PendingCall)>,
    /// Items whose tool call was shown.
    calls_shown: HashSet<String>,
    /// Responses started (a recording can hold several).
    responses: u32,
    header_shown: bool,
    status: Option<String>,
    error: Option<String>,
    usage: Option<Usage>,
}

impl View<ResponseStreamEvent> for ResponsesView {
    fn event(&mut self, out: &mut Printer<'_>, event: &ResponseStreamEvent) -> io::Result<()> {
        use ResponseStreamEvent as E;
        match event {
            E::ResponseCreated(e) => {
                if self.responses > 0 {
                    // Another response in the same recording: end the last one, start afresh.
                    self.finish(out)?;
                    *self = ResponsesView {
                        responses: self.responses,
                        ..ResponsesView::default()
                    };
                }
                self.responses += 1;
                self.header(out, &e.response)?;
            }
            E::ResponseInProgress(e) => self.header(out, &e.response)?,
            E::ResponseQueued(e) => self.header(out, &e.response)?,
            E::ResponseOutputTextDelta(e) => {
                let key = item_key(&e.item_id, e.output_index);
                self.text(out, &key, Part::Text, e.content_index, &e.delta)?
            }
            E::ResponseOutputTextDone(e) => {
                let key = item_key(&e.item_id, e.output_index);
                self.fill(out, &key, Part::Text, e.content_index, &e.text)?
            }
            E::ResponseRefusalDelta(e) => {
                let key = item_key(&e.item_id, e.output_index);
                self.text(out, &key, Part::Refusal, e.content_index, &e.delta)?
            }
            E::ResponseRefusalDone(e) => {
                let key = item_key(&e.item_id, e.output_index);
                self.fill(out, &key, Part::Refusal, e.content_index, &e.refusal)?
            }
            E::ResponseReasoningSummaryTextDelta(e) => {
                let key = item_key(&e.item_id, e.output_index);
                self.text(out, &key, Part::Summary, e.summary_index, &e.delta)?
            }
            E::ResponseReasoningSummaryTextDone(e) => {
                let key = item_key(&e.item_id, e.output_index);
                self.fill(out, &key, Part::Summary, e.summary_index, &e.text)?
            }
            E::ResponseReasoningTextDelta(e) => {
                let key = item_key(&e.item_id, e.output_index);
                self.text(out, &key, Part::Reasoning, e.content_index, &e.delta)?
            }
            E::ResponseReasoningTextDone(e) => {
                let key = item_key(&e.item_id, e.output_index);
                self.fill(out, &key, Part::Reasoning, e.content_index, &e.text)?
            }
            E::ResponseAudioTranscriptDelta(e) => out.stream(Kind::Text, "audio", 0, &e.delta)?,
            E::ResponseOutputItemAdded(e) => {
                let (id, name, arguments) = match &e.item {
                    OutputItem::FunctionCall(call) => {
                        (call.id.as_deref(), call.name.clone(), &call.arguments)
                    }
                    OutputItem::CustomToolCall(call) => {
                        (call.id.as_deref(), call.name.clone(), &call.input)
                    }
                    OutputItem::McpCall(call) => (
                        Some(call.id.as_str()),
                        format!("{}.{}", call.server_label, call.name),
                        &call.arguments,
                    ),
                    _ => return Ok(()),
                };
                let call = self.call(&item_key(id.unwrap_or(""), e.output_index));
                call.name = name;
                call.arguments.clone_from(arguments);
            }
            E::ResponseFunctionCallArgumentsDelta(e) => {
                let key = item_key(&e.item_id, e.output_index);
                self.call(&key).arguments.push_str(&e.delta)
            }
            E::ResponseFunctionCallArgumentsDone(e) => {
                let call = self.call(&item_key(&e.item_id, e.output_index));
                call.arguments.clone_from(&e.arguments);
                if call.name.is_empty() {
                    call.name.clone_from(&e.name);
                }
            }
            E::ResponseCustomToolCallInputDelta(e) => {
                let key = item_key(&e.item_id, e.output_index);
                self.call(&key).arguments.push_str(&e.delta)
            }
            E::ResponseCustomToolCallInputDone(e) => {
                let key = item_key(&e.item_id, e.output_index);
                self.call(&key).arguments.clone_from(&e.input)
            }
            E::ResponseMcpCallArgumentsDelta(e) => {
                let key = item_key(&e.item_id, e.output_index);
                self.call(&key).arguments.push_str(&e.delta)
            }
            E::ResponseMcpCallArgumentsDone(e) => {
                let key = item_key(&e.item_id, e.output_index);
                self.call(&key).arguments.clone_from(&e.arguments)
            }
            E::ResponseOutputItemDone(e) => self.item_done(out, e.output_index, &e.item)?,
            E::ResponseCompleted(e) => self.end(out, &e.response, "completed")?,
            E::ResponseFailed(e) => self.end(out, &e.response, "failed")?,
            E::ResponseIncomplete(e) => self.end(out, &e.response, "incomplete")?,
            E::Error(e) => {
                let message = match e.error_code() {
                    Some(code) => format!("{code}: {}", e.error_message()),
                    None => e.error_message().to_owned(),
                };
                out.line(Style::Error, &format!("✗ error: {message}"))?;
                self.status = Some("error".to_owned());
                self.error = Some(message);
            }
            _ => {}
        }
        Ok(())
    }

    fn finish(&mut self, out: &mut Printer<'_>) -> io::Result<()> {
        self.finish_calls(out)?;
        status_lines(
            out,
            self.status.as_deref(),
            self.error.as_deref(),
            self.usage.as_ref(),
        )
    }
}

impl ResponsesView {
    /// The first line of a response: its id and model.
    fn header(&mut self, out: &mut Printer<'_>, response: &Response) -> io::Result<()> {
        if self.header_shown {
            return Ok(());
        }
        self.header_shown = true;
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

    /// Streams a delta of a text part of the item `key`.
    fn text(
        &mut self,
        out: &mut Printer<'_>,
        key: &str,
        part: Part,
        index: i64,
        delta: &str,
    ) -> io::Result<()> {
        self.shown.insert((key.to_owned(), part));
        let (kind, index) = match part {
            Part::Text => (Kind::Text, index),
            Part::Refusal => (Kind::Refusal, index),
            Part::Summary => (Kind::Reasoning, index),
            Part::Reasoning => (Kind::Reasoning, -1 - index),
        };
        out.stream(kind, key, index, delta)
    }

    /// Shows a whole text part, unless deltas already showed the item's text of that kind.
    fn fill(
        &mut self,
        out: &mut Printer<'_>,
        key: &str,
        part: Part,
        index: i64,
        text: &str,
    ) -> io::Result<()> {
        if self.shown.contains(&(key.to_owned(), part)) {
            return Ok(());
        }
        self.text(out, key, part, index, text)
    }

    /// The pending call of the item `key`, new if there is none.
    fn call(&mut self, key: &str) -> &mut PendingCall {
        let position = match self.calls.iter().position(|(k, _)| k == key) {
            Some(position) => position,
            None => {
                self.calls.push((key.to_owned(), PendingCall::default()));
                self.calls.len() - 1
            }
        };
        &mut self.calls[position].1
    }

    /// An output item is done: show what its events did not.
    fn item_done(
        &mut self,
        out: &mut Printer<'_>,
        output_index: i64,
        item: &OutputItem,
    ) -> io::Result<()> {
        let key = item_key(&item_id(item).unwrap_or_default(), output_index);
        let pending = match self.calls.iter().position(|(k, _)| *k == key) {
            Some(position) => Some(self.calls.remove(position).1),
            None => None,
        };
        let arguments = |own: &str| match &pending {
            Some(call) if own.is_empty() => call.arguments.clone(),
            _ => own.to_owned(),
        };
        let call = match item {
            OutputItem::Message(message) => {
                for (index, content) in (0..).zip(&message.content) {
                    match content {
                        OutputMessageContent::OutputText(text) => {
                            self.fill(out, &key, Part::Text, index, &text.text)?
                        }
                        OutputMessageContent::Refusal(refusal) => {
                            self.fill(out, &key, Part::Refusal, index, &refusal.refusal)?
                        }
                        OutputMessageContent::Unknown(_) => {}
                    }
                }
                None
            }
            OutputItem::Reasoning(reasoning) => {
                // All the parts, or none: the deltas showed some of them.
                if !self.shown.contains(&(key.clone(), Part::Summary)) {
                    for (index, summary) in (0..).zip(&reasoning.summary) {
                        self.text(out, &key, Part::Summary, index, &summary.text)?
                    }
                }
                if !self.shown.contains(&(key.clone(), Part::Reasoning)) {
                    for (index, content) in (0..).zip(reasoning.content.iter().flatten()) {
                        self.text(out, &key, Part::Reasoning, index, &content.text)?
                    }
                }
                None
            }
            OutputItem::FunctionCall(call) => {
                Some(tool_call_line(&call.name, &arguments(&call.arguments)))
            }
            OutputItem::CustomToolCall(call) => {
                Some(tool_call_line(&call.name, &arguments(&call.input)))
            }
            OutputItem::McpCall(call) => Some(tool_call_line(
                &format!("{}.{}", call.server_label, call.name),
                &arguments(&call.arguments),
            )),
            other => other_tool_call(other),
        };
        if let Some(line) = call
            && self.calls_shown.insert(key)
        {
            out.line(Style::Tool, &line)?;
        }
        Ok(())
    }

    /// Shows the tool calls still pending, marked unfinished.
    fn finish_calls(&mut self, out: &mut Printer<'_>) -> io::Result<()> {
        for (key, call) in std::mem::take(&mut self.calls) {
            if self.calls_shown.insert(key) {
                let line = tool_call_line(&call.name, &call.arguments);
                out.line(Style::Tool, &format!("{line} (unfinished)"))?;
            }
        }
        Ok(())
    }

    /// The final response: show the items no event showed, then keep its status and usage.
    fn end(&mut self, out: &mut Printer<'_>, response: &Response, kind: &str) -> io::Result<()> {
        for (output_index, item) in (0..).zip(&response.output) {
            self.item_done(out, output_index, item)?;
        }
        self.finish_calls(out)?;
        let mut status = response
            .status
            .as_ref()
            .map_or_else(|| kind.to_owned(), |s| s.to_string());
        if let Some(reason) = response
            .incomplete_details
            .as_ref()
            .and_then(|d| d.reason.as_ref())
        {
            status.push_str(&format!(" ({reason})"));
        }
        self.status = Some(status);
        if let Some(error) = &response.error {
            self.error = Some(format!("{}: {}", error.code, error.message));
        }
        self.usage = response.usage.as_ref().map(usage);
        Ok(())
    }
}

/// How an item is told apart: its id, or `#output_index` when it has none.
fn item_key(id: &str, output_index: i64) -> String {
    if id.is_empty() {
        format!("#{output_index}")
    } else {
        id.to_owned()
    }
}

/// The id of an output item, when it has one.
fn item_id(item: &OutputItem) -> Option<String> {
    match item {
        OutputItem::Message(message) => Some(message.id.clone()),
        OutputItem::Reasoning(reasoning) => Some(reasoning.id.clone()),
        OutputItem::FunctionCall(call) => call.id.clone(),
        OutputItem::CustomToolCall(call) => call.id.clone(),
        OutputItem::McpCall(call) => Some(call.id.clone()),
        other => serde_json::to_value(other)
            .ok()?
            .get("id")?
            .as_str()
            .map(str::to_owned),
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
