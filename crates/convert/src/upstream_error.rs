//! Upstream failures in OpenAI's terms: [`UpstreamError`] and [`OpenAiErrorCode`].
//!
//! A gateway in front of a Chat Completions provider meets errors in two places: the HTTP answer
//! to its request (a status and an error body, in whatever shape the provider likes) and the
//! stream itself (an `error` event in the middle of the chunks). A Responses client such as
//! Codex CLI reacts to OpenAI's *codes*: it retries `rate_limit_exceeded` after the delay it reads
//! from "Please try again in 20s.", stops on `context_length_exceeded` and `insufficient_quota`,
//! retries `server_is_overloaded`. This module reads the provider's error and names it with
//! those codes.
//!
//! # Classification
//!
//! The first rule that applies wins:
//!
//! | evidence | code |
//! | --- | --- |
//! | `code` or `type` is one of OpenAI's codes (`context_length_exceeded`, `rate_limit_exceeded`, `insufficient_quota`, `invalid_prompt`, `server_is_overloaded`) | that code |
//! | status 401 or 403; `code` or `type` `invalid_api_key`, `authentication_error`, `permission_error`, `UNAUTHENTICATED`, `PERMISSION_DENIED`, … | `upstream_authentication_failed` (502: the gateway's credential, not the client's) |
//! | message: "maximum context length", "context length", "context window", "prompt is too long", "reduce the length" | `context_length_exceeded` |
//! | message: "insufficient balance", "exceeded your current quota", "quota", "credits" | `insufficient_quota` |
//! | message: "rate limit", "too many requests", "per minute", "per day"; `type` `rate_limit_error` (Anthropic), `RESOURCE_EXHAUSTED` (Google) | `rate_limit_exceeded` |
//! | message: "too many tokens", "too long" | `context_length_exceeded` |
//! | message: "overloaded"; `type` `overloaded_error` (Anthropic) | `server_is_overloaded` |
//! | message: "content management policy", "content exists risk", "content_filter" | `invalid_prompt` |
//! | status 429 | `rate_limit_exceeded` |
//! | status 402 | `insufficient_quota` |
//! | status 503, 529 | `server_is_overloaded` |
//! | status 5xx | `server_error` |
//! | status 400, 404, 413, 422 | `invalid_request_error` |
//! | anything else | the upstream's own code (`Other`), or `server_error` |
//!
//! # What reaches the client
//!
//! The provider's message, never its secrets: [`redact`] replaces provider keys (`sk-…`,
//! `sk-proj-…`, also OpenAI's masked echo), `Bearer` tokens, `key=`-like query values and long
//! random-looking words with `[redacted]`, in HTTP errors and mid-stream errors alike. An HTML
//! page (a proxy's 502) becomes "The upstream answered with HTTP status 502 and an HTML page:
//! `<its title>`", without markup. An auth failure says that the gateway's upstream credential
//! was refused, with the provider's redacted reason.
//!
//! The retry delay comes from the `Retry-After` header (seconds) or from the message ("try
//! again in 1m30.5s", "try again in 120ms", Google's `"retryDelay": "30s"`). A rate-limit
//! message without "try again in" gets one appended when the delay is known, because that
//! sentence is what clients parse.
//!
//! Bodies understood: OpenAI's `{"error": {"message", "type", "param", "code"}}` (also DeepSeek,
//! Groq, Azure, OpenRouter with a numeric `code`), Anthropic's `{"type": "error", "error":
//! {"type", "message"}}`, Mistral's and vLLM's flat `{"object": "error", "message", "type",
//! "code"}`, Ollama's `{"error": "text"}`, Google's `[{"error": {…}}]`, `{"detail": …}`, and plain
//! text.
//!
//! ```
//! use openai_wire_convert::upstream_error::{from_http, OpenAiErrorCode};
//!
//! let body = br#"{"error":{"message":"Rate limit reached for model `llama3-70b-8192` in organization `org_1` on tokens per minute (TPM): Limit 6000, Used 5914, Requested 1822. Please try again in 17.359s.","type":"tokens","code":"rate_limit_exceeded"}}"#;
//! let error = from_http(429, None, body);
//! assert_eq!(error.code, OpenAiErrorCode::RateLimitExceeded);
//! assert_eq!(error.retry_after.map(|d| d.as_millis()), Some(17_359));
//! ```

use std::time::Duration;

use openai_wire_events::{ErrorResponse, ResponseError2, ResponseErrorCode};
use serde_json::Value;

/// At most this much of an upstream body is kept as a message.
const MAX_MESSAGE: usize = 4096;

/// OpenAI's error codes, as clients of the Responses API react to them.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum OpenAiErrorCode {
    /// `context_length_exceeded`: the input does not fit the model's context window.
    ContextLengthExceeded,
    /// `rate_limit_exceeded`: too many requests or tokens per unit of time; retry later.
    RateLimitExceeded,
    /// `insufficient_quota`: the account has no credit left.
    InsufficientQuota,
    /// `invalid_prompt`: the prompt was refused (content policy).
    InvalidPrompt,
    /// `server_is_overloaded`: the provider is overloaded; retry later.
    ServerIsOverloaded,
    /// `server_error`: the provider failed.
    ServerError,
    /// `invalid_request_error`: the request was refused for another reason.
    InvalidRequest,
    /// `upstream_authentication_failed`: the provider refused the *gateway's* credential
    /// (upstream 401/403, `invalid_api_key`, `authentication_error`). A gateway-side failure
    /// (502 `server_error`), never the client's `invalid_api_key`.
    UpstreamAuthenticationFailed,
    /// Another code, as the upstream named it (`invalid_api_key`, `model_not_found`, …).
    Other(String),
}

impl OpenAiErrorCode {
    /// The wire code (`context_length_exceeded`, …).
    pub fn as_str(&self) -> &str {
        match self {
            OpenAiErrorCode::ContextLengthExceeded => "context_length_exceeded",
            OpenAiErrorCode::RateLimitExceeded => "rate_limit_exceeded",
            OpenAiErrorCode::InsufficientQuota => "insufficient_quota",
            OpenAiErrorCode::InvalidPrompt => "invalid_prompt",
            OpenAiErrorCode::ServerIsOverloaded => "server_is_overloaded",
            OpenAiErrorCode::ServerError => "server_error",
            OpenAiErrorCode::InvalidRequest => "invalid_request_error",
            OpenAiErrorCode::UpstreamAuthenticationFailed => "upstream_authentication_failed",
            OpenAiErrorCode::Other(code) => code,
        }
    }

    /// The `type` OpenAI sends with this code in an HTTP error body ([`crate::error_codes`]).
    pub fn error_type(&self) -> &'static str {
        match self {
            // An upstream's own code that OpenAI's table lacks: the request was refused.
            OpenAiErrorCode::Other(code) if crate::error_codes::lookup(code).is_none() => {
                "invalid_request_error"
            }
            code => crate::error_codes::type_of(code.as_str()),
        }
    }

    /// The HTTP status OpenAI answers this code with ([`crate::error_codes`]).
    pub fn http_status(&self) -> u16 {
        match self {
            OpenAiErrorCode::Other(code) if crate::error_codes::lookup(code).is_none() => 400,
            code => crate::error_codes::status_of(code.as_str()),
        }
    }

    /// The code for an OpenAI code string (the known ones by name, others as [`Other`](Self::Other)).
    fn from_known(code: &str) -> Option<Self> {
        Some(match code {
            "context_length_exceeded" | "string_above_max_length" => {
                OpenAiErrorCode::ContextLengthExceeded
            }
            "rate_limit_exceeded" => OpenAiErrorCode::RateLimitExceeded,
            "insufficient_quota" => OpenAiErrorCode::InsufficientQuota,
            "invalid_prompt" | "content_filter" | "content_policy_violation" => {
                OpenAiErrorCode::InvalidPrompt
            }
            "server_is_overloaded" | "slow_down" => OpenAiErrorCode::ServerIsOverloaded,
            _ => return None,
        })
    }
}

impl std::fmt::Display for OpenAiErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An upstream failure, named with OpenAI's codes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("upstream error ({code}): {message}")]
pub struct UpstreamError {
    /// The upstream's HTTP status, when the error came as an HTTP answer.
    pub status: Option<u16>,
    /// The code, in OpenAI's terms.
    pub code: OpenAiErrorCode,
    /// The message (the upstream's, with "Please try again in Ns." added to a rate-limit
    /// message that lacks it and whose delay is known).
    pub message: String,
    /// How long to wait before retrying, when the upstream said.
    pub retry_after: Option<Duration>,
}

impl UpstreamError {
    /// An error with `code` and `message`, no status, no delay.
    pub fn new(code: OpenAiErrorCode, message: impl Into<String>) -> Self {
        UpstreamError {
            status: None,
            code,
            message: message.into(),
            retry_after: None,
        }
    }

    /// The error a stream cut off before its end is reported with (`server_error`).
    pub fn stream_cut(detail: &str) -> Self {
        UpstreamError::new(
            OpenAiErrorCode::ServerError,
            format!("The upstream stream ended before the response was finished: {detail}"),
        )
    }

    /// The HTTP status to answer a client with: OpenAI's status for the code.
    pub fn http_status(&self) -> u16 {
        self.code.http_status()
    }

    /// The error as OpenAI's HTTP error body: `{"error": {"message", "type", "param", "code"}}`.
    pub fn to_openai_error_json(&self) -> Value {
        serde_json::json!({
            "error": {
                "message": self.message,
                "type": self.code.error_type(),
                "param": Value::Null,
                "code": self.code.as_str(),
            }
        })
    }

    /// The error as a Responses `response.error` (what `response.failed` carries).
    pub fn to_response_error(&self) -> ResponseError2 {
        ResponseError2 {
            code: ResponseErrorCode::from(self.code.as_str()),
            message: self.message.clone(),
        }
    }
}

/// Reads an upstream's HTTP error answer: its `status`, its `Retry-After` header (if any) and
/// its body, in any of the shapes listed in the [module docs](self).
pub fn from_http(status: u16, retry_after_header: Option<&str>, body: &[u8]) -> UpstreamError {
    let text = String::from_utf8_lossy(body);
    let fields = match serde_json::from_slice::<Value>(body) {
        Ok(json) => Fields::from_json(&json),
        Err(_) => Fields {
            message: match html_summary(&text) {
                Some(summary) if summary.is_empty() => {
                    format!("The upstream answered with HTTP status {status} and an HTML page.")
                }
                Some(summary) => format!(
                    "The upstream answered with HTTP status {status} and an HTML page: {summary}"
                ),
                None => text.trim().to_owned(),
            },
            ..Fields::default()
        },
    };
    let retry_after = retry_after_header
        .and_then(parse_retry_after_header)
        .or_else(|| parse_try_again_in(&text))
        .or_else(|| parse_retry_delay(&text));
    let mut message = fields.message.clone();
    if message.is_empty() {
        message = format!("The upstream answered with HTTP status {status}.");
    }
    build(Some(status), &fields, message, retry_after)
}

/// Reads an error that arrived in the middle of a Chat stream (an `error` event, Groq's and
/// OpenRouter's way of failing after the first chunk). Its message is [redacted](redact) like
/// an HTTP error's.
pub fn from_stream_error(error: &ErrorResponse) -> UpstreamError {
    let fields = Fields {
        message: error.error.message.clone(),
        code: error.error.code.clone().unwrap_or_default(),
        kind: error.error.r#type.clone(),
    };
    let retry_after = parse_try_again_in(&fields.message);
    let message = if fields.message.is_empty() {
        "The upstream stream reported an error.".to_owned()
    } else {
        fields.message.clone()
    };
    build(None, &fields, message, retry_after)
}

fn build(
    status: Option<u16>,
    fields: &Fields,
    message: String,
    retry_after: Option<Duration>,
) -> UpstreamError {
    let code = classify(status, fields);
    let mut message = redact(&message);
    if code == OpenAiErrorCode::UpstreamAuthenticationFailed {
        message = auth_failure_message(status, &message);
    }
    if message.len() > MAX_MESSAGE {
        let mut end = MAX_MESSAGE;
        while !message.is_char_boundary(end) {
            end -= 1;
        }
        message.truncate(end);
    }
    if code == OpenAiErrorCode::RateLimitExceeded
        && !message.to_ascii_lowercase().contains("try again in")
    {
        if let Some(delay) = retry_after {
            if !message.ends_with('.') && !message.is_empty() {
                message.push('.');
            }
            if !message.is_empty() {
                message.push(' ');
            }
            message.push_str(&format!("Please try again in {}.", format_delay(delay)));
        }
    }
    UpstreamError {
        status,
        code,
        message,
        retry_after,
    }
}

/// What the error body says, whatever its shape.
#[derive(Debug, Default)]
struct Fields {
    message: String,
    code: String,
    kind: String,
}

impl Fields {
    fn from_json(json: &Value) -> Fields {
        // Google: a one-element array.
        if let Value::Array(items) = json {
            return items.first().map(Fields::from_json).unwrap_or_default();
        }
        let mut fields = Fields::default();
        let error = json.get("error");
        let inner = match error {
            Some(Value::Object(_)) => error,
            // Ollama: {"error": "text"}.
            Some(Value::String(text)) => {
                fields.message.clone_from(text);
                None
            }
            _ => None,
        };
        let source = inner.unwrap_or(json);
        if fields.message.is_empty() {
            fields.message = match source.get("message") {
                Some(Value::String(text)) => text.clone(),
                // Mistral's validation errors: a structured message.
                Some(other @ (Value::Object(_) | Value::Array(_))) => other.to_string(),
                _ => String::new(),
            };
        }
        if fields.message.is_empty() {
            fields.message = match json.get("detail") {
                Some(Value::String(text)) => text.clone(),
                Some(other @ (Value::Object(_) | Value::Array(_))) => other.to_string(),
                _ => String::new(),
            };
        }
        fields.code = scalar(source.get("code"));
        fields.kind = scalar(source.get("type"));
        // Google: {"status": "RESOURCE_EXHAUSTED"}.
        if fields.kind.is_empty() {
            fields.kind = scalar(source.get("status"));
        }
        fields
    }
}

fn scalar(value: Option<&Value>) -> String {
    match value {
        Some(Value::String(text)) => text.clone(),
        Some(Value::Number(number)) => number.to_string(),
        _ => String::new(),
    }
}

fn classify(status: Option<u16>, fields: &Fields) -> OpenAiErrorCode {
    if let Some(code) = OpenAiErrorCode::from_known(&fields.code)
        .or_else(|| OpenAiErrorCode::from_known(&fields.kind))
    {
        return code;
    }
    if is_auth_failure(status, fields) {
        return OpenAiErrorCode::UpstreamAuthenticationFailed;
    }
    let message = fields.message.to_ascii_lowercase();
    let has = |needles: &[&str]| needles.iter().any(|n| message.contains(n));
    if has(&[
        "maximum context length",
        "context length",
        "context_length",
        "context window",
        "prompt is too long",
        "reduce the length",
        "input is too long",
    ]) {
        return OpenAiErrorCode::ContextLengthExceeded;
    }
    if has(&[
        "insufficient balance",
        "exceeded your current quota",
        "insufficient_quota",
        "quota",
        "credits",
    ]) {
        return OpenAiErrorCode::InsufficientQuota;
    }
    let kind = fields.kind.to_ascii_lowercase();
    if has(&[
        "rate limit",
        "rate_limit",
        "too many requests",
        "per minute",
        "per day",
    ]) || kind == "rate_limit_error"
        || kind == "resource_exhausted"
    {
        return OpenAiErrorCode::RateLimitExceeded;
    }
    if has(&["too many tokens", "too long"]) {
        return OpenAiErrorCode::ContextLengthExceeded;
    }
    if has(&["overloaded"]) || kind == "overloaded_error" || kind == "unavailable" {
        return OpenAiErrorCode::ServerIsOverloaded;
    }
    if has(&[
        "content management policy",
        "content exists risk",
        "content_filter",
        "content policy",
    ]) {
        return OpenAiErrorCode::InvalidPrompt;
    }
    match status {
        Some(429) => OpenAiErrorCode::RateLimitExceeded,
        Some(402) => OpenAiErrorCode::InsufficientQuota,
        Some(503 | 529) => OpenAiErrorCode::ServerIsOverloaded,
        Some(500..=599) => OpenAiErrorCode::ServerError,
        Some(400 | 404 | 413 | 422) => OpenAiErrorCode::InvalidRequest,
        _ => {
            let named = if fields.code.is_empty() || fields.code.parse::<u16>().is_ok() {
                &fields.kind
            } else {
                &fields.code
            };
            match named.as_str() {
                "" | "server_error" | "api_error" | "internal_error" => {
                    OpenAiErrorCode::ServerError
                }
                "invalid_request_error" => OpenAiErrorCode::InvalidRequest,
                other => OpenAiErrorCode::Other(other.to_owned()),
            }
        }
    }
}

/// Codes and types with which providers say "this credential is not accepted": OpenAI's
/// `invalid_api_key`, Anthropic's `authentication_error` and `permission_error`, Google's
/// `UNAUTHENTICATED` and `PERMISSION_DENIED`, and the like.
const AUTH_NAMES: &[&str] = &[
    "invalid_api_key",
    "authentication_error",
    "invalid_authentication",
    "authentication_failed",
    "unauthenticated",
    "unauthorized",
    "permission_error",
    "permission_denied",
    "incorrect_api_key",
    "invalid_key",
    "missing_api_key",
];

/// Whether the upstream refused the gateway's own credential: status 401 or 403, or a code or
/// type of [`AUTH_NAMES`] (mid-stream errors have no status).
fn is_auth_failure(status: Option<u16>, fields: &Fields) -> bool {
    if matches!(status, Some(401 | 403)) {
        return true;
    }
    [&fields.code, &fields.kind]
        .iter()
        .any(|name| AUTH_NAMES.contains(&name.to_ascii_lowercase().as_str()))
}

/// At most this much of the provider's own (redacted) words is kept in an auth failure.
const MAX_AUTH_REASON: usize = 300;

/// The message of [`OpenAiErrorCode::UpstreamAuthenticationFailed`]: whose credential was
/// refused, and the provider's reason (already redacted), shortened.
fn auth_failure_message(status: Option<u16>, reason: &str) -> String {
    let mut reason = reason.trim().to_owned();
    if reason.len() > MAX_AUTH_REASON {
        let mut end = MAX_AUTH_REASON;
        while !reason.is_char_boundary(end) {
            end -= 1;
        }
        reason.truncate(end);
        reason.push('…');
    }
    let status = status.map(|s| format!(" (HTTP {s})")).unwrap_or_default();
    let mut message = format!(
        "The upstream provider refused the gateway's upstream credential{status}; \
         this is a gateway configuration problem, not the client's API key."
    );
    if !reason.is_empty() {
        message.push_str(" Provider said: ");
        message.push_str(&reason);
    }
    message
}

/// What replaces a secret in [`redact`]'s output.
pub const REDACTED: &str = "[redacted]";

/// Prefixes of provider keys: OpenAI (`sk-`, `sk-proj-`), Anthropic (`sk-ant-`), Groq (`gsk_`),
/// xAI (`xai-`), Google (`AIza`), Hugging Face (`hf_`), Replicate (`r8_`), Perplexity
/// (`pplx-`), NVIDIA (`nvapi-`), GitHub (`ghp_`, `github_pat_`).
const KEY_PREFIXES: &[&str] = &[
    "sk-",
    "sk_",
    "gsk_",
    "xai-",
    "AIza",
    "hf_",
    "r8_",
    "pplx-",
    "nvapi-",
    "ghp_",
    "github_pat_",
];

/// Query parameters (and `name=value` pairs) whose value is a secret.
const SECRET_PARAMS: &[&str] = &[
    "key",
    "api_key",
    "apikey",
    "api-key",
    "access_token",
    "token",
    "secret",
    "password",
    "client_secret",
    "sig",
    "signature",
];

/// Replaces anything key-like in an upstream's text with `[redacted]`, keeping the rest
/// readable:
///
/// - provider keys by prefix (`sk-…`, `sk-proj-…`, `sk-ant-…`, `gsk_…`, `xai-…`, `AIza…`,
///   `hf_…`, …), including OpenAI's masked echo `sk-proj-****…abcd`;
/// - the token after `Bearer` (any case);
/// - the value of `key=`, `api_key=`, `access_token=`, `token=`, `secret=`, … (query strings);
/// - long random-looking words: a segment (split at `-` and `_`) of 24 or more characters
///   mixing letters and digits (base64, base64url), or 32 or more hex digits.
///
/// UUIDs, model names (`meta-llama/Llama-3.3-70B-Instruct`), URLs without secrets and prose
/// are left alone. A 32-hex-digit request id is redacted too: a loss worth the safety.
///
/// ```
/// use openai_wire_convert::upstream_error::redact;
///
/// assert_eq!(
///     redact("Incorrect API key provided: sk-proj-abc123DEF456ghi789. You can find it at https://x/?key=AIzaSyA1b2c3&alt=sse"),
///     "Incorrect API key provided: [redacted]. You can find it at https://x/?key=[redacted]&alt=sse",
/// );
/// ```
pub fn redact(text: &str) -> String {
    let is_token = |c: char| c.is_ascii_alphanumeric() || "-_+/=*~".contains(c);
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    // Whether the previous word was "Bearer" (its token is a secret whatever its shape), or the
    // text just before ends with a secret parameter's `name=`.
    let mut after_bearer = false;
    while let Some(start) = rest.find(is_token) {
        let (before, from) = rest.split_at(start);
        let len = from.find(|c: char| !is_token(c)).unwrap_or(from.len());
        let (word, after) = from.split_at(len);
        out.push_str(before);
        if after_bearer && !before.is_empty() && before.chars().all(char::is_whitespace) {
            after_bearer = false;
            out.push_str(REDACTED);
            rest = after;
            continue;
        }
        after_bearer = word.eq_ignore_ascii_case("bearer");
        // `name=value`: the token ran over the `=`.
        if let Some((name, value)) = word.split_once('=')
            && SECRET_PARAMS.contains(&name.to_ascii_lowercase().as_str())
            && !value.is_empty()
        {
            out.push_str(name);
            out.push('=');
            out.push_str(REDACTED);
        } else if looks_secret(word) {
            out.push_str(REDACTED);
        } else {
            out.push_str(word);
        }
        rest = after;
    }
    out.push_str(rest);
    out
}

/// Whether one word (a run of key characters) is a key: a known prefix with at least six
/// characters after it, or a long random-looking segment.
fn looks_secret(word: &str) -> bool {
    // `name=value` where `name` is not a secret parameter: judge the value.
    if let Some((_, value)) = word.split_once('=')
        && !value.is_empty()
        && !value.starts_with('=')
    {
        return looks_secret(value);
    }
    if KEY_PREFIXES
        .iter()
        .any(|prefix| word.starts_with(prefix) && word.len() >= prefix.len() + 6)
    {
        return true;
    }
    word.split(['-', '_', '/', '+', '=', '*', '~'])
        .any(|segment| {
            let hex = segment.len() >= 32 && segment.chars().all(|c| c.is_ascii_hexdigit());
            let mixed = segment.len() >= 24
                && segment.chars().any(|c| c.is_ascii_digit())
                && segment.chars().any(|c| c.is_ascii_alphabetic());
            hex || mixed
        })
}

/// At most this much of an HTML page's text is kept.
const MAX_HTML_SUMMARY: usize = 200;

/// When `text` is an HTML page (a proxy's or load balancer's error page): its `<title>` (else
/// its first `<h1>`, else its text), without markup, whitespace collapsed, at most 200
/// characters; `None` for anything else.
fn html_summary(text: &str) -> Option<String> {
    let trimmed = text.trim_start();
    let lower = trimmed.to_ascii_lowercase();
    let is_html = lower.starts_with("<!doctype html")
        || lower.starts_with("<html")
        || (lower.starts_with('<')
            && (lower.contains("<html") || lower.contains("<body") || lower.contains("<title")));
    if !is_html {
        return None;
    }
    let between = |open: &str, close: &str| -> Option<&str> {
        let at = lower.find(open)?;
        let start = at + lower[at..].find('>')? + 1;
        let end = start + lower[start..].find(close)?;
        Some(&trimmed[start..end])
    };
    let raw = between("<title", "</title")
        .filter(|t| !t.trim().is_empty())
        .or_else(|| between("<h1", "</h1"))
        .or_else(|| between("<body", "</body"))
        .unwrap_or(trimmed);
    let mut plain = String::new();
    let mut in_tag = false;
    for c in raw.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                plain.push(' ');
            }
            _ if !in_tag => plain.push(c),
            _ => {}
        }
    }
    let plain = plain
        .replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&");
    let mut summary = plain.split_whitespace().collect::<Vec<_>>().join(" ");
    if summary.len() > MAX_HTML_SUMMARY {
        let mut end = MAX_HTML_SUMMARY;
        while !summary.is_char_boundary(end) {
            end -= 1;
        }
        summary.truncate(end);
        summary.push('…');
    }
    Some(summary)
}

/// `Retry-After: 20` or `Retry-After: 1.5` (seconds). HTTP dates need a clock and are ignored.
fn parse_retry_after_header(value: &str) -> Option<Duration> {
    let seconds: f64 = value.trim().parse().ok()?;
    seconds_to_duration(seconds)
}

fn seconds_to_duration(seconds: f64) -> Option<Duration> {
    (seconds.is_finite() && (0.0..1e9).contains(&seconds)).then(|| Duration::from_secs_f64(seconds))
}

/// "try again in 20s", "try again in 1m0.36s", "try again in 9m38.016s", "try again in 120ms",
/// "try again in 2 seconds".
fn parse_try_again_in(text: &str) -> Option<Duration> {
    let lower = text.to_ascii_lowercase();
    let at = lower.find("try again in")? + "try again in".len();
    parse_go_duration(lower[at..].trim_start())
}

/// Google's `"retryDelay": "30s"`.
fn parse_retry_delay(text: &str) -> Option<Duration> {
    let at = text.find("\"retryDelay\"")? + "\"retryDelay\"".len();
    let rest = text[at..].trim_start().strip_prefix(':')?.trim_start();
    let rest = rest.strip_prefix('"')?;
    parse_go_duration(rest)
}

/// A duration written as a sequence of number+unit (`1h2m3.5s`, `120ms`, `2 seconds`).
fn parse_go_duration(text: &str) -> Option<Duration> {
    let mut total = 0.0_f64;
    let mut rest = text;
    let mut any = false;
    loop {
        let digits = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        if digits == 0 {
            break;
        }
        let Ok(number) = rest[..digits].parse::<f64>() else {
            break;
        };
        let after = rest[digits..].trim_start();
        let unit_len = after
            .find(|c: char| !c.is_ascii_alphabetic())
            .unwrap_or(after.len());
        let factor = match &after[..unit_len] {
            "ms" | "millisecond" | "milliseconds" => 0.001,
            "s" | "sec" | "secs" | "second" | "seconds" => 1.0,
            "m" | "min" | "mins" | "minute" | "minutes" => 60.0,
            "h" | "hour" | "hours" => 3600.0,
            _ => break,
        };
        total += number * factor;
        any = true;
        rest = &after[unit_len..];
    }
    if any {
        seconds_to_duration(total)
    } else {
        None
    }
}

/// `20s`, `1.5s`, `0.12s`: seconds with up to three decimals, as clients parse it.
fn format_delay(delay: Duration) -> String {
    let millis = delay.as_millis();
    if millis % 1000 == 0 {
        format!("{}s", millis / 1000)
    } else {
        let text = format!("{}.{:03}", millis / 1000, millis % 1000);
        format!("{}s", text.trim_end_matches('0'))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redact_each_key_shape() {
        let cases = [
            (
                "Incorrect API key provided: sk-abc123def456.",
                "Incorrect API key provided: [redacted].",
            ),
            (
                "Incorrect API key provided: sk-proj-********************************************Xy9Z. You can find your API key at https://platform.openai.com/account/api-keys.",
                "Incorrect API key provided: [redacted]. You can find your API key at https://platform.openai.com/account/api-keys.",
            ),
            (
                "invalid x-api-key sk-ant-api03-AbCdEf",
                "invalid x-api-key [redacted]",
            ),
            ("key gsk_0123456789abcdef refused", "key [redacted] refused"),
            (
                "Authorization: Bearer abc.def",
                "Authorization: Bearer [redacted].def",
            ),
            ("bearer tok123 was refused", "bearer [redacted] was refused"),
            (
                "GET https://g.example/v1?alt=sse&key=AIzaSyD-abc_123",
                "GET https://g.example/v1?alt=sse&key=[redacted]",
            ),
            ("url ?api_key=hello&x=1", "url ?api_key=[redacted]&x=1"),
            (
                "token 0123456789abcdef0123456789abcdef0123 bad",
                "token [redacted] bad",
            ),
            (
                "secret dGhpc0lzQVNlY3JldEtleVdpdGgxMjM0NTY3OA== seen",
                "secret [redacted] seen",
            ),
            (
                "YWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXoxMjM0NTY3ODkw",
                "[redacted]",
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(redact(input), expected, "{input}");
        }
    }

    #[test]
    fn redact_keeps_ordinary_text() {
        for text in [
            "The model `meta-llama/Llama-3.3-70B-Instruct-Turbo` does not exist.",
            "request 123e4567-e89b-12d3-a456-426614174000 failed",
            "Rate limit reached for model `llama3-70b-8192` in organization `org_1` on tokens per minute (TPM): Limit 6000, Used 5914, Requested 1822. Please try again in 17.359s.",
            "This model's maximum context length is 128000 tokens.",
            "ask-me later, task-runner, desk-top",
            "Supercalifragilisticexpialidocious",
        ] {
            assert_eq!(redact(text), text);
        }
    }

    #[test]
    fn an_echoed_key_never_survives_from_http_or_a_stream() {
        let key = "sk-proj-Zq3vA9LmT0pXw8Yc7Hb6Nd5Kf4Jg3Rs2";
        let body = format!(
            r#"{{"error":{{"message":"Incorrect API key provided: {key}.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}}}"#
        );
        let error = from_http(401, None, body.as_bytes());
        assert!(!error.message.contains("Zq3vA9"), "{}", error.message);
        let event: ErrorResponse = serde_json::from_value(serde_json::json!({
            "error": {"message": format!("upstream: Bearer {key}"), "type": "server_error", "code": null, "param": null}
        }))
        .unwrap();
        let error = from_stream_error(&event);
        assert!(!error.message.contains("Zq3vA9"), "{}", error.message);
        assert!(
            error.message.contains("Bearer [redacted]"),
            "{}",
            error.message
        );
    }

    #[test]
    fn upstream_auth_failures_are_the_gateways() {
        let openai = br#"{"error":{"message":"Incorrect API key provided: sk-abcdef123456.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}"#;
        let anthropic = br#"{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}"#;
        let google = br#"[{"error":{"code":403,"message":"Method doesn't allow unregistered callers.","status":"PERMISSION_DENIED"}}]"#;
        for (status, body) in [
            (401, &openai[..]),
            (401, anthropic),
            (403, google),
            (403, b"Forbidden"),
        ] {
            let error = from_http(status, None, body);
            assert_eq!(error.code, OpenAiErrorCode::UpstreamAuthenticationFailed);
            assert_eq!(error.http_status(), 502);
            assert_eq!(error.code.error_type(), "server_error");
            assert!(
                error.message.contains("gateway's upstream credential"),
                "{}",
                error.message
            );
            assert!(!error.message.contains("abcdef123456"), "{}", error.message);
            assert_eq!(
                error.to_openai_error_json()["error"]["code"],
                "upstream_authentication_failed"
            );
        }
        // With no status (mid-stream), the code says it.
        let event: ErrorResponse = serde_json::from_value(serde_json::json!({
            "error": {"message": "bad key", "type": "authentication_error", "code": "invalid_api_key", "param": null}
        }))
        .unwrap();
        assert_eq!(
            from_stream_error(&event).code,
            OpenAiErrorCode::UpstreamAuthenticationFailed
        );
        // A 400 about something else stays the client's.
        let error = from_http(
            400,
            None,
            br#"{"error":{"message":"bad tool","type":"invalid_request_error"}}"#,
        );
        assert_eq!(error.code, OpenAiErrorCode::InvalidRequest);
    }

    #[test]
    fn an_html_page_becomes_a_short_message() {
        let page = b"<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title><style>body{color:red}</style></head>\n<body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx/1.25.3</center></body></html>";
        let error = from_http(502, None, page);
        assert_eq!(
            error.message,
            "The upstream answered with HTTP status 502 and an HTML page: 502 Bad Gateway"
        );
        assert_eq!(error.code, OpenAiErrorCode::ServerError);
        // No title: the first heading; markup and entities gone.
        let page =
            b"<html><body><h1>Service <b>Unavailable</b> &amp; down</h1><p>x</p></body></html>";
        let error = from_http(503, None, page);
        assert_eq!(
            error.message,
            "The upstream answered with HTTP status 503 and an HTML page: Service Unavailable & down"
        );
        // A huge page is cut short.
        let long = format!("<html><title>{}</title></html>", "a ".repeat(5000));
        assert!(from_http(500, None, long.as_bytes()).message.len() < 400);
        // Plain text stays as it is.
        assert_eq!(from_http(500, None, b"oops <3").message, "oops <3");
    }
}
