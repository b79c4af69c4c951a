//! `openai-wire inspect`: a stream rendered for a person.
//!
//! The text shows as it streams; reasoning is set apart (each line marked `[reasoning] `, dim on
//! a terminal); tool calls show with their name and arguments (`→ get_weather({"city":"Paris"})`)
//! once they are complete; the end shows the final status, the token usage, and whether the
//! stream ended properly or was cut off. Events of a type the spec does not list get a one-line
//! note (once per type); decode errors a short note with their position.
//!
//! Each protocol has its view (a small state machine from its events to lines): [`responses`],
//! [`chat`], [`realtime`], [`assistants`], and [`other`] for the small protocols. The views of
//! the four big protocols render what `openai-wire-fold`'s folds say each event changed (each
//! text once, each call once) and read the end (calls left open, status, usage) from the fold;
//! they keep only what they printed.

mod assistants;
mod chat;
// The table documents each view and is tested against the model; no code reads it yet.
#[cfg_attr(not(test), allow(dead_code))]
mod dispositions;
mod other;
mod printer;
mod realtime;
mod responses;

use std::collections::BTreeSet;
use std::fmt;
use std::io::{self, BufWriter, IsTerminal};
use std::path::PathBuf;

use openai_wire_decode::{DecodeError, Format, Item, Summary};
use openai_wire_events::StreamEvent;

use crate::input::{Failure, Input, Sink, StreamArgs, with_event_type};
use crate::status::{Status, report};
pub use printer::{Kind, Printer, Style};

/// The arguments of `openai-wire inspect`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Colours are used when stdout is a terminal and NO_COLOR is not set (or with --color always).

Exit status: 0 when the stream decoded cleanly, 1 when it has decode errors, 2 when the input
cannot be opened or read or its protocol cannot be told.")]
pub struct Args {
    /// How to read the streams.
    #[command(flatten)]
    pub stream: StreamArgs,
    /// When to colour the output
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = ColorWhen::Auto)]
    pub color: ColorWhen,
    /// The stream to read; `-` reads standard input
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
}

/// When to colour the output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorWhen {
    /// When stdout is a terminal and NO_COLOR is not set
    Auto,
    /// Always
    Always,
    /// Never
    Never,
}

impl ColorWhen {
    /// Whether to colour, for output to stdout.
    fn enabled(self) -> bool {
        match self {
            ColorWhen::Always => true,
            ColorWhen::Never => false,
            ColorWhen::Auto => {
                io::stdout().is_terminal()
                    && std::env::var_os("NO_COLOR").is_none_or(|value| value.is_empty())
            }
        }
    }
}

/// Renders the stream of `args.file` on stdout.
pub fn run(args: &Args) -> anyhow::Result<Status> {
    let mut input = match Input::open(&args.file) {
        Ok(input) => input,
        Err(error) => {
            report(&error);
            return Ok(Status::Trouble);
        }
    };
    let (protocol, format) = match input.resolve(&args.stream) {
        Ok(found) => found,
        Err(error) => {
            report(&error);
            return Ok(Status::Trouble);
        }
    };
    let mut out = BufWriter::with_capacity(16 * 1024, io::stdout().lock());
    let mut printer = Printer::new(&mut out, args.color.enabled());
    let rendered = with_event_type!(protocol, |E| render::<E>(
        &mut input,
        format,
        &mut printer,
        protocol.name()
    ));
    match rendered {
        Ok(summary) if summary.errors > 0 => Ok(Status::Findings),
        Ok(_) => Ok(Status::Clean),
        Err(Failure::Output(error)) => Err(error.into()),
        Err(Failure::Input(error)) => {
            printer.end_line()?;
            printer.flush()?;
            report(&error);
            Ok(Status::Trouble)
        }
    }
}

/// A protocol's event enum, with the view that renders it.
pub trait Inspect: StreamEvent {
    /// The protocol's view.
    type View: View<Self> + Default;

    /// Whether the protocol's streams end with a terminal event or `[DONE]` (a Realtime session,
    /// for one, just stops).
    const HAS_END: bool = true;
}

/// Renders the events of one protocol: a small state machine from events to lines.
pub trait View<E> {
    /// Renders one event (unknown events are dealt with before, and never reach the view).
    fn event(&mut self, out: &mut Printer<'_>, event: &E) -> io::Result<()>;

    /// The input has ended: shows what is still pending (tool calls not yet shown), then the
    /// final status and the usage.
    fn finish(&mut self, out: &mut Printer<'_>) -> io::Result<()>;

    /// Whether the events say the answer is complete (every Chat choice has its finish reason),
    /// for streams that end without their protocol's end marker: recordings often drop it.
    fn complete(&self) -> bool {
        false
    }
}

/// Renders a whole stream and its ending; returns the decoder's summary.
fn render<E: Inspect>(
    input: &mut Input,
    format: Format,
    printer: &mut Printer<'_>,
    protocol: &str,
) -> Result<Summary, Failure> {
    let mut sink = Renderer::<E> {
        view: <E as Inspect>::View::default(),
        printer,
        unknown_seen: BTreeSet::new(),
    };
    let summary = input.pump::<E, _>(format, &mut sink)?;
    let printer = sink.printer;
    sink.view.finish(printer).map_err(Failure::Output)?;
    footer::<E>(printer, &summary, protocol, sink.view.complete()).map_err(Failure::Output)?;
    printer.flush().map_err(Failure::Output)?;
    Ok(summary)
}

/// Says how the stream ended, and what the decoder counted.
fn footer<E: Inspect>(
    out: &mut Printer<'_>,
    summary: &Summary,
    protocol: &str,
    complete: bool,
) -> io::Result<()> {
    let (style, ended) = if !E::HAS_END {
        (
            Style::Note,
            format!("ended: n/a ({protocol} streams have no end event)"),
        )
    } else if summary.ended_properly() {
        (Style::Note, "ended: yes".to_owned())
    } else if summary.truncated {
        (
            Style::Error,
            "ended: no (cut off in the middle of an event)".to_owned(),
        )
    } else if complete {
        (
            Style::Note,
            "ended: no end marker, though the answer is complete".to_owned(),
        )
    } else {
        (Style::Error, "ended: no (cut off)".to_owned())
    };
    let mut counts = format!("{} events", summary.events);
    if summary.unknown > 0 {
        counts.push_str(&format!(", {} of unknown types", summary.unknown));
    }
    if summary.errors > 0 {
        counts.push_str(&format!(", {} not decoded", summary.errors));
    }
    if summary.events_after_end > 0 {
        counts.push_str(&format!(", {} after the end", summary.events_after_end));
    }
    out.line(style, &format!("── {ended} · {counts}"))
}

/// The sink that hands decoded events to a view.
struct Renderer<'p, 'a, E: Inspect> {
    view: <E as Inspect>::View,
    printer: &'p mut Printer<'a>,
    /// Unknown event types already noted.
    unknown_seen: BTreeSet<String>,
}

impl<E: Inspect> Sink<E> for Renderer<'_, '_, E> {
    fn item(&mut self, item: Result<Item<'_, E>, DecodeError>) -> io::Result<()> {
        match item {
            Ok(Item::Event(decoded)) if decoded.event.is_unknown() => {
                let wire_type = decoded.event.wire_type();
                if self.unknown_seen.insert(wire_type.to_owned()) {
                    let shown = if wire_type.is_empty() {
                        "(no type)"
                    } else {
                        wire_type
                    };
                    self.printer.line(
                        Style::Note,
                        &format!(
                            "· skipped `{shown}`: a type not in the spec (further ones not noted)"
                        ),
                    )?;
                }
                Ok(())
            }
            Ok(Item::Event(decoded)) => self.view.event(self.printer, &decoded.event),
            Ok(Item::Done(_) | Item::Comment(_)) => Ok(()),
            Err(error) => self.printer.line(
                Style::Error,
                &format!(
                    "✗ event {} (byte {}) not decoded: {}",
                    error.position.index, error.position.offset, error.kind
                ),
            ),
        }
    }

    fn chunk_done(&mut self) -> io::Result<()> {
        self.printer.flush()
    }
}

/// Token usage, in the words of the Responses API.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Usage {
    /// Input (prompt) tokens.
    pub input: i64,
    /// Of which read from the cache, when told.
    pub cached: Option<i64>,
    /// Output (completion) tokens.
    pub output: i64,
    /// Of which reasoning, when told.
    pub reasoning: Option<i64>,
    /// All tokens.
    pub total: i64,
}

impl Usage {
    /// Reads usage from a JSON object in either naming (`input_tokens` or `prompt_tokens`, …).
    pub fn from_json(value: &serde_json::Value) -> Option<Usage> {
        let int = |path: &[&str]| {
            path.iter()
                .try_fold(value, |v, key| v.get(key))
                .and_then(serde_json::Value::as_i64)
        };
        let input = int(&["input_tokens"]).or(int(&["prompt_tokens"]));
        let output = int(&["output_tokens"]).or(int(&["completion_tokens"]));
        let total = int(&["total_tokens"]);
        if input.is_none() && output.is_none() && total.is_none() {
            return None;
        }
        let (input, output) = (input.unwrap_or(0), output.unwrap_or(0));
        Some(Usage {
            input,
            cached: int(&["input_tokens_details", "cached_tokens"])
                .or(int(&["prompt_tokens_details", "cached_tokens"])),
            output,
            reasoning: int(&["output_tokens_details", "reasoning_tokens"])
                .or(int(&["completion_tokens_details", "reasoning_tokens"])),
            total: total.unwrap_or(input + output),
        })
    }

    /// Adds another response's usage to this one.
    pub fn add(&mut self, other: &Usage) {
        let sum = |a: Option<i64>, b: Option<i64>| match (a, b) {
            (None, None) => None,
            (a, b) => Some(a.unwrap_or(0) + b.unwrap_or(0)),
        };
        self.input += other.input;
        self.cached = sum(self.cached, other.cached);
        self.output += other.output;
        self.reasoning = sum(self.reasoning, other.reasoning);
        self.total += other.total;
    }
}

impl fmt::Display for Usage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "input {}", self.input)?;
        if let Some(cached) = self.cached {
            write!(f, " (cached {cached})")?;
        }
        write!(f, ", output {}", self.output)?;
        if let Some(reasoning) = self.reasoning {
            write!(f, " (reasoning {reasoning})")?;
        }
        write!(f, ", total {}", self.total)
    }
}

/// A tool call line: `→ name(arguments)`.
pub fn tool_call_line(name: &str, arguments: &str) -> String {
    let name = if name.is_empty() { "(unnamed)" } else { name };
    format!("→ {name}({arguments})")
}

/// Writes the usual end lines: status, error, usage (each when known).
pub fn status_lines(
    out: &mut Printer<'_>,
    status: Option<&str>,
    error: Option<&str>,
    usage: Option<&Usage>,
) -> io::Result<()> {
    if let Some(status) = status {
        out.line(Style::Note, &format!("── status: {status}"))?;
    }
    if let Some(error) = error {
        out.line(Style::Error, &format!("── error: {error}"))?;
    }
    if let Some(usage) = usage {
        out.line(Style::Note, &format!("── usage: {usage}"))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::Usage;

    #[test]
    fn reads_usage_in_both_namings() {
        let responses = serde_json::json!({"input_tokens": 45, "input_tokens_details": {"cached_tokens": 0},
            "output_tokens": 3506, "output_tokens_details": {"reasoning_tokens": 2240}, "total_tokens": 3551});
        let usage = Usage::from_json(&responses).unwrap();
        assert_eq!(
            usage.to_string(),
            "input 45 (cached 0), output 3506 (reasoning 2240), total 3551"
        );
        let chat =
            serde_json::json!({"prompt_tokens": 124, "completion_tokens": 22, "total_tokens": 146});
        assert_eq!(
            Usage::from_json(&chat).unwrap().to_string(),
            "input 124, output 22, total 146"
        );
        assert_eq!(Usage::from_json(&serde_json::json!({})), None);
    }
}
