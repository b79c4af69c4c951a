//! What the stream converters do with each wire type they read: [`DISPOSITIONS`]. Responses
//! events are read by [`responses_to_chat`](crate::stream::responses_to_chat), Chat chunks by
//! [`chat_to_responses`](crate::stream::chat_to_responses).

use openai_wire_events::disposition::{Disposition, ProtocolDispositions};

use Disposition::{Handled, Ignored};

/// Why: Chat chunks from a Responses stream carry text and tool calls; audio output has no place in them
const AUDIO: &str = "Chat chunks from a Responses stream carry text and tool calls; audio output has no place in them";
/// Why: hosted tools run on the server: Chat has no item for their progress or results; the text that uses them is converted
const HOSTED_TOOLS: &str = "hosted tools run on the server: Chat has no item for their progress or results; the text that uses them is converted";
/// Why: a part opening carries no text; its deltas do
const PART_OPENING: &str = "a part opening carries no text; its deltas do";
/// Why: Chat chunks have no annotations
const ANNOTATIONS: &str = "Chat chunks have no annotations";
/// Why: compaction progress: nothing to send
const COMPACTION: &str = "compaction progress: nothing to send";
/// Why: WebSocket-mode acknowledgements of a client's steer: the response itself does not change
const STEER: &str =
    "WebSocket-mode acknowledgements of a client's steer: the response itself does not change";
/// Why: WebSocket-mode acknowledgements of a client's injection: nothing to send
const INJECT: &str = "WebSocket-mode acknowledgements of a client's injection: nothing to send";

/// What the stream converters does with each wire type of the protocols it reads (see
/// [`openai_wire_events::disposition`]).
pub static DISPOSITIONS: &[ProtocolDispositions] = &[
    ProtocolDispositions {
        protocol: "responses",
        types: &[
            ("response.audio.delta", Ignored(AUDIO)),
            ("response.audio.done", Ignored(AUDIO)),
            ("response.audio.transcript.delta", Ignored(AUDIO)),
            ("response.audio.transcript.done", Ignored(AUDIO)),
            (
                "response.code_interpreter_call_code.delta",
                Ignored(HOSTED_TOOLS),
            ),
            (
                "response.code_interpreter_call_code.done",
                Ignored(HOSTED_TOOLS),
            ),
            (
                "response.code_interpreter_call.completed",
                Ignored(HOSTED_TOOLS),
            ),
            (
                "response.code_interpreter_call.in_progress",
                Ignored(HOSTED_TOOLS),
            ),
            (
                "response.code_interpreter_call.interpreting",
                Ignored(HOSTED_TOOLS),
            ),
            ("response.completed", Handled),
            ("response.content_part.added", Ignored(PART_OPENING)),
            ("response.content_part.done", Handled),
            ("response.created", Handled),
            ("error", Handled),
            ("response.file_search_call.completed", Ignored(HOSTED_TOOLS)),
            (
                "response.file_search_call.in_progress",
                Ignored(HOSTED_TOOLS),
            ),
            ("response.file_search_call.searching", Ignored(HOSTED_TOOLS)),
            ("response.function_call_arguments.delta", Handled),
            ("response.function_call_arguments.done", Handled),
            ("response.shell_call_command.added", Ignored(HOSTED_TOOLS)),
            ("response.shell_call_command.delta", Ignored(HOSTED_TOOLS)),
            ("response.shell_call_command.done", Ignored(HOSTED_TOOLS)),
            (
                "response.shell_call_output_content.delta",
                Ignored(HOSTED_TOOLS),
            ),
            (
                "response.shell_call_output_content.done",
                Ignored(HOSTED_TOOLS),
            ),
            ("response.in_progress", Handled),
            ("response.failed", Handled),
            ("response.incomplete", Handled),
            ("response.output_item.added", Handled),
            ("response.output_item.done", Handled),
            (
                "response.reasoning_summary_part.added",
                Ignored(PART_OPENING),
            ),
            ("response.reasoning_summary_part.done", Handled),
            ("response.reasoning_summary_text.delta", Handled),
            ("response.reasoning_summary_text.done", Handled),
            ("response.reasoning_text.delta", Handled),
            ("response.reasoning_text.done", Handled),
            ("response.refusal.delta", Handled),
            ("response.refusal.done", Handled),
            ("response.output_text.delta", Handled),
            ("response.output_text.done", Handled),
            ("response.web_search_call.completed", Ignored(HOSTED_TOOLS)),
            (
                "response.web_search_call.in_progress",
                Ignored(HOSTED_TOOLS),
            ),
            ("response.web_search_call.searching", Ignored(HOSTED_TOOLS)),
            (
                "response.image_generation_call.completed",
                Ignored(HOSTED_TOOLS),
            ),
            (
                "response.image_generation_call.generating",
                Ignored(HOSTED_TOOLS),
            ),
            (
                "response.image_generation_call.in_progress",
                Ignored(HOSTED_TOOLS),
            ),
            (
                "response.image_generation_call.partial_image",
                Ignored(HOSTED_TOOLS),
            ),
            ("response.mcp_call_arguments.delta", Ignored(HOSTED_TOOLS)),
            ("response.mcp_call_arguments.done", Ignored(HOSTED_TOOLS)),
            ("response.mcp_call.completed", Ignored(HOSTED_TOOLS)),
            ("response.mcp_call.failed", Ignored(HOSTED_TOOLS)),
            ("response.mcp_call.in_progress", Ignored(HOSTED_TOOLS)),
            ("response.mcp_list_tools.completed", Ignored(HOSTED_TOOLS)),
            ("response.mcp_list_tools.failed", Ignored(HOSTED_TOOLS)),
            ("response.mcp_list_tools.in_progress", Ignored(HOSTED_TOOLS)),
            (
                "response.output_text.annotation.added",
                Ignored(ANNOTATIONS),
            ),
            ("response.queued", Handled),
            ("response.custom_tool_call_input.delta", Handled),
            ("response.custom_tool_call_input.done", Handled),
            ("response.compaction.compacting", Ignored(COMPACTION)),
            ("response.steer.accepted", Ignored(STEER)),
            ("response.steer.pending", Ignored(STEER)),
            ("response.steer.failed", Ignored(STEER)),
            ("response.inject.created", Ignored(INJECT)),
            ("response.inject.failed", Ignored(INJECT)),
        ],
    },
    ProtocolDispositions {
        protocol: "chat_completions",
        types: &[
            ("chat.completion.chunk", Handled),
            ("chat.completion", Handled),
            ("error", Handled),
        ],
    },
];
