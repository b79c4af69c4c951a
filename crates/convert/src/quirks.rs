//! Provider quirks of Chat Completions streams: named, documented, table-driven.
//!
//! Every OpenAI-compatible server streams chunks a little differently from OpenAI. Each
//! difference the converter knows is a [`Quirk`]; the [`QUIRKS`] table says, for each, which
//! providers show it, which recorded stream in `fixtures/corpus/chat/` proves it, and whether the
//! converter tolerates it always or only when asked ([`Handling`]). [`Quirks::for_provider`]
//! reads the table, so a provider's preset is exactly the rows that name it.
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
//! <!-- quirks:begin (generated from QUIRKS; `UPDATE_QUIRKS=1 cargo test -p openai-wire-convert --test quirks` rewrites it) -->
//! | quirk | providers | evidence (`fixtures/corpus/chat/`) | handling |
//! | --- | --- | --- | --- |
//! | `UsageOnLastChoiceChunk` | deepseek, groq, mistral, cerebras, xai, openrouter | `vercel-ai.mistral__mistral-tool-call.chunks.txt` | always |
//! | `UsageOnEveryChunk` | perplexity | `vercel-ai.perplexity__perplexity-text.chunks.txt` | always (last wins) |
//! | `UsageInOwnChunk` | openai, azure, ollama, qwen, xai | `openai-python__test_parse_max_tokens_reached__4cc50a6135.sse` | always |
//! | `NoDoneMarker` | gpustack, perplexity | `ruby_llm__vcr_cassettes__chat_streaming_responses_gpustack_qwen3_supports_streaming_responses__i0.sse` | always |
//! | `MissingFinishReason` | kimi | `simonw-llm__test_tools_streaming__test_tools_streaming_variant_a__i0.sse` | opt-in for an EOF; `[DONE]` always ends |
//! | `CumulativeToolArguments` | (none recorded) | derived from `crewai__cassettes__test_handle_streaming_tool_calls__i0.sse` | opt-in + safe auto-detection (JSON-prefix check; the end takes a reading that is JSON) |
//! | `CumulativeContent` | (none recorded) | derived from `vercel-ai.perplexity__perplexity-citations.chunks.txt` | opt-in + conservative auto-detection; Perplexity's recorded deltas are incremental, its full text is in `message.content` |
//! | `WholeToolCallInOneChunk` | groq, mistral, cerebras, kimi, xai | `vercel-ai.groq__groq-tool-call.chunks.txt` | always |
//! | `ToolCallWithoutIndex` | mistral | `vercel-ai.mistral__mistral-tool-call.chunks.txt` | always |
//! | `ToolCallWithoutId` | (none recorded) | derived from `crewai__cassettes__test_handle_streaming_tool_calls__i0.sse` | always (a `call_…` id is made) |
//! | `ToolNameLater` | mistral, kimi | `vercel-ai.mistral__mistral-incremental-tool-call.chunks.txt` | always (Mistral relaying GLM) |
//! | `AzurePromptFilterChunk` | azure | `crewai__azure__test_azure_streaming_completion__i0.sse` | always |
//! | `PlaceholderIdAndCreated` | azure | `crewai__azure__test_azure_streaming_completion__i0.sse` | always |
//! | `ContentPartsWithThinking` | mistral | `vercel-ai.mistral__mistral-reasoning.chunks.txt` | always |
//! | `VendorExtras` | groq, perplexity, openrouter | `vercel-ai.groq__groq-reasoning.chunks.txt` | always (ignored) |
//! | `ErrorMidStream` | gpustack, groq, openrouter | `ruby_llm__vcr_cassettes__chat_with_extended_thinking_gpustack_qwen3_streams_thinking_content_when_available__i0.sse` | always (`response.failed`) |
//! | `ReasoningContentField` | deepseek, kimi, glm, qwen, xai, gpustack, vllm | `vercel-ai.deepseek__deepseek-reasoning.chunks.txt` | always |
//! | `ReasoningField` | groq, ollama, openrouter, cerebras | `vercel-ai.groq__groq-reasoning.chunks.txt` | always |
//! | `ReasoningDetails` | openrouter | `ruby_llm__vcr_cassettes__chat_openrouter_reasoning_details_round-trip_accumulates_reasoning_details_while_streaming_tool_calls__i0.sse` | always (carried in the envelope) |
//! | `ThinkTagsInContent` | vllm | derived from `vercel-ai.groq__groq-reasoning.chunks.txt` | opt-in |
//! <!-- quirks:end -->

use openai_wire_events::{ChatCompletionChunk, ChatCompletionStreamResponseDeltaContent};

/// One way a provider's Chat stream differs from OpenAI's. See the [module table](self).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
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
    /// The providers known to show it (names as [`Quirks::for_provider`] takes them).
    pub providers: &'static [&'static str],
    /// The corpus file that shows it (under `fixtures/corpus/chat/`), or how its test is
    /// derived when no recording shows it.
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
/// assert!(table.starts_with("| quirk | providers |"));
/// assert!(table.contains("| `NoDoneMarker` | gpustack, perplexity |"));
/// ```
pub fn doc_table() -> String {
    let mut out = String::from(
        "| quirk | providers | evidence (`fixtures/corpus/chat/`) | handling |\n| --- | --- | --- | --- |\n",
    );
    for info in QUIRKS {
        let providers = match info.providers {
            [] => "(none recorded)".to_owned(),
            providers => providers.join(", "),
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
pub static QUIRKS: &[QuirkInfo] = &[
    QuirkInfo {
        quirk: Quirk::UsageOnLastChoiceChunk,
        name: "usage_on_last_choice_chunk",
        providers: &[
            "deepseek",
            "groq",
            "mistral",
            "cerebras",
            "xai",
            "openrouter",
        ],
        evidence: "vercel-ai.mistral__mistral-tool-call.chunks.txt",
        handling: Handling::Always,
        note: "always",
    },
    QuirkInfo {
        quirk: Quirk::UsageOnEveryChunk,
        name: "usage_on_every_chunk",
        providers: &["perplexity"],
        evidence: "vercel-ai.perplexity__perplexity-text.chunks.txt",
        handling: Handling::Always,
        note: "always (last wins)",
    },
    QuirkInfo {
        quirk: Quirk::UsageInOwnChunk,
        name: "usage_in_own_chunk",
        providers: &["openai", "azure", "ollama", "qwen", "xai"],
        evidence: "openai-python__test_parse_max_tokens_reached__4cc50a6135.sse",
        handling: Handling::Always,
        note: "always",
    },
    QuirkInfo {
        quirk: Quirk::NoDoneMarker,
        name: "no_done_marker",
        providers: &["gpustack", "perplexity"],
        evidence: "ruby_llm__vcr_cassettes__chat_streaming_responses_gpustack_qwen3_supports_streaming_responses__i0.sse",
        handling: Handling::Always,
        note: "always",
    },
    QuirkInfo {
        quirk: Quirk::MissingFinishReason,
        name: "missing_finish_reason",
        providers: &["kimi"],
        evidence: "simonw-llm__test_tools_streaming__test_tools_streaming_variant_a__i0.sse",
        handling: Handling::OptIn,
        note: "opt-in for an EOF; `[DONE]` always ends",
    },
    QuirkInfo {
        quirk: Quirk::CumulativeToolArguments,
        name: "cumulative_tool_arguments",
        providers: &[],
        evidence: "derived from crewai__cassettes__test_handle_streaming_tool_calls__i0.sse",
        handling: Handling::OptIn,
        note: "opt-in + safe auto-detection (JSON-prefix check; the end takes a reading that is JSON)",
    },
    QuirkInfo {
        quirk: Quirk::CumulativeContent,
        name: "cumulative_content",
        providers: &[],
        evidence: "derived from vercel-ai.perplexity__perplexity-citations.chunks.txt",
        handling: Handling::OptIn,
        note: "opt-in + conservative auto-detection; Perplexity's recorded deltas are incremental, its full text is in `message.content`",
    },
    QuirkInfo {
        quirk: Quirk::WholeToolCallInOneChunk,
        name: "whole_tool_call_in_one_chunk",
        providers: &["groq", "mistral", "cerebras", "kimi", "xai"],
        evidence: "vercel-ai.groq__groq-tool-call.chunks.txt",
        handling: Handling::Always,
        note: "always",
    },
    QuirkInfo {
        quirk: Quirk::ToolCallWithoutIndex,
        name: "tool_call_without_index",
        providers: &["mistral"],
        evidence: "vercel-ai.mistral__mistral-tool-call.chunks.txt",
        handling: Handling::Always,
        note: "always",
    },
    QuirkInfo {
        quirk: Quirk::ToolCallWithoutId,
        name: "tool_call_without_id",
        providers: &[],
        evidence: "derived from crewai__cassettes__test_handle_streaming_tool_calls__i0.sse",
        handling: Handling::Always,
        note: "always (a `call_…` id is made)",
    },
    QuirkInfo {
        quirk: Quirk::ToolNameLater,
        name: "tool_name_later",
        providers: &["mistral", "kimi"],
        evidence: "vercel-ai.mistral__mistral-incremental-tool-call.chunks.txt",
        handling: Handling::Always,
        note: "always (Mistral relaying GLM)",
    },
    QuirkInfo {
        quirk: Quirk::AzurePromptFilterChunk,
        name: "azure_prompt_filter_chunk",
        providers: &["azure"],
        evidence: "crewai__azure__test_azure_streaming_completion__i0.sse",
        handling: Handling::Always,
        note: "always",
    },
    QuirkInfo {
        quirk: Quirk::PlaceholderIdAndCreated,
        name: "placeholder_id_and_created",
        providers: &["azure"],
        evidence: "crewai__azure__test_azure_streaming_completion__i0.sse",
        handling: Handling::Always,
        note: "always",
    },
    QuirkInfo {
        quirk: Quirk::ContentPartsWithThinking,
        name: "content_parts_with_thinking",
        providers: &["mistral"],
        evidence: "vercel-ai.mistral__mistral-reasoning.chunks.txt",
        handling: Handling::Always,
        note: "always",
    },
    QuirkInfo {
        quirk: Quirk::VendorExtras,
        name: "vendor_extras",
        providers: &["groq", "perplexity", "openrouter"],
        evidence: "vercel-ai.groq__groq-reasoning.chunks.txt",
        handling: Handling::Always,
        note: "always (ignored)",
    },
    QuirkInfo {
        quirk: Quirk::ErrorMidStream,
        name: "error_mid_stream",
        providers: &["gpustack", "groq", "openrouter"],
        evidence: "ruby_llm__vcr_cassettes__chat_with_extended_thinking_gpustack_qwen3_streams_thinking_content_when_available__i0.sse",
        handling: Handling::Always,
        note: "always (`response.failed`)",
    },
    QuirkInfo {
        quirk: Quirk::ReasoningContentField,
        name: "reasoning_content_field",
        providers: &["deepseek", "kimi", "glm", "qwen", "xai", "gpustack", "vllm"],
        evidence: "vercel-ai.deepseek__deepseek-reasoning.chunks.txt",
        handling: Handling::Always,
        note: "always",
    },
    QuirkInfo {
        quirk: Quirk::ReasoningField,
        name: "reasoning_field",
        providers: &["groq", "ollama", "openrouter", "cerebras"],
        evidence: "vercel-ai.groq__groq-reasoning.chunks.txt",
        handling: Handling::Always,
        note: "always",
    },
    QuirkInfo {
        quirk: Quirk::ReasoningDetails,
        name: "reasoning_details",
        providers: &["openrouter"],
        evidence: "ruby_llm__vcr_cassettes__chat_openrouter_reasoning_details_round-trip_accumulates_reasoning_details_while_streaming_tool_calls__i0.sse",
        handling: Handling::Always,
        note: "always (carried in the envelope)",
    },
    QuirkInfo {
        quirk: Quirk::ThinkTagsInContent,
        name: "think_tags_in_content",
        providers: &["vllm"],
        evidence: "derived from vercel-ai.groq__groq-reasoning.chunks.txt",
        handling: Handling::OptIn,
        note: "opt-in",
    },
];

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

    fn bit(self) -> u32 {
        let position = QUIRKS
            .iter()
            .position(|info| info.quirk == self)
            .unwrap_or(0);
        1 << position
    }
}

/// A set of [`Quirk`]s.
///
/// ```
/// use openai_wire_convert::quirks::{Quirk, Quirks};
///
/// let mistral = Quirks::for_provider("mistral");
/// assert!(mistral.contains(Quirk::ToolCallWithoutIndex));
/// assert!(mistral.contains(Quirk::ContentPartsWithThinking));
/// assert!(!mistral.contains(Quirk::AzurePromptFilterChunk));
/// assert_eq!(Quirks::for_provider("MoonshotAI/Kimi"), Quirks::for_provider("kimi"));
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Quirks {
    bits: u32,
}

impl Quirks {
    /// No quirks.
    pub fn none() -> Self {
        Quirks::default()
    }

    /// The quirks the table lists for `provider` (case-insensitive; aliases: `moonshot` →
    /// `kimi`, `zai`/`zhipu` → `glm`, `dashscope`/`alibaba` → `qwen`, `grok` → `xai`,
    /// `azure-openai` → `azure`). A name containing a known provider's name (`ollama-cloud`,
    /// `azure-ai-foundry(deepseek)`) gets that provider's quirks. Unknown providers get none.
    pub fn for_provider(provider: &str) -> Self {
        let lower = provider.to_ascii_lowercase();
        let canonical = [
            ("moonshot", "kimi"),
            ("zai", "glm"),
            ("zhipu", "glm"),
            ("dashscope", "qwen"),
            ("alibaba", "qwen"),
            ("grok", "xai"),
        ];
        let mut names: Vec<&str> = Vec::new();
        for info in QUIRKS {
            for provider in info.providers {
                if lower.contains(provider) && !names.contains(provider) {
                    names.push(provider);
                }
            }
        }
        for (alias, name) in canonical {
            if lower.contains(alias) && !names.contains(&name) {
                names.push(name);
            }
        }
        let mut quirks = Quirks::none();
        for info in QUIRKS {
            if info.providers.iter().any(|p| names.contains(p)) {
                quirks.insert(info.quirk);
            }
        }
        quirks
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
            let delta = &choice.delta;
            if matches!(
                delta.content,
                Some(ChatCompletionStreamResponseDeltaContent::List(_))
            ) {
                quirks.insert(Quirk::ContentPartsWithThinking);
            }
            if delta.reasoning_content.is_some() {
                quirks.insert(Quirk::ReasoningContentField);
            }
            if delta.reasoning.is_some() {
                quirks.insert(Quirk::ReasoningField);
            }
            if delta.reasoning_details.is_some() {
                quirks.insert(Quirk::ReasoningDetails);
            }
            for call in delta.tool_calls.iter().flatten() {
                if call.index.is_none() {
                    quirks.insert(Quirk::ToolCallWithoutIndex);
                }
                let function = call.function.as_ref();
                let named = function
                    .and_then(|f| f.name.as_deref())
                    .is_some_and(|n| !n.is_empty());
                let argued = function
                    .and_then(|f| f.arguments.as_deref())
                    .is_some_and(|a| !a.is_empty());
                if call.id.is_some() && named && argued {
                    quirks.insert(Quirk::WholeToolCallInOneChunk);
                }
            }
        }
        quirks
    }

    /// Adds a quirk.
    pub fn insert(&mut self, quirk: Quirk) {
        self.bits |= quirk.bit();
    }

    /// The set with `quirk` added.
    pub fn with(mut self, quirk: Quirk) -> Self {
        self.insert(quirk);
        self
    }

    /// Removes a quirk.
    pub fn remove(&mut self, quirk: Quirk) {
        self.bits &= !quirk.bit();
    }

    /// Whether the set holds `quirk`.
    pub fn contains(&self, quirk: Quirk) -> bool {
        self.bits & quirk.bit() != 0
    }

    /// Both sets together.
    pub fn union(self, other: Quirks) -> Quirks {
        Quirks {
            bits: self.bits | other.bits,
        }
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
        self.bits == 0
    }
}
