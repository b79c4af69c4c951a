//! Views of the small protocols: audio transcription (text as it streams, diarized segments),
//! and a generic event list for speech, image generation and edits, webhooks, Realtime client
//! events, the Agents session stream and the Live API (one line per run of events of one type,
//! then the usage of the final event).

use std::io;
use std::marker::PhantomData;

use openai_wire_events::{
    AgentSessionStreamEvent, ImageEditStreamEvent, ImageGenerationStreamEvent, LiveClientEvent,
    LiveServerEvent, RealtimeClientEvent, SpeechStreamEvent, StreamEvent, TranscriptionStreamEvent,
    WebhookEvent,
};
use serde_json::Value;

use super::{Inspect, Kind, Printer, Style, Usage, View, status_lines};

impl Inspect for TranscriptionStreamEvent {
    type View = TranscriptionView;
}

impl Inspect for SpeechStreamEvent {
    type View = EventList<Self>;
}

impl Inspect for ImageGenerationStreamEvent {
    type View = EventList<Self>;
}

impl Inspect for ImageEditStreamEvent {
    type View = EventList<Self>;
}

impl Inspect for WebhookEvent {
    type View = EventList<Self>;
    const HAS_END: bool = false;
}

impl Inspect for RealtimeClientEvent {
    type View = EventList<Self>;
    const HAS_END: bool = false;
}

// The protocols of spec/additions/ get the generic list for now (no protocol-specific view).
impl Inspect for AgentSessionStreamEvent {
    type View = EventList<Self>;
    const HAS_END: bool = false;
}

impl Inspect for LiveServerEvent {
    type View = EventList<Self>;
    const HAS_END: bool = false;
}

impl Inspect for LiveClientEvent {
    type View = EventList<Self>;
    const HAS_END: bool = false;
}

/// The state of a transcription stream being rendered.
#[derive(Debug, Default)]
pub struct TranscriptionView {
    /// Whether text (deltas or segments) was shown.
    shown: bool,
    done: bool,
    usage: Option<Usage>,
}

impl View<TranscriptionStreamEvent> for TranscriptionView {
    fn event(&mut self, out: &mut Printer<'_>, event: &TranscriptionStreamEvent) -> io::Result<()> {
        match event {
            TranscriptionStreamEvent::TranscriptTextDelta(delta) => {
                self.shown = true;
                out.stream(Kind::Text, "", 0, &delta.delta)?;
            }
            TranscriptionStreamEvent::TranscriptTextSegment(segment) => {
                self.shown = true;
                let speaker = if segment.speaker.is_empty() {
                    String::new()
                } else {
                    format!(" {}:", segment.speaker)
                };
                out.line(
                    Style::Plain,
                    &format!(
                        "[{:.1}s–{:.1}s]{speaker} {}",
                        segment.start,
                        segment.end,
                        segment.text.trim()
                    ),
                )?;
            }
            TranscriptionStreamEvent::TranscriptTextDone(done) => {
                if !self.shown {
                    out.stream(Kind::Text, "", 0, &done.text)?;
                }
                self.done = true;
                self.usage = done.usage.as_ref().map(|usage| Usage {
                    input: usage.input_tokens,
                    cached: None,
                    output: usage.output_tokens,
                    reasoning: None,
                    total: usage.total_tokens,
                });
            }
            TranscriptionStreamEvent::Unknown(_) => {}
        }
        Ok(())
    }

    fn finish(&mut self, out: &mut Printer<'_>) -> io::Result<()> {
        let status = self.done.then_some("done");
        status_lines(out, status, None, self.usage.as_ref())
    }
}

/// A view that lists the events: one line per run of events of the same type (`· type ×N`),
/// with the id of the object a webhook is about; the usage of the last event that has one.
pub struct EventList<E> {
    /// The line of the current run of events, and how many events it holds.
    run: Option<(String, u64)>,
    usage: Option<Usage>,
    _event: PhantomData<fn(E)>,
}

impl<E> Default for EventList<E> {
    fn default() -> Self {
        EventList {
            run: None,
            usage: None,
            _event: PhantomData,
        }
    }
}

impl<E> EventList<E> {
    fn end_run(&mut self, out: &mut Printer<'_>) -> io::Result<()> {
        if let Some((line, count)) = self.run.take() {
            let line = if count > 1 {
                format!("{line} ×{count}")
            } else {
                line
            };
            out.line(Style::Note, &line)?;
        }
        Ok(())
    }
}

impl<E: StreamEvent> View<E> for EventList<E> {
    fn event(&mut self, out: &mut Printer<'_>, event: &E) -> io::Result<()> {
        let value = serde_json::to_value(event).unwrap_or_default();
        let mut line = format!("· {}", event.wire_type());
        if let Some(id) = value.pointer("/data/id").and_then(Value::as_str) {
            line.push_str(&format!(" ({id})"));
        }
        match &mut self.run {
            Some((current, count)) if *current == line => *count += 1,
            _ => {
                self.end_run(out)?;
                self.run = Some((line, 1));
            }
        }
        if let Some(usage) = value.get("usage").and_then(Usage::from_json) {
            self.usage = Some(usage);
        }
        Ok(())
    }

    fn finish(&mut self, out: &mut Printer<'_>) -> io::Result<()> {
        self.end_run(out)?;
        status_lines(out, None, None, self.usage.as_ref())
    }
}
