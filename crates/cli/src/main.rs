//! `openai-wire`: OpenAI's streaming protocols at the command line.
//!
//! Every OpenAI API that streams has its own event protocol: the Responses API, Chat Completions,
//! the Realtime API, the Assistants run stream, audio transcription and speech, image generation
//! and edits, webhooks. This command reads recorded or live streams of any of them (SSE or one
//! JSON event per line, from files or standard input), tells the protocol from the first bytes,
//! and decodes them with the typed model of `openai-wire-events`.
//!
//! # Commands
//!
//! - `openai-wire decode FILE...`: one `INDEX<TAB>TYPE` line (or, with `--json`, one JSON line)
//!   per event, decode errors with their position, and a summary per file
//!   (`FILE: N events, U unknown, E errors, ended: yes|no`). Made for scripts and CI.
//! - `openai-wire inspect FILE`: the stream rendered for a person: the text as it streams,
//!   reasoning set apart, tool calls with their arguments, usage, the final status, and whether
//!   the stream ended or was cut off.
//!
//! ```text
//! $ curl -sN https://api.openai.com/v1/responses ... | openai-wire inspect -
//! $ openai-wire decode --quiet --deny-unknown recordings/*.sse
//! ```
//!
//! # Exit status
//!
//! 0 when every stream decoded cleanly, 1 when a stream has decode errors (or unknown events,
//! with `--deny-unknown`), 2 on a usage or IO error (a missing file, an input whose protocol
//! cannot be told).
//!
//! # Layout
//!
//! One module per command ([`decode`], [`inspect`]), each with its clap `Args` and a `run`
//! function returning a [`Status`]; [`input`] holds what they share: opening inputs, telling
//! their protocol, reading them in chunks through the decoder, and picking the event type of a
//! protocol. A new command is a new module and a new [`Command`] variant.

mod check;
mod codex_config;
mod convert;
mod decode;
mod fold;
mod input;
mod inspect;
mod serve;
mod status;

use std::io;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::status::{Status, report};

/// The command line.
#[derive(Debug, Parser)]
#[command(
    name = "openai-wire",
    version,
    about = "Decode and inspect OpenAI streams: Responses, Chat Completions, Realtime, Assistants, audio, images, webhooks",
    after_help = "Exit status: 0 clean, 1 something wrong in a stream, 2 usage or IO error."
)]
struct Cli {
    /// What to do.
    #[command(subcommand)]
    command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
enum Command {
    /// Decode streams into typed events: one line per event, a summary per file
    Decode(decode::Args),
    /// Render a stream for a person: text, reasoning, tool calls, usage and how it ended
    Inspect(inspect::Args),
    /// Check streams against the protocol: one line per finding, exit 1 on any error
    Check(check::Args),
    /// Fold a stream into its final object (Response, ChatCompletion, ...) and print it as JSON
    Fold(fold::Args),
    /// Convert a stream between Chat Completions and Responses, written as SSE on stdout
    Convert(convert::Args),
    /// Run the gateway: the Responses API in front of a Chat Completions provider
    Serve(serve::ServeArgs),
    /// Write Codex CLI's config.toml and model catalog for the gateway (or print one of them)
    CodexConfig(codex_config::CodexConfigArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Decode(args) => decode::run(args),
        Command::Inspect(args) => inspect::run(args),
        Command::Check(args) => check::run(args),
        Command::Fold(args) => fold::run(args),
        Command::Convert(args) => convert::run(args),
        Command::Serve(args) => serve::run(args),
        Command::CodexConfig(args) => codex_config::run(args),
    };
    match result {
        Ok(status) => status.into(),
        // The reader went away (`| head`): stop quietly, as other command-line tools do.
        Err(error) if is_broken_pipe(&error) => ExitCode::SUCCESS,
        Err(error) => {
            report(&error);
            Status::Trouble.into()
        }
    }
}

/// Whether `error` is writing to a pipe whose reader has gone.
fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error
        .chain()
        .filter_map(|cause| cause.downcast_ref::<io::Error>())
        .any(|cause| cause.kind() == io::ErrorKind::BrokenPipe)
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::Cli;

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }
}
