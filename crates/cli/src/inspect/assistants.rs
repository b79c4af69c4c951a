//! The Assistants run stream view: what [`AssistantsFold::push_updates`] says each event changed
//! (message text and refusals as they stream, the text only a completed message carried, tool
//! calls once), then the run's status and usage, from the fold.

use std::io;

use openai_wire_events::{AssistantStreamEvent, RunObject};
use openai_wire_fold::{AssistantsFold, AssistantsUpdate, MessagePart};

use super::responses::shorten;
use super::{Inspect, Kind, Printer, Style, Usage, View, status_lines, tool_call_line};

impl Inspect for AssistantStreamEvent {
    type View = AssistantsView;
}

/// An Assistants run stream being rendered: the fold reads the events and says what each
/// changed; the view keeps only how the run ended.
#[derive(Debug, Default)]
pub struct AssistantsView {
    fold: AssistantsFold,
    /// The name of the event that ended the run (`completed`, `requires_action`, …), for a run
    /// object without a status.
    ended_as: Option<&'static str>,
}

impl View<AssistantStreamEvent> for AssistantsView {
    fn event(&mut self, out: &mut Printer<'_>, event: &AssistantStreamEvent) -> io::Result<()> {
        use AssistantStreamEvent as E;
        let updates = self.fold.push_updates(event);
        self.ended_as = match event {
            E::ThreadRunRequiresAction(_) => Some("requires_action"),
            E::ThreadRunCompleted(_) => Some("completed"),
            E::ThreadRunIncomplete(_) => Some("incomplete"),
            E::ThreadRunFailed(_) => Some("failed"),
            E::ThreadRunCancelled(_) => Some("cancelled"),
            E::ThreadRunExpired(_) => Some("expired"),
            _ => self.ended_as,
        };
        for update in updates {
            show(out, update)?;
        }
        Ok(())
    }

    fn finish(&mut self, out: &mut Printer<'_>) -> io::Result<()> {
        let run = self.fold.run().filter(|_| self.ended_as.is_some());
        let status = run.zip(self.ended_as).map(|(run, kind)| status(run, kind));
        let error = run
            .and_then(|run| run.last_error.as_ref())
            .map(|error| format!("{}: {}", error.code, error.message))
            .or_else(|| self.fold.errors().last().cloned());
        let usage = run.and_then(|run| run.usage.as_ref()).map(|usage| Usage {
            input: usage.prompt_tokens,
            cached: None,
            output: usage.completion_tokens,
            reasoning: None,
            total: usage.total_tokens,
        });
        status_lines(out, status.as_deref(), error.as_deref(), usage.as_ref())
    }
}

/// Shows one update: text and refusals stream in their message part's channel, tool calls and
/// errors get a line.
fn show(out: &mut Printer<'_>, update: AssistantsUpdate) -> io::Result<()> {
    let channel = |index: u64| i64::try_from(index).unwrap_or(i64::MAX);
    match update {
        AssistantsUpdate::TextDelta {
            message_id,
            index,
            delta,
        } => out.stream(Kind::Text, &message_id, channel(index), &delta),
        AssistantsUpdate::RefusalDelta {
            message_id,
            index,
            delta,
        } => out.stream(Kind::Refusal, &message_id, channel(index), &delta),
        AssistantsUpdate::UnstreamedText {
            message_id,
            part,
            text,
        } => match part {
            MessagePart::Text(index) => out.stream(Kind::Text, &message_id, channel(index), &text),
            MessagePart::Refusal(index) => {
                out.stream(Kind::Refusal, &message_id, channel(index), &text)
            }
            _ => Ok(()),
        },
        AssistantsUpdate::ToolCallDone {
            kind,
            name,
            arguments,
            ..
        } => {
            let line = match kind.as_str() {
                "function" => tool_call_line(&name, &arguments),
                "code_interpreter" => tool_call_line(&kind, &shorten(&arguments, 300)),
                _ => tool_call_line(&kind, ""),
            };
            out.line(Style::Tool, &line)
        }
        AssistantsUpdate::Error { message } => {
            out.line(Style::Error, &format!("✗ error: {message}"))
        }
        _ => Ok(()),
    }
}

/// The run's final status (the ending event's name when it has none), with the reason it is
/// incomplete.
fn status(run: &RunObject, ended_as: &str) -> String {
    let mut status = run
        .status
        .as_ref()
        .map_or_else(|| ended_as.to_owned(), |s| s.to_string());
    if let Some(reason) = (run.incomplete_details.as_ref()).and_then(|d| d.reason.as_ref()) {
        status.push_str(&format!(" ({reason})"));
    }
    status
}
