//! The Realtime view: what the user said (input transcripts and text items), what the model
//! said (text and audio transcripts), function calls, and each response's status and usage.

use std::collections::HashSet;
use std::io;

use openai_wire_events::{RealtimeConversationItem, RealtimeResponse, RealtimeServerEvent};
use serde_json::Value;

use super::{Inspect, Kind, Printer, Style, Usage, View, status_lines, tool_call_line};

impl Inspect for RealtimeServerEvent {
    type View = RealtimeView;
    const HAS_END: bool = false;
}

/// The state of a Realtime session being rendered.
#[derive(Debug, Default)]
pub struct RealtimeView {
    /// Items (and content indexes) whose text or transcript was shown.
    shown: HashSet<(String, i64)>,
    /// Function calls shown, by call id.
    calls_shown: HashSet<String>,
    responses: u64,
    last_status: Option<String>,
    usage: Option<Usage>,
}

impl View<RealtimeServerEvent> for RealtimeView {
    fn event(&mut self, out: &mut Printer<'_>, event: &RealtimeServerEvent) -> io::Result<()> {
        use RealtimeServerEvent as E;
        match event {
            E::ConversationItemInputAudioTranscriptionDelta(e) => {
                if let Some(delta) = &e.delta {
                    let index = e.content_index.unwrap_or(0);
                    self.text(out, Kind::User, &e.item_id, index, delta)?;
                }
            }
            E::ConversationItemInputAudioTranscriptionCompleted(e) => {
                self.fill(out, Kind::User, &e.item_id, e.content_index, &e.transcript)?
            }
            E::ConversationItemInputAudioTranscriptionFailed(e) => {
                let error = serde_json::to_value(&e.error).unwrap_or_default();
                let message = error.get("message").and_then(Value::as_str).unwrap_or("");
                out.line(Style::Error, &format!("✗ transcription failed: {message}"))?
            }
            E::ConversationItemCreated(e) => self.user_item(out, &e.item)?,
            E::ConversationItemAdded(e) => self.user_item(out, &e.item)?,
            E::ConversationItemDone(e) => self.user_item(out, &e.item)?,
            E::ResponseOutputTextDelta(e) => {
                self.text(out, Kind::Text, &e.item_id, e.content_index, &e.delta)?
            }
            E::ResponseOutputTextDone(e) => {
                self.fill(out, Kind::Text, &e.item_id, e.content_index, &e.text)?
            }
            E::ResponseOutputAudioTranscriptDelta(e) => {
                self.text(out, Kind::Text, &e.item_id, e.content_index, &e.delta)?
            }
            E::ResponseOutputAudioTranscriptDone(e) => {
                self.fill(out, Kind::Text, &e.item_id, e.content_index, &e.transcript)?
            }
            E::ResponseFunctionCallArgumentsDone(e) => {
                let key = if e.call_id.is_empty() {
                    &e.item_id
                } else {
                    &e.call_id
                };
                if self.calls_shown.insert(key.clone()) {
                    out.line(Style::Tool, &tool_call_line(&e.name, &e.arguments))?;
                }
            }
            E::ResponseDone(e) => self.response_done(out, &e.response)?,
            E::Error(e) => {
                let message = match &e.error.code {
                    Some(code) => format!("{code}: {}", e.error.message),
                    None => e.error.message.clone(),
                };
                out.line(Style::Error, &format!("✗ error: {message}"))?;
            }
            _ => {}
        }
        Ok(())
    }

    fn finish(&mut self, out: &mut Printer<'_>) -> io::Result<()> {
        if self.responses > 0 {
            let last = self.last_status.as_deref().unwrap_or("?");
            out.line(
                Style::Note,
                &format!("── responses: {} (last {last})", self.responses),
            )?;
        }
        status_lines(out, None, None, self.usage.as_ref())
    }
}

impl RealtimeView {
    fn text(
        &mut self,
        out: &mut Printer<'_>,
        kind: Kind,
        item_id: &str,
        index: i64,
        text: &str,
    ) -> io::Result<()> {
        self.shown.insert((item_id.to_owned(), index));
        out.stream(kind, item_id, index, text)
    }

    /// Shows a whole text, unless its deltas already did.
    fn fill(
        &mut self,
        out: &mut Printer<'_>,
        kind: Kind,
        item_id: &str,
        index: i64,
        text: &str,
    ) -> io::Result<()> {
        if self.shown.contains(&(item_id.to_owned(), index)) {
            return Ok(());
        }
        self.text(out, kind, item_id, index, text)
    }

    /// A conversation item: shows the text of a user message (typed, or a transcript).
    fn user_item(
        &mut self,
        out: &mut Printer<'_>,
        item: &RealtimeConversationItem,
    ) -> io::Result<()> {
        let Ok(item) = serde_json::to_value(item) else {
            return Ok(());
        };
        if item.get("role").and_then(Value::as_str) != Some("user") {
            return Ok(());
        }
        let id = item.get("id").and_then(Value::as_str).unwrap_or("");
        let contents = item.get("content").and_then(Value::as_array);
        for (index, content) in (0..).zip(contents.into_iter().flatten()) {
            let text = content
                .get("text")
                .or_else(|| content.get("transcript"))
                .and_then(Value::as_str)
                .filter(|text| !text.is_empty());
            if let Some(text) = text {
                self.fill(out, Kind::User, id, index, text)?;
            }
        }
        Ok(())
    }

    fn response_done(
        &mut self,
        out: &mut Printer<'_>,
        response: &RealtimeResponse,
    ) -> io::Result<()> {
        self.responses += 1;
        let status = response
            .status
            .as_ref()
            .map_or_else(|| "done".to_owned(), |s| s.to_string());
        let mut line = format!("── response {status}");
        if let Some(usage) = &response.usage {
            let usage = Usage {
                input: usage.input_tokens.unwrap_or(0),
                cached: usage
                    .input_token_details
                    .as_ref()
                    .and_then(|d| d.cached_tokens),
                output: usage.output_tokens.unwrap_or(0),
                reasoning: None,
                total: usage.total_tokens.unwrap_or(0),
            };
            line.push_str(&format!(" · usage: {usage}"));
            self.usage.get_or_insert_with(Usage::default).add(&usage);
        }
        out.line(Style::Note, &line)?;
        self.last_status = Some(status);
        Ok(())
    }
}
