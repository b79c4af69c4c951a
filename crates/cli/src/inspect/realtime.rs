//! The Realtime view: what [`RealtimeFold::push_updates`] says each event changed (what the user
//! said, typed or transcribed; what the model said, as text or audio transcripts; finished
//! function calls; each response's status and usage), then the calls a cut-off recording left
//! open and the session's totals, from the fold.

use std::io;

use openai_wire_events::{RealtimeResponse, RealtimeServerEvent};
use openai_wire_fold::{RealtimeFold, RealtimeUpdate};

use super::{Inspect, Kind, Printer, Style, Usage, View, status_lines, tool_call_line};

impl Inspect for RealtimeServerEvent {
    type View = RealtimeView;
    const HAS_END: bool = false;
}

/// A Realtime session being rendered: the fold reads the events and says what each changed;
/// the view keeps nothing of its own.
#[derive(Debug, Default)]
pub struct RealtimeView {
    fold: RealtimeFold,
}

impl View<RealtimeServerEvent> for RealtimeView {
    fn event(&mut self, out: &mut Printer<'_>, event: &RealtimeServerEvent) -> io::Result<()> {
        for update in self.fold.push_updates(event) {
            self.show(out, update)?;
        }
        Ok(())
    }

    fn finish(&mut self, out: &mut Printer<'_>) -> io::Result<()> {
        for call in self.fold.unfinished_calls() {
            let name = call.name.as_deref().unwrap_or_default();
            let line = tool_call_line(name, call.arguments.as_deref().unwrap_or_default());
            out.line(Style::Tool, &format!("{line} (unfinished)"))?;
        }
        let done: Vec<&RealtimeResponse> = (self.fold.responses().iter())
            .filter_map(|r| r.done.as_ref())
            .collect();
        let Some(last) = done.last() else {
            return Ok(());
        };
        out.line(
            Style::Note,
            &format!("── responses: {} (last {})", done.len(), status(last)),
        )?;
        let mut total: Option<Usage> = None;
        for usage in done.iter().filter_map(|response| usage(response)) {
            total.get_or_insert_with(Usage::default).add(&usage);
        }
        status_lines(out, None, None, total.as_ref())
    }
}

impl RealtimeView {
    /// Shows one update: what the user and the model said stream in their item's channel;
    /// calls, responses and errors get a line.
    fn show(&self, out: &mut Printer<'_>, update: RealtimeUpdate) -> io::Result<()> {
        let channel = |index: u64| i64::try_from(index).unwrap_or(i64::MAX);
        match update {
            RealtimeUpdate::TextDelta {
                item_id,
                content_index,
                delta,
                ..
            }
            | RealtimeUpdate::TranscriptDelta {
                item_id,
                content_index,
                delta,
                ..
            } => out.stream(Kind::Text, &item_id, channel(content_index), &delta),
            RealtimeUpdate::InputTranscriptDelta {
                item_id,
                content_index,
                delta,
            } => out.stream(Kind::User, &item_id, channel(content_index), &delta),
            RealtimeUpdate::UnstreamedText {
                response_id,
                item_id,
                role,
                content_index,
                text,
            } => {
                // The user's words, and the responses'; not a history the client seeded.
                let kind = match role.as_deref() {
                    Some("user") => Kind::User,
                    _ if response_id.is_some() => Kind::Text,
                    _ => return Ok(()),
                };
                out.stream(kind, &item_id, channel(content_index), &text)
            }
            RealtimeUpdate::InputTranscriptionFailed { message, .. } => {
                out.line(Style::Error, &format!("✗ transcription failed: {message}"))
            }
            RealtimeUpdate::ToolCallDone(call) => {
                out.line(Style::Tool, &tool_call_line(&call.name, &call.arguments))
            }
            RealtimeUpdate::ResponseDone { response_id, .. } => {
                match self.done_line(&response_id) {
                    Some(line) => out.line(Style::Note, &line),
                    None => Ok(()),
                }
            }
            RealtimeUpdate::Error { code, message } => {
                let message = match code {
                    Some(code) => format!("{code}: {message}"),
                    None => message,
                };
                out.line(Style::Error, &format!("✗ error: {message}"))
            }
            _ => Ok(()),
        }
    }

    /// The line of a response that is done: its status and usage, from the fold.
    fn done_line(&self, response_id: &str) -> Option<String> {
        let responses = self.fold.responses();
        let response = (responses.iter().rev())
            .find(|r| r.id == response_id)
            .or(responses.last())?;
        let done = response.done.as_ref()?;
        let mut line = format!("── response {}", status(done));
        if let Some(usage) = usage(done) {
            line.push_str(&format!(" · usage: {usage}"));
        }
        Some(line)
    }
}

/// A response's final status (`done` when it has none).
fn status(response: &RealtimeResponse) -> String {
    response
        .status
        .as_ref()
        .map_or_else(|| "done".to_owned(), |s| s.to_string())
}

/// A response's usage, in the words of the other views.
fn usage(response: &RealtimeResponse) -> Option<Usage> {
    let usage = response.usage.as_ref()?;
    Some(Usage {
        input: usage.input_tokens.unwrap_or(0),
        cached: (usage.input_token_details.as_ref()).and_then(|d| d.cached_tokens),
        output: usage.output_tokens.unwrap_or(0),
        reasoning: None,
        total: usage.total_tokens.unwrap_or(0),
    })
}
