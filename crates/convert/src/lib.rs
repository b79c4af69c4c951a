//! Chat Completions ⇄ Responses conversion: requests and streams, both ways, with named provider
//! quirks and OpenAI's error codes.
//!
//! This is the heart of the `openai-wire serve` gateway, as a sans-IO library: no sockets, no
//! async, no clocks (ids and timestamps come from an [`openai_wire_emit::IdSource`]). It lets any
//! Responses client (Codex CLI, the OpenAI SDKs) talk to a Chat-only provider, and any Chat
//! client talk to a Responses-only model, without the failures today's proxies are known for:
//! dropped tool calls, lost reasoning, streams that end without `response.completed`, usage that
//! clients cannot parse.
//!
//! | direction | module | what it does |
//! | --- | --- | --- |
//! | Responses request → Chat request | [`request::responses_to_chat`](mod@request::responses_to_chat) | instructions, every input item type, function / custom / namespace tools, `tool_choice`, `text.format`, sampling and limits; the reasoning round trip |
//! | Chat request → Responses request | [`request::chat_to_responses`](mod@request::chat_to_responses) | messages → `instructions` + input items, tools, `response_format`, limits |
//! | Chat chunks → Responses events | [`stream::chat_to_responses`] | incremental, through the [`openai_wire_emit`] writer, so the stream is correct by construction; reasoning from `reasoning_content`, `reasoning`, `reasoning_details` or `<think>` tags; failures become `response.failed` / `response.incomplete`, never `completed` |
//! | Responses events → Chat chunks | [`stream::responses_to_chat`] | text, reasoning, tool calls, usage, `finish_reason`; failures become a Chat error, never `stop` + `[DONE]` |
//! | OpenAI's error codes | [`error_codes`] | one table of code, `type` and HTTP status, read by the converters and the gateway |
//! | upstream errors | [`upstream_error`] | HTTP error bodies and mid-stream errors of many providers → OpenAI's codes (`context_length_exceeded`, `rate_limit_exceeded` with "try again in Ns", …) |
//! | Responses upstreams | [`repair`] | a native `/v1/responses` server's stream (vLLM, llama.cpp, Ollama, …) made correct: missing done events, id drift, housekeeping events, sparse lifecycle objects, usage totals; a correct stream passes unchanged |
//! | provider kinds | [`provider`] | one module for each kind of Chat server: names and aliases, request presets, and the table of named stream [`quirks`], each with its kinds and the corpus file that shows it |
//! | compaction | [`compaction`] | a Chat provider compacts too: the summary request, the summary sealed into a `compaction` item (versioned, HMAC-checked `owc1.`), restored as a message in later requests |
//! | reasoning carry | [`envelope`] | the provider's reasoning sealed into the reasoning item's `encrypted_content` (versioned, HMAC-checked), so a stateless client brings it back |
//! | `<think>` tags | [`think`] | a splitter that survives tags cut across chunks |
//!
//! # Example: a Chat stream as a Responses stream
//!
//! ```
//! use openai_wire_check::check_bytes;
//! use openai_wire_convert::stream::chat_to_responses::{ChatToResponses, StreamEnd, StreamOptions};
//! use openai_wire_decode::{Format, Protocol};
//! use openai_wire_emit::{SequentialIds, write_response_sse};
//! use openai_wire_events::{ChatCompletionStreamEvent, Response, StreamEvent};
//!
//! // What a Chat provider streams: reasoning, then a tool call, then usage.
//! let upstream = [
//!     r#"{"id":"c1","object":"chat.completion.chunk","created":1,"model":"deepseek-reasoner","choices":[{"index":0,"delta":{"role":"assistant","reasoning_content":"List the files first."}}]}"#,
//!     r#"{"id":"c1","object":"chat.completion.chunk","created":1,"model":"deepseek-reasoner","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"exec_command","arguments":"{\"cmd\":"}}]}}]}"#,
//!     r#"{"id":"c1","object":"chat.completion.chunk","created":1,"model":"deepseek-reasoner","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"\"ls\"}"}}]},"finish_reason":"tool_calls"}],"usage":{"prompt_tokens":12,"completion_tokens":9,"total_tokens":21}}"#,
//! ];
//! // The template carries what the response echoes from the request (model, tools, ...).
//! let template = Response::default();
//! let mut converter = ChatToResponses::new(template, SequentialIds::default(), StreamOptions::default());
//! let mut events = converter.start()?;
//! for json in upstream {
//!     events.extend(converter.push_event(&ChatCompletionStreamEvent::from_json(json)?)?);
//! }
//! events.extend(converter.finish(StreamEnd::DoneMarker));
//!
//! // The Responses stream a client receives checks clean and ends with `response.completed`.
//! let mut sse = Vec::new();
//! write_response_sse(&mut sse, &events)?;
//! let report = check_bytes(Protocol::Responses, Format::Sse, &sse);
//! assert_eq!(report.errors(), 0, "{:?}", report.findings);
//! assert_eq!(events.last().map(|e| e.wire_type()), Some("response.completed"));
//! let usage = converter.response().usage.expect("usage");
//! assert_eq!((usage.input_tokens, usage.output_tokens), (12, 9));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod compaction;
pub mod envelope;
pub mod error_codes;
pub mod provider;
pub use provider::quirks;
pub mod repair;
pub mod request;
pub mod stream;
pub mod think;
pub mod upstream_error;
