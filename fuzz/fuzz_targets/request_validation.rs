//! Feeds arbitrary bytes, as a `POST /v1/responses` body, to the request validation every
//! transport of the gateway runs first (`openai_wire_convert::request::validate`, what
//! `openai_wire_gateway::validate_request` calls), then a request it accepts to the Chat
//! conversion the gateway runs next. Checks that neither panics, that a refusal is a 400 with a
//! message (and a `param` for anything but a non-object body), and that an accepted request has
//! a non-empty string `model` and only known parameters.
#![no_main]

use libfuzzer_sys::fuzz_target;
use openai_wire_convert::request::validate::{param, validate_responses_request};
use openai_wire_convert::request::{ChatRequestOptions, responses_to_chat};
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let Ok(body) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    match validate_responses_request(&body) {
        Err(error) => {
            assert_eq!(error.http_status(), 400);
            assert!(!error.message.is_empty());
            assert!(error.param.is_some() || !body.is_object(), "{error:?}");
            // The same body is refused the same way.
            assert_eq!(validate_responses_request(&body).unwrap_err(), error);
        }
        Ok(()) => {
            let object = body.as_object().expect("an accepted body is an object");
            assert!(object.keys().all(|name| param(name).is_some()));
            let model = object.get("model").and_then(Value::as_str);
            assert!(model.is_some_and(|m| !m.is_empty()), "{body}");
            // The conversion that follows may refuse it, but must not panic.
            let _ = responses_to_chat(&body, &[], &ChatRequestOptions::default());
        }
    }
});
