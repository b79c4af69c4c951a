//! The corpus of recorded streams and its MANIFEST, shared by the corpus tests.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use openai_wire_decode::Format;

pub fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/corpus")
}

/// One row of `MANIFEST.tsv`.
pub struct Entry {
    pub file: String,
    pub protocol: String,
    pub format: Format,
}

pub fn manifest() -> Vec<Entry> {
    let text = std::fs::read_to_string(corpus_dir().join("MANIFEST.tsv")).expect("MANIFEST.tsv");
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let cols: Vec<&str> = line.split('\t').collect();
            let format = match cols[2] {
                "sse" => Format::Sse,
                "jsonl" => Format::Jsonl,
                other => panic!("unknown format {other} in {line}"),
            };
            let protocol = match cols[1] {
                "other" if cols[0].contains("Speech") => "audio_speech",
                "other" if cols[0].contains("Transcription") => "audio_transcription",
                "other" if cols[0].contains("completion-text") => "completions_legacy",
                p => p,
            };
            Entry {
                file: cols[0].to_owned(),
                protocol: protocol.to_owned(),
                format,
            }
        })
        .collect()
}
