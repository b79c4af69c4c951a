//! Every Chat stream of the corpus converts to exactly the Responses events it converted to when
//! `fixtures/corpus_chat_to_responses.sha256` was written: a SHA-256 per corpus file of the
//! converted events, one canonical JSON line per event (keys sorted, so the digest is the same
//! with and without serde_json's `preserve_order`, which `cargo test --workspace` turns on).
//!
//! The digests were written from the converter before cumulative detection (arguments and
//! content) was added, so that no ordinary stream is rewritten by it. A change that alters the
//! output on purpose regenerates them with `OPENAI_WIRE_BLESS=1 cargo test -p
//! openai-wire-convert --test stream_chat_to_responses_golden` and says why in its commit;
//! `OPENAI_WIRE_GOLDEN_DUMP=<dir>` writes the canonical lines of each file there, to diff.

#[path = "common/chat_stream.rs"]
mod chat_stream;

use std::fmt::Write as _;
use std::path::PathBuf;

use chat_stream::{chat_entries, convert, read_chat};
use openai_wire_convert::provider::{ProviderKind, Quirks};
use openai_wire_convert::stream::chat_to_responses::StreamOptions;
use serde_json::Value;
use sha2::{Digest, Sha256};

fn digests_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/corpus_chat_to_responses.sha256")
}

/// `value` as JSON text with every object's keys sorted.
fn canonical(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (position, key) in keys.into_iter().enumerate() {
                if position > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(key.clone()).to_string());
                out.push(':');
                canonical(&map[key], out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (position, item) in items.iter().enumerate() {
                if position > 0 {
                    out.push(',');
                }
                canonical(item, out);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

/// The canonical lines of a corpus file's conversion (with its provider's quirks).
fn converted_lines(entry: &chat_stream::ChatEntry) -> String {
    let stream = read_chat(entry);
    let options = StreamOptions {
        quirks: Quirks::for_kind(ProviderKind::guess(&entry.provider)),
        ..StreamOptions::default()
    };
    let (events, _) = convert(&stream.events, stream.end(), options);
    let mut lines = String::new();
    for event in &events {
        let value = serde_json::to_value(event).expect("events serialize");
        canonical(&value, &mut lines);
        lines.push('\n');
    }
    lines
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::new(), |mut out, b| {
        let _ = write!(out, "{b:02x}");
        out
    })
}

#[test]
fn every_chat_stream_converts_to_the_same_events_as_before() {
    let dump = std::env::var_os("OPENAI_WIRE_GOLDEN_DUMP").map(PathBuf::from);
    let mut actual = String::new();
    for entry in chat_entries() {
        let lines = converted_lines(&entry);
        if let Some(dir) = &dump {
            let name = entry.file.replace('/', "__");
            std::fs::create_dir_all(dir).expect("dump dir");
            std::fs::write(dir.join(format!("{name}.jsonl")), &lines).expect("dump");
        }
        let digest = Sha256::digest(lines.as_bytes());
        let _ = writeln!(actual, "{}  {}", hex(&digest), entry.file);
    }
    if std::env::var_os("OPENAI_WIRE_BLESS").is_some() {
        std::fs::write(digests_path(), &actual).expect("write digests");
        return;
    }
    let expected = std::fs::read_to_string(digests_path()).expect("digests file");
    let expected: Vec<&str> = expected.lines().collect();
    let actual: Vec<&str> = actual.lines().collect();
    let changed: Vec<&&str> = actual.iter().filter(|l| !expected.contains(l)).collect();
    let gone: Vec<&&str> = expected.iter().filter(|l| !actual.contains(l)).collect();
    assert!(
        changed.is_empty() && gone.is_empty(),
        "conversions differ from the recorded digests\n  now:    {changed:#?}\n  before: {gone:#?}"
    );
}
