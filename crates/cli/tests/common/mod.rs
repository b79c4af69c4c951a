//! What the CLI tests share: running the built binary, the corpus, and an independent reading
//! of corpus files (a few lines of SSE and JSONL splitting, so that expectations do not come from
//! the code under test).

#![allow(dead_code)]

use std::ffi::OsStr;
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use serde_json::Value;

/// What a run of the binary gave.
#[derive(Debug)]
pub struct Run {
    /// The exit code (`-1` when killed by a signal).
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `openai-wire ARGS`, with `stdin` as standard input, with `NO_COLOR` unset unless `env`
/// sets it.
pub fn run_with<I, S>(args: I, stdin: Option<&[u8]>, env: &[(&str, &str)]) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let mut command = Command::new(env!("CARGO_BIN_EXE_openai-wire"));
    command
        .args(args)
        .env_remove("NO_COLOR")
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (key, value) in env {
        command.env(key, value);
    }
    let mut child = command.spawn().expect("the openai-wire binary runs");
    if let Some(bytes) = stdin {
        let mut pipe = child.stdin.take().expect("stdin is piped");
        let bytes = bytes.to_vec();
        // Write from another thread so that a full stdout pipe cannot block both sides.
        std::thread::spawn(move || {
            let _ = pipe.write_all(&bytes);
        });
    }
    let output = child.wait_with_output().expect("openai-wire finishes");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
    }
}

/// Runs `openai-wire ARGS` with no input and `NO_COLOR` unset.
pub fn run<I, S>(args: I) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    run_with(args, None, &[])
}

/// The corpus folder.
pub use openai_wire_test_support::corpus_dir as corpus;

/// A corpus file's path.
pub fn corpus_file(name: &str) -> PathBuf {
    let path = corpus().join(name);
    assert!(path.is_file(), "corpus file {name} is missing");
    path
}

/// One row of `MANIFEST.tsv`: the file (relative to the corpus) and its format.
pub struct Entry {
    pub file: String,
    pub protocol: String,
    pub jsonl: bool,
}

/// Every file of the corpus, as the manifest lists them.
pub fn manifest() -> Vec<Entry> {
    openai_wire_test_support::manifest()
        .into_iter()
        .map(|row| Entry {
            jsonl: row.is_jsonl(),
            file: row.file,
            protocol: row.protocol,
        })
        .collect()
}

/// One frame of a stream: the SSE event name, if any, and the data.
#[derive(Debug, Clone)]
pub struct Frame {
    pub event: Option<String>,
    pub data: String,
}

impl Frame {
    /// Whether this is the `[DONE]` marker (not Assistants' `event: done`, which is an event).
    pub fn is_done_marker(&self) -> bool {
        self.data.trim() == "[DONE]" && self.event.as_deref() != Some("done")
    }

    /// The frame's JSON, if it is JSON.
    pub fn json(&self) -> Option<Value> {
        serde_json::from_str(&self.data).ok()
    }

    /// The type the frame is sent with: `[DONE]`, the JSON's `type` or `object`, or the SSE
    /// event name.
    pub fn wire_type(&self) -> String {
        if self.is_done_marker() {
            return "[DONE]".to_owned();
        }
        // The Assistants stream is typed by its event names only (its data has other `type`s).
        if let Some(event) = &self.event
            && (event.starts_with("thread.") || event == "done")
        {
            return event.clone();
        }
        let json = self.json().unwrap_or(Value::Null);
        json.get("type")
            .or_else(|| json.get("object"))
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned()
    }
}

/// The frames of a stream, read with nothing but the SSE rules (blank line ends an event, `data:`
/// lines join with newlines, `:` starts a comment) or one JSON value per non-blank line.
pub fn frames(bytes: &[u8], jsonl: bool) -> Vec<Frame> {
    let text = String::from_utf8_lossy(bytes)
        .trim_start_matches('\u{feff}')
        .replace("\r\n", "\n")
        .replace('\r', "\n");
    if jsonl {
        return text
            .lines()
            .filter(|line| !line.trim().is_empty())
            .map(|line| Frame {
                event: None,
                data: line.trim().to_owned(),
            })
            .collect();
    }
    let mut frames = Vec::new();
    let mut event = None;
    let mut data: Option<String> = None;
    for line in text.lines().chain(std::iter::once("")) {
        if line.is_empty() {
            if let Some(data) = data.take() {
                frames.push(Frame {
                    event: event.take(),
                    data,
                });
            }
            event = None;
            continue;
        }
        if line.starts_with(':') {
            continue;
        }
        let (field, value) = match line.split_once(':') {
            Some((field, value)) => (field, value.strip_prefix(' ').unwrap_or(value)),
            None => (line, ""),
        };
        match field {
            "event" => event = Some(value.to_owned()),
            "data" => match &mut data {
                Some(data) => {
                    data.push('\n');
                    data.push_str(value);
                }
                None => data = Some(value.to_owned()),
            },
            _ => {}
        }
    }
    frames
}

/// The frames of a corpus file.
pub fn corpus_frames(name: &str) -> Vec<Frame> {
    let bytes = std::fs::read(corpus_file(name)).expect("corpus file");
    let jsonl = manifest()
        .into_iter()
        .find(|entry| entry.file == name)
        .map(|entry| entry.jsonl)
        .expect("the file is in the manifest");
    frames(&bytes, jsonl)
}

/// A file in the temporary folder, unique to this test process and `name`.
pub fn temp_file(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("openai-wire-cli-tests-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("temp file");
    path
}

/// The summary line `decode` prints for a file.
pub fn summary_line(
    name: &str,
    events: usize,
    unknown: usize,
    errors: usize,
    ended: bool,
) -> String {
    format!(
        "{name}: {events} events, {unknown} unknown, {errors} errors, ended: {}",
        if ended { "yes" } else { "no" }
    )
}
