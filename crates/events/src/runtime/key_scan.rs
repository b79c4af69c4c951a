//! [`peek_tag`](super::peek_tag)'s fast path: the string value of one top-level key of a JSON
//! object, found by walking the object's keys and stopping there.
//!
//! Events are sent as compact JSON, and most put their tag first (`{"type":"…"`), but not all:
//! a Chat chunk starts with its `id` and says `"object":"chat.completion.chunk"` second. The
//! parser's answer for those meant a pass over the whole event (every value read and ignored)
//! before the event itself was parsed. The keys are walked with the views' one-pass reader
//! ([`Scan`]), which stops at the tag. It only says what it is sure of: `None` sends the caller
//! to the parser, for anything it does not read (an escaped key or tag, a tag that is not a
//! string, a key it never finds).

use crate::view::Scan;

/// The string value of the top-level key `field` of the JSON object `json`, when the scan can
/// read it: keys up to `field` without escapes, and the value a string without escapes.
/// `None` otherwise (the parser decides, including whether the key is there).
pub(super) fn top_level_str<'a>(json: &'a str, field: &str) -> Option<&'a str> {
    let mut scan = Scan::new(json)?;
    while let Some(key) = scan.key()? {
        if key == field {
            return scan.plain_str();
        }
        scan.skip()?;
    }
    None
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde_json::{Map, Value};

    use super::*;
    use crate::runtime::peek_tag_with_parser;

    #[test]
    fn finds_a_chat_chunks_object_past_its_id() {
        let chunk =
            r#"{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"choices":[]}"#;
        assert_eq!(
            top_level_str(chunk, "object"),
            Some("chat.completion.chunk")
        );
    }

    #[test]
    fn skips_nested_values_and_ignores_their_keys() {
        let json = r#"{"a":{"object":"inner","b":["}",{"c":"\"{"}]}, "n": -1.5e3 ,"t":true,"object" : "outer"}"#;
        assert_eq!(top_level_str(json, "object"), Some("outer"));
    }

    #[test]
    fn leaves_to_the_parser_what_it_does_not_read() {
        // An escaped tag, an escaped key before it, a tag that is not a string, no such key,
        // text that is not an object, an unfinished object.
        for json in [
            r#"{"object":"chat.\u0063ompletion"}"#,
            r#"{"i\u0064":"x","object":"chat.completion"}"#,
            r#"{"object":7}"#,
            r#"{"id":"x"}"#,
            r#"["object","x"]"#,
            r#"{"id":"x","#,
            r#"{"id":"unterminated"#,
        ] {
            assert_eq!(top_level_str(json, "object"), None, "{json}");
        }
    }

    /// Any JSON value, strings with escapes and non-ASCII text included.
    fn any_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<f64>()
                .prop_filter("finite", |f| f.is_finite())
                .prop_map(Value::from),
            ".{0,12}".prop_map(Value::String),
        ];
        leaf.prop_recursive(3, 24, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                prop::collection::vec((".{0,6}", inner), 0..4)
                    .prop_map(|entries| Value::Object(entries.into_iter().collect())),
            ]
        })
    }

    /// An object with `tag` at `position` among `others` (keys of no escapes, so that the scan
    /// reads them), written compactly or pretty.
    fn object_text(
        others: Vec<(String, Value)>,
        position: usize,
        tag: Value,
        pretty: bool,
    ) -> String {
        let mut entries: Vec<(String, Value)> = others
            .into_iter()
            .filter(|(key, _)| key != "object")
            .collect();
        let position = position.min(entries.len());
        entries.insert(position, ("object".into(), tag));
        let object = Value::Object(entries.into_iter().collect::<Map<_, _>>());
        if pretty {
            serde_json::to_string_pretty(&object).expect("a Value serializes")
        } else {
            object.to_string()
        }
    }

    proptest! {
        /// Whatever the scan answers is what the parser answers; for plain keys and a plain tag
        /// (what events are), it answers.
        #[test]
        fn agrees_with_the_parser(
            others in prop::collection::vec(("[a-z_]{1,8}", any_value()), 0..6),
            position in 0usize..6,
            tag in prop_oneof![
                "[a-z.]{0,24}".prop_map(Value::String),
                ".{0,12}".prop_map(Value::String),
                any_value(),
            ],
            pretty in any::<bool>(),
        ) {
            let json = object_text(others, position, tag.clone(), pretty);
            let parsed = peek_tag_with_parser(&json, "object").expect("valid JSON");
            let scanned = top_level_str(&json, "object");
            if let Some(scanned) = scanned {
                prop_assert_eq!(Some(scanned), parsed.as_deref());
            }
            if let Value::String(tag) = &tag
                && !tag.contains(['"', '\\']) && !tag.chars().any(char::is_control)
            {
                prop_assert_eq!(scanned, Some(tag.as_str()), "{}", json);
            }
        }
    }
}
