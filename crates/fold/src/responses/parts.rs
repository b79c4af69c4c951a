//! Where an event's item and part are in the snapshot: found by `output_index` and `item_id`,
//! made when a trimmed recording never announced them.

use openai_wire_events::{
    CodeInterpreterToolCall, CustomToolCall, FunctionShellAction, FunctionShellCall,
    FunctionToolCall, ImageGenToolCall, MCPToolCall, OutputContent, OutputItem, OutputMessage,
    OutputMessageContent, OutputTextContent, ReasoningItem, ReasoningTextContent, RefusalContent,
    SummaryTextContent,
};

use super::{ResponseFold, item_id};
use crate::slots::{Slots, wire_index};

/// The kind of call an arguments event is about.
#[derive(Debug, Clone, Copy)]
pub(super) enum Call {
    /// A function call (`arguments`).
    Function,
    /// A custom tool call (`input`).
    Custom,
    /// An MCP call (`arguments`).
    Mcp,
}

impl ResponseFold {
    /// The position of the item an event is about: by `output_index`, checked against (or
    /// else found by) `item_id`. When there is none and `make` is given, the item is created.
    pub(super) fn locate(
        &mut self,
        output_index: i64,
        wanted_id: &str,
        make: Option<fn(&str) -> OutputItem>,
    ) -> Option<usize> {
        let key = wire_index(output_index);
        let at_index = key.and_then(|k| self.slots.find(k));
        if let Some(pos) = at_index {
            let found = self.snapshot.output.get(pos).and_then(item_id);
            if wanted_id.is_empty() || found.is_none_or(|id| id.is_empty() || id == wanted_id) {
                return Some(pos);
            }
        }
        if !wanted_id.is_empty() {
            if let Some(pos) = self
                .snapshot
                .output
                .iter()
                .position(|item| item_id(item) == Some(wanted_id))
            {
                return Some(pos);
            }
        }
        if at_index.is_some() {
            // No item has this id, and the index has an item: the index wins (some servers,
            // e.g. GitHub Copilot's, give each event of an item a new id).
            return at_index;
        }
        Some(self.put_item(key?, make?(wanted_id)))
    }

    /// Sets a content part (`response.content_part.added` / `.done`); returns the item's
    /// position.
    pub(super) fn content_part(
        &mut self,
        output_index: i64,
        id: &str,
        content_index: i64,
        part: &OutputContent,
    ) -> Option<usize> {
        let ci = wire_index(content_index)?;
        let make = match part {
            OutputContent::ReasoningText(_) => new_reasoning,
            _ => new_message,
        };
        let pos = self.locate(output_index, id, Some(make))?;
        let state = &mut self.states[pos];
        match (&mut self.snapshot.output[pos], part) {
            (OutputItem::Message(m), OutputContent::OutputText(p)) => {
                let p = OutputMessageContent::OutputText(p.clone());
                set_part(&mut state.content, &mut m.content, ci, p, |old, new| {
                    keep_text(old, new)
                });
            }
            (OutputItem::Message(m), OutputContent::Refusal(p)) => {
                let p = OutputMessageContent::Refusal(p.clone());
                set_part(&mut state.content, &mut m.content, ci, p, |old, new| {
                    keep_text(old, new)
                });
            }
            (OutputItem::Message(m), OutputContent::Unknown(v)) => {
                let p = OutputMessageContent::Unknown(v.clone());
                set_part(&mut state.content, &mut m.content, ci, p, |_, _| {});
            }
            (OutputItem::Reasoning(r), OutputContent::ReasoningText(p)) => {
                let content = r.content.get_or_insert_with(Vec::new);
                set_part(&mut state.content, content, ci, p.clone(), |old, new| {
                    if new.text.is_empty() {
                        new.text.clone_from(&old.text);
                    }
                });
            }
            _ => {}
        }
        Some(pos)
    }

    /// The message content part at `content_index`, made with `make` when it is not there yet,
    /// with the item's position.
    fn message_part(
        &mut self,
        output_index: i64,
        id: &str,
        content_index: i64,
        make: fn() -> OutputMessageContent,
    ) -> Option<(usize, &mut OutputMessageContent)> {
        let ci = wire_index(content_index)?;
        let pos = self.locate(output_index, id, Some(new_message))?;
        let OutputItem::Message(m) = &mut self.snapshot.output[pos] else {
            return None;
        };
        let at = self.states[pos]
            .content
            .find_or_insert(&mut m.content, ci, make);
        Some((pos, m.content.get_mut(at)?))
    }

    /// The output text part of an event, with its item's position.
    pub(super) fn text_part(
        &mut self,
        output_index: i64,
        id: &str,
        content_index: i64,
    ) -> Option<(usize, &mut OutputTextContent)> {
        let make = || OutputMessageContent::OutputText(OutputTextContent::default());
        match self.message_part(output_index, id, content_index, make)? {
            (pos, OutputMessageContent::OutputText(text)) => Some((pos, text)),
            _ => None,
        }
    }

    /// The refusal part of an event, with its item's position.
    pub(super) fn refusal_part(
        &mut self,
        output_index: i64,
        id: &str,
        content_index: i64,
    ) -> Option<(usize, &mut RefusalContent)> {
        let make = || OutputMessageContent::Refusal(RefusalContent::default());
        match self.message_part(output_index, id, content_index, make)? {
            (pos, OutputMessageContent::Refusal(refusal)) => Some((pos, refusal)),
            _ => None,
        }
    }

    /// The reasoning summary part of an event, with its item's position.
    pub(super) fn summary_part(
        &mut self,
        output_index: i64,
        id: &str,
        summary_index: i64,
    ) -> Option<(usize, &mut SummaryTextContent)> {
        let si = wire_index(summary_index)?;
        let pos = self.locate(output_index, id, Some(new_reasoning))?;
        let OutputItem::Reasoning(r) = &mut self.snapshot.output[pos] else {
            return None;
        };
        let at = self.states[pos].summary.find_or_insert(
            &mut r.summary,
            si,
            SummaryTextContent::default,
        );
        Some((pos, r.summary.get_mut(at)?))
    }

    /// The reasoning text part of an event, with its item's position.
    pub(super) fn reasoning_text(
        &mut self,
        output_index: i64,
        id: &str,
        content_index: i64,
    ) -> Option<(usize, &mut ReasoningTextContent)> {
        let ci = wire_index(content_index)?;
        let pos = self.locate(output_index, id, Some(new_reasoning))?;
        let OutputItem::Reasoning(r) = &mut self.snapshot.output[pos] else {
            return None;
        };
        let content = r.content.get_or_insert_with(Vec::new);
        let at =
            self.states[pos]
                .content
                .find_or_insert(content, ci, ReasoningTextContent::default);
        Some((pos, content.get_mut(at)?))
    }

    /// The arguments of the function, custom tool (its `input`) or MCP call an event is about,
    /// made as a call of that kind when there is none; with the item's position.
    pub(super) fn arguments(
        &mut self,
        output_index: i64,
        id: &str,
        call: Call,
    ) -> Option<(usize, &mut String)> {
        let make = match call {
            Call::Function => new_function_call,
            Call::Custom => new_custom_call,
            Call::Mcp => new_mcp_call,
        };
        let pos = self.locate(output_index, id, Some(make))?;
        let arguments = match (&mut self.snapshot.output[pos], call) {
            (OutputItem::FunctionCall(c), Call::Function) => &mut c.arguments,
            (OutputItem::CustomToolCall(c), Call::Custom) => &mut c.input,
            (OutputItem::McpCall(c), Call::Mcp) => &mut c.arguments,
            _ => return None,
        };
        Some((pos, arguments))
    }

    /// The code interpreter call an event is about.
    pub(super) fn code_call(
        &mut self,
        output_index: i64,
        id: &str,
    ) -> Option<&mut CodeInterpreterToolCall> {
        let pos = self.locate(output_index, id, Some(new_code_call))?;
        match &mut self.snapshot.output[pos] {
            OutputItem::CodeInterpreterCall(call) => Some(call),
            _ => None,
        }
    }

    /// `action.commands[command_index]` of the shell call at `output_index`. Command indices
    /// beyond the commands so far append one command (no padding).
    pub(super) fn shell_command(
        &mut self,
        output_index: i64,
        command_index: i64,
    ) -> Option<&mut String> {
        let ci = usize::try_from(command_index).ok()?;
        let pos = self.locate(output_index, "", Some(new_shell_call))?;
        let OutputItem::ShellCall(call) = &mut self.snapshot.output[pos] else {
            return None;
        };
        let commands = &mut call
            .action
            .get_or_insert_with(FunctionShellAction::default)
            .commands;
        if ci >= commands.len() {
            commands.push(String::new());
            return commands.last_mut();
        }
        commands.get_mut(ci)
    }

    /// Sets the status of the tool call an event is about.
    pub(super) fn set_status(&mut self, output_index: i64, id: &str, status: &str) {
        let Some(pos) = self.locate(output_index, id, None) else {
            return;
        };
        match &mut self.snapshot.output[pos] {
            OutputItem::WebSearchCall(c) => c.status = Some(status.into()),
            OutputItem::FileSearchCall(c) => c.status = Some(status.into()),
            OutputItem::CodeInterpreterCall(c) => c.status = Some(status.into()),
            OutputItem::ImageGenerationCall(c) => c.status = Some(status.into()),
            OutputItem::McpCall(c) => c.status = Some(status.into()),
            _ => {}
        }
    }
}

/// Puts `part` at wire index `ci`; when one is there, `merge(old, &mut part)` first.
fn set_part<T>(
    slots: &mut Slots,
    values: &mut Vec<T>,
    ci: u64,
    mut part: T,
    merge: impl FnOnce(&T, &mut T),
) {
    slots.sync(values.len());
    if let Some(pos) = slots.find(ci) {
        if let Some(old) = values.get(pos) {
            merge(old, &mut part);
        }
    }
    slots.set(values, ci, part);
}

/// A `content_part.added`/`.done` part with empty text does not erase text the deltas gave.
fn keep_text(old: &OutputMessageContent, new: &mut OutputMessageContent) {
    match (old, new) {
        (OutputMessageContent::OutputText(old), OutputMessageContent::OutputText(new)) => {
            if new.text.is_empty() {
                new.text.clone_from(&old.text);
            }
            if new.annotations.is_empty() {
                new.annotations.clone_from(&old.annotations);
            }
            if new.logprobs.is_empty() {
                new.logprobs.clone_from(&old.logprobs);
            }
        }
        (OutputMessageContent::Refusal(old), OutputMessageContent::Refusal(new))
            if new.refusal.is_empty() =>
        {
            new.refusal.clone_from(&old.refusal);
        }
        _ => {}
    }
}

pub(super) fn new_message(id: &str) -> OutputItem {
    OutputItem::Message(OutputMessage {
        id: id.to_owned(),
        ..Default::default()
    })
}

pub(super) fn new_reasoning(id: &str) -> OutputItem {
    OutputItem::Reasoning(ReasoningItem {
        id: id.to_owned(),
        ..Default::default()
    })
}

pub(super) fn new_function_call(id: &str) -> OutputItem {
    OutputItem::FunctionCall(FunctionToolCall {
        id: Some(id.to_owned()).filter(|s| !s.is_empty()),
        ..Default::default()
    })
}

pub(super) fn new_custom_call(id: &str) -> OutputItem {
    OutputItem::CustomToolCall(CustomToolCall {
        id: Some(id.to_owned()).filter(|s| !s.is_empty()),
        ..Default::default()
    })
}

pub(super) fn new_mcp_call(id: &str) -> OutputItem {
    OutputItem::McpCall(MCPToolCall {
        id: id.to_owned(),
        ..Default::default()
    })
}

pub(super) fn new_code_call(id: &str) -> OutputItem {
    OutputItem::CodeInterpreterCall(CodeInterpreterToolCall {
        id: id.to_owned(),
        ..Default::default()
    })
}

pub(super) fn new_image_call(id: &str) -> OutputItem {
    OutputItem::ImageGenerationCall(ImageGenToolCall {
        id: id.to_owned(),
        ..Default::default()
    })
}

pub(super) fn new_shell_call(id: &str) -> OutputItem {
    OutputItem::ShellCall(FunctionShellCall {
        id: id.to_owned(),
        ..Default::default()
    })
}
