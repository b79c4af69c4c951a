//! `openai-wire fold`: folds a stream into its final object and prints it as JSON.
//!
//! - Responses: the `Response` (the terminal event's object when one arrived, else the fold of
//!   the events); where the fold and the terminal object differ, the differences go to stderr.
//! - Chat Completions: the `ChatCompletion` the chunks add up to.
//! - Realtime: `{"conversation": [...], "responses": [...], "errors": [...]}`, each response
//!   with its folded output, its `response.done` and their differences.
//! - Assistants: `{"run": ..., "steps": [...], "messages": [...]}`.
//!
//! `--text` prints the final text only.

use std::io::{self, Write};
use std::path::PathBuf;

use anyhow::{Context, bail};
use openai_wire_decode::{Decoder, Format, Item, Protocol};
use openai_wire_events::{
    AssistantStreamEvent, ChatCompletionStreamEvent, RealtimeServerEvent, ResponseStreamEvent,
    StreamEvent,
};
use openai_wire_fold::{fold_assistants, fold_realtime, fold_responses};
use serde_json::{Value, json};

use crate::input::{Input, StreamArgs};
use crate::status::{Status, stderr_line};

/// The arguments of `openai-wire fold`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Output: the final object as pretty JSON on stdout (the Response, the ChatCompletion, the Realtime
conversation and its responses, or the Assistants run with its steps and messages). For a
Responses stream whose terminal object differs from the fold of its events, each difference is
reported on stderr as `FILE: difference at PATH: folded X, final Y`.

Exit status: 0 when the stream decoded without errors and ended properly, 1 when it had decode
errors or was cut off (the object is printed anyway), 2 when the input cannot be read or its
protocol is not one that folds (responses, chat, realtime, assistants).")]
pub struct Args {
    /// How to read the stream.
    #[command(flatten)]
    pub stream: StreamArgs,
    /// Print the final text only (the assistant's output text), not the JSON object
    #[arg(long)]
    pub text: bool,
    /// Print compact JSON on one line
    #[arg(long)]
    pub compact: bool,
    /// The stream to fold; `-` reads standard input
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
}

/// Folds the stream and prints the result.
pub fn run(args: &Args) -> anyhow::Result<Status> {
    let mut input = Input::open(&args.file)?;
    let (protocol, format) = input.resolve(&args.stream)?;
    let bytes = input.read_to_end()?;
    let name = input.name().to_owned();
    let (object, text, clean) = match protocol {
        Protocol::Responses => {
            let (events, clean) = decode::<ResponseStreamEvent>(&name, format, &bytes);
            let fold = fold_responses(events);
            for difference in fold.differences() {
                stderr_line(format_args!(
                    "{name}: difference at {}: folded {}, final {}",
                    difference.path, difference.folded, difference.authoritative
                ));
            }
            let text = fold.final_text();
            (to_value(&fold.into_response())?, text, clean)
        }
        Protocol::Chat => {
            let (events, clean) = decode::<ChatCompletionStreamEvent>(&name, format, &bytes);
            let mut fold = openai_wire_fold::ChatFold::new();
            for event in &events {
                fold.push_event(event);
            }
            fold.finish();
            (to_value(&fold.completion())?, fold.final_text(), clean)
        }
        Protocol::Realtime => {
            let (events, clean) = decode::<RealtimeServerEvent>(&name, format, &bytes);
            let fold = fold_realtime(events);
            let object = json!({
                "conversation": fold.conversation(),
                "responses": fold.responses(),
                "errors": fold.errors(),
            });
            (object, fold.final_text(), clean)
        }
        Protocol::Assistants => {
            let (events, clean) = decode::<AssistantStreamEvent>(&name, format, &bytes);
            let fold = fold_assistants(events);
            let object = json!({
                "run": fold.run(),
                "steps": fold.steps(),
                "messages": fold.messages(),
            });
            (object, fold.final_text(), clean)
        }
        other => bail!(
            "{name}: a {other} stream has no final object to fold; fold reads responses, chat, realtime and assistants streams"
        ),
    };
    let mut out = io::stdout().lock();
    if args.text {
        writeln!(out, "{text}")?;
    } else if args.compact {
        writeln!(out, "{object}")?;
    } else {
        writeln!(out, "{}", serde_json::to_string_pretty(&object)?)?;
    }
    out.flush()?;
    Ok(if clean {
        Status::Clean
    } else {
        Status::Findings
    })
}

fn to_value(value: &impl serde::Serialize) -> anyhow::Result<Value> {
    serde_json::to_value(value).context("cannot write the folded object as JSON")
}

/// Decodes every event of the stream. Decode errors are reported on stderr and skipped; the
/// flag says whether the stream was clean (no errors, ended properly).
fn decode<E: StreamEvent>(name: &str, format: Format, bytes: &[u8]) -> (Vec<E>, bool) {
    let mut decoder = Decoder::<E>::new(format);
    decoder.feed(bytes);
    decoder.finish();
    let mut events = Vec::new();
    while let Some(item) = decoder.next_item() {
        match item {
            Ok(Item::Event(decoded)) => events.push(decoded.event),
            Ok(Item::Done(_) | Item::Comment(_)) => {}
            Err(error) => stderr_line(format_args!(
                "{name}:{}: error: {error}",
                error.position.index
            )),
        }
    }
    let summary = decoder.summary();
    if !summary.ended_properly() {
        stderr_line(format_args!(
            "{name}: the stream was cut off before its end; the object is what arrived"
        ));
    }
    (events, summary.errors == 0 && summary.ended_properly())
}
