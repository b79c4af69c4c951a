//! [`ProviderKind`]: what kind of Chat Completions server a provider is, its names and how a
//! kind is recognised from a provider's name or URL.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// What kind of server a provider is. The kind picks the provider's request settings
/// ([`ProviderKind::preset`]) and its stream quirks ([`Quirks::for_kind`](super::Quirks::for_kind));
/// [`KINDS`] lists each kind's names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum ProviderKind {
    /// OpenAI itself (`api.openai.com`).
    OpenAi,
    /// Azure OpenAI (`*.openai.azure.com`, Azure AI Foundry).
    Azure,
    /// DeepSeek: wants the current turn's `reasoning_content` back in thinking mode.
    DeepSeek,
    /// Kimi (Moonshot): wants `reasoning_content` back.
    Kimi,
    /// GLM (Zhipu, Z.ai): wants `reasoning_content` back ("preserved thinking").
    Glm,
    /// Groq: reads `reasoning_effort`; `reasoning_format: "raw"` puts `<think>` in `content`.
    Groq,
    /// OpenRouter: reads `reasoning_effort`; has its own web search server tool.
    OpenRouter,
    /// xAI (Grok): reads `reasoning_effort`.
    Xai,
    /// Qwen (DashScope, Alibaba Cloud).
    Qwen,
    /// Mistral.
    Mistral,
    /// Perplexity (`sonar` models): search results beside the text, usage on every chunk.
    Perplexity,
    /// Cerebras.
    Cerebras,
    /// Together AI: DeepSeek-R1 and its distills answer with `<think>` in `content`.
    Together,
    /// Hugging Face's inference router: reasoning models answer with `<think>` in `content`.
    HuggingFace,
    /// Writer (Palmyra): streams end after `finish_reason` without `[DONE]`.
    Writer,
    /// Ollama's OpenAI-compatible endpoint.
    Ollama,
    /// vLLM's OpenAI-compatible server (or SGLang).
    Vllm,
    /// llama.cpp's `llama-server`.
    LlamaCpp,
    /// GPUStack.
    GpuStack,
    /// Any other OpenAI-compatible Chat server: the settings most of them accept.
    Generic,
}

/// One row of [`KINDS`]: a kind and its names.
#[derive(Debug, Clone, Copy)]
pub struct KindInfo {
    /// The kind.
    pub kind: ProviderKind,
    /// Its name in configuration files and on the command line (`"deepseek"`).
    pub name: &'static str,
    /// Other names it is known by, accepted wherever a kind is named (`"moonshot"`).
    pub aliases: &'static [&'static str],
    /// What in a provider's name or URL shows the kind ([`ProviderKind::guess`]).
    pub markers: &'static [&'static str],
}

/// Every kind with its names, in the order [`ProviderKind::guess`] tries them (a provider
/// called `azure-deepseek` serves DeepSeek's models: model makers come before hosts; only
/// `openai.com` shows OpenAI, since many servers put `/openai/` in their URLs).
pub static KINDS: &[KindInfo] = &[
    kind(ProviderKind::DeepSeek, "deepseek", &[], &["deepseek"]),
    kind(
        ProviderKind::Kimi,
        "kimi",
        &["moonshot"],
        &["kimi", "moonshot"],
    ),
    kind(
        ProviderKind::Glm,
        "glm",
        &["zhipu", "zai"],
        &["glm", "zhipu", "z.ai", "bigmodel.cn"],
    ),
    kind(ProviderKind::Groq, "groq", &[], &["groq"]),
    kind(ProviderKind::OpenRouter, "openrouter", &[], &["openrouter"]),
    kind(
        ProviderKind::Xai,
        "xai",
        &["grok"],
        &["x.ai", "xai", "grok"],
    ),
    kind(
        ProviderKind::Perplexity,
        "perplexity",
        &["pplx"],
        &["perplexity", "pplx"],
    ),
    kind(ProviderKind::Azure, "azure", &["azure-openai"], &["azure"]),
    kind(ProviderKind::OpenAi, "openai", &[], &["openai.com"]),
    kind(
        ProviderKind::Qwen,
        "qwen",
        &["dashscope", "alibaba"],
        &["qwen", "dashscope"],
    ),
    kind(ProviderKind::Mistral, "mistral", &[], &["mistral"]),
    kind(ProviderKind::Cerebras, "cerebras", &[], &["cerebras"]),
    kind(
        ProviderKind::Together,
        "together",
        &["togetherai"],
        &["together"],
    ),
    kind(
        ProviderKind::HuggingFace,
        "huggingface",
        &["hf"],
        &["huggingface", "hf.co"],
    ),
    kind(
        ProviderKind::Writer,
        "writer",
        &["palmyra"],
        &["writer.com", "palmyra"],
    ),
    kind(ProviderKind::Ollama, "ollama", &[], &["ollama"]),
    kind(ProviderKind::Vllm, "vllm", &["sglang"], &["vllm", "sglang"]),
    kind(
        ProviderKind::LlamaCpp,
        "llamacpp",
        &["llama.cpp", "llama-cpp", "llama-server"],
        &["llama.cpp", "llamacpp", "llama-cpp", "llama-server"],
    ),
    kind(ProviderKind::GpuStack, "gpustack", &[], &["gpustack"]),
    kind(ProviderKind::Generic, "generic", &[], &[]),
];

const fn kind(
    kind: ProviderKind,
    name: &'static str,
    aliases: &'static [&'static str],
    markers: &'static [&'static str],
) -> KindInfo {
    KindInfo {
        kind,
        name,
        aliases,
        markers,
    }
}

impl ProviderKind {
    /// The kind's row in [`KINDS`].
    pub fn info(self) -> &'static KindInfo {
        // Every kind has a row (a test checks it); the last row, generic, is the fallback.
        KINDS
            .iter()
            .find(|info| info.kind == self)
            .unwrap_or(&KINDS[KINDS.len() - 1])
    }

    /// The kind's name in configuration files (`"deepseek"`).
    pub fn as_str(self) -> &'static str {
        self.info().name
    }

    /// The kind called `name` or one of its aliases (case-insensitive).
    ///
    /// ```
    /// use openai_wire_convert::provider::ProviderKind;
    ///
    /// assert_eq!(ProviderKind::from_name("DeepSeek"), Some(ProviderKind::DeepSeek));
    /// assert_eq!(ProviderKind::from_name("moonshot"), Some(ProviderKind::Kimi));
    /// assert_eq!(ProviderKind::from_name("nonesuch"), None);
    /// ```
    pub fn from_name(name: &str) -> Option<ProviderKind> {
        let lower = name.to_ascii_lowercase();
        KINDS
            .iter()
            .find(|info| info.name == lower || info.aliases.contains(&lower.as_str()))
            .map(|info| info.kind)
    }

    /// The kind a provider most likely is, from any text that names it (its name, its URL): the
    /// kind the text names ([`ProviderKind::from_name`]), else the first row of [`KINDS`] one
    /// of whose markers the text contains, else [`ProviderKind::Generic`].
    ///
    /// ```
    /// use openai_wire_convert::provider::ProviderKind;
    ///
    /// assert_eq!(ProviderKind::guess("upstream https://api.deepseek.com"), ProviderKind::DeepSeek);
    /// assert_eq!(ProviderKind::guess("groq https://api.groq.com/openai/v1"), ProviderKind::Groq);
    /// assert_eq!(ProviderKind::guess("pplx https://api.perplexity.ai"), ProviderKind::Perplexity);
    /// assert_eq!(ProviderKind::guess("openai"), ProviderKind::OpenAi);
    /// assert_eq!(ProviderKind::guess("ollama-cloud"), ProviderKind::Ollama);
    /// assert_eq!(ProviderKind::guess("local http://127.0.0.1:8000/v1"), ProviderKind::Generic);
    /// ```
    pub fn guess(text: &str) -> ProviderKind {
        if let Some(kind) = ProviderKind::from_name(text.trim()) {
            return kind;
        }
        let lower = text.to_ascii_lowercase();
        KINDS
            .iter()
            .find(|info| info.markers.iter().any(|marker| lower.contains(marker)))
            .map_or(ProviderKind::Generic, |info| info.kind)
    }

    /// Every kind's name, comma-separated (for error messages).
    pub fn names() -> String {
        KINDS
            .iter()
            .map(|info| info.name)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl fmt::Display for ProviderKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for ProviderKind {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ProviderKind {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        ProviderKind::from_name(&name).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "unknown provider kind {name:?}: one of {}",
                ProviderKind::names()
            ))
        })
    }
}
