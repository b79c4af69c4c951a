//! `openai-wire decode`: decodes streams into typed events and reports what it found.
//!
//! For each event, stdout gets `INDEX<TAB>TYPE` (the event's position among the stream's frames
//! and its wire type; `INDEX<TAB>[DONE]` for the end marker) or, with `--json`, the typed event
//! written back as one line of compact JSON. Decode errors go to stderr as
//! `FILE:INDEX: error: MESSAGE`, and each file ends with a summary on stderr:
//! `FILE: N events, U unknown, E errors, ended: yes|no`.

use std::io::{self, BufWriter, Write};
use std::path::PathBuf;

use openai_wire_decode::{DecodeError, Item};
use openai_wire_events::{EventView, StreamEvent};

use crate::input::{Failure, Input, Sink, StreamArgs, ViewSink, with_event_type};
use crate::status::{Status, report, stderr_line};

/// The arguments of `openai-wire decode`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Output: one `INDEX<TAB>TYPE` line per event on stdout (`INDEX<TAB>[DONE]` for the end marker).
Decode errors on stderr as `FILE:INDEX: error: MESSAGE`, then one summary per file:
`FILE: N events, U unknown, E errors, ended: yes|no`.

Exit status: 0 when no stream has errors (nor unknown events, with --deny-unknown), 1 when one
has, 2 when an input cannot be opened or read or its protocol cannot be told.")]
pub struct Args {
    /// How to read the streams.
    #[command(flatten)]
    pub stream: StreamArgs,
    /// Print each event written back as one line of compact JSON instead of `INDEX<TAB>TYPE`
    /// (the `[DONE]` marker, which is not an event, is left out)
    #[arg(long)]
    pub json: bool,
    /// Print only the summary of each file (on stderr)
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Count events of a type the spec does not list as a failure (exit status 1)
    #[arg(long)]
    pub deny_unknown: bool,
    /// The streams to read; `-` reads standard input
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
}

/// Decodes every file in turn. Output errors (a closed pipe) stop it; a file that cannot be read
/// is reported and the next one is read.
pub fn run(args: &Args) -> anyhow::Result<Status> {
    let mut out = BufWriter::with_capacity(64 * 1024, io::stdout().lock());
    let mut status = Status::Clean;
    for path in &args.files {
        let outcome = decode_file(args, path, &mut out);
        out.flush()?;
        status = status.and(match outcome {
            Ok(status) => status,
            Err(Failure::Output(error)) => return Err(error.into()),
            Err(Failure::Input(error)) => {
                report(&error);
                Status::Trouble
            }
        });
    }
    Ok(status)
}

/// Decodes one file, printing its events, its errors and its summary.
fn decode_file(
    args: &Args,
    path: &std::path::Path,
    out: &mut impl Write,
) -> Result<Status, Failure> {
    let mut input = Input::open(path).map_err(Failure::Input)?;
    let (protocol, format) = input.resolve(&args.stream).map_err(Failure::Input)?;
    let name = input.name().to_owned();
    let mut printer = Printer {
        out,
        name: &name,
        json: args.json,
        quiet: args.quiet,
        encode_errors: 0,
    };
    // Writing events back needs them owned; listing their types reads borrowed views, checked
    // to fit their types all the same (same errors, same summary).
    let summary = if args.json {
        with_event_type!(protocol, |E| input.pump::<E, _>(format, &mut printer))?
    } else {
        with_event_type!(protocol, |E| input.pump_views::<E, _>(format, &mut printer))?
    };
    let encode_errors = printer.encode_errors;
    out.flush().map_err(Failure::Output)?;
    stderr_line(format_args!(
        "{name}: {} events, {} unknown, {} errors, ended: {}",
        summary.events,
        summary.unknown,
        summary.errors,
        if summary.ended_properly() {
            "yes"
        } else {
            "no"
        }
    ));
    let findings =
        summary.errors > 0 || encode_errors > 0 || (args.deny_unknown && summary.unknown > 0);
    Ok(if findings {
        Status::Findings
    } else {
        Status::Clean
    })
}

/// Prints the items of one stream.
struct Printer<'a, W> {
    out: &'a mut W,
    name: &'a str,
    json: bool,
    quiet: bool,
    /// Events that could not be written back as JSON (not expected: every decoded event can).
    encode_errors: u64,
}

impl<E: StreamEvent, W: Write> Sink<E> for Printer<'_, W> {
    fn item(&mut self, item: Result<Item<'_, E>, DecodeError>) -> io::Result<()> {
        match item {
            Ok(Item::Event(decoded)) if self.json && !self.quiet => {
                let index = decoded.position.index;
                match serde_json::to_string(&decoded.event) {
                    Ok(json) => writeln!(self.out, "{json}"),
                    Err(error) => {
                        self.encode_errors += 1;
                        self.out.flush()?;
                        stderr_line(format_args!(
                            "{}:{index}: error: cannot write the `{}` event back as JSON: {error}",
                            self.name,
                            decoded.event.wire_type()
                        ));
                        Ok(())
                    }
                }
            }
            Ok(Item::Event(decoded)) => {
                self.event_line(decoded.position.index, decoded.event.wire_type())
            }
            Ok(Item::Done(position)) => self.done_line(position.index),
            Ok(Item::Comment(_)) => Ok(()),
            Err(error) => self.error(&error),
        }
    }

    fn chunk_done(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

impl<E: StreamEvent, W: Write> ViewSink<E> for Printer<'_, W> {
    fn view_item(&mut self, item: Result<Item<'_, E::View<'_>>, DecodeError>) -> io::Result<()> {
        match item {
            Ok(Item::Event(decoded)) => {
                self.event_line(decoded.position.index, decoded.event.wire_type())
            }
            Ok(Item::Done(position)) => self.done_line(position.index),
            Ok(Item::Comment(_)) => Ok(()),
            Err(error) => self.error(&error),
        }
    }

    fn chunk_done(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

impl<W: Write> Printer<'_, W> {
    /// `INDEX<TAB>TYPE` for an event (not with `--json` or `--quiet`).
    fn event_line(&mut self, index: u64, wire_type: &str) -> io::Result<()> {
        if self.quiet || self.json {
            return Ok(());
        }
        let wire_type = if wire_type.is_empty() {
            "(no type)"
        } else {
            wire_type
        };
        writeln!(self.out, "{index}\t{wire_type}")
    }

    /// `INDEX<TAB>[DONE]` for the end marker (not with `--json` or `--quiet`).
    fn done_line(&mut self, index: u64) -> io::Result<()> {
        if self.quiet || self.json {
            return Ok(());
        }
        writeln!(self.out, "{index}\t[DONE]")
    }

    /// A decode error on stderr, with its position and the start of its text.
    fn error(&mut self, error: &DecodeError) -> io::Result<()> {
        if self.quiet {
            return Ok(());
        }
        self.out.flush()?;
        let index = error.position.index;
        stderr_line(format_args!(
            "{}:{index}: error: {} (event at byte {})",
            self.name, error.kind, error.position.offset
        ));
        if !error.raw.is_empty() {
            stderr_line(format_args!(
                "{}:{index}:   raw: {}",
                self.name,
                excerpt(&error.raw, 200)
            ));
        }
        Ok(())
    }
}

/// The first `limit` characters of `text` on one line, control characters escaped.
fn excerpt(text: &str, limit: usize) -> String {
    let mut short: String = text
        .trim()
        .chars()
        .take(limit)
        .flat_map(|c| {
            let escaped: Vec<char> = if c.is_control() {
                c.escape_default().collect()
            } else {
                vec![c]
            };
            escaped
        })
        .collect();
    if text.trim().chars().count() > limit {
        short.push('…');
    }
    short
}
