//! `openai-wire convert`: converts a stream between Chat Completions and Responses and writes the
//! result as SSE on stdout, event by event as the input arrives (a live stream stays live).
//!
//! - `--to responses`: Chat Completions chunks in, Responses events out, through
//!   `openai_wire_convert::stream::chat_to_responses` (what the gateway does).
//! - `--to chat`: Responses events in, Chat Completions chunks out (`data: [DONE]` only when the
//!   response ended normally).
//!
//! A stream that was cut off ends as `response.failed` (or a Chat error), never as a success.

use std::io::{self, Write};
use std::path::PathBuf;

use anyhow::bail;
use openai_wire_convert::provider::{ProviderKind, QUIRKS, Quirk, Quirks};
use openai_wire_convert::stream::chat_to_responses::{ChatToResponses, StreamEnd, StreamOptions};
use openai_wire_convert::stream::responses_to_chat::{ResponsesToChat, ResponsesToChatOptions};
use openai_wire_decode::{DecodeError, Item, Protocol};
use openai_wire_emit::{
    IdSource, RandomIds, SequentialIds, write_chat_done, write_chat_sse, write_response_sse,
};
use openai_wire_events::{ChatCompletionStreamEvent, Response, ResponseStreamEvent};

use crate::input::{Failure, Input, Sink, StreamArgs};
use crate::status::{Status, report, stderr_line};

/// The protocol to convert to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Target {
    /// The Responses API (from Chat Completions chunks)
    Responses,
    /// Chat Completions (from Responses events)
    Chat,
}

/// The arguments of `openai-wire convert`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Output: the converted stream as SSE on stdout, written as the input arrives. Responses events
are written as `event: TYPE` + `data: JSON`; Chat chunks as `data: JSON`, ending with
`data: [DONE]` only when the response ended normally. Decode errors in the input go to stderr.

Without --provider or --quirk, only the detection that is safe by construction runs (cumulative
tool arguments, for example); with them, the stream is read as the gateway reads that provider's.

Exit status: 0 when the input decoded cleanly and ended properly (a Chat stream: every choice
finished, with or without `[DONE]`), 1 when it had decode errors or was cut off (the output then
ends with a failure, never a success), 2 on a usage or IO error.")]
pub struct Args {
    /// The protocol to convert to
    #[arg(long, value_enum)]
    pub to: Target,
    /// The input's protocol [default: the other one of --to; checked against the input]
    #[arg(long, value_name = "PROTOCOL", value_parser = ["responses", "chat"])]
    pub from: Option<String>,
    /// The input's framing [default: told from its first bytes]
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format: Option<crate::input::FormatArg>,
    /// Number ids (`resp_0001`, ...) and use a fixed clock, so that the output is reproducible
    #[arg(long)]
    pub deterministic: bool,
    /// With --to responses: the kind of provider the stream came from (`deepseek`,
    /// `perplexity`, `groq`, `vllm`, `kimi`, ...; the gateway's `kind`): its stream quirks, as
    /// the gateway applies them
    #[arg(long, value_name = "KIND")]
    pub provider: Option<String>,
    /// With --to responses: a stream quirk to apply on top (repeatable): `think_tags_in_content`,
    /// `cumulative_content`, `cumulative_tool_arguments`, `missing_finish_reason`, ...
    #[arg(long = "quirk", value_name = "NAME")]
    pub quirks: Vec<String>,
    /// With --to responses: a quirk of the --provider preset to turn off (repeatable), e.g.
    /// `--provider groq --no-quirk think_tags_in_content`
    #[arg(long = "no-quirk", value_name = "NAME")]
    pub no_quirks: Vec<String>,
    /// The stream to convert; `-` reads standard input
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
}

/// Converts the stream.
pub fn run(args: &Args) -> anyhow::Result<Status> {
    let from = match (args.to, args.from.as_deref()) {
        (Target::Responses, None | Some("chat")) => Protocol::Chat,
        (Target::Chat, None | Some("responses")) => Protocol::Responses,
        (_, Some(from)) => bail!("cannot convert from {from} to the same protocol"),
    };
    let mut input = Input::open(&args.file)?;
    let stream_args = StreamArgs {
        protocol: Some(from),
        format: args.format,
    };
    let (_, format) = input.resolve(&stream_args)?;
    let ids: Box<dyn IdSource> = if args.deterministic {
        Box::new(SequentialIds::default())
    } else {
        Box::new(RandomIds::new())
    };
    let out = io::stdout().lock();
    if args.to == Target::Chat && (args.provider.is_some() || !args.quirks.is_empty()) {
        bail!("--provider and --quirk apply to Chat streams (--to responses)");
    }
    let result = match args.to {
        Target::Responses => {
            let options = StreamOptions {
                quirks: quirks(args)?,
                ..StreamOptions::default()
            };
            let sink = ToResponses {
                converter: ChatToResponses::new(Response::default(), ids, options),
                out,
                name: input.name().to_owned(),
                errors: 0,
                failed: false,
            };
            to_responses(&mut input, format, sink)
        }
        Target::Chat => {
            let sink = ToChat {
                converter: ResponsesToChat::new(ResponsesToChatOptions::default(), ids),
                out,
                name: input.name().to_owned(),
                errors: 0,
            };
            to_chat(&mut input, format, sink)
        }
    };
    match result {
        Ok(true) => Ok(Status::Clean),
        Ok(false) => Ok(Status::Findings),
        Err(Failure::Output(error)) => Err(error.into()),
        Err(Failure::Input(error)) => {
            report(&error);
            Ok(Status::Trouble)
        }
    }
}

/// Converts a Chat stream: whether it ended properly. A Chat stream ends properly when every
/// choice has its `finish_reason`, with or without `[DONE]` (Writer's API, some vLLM and
/// llama.cpp builds send none): the converter completes it, and only a failure it wrote, a cut,
/// or a decode error make the exit status 1.
fn to_responses<W: Write>(
    input: &mut Input,
    format: openai_wire_decode::Format,
    mut sink: ToResponses<W>,
) -> Result<bool, Failure> {
    let summary = input.pump::<ChatCompletionStreamEvent, _>(format, &mut sink)?;
    let end = if summary.done_marker {
        StreamEnd::DoneMarker
    } else if summary.truncated {
        StreamEnd::Cut
    } else {
        StreamEnd::Eof
    };
    let events = sink.converter.finish(end);
    sink.write(&events).map_err(Failure::Output)?;
    Ok(!summary.truncated && !sink.failed && sink.errors == 0)
}

/// Converts a Responses stream: whether it ended properly (`data: [DONE]` is written only then).
fn to_chat<W: Write>(
    input: &mut Input,
    format: openai_wire_decode::Format,
    mut sink: ToChat<W>,
) -> Result<bool, Failure> {
    let summary = input.pump::<ResponseStreamEvent, _>(format, &mut sink)?;
    let chunks = sink
        .converter
        .finish(summary.ended_properly())
        .unwrap_or_else(|error| {
            stderr_line(format_args!("{}: {error}", sink.name));
            Vec::new()
        });
    sink.write(&chunks).map_err(Failure::Output)?;
    if sink.converter.outcome().sends_done() {
        let mut bytes = Vec::new();
        write_chat_done(&mut bytes);
        sink.out.write_all(&bytes).map_err(Failure::Output)?;
    }
    sink.out.flush().map_err(Failure::Output)?;
    Ok(summary.ended_properly() && sink.errors == 0)
}

/// The stream quirks of `--provider`, `--quirk` and `--no-quirk`: the kind's preset, as the
/// gateway applies it ([`Quirks::for_kind`]), with quirks added and taken away by name.
fn quirks(args: &Args) -> anyhow::Result<Quirks> {
    let mut quirks = match &args.provider {
        Some(name) => match ProviderKind::from_name(name) {
            Some(kind) => Quirks::for_kind(kind),
            None => bail!(
                "unknown provider kind {name:?}: one of {}",
                ProviderKind::names()
            ),
        },
        None => Quirks::none(),
    };
    for name in &args.quirks {
        quirks.insert(quirk_named(name)?);
    }
    for name in &args.no_quirks {
        quirks.remove(quirk_named(name)?);
    }
    Ok(quirks)
}

/// The quirk called `name`, or a usage error listing the names.
fn quirk_named(name: &str) -> anyhow::Result<Quirk> {
    Quirk::from_name(name).ok_or_else(|| {
        let names: Vec<&str> = QUIRKS.iter().map(|row| row.name).collect();
        anyhow::anyhow!("unknown quirk {name:?}: one of {}", names.join(", "))
    })
}

/// Reports a decode error of the input on stderr.
fn decode_error(name: &str, error: &DecodeError) {
    stderr_line(format_args!(
        "{name}:{}: error: {error}",
        error.position.index
    ));
}

/// Chat chunks in, Responses events out.
struct ToResponses<W> {
    converter: ChatToResponses<Box<dyn IdSource>>,
    out: W,
    name: String,
    errors: u64,
    /// Whether the converter wrote `response.failed`.
    failed: bool,
}

impl<W: Write> ToResponses<W> {
    fn write(&mut self, events: &[ResponseStreamEvent]) -> io::Result<()> {
        self.failed |= events
            .iter()
            .any(|event| matches!(event, ResponseStreamEvent::ResponseFailed(_)));
        let mut bytes = Vec::new();
        write_response_sse(&mut bytes, events).map_err(io::Error::other)?;
        self.out.write_all(&bytes)?;
        self.out.flush()
    }
}

impl<W: Write> Sink<ChatCompletionStreamEvent> for ToResponses<W> {
    fn item(
        &mut self,
        item: Result<Item<'_, ChatCompletionStreamEvent>, DecodeError>,
    ) -> io::Result<()> {
        match item {
            Ok(Item::Event(decoded)) => {
                let events = match self.converter.push_event(&decoded.event) {
                    Ok(events) => events,
                    Err(error) => {
                        stderr_line(format_args!("{}: {error}", self.name));
                        self.errors += 1;
                        Vec::new()
                    }
                };
                self.write(&events)
            }
            // How the stream ended is read from the decoder's summary at the end.
            Ok(Item::Done(_) | Item::Comment(_)) => Ok(()),
            Err(error) => {
                self.errors += 1;
                decode_error(&self.name, &error);
                Ok(())
            }
        }
    }
}

/// Responses events in, Chat chunks out.
struct ToChat<W> {
    converter: ResponsesToChat<Box<dyn IdSource>>,
    out: W,
    name: String,
    errors: u64,
}

impl<W: Write> ToChat<W> {
    fn write(&mut self, chunks: &[ChatCompletionStreamEvent]) -> io::Result<()> {
        let mut bytes = Vec::new();
        write_chat_sse(&mut bytes, chunks).map_err(io::Error::other)?;
        self.out.write_all(&bytes)?;
        self.out.flush()
    }
}

impl<W: Write> Sink<ResponseStreamEvent> for ToChat<W> {
    fn item(&mut self, item: Result<Item<'_, ResponseStreamEvent>, DecodeError>) -> io::Result<()> {
        match item {
            Ok(Item::Event(decoded)) => {
                let chunks = match self.converter.push(&decoded.event) {
                    Ok(chunks) => chunks,
                    Err(error) => {
                        stderr_line(format_args!("{}: {error}", self.name));
                        self.errors += 1;
                        Vec::new()
                    }
                };
                self.write(&chunks)
            }
            Ok(Item::Done(_) | Item::Comment(_)) => Ok(()),
            Err(error) => {
                self.errors += 1;
                decode_error(&self.name, &error);
                Ok(())
            }
        }
    }
}
