//! Errors: [`ApiError`] (what a client gets, in OpenAI's error shape) and [`GatewayError`] (what
//! the library's own calls return).
//!
//! Status codes and error types come from the one table of OpenAI's codes,
//! [`openai_wire_convert::error_codes`].

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use openai_wire_convert::error_codes;
use openai_wire_convert::request::RequestError;
use openai_wire_convert::upstream_error::UpstreamError;
use openai_wire_events::{Error as OpenAiError, ErrorResponse};

use crate::config::ConfigError;
use crate::store::StoreError;

/// An error answered to a client: an HTTP status and OpenAI's error,
/// `{"error": {"message", "type", "param", "code"}}`.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// The error (`message`, `type`, `param`, `code`).
    pub error: OpenAiError,
    /// The `Retry-After` header to send, in seconds.
    pub retry_after: Option<u64>,
}

impl ApiError {
    /// An error with OpenAI's fields.
    pub fn new(
        status: StatusCode,
        kind: &str,
        code: Option<&str>,
        message: impl Into<String>,
    ) -> Self {
        ApiError {
            status,
            error: OpenAiError {
                code: code.map(str::to_owned),
                message: message.into(),
                param: None,
                r#type: kind.to_owned(),
            },
            retry_after: None,
        }
    }

    /// An error with one of OpenAI's codes: its status and type from the table of codes.
    pub fn from_code(code: &str, message: impl Into<String>) -> Self {
        let status = StatusCode::from_u16(error_codes::status_of(code))
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        Self::new(status, error_codes::type_of(code), Some(code), message)
    }

    /// The same error, naming the request parameter at fault.
    pub fn with_param(mut self, param: &str) -> Self {
        self.error.param = Some(param.to_owned());
        self
    }

    /// A 400 `invalid_request_error`, naming the parameter at fault.
    pub fn invalid_request(param: Option<&str>, message: impl Into<String>) -> Self {
        let mut error = Self::new(
            StatusCode::BAD_REQUEST,
            "invalid_request_error",
            None,
            message,
        );
        error.error.param = param.map(str::to_owned);
        error
    }

    /// A 404 for a response id the store does not have.
    pub fn response_not_found(id: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "invalid_request_error",
            None,
            format!("Response with id '{id}' not found."),
        )
        .with_param("response_id")
    }

    /// A 400 `previous_response_not_found` for a `previous_response_id` nobody knows.
    pub fn previous_response_not_found(id: &str) -> Self {
        Self::from_code(
            "previous_response_not_found",
            format!("Previous response with id '{id}' not found."),
        )
        .with_param("previous_response_id")
    }

    /// A 404 for a model no provider serves.
    pub fn model_not_found(model: &str) -> Self {
        Self::from_code(
            "model_not_found",
            format!("The model `{model}` does not exist or is not routed to any provider."),
        )
        .with_param("model")
    }

    /// A 401 for a missing or wrong client key.
    pub fn unauthorized() -> Self {
        Self::from_code("invalid_api_key", "Incorrect API key provided.")
    }

    /// A 500 for a failure of the gateway itself (the store, …).
    pub fn internal(message: impl Into<String>) -> Self {
        Self::from_code("server_error", message)
    }

    /// A 502 for an upstream that could not be reached or answered nonsense.
    pub fn bad_gateway(message: impl Into<String>) -> Self {
        let mut error = Self::from_code("server_error", message);
        error.status = StatusCode::BAD_GATEWAY;
        error
    }

    /// A request the converter refused (400, naming the parameter).
    pub fn from_request_error(error: &RequestError) -> Self {
        let status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::BAD_REQUEST);
        let mut api = Self::new(
            status,
            "invalid_request_error",
            Some(error.code()),
            error.to_string(),
        );
        api.error.param = Some(error.param().to_owned());
        api
    }

    /// An error the upstream reported, with the status of its code.
    pub fn from_error(error: OpenAiError) -> Self {
        let code = error.code.as_deref().unwrap_or("server_error");
        let status = StatusCode::from_u16(error_codes::status_of(code))
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        ApiError {
            status,
            error,
            retry_after: None,
        }
    }

    /// An error from a status and an error already in OpenAI's shape.
    pub fn with_status(status: u16, error: OpenAiError) -> Self {
        ApiError {
            status: StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY),
            error,
            retry_after: None,
        }
    }

    /// The upstream error as a client error (OpenAI's status for its code, Retry-After kept).
    pub fn from_upstream(error: &UpstreamError) -> Self {
        let mut api = Self::new(
            StatusCode::from_u16(error.http_status()).unwrap_or(StatusCode::BAD_GATEWAY),
            error.code.error_type(),
            Some(error.code.as_str()),
            error.message.clone(),
        );
        api.retry_after = error.retry_after.map(|d| d.as_secs_f64().ceil() as u64);
        api
    }

    /// The `code` of the error, if any.
    pub fn code(&self) -> Option<&str> {
        self.error.code.as_deref()
    }

    /// The HTTP body, `{"error": {…}}`.
    pub fn body(&self) -> ErrorResponse {
        ErrorResponse {
            error: self.error.clone(),
        }
    }

    /// The error as a WebSocket-mode event,
    /// `{"type": "error", "status": N, "error": {"type", "code", "message", "param"}}`.
    pub fn to_websocket_event(&self) -> serde_json::Value {
        serde_json::json!({
            "type": "error",
            "status": self.status.as_u16(),
            "error": {
                "type": self.error.r#type,
                "code": self.error.code,
                "message": self.error.message,
                "param": self.error.param,
            },
        })
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.status.as_u16(), self.error.message)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.status, axum::Json(self.body())).into_response();
        if let Some(secs) = self.retry_after
            && let Ok(value) = HeaderValue::from_str(&secs.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        response
    }
}

/// An error of the library's own calls ([`Gateway::new`](crate::Gateway::new), serving).
#[derive(Debug, thiserror::Error)]
pub enum GatewayError {
    /// The configuration is wrong.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The store could not be opened or migrated.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The HTTP client could not be built.
    #[error("cannot build the HTTP client: {0}")]
    Client(#[from] reqwest::Error),
    /// Serving failed (the listener).
    #[error("server error: {0}")]
    Io(#[from] std::io::Error),
    /// The metrics recorder could not be installed.
    #[error("metrics: {0}")]
    Metrics(String),
    /// The web search backend's client could not be built.
    #[error("web search: {0}")]
    Search(String),
}
