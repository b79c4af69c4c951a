//! Cumulative upstreams: fragments that repeat everything so far instead of adding to it.
//!
//! OpenAI's Chat stream adds: each `delta.content` and each tool-call `arguments` fragment is
//! the next piece. Some OpenAI-compatible servers send instead, in every chunk, the whole text
//! so far (`{"cmd": "echo` then `{"cmd": "echo wire-ok", "l`…). Added up, that is garbage
//! (`{"cmd": "echo{"cmd": "echo wire-ok", "l…`). The two readers here tell the two kinds of
//! stream apart while streaming, and an ordinary stream is never rewritten.
//!
//! # Tool arguments: [`ArgumentReader`]
//!
//! Arguments are JSON, so the question "is this ordinary?" has an answer: an ordinary stream's
//! arguments so far are always a prefix of valid JSON ([`json_prefix`](super::json_prefix)).
//! When a fragment starts with the (non-empty) arguments so far, the reader keeps both readings:
//! the ordinary one (so far + fragment) and the cumulative one (the fragment replaces so far).
//!
//! - While both are valid JSON prefixes, only their common prefix goes out; the rest waits.
//! - When the cumulative reading can no longer become JSON, the stream is ordinary: nothing was
//!   changed, the held part goes out.
//! - When the ordinary reading can no longer become JSON (and the cumulative one can), the call
//!   is cumulative ([`Quirk::CumulativeToolArguments`](crate::quirks::Quirk) is detected):
//!   from then on a fragment that starts with the arguments so far adds only its new suffix,
//!   and one that does not is added as it is. The converter then reads every later call of the
//!   stream that way too.
//! - At the end of the call, if both are still possible, the ordinary reading wins when it is
//!   whole JSON, else the cumulative one when it is.
//!
//! So the deltas a client sees always add up to what the call ends with, with one exception:
//! when, at the end, the arguments are still not JSON but the last fragment alone is (and is at
//! least as long as everything before it: a server that ends with the arguments in full), the
//! call ends with the last fragment. The done event and the item then carry valid JSON that the
//! deltas sent before do not add up to. Arguments that are not JSON are never sent when a valid
//! reading exists.
//!
//! # Content: [`ContentReader`]
//!
//! Text has no grammar to tell the readings apart, and an ordinary text may repeat itself
//! (`"\n"` then `"\n"`; `openai-python__test_non_pydantic_response_format__56dbdd87d9.sse` does).
//! So detection is conservative: a delta that starts with the whole text so far and is longer is
//! held back, and so is each following delta that starts with the previous held one and is
//! longer; when such a chain has at least two links and its last delta is at least
//! [`MIN_CUMULATIVE_CONTENT`] bytes with something besides whitespace, the stream is cumulative
//! ([`Quirk::CumulativeContent`](crate::quirks::Quirk) is detected) and only the new suffix goes
//! out. Any other delta, any other output (reasoning, refusal, a tool call) and the end of the
//! stream release the held deltas as ordinary text. An ordinary stream is only ever delayed
//! (by a chain, which needs the model to repeat its whole output, growing, at least twice),
//! never changed, unless it repeats its whole output in growing chunks past
//! [`MIN_CUMULATIVE_CONTENT`] bytes (`"a"`, `"aa"`, `"aaa"`, …), which no model stream does.
//! With the quirk set, every delta that starts with the text so far is read cumulatively from
//! the first.
//!
//! Perplexity, whose chunks the quirk table names for this, streams ordinary deltas in every
//! recording of the corpus; the text in full is in `message.content` beside them, which the
//! converter ignores. No recorded stream has cumulative `delta.content`.

use openai_wire_events::ChatCompletionChunkChoice;
use openai_wire_fold::chat_delta::{DeltaPiece, read_pieces};

use super::json_prefix::JsonPrefix;

/// The length (bytes) the text repeated by a chain of content deltas must reach before the
/// stream is taken as cumulative (see the [module docs](self)).
pub const MIN_CUMULATIVE_CONTENT: usize = 32;

/// A reading of a call's arguments: the text and its JSON-prefix state.
#[derive(Debug, Clone, Default)]
struct Reading {
    text: String,
    json: JsonPrefix,
}

impl Reading {
    fn add(&mut self, piece: &str) {
        self.text.push_str(piece);
        self.json.push(piece);
    }

    /// Adds `fragment` as a cumulative fragment: its new suffix when it starts with the text,
    /// else all of it.
    fn add_cumulative(&mut self, fragment: &str) {
        match fragment.strip_prefix(self.text.as_str()) {
            Some(suffix) if !self.text.is_empty() => self.add(suffix),
            _ => self.add(fragment),
        }
    }

    fn is_json(&self) -> bool {
        self.json.is_complete() && is_json(&self.text)
    }
}

fn is_json(text: &str) -> bool {
    serde_json::from_str::<serde::de::IgnoredAny>(text).is_ok()
}

/// Reads one tool call's argument fragments, ordinary or cumulative. See the [module
/// docs](self).
#[derive(Debug, Default)]
pub struct ArgumentReader {
    /// The ordinary reading until the call is found cumulative; then the cumulative one.
    main: Reading,
    /// The cumulative reading, while both are possible.
    alternative: Option<Reading>,
    /// How many bytes of the reading were handed out.
    given: usize,
    /// The last non-empty fragment, and the length of the reading before it.
    last: Option<(String, usize)>,
}

/// What the end of a call settled ([`ArgumentReader::finish`]).
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Settled {
    /// The arguments not handed out yet.
    pub added: String,
    /// Whether the call was read cumulatively at the end.
    pub detected: bool,
    /// Arguments that replace all the call had (the last fragment, whole JSON), if any.
    pub replacement: Option<String>,
}

impl ArgumentReader {
    /// Reads one fragment; `cumulative` says the stream is known to be cumulative (the quirk is
    /// set, or an earlier call was). Returns the arguments that may go out now and whether this
    /// fragment showed the call to be cumulative.
    pub fn push(&mut self, fragment: &str, cumulative: bool) -> (String, bool) {
        if fragment.is_empty() {
            return (String::new(), false);
        }
        self.last = Some((fragment.to_owned(), self.main.text.len()));
        let mut detected = false;
        if cumulative {
            if let Some(alternative) = self.alternative.take() {
                self.main = alternative;
            }
            self.main.add_cumulative(fragment);
        } else if let Some(alternative) = &mut self.alternative {
            alternative.add_cumulative(fragment);
            self.main.add(fragment);
            detected = self.decide();
        } else if !self.main.text.is_empty() && fragment.starts_with(self.main.text.as_str()) {
            let mut alternative = self.main.clone();
            alternative.add_cumulative(fragment);
            self.alternative = Some(alternative);
            self.main.add(fragment);
            detected = self.decide();
        } else {
            self.main.add(fragment);
        }
        (self.take_new(), detected)
    }

    /// Ends the call: decides between readings still open, hands out the rest, and says
    /// whether the last fragment replaces the arguments. A second call settles nothing more.
    pub fn finish(&mut self) -> Settled {
        let mut detected = false;
        if let Some(alternative) = self.alternative.take() {
            if !self.main.is_json() && alternative.is_json() {
                self.main = alternative;
                detected = true;
            }
        }
        let added = self.take_new();
        let last = self.last.take();
        let replacement = match last {
            Some((fragment, before))
                if fragment.len() >= before && !self.main.is_json() && is_json(&fragment) =>
            {
                self.main = Reading::default();
                self.main.add(&fragment);
                self.given = fragment.len();
                Some(fragment)
            }
            _ => None,
        };
        Settled {
            added,
            detected: detected || replacement.is_some(),
            replacement,
        }
    }

    /// Drops a reading that can no longer become JSON; returns whether that made the call
    /// cumulative.
    fn decide(&mut self) -> bool {
        let Some(alternative) = &self.alternative else {
            return false;
        };
        if !alternative.json.is_valid() {
            self.alternative = None;
            false
        } else if !self.main.json.is_valid() {
            self.main = self.alternative.take().unwrap_or_default();
            true
        } else {
            false
        }
    }

    /// The part of the reading (of both readings' common prefix, while both are open) not
    /// handed out yet.
    fn take_new(&mut self) -> String {
        let text = self.main.text.as_str();
        let mut end = text.len();
        if let Some(alternative) = &self.alternative {
            let other = alternative.text.as_bytes();
            end = self.given
                + text.as_bytes()[self.given..]
                    .iter()
                    .zip(other.get(self.given..).unwrap_or_default())
                    .take_while(|(a, b)| a == b)
                    .count();
            while !text.is_char_boundary(end) {
                end -= 1;
            }
        }
        let new = text.get(self.given..end).unwrap_or_default().to_owned();
        self.given = self.given.max(end);
        new
    }
}

/// Reads content deltas, ordinary or cumulative. See the [module docs](self).
#[derive(Debug, Default)]
pub struct ContentReader {
    /// The text handed out so far.
    text: String,
    /// Whether deltas are read cumulatively (the quirk is set, or detected).
    cumulative: bool,
    /// A chain of deltas each repeating the previous one (the first repeating `text`), held.
    held: Vec<String>,
}

impl ContentReader {
    /// A reader; `cumulative` reads every delta cumulatively from the first.
    pub fn new(cumulative: bool) -> Self {
        ContentReader {
            cumulative,
            ..ContentReader::default()
        }
    }

    /// Reads one delta; returns the text that may go out now (maybe none) and whether this
    /// delta showed the stream to be cumulative.
    pub fn push(&mut self, delta: &str) -> (String, bool) {
        if delta.is_empty() {
            return (String::new(), false);
        }
        if self.cumulative {
            return (self.add_cumulative(delta), false);
        }
        let Some(previous) = self.held.last() else {
            return (self.add_fresh(delta), false);
        };
        if delta.len() > previous.len() && delta.starts_with(previous.as_str()) {
            self.held.push(delta.to_owned());
            let whole = self.held.len() >= 2
                && delta.len() >= MIN_CUMULATIVE_CONTENT
                && !delta.trim().is_empty();
            if !whole {
                return (String::new(), false);
            }
            self.cumulative = true;
            self.held.clear();
            return (self.add_cumulative(delta), true);
        }
        let mut out = self.release();
        out.push_str(&self.add_fresh(delta));
        (out, false)
    }

    /// Reads a delta as an addition (held deltas first), unless the stream is cumulative.
    pub fn push_plain(&mut self, delta: &str) -> String {
        if self.cumulative {
            return self.add_cumulative(delta);
        }
        let mut out = self.release();
        self.text.push_str(delta);
        out.push_str(delta);
        out
    }

    /// The held deltas, as ordinary text (each added as it is).
    pub fn release(&mut self) -> String {
        let out = self.held.concat();
        self.held.clear();
        self.text.push_str(&out);
        out
    }

    /// Whether deltas are read cumulatively.
    pub fn is_cumulative(&self) -> bool {
        self.cumulative
    }

    fn add_fresh(&mut self, delta: &str) -> String {
        if !self.text.is_empty() && delta.len() > self.text.len() && delta.starts_with(&self.text) {
            self.held.push(delta.to_owned());
            return String::new();
        }
        self.text.push_str(delta);
        delta.to_owned()
    }

    fn add_cumulative(&mut self, delta: &str) -> String {
        let suffix = match delta.strip_prefix(self.text.as_str()) {
            Some(suffix) if !self.text.is_empty() => suffix,
            _ => delta,
        }
        .to_owned();
        self.text.push_str(&suffix);
        suffix
    }
}

/// Whether a choice's delta carries output other than plain text content (reasoning, a refusal,
/// tool calls, content parts), as the one Chat-delta reader ([`read_pieces`]) says it: held
/// content must go out before it.
pub fn has_other_output(choice: &ChatCompletionChunkChoice) -> bool {
    read_pieces(choice, |piece| match piece {
        DeltaPiece::Reasoning { text, .. } if !text.is_empty() => Err(()),
        DeltaPiece::Refusal(text) if !text.is_empty() => Err(()),
        DeltaPiece::Text { part: true, .. }
        | DeltaPiece::ReasoningDetails(_)
        | DeltaPiece::FunctionCall(_)
        | DeltaPiece::ToolCall(_) => Err(()),
        _ => Ok(()),
    })
    .is_err()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads fragments, then finishes: (what went out, the final arguments, detected).
    fn read(fragments: &[&str]) -> (Vec<String>, String, bool) {
        let mut reader = ArgumentReader::default();
        let mut out = Vec::new();
        let mut detected = false;
        let mut cumulative = false;
        for fragment in fragments {
            let (added, now) = reader.push(fragment, cumulative);
            cumulative |= now;
            detected |= now;
            out.push(added);
        }
        let settled = reader.finish();
        out.push(settled.added);
        let sent: String = out.concat();
        let end = settled.replacement.unwrap_or(sent);
        (out, end, detected || settled.detected)
    }

    #[test]
    fn ordinary_fragments_go_out_as_they_come() {
        let (out, end, detected) = read(&[r#"{"cmd""#, r#": "ls"#, r#""}"#]);
        assert_eq!(out, [r#"{"cmd""#, r#": "ls"#, r#""}"#, ""]);
        assert_eq!(end, r#"{"cmd": "ls"}"#);
        assert!(!detected);
    }

    #[test]
    fn the_issue_s_stream_is_read_cumulatively() {
        let fragments = [
            r#"{"cmd": "echo"#,
            r#"{"cmd": "echo wire-ok", "l"#,
            r#"{"cmd": "echo wire-ok", "login": false}"#,
        ];
        let (out, end, detected) = read(&fragments);
        assert_eq!(
            out,
            [
                r#"{"cmd": "echo"#,
                r#" wire-ok", "l"#,
                r#"ogin": false}"#,
                ""
            ]
        );
        assert_eq!(end, fragments[2]);
        assert!(detected);
    }

    #[test]
    fn a_repeat_after_a_colon_waits_for_the_next_fragment() {
        // `{"a":{"a": 1` could be a nested object: both readings stay open, the repeat waits.
        let (out, end, detected) = read(&[r#"{"a":"#, r#"{"a": 1"#, r#"{"a": 1}"#]);
        assert_eq!(out, [r#"{"a":"#, "", r#" 1}"#, ""]);
        assert_eq!(end, r#"{"a": 1}"#);
        assert!(detected);
        // And an ordinary stream that really nests the same text comes out unchanged.
        let (out, end, detected) = read(&[r#"{"a":"#, r#"{"a":"#, "1}}"]);
        assert_eq!(out.concat(), r#"{"a":{"a":1}}"#);
        assert_eq!(end, r#"{"a":{"a":1}}"#);
        assert!(!detected);
    }

    #[test]
    fn both_open_at_the_end_prefers_what_is_json() {
        // `[` then `[1`: `[[1` and `[1` both open; the end (or a later fragment) decides.
        let (_, end, detected) = read(&["[", "[1", "]]"]);
        assert_eq!((end.as_str(), detected), ("[[1]]", false));
        let (_, end, detected) = read(&["[", "[1", "]"]);
        assert_eq!((end.as_str(), detected), ("[1]", true));
        let (_, end, detected) = read(&["[", "[1]"]);
        assert_eq!((end.as_str(), detected), ("[1]", true));
    }

    #[test]
    fn arguments_repeated_whole_once_more() {
        let (out, end, detected) = read(&[r#"{"a":"#, " 1}", r#"{"a": 1}"#]);
        assert_eq!(out.concat(), r#"{"a": 1}"#);
        assert_eq!(end, r#"{"a": 1}"#);
        assert!(detected);
    }

    #[test]
    fn a_last_fragment_in_full_replaces_what_is_not_json() {
        let (out, end, detected) = read(&[r#"{"cmd":"ls""#, r#"{"cmd": "ls"}"#]);
        assert_eq!(out.concat(), r#"{"cmd":"ls"{"cmd": "ls"}"#);
        assert_eq!(end, r#"{"cmd": "ls"}"#);
        assert!(detected);
        // A short last fragment is a piece, not the whole: the arguments stay as they are.
        let (_, end, detected) = read(&[r#"{"a": {"b": "#, "{}"]);
        assert_eq!((end.as_str(), detected), (r#"{"a": {"b": {}"#, false));
    }

    #[test]
    fn after_detection_other_fragments_are_added() {
        let mut reader = ArgumentReader::default();
        assert_eq!(reader.push("{\"a\":", true).0, "{\"a\":");
        assert_eq!(reader.push("{\"a\": 1", true).0, " 1");
        assert_eq!(reader.push("}", true).0, "}");
        assert_eq!(reader.finish(), Settled::default());
    }

    #[test]
    fn multibyte_text_is_cut_on_char_boundaries() {
        let (out, end, _) = read(&["{\"é\":", "{\"é\":{\"è", "\": 1}}"]);
        assert!(
            out.iter()
                .all(|o| std::str::from_utf8(o.as_bytes()).is_ok())
        );
        assert_eq!(out.concat(), end);
    }

    fn content(deltas: &[&str]) -> (String, bool) {
        let mut reader = ContentReader::new(false);
        let mut out = String::new();
        let mut detected = false;
        for delta in deltas {
            let (text, now) = reader.push(delta);
            out.push_str(&text);
            detected |= now;
        }
        out.push_str(&reader.release());
        (out, detected)
    }

    #[test]
    fn cumulative_content_is_detected_after_two_growing_repeats() {
        let deltas = [
            "The",
            "The current population",
            "The current population of San Francisco",
            "The current population of San Francisco is about 800,000.",
        ];
        let (out, detected) = content(&deltas);
        assert_eq!(out, deltas[3]);
        assert!(detected);
    }

    #[test]
    fn ordinary_content_that_repeats_itself_is_unchanged() {
        for deltas in [
            &["\n", "\n", "\n\n", "{"][..],
            &["ha", "ha", "ha"],
            &["a", "ab", "x"],
            &["The", "The end", "The end of", "it"],
            &["The", "The current population", " of the city"],
        ] {
            assert_eq!(content(deltas), (deltas.concat(), false), "{deltas:?}");
        }
    }

    #[test]
    fn held_content_waits_and_comes_out_in_order() {
        let mut reader = ContentReader::new(false);
        assert_eq!(reader.push("I"), ("I".into(), false));
        assert_eq!(reader.push("I think"), (String::new(), false));
        assert_eq!(reader.push(" so"), ("I think so".into(), false));
        assert_eq!(reader.push_plain("!"), "!");
        assert!(!reader.is_cumulative());
    }

    #[test]
    fn the_quirk_reads_cumulatively_from_the_first_delta() {
        let mut reader = ContentReader::new(true);
        assert_eq!(reader.push("Hel").0, "Hel");
        assert_eq!(reader.push("Hello").0, "lo");
        assert_eq!(reader.push("!").0, "!");
        assert_eq!(reader.push("Hello!?").0, "?");
    }
}
