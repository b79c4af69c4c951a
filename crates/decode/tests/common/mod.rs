//! The corpus of recorded streams and its MANIFEST, shared by the corpus tests.

#![allow(dead_code)]

use openai_wire_decode::Format;

pub use openai_wire_test_support::corpus_dir;

/// One row of `MANIFEST.tsv`.
pub struct Entry {
    pub file: String,
    pub protocol: String,
    pub format: Format,
}

pub fn manifest() -> Vec<Entry> {
    openai_wire_test_support::manifest()
        .into_iter()
        .map(|row| {
            let protocol = match row.protocol.as_str() {
                "other" if row.file.contains("Speech") => "audio_speech",
                "other" if row.file.contains("Transcription") => "audio_transcription",
                "other" if row.file.contains("completion-text") => "completions_legacy",
                p => p,
            }
            .to_owned();
            Entry {
                format: if row.is_jsonl() {
                    Format::Jsonl
                } else {
                    Format::Sse
                },
                protocol,
                file: row.file,
            }
        })
        .collect()
}
