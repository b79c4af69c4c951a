//! A sans-IO `<think>…</think>` splitter for providers that put reasoning in `content`.
//!
//! Some Chat Completions servers (vLLM or Ollama without a reasoning parser, DeepSeek-R1
//! distills, QwQ, MiniMax, Groq with `reasoning_format: "raw"`) stream a model's reasoning inside
//! the message `content`, wrapped in `<think>` and `</think>`. The tags arrive in pieces: a chunk
//! may end with `<thi` and the next start with `nk>`. [`ThinkSplitter`] takes the content deltas
//! as they come and gives back [`ThinkPiece`]s, reasoning or content, as early as possible: it
//! holds back only the bytes that might still turn out to be a tag (at most a tag's length minus
//! one, plus leading whitespace before the opening tag, bounded).
//!
//! The rules, chosen so that an answer that merely *mentions* `<think>` is left alone:
//! - the opening tag counts only at the very start of the content (after optional whitespace);
//!   with [`ThinkSplitter::starting_inside`], the content starts as reasoning without one (chat
//!   templates that put `<think>` in the prompt, so the model only writes `</think>`);
//! - the first closing tag after it ends the reasoning, and whitespace right after it is dropped;
//! - after that, everything is content, tags included.
//!
//! ```
//! use openai_wire_convert::think::{ThinkPiece, ThinkSplitter};
//!
//! let mut splitter = ThinkSplitter::new();
//! let mut pieces = Vec::new();
//! for delta in ["<thi", "nk>2+2 is", " 4.</th", "ink>\n\nIt is 4."] {
//!     pieces.extend(splitter.push(delta));
//! }
//! pieces.extend(splitter.finish());
//! assert_eq!(pieces, [
//!     ThinkPiece::Reasoning("2+2 is".into()),
//!     ThinkPiece::Reasoning(" 4.".into()),
//!     ThinkPiece::Content("It is 4.".into()),
//! ]);
//! ```

/// The opening tag.
pub const OPEN_TAG: &str = "<think>";
/// The closing tag.
pub const CLOSE_TAG: &str = "</think>";

/// Leading whitespace held back while waiting for a possible opening tag, at most.
const MAX_LEADING: usize = 256;

/// A piece of split content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ThinkPiece {
    /// Text that was inside `<think>…</think>`.
    Reasoning(String),
    /// Text outside the tags: the answer.
    Content(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Nothing but whitespace seen: an opening tag may still come.
    Start,
    /// Inside the reasoning.
    Inside,
    /// Just after the closing tag: whitespace is dropped.
    AfterClose,
    /// Plain content until the end.
    Content,
}

/// Splits streamed content into reasoning and answer at `<think>` tags cut anywhere.
///
/// Memory is bounded: at most [`CLOSE_TAG`]`.len() - 1` bytes are held inside the reasoning and
/// at most 256 bytes of leading whitespace before the first tag.
#[derive(Debug, Clone)]
pub struct ThinkSplitter {
    state: State,
    held: String,
}

impl Default for ThinkSplitter {
    fn default() -> Self {
        Self::new()
    }
}

impl ThinkSplitter {
    /// A splitter that expects the content to start with `<think>` (or not at all).
    pub fn new() -> Self {
        ThinkSplitter {
            state: State::Start,
            held: String::new(),
        }
    }

    /// A splitter for content that starts inside the reasoning: the model writes only
    /// `</think>` because the chat template already opened the tag.
    pub fn starting_inside() -> Self {
        ThinkSplitter {
            state: State::Inside,
            held: String::new(),
        }
    }

    /// Whether the splitter is inside the reasoning now.
    pub fn is_inside(&self) -> bool {
        self.state == State::Inside
    }

    /// Takes one content delta and returns what can be told apart already, in order. Empty
    /// pieces are never returned.
    pub fn push(&mut self, delta: &str) -> Vec<ThinkPiece> {
        let mut out = Vec::new();
        let mut input = std::mem::take(&mut self.held);
        input.push_str(delta);
        let mut rest: &str = &input;
        loop {
            match self.state {
                State::Start => {
                    let trimmed = rest.trim_start();
                    if let Some(after) = trimmed.strip_prefix(OPEN_TAG) {
                        self.state = State::Inside;
                        rest = after;
                        continue;
                    }
                    if OPEN_TAG.starts_with(trimmed) && rest.len() <= MAX_LEADING {
                        // Whitespace, maybe a partial tag: wait for more.
                        self.held.push_str(rest);
                        return out;
                    }
                    self.state = State::Content;
                    continue;
                }
                State::Inside => {
                    if let Some(at) = rest.find(CLOSE_TAG) {
                        push_piece(&mut out, ThinkPiece::Reasoning(rest[..at].to_owned()));
                        rest = &rest[at + CLOSE_TAG.len()..];
                        self.state = State::AfterClose;
                        continue;
                    }
                    let keep = partial_suffix(rest, CLOSE_TAG);
                    let (now, later) = rest.split_at(rest.len() - keep);
                    push_piece(&mut out, ThinkPiece::Reasoning(now.to_owned()));
                    self.held.push_str(later);
                    return out;
                }
                State::AfterClose => {
                    let trimmed = rest.trim_start();
                    if trimmed.is_empty() {
                        return out;
                    }
                    self.state = State::Content;
                    rest = trimmed;
                    continue;
                }
                State::Content => {
                    push_piece(&mut out, ThinkPiece::Content(rest.to_owned()));
                    return out;
                }
            }
        }
    }

    /// Ends the content: whatever was held back comes out (an unterminated reasoning stays
    /// reasoning; leading whitespace or a partial opening tag is content).
    pub fn finish(&mut self) -> Vec<ThinkPiece> {
        let held = std::mem::take(&mut self.held);
        let mut out = Vec::new();
        match self.state {
            State::Inside => push_piece(&mut out, ThinkPiece::Reasoning(held)),
            State::Start | State::Content => push_piece(&mut out, ThinkPiece::Content(held)),
            State::AfterClose => {}
        }
        self.state = State::Content;
        out
    }
}

fn push_piece(out: &mut Vec<ThinkPiece>, piece: ThinkPiece) {
    let empty = match &piece {
        ThinkPiece::Reasoning(text) | ThinkPiece::Content(text) => text.is_empty(),
    };
    if !empty {
        out.push(piece);
    }
}

/// The length of the longest suffix of `text` that is a proper prefix of `tag` (so may become
/// the tag with more input). Tags are ASCII, so the split is on a character boundary.
fn partial_suffix(text: &str, tag: &str) -> usize {
    let bytes = text.as_bytes();
    let tag = tag.as_bytes();
    let longest = (tag.len() - 1).min(bytes.len());
    (1..=longest)
        .rev()
        .find(|&n| bytes[bytes.len() - n..] == tag[..n])
        .unwrap_or(0)
}
