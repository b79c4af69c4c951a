//! The exit status every command ends with.

use std::process::ExitCode;

/// How a command went, from best to worst; several outcomes combine to the worst one.
///
/// | status | code | meaning |
/// | --- | --- | --- |
/// | [`Status::Clean`] | 0 | every input was read and nothing was wrong with it |
/// | [`Status::Findings`] | 1 | the inputs were read, and something in them is wrong (decode errors, or unknown events when they are denied) |
/// | [`Status::Trouble`] | 2 | a usage or IO error: an input could not be opened or read, or its protocol could not be told |
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub enum Status {
    /// Nothing to report.
    #[default]
    Clean,
    /// Something is wrong in the streams.
    Findings,
    /// Something is wrong with the invocation or the inputs themselves.
    Trouble,
}

impl Status {
    /// The worse of two outcomes.
    pub fn and(self, other: Status) -> Status {
        self.max(other)
    }
}

impl From<Status> for ExitCode {
    fn from(status: Status) -> ExitCode {
        match status {
            Status::Clean => ExitCode::SUCCESS,
            Status::Findings => ExitCode::from(1),
            Status::Trouble => ExitCode::from(2),
        }
    }
}

/// Prints an error that stops a command (or one of its inputs) on stderr, with its causes.
pub fn report(error: &anyhow::Error) {
    stderr_line(format_args!("openai-wire: error: {error:#}"));
}

/// Writes one line to stderr. Unlike `eprintln!`, a stderr that cannot be written to (a closed
/// pipe) is not a panic: there is nowhere left to say anything, so the line is dropped.
pub fn stderr_line(line: std::fmt::Arguments<'_>) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}
