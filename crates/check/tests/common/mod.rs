//! The corpus of recorded streams (`fixtures/corpus`) and its MANIFEST, shared by the tests.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use openai_wire_decode::{Format, Protocol};

pub fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/corpus")
}

/// One row of `MANIFEST.tsv`.
#[derive(Debug, Clone)]
pub struct Entry {
    pub file: String,
    /// `None` for the `other` folder's small protocols.
    pub protocol: Option<Protocol>,
    pub format: Format,
    pub notes: String,
}

impl Entry {
    pub fn bytes(&self) -> Vec<u8> {
        std::fs::read(corpus_dir().join(&self.file)).expect("corpus file")
    }

    /// Recorded from OpenAI itself.
    pub fn is_openai(&self) -> bool {
        self.notes
            .split(';')
            .any(|note| note.trim() == "provider=openai")
    }
}

pub fn manifest() -> Vec<Entry> {
    let text = std::fs::read_to_string(corpus_dir().join("MANIFEST.tsv")).expect("MANIFEST.tsv");
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let cols: Vec<&str> = line.split('\t').collect();
            assert!(cols.len() >= 7, "short MANIFEST line: {line}");
            let format = match cols[2] {
                "sse" => Format::Sse,
                "jsonl" => Format::Jsonl,
                other => panic!("unknown format {other} in {line}"),
            };
            let protocol = match cols[1] {
                "responses" => Some(Protocol::Responses),
                "chat" => Some(Protocol::Chat),
                "realtime" => Some(Protocol::Realtime),
                "assistants" => Some(Protocol::Assistants),
                _ => None,
            };
            Entry {
                file: cols[0].to_owned(),
                protocol,
                format,
                notes: cols[6].to_owned(),
            }
        })
        .collect()
}
