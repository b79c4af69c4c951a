//! OpenAI's error codes: one table of code, error `type` and HTTP status, each row with the
//! evidence for it. The converters ([`crate::upstream_error`],
//! [`crate::stream::responses_to_chat`]) and the gateway all read it, so a code answers with the
//! same status and type wherever it is written.
//!
//! | code | `type` | HTTP status |
//! | --- | --- | --- |
//! | `context_length_exceeded` | `invalid_request_error` | 400 |
//! | `invalid_prompt` | `invalid_request_error` | 400 |
//! | `invalid_request_error` | `invalid_request_error` | 400 |
//! | `previous_response_not_found` | `invalid_request_error` | 400 |
//! | `websocket_connection_limit_reached` | `invalid_request_error` | 400 |
//! | `invalid_encrypted_content` | `invalid_request_error` | 400 |
//! | `invalid_api_key` | `invalid_request_error` | 401 |
//! | `model_not_found` | `invalid_request_error` | 404 |
//! | `rate_limit_exceeded` | `requests` | 429 |
//! | `insufficient_quota` | `insufficient_quota` | 429 |
//! | `server_error` | `server_error` | 500 |
//! | `vector_store_timeout` | `server_error` | 500 |
//! | `upstream_timeout` | `server_error` | 504 |
//! | `server_is_overloaded` | `server_error` | 503 |
//! | `upstream_authentication_failed` | `server_error` | 502 |
//! | `web_search_not_configured` | `invalid_request_error` | 501 |
//! | `web_search_failed` | `server_error` | 502 |
//!
//! A code the table does not know answers 400 `invalid_request_error` when its name says the
//! request was at fault (`invalid_*`, `*_mismatch`, `*_exceeded`, image and file codes), and 500
//! `server_error` otherwise ([`status_of`], [`type_of`]).
//!
//! ```
//! use openai_wire_convert::error_codes::{lookup, status_of};
//!
//! assert_eq!(lookup("server_is_overloaded").map(|row| row.http_status), Some(503));
//! assert_eq!(status_of("invalid_image_url"), 400);
//! assert_eq!(status_of("some_new_failure"), 500);
//! ```

/// One OpenAI error code and how OpenAI answers it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ErrorCodeRow {
    /// The wire code (`error.code`).
    pub code: &'static str,
    /// The `error.type` OpenAI sends with it in an HTTP error body.
    pub error_type: &'static str,
    /// The HTTP status OpenAI answers it with.
    pub http_status: u16,
    /// Where this row comes from.
    pub source: &'static str,
}

/// Every code the project writes or reads by name.
pub const ERROR_CODES: &[ErrorCodeRow] = &[
    ErrorCodeRow {
        code: "context_length_exceeded",
        error_type: "invalid_request_error",
        http_status: 400,
        source: "OpenAI error guide; recorded bodies in crates/convert/tests/upstream_error.rs",
    },
    ErrorCodeRow {
        code: "invalid_prompt",
        error_type: "invalid_request_error",
        http_status: 400,
        source: "Responses spec ResponseErrorCode; content-policy refusals are 400",
    },
    ErrorCodeRow {
        code: "invalid_request_error",
        error_type: "invalid_request_error",
        http_status: 400,
        source: "OpenAI error guide (400 Bad Request)",
    },
    ErrorCodeRow {
        code: "previous_response_not_found",
        error_type: "invalid_request_error",
        http_status: 400,
        source: "OpenAI WebSocket mode guide; clients (Codex relays) match 400 + this code",
    },
    ErrorCodeRow {
        code: "websocket_connection_limit_reached",
        error_type: "invalid_request_error",
        http_status: 400,
        source: "OpenAI WebSocket mode guide (a connection lives at most 60 minutes)",
    },
    ErrorCodeRow {
        code: "invalid_encrypted_content",
        error_type: "invalid_request_error",
        http_status: 400,
        source: "OpenAI's answer to an altered reasoning or compaction encrypted_content",
    },
    ErrorCodeRow {
        code: "invalid_api_key",
        error_type: "invalid_request_error",
        http_status: 401,
        source: "OpenAI error guide (401 Incorrect API key provided)",
    },
    ErrorCodeRow {
        code: "model_not_found",
        error_type: "invalid_request_error",
        http_status: 404,
        source: "OpenAI error guide (404 The model does not exist)",
    },
    ErrorCodeRow {
        code: "rate_limit_exceeded",
        error_type: "requests",
        http_status: 429,
        source: "OpenAI error guide (429 Rate limit reached for requests)",
    },
    ErrorCodeRow {
        code: "insufficient_quota",
        error_type: "insufficient_quota",
        http_status: 429,
        source: "OpenAI error guide (429 You exceeded your current quota)",
    },
    ErrorCodeRow {
        code: "server_error",
        error_type: "server_error",
        http_status: 500,
        source: "OpenAI error guide (500 The server had an error)",
    },
    ErrorCodeRow {
        code: "vector_store_timeout",
        error_type: "server_error",
        http_status: 500,
        source: "Responses spec ResponseErrorCode (a hosted tool timed out)",
    },
    ErrorCodeRow {
        code: "upstream_timeout",
        error_type: "server_error",
        http_status: 504,
        source: "the gateway's own: the provider did not answer (headers, or the next event) \
                 within the idle timeout, or the response outlasted max_response_secs; 504 \
                 Gateway Timeout is HTTP's status for an upstream that did not answer in time \
                 (issue 12, defect 9)",
    },
    ErrorCodeRow {
        code: "server_is_overloaded",
        error_type: "server_error",
        http_status: 503,
        source: "OpenAI error guide (503 The engine is currently overloaded)",
    },
    ErrorCodeRow {
        code: "upstream_authentication_failed",
        error_type: "server_error",
        http_status: 502,
        source: "the gateway's own: the provider refused the gateway's upstream credential \
                 (upstream 401/403, invalid_api_key, authentication_error); the client's key \
                 is not at fault, so not 401 invalid_api_key (issue 12, defect 5)",
    },
    ErrorCodeRow {
        code: "web_search_not_configured",
        error_type: "invalid_request_error",
        http_status: 501,
        source: "the gateway's own: POST /v1/alpha/search on a gateway without a [web_search] \
                 backend; 501 Not Implemented, since no request could succeed (issue 13)",
    },
    ErrorCodeRow {
        code: "web_search_failed",
        error_type: "server_error",
        http_status: 502,
        source: "the gateway's own: the configured search backend failed every query of a \
                 POST /v1/alpha/search (unreachable, an error status, an unreadable answer); \
                 502 Bad Gateway, as for a failing upstream (issue 13)",
    },
];

/// The row of `code`, when the table has it.
pub fn lookup(code: &str) -> Option<&'static ErrorCodeRow> {
    ERROR_CODES.iter().find(|row| row.code == code)
}

/// Whether a code the table does not know names a fault of the request.
fn names_a_bad_request(code: &str) -> bool {
    code.starts_with("invalid_")
        || code.ends_with("_mismatch")
        || code.ends_with("_exceeded")
        || code.contains("image")
        || code.contains("file")
        || code == "bio_policy"
}

/// The HTTP status for `code`: the table's, else 400 for a request fault, else 500.
pub fn status_of(code: &str) -> u16 {
    match lookup(code) {
        Some(row) => row.http_status,
        None if names_a_bad_request(code) => 400,
        None => 500,
    }
}

/// The error `type` for `code`: the table's, else the type of [`status_of`].
pub fn type_of(code: &str) -> &'static str {
    match lookup(code) {
        Some(row) => row.error_type,
        None if status_of(code) < 500 => "invalid_request_error",
        None => "server_error",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_appears_once() {
        for (at, row) in ERROR_CODES.iter().enumerate() {
            assert!(
                ERROR_CODES[at + 1..]
                    .iter()
                    .all(|other| other.code != row.code),
                "{} twice",
                row.code
            );
        }
    }

    #[test]
    fn the_module_table_is_the_code_table() {
        let docs = include_str!("error_codes.rs");
        for row in ERROR_CODES {
            let line = format!(
                "//! | `{}` | `{}` | {} |",
                row.code, row.error_type, row.http_status
            );
            assert!(docs.contains(&line), "the module docs lack: {line}");
        }
        let rows = docs.lines().filter(|l| l.starts_with("//! | `")).count();
        assert_eq!(rows, ERROR_CODES.len(), "the module docs list another code");
    }

    #[test]
    fn unknown_codes_are_classified_by_name() {
        assert_eq!(status_of("invalid_image_format"), 400);
        assert_eq!(type_of("invalid_image_format"), "invalid_request_error");
        assert_eq!(status_of("something_broke"), 500);
        assert_eq!(type_of("something_broke"), "server_error");
    }
}
