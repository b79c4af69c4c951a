//! The answers to requests no endpoint takes, in OpenAI's error shape: an unknown route
//! ([`not_found`], the router's fallback) and, through [`openai_errors`] (a layer over the
//! whole router), every error the router or an extractor writes itself: an unknown method
//! (405, its `Allow` header kept), a body past the limit (413), a body that cannot be read
//! (malformed chunked encoding: 400), a query string that does not parse (400), a URL past
//! [`MAX_URL_BYTES`] (414).
//!
//! What hyper answers before the router sees a request cannot be reshaped: a request line past
//! 64 KiB (hyper's own empty `414`), headers past hyper's buffer (`431`), a request that is not
//! HTTP (`400`). Those answers have no body.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, Method, StatusCode, Uri, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;

/// The longest URL (path and query) the gateway reads; a longer one is a `414` in OpenAI's
/// shape. Stored-response URLs are far shorter. (hyper itself refuses a request line past
/// 64 KiB, with an empty `414`.)
pub(crate) const MAX_URL_BYTES: usize = 16 << 10;

/// The most of a router-written error body kept as the error's message.
const MAX_MESSAGE_BYTES: usize = 2 << 10;

/// The router's fallback: OpenAI's answer to a URL it does not serve.
pub(crate) async fn not_found(method: Method, uri: Uri) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "invalid_request_error",
        None,
        format!("Invalid URL ({method} {})", uri.path()),
    )
}

/// Rewrites every error answer that is not JSON (written by the router or an extractor:
/// 405, 413, body and query rejections) into OpenAI's error shape, keeping its status and
/// headers; refuses an over-long URL with a `414`.
pub(crate) async fn openai_errors(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let url_len = request
        .uri()
        .path_and_query()
        .map_or(0, |p| p.as_str().len());
    if url_len > MAX_URL_BYTES {
        return ApiError::new(
            StatusCode::URI_TOO_LONG,
            "invalid_request_error",
            None,
            format!("The URL is {url_len} bytes long; the gateway reads at most {MAX_URL_BYTES}."),
        )
        .into_response();
    }
    let response = next.run(request).await;
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let text = axum::body::to_bytes(body, MAX_MESSAGE_BYTES)
        .await
        .map(|b| String::from_utf8_lossy(&b).trim().to_owned())
        .unwrap_or_default();
    let message = match status {
        StatusCode::METHOD_NOT_ALLOWED => format!("Invalid method for URL ({method} {path})"),
        StatusCode::NOT_FOUND if text.is_empty() => format!("Invalid URL ({method} {path})"),
        StatusCode::PAYLOAD_TOO_LARGE => format!(
            "The request body is too large: the gateway reads at most {} bytes.",
            crate::server::MAX_REQUEST_BYTES
        ),
        _ if text.is_empty() => status
            .canonical_reason()
            .unwrap_or("The request could not be served.")
            .to_owned(),
        _ => text,
    };
    let error = if status.is_server_error() {
        let mut error = ApiError::internal(message);
        error.status = status;
        error
    } else {
        // OpenAI answers a body that does not fit with a 400, never axum's 415/422.
        let status = match status {
            StatusCode::UNPROCESSABLE_ENTITY | StatusCode::UNSUPPORTED_MEDIA_TYPE => {
                StatusCode::BAD_REQUEST
            }
            other => other,
        };
        ApiError::new(status, "invalid_request_error", None, message)
    };
    let answer = error.into_response();
    parts.status = answer.status();
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    let (_, body) = answer.into_parts();
    Response::from_parts(parts, Body::new(body))
}
