//! What a writer refuses: [`EmitError`].

use std::fmt;

/// The kind of a Responses output item a [`ResponseWriter`](crate::ResponseWriter) can open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ItemKind {
    /// A `message` item (output text and refusals).
    Message,
    /// A `reasoning` item (summary, reasoning text, encrypted content).
    Reasoning,
    /// A `function_call` item (arguments).
    FunctionCall,
    /// A `custom_tool_call` item (free-form input).
    CustomToolCall,
    /// A client-executed `tool_search_call` item (arguments).
    ToolSearchCall,
    /// A server-run `web_search_call` item.
    WebSearchCall,
}

impl ItemKind {
    /// The item's wire type (`message`, `reasoning`, `function_call`, `custom_tool_call`).
    pub fn as_str(self) -> &'static str {
        match self {
            ItemKind::Message => "message",
            ItemKind::Reasoning => "reasoning",
            ItemKind::FunctionCall => "function_call",
            ItemKind::CustomToolCall => "custom_tool_call",
            ItemKind::ToolSearchCall => "tool_search_call",
            ItemKind::WebSearchCall => "web_search_call",
        }
    }
}

impl fmt::Display for ItemKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A call a writer refused. The writer is left as it was: nothing was emitted and no state
/// changed, so the caller may go on with a correct call.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EmitError {
    /// The call needs a started stream (`ResponseWriter::start` first).
    #[error("the response has not started yet: call start() first")]
    NotStarted,
    /// `start` was called twice.
    #[error("the response has already started")]
    AlreadyStarted,
    /// The stream has already ended (a terminal call, or `ChatChunkWriter::end`).
    #[error("the stream has already ended with {terminal}")]
    Ended {
        /// What ended it: `response.completed`, `response.failed`, `response.incomplete`, or
        /// `end` for a chat stream.
        terminal: &'static str,
    },
    /// The handle was made by another writer.
    #[error("the handle belongs to another writer")]
    ForeignHandle,
    /// The call does not apply to the handle's kind of item (text pushed to a function call…).
    #[error("{operation} needs a {expected} item, but output item {output_index} is a {found}")]
    WrongItemKind {
        /// The refused call.
        operation: &'static str,
        /// The kind of item it applies to.
        expected: ItemKind,
        /// The kind of item the handle names.
        found: ItemKind,
        /// The item's `output_index`.
        output_index: usize,
    },
    /// The item was already finished (by `finish_item` or a terminal call).
    #[error("output item {output_index} is already finished")]
    ItemFinished {
        /// The item's `output_index`.
        output_index: usize,
    },
    /// A chat choice index outside `0..n`.
    #[error("choice {choice} does not exist: the stream has {choices} choice(s)")]
    NoSuchChoice {
        /// The index asked for.
        choice: usize,
        /// How many choices the writer has.
        choices: usize,
    },
    /// A chat choice that already has its `finish_reason`.
    #[error("choice {choice} is already finished")]
    ChoiceFinished {
        /// The choice index.
        choice: usize,
    },
    /// An event could not be serialized (only possible with a template holding a value JSON
    /// cannot represent).
    #[error("cannot serialize event: {0}")]
    Json(#[from] serde_json::Error),
    /// The SSE writer refused a frame.
    #[error("cannot frame event as SSE: {0}")]
    Sse(#[from] openai_wire_sse::WriteError),
}
