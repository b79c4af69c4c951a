//! Errors: [`ApiError`] (what a client gets, in OpenAI's error shape) and [`GatewayError`] (what
//! the library's own calls return).

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::config::ConfigError;
use crate::store::StoreError;

/// An error answered to a client: an HTTP status and OpenAI's error body,
/// `{"error": {"message", "type", "param", "code"}}`.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// The body.
    pub body: Value,
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
            body: json!({
                "error": {
                    "message": message.into(),
                    "type": kind,
                    "param": Value::Null,
                    "code": code,
                }
            }),
            retry_after: None,
        }
    }

    /// A 400 `invalid_request_error`, naming the parameter at fault.
    pub fn invalid_request(param: Option<&str>, message: impl Into<String>) -> Self {
        let mut error = Self::new(
            StatusCode::BAD_REQUEST,
            "invalid_request_error",
            None,
            message,
        );
        error.body["error"]["param"] = param.map_or(Value::Null, Value::from);
        error
    }

    /// A 404 for a response id the store does not have.
    pub fn response_not_found(id: &str) -> Self {
        let mut error = Self::new(
            StatusCode::NOT_FOUND,
            "invalid_request_error",
            None,
            format!("Response with id '{id}' not found."),
        );
        error.body["error"]["param"] = Value::from("response_id");
        error
    }

    /// A 404 for a model no provider serves.
    pub fn model_not_found(model: &str) -> Self {
        let mut error = Self::new(
            StatusCode::NOT_FOUND,
            "invalid_request_error",
            Some("model_not_found"),
            format!("The model `{model}` does not exist or is not routed to any provider."),
        );
        error.body["error"]["param"] = Value::from("model");
        error
    }

    /// A 401 for a missing or wrong client key.
    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "invalid_request_error",
            Some("invalid_api_key"),
            "Incorrect API key provided.",
        )
    }

    /// A 500 for a failure of the gateway itself (the store, …).
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "server_error",
            Some("server_error"),
            message,
        )
    }

    /// A 502 for an upstream that could not be reached or answered nonsense.
    pub fn bad_gateway(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_GATEWAY,
            "server_error",
            Some("server_error"),
            message,
        )
    }

    /// An error from a status and a body already in OpenAI's shape.
    pub fn from_body(status: u16, body: Value) -> Self {
        ApiError {
            status: StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY),
            body,
            retry_after: None,
        }
    }

    /// The upstream error as a client error (OpenAI's status for its code, Retry-After kept).
    pub fn from_upstream(error: &openai_wire_convert::upstream_error::UpstreamError) -> Self {
        let mut api = Self::from_body(error.http_status(), error.to_openai_error_json());
        api.retry_after = error.retry_after.map(|d| d.as_secs_f64().ceil() as u64);
        api
    }

    /// The `code` field of the body, if any.
    pub fn code(&self) -> Option<&str> {
        self.body["error"]["code"].as_str()
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.status, axum::Json(self.body)).into_response();
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
}
