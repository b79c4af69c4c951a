//! Upstream error bodies, as providers really send them, mapped to OpenAI's codes. Each body is
//! quoted from a public report (the URL is above each test); JSON that the report showed as a
//! Python repr is written back as the JSON the server sent.

use std::time::Duration;

use openai_wire_convert::upstream_error::{OpenAiErrorCode, from_http, from_stream_error};
use openai_wire_events::{ChatCompletionStreamEvent, StreamEvent};

// https://github.com/chathub-dev/chathub/issues/126 (OpenAI)
#[test]
fn openai_context_length_exceeded() {
    let body = br#"{"error":{"message":"This model's maximum context length is 4097 tokens. However, your messages resulted in 4294 tokens. Please reduce the length of the messages.","type":"invalid_request_error","param":"messages","code":"context_length_exceeded"}}"#;
    let error = from_http(400, None, body);
    assert_eq!(error.code, OpenAiErrorCode::ContextLengthExceeded);
    assert_eq!(error.status, Some(400));
    assert!(
        error
            .message
            .starts_with("This model's maximum context length is 4097 tokens.")
    );
    let json = error.to_openai_error_json();
    assert_eq!(json["error"]["code"], "context_length_exceeded");
    assert_eq!(json["error"]["type"], "invalid_request_error");
    assert!(json["error"]["param"].is_null());
    assert_eq!(
        error.to_response_error().code.as_str(),
        "context_length_exceeded"
    );
}

// https://github.com/evalstate/fast-agent/issues/621 (DeepSeek: the code is generic, the message
// says what happened)
#[test]
fn deepseek_context_length_from_the_message() {
    let body = br#"{"error":{"message":"This model's maximum context length is 131072 tokens. However, you requested 131134 tokens (122942 in the messages, 8192 in the completion). Please reduce the length of the messages or completion.","type":"invalid_request_error","param":null,"code":"invalid_request_error"}}"#;
    assert_eq!(
        from_http(400, None, body).code,
        OpenAiErrorCode::ContextLengthExceeded
    );
}

// https://github.com/aurelio-labs/semantic-router/issues/297 (Mistral's flat shape)
#[test]
fn mistral_flat_error_too_many_tokens_is_context_length() {
    let body = br#"{"object":"error","message":"Too many tokens in batch. Max is 16384 got 17555","type":"invalid_request_error","param":null,"code":null}"#;
    let error = from_http(400, None, body);
    assert_eq!(error.code, OpenAiErrorCode::ContextLengthExceeded);
    assert_eq!(
        error.message,
        "Too many tokens in batch. Max is 16384 got 17555"
    );
}

// https://github.com/mindcraft-bots/mindcraft/pull/188 (Groq)
#[test]
fn groq_rate_limit_with_try_again_in_seconds() {
    let body = br#"{"error":{"message":"Rate limit reached for model `llama3-70b-8192` in organization `[nah]` on tokens per minute (TPM): Limit 6000, Used 5914, Requested 1822. Please try again in 17.359s. Visit https://console.groq.com/docs/rate-limits for more information.","type":"tokens","code":"rate_limit_exceeded"}}"#;
    let error = from_http(429, None, body);
    assert_eq!(error.code, OpenAiErrorCode::RateLimitExceeded);
    assert_eq!(error.retry_after, Some(Duration::from_millis(17_359)));
    assert!(error.message.contains("Please try again in 17.359s."));
    assert_eq!(
        error.to_openai_error_json()["error"]["code"],
        "rate_limit_exceeded"
    );
    assert_eq!(error.http_status(), 429);
}

// https://github.com/OpenHands/OpenHands/pull/4167 (Groq: minutes and seconds)
#[test]
fn groq_rate_limit_with_minutes() {
    let body = br#"{"error":{"message":"Rate limit reached for model `llama-3.2-90b-text-preview` in organization `org_xxx` on tokens per minute (TPM): Limit 7000, Used 6148, Requested 7895. Please try again in 1m0.363142857s. Visit https://console.groq.com/docs/rate-limits for more information.","type":"tokens","code":"rate_limit_exceeded"}}"#;
    let error = from_http(429, None, body);
    let delay = error.retry_after.expect("a delay");
    assert_eq!(delay.as_millis(), 60_363);
}

// https://github.com/Pythagora-io/gpt-pilot/issues/862 documents Groq's `retry-after: 2`; the body
// of https://github.com/mikeizbicki/cmc-csci143/issues/590 has no "try again in".
#[test]
fn retry_after_header_adds_try_again_in_to_the_message() {
    let body = br#"{"error":{"message":"Request too large for model `llama-3.3-70b-versatile` in organization `org_01jjaqhq7se5j922xe5zy0nhbm` service tier `on_demand` on tokens per minute (TPM): Limit 6000, Requested 6284, please reduce your message size and try again. Visit https://console.groq.com/docs/rate-limits for more information.","type":"tokens","code":"rate_limit_exceeded"}}"#;
    let error = from_http(413, Some("2"), body);
    assert_eq!(error.code, OpenAiErrorCode::RateLimitExceeded);
    assert_eq!(error.retry_after, Some(Duration::from_secs(2)));
    assert!(
        error.message.ends_with("Please try again in 2s."),
        "{}",
        error.message
    );
}

// https://github.com/Pythagora-io/gpt-pilot/issues/340 (OpenAI: a 429 that is not a rate limit)
#[test]
fn openai_insufficient_quota_is_not_a_rate_limit() {
    let body = br#"{
    "error": {
        "message": "You exceeded your current quota, please check your plan and billing details.",
        "type": "insufficient_quota",
        "param": null,
        "code": "insufficient_quota"
    }
}"#;
    let error = from_http(429, None, body);
    assert_eq!(error.code, OpenAiErrorCode::InsufficientQuota);
    assert!(!error.message.contains("try again in"));
}

// https://github.com/ayaka14732/ChatGPTAPIFree/issues/16 (older OpenAI: code null, type says it)
#[test]
fn openai_insufficient_quota_from_the_type() {
    let body = br#"{"error":{"message":"You exceeded your current quota, please check your plan and billing details.","type":"insufficient_quota","param":null,"code":null}}"#;
    assert_eq!(
        from_http(429, None, body).code,
        OpenAiErrorCode::InsufficientQuota
    );
}

// https://github.com/Aider-AI/aider/issues/4851 (DeepSeek 402)
#[test]
fn deepseek_insufficient_balance() {
    let body = br#"{"error":{"message":"Insufficient Balance","type":"unknown_error","param":null,"code":"invalid_request_error"}}"#;
    let error = from_http(402, None, body);
    assert_eq!(error.code, OpenAiErrorCode::InsufficientQuota);
    assert_eq!(
        error.to_openai_error_json()["error"]["type"],
        "insufficient_quota"
    );
}

// https://github.com/MDX-Tom/gpt-instruct/issues/56 (OpenAI)
#[test]
fn openai_invalid_prompt() {
    let body = br#"{"error":{"type":"invalid_request_error","code":"invalid_prompt","message":"Invalid prompt: your prompt was flagged as potentially violating our usage policy. Please try again with a different prompt: https://platform.openai.com/docs/guides/reasoning#advice-on-prompting","param":null}}"#;
    let error = from_http(400, None, body);
    assert_eq!(error.code, OpenAiErrorCode::InvalidPrompt);
    assert_eq!(error.to_response_error().code.as_str(), "invalid_prompt");
}

// https://github.com/waylaidwanderer/node-chatgpt-api/issues/34 (OpenAI 503)
#[test]
fn openai_overloaded() {
    let body = br#"{
    "error": {
        "message": "That model is currently overloaded with other requests. You can retry your request, or contact us through our help center at help.openai.com if the error persists. (Please include the request ID 169bee8d  in your message.)",
        "type": "server_error",
        "param": null,
        "code": null
    }
}"#;
    let error = from_http(503, None, body);
    assert_eq!(error.code, OpenAiErrorCode::ServerIsOverloaded);
    assert_eq!(error.http_status(), 503);
}

// https://github.com/anthropics/claude-code/issues/5184 (Anthropic shape)
#[test]
fn anthropic_overloaded_error() {
    let body = br#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#;
    let error = from_http(529, None, body);
    assert_eq!(error.code, OpenAiErrorCode::ServerIsOverloaded);
    assert_eq!(error.message, "Overloaded");
}

// https://github.com/FoundationAgents/OpenManus/issues/746 (Anthropic via an OpenAI-compatible
// endpoint: `code` carries Anthropic's type)
#[test]
fn anthropic_rate_limit_error_code() {
    let body = br#"{"error":{"code":"rate_limit_error","message":"This request would exceed the rate limit for your organization of 20,000 input tokens per minute. For details, refer to: https://docs.anthropic.com/en/api/rate-limits. You can see the response headers for current usage. Please reduce the prompt length or the maximum tokens requested, or try again later. You may also contact sales at https://www.anthropic.com/contact-sales to discuss your options for a rate limit increase.","type":"invalid_request_error","param":null}}"#;
    let error = from_http(429, Some("30"), body);
    assert_eq!(error.code, OpenAiErrorCode::RateLimitExceeded);
    assert!(error.message.ends_with("Please try again in 30s."));
}

// https://github.com/google-gemini/gemini-cli/issues/7392 (Google's shape, numeric code)
#[test]
fn google_unavailable_is_overloaded() {
    let body = br#"{"error":{"code":503,"message":"The model is overloaded. Please try again later.","status":"UNAVAILABLE"}}"#;
    assert_eq!(
        from_http(503, None, body).code,
        OpenAiErrorCode::ServerIsOverloaded
    );
}

// https://github.com/cline/cline/issues/4826 (xAI: a plain-text 429 body)
#[test]
fn plain_text_rate_limit() {
    let body = "Too many tokens for team e9fe19cb-de96-4c57-9ffb-2f1b9c631ce2 and model grok-4-0709. Your team's rate limit is — Tokens per Minute (actual/limit): 65605/16000. You can view your team rate limits at https://console.x.ai.";
    let error = from_http(429, None, body.as_bytes());
    assert_eq!(error.code, OpenAiErrorCode::RateLimitExceeded);
    assert_eq!(error.message, body);
}

// https://github.com/editor-code-assistant/eca/issues/231 (Mistral 422 with a structured message)
#[test]
fn mistral_validation_error_is_an_invalid_request() {
    let body = br#"{"object":"error","message":{"detail":[{"type":"extra_forbidden","loc":["body","max_completion_tokens"],"msg":"Extra inputs are not permitted","input":32000}]},"type":"invalid_request_error","param":null,"code":null}"#;
    let error = from_http(422, None, body);
    assert_eq!(error.code, OpenAiErrorCode::InvalidRequest);
    assert!(error.message.contains("Extra inputs are not permitted"));
}

#[test]
fn empty_and_binary_bodies_still_give_an_error() {
    let error = from_http(500, None, b"");
    assert_eq!(error.code, OpenAiErrorCode::ServerError);
    assert!(error.message.contains("500"));
    let error = from_http(502, None, &[0xff, 0xfe, 0x00, 0x7b]);
    assert_eq!(error.code, OpenAiErrorCode::ServerError);
}

// The mid-stream error of fixtures/corpus/chat/ruby_llm__vcr_cassettes__chat_with_extended_thinking_gpustack_qwen3_streams_thinking_content_when_available__i0.sse
#[test]
fn stream_error_event_from_the_corpus() {
    let json = r#"{"detail":"failed to decode, try again, increasing context size or reducing parallel","error":{"message":"failed to decode, try again, increasing context size or reducing parallel"}}"#;
    let ChatCompletionStreamEvent::Error(event) =
        ChatCompletionStreamEvent::from_json(json).unwrap()
    else {
        panic!("an error event")
    };
    let error = from_stream_error(&event);
    assert_eq!(error.status, None);
    assert_eq!(error.code, OpenAiErrorCode::ServerError);
    assert_eq!(
        error.message,
        "failed to decode, try again, increasing context size or reducing parallel"
    );
}
