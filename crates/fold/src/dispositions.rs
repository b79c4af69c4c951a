//! What the folds do with each wire type: [`DISPOSITIONS`].

use openai_wire_events::disposition::{Disposition, ProtocolDispositions};

use Disposition::{Handled, Ignored};

/// Why: audio output is not part of a Response object: its items carry no audio
const AUDIO: &str = "audio output is not part of a Response object: its items carry no audio";
/// Why: the shell call output item's done event carries the whole output
const SHELL_OUTPUT: &str = "the shell call output item's done event carries the whole output";
/// Why: progress only: the item's done event (or `response.completed`) carries the result
const PROGRESS: &str =
    "progress only: the item's done event (or `response.completed`) carries the result";
/// Why: WebSocket-mode acknowledgements of a client's steer: the response itself does not change
const STEER: &str =
    "WebSocket-mode acknowledgements of a client's steer: the response itself does not change";
/// Why: WebSocket-mode acknowledgements of a client's injection: the response does not change
const INJECT: &str =
    "WebSocket-mode acknowledgements of a client's injection: the response does not change";
/// Why: session and conversation state, not part of a response
const SESSION: &str = "session and conversation state, not part of a response";
/// Why: audio buffer and input transcription events: the fold keeps responses
const AUDIO_BUFFERS: &str = "audio buffer and input transcription events: the fold keeps responses";
/// Why: rate limits, not part of a response
const RATE_LIMITS: &str = "rate limits, not part of a response";
/// Why: carries no data beyond the deltas already folded
const AUDIO_DONE: &str = "carries no data beyond the deltas already folded";
/// Why: not folded yet: MCP calls in a Realtime session stay as their items were added and done
const REALTIME_MCP: &str =
    "not folded yet: MCP calls in a Realtime session stay as their items were added and done";
/// Why: the thread itself holds nothing the run fold keeps
const THREAD: &str = "the thread itself holds nothing the run fold keeps";

/// What the fold does with each wire type of the protocols it reads (see
/// [`openai_wire_events::disposition`]).
pub static DISPOSITIONS: &[ProtocolDispositions] = &[
    ProtocolDispositions {
        protocol: "responses",
        types: &[
            ("response.audio.delta", Ignored(AUDIO)),
            ("response.audio.done", Ignored(AUDIO)),
            ("response.audio.transcript.delta", Handled),
            ("response.audio.transcript.done", Ignored(AUDIO)),
            ("response.code_interpreter_call_code.delta", Handled),
            ("response.code_interpreter_call_code.done", Handled),
            ("response.code_interpreter_call.completed", Handled),
            ("response.code_interpreter_call.in_progress", Handled),
            ("response.code_interpreter_call.interpreting", Handled),
            ("response.completed", Handled),
            ("response.content_part.added", Handled),
            ("response.content_part.done", Handled),
            ("response.created", Handled),
            ("error", Handled),
            ("response.file_search_call.completed", Handled),
            ("response.file_search_call.in_progress", Handled),
            ("response.file_search_call.searching", Handled),
            ("response.function_call_arguments.delta", Handled),
            ("response.function_call_arguments.done", Handled),
            ("response.shell_call_command.added", Handled),
            ("response.shell_call_command.delta", Handled),
            ("response.shell_call_command.done", Handled),
            (
                "response.shell_call_output_content.delta",
                Ignored(SHELL_OUTPUT),
            ),
            (
                "response.shell_call_output_content.done",
                Ignored(SHELL_OUTPUT),
            ),
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
            ("response.image_generation_call.completed", Handled),
            ("response.image_generation_call.generating", Handled),
            ("response.image_generation_call.in_progress", Handled),
            ("response.image_generation_call.partial_image", Handled),
            ("response.mcp_call_arguments.delta", Handled),
            ("response.mcp_call_arguments.done", Handled),
            ("response.mcp_call.completed", Handled),
            ("response.mcp_call.failed", Handled),
            ("response.mcp_call.in_progress", Handled),
            ("response.mcp_list_tools.completed", Ignored(PROGRESS)),
            ("response.mcp_list_tools.failed", Ignored(PROGRESS)),
            ("response.mcp_list_tools.in_progress", Ignored(PROGRESS)),
            ("response.output_text.annotation.added", Handled),
            ("response.queued", Handled),
            ("response.custom_tool_call_input.delta", Handled),
            ("response.custom_tool_call_input.done", Handled),
            ("response.compaction.compacting", Ignored(PROGRESS)),
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
    ProtocolDispositions {
        protocol: "realtime_server",
        types: &[
            ("conversation.created", Ignored(SESSION)),
            ("conversation.item.created", Handled),
            ("conversation.item.deleted", Handled),
            (
                "conversation.item.input_audio_transcription.completed",
                Handled,
            ),
            ("conversation.item.input_audio_transcription.delta", Handled),
            (
                "conversation.item.input_audio_transcription.failed",
                Handled,
            ),
            ("conversation.item.retrieved", Handled),
            ("conversation.item.truncated", Ignored(AUDIO_BUFFERS)),
            ("error", Handled),
            ("input_audio_buffer.cleared", Ignored(AUDIO_BUFFERS)),
            ("input_audio_buffer.committed", Ignored(AUDIO_BUFFERS)),
            (
                "input_audio_buffer.dtmf_event_received",
                Ignored(AUDIO_BUFFERS),
            ),
            ("input_audio_buffer.speech_started", Ignored(AUDIO_BUFFERS)),
            ("input_audio_buffer.speech_stopped", Ignored(AUDIO_BUFFERS)),
            ("rate_limits.updated", Ignored(RATE_LIMITS)),
            ("response.output_audio.delta", Handled),
            ("response.output_audio.done", Ignored(AUDIO_DONE)),
            ("response.output_audio_transcript.delta", Handled),
            ("response.output_audio_transcript.done", Handled),
            ("response.content_part.added", Handled),
            ("response.content_part.done", Handled),
            ("response.created", Handled),
            ("response.done", Handled),
            ("response.function_call_arguments.delta", Handled),
            ("response.function_call_arguments.done", Handled),
            ("response.output_item.added", Handled),
            ("response.output_item.done", Handled),
            ("response.output_text.delta", Handled),
            ("response.output_text.done", Handled),
            ("session.created", Ignored(SESSION)),
            ("session.updated", Ignored(SESSION)),
            ("output_audio_buffer.started", Ignored(AUDIO_BUFFERS)),
            ("output_audio_buffer.stopped", Ignored(AUDIO_BUFFERS)),
            ("output_audio_buffer.cleared", Ignored(AUDIO_BUFFERS)),
            ("conversation.item.added", Handled),
            ("conversation.item.done", Handled),
            (
                "input_audio_buffer.timeout_triggered",
                Ignored(AUDIO_BUFFERS),
            ),
            (
                "conversation.item.input_audio_transcription.segment",
                Ignored(AUDIO_BUFFERS),
            ),
            ("mcp_list_tools.in_progress", Ignored(REALTIME_MCP)),
            ("mcp_list_tools.completed", Ignored(REALTIME_MCP)),
            ("mcp_list_tools.failed", Ignored(REALTIME_MCP)),
            ("response.mcp_call_arguments.delta", Ignored(REALTIME_MCP)),
            ("response.mcp_call_arguments.done", Ignored(REALTIME_MCP)),
            ("response.mcp_call.in_progress", Ignored(REALTIME_MCP)),
            ("response.mcp_call.completed", Ignored(REALTIME_MCP)),
            ("response.mcp_call.failed", Ignored(REALTIME_MCP)),
            ("transcription_session.updated", Ignored(SESSION)),
            ("transcription_session.created", Ignored(SESSION)),
        ],
    },
    ProtocolDispositions {
        protocol: "assistants",
        types: &[
            ("thread.created", Ignored(THREAD)),
            ("thread.run.created", Handled),
            ("thread.run.queued", Handled),
            ("thread.run.in_progress", Handled),
            ("thread.run.requires_action", Handled),
            ("thread.run.completed", Handled),
            ("thread.run.incomplete", Handled),
            ("thread.run.failed", Handled),
            ("thread.run.cancelling", Handled),
            ("thread.run.cancelled", Handled),
            ("thread.run.expired", Handled),
            ("thread.run.step.created", Handled),
            ("thread.run.step.in_progress", Handled),
            ("thread.run.step.delta", Handled),
            ("thread.run.step.completed", Handled),
            ("thread.run.step.failed", Handled),
            ("thread.run.step.cancelled", Handled),
            ("thread.run.step.expired", Handled),
            ("thread.message.created", Handled),
            ("thread.message.in_progress", Handled),
            ("thread.message.delta", Handled),
            ("thread.message.completed", Handled),
            ("thread.message.incomplete", Handled),
            ("error", Handled),
            ("done", Handled),
        ],
    },
];
