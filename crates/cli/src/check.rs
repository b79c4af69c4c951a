//! `openai-wire check`: runs the conformance checker of `openai-wire-check` over streams.
//!
//! Each finding is one line on stdout, `FILE:INDEX: error|warning RULE message` (`INDEX` is the
//! event's position among the stream's frames, `-` for a finding about the whole stream), and
//! each file ends with a summary on stderr: `FILE: PROTOCOL, N events, E errors, W warnings`.
//! With `--json`, stdout gets one JSON object per file instead. The rules are listed in
//! `CHECKS.md` and by `--rules`.

use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use openai_wire_check::{RULES, Report, check_bytes};
use serde_json::json;

use crate::input::{Input, StreamArgs};
use crate::status::{Status, report, stderr_line};

/// The arguments of `openai-wire check`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Output: one line per finding on stdout, `FILE:INDEX: error|warning RULE message` (INDEX is `-`
for a finding about the whole stream), then a summary per file on stderr:
`FILE: PROTOCOL, N events, E errors, W warnings`. The rules are in CHECKS.md (or --rules).

Exit status: 0 when no stream has an error (warnings do not count), 1 when one has, 2 when an
input cannot be opened or read or its protocol cannot be told.")]
pub struct Args {
    /// How to read the streams.
    #[command(flatten)]
    pub stream: StreamArgs,
    /// Print one JSON object per file on stdout:
    /// `{"file", "protocol", "events", "errors", "warnings", "ended", "findings": [...]}`
    #[arg(long)]
    pub json: bool,
    /// Leave warnings out of the output (they are still counted in the summary)
    #[arg(long)]
    pub errors_only: bool,
    /// Print the catalogue of rules (id, severity, protocol, what it checks) and exit
    #[arg(long, exclusive = true)]
    pub rules: bool,
    /// The streams to check; `-` reads standard input
    #[arg(required_unless_present = "rules", value_name = "FILE")]
    pub files: Vec<PathBuf>,
}

/// Checks every file in turn; a file that cannot be read is reported and the next one is read.
pub fn run(args: &Args) -> anyhow::Result<Status> {
    let mut out = BufWriter::new(io::stdout().lock());
    if args.rules {
        for rule in RULES {
            writeln!(
                out,
                "{}\t{}\t{}\t{}",
                rule.id,
                rule.severity,
                rule.protocol_name(),
                rule.doc
            )?;
        }
        out.flush()?;
        return Ok(Status::Clean);
    }
    let mut status = Status::Clean;
    for path in &args.files {
        let outcome = match check_file(args, path) {
            Ok((name, protocol, report)) => {
                print_report(args, &name, protocol, &report, &mut out)?;
                out.flush()?;
                if report.errors() > 0 {
                    Status::Findings
                } else {
                    Status::Clean
                }
            }
            Err(error) => {
                report(&error);
                Status::Trouble
            }
        };
        status = status.and(outcome);
    }
    Ok(status)
}

/// Reads and checks one file.
fn check_file(
    args: &Args,
    path: &Path,
) -> anyhow::Result<(String, openai_wire_decode::Protocol, Report)> {
    let mut input = Input::open(path)?;
    let (protocol, format) = input.resolve(&args.stream)?;
    let bytes = input.read_to_end()?;
    Ok((
        input.name().to_owned(),
        protocol,
        check_bytes(protocol, format, &bytes),
    ))
}

/// Prints the findings of one file and its summary.
fn print_report(
    args: &Args,
    name: &str,
    protocol: openai_wire_decode::Protocol,
    report: &Report,
    out: &mut impl Write,
) -> io::Result<()> {
    let shown = report
        .findings
        .iter()
        .filter(|finding| !args.errors_only || finding.is_error());
    if args.json {
        let findings: Vec<_> = shown.collect();
        let line = json!({
            "file": name,
            "protocol": protocol.name(),
            "events": report.summary.events,
            "errors": report.errors(),
            "warnings": report.warnings(),
            "ended": report.summary.ended_properly(),
            "findings": findings,
        });
        writeln!(out, "{line}")?;
    } else {
        for finding in shown {
            writeln!(out, "{name}:{finding}")?;
        }
    }
    stderr_line(format_args!(
        "{name}: {protocol}, {} events, {} errors, {} warnings",
        report.summary.events,
        report.errors(),
        report.warnings()
    ));
    Ok(())
}
