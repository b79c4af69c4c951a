//! The corpus of recorded streams (`fixtures/corpus`) and its MANIFEST, shared by the tests.

#![allow(dead_code)]

use openai_wire_decode::{Format, Protocol};

pub use openai_wire_test_support::corpus_dir;

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
    openai_wire_test_support::manifest()
        .into_iter()
        .map(|row| Entry {
            protocol: match row.protocol.as_str() {
                "responses" => Some(Protocol::Responses),
                "chat" => Some(Protocol::Chat),
                "realtime" => Some(Protocol::Realtime),
                "assistants" => Some(Protocol::Assistants),
                _ => None,
            },
            format: if row.is_jsonl() {
                Format::Jsonl
            } else {
                Format::Sse
            },
            file: row.file,
            notes: row.notes,
        })
        .collect()
}
