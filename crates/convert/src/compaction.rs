//! Compaction for Chat providers: the summary the gateway writes, sealed into a `compaction`
//! item's `encrypted_content`, and restored when the item comes back.
//!
//! OpenAI compacts a conversation on `POST /v1/responses/compact`, or inside a normal
//! `POST /v1/responses` whose last input item is `{"type": "compaction_trigger"}`: the answer is
//! one item `{type: "compaction", id, encrypted_content}` that stands, in later requests, for the
//! history it summarized. A Chat Completions provider knows nothing of this, so the gateway does
//! it itself, with the pieces of this module (all sans-IO):
//!
//! 1. [`summary_request`]: the conversation (Responses input items) → one Chat Completions
//!    request asking the provider for a summary. The conversation is written out as a plain
//!    transcript in one `user` message, under a system message holding the prompt
//!    ([`DEFAULT_PROMPT`] unless configured), so that the request never depends on the tools
//!    or the provider's message rules (tool calls without their tool definitions, roles).
//! 2. [`summary_from_chat_completion`]: the provider's (non-streaming) answer → the summary
//!    text and the usage.
//! 3. [`seal`] → the `encrypted_content` ([`compaction_item`], [`compaction_events`] build the
//!    item and its stream).
//! 4. Later, [`restore`]: a `compaction` input item → the Chat message it stands for, a `user`
//!    message `"{RESTORE_PREFIX}{summary}"`.
//!
//! # What `encrypted_content` holds
//!
//! The summary text the provider wrote, and how many items it summarized (for logs). Nothing
//! else: the point of compaction is that the summary *replaces* the history, so the history
//! itself is not kept (a client that wants its user messages kept sends them next to the item,
//! as `/v1/responses/compact`'s `output` does). Restoring is therefore exact for what the
//! gateway encoded: the same summary text, in the same message, every time.
//!
//! # Format
//!
//! ```text
//! owc1.<payload>.<mac>
//! ```
//!
//! - `owc1` names the format and its version (`owc` = openai-wire compaction); the reasoning
//!   envelope is `owr1` ([`crate::envelope`]). The prefix is inside the MAC, so a compaction
//!   can never be opened as a reasoning envelope or the other way round, even with the same key.
//! - `<payload>` is base64url (no padding) of `{"s": summary, "n": items}`.
//! - `<mac>` is base64url (no padding) of HMAC-SHA256 over `owc1.<payload>` with the
//!   gateway's [`EnvelopeKey`].
//!
//! It is **not encrypted**, despite the field's name: anyone holding the item can base64-decode
//! the summary (which was written about a conversation the same client sent). It is
//! **integrity-protected**: with a secret key (`EnvelopeKey::new`, shared by every gateway
//! instance that must open it), a client cannot forge or alter a summary that the upstream
//! will take as the gateway's; with the public default key, the MAC still detects damage.
//!
//! ```
//! use openai_wire_convert::compaction::{open, restore, seal, Compaction, RESTORE_PREFIX};
//! use openai_wire_convert::envelope::EnvelopeKey;
//! use serde_json::json;
//!
//! let key = EnvelopeKey::new(b"a secret shared by the gateway instances");
//! let compaction = Compaction { summary: "The user is porting a CLI to Rust.".into(), items: 12 };
//! let sealed = seal(&compaction, &key);
//! assert!(sealed.starts_with("owc1."));
//! assert_eq!(open(&sealed, &key)?, compaction);
//!
//! // A later request's `compaction` item becomes the message it stands for.
//! let item = json!({"type": "compaction", "id": "cmpi_1", "encrypted_content": sealed});
//! let message = restore(&item, &key)?;
//! assert_eq!(message["role"], "user");
//! assert_eq!(
//!     message["content"],
//!     format!("{RESTORE_PREFIX}The user is porting a CLI to Rust.")
//! );
//!
//! // Another key, an altered byte, or OpenAI's own content is refused, never trusted.
//! assert!(open(&sealed, &EnvelopeKey::new(b"another key")).is_err());
//! assert!(open("gAAAAABmXyz", &key).is_err());
//! # Ok::<(), openai_wire_convert::compaction::CompactionError>(())
//! ```

use openai_wire_emit::{EmitError, IdSource, ResponseWriter};
use openai_wire_events::{
    CompactionBody, CompletionUsage, OutputItem, Response, ResponseCompactionCompactingEvent,
    ResponseOutputItemAddedEvent, ResponseOutputItemDoneEvent, ResponseStreamEvent, ResponseUsage,
};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::envelope::{EnvelopeKey, SignedError, open_signed, seal_signed};
use crate::request::RequestError;

/// The prefix of the current compaction format, version included.
pub const PREFIX: &str = "owc1.";

/// The summary prompt used when the provider's configuration names none.
pub const DEFAULT_PROMPT: &str = "\
You are compacting a long conversation between a user and an AI coding assistant so that the \
assistant can continue the work with a much shorter context. Write a summary that replaces the \
conversation. Keep everything the assistant needs to carry on without asking again: the user's \
goals and every explicit request or constraint, decisions made and why, the current state of \
the work (files created or changed, commands run and what they showed, tests passing or \
failing), errors met and how they were fixed, and the next steps still open. Keep exact names \
(files, functions, commands, identifiers, versions) and short snippets that matter. Leave out \
greetings, repetition and dead ends that no longer matter. Write plain text or Markdown, in \
the language the user writes in, without any preamble.";

/// What a restored summary starts with, in the `user` message that stands for the history.
pub const RESTORE_PREFIX: &str =
    "Summary of the conversation so far (earlier turns were compacted into this summary):\n\n";

/// What a compaction holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Compaction {
    /// The summary the provider wrote, which stands for the history.
    pub summary: String,
    /// How many input items it summarized (informative).
    pub items: u64,
}

/// Why a compaction's `encrypted_content` could not be opened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CompactionError {
    /// Not an openai-wire compaction at all: another server's (OpenAI's Fernet tokens start
    /// with `gAAAA`), or an openai-wire reasoning envelope.
    #[error(
        "encrypted_content was not written by this gateway (expected an openai-wire compaction, owc1.…); {hint}"
    )]
    Foreign {
        /// What it looks like instead.
        hint: &'static str,
    },
    /// An openai-wire compaction of a version this build cannot read.
    #[error("unsupported compaction version `{0}` (this build reads owc1)")]
    UnsupportedVersion(String),
    /// It starts like ours but does not have the `owc1.<payload>.<mac>` shape: forged or cut.
    #[error("malformed compaction (forged or truncated): expected owc1.<payload>.<mac>")]
    Malformed,
    /// The MAC does not match: altered, forged, or sealed with another key.
    #[error(
        "compaction failed its integrity check: it was altered or forged, or sealed by a gateway with another key"
    )]
    IntegrityCheckFailed,
    /// The MAC matched but the payload is not what this version writes.
    #[error("compaction payload is invalid: {0}")]
    BadPayload(String),
}

#[derive(Serialize, Deserialize)]
struct Payload {
    s: String,
    n: u64,
}

/// Seals `compaction` into an opaque, versioned string for a `compaction` item's
/// `encrypted_content`.
pub fn seal(compaction: &Compaction, key: &EnvelopeKey) -> String {
    let payload = Payload {
        s: compaction.summary.clone(),
        n: compaction.items,
    };
    // Serializing a string and a number cannot fail.
    let json = serde_json::to_vec(&payload).unwrap_or_default();
    seal_signed(PREFIX, &json, key)
}

/// Opens a compaction made by [`seal`], checking its version and integrity.
pub fn open(sealed: &str, key: &EnvelopeKey) -> Result<Compaction, CompactionError> {
    let version = version_of(sealed).ok_or_else(|| CompactionError::Foreign {
        hint: foreign_hint(sealed),
    })?;
    if version != "owc1" {
        return Err(CompactionError::UnsupportedVersion(version.to_owned()));
    }
    // A MAC that is not base64url cannot be the one we wrote: an integrity failure.
    let json = open_signed(sealed, PREFIX, key).map_err(|error| match error {
        SignedError::Malformed => CompactionError::Malformed,
        SignedError::MacEncoding(_) | SignedError::Mac => CompactionError::IntegrityCheckFailed,
        SignedError::PayloadEncoding(e) => {
            CompactionError::BadPayload(format!("not base64url: {e}"))
        }
    })?;
    let payload: Payload =
        serde_json::from_slice(&json).map_err(|e| CompactionError::BadPayload(e.to_string()))?;
    Ok(Compaction {
        summary: payload.s,
        items: payload.n,
    })
}

/// Whether `encrypted_content` is an openai-wire compaction (of any version).
pub fn is_ours(encrypted_content: &str) -> bool {
    version_of(encrypted_content).is_some()
}

/// `Some("owcN")` when the string starts with `owc`, one or more ASCII digits, and a dot.
fn version_of(s: &str) -> Option<&str> {
    crate::envelope::version_in("owc", s)
}

fn foreign_hint(s: &str) -> &'static str {
    if s.starts_with("gAAAA") {
        "it looks like OpenAI's encrypted content, which only OpenAI can read"
    } else if crate::envelope::is_ours(s) {
        "it is an openai-wire reasoning envelope, not a compaction"
    } else if s.is_empty() {
        "it is empty"
    } else {
        "it was made by another server or forged"
    }
}

/// The Chat message a `compaction` summary stands for: `{"role": "user", "content":
/// RESTORE_PREFIX + summary}`.
pub fn summary_message(summary: &str) -> Value {
    json!({"role": "user", "content": format!("{RESTORE_PREFIX}{summary}")})
}

/// A `compaction` input item → the Chat message it stands for ([`summary_message`]).
pub fn restore(item: &Value, key: &EnvelopeKey) -> Result<Value, CompactionError> {
    let sealed = item
        .get("encrypted_content")
        .and_then(Value::as_str)
        .unwrap_or("");
    open(sealed, key).map(|compaction| summary_message(&compaction.summary))
}

/// A [`CompactionError`] of the item at `path` (`input[3]`) as the converter's 400.
pub fn request_error(path: &str, error: &CompactionError) -> RequestError {
    RequestError::Invalid {
        param: format!("{path}.encrypted_content"),
        message: error.to_string(),
    }
}

/// How to build the summarization request.
#[derive(Debug, Clone, Copy)]
pub struct SummaryOptions<'a> {
    /// The upstream model.
    pub model: &'a str,
    /// The summary prompt; [`DEFAULT_PROMPT`] when `None`.
    pub prompt: Option<&'a str>,
    /// The key that opens earlier compactions inside the conversation.
    pub key: &'a EnvelopeKey,
}

/// One Chat Completions request (non-streaming) asking for a summary of `items`: a `system`
/// message with the prompt, then one `user` message with the conversation as a transcript.
/// An earlier `compaction` item is written as its summary; one that does not open is an error
/// naming its path (`input[i].encrypted_content`). Reasoning and `compaction_trigger` items are
/// left out.
///
/// ```
/// use openai_wire_convert::compaction::{summary_request, SummaryOptions, DEFAULT_PROMPT};
/// use openai_wire_convert::envelope::EnvelopeKey;
/// use serde_json::json;
///
/// let items = [
///     json!({"type": "message", "role": "user", "content": "List the files."}),
///     json!({"type": "function_call", "call_id": "c1", "name": "ls", "arguments": "{}"}),
///     json!({"type": "function_call_output", "call_id": "c1", "output": "a.rs b.rs"}),
///     json!({"type": "compaction_trigger"}),
/// ];
/// let key = EnvelopeKey::default();
/// let body = summary_request(&items, SummaryOptions { model: "deepseek-chat", prompt: None, key: &key })?;
/// assert_eq!(body["stream"], false);
/// assert_eq!(body["messages"][0]["content"], DEFAULT_PROMPT);
/// let transcript = body["messages"][1]["content"].as_str().unwrap();
/// assert!(transcript.contains("List the files.") && transcript.contains("a.rs b.rs"));
/// # Ok::<(), openai_wire_convert::request::RequestError>(())
/// ```
pub fn summary_request(
    items: &[Value],
    options: SummaryOptions<'_>,
) -> Result<Value, RequestError> {
    let mut transcript = String::new();
    for (i, item) in items.iter().enumerate() {
        let path = format!("input[{i}]");
        if let Some(entry) = transcript_entry(item, &path, options.key)? {
            if !transcript.is_empty() {
                transcript.push_str("\n\n");
            }
            transcript.push_str(&entry);
        }
    }
    let user = format!(
        "Here is the conversation to summarize, oldest first:\n\n{transcript}\n\n\
         (End of the conversation.) Write the summary now."
    );
    Ok(json!({
        "model": options.model,
        "messages": [
            {"role": "system", "content": options.prompt.unwrap_or(DEFAULT_PROMPT)},
            {"role": "user", "content": user},
        ],
        "stream": false,
    }))
}

/// One item of the transcript, or `None` for what is left out.
fn transcript_entry(
    item: &Value,
    path: &str,
    key: &EnvelopeKey,
) -> Result<Option<String>, RequestError> {
    let kind = item
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or(if item.get("role").is_some() {
            "message"
        } else {
            ""
        });
    let field = |name: &str| item.get(name).and_then(Value::as_str).unwrap_or("");
    let entry = match kind {
        "message" => format!("[{}]\n{}", field("role"), content_text(item.get("content"))),
        "function_call" => format!(
            "[assistant called `{}`]\n{}",
            field("name"),
            field("arguments")
        ),
        "custom_tool_call" => format!("[assistant called `{}`]\n{}", field("name"), field("input")),
        "function_call_output" | "custom_tool_call_output" => {
            format!("[tool result]\n{}", content_text(item.get("output")))
        }
        "compaction" => {
            let compaction = open(field("encrypted_content"), key)
                .map_err(|error| request_error(path, &error))?;
            format!(
                "[summary of the earlier conversation]\n{}",
                compaction.summary
            )
        }
        _ => return Ok(None),
    };
    Ok(Some(entry))
}

/// The text of a message's content or a tool's output: a string, or the text of its parts
/// (images and files named, not included).
fn content_text(content: Option<&Value>) -> String {
    match content {
        Some(Value::String(text)) => text.clone(),
        Some(Value::Array(parts)) => parts
            .iter()
            .map(|part| {
                let text = ["text", "refusal"]
                    .iter()
                    .find_map(|k| part.get(*k).and_then(Value::as_str));
                match (text, part.get("type").and_then(Value::as_str)) {
                    (Some(text), _) => text.to_owned(),
                    (None, Some("input_image")) => "[image]".to_owned(),
                    (None, Some("input_file")) => "[file]".to_owned(),
                    (None, _) => String::new(),
                }
            })
            .filter(|t| !t.is_empty())
            .collect::<Vec<_>>()
            .join("\n"),
        _ => String::new(),
    }
}

/// The summary and usage of a non-streaming Chat Completions answer
/// (`choices[0].message.content`). An answer without text is an error saying what came.
pub fn summary_from_chat_completion(body: &Value) -> Result<(String, ResponseUsage), String> {
    let text = body
        .pointer("/choices/0/message/content")
        .and_then(Value::as_str)
        .map(str::trim)
        .unwrap_or("");
    if text.is_empty() {
        return Err("the provider's answer to the summary request has no text".into());
    }
    let usage = body
        .get("usage")
        .and_then(|u| serde_json::from_value::<CompletionUsage>(u.clone()).ok());
    Ok((
        text.to_owned(),
        crate::stream::chat_to_responses::map_usage(usage.as_ref()),
    ))
}

/// The `compaction` output item `{type, id, encrypted_content}`.
pub fn compaction_item(id: String, encrypted_content: String) -> OutputItem {
    OutputItem::Compaction(CompactionBody {
        id,
        encrypted_content,
        ..CompactionBody::default()
    })
}

/// The user messages of `items`, in order: what `/v1/responses/compact` keeps next to the
/// compaction item.
pub fn kept_user_messages(items: &[Value]) -> Vec<Value> {
    items
        .iter()
        .filter(|item| {
            item.get("role").and_then(Value::as_str) == Some("user")
                && item
                    .get("type")
                    .and_then(Value::as_str)
                    .unwrap_or("message")
                    == "message"
        })
        .cloned()
        .collect()
}

/// The whole stream of a compaction turn: `response.created`, `response.in_progress`,
/// `response.output_item.added` of the one `compaction` item, `response.compaction.compacting`
/// (with the item's id and `output_index`, as OpenAI sends it while it samples the summary),
/// the item's `response.output_item.done`, and `response.completed` with `usage`; and the final
/// response.
///
/// The lifecycle events come from [`ResponseWriter`], which has no compaction item of its own:
/// the item's three events are placed before `response.completed`, which is renumbered and
/// carries the item in its `output`.
pub fn compaction_events<I: IdSource>(
    template: Response,
    ids: I,
    item: OutputItem,
    usage: ResponseUsage,
) -> Result<(Vec<ResponseStreamEvent>, Response), EmitError> {
    let mut writer = ResponseWriter::new(template, ids);
    let mut events = writer.start()?;
    let added = writer.next_sequence_number();
    let mut completed = writer.complete(usage)?;
    let Some(ResponseStreamEvent::ResponseCompleted(mut done)) = completed.pop() else {
        return Err(EmitError::NotStarted);
    };
    events.push(ResponseStreamEvent::ResponseOutputItemAdded(Box::new(
        ResponseOutputItemAddedEvent {
            output_index: 0,
            sequence_number: Some(added),
            item: item.clone(),
            agent: None,
            stream_id: None,
        },
    )));
    events.push(ResponseStreamEvent::ResponseCompactionCompacting(
        ResponseCompactionCompactingEvent {
            item_id: item_id(&item),
            output_index: 0,
            sequence_number: Some(added + 1),
            agent: None,
            stream_id: None,
        },
    ));
    events.push(ResponseStreamEvent::ResponseOutputItemDone(Box::new(
        ResponseOutputItemDoneEvent {
            output_index: 0,
            sequence_number: Some(added + 2),
            item: item.clone(),
            agent: None,
            stream_id: None,
        },
    )));
    done.sequence_number = Some(added + 3);
    done.response.output = vec![item];
    let response = done.response.clone();
    events.push(ResponseStreamEvent::ResponseCompleted(done));
    Ok((events, response))
}

/// The `id` of an output item (empty when it has none).
fn item_id(item: &OutputItem) -> String {
    match item {
        OutputItem::Compaction(body) => body.id.clone(),
        other => serde_json::to_value(other)
            .ok()
            .and_then(|value| value.get("id").and_then(Value::as_str).map(str::to_owned))
            .unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use openai_wire_emit::{SequentialIds, write_response_sse};
    use openai_wire_events::StreamEvent as _;
    use proptest::prelude::*;

    fn key() -> EnvelopeKey {
        EnvelopeKey::new(b"test secret")
    }

    #[test]
    fn each_kind_of_bad_content_gets_its_error() {
        let sealed = seal(
            &Compaction {
                summary: "s".into(),
                items: 1,
            },
            &key(),
        );
        let foreign = open("gAAAAABoxyz", &key()).unwrap_err();
        assert!(matches!(foreign, CompactionError::Foreign { .. }));
        assert!(foreign.to_string().contains("OpenAI"), "{foreign}");
        let reasoning = crate::envelope::seal(
            &crate::envelope::ReasoningCarry {
                field: crate::envelope::ReasoningField::ReasoningContent,
                text: "t".into(),
                details: None,
            },
            &key(),
        );
        assert!(
            open(&reasoning, &key())
                .unwrap_err()
                .to_string()
                .contains("reasoning envelope")
        );
        assert_eq!(
            crate::envelope::open(&sealed, &key()),
            Err(crate::envelope::EnvelopeError::NotOurs)
        );
        assert_eq!(
            open(&sealed.replacen("owc1.", "owc2.", 1), &key()),
            Err(CompactionError::UnsupportedVersion("owc2".into()))
        );
        assert_eq!(open("owc1.abc", &key()), Err(CompactionError::Malformed));
        assert_eq!(
            open(&sealed, &EnvelopeKey::new(b"other")),
            Err(CompactionError::IntegrityCheckFailed)
        );
        // A valid MAC over a payload that is not ours.
        let mut forged = String::from(PREFIX);
        URL_SAFE_NO_PAD.encode_string(b"{\"x\":1}", &mut forged);
        let tag = key().tag(forged.as_bytes());
        forged.push('.');
        URL_SAFE_NO_PAD.encode_string(tag, &mut forged);
        assert!(matches!(
            open(&forged, &key()),
            Err(CompactionError::BadPayload(_))
        ));
    }

    #[test]
    fn restore_needs_the_key_and_the_error_names_the_path() {
        let sealed = seal(
            &Compaction {
                summary: "done".into(),
                items: 3,
            },
            &key(),
        );
        let item = json!({"type": "compaction", "encrypted_content": sealed});
        assert_eq!(restore(&item, &key()).unwrap(), summary_message("done"));
        let error = restore(&item, &EnvelopeKey::default()).unwrap_err();
        let request = request_error("input[2]", &error);
        assert_eq!(request.param(), "input[2].encrypted_content");
        assert!(request.to_string().contains("integrity"), "{request}");
    }

    #[test]
    fn the_summary_request_takes_earlier_summaries_and_a_configured_prompt() {
        let earlier = seal(
            &Compaction {
                summary: "EARLIER".into(),
                items: 9,
            },
            &key(),
        );
        let items = [
            json!({"type": "compaction", "encrypted_content": earlier}),
            json!({"role": "user", "content": [{"type": "input_text", "text": "next"}, {"type": "input_image", "image_url": "x"}]}),
            json!({"type": "reasoning", "summary": []}),
        ];
        let options = SummaryOptions {
            model: "m",
            prompt: Some("Be brief."),
            key: &key(),
        };
        let body = summary_request(&items, options).unwrap();
        assert_eq!(body["messages"][0]["content"], "Be brief.");
        let text = body["messages"][1]["content"].as_str().unwrap();
        assert!(text.contains("EARLIER") && text.contains("next") && text.contains("[image]"));
        let bad = [json!({"type": "compaction", "encrypted_content": "gAAAAAB"})];
        let error = summary_request(&bad, options).unwrap_err();
        assert_eq!(error.param(), "input[0].encrypted_content");
    }

    #[test]
    fn the_answer_gives_summary_and_usage() {
        let answer = json!({"choices": [{"message": {"role": "assistant", "content": " S "}}],
            "usage": {"prompt_tokens": 10, "completion_tokens": 3, "total_tokens": 13}});
        let (summary, usage) = summary_from_chat_completion(&answer).unwrap();
        assert_eq!(summary, "S");
        assert_eq!(
            (usage.input_tokens, usage.output_tokens, usage.total_tokens),
            (10, 3, 13)
        );
        assert!(summary_from_chat_completion(&json!({"choices": []})).is_err());
    }

    #[test]
    fn the_compaction_stream_is_conformant_with_one_item() {
        let item = compaction_item("cmpi_1".into(), "owc1.x.y".into());
        let (events, response) = compaction_events(
            Response::default(),
            SequentialIds::new(1_700_000_000),
            item,
            ResponseUsage::default(),
        )
        .unwrap();
        let mut sse = Vec::new();
        write_response_sse(&mut sse, &events).unwrap();
        let report = openai_wire_check::check_bytes(
            openai_wire_decode::Protocol::Responses,
            openai_wire_decode::Format::Sse,
            &sse,
        );
        assert_eq!(report.errors(), 0, "{:#?}", report.findings);
        assert_eq!(response.output.len(), 1);
        let types: Vec<_> = events.iter().map(|e| e.wire_type()).collect();
        assert_eq!(
            types,
            [
                "response.created",
                "response.in_progress",
                "response.output_item.added",
                "response.compaction.compacting",
                "response.output_item.done",
                "response.completed"
            ]
        );
        let ResponseStreamEvent::ResponseCompactionCompacting(compacting) = &events[3] else {
            panic!("{:?}", events[3]);
        };
        assert_eq!(
            (compacting.item_id.as_str(), compacting.output_index),
            ("cmpi_1", 0)
        );
        let numbers: Vec<_> = events
            .iter()
            .map(|e| serde_json::to_value(e).unwrap()["sequence_number"].as_i64())
            .collect();
        assert_eq!(
            numbers,
            [Some(0), Some(1), Some(2), Some(3), Some(4), Some(5)]
        );
    }

    proptest! {
        #[test]
        fn seal_then_open_round_trips(summary in ".{0,200}", items in any::<u64>(), secret in proptest::collection::vec(any::<u8>(), 0..40)) {
            let key = EnvelopeKey::new(&secret);
            let compaction = Compaction { summary, items };
            let sealed = seal(&compaction, &key);
            prop_assert!(is_ours(&sealed));
            prop_assert_eq!(open(&sealed, &key), Ok(compaction));
        }

        #[test]
        fn any_single_byte_change_is_rejected(summary in ".{0,80}", at in any::<prop::sample::Index>(), byte in any::<u8>()) {
            let key = key();
            let sealed = seal(&Compaction { summary, items: 2 }, &key);
            let mut bytes = sealed.clone().into_bytes();
            let i = at.index(bytes.len());
            prop_assume!(bytes[i] != byte);
            bytes[i] = byte;
            let changed = String::from_utf8_lossy(&bytes).into_owned();
            prop_assert!(open(&changed, &key).is_err(), "accepted {changed}");
        }
    }
}
