//! Built-in tools' progress: code interpreter code, partial images, shell commands, and the
//! status events (`response.web_search_call.searching`, …).

use openai_wire_events::{OutputItem, ResponseStreamEvent};

use super::parts::new_image_call;
use super::{ResponseFold, ResponseUpdate};

impl ResponseFold {
    /// Folds a tool's progress event; none of them is reported.
    pub(super) fn tool_event(&mut self, event: &ResponseStreamEvent) -> Option<ResponseUpdate> {
        use ResponseStreamEvent as E;
        match event {
            E::ResponseCodeInterpreterCallCodeDelta(e) => {
                let call = self.code_call(e.output_index, &e.item_id)?;
                call.code.get_or_insert_with(String::new).push_str(&e.delta);
            }
            E::ResponseCodeInterpreterCallCodeDone(e) => {
                let call = self.code_call(e.output_index, &e.item_id)?;
                call.code = Some(e.code.clone());
            }
            E::ResponseImageGenerationCallPartialImage(e) => {
                let pos = self.locate(e.output_index, &e.item_id, Some(new_image_call))?;
                if let OutputItem::ImageGenerationCall(call) = &mut self.snapshot.output[pos] {
                    call.result = Some(e.partial_image_b64.clone());
                }
            }
            E::ResponseShellCallCommandAdded(e) => {
                let command = self.shell_command(e.output_index, e.command_index)?;
                command.clone_from(&e.command);
            }
            E::ResponseShellCallCommandDelta(e) => {
                let command = self.shell_command(e.output_index, e.command_index)?;
                command.push_str(&e.delta);
            }
            E::ResponseShellCallCommandDone(e) => {
                let command = self.shell_command(e.output_index, e.command_index)?;
                command.clone_from(&e.command);
            }
            event => {
                if let Some((output_index, item_id, status)) = status_event(event) {
                    self.set_status(output_index, item_id, status);
                }
            }
        }
        None
    }
}

/// The item (`output_index`, `item_id`) and new status a tool status event gives.
///
/// A compaction item's progress (`response.compaction.compacting`, newer than the spec
/// snapshot: `[[extra_event]]` of spec/codegen.toml) carries no content, so the item stays as
/// added. Audio (the Responses audio events), MCP list-tools progress, shell output streaming
/// (the output item's done event carries it), injections and unknown events do not change the
/// snapshot either.
fn status_event(event: &ResponseStreamEvent) -> Option<(i64, &str, &'static str)> {
    use ResponseStreamEvent as E;
    let (index, id, status) = match event {
        E::ResponseWebSearchCallInProgress(e) => (e.output_index, &e.item_id, "in_progress"),
        E::ResponseWebSearchCallSearching(e) => (e.output_index, &e.item_id, "searching"),
        E::ResponseWebSearchCallCompleted(e) => (e.output_index, &e.item_id, "completed"),
        E::ResponseFileSearchCallInProgress(e) => (e.output_index, &e.item_id, "in_progress"),
        E::ResponseFileSearchCallSearching(e) => (e.output_index, &e.item_id, "searching"),
        E::ResponseFileSearchCallCompleted(e) => (e.output_index, &e.item_id, "completed"),
        E::ResponseCodeInterpreterCallInProgress(e) => (e.output_index, &e.item_id, "in_progress"),
        E::ResponseCodeInterpreterCallInterpreting(e) => {
            (e.output_index, &e.item_id, "interpreting")
        }
        E::ResponseCodeInterpreterCallCompleted(e) => (e.output_index, &e.item_id, "completed"),
        E::ResponseImageGenerationCallInProgress(e) => (e.output_index, &e.item_id, "in_progress"),
        E::ResponseImageGenerationCallGenerating(e) => (e.output_index, &e.item_id, "generating"),
        E::ResponseImageGenerationCallCompleted(e) => (e.output_index, &e.item_id, "completed"),
        E::ResponseMcpCallInProgress(e) => (e.output_index, &e.item_id, "in_progress"),
        E::ResponseMcpCallCompleted(e) => (e.output_index, &e.item_id, "completed"),
        E::ResponseMcpCallFailed(e) => (e.output_index, &e.item_id, "failed"),
        _ => return None,
    };
    Some((index, id.as_str(), status))
}
