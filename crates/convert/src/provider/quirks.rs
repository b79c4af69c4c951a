//! Provider quirks of Chat Completions streams: named, documented, table-driven.
//!
//! Every OpenAI-compatible server streams chunks a little differently from OpenAI. Each
//! difference the converter knows is a [`Quirk`]; the [`QUIRKS`] table says, for each, which
//! providers show it, which recorded stream in `fixtures/corpus/chat/` proves it, and whether the
//! converter tolerates it always or only when asked ([`Handling`]). [`Quirks::for_kind`]
//! reads the table, so a kind's preset is exactly the rows that name it.
//!
//! Most quirks are tolerated always, because tolerating them cannot hurt a conformant stream
//! (usage wherever it comes, tool calls without `index`, an Azure chunk without choices, …).
//! Four change behaviour and are opt-in:
//!
//! - [`Quirk::CumulativeToolArguments`]: a fragment that repeats the arguments so far is a
//!   replacement, not an addition. Also detected on its own, safely: a fragment that repeats
//!   the arguments so far is cumulative only when adding it up can no longer become JSON and
//!   reading it as a replacement can ([`crate::stream::cumulative`]); a call whose arguments
//!   end up not JSON takes a cumulative reading that is.
//! - [`Quirk::CumulativeContent`]: a content delta that repeats the text so far is a
//!   replacement. Also detected on its own, conservatively: after two growing repeats of the
//!   whole text, once it is [`MIN_CUMULATIVE_CONTENT`](crate::stream::cumulative::MIN_CUMULATIVE_CONTENT)
//!   bytes long (the repeats are held back until then, so nothing is sent twice).
//! - [`Quirk::ThinkTagsInContent`]: `<think>…</think>` at the start of `content` is reasoning.
//! - [`Quirk::MissingFinishReason`]: a stream that stops without `finish_reason` and without
//!   `[DONE]` is taken as finished rather than cut off.
//!
//! <!-- quirks:begin (generated from QUIRKS by doc_table(); `UPDATE_QUIRKS=1 cargo test -p openai-wire-convert --test quirks` rewrites it) -->
//! | quirk | kinds | evidence (`fixtures/corpus/`) | handling |
//! | --- | --- | --- | --- |
//! | `UsageOnLastChoiceChunk` | deepseek, groq, mistral, cerebras, xai, openrouter | `chat/vercel-ai.mistral__mistral-tool-call.chunks.txt` | always |
//! | `UsageOnEveryChunk` | perplexity | `chat/vercel-ai.perplexity__perplexity-text.chunks.txt` | always (last wins) |
//! | `UsageInOwnChunk` | openai, azure, ollama, qwen, xai | `chat/openai-python__test_parse_max_tokens_reached__4cc50a6135.sse` | always |
//! | `NoDoneMarker` | gpustack, perplexity, writer, vllm, llamacpp | `chat/ruby_llm__vcr_cassettes__chat_streaming_responses_gpustack_qwen3_supports_streaming_responses__i0.sse` | always: a stream that ends after every choice's `finish_reason` is complete; without `finish_reason` it was cut off |
//! | `MissingFinishReason` | kimi | `chat/simonw-llm__test_tools_streaming__test_tools_streaming_variant_a__i0.sse` | opt-in for an EOF; `[DONE]` always ends |
//! | `CumulativeToolArguments` | (none recorded) | derived from `chat/crewai__cassettes__test_handle_streaming_tool_calls__i0.sse` | opt-in + safe auto-detection (JSON-prefix check; the end takes a reading that is JSON) |
//! | `CumulativeContent` | perplexity | derived from `chat/vercel-ai.perplexity__perplexity-citations.chunks.txt` | opt-in + conservative auto-detection; Perplexity's recorded deltas are incremental, its full text is in `message.content` |
//! | `WholeToolCallInOneChunk` | groq, mistral, cerebras, kimi, xai | `chat/vercel-ai.groq__groq-tool-call.chunks.txt` | always |
//! | `ToolCallWithoutIndex` | mistral | `chat/vercel-ai.mistral__mistral-tool-call.chunks.txt` | always |
//! | `ToolCallWithoutId` | (none recorded) | derived from `chat/crewai__cassettes__test_handle_streaming_tool_calls__i0.sse` | always (a `call_…` id is made) |
//! | `ToolNameLater` | mistral, kimi | `chat/vercel-ai.mistral__mistral-incremental-tool-call.chunks.txt` | always (Mistral relaying GLM) |
//! | `AzurePromptFilterChunk` | azure | `chat/crewai__azure__test_azure_streaming_completion__i0.sse` | always |
//! | `PlaceholderIdAndCreated` | azure | `chat/crewai__azure__test_azure_streaming_completion__i0.sse` | always |
//! | `ContentPartsWithThinking` | mistral | `chat/vercel-ai.mistral__mistral-reasoning.chunks.txt` | always |
//! | `VendorExtras` | groq, perplexity, openrouter | `chat/vercel-ai.groq__groq-reasoning.chunks.txt` | always (ignored) |
//! | `ErrorMidStream` | gpustack, groq, openrouter | `chat/ruby_llm__vcr_cassettes__chat_with_extended_thinking_gpustack_qwen3_streams_thinking_content_when_available__i0.sse` | always (`response.failed`) |
//! | `ReasoningContentField` | deepseek, kimi, glm, qwen, xai, gpustack, vllm | `chat/vercel-ai.deepseek__deepseek-reasoning.chunks.txt` | always |
//! | `ReasoningField` | groq, ollama, openrouter, cerebras | `chat/vercel-ai.groq__groq-reasoning.chunks.txt` | always |
//! | `ReasoningDetails` | openrouter | `chat/ruby_llm__vcr_cassettes__chat_openrouter_reasoning_details_round-trip_accumulates_reasoning_details_while_streaming_tool_calls__i0.sse` | always (carried in the envelope) |
//! | `ThinkTagsInContent` | groq, together, huggingface, vllm, llamacpp | derived from `chat/vercel-ai.groq__groq-reasoning.chunks.txt` | set by the kinds named (`disable_quirks` / `--no-quirk` turns it off); the opening tag counts only at the very start of the content |
//! | `McpListToolsBackfill` | openai | derived from `responses/openai-dotnet__ResponsesToolTests__MCPToolStreamingWorks__e0.sse` | always: `check` warns under `nesting.mcp-list-tools-backfill`; fold and convert take the items from `response.completed` |
//! <!-- quirks:end -->

use enumset::{EnumSet, EnumSetType};
use openai_wire_events::ChatCompletionChunk;
use openai_wire_fold::chat_delta::{DeltaPiece, ReasoningSource, read_pieces};

use super::ProviderKind;

/// One way a provider's Chat stream differs from OpenAI's. See the [module table](self).
#[derive(Debug, Hash, EnumSetType)]
#[non_exhaustive]
pub enum Quirk {
    /// `usage` rides on the last chunk that still has choices (the one with `finish_reason`)
    /// rather than on a chunk of its own.
    UsageOnLastChoiceChunk,
    /// `usage` is on every chunk, growing (Perplexity); the last one counts.
    UsageOnEveryChunk,
    /// `usage` comes in a chunk of its own with `choices: []`, after `finish_reason` (OpenAI
    /// with `stream_options.include_usage`).
    UsageInOwnChunk,
    /// The stream ends without `data: [DONE]`.
    NoDoneMarker,
    /// The last chunk has no `finish_reason` (Kimi through some routers).
    MissingFinishReason,
    /// Each tool-call fragment repeats the arguments so far instead of adding to them.
    CumulativeToolArguments,
    /// Each `delta.content` repeats the text so far instead of adding to it.
    CumulativeContent,
    /// A tool call arrives whole (id, name, arguments) in one chunk.
    WholeToolCallInOneChunk,
    /// Tool-call fragments carry no `index` (Mistral); calls are told apart by `id`.
    ToolCallWithoutIndex,
    /// A tool call never gets an `id`; the converter makes a `call_…` id.
    ToolCallWithoutId,
    /// The function name is empty (or repeated, or empty again) in some fragments; the first
    /// non-empty name counts and the item opens once it is known.
    ToolNameLater,
    /// Azure's first chunk: no choices, empty `id` and `model`, `prompt_filter_results`.
    AzurePromptFilterChunk,
    /// Chunks with an empty `id` or `created: 0`.
    PlaceholderIdAndCreated,
    /// `content` as an array of parts, with `thinking` blocks (Mistral Magistral).
    ContentPartsWithThinking,
    /// Fields OpenAI does not send (`x_groq`, `citations`, `search_results`, `cost`).
    VendorExtras,
    /// An error arrives in the middle of the stream (an `error` event or line).
    ErrorMidStream,
    /// Reasoning in `delta.reasoning_content`.
    ReasoningContentField,
    /// Reasoning in `delta.reasoning`.
    ReasoningField,
    /// Structured reasoning in `delta.reasoning_details` (OpenRouter), next to `reasoning`.
    ReasoningDetails,
    /// Reasoning in `content`, between `<think>` and `</think>`.
    ThinkTagsInContent,
    /// A Responses stream (OpenAI's own, with several MCP servers) sends
    /// `response.output_item.done` only for the last `mcp_list_tools` item; the others are
    /// whole only in `response.completed`.
    McpListToolsBackfill,
}

/// Whether the converter copes with a quirk on its own or only when the quirk is set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Handling {
    /// Always tolerated; setting the quirk changes nothing (it documents the provider).
    Always,
    /// Changes the conversion only when set in [`Quirks`].
    OptIn,
}

/// One row of the quirk table.
#[derive(Debug, Clone, Copy)]
pub struct QuirkInfo {
    /// The quirk.
    pub quirk: Quirk,
    /// Its name, as configuration files spell it (`snake_case`).
    pub name: &'static str,
    /// The kinds of provider known to show it: their presets include it
    /// ([`Quirks::for_kind`]).
    pub providers: &'static [ProviderKind],
    /// The corpus file that shows it (under `fixtures/corpus/`), or how its test is derived
    /// when no recording shows it.
    pub evidence: &'static str,
    /// How the converter handles it.
    pub handling: Handling,
    /// What the converter does with it, in words (the table's "handling" column).
    pub note: &'static str,
}

/// The quirk table as the module docs show it (Markdown, one row per [`QUIRKS`] entry): the
/// docs' copy is generated from it and drift-tested (`tests/quirks.rs`).
///
/// ```
/// let table = openai_wire_convert::quirks::doc_table();
/// assert!(table.starts_with("| quirk | kinds |"));
/// assert!(table.contains("| `NoDoneMarker` | gpustack, perplexity, writer, vllm, llamacpp |"));
/// ```
pub fn doc_table() -> String {
    let mut out = String::from(
        "| quirk | kinds | evidence (`fixtures/corpus/`) | handling |\n| --- | --- | --- | --- |\n",
    );
    for info in QUIRKS {
        let providers = match info.providers {
            [] => "(none recorded)".to_owned(),
            kinds => kinds
                .iter()
                .map(|kind| kind.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        };
        let evidence: Vec<String> = info
            .evidence
            .split(' ')
            .map(|word| {
                if word.ends_with(".sse") || word.ends_with(".txt") {
                    format!("`{word}`")
                } else {
                    word.to_owned()
                }
            })
            .collect();
        out.push_str(&format!(
            "| `{:?}` | {providers} | {} | {} |\n",
            info.quirk,
            evidence.join(" "),
            info.note
        ));
    }
    out
}

/// The quirk table: every quirk, its providers and its evidence.
pub static QUIRKS: &[QuirkInfo] = {
    use ProviderKind as K;
    &[
        QuirkInfo {
            quirk: Quirk::UsageOnLastChoiceChunk,
            name: "usage_on_last_choice_chunk",
            providers: &[
                K::DeepSeek,
                K::Groq,
                K::Mistral,
                K::Cerebras,
                K::Xai,
                K::OpenRouter,
            ],
            evidence: "chat/vercel-ai.mistral__mistral-tool-call.chunks.txt",
            handling: Handling::Always,
            note: "always",
        },
        QuirkInfo {
            quirk: Quirk::UsageOnEveryChunk,
            name: "usage_on_every_chunk",
            providers: &[K::Perplexity],
            evidence: "chat/vercel-ai.perplexity__perplexity-text.chunks.txt",
            handling: Handling::Always,
            note: "always (last wins)",
        },
        QuirkInfo {
            quirk: Quirk::UsageInOwnChunk,
            name: "usage_in_own_chunk",
            providers: &[K::OpenAi, K::Azure, K::Ollama, K::Qwen, K::Xai],
            evidence: "chat/openai-python__test_parse_max_tokens_reached__4cc50a6135.sse",
            handling: Handling::Always,
            note: "always",
        },
        QuirkInfo {
            quirk: Quirk::NoDoneMarker,
            name: "no_done_marker",
            providers: &[K::GpuStack, K::Perplexity, K::Writer, K::Vllm, K::LlamaCpp],
            evidence: "chat/ruby_llm__vcr_cassettes__chat_streaming_responses_gpustack_qwen3_supports_streaming_responses__i0.sse",
            handling: Handling::Always,
            note: "always: a stream that ends after every choice's `finish_reason` is complete; without `finish_reason` it was cut off",
        },
        QuirkInfo {
            quirk: Quirk::MissingFinishReason,
            name: "missing_finish_reason",
            providers: &[K::Kimi],
            evidence: "chat/simonw-llm__test_tools_streaming__test_tools_streaming_variant_a__i0.sse",
            handling: Handling::OptIn,
            note: "opt-in for an EOF; `[DONE]` always ends",
        },
        QuirkInfo {
            quirk: Quirk::CumulativeToolArguments,
            name: "cumulative_tool_arguments",
            providers: &[],
            evidence: "derived from chat/crewai__cassettes__test_handle_streaming_tool_calls__i0.sse",
            handling: Handling::OptIn,
            note: "opt-in + safe auto-detection (JSON-prefix check; the end takes a reading that is JSON)",
        },
        QuirkInfo {
            quirk: Quirk::CumulativeContent,
            name: "cumulative_content",
            providers: &[K::Perplexity],
            evidence: "derived from chat/vercel-ai.perplexity__perplexity-citations.chunks.txt",
            handling: Handling::OptIn,
            note: "opt-in + conservative auto-detection; Perplexity's recorded deltas are incremental, its full text is in `message.content`",
        },
        QuirkInfo {
            quirk: Quirk::WholeToolCallInOneChunk,
            name: "whole_tool_call_in_one_chunk",
            providers: &[K::Groq, K::Mistral, K::Cerebras, K::Kimi, K::Xai],
            evidence: "chat/vercel-ai.groq__groq-tool-call.chunks.txt",
            handling: Handling::Always,
            note: "always",
        },
        QuirkInfo {
            quirk: Quirk::ToolCallWithoutIndex,
            name: "tool_call_without_index",
            providers: &[K::Mistral],
            evidence: "chat/vercel-ai.mistral__mistral-tool-call.chunks.txt",
            handling: Handling::Always,
            note: "always",
        },
        QuirkInfo {
            quirk: Quirk::ToolCallWithoutId,
            name: "tool_call_without_id",
            providers: &[],
            evidence: "derived from chat/crewai__cassettes__test_handle_streaming_tool_calls__i0.sse",
            handling: Handling::Always,
            note: "always (a `call_…` id is made)",
        },
        QuirkInfo {
            quirk: Quirk::ToolNameLater,
            name: "tool_name_later",
            providers: &[K::Mistral, K::Kimi],
            evidence: "chat/vercel-ai.mistral__mistral-incremental-tool-call.chunks.txt",
            handling: Handling::Always,
            note: "always (Mistral relaying GLM)",
        },
        QuirkInfo {
            quirk: Quirk::AzurePromptFilterChunk,
            name: "azure_prompt_filter_chunk",
            providers: &[K::Azure],
            evidence: "chat/crewai__azure__test_azure_streaming_completion__i0.sse",
            handling: Handling::Always,
            note: "always",
        },
        QuirkInfo {
            quirk: Quirk::PlaceholderIdAndCreated,
            name: "placeholder_id_and_created",
            providers: &[K::Azure],
            evidence: "chat/crewai__azure__test_azure_streaming_completion__i0.sse",
            handling: Handling::Always,
            note: "always",
        },
        QuirkInfo {
            quirk: Quirk::ContentPartsWithThinking,
            name: "content_parts_with_thinking",
            providers: &[K::Mistral],
            evidence: "chat/vercel-ai.mistral__mistral-reasoning.chunks.txt",
            handling: Handling::Always,
            note: "always",
        },
        QuirkInfo {
            quirk: Quirk::VendorExtras,
            name: "vendor_extras",
            providers: &[K::Groq, K::Perplexity, K::OpenRouter],
            evidence: "chat/vercel-ai.groq__groq-reasoning.chunks.txt",
            handling: Handling::Always,
            note: "always (ignored)",
        },
        QuirkInfo {
            quirk: Quirk::ErrorMidStream,
            name: "error_mid_stream",
            providers: &[K::GpuStack, K::Groq, K::OpenRouter],
            evidence: "chat/ruby_llm__vcr_cassettes__chat_with_extended_thinking_gpustack_qwen3_streams_thinking_content_when_available__i0.sse",
            handling: Handling::Always,
            note: "always (`response.failed`)",
        },
        QuirkInfo {
            quirk: Quirk::ReasoningContentField,
            name: "reasoning_content_field",
            providers: &[
                K::DeepSeek,
                K::Kimi,
                K::Glm,
                K::Qwen,
                K::Xai,
                K::GpuStack,
                K::Vllm,
            ],
            evidence: "chat/vercel-ai.deepseek__deepseek-reasoning.chunks.txt",
            handling: Handling::Always,
            note: "always",
        },
        QuirkInfo {
            quirk: Quirk::ReasoningField,
            name: "reasoning_field",
            providers: &[K::Groq, K::Ollama, K::OpenRouter, K::Cerebras],
            evidence: "chat/vercel-ai.groq__groq-reasoning.chunks.txt",
            handling: Handling::Always,
            note: "always",
        },
        QuirkInfo {
            quirk: Quirk::ReasoningDetails,
            name: "reasoning_details",
            providers: &[K::OpenRouter],
            evidence: "chat/ruby_llm__vcr_cassettes__chat_openrouter_reasoning_details_round-trip_accumulates_reasoning_details_while_streaming_tool_calls__i0.sse",
            handling: Handling::Always,
            note: "always (carried in the envelope)",
        },
        QuirkInfo {
            quirk: Quirk::ThinkTagsInContent,
            name: "think_tags_in_content",
            providers: &[K::Groq, K::Together, K::HuggingFace, K::Vllm, K::LlamaCpp],
            evidence: "derived from chat/vercel-ai.groq__groq-reasoning.chunks.txt",
            handling: Handling::OptIn,
            note: "set by the kinds named (`disable_quirks` / `--no-quirk` turns it off); the opening tag counts only at the very start of the content",
        },
        QuirkInfo {
            quirk: Quirk::McpListToolsBackfill,
            name: "mcp_list_tools_backfill",
            providers: &[K::OpenAi],
            evidence: "derived from responses/openai-dotnet__ResponsesToolTests__MCPToolStreamingWorks__e0.sse",
            handling: Handling::Always,
            note: "always: `check` warns under `nesting.mcp-list-tools-backfill`; fold and convert take the items from `response.completed`",
        },
    ]
};

impl Quirk {
    /// The quirk's row in [`QUIRKS`].
    pub fn info(self) -> &'static QuirkInfo {
        // Every quirk has a row (a test checks it); the first row is a harmless fallback.
        QUIRKS
            .iter()
            .find(|info| info.quirk == self)
            .unwrap_or(&QUIRKS[0])
    }

    /// The quirk's `snake_case` name.
    pub fn name(self) -> &'static str {
        self.info().name
    }

    /// The quirk named `name` (as in [`QuirkInfo::name`]).
    pub fn from_name(name: &str) -> Option<Quirk> {
        QUIRKS
            .iter()
            .find(|info| info.name == name)
            .map(|info| info.quirk)
    }
}

/// A set of [`Quirk`]s.
///
/// ```
/// use openai_wire_convert::provider::{ProviderKind, Quirk, Quirks};
///
/// let mistral = Quirks::for_kind(ProviderKind::Mistral);
/// assert!(mistral.contains(Quirk::ToolCallWithoutIndex));
/// assert!(mistral.contains(Quirk::ContentPartsWithThinking));
/// assert!(!mistral.contains(Quirk::AzurePromptFilterChunk));
/// assert!(Quirks::for_kind(ProviderKind::Groq).contains(Quirk::ThinkTagsInContent));
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Quirks(EnumSet<Quirk>);

impl Quirks {
    /// No quirks.
    pub fn none() -> Self {
        Quirks::default()
    }

    /// The quirks of a kind's preset: the rows of [`QUIRKS`] that name it.
    pub fn for_kind(kind: ProviderKind) -> Self {
        Quirks(
            QUIRKS
                .iter()
                .filter(|info| info.providers.contains(&kind))
                .map(|info| info.quirk)
                .collect(),
        )
    }

    /// The quirks one chunk shows on its face (safe to detect, no state needed): tool calls
    /// without `index` or whole in one chunk, `content` as an array, an empty `id` or
    /// `created: 0`, usage on a chunk with choices, reasoning fields.
    pub fn detect_from_chunk(chunk: &ChatCompletionChunk) -> Self {
        let mut quirks = Quirks::none();
        if chunk.id.is_empty() || chunk.created == 0 {
            quirks.insert(Quirk::PlaceholderIdAndCreated);
        }
        if chunk.choices.is_empty() && chunk.usage.is_none() {
            quirks.insert(Quirk::AzurePromptFilterChunk);
        }
        if chunk.usage.is_some() && !chunk.choices.is_empty() {
            quirks.insert(Quirk::UsageOnLastChoiceChunk);
        }
        if chunk.usage.is_some() && chunk.choices.is_empty() {
            quirks.insert(Quirk::UsageInOwnChunk);
        }
        for choice in &chunk.choices {
            let _ = read_pieces(choice, |piece| {
                note_piece(&mut quirks, &piece);
                Ok::<(), std::convert::Infallible>(())
            });
        }
        quirks
    }

    /// Adds a quirk.
    pub fn insert(&mut self, quirk: Quirk) {
        self.0.insert(quirk);
    }

    /// The set with `quirk` added.
    pub fn with(mut self, quirk: Quirk) -> Self {
        self.insert(quirk);
        self
    }

    /// Removes a quirk.
    pub fn remove(&mut self, quirk: Quirk) {
        self.0.remove(quirk);
    }

    /// Whether the set holds `quirk`.
    pub fn contains(&self, quirk: Quirk) -> bool {
        self.0.contains(quirk)
    }

    /// Both sets together.
    pub fn union(self, other: Quirks) -> Quirks {
        Quirks(self.0 | other.0)
    }

    /// The quirks of the set, in table order.
    pub fn iter(&self) -> impl Iterator<Item = Quirk> + '_ {
        QUIRKS
            .iter()
            .map(|info| info.quirk)
            .filter(|quirk| self.contains(*quirk))
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Adds the quirks a piece of a delta shows, as the one Chat-delta reader gives it.
fn note_piece(quirks: &mut Quirks, piece: &DeltaPiece<'_>) {
    match piece {
        DeltaPiece::Text { part: true, .. }
        | DeltaPiece::Reasoning {
            source: ReasoningSource::ThinkingPart,
            ..
        } => quirks.insert(Quirk::ContentPartsWithThinking),
        DeltaPiece::Reasoning {
            source: ReasoningSource::ReasoningContent,
            ..
        } => quirks.insert(Quirk::ReasoningContentField),
        DeltaPiece::Reasoning {
            source: ReasoningSource::Reasoning,
            ..
        } => quirks.insert(Quirk::ReasoningField),
        DeltaPiece::ReasoningDetails(_) => quirks.insert(Quirk::ReasoningDetails),
        DeltaPiece::ToolCall(call) => {
            if call.index.is_none() {
                quirks.insert(Quirk::ToolCallWithoutIndex);
            }
            let named = call.name.is_some_and(|n| !n.is_empty());
            let argued = call.arguments.is_some_and(|a| !a.is_empty());
            if call.id.is_some() && named && argued {
                quirks.insert(Quirk::WholeToolCallInOneChunk);
            }
        }
        _ => {}
    }
}
