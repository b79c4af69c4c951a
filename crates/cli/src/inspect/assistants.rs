//! The Assistants run stream view: message text as it streams, tool calls (from
//! `thread.run.requires_action` and completed run steps), and the run's status and usage.

use std::collections::HashSet;
use std::io;

use openai_wire_events::{
    AssistantStreamEvent, MessageDeltaObject, MessageDeltaObjectDeltaContentItem as DeltaContent,
    MessageObject, RunObject, RunStepObject,
};
use serde_json::Value;

use super::responses::shorten;
use super::{Inspect, Kind, Printer, Style, Usage, View, status_lines, tool_call_line};

impl Inspect for AssistantStreamEvent {
    type View = AssistantsView;
}

/// The state of an Assistants run stream being rendered.
#[derive(Debug, Default)]
pub struct AssistantsView {
    /// Messages whose text streamed.
    streamed: HashSet<String>,
    /// Tool calls shown, by id.
    calls_shown: HashSet<String>,
    status: Option<String>,
    error: Option<String>,
    usage: Option<Usage>,
}

impl View<AssistantStreamEvent> for AssistantsView {
    fn event(&mut self, out: &mut Printer<'_>, event: &AssistantStreamEvent) -> io::Result<()> {
        use AssistantStreamEvent as E;
        match event {
            E::ThreadMessageDelta(delta) => self.message_delta(out, delta)?,
            E::ThreadMessageCompleted(message) | E::ThreadMessageIncomplete(message) => {
                self.message_done(out, message)?
            }
            E::ThreadRunStepCompleted(step) => self.step_done(out, step)?,
            E::ThreadRunRequiresAction(run) => {
                if let Some(action) = &run.required_action {
                    for call in &action.submit_tool_outputs.tool_calls {
                        if self.calls_shown.insert(call.id.clone()) {
                            let line =
                                tool_call_line(&call.function.name, &call.function.arguments);
                            out.line(Style::Tool, &line)?;
                        }
                    }
                }
                self.run_end(run, "requires_action");
            }
            E::ThreadRunCompleted(run) => self.run_end(run, "completed"),
            E::ThreadRunIncomplete(run) => self.run_end(run, "incomplete"),
            E::ThreadRunFailed(run) => self.run_end(run, "failed"),
            E::ThreadRunCancelled(run) => self.run_end(run, "cancelled"),
            E::ThreadRunExpired(run) => self.run_end(run, "expired"),
            E::Error(error) => {
                out.line(Style::Error, &format!("✗ error: {}", error.message))?;
                self.error = Some(error.message.clone());
            }
            _ => {}
        }
        Ok(())
    }

    fn finish(&mut self, out: &mut Printer<'_>) -> io::Result<()> {
        status_lines(
            out,
            self.status.as_deref(),
            self.error.as_deref(),
            self.usage.as_ref(),
        )
    }
}

impl AssistantsView {
    fn message_delta(
        &mut self,
        out: &mut Printer<'_>,
        delta: &MessageDeltaObject,
    ) -> io::Result<()> {
        for content in delta.delta.content.iter().flatten() {
            match content {
                DeltaContent::Text(text) => {
                    if let Some(value) = text.text.as_ref().and_then(|t| t.value.as_deref()) {
                        self.streamed.insert(delta.id.clone());
                        out.stream(Kind::Text, &delta.id, text.index, value)?;
                    }
                }
                DeltaContent::Refusal(refusal) => {
                    if let Some(value) = &refusal.refusal {
                        self.streamed.insert(delta.id.clone());
                        out.stream(Kind::Refusal, &delta.id, refusal.index, value)?;
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// A message is done: show its text if no delta did.
    fn message_done(&mut self, out: &mut Printer<'_>, message: &MessageObject) -> io::Result<()> {
        if self.streamed.contains(&message.id) {
            return Ok(());
        }
        let Ok(contents) = serde_json::to_value(&message.content) else {
            return Ok(());
        };
        for (index, content) in (0..).zip(contents.as_array().into_iter().flatten()) {
            let text = content.pointer("/text/value").and_then(Value::as_str);
            if let Some(text) = text {
                out.stream(Kind::Text, &message.id, index, text)?;
            }
        }
        Ok(())
    }

    /// A run step is done: show the tool calls it made that were not shown yet.
    fn step_done(&mut self, out: &mut Printer<'_>, step: &RunStepObject) -> io::Result<()> {
        let Ok(step) = serde_json::to_value(step) else {
            return Ok(());
        };
        let calls = step
            .pointer("/step_details/tool_calls")
            .and_then(Value::as_array);
        for call in calls.into_iter().flatten() {
            let id = call.get("id").and_then(Value::as_str).unwrap_or("");
            if !self.calls_shown.insert(id.to_owned()) {
                continue;
            }
            let kind = call.get("type").and_then(Value::as_str).unwrap_or("");
            let text = |pointer: &str| {
                call.pointer(pointer)
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_owned()
            };
            let line = match kind {
                "function" => tool_call_line(&text("/function/name"), &text("/function/arguments")),
                "code_interpreter" => tool_call_line(
                    "code_interpreter",
                    &shorten(&text("/code_interpreter/input"), 300),
                ),
                other => tool_call_line(other, ""),
            };
            out.line(Style::Tool, &line)?;
        }
        Ok(())
    }

    fn run_end(&mut self, run: &RunObject, kind: &str) {
        let mut status = run
            .status
            .as_ref()
            .map_or_else(|| kind.to_owned(), |s| s.to_string());
        if let Some(reason) = run
            .incomplete_details
            .as_ref()
            .and_then(|d| d.reason.as_ref())
        {
            status.push_str(&format!(" ({reason})"));
        }
        self.status = Some(status);
        if let Some(error) = &run.last_error {
            self.error = Some(format!("{}: {}", error.code, error.message));
        }
        if let Some(usage) = &run.usage {
            self.usage = Some(Usage {
                input: usage.prompt_tokens,
                cached: None,
                output: usage.completion_tokens,
                reasoning: None,
                total: usage.total_tokens,
            });
        }
    }
}
