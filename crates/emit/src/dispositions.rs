//! What the writer does with each wire type: [`DISPOSITIONS`]. `Handled`: the writer builds
//! it, in order and well-formed ([`ResponseWriter`](crate::ResponseWriter),
//! [`ChatChunkWriter`](crate::ChatChunkWriter)); `PassedThrough`: it does not build it, and
//! [`write_response_sse`](crate::write_response_sse) / [`write_chat_sse`](crate::write_chat_sse)
//! write it unchanged when a relay hands it over.

use openai_wire_events::disposition::{Disposition, ProtocolDispositions};

use Disposition::{Handled, PassedThrough};

/// What the writer does with each wire type of the protocols it reads (see
/// [`openai_wire_events::disposition`]).
pub static DISPOSITIONS: &[ProtocolDispositions] = &[
    ProtocolDispositions {
        protocol: "responses",
        types: &[
            ("response.audio.delta", PassedThrough),
            ("response.audio.done", PassedThrough),
            ("response.audio.transcript.delta", PassedThrough),
            ("response.audio.transcript.done", PassedThrough),
            ("response.code_interpreter_call_code.delta", PassedThrough),
            ("response.code_interpreter_call_code.done", PassedThrough),
            ("response.code_interpreter_call.completed", PassedThrough),
            ("response.code_interpreter_call.in_progress", PassedThrough),
            ("response.code_interpreter_call.interpreting", PassedThrough),
            ("response.completed", Handled),
            ("response.content_part.added", Handled),
            ("response.content_part.done", Handled),
            ("response.created", Handled),
            ("error", PassedThrough),
            ("response.file_search_call.completed", PassedThrough),
            ("response.file_search_call.in_progress", PassedThrough),
            ("response.file_search_call.searching", PassedThrough),
            ("response.function_call_arguments.delta", Handled),
            ("response.function_call_arguments.done", Handled),
            ("response.shell_call_command.added", PassedThrough),
            ("response.shell_call_command.delta", PassedThrough),
            ("response.shell_call_command.done", PassedThrough),
            ("response.shell_call_output_content.delta", PassedThrough),
            ("response.shell_call_output_content.done", PassedThrough),
            ("response.in_progress", Handled),
            ("response.failed", Handled),
            ("response.incomplete", Handled),
            ("response.output_item.added", Handled),
            ("response.output_item.done", Handled),
            ("response.reasoning_summary_part.added", Handled),
            ("response.reasoning_summary_part.done", Handled),
            ("response.reasoning_summary_text.delta", Handled),
            ("response.reasoning_summary_text.done", Handled),
            ("response.reasoning_text.delta", Handled),
            ("response.reasoning_text.done", Handled),
            ("response.refusal.delta", Handled),
            ("response.refusal.done", Handled),
            ("response.output_text.delta", Handled),
            ("response.output_text.done", Handled),
            ("response.web_search_call.completed", Handled),
            ("response.web_search_call.in_progress", Handled),
            ("response.web_search_call.searching", Handled),
            ("response.image_generation_call.completed", PassedThrough),
            ("response.image_generation_call.generating", PassedThrough),
            ("response.image_generation_call.in_progress", PassedThrough),
            (
                "response.image_generation_call.partial_image",
                PassedThrough,
            ),
            ("response.mcp_call_arguments.delta", PassedThrough),
            ("response.mcp_call_arguments.done", PassedThrough),
            ("response.mcp_call.completed", PassedThrough),
            ("response.mcp_call.failed", PassedThrough),
            ("response.mcp_call.in_progress", PassedThrough),
            ("response.mcp_list_tools.completed", PassedThrough),
            ("response.mcp_list_tools.failed", PassedThrough),
            ("response.mcp_list_tools.in_progress", PassedThrough),
            ("response.output_text.annotation.added", PassedThrough),
            ("response.queued", PassedThrough),
            ("response.custom_tool_call_input.delta", Handled),
            ("response.custom_tool_call_input.done", Handled),
            ("response.compaction.compacting", PassedThrough),
            ("response.steer.accepted", PassedThrough),
            ("response.steer.pending", PassedThrough),
            ("response.steer.failed", PassedThrough),
            ("response.inject.created", PassedThrough),
            ("response.inject.failed", PassedThrough),
        ],
    },
    ProtocolDispositions {
        protocol: "chat_completions",
        types: &[
            ("chat.completion.chunk", Handled),
            ("chat.completion", Handled),
            ("error", PassedThrough),
        ],
    },
];
