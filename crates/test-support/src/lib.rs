//! Test helpers shared by openai-wire's crates (a `publish = false` dev-dependency, as rustls
//! keeps `rustls-test`): the corpus of recorded streams in `fixtures/corpus/` and its
//! `MANIFEST.tsv`.
//!
//! It depends on no openai-wire crate, so that every crate's tests can use it (a crate's own
//! types would otherwise exist twice); each test suite turns the manifest's strings into its
//! own types.
//!
//! ```
//! let entries = openai_wire_test_support::entries("chat");
//! assert!(!entries.is_empty());
//! assert!(entries.iter().all(|entry| entry.path().is_file()));
//! ```

use std::path::{Path, PathBuf};

/// The corpus folder, `fixtures/corpus/` at the workspace root.
pub fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/corpus")
}

/// One row of `MANIFEST.tsv`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManifestEntry {
    /// The file, relative to the corpus folder (`chat/NAME.sse`).
    pub file: String,
    /// Its protocol (`responses`, `chat`, `realtime`, `assistants`, `other`).
    pub protocol: String,
    /// Its framing (`sse` or `jsonl`).
    pub format: String,
    /// The repository it was recorded from.
    pub repo: String,
    /// The file in that repository.
    pub path: String,
    /// The commit of that repository.
    pub commit: String,
    /// Free notes, `;`-separated (`provider=openai; model=gpt-4o; …`).
    pub notes: String,
}

impl ManifestEntry {
    /// The file's path.
    pub fn path(&self) -> PathBuf {
        corpus_dir().join(&self.file)
    }

    /// The file's bytes.
    pub fn bytes(&self) -> Vec<u8> {
        std::fs::read(self.path())
            .unwrap_or_else(|error| panic!("corpus file {}: {error}", self.file))
    }

    /// Whether it is framed as JSON lines (else SSE).
    pub fn is_jsonl(&self) -> bool {
        self.format == "jsonl"
    }

    /// Whether it was recorded from OpenAI itself (`provider=openai` in the notes).
    pub fn is_openai(&self) -> bool {
        self.notes
            .split(';')
            .any(|note| note.trim() == "provider=openai")
    }
}

/// Every row of `MANIFEST.tsv`, in order. A row with fewer than seven columns or an unknown
/// framing fails the test that reads it.
pub fn manifest() -> Vec<ManifestEntry> {
    let path = corpus_dir().join("MANIFEST.tsv");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("{}: {error}", path.display()));
    text.lines()
        .skip(1)
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            let cols: Vec<&str> = line.split('\t').collect();
            assert!(cols.len() >= 7, "short MANIFEST line: {line}");
            assert!(
                matches!(cols[2], "sse" | "jsonl"),
                "unknown format {} in {line}",
                cols[2]
            );
            ManifestEntry {
                file: cols[0].to_owned(),
                protocol: cols[1].to_owned(),
                format: cols[2].to_owned(),
                repo: cols[3].to_owned(),
                path: cols[4].to_owned(),
                commit: cols[5].to_owned(),
                notes: cols[6].to_owned(),
            }
        })
        .collect()
}

/// The rows of one protocol.
pub fn entries(protocol: &str) -> Vec<ManifestEntry> {
    manifest()
        .into_iter()
        .filter(|entry| entry.protocol == protocol)
        .collect()
}
