//! Reading a union that has a plain-string shape without building a JSON tree for the string.
//!
//! The generated unions decide their shape on a `serde_json::Value` (is it a string, an array, an
//! object with this `type`?). For a union with a `String` arm that costs a tree node and a second
//! copy of the text every time the string shape arrives, and it arrives in every Chat content
//! chunk (`delta.content` is a string or an array of parts). [`StringOrJson`] takes a string as a
//! `String` directly and builds a `Value` for any other shape, exactly the one
//! `serde_json::Value::deserialize` would build: the other shapes are handed to `Value`'s own
//! deserializer.

// Unused when only features without string-or-parts unions are on.
#![allow(dead_code)]

use std::fmt;

use serde::de::value::{MapAccessDeserializer, SeqAccessDeserializer};
use serde::de::{self, IntoDeserializer, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};

/// A JSON value read with its string shape kept apart.
#[derive(Debug, PartialEq)]
pub(crate) enum StringOrJson {
    /// The value was a JSON string.
    String(String),
    /// Any other JSON value.
    Json(serde_json::Value),
}

impl<'de> Deserialize<'de> for StringOrJson {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(StringOrJsonVisitor)
    }
}

struct StringOrJsonVisitor;

impl StringOrJsonVisitor {
    fn json<'de, D: Deserializer<'de>>(shape: D) -> Result<StringOrJson, D::Error> {
        serde_json::Value::deserialize(shape).map(StringOrJson::Json)
    }
}

impl<'de> Visitor<'de> for StringOrJsonVisitor {
    type Value = StringOrJson;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("any JSON value")
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<StringOrJson, E> {
        Ok(StringOrJson::String(value.to_owned()))
    }

    fn visit_string<E: de::Error>(self, value: String) -> Result<StringOrJson, E> {
        Ok(StringOrJson::String(value))
    }

    fn visit_bool<E: de::Error>(self, value: bool) -> Result<StringOrJson, E> {
        Self::json(value.into_deserializer())
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<StringOrJson, E> {
        Self::json(value.into_deserializer())
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<StringOrJson, E> {
        Self::json(value.into_deserializer())
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<StringOrJson, E> {
        Self::json(value.into_deserializer())
    }

    fn visit_unit<E: de::Error>(self) -> Result<StringOrJson, E> {
        Ok(StringOrJson::Json(serde_json::Value::Null))
    }

    fn visit_none<E: de::Error>(self) -> Result<StringOrJson, E> {
        Ok(StringOrJson::Json(serde_json::Value::Null))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<StringOrJson, A::Error> {
        Self::json(SeqAccessDeserializer::new(seq))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<StringOrJson, A::Error> {
        Self::json(MapAccessDeserializer::new(map))
    }
}

#[cfg(test)]
mod tests {
    use super::StringOrJson;
    use serde_json::Value;

    /// Every shape but a string gives the tree `serde_json::Value` gives; a string gives its text.
    #[test]
    fn every_shape_reads_as_serde_json_reads_it() {
        let shapes = [
            r#""plain""#,
            r#""esc\"aped \u00e9 \n""#,
            "null",
            "true",
            "-7",
            "18446744073709551615",
            "0.1",
            "1.7976931348623157e308",
            r#"[1, "two", {"three": [null]}]"#,
            r#"{"type": "text", "text": "hi", "nested": {"a": [1.5, false]}}"#,
            "[]",
            "{}",
        ];
        for shape in shapes {
            let read: StringOrJson = serde_json::from_str(shape).unwrap();
            let tree: Value = serde_json::from_str(shape).unwrap();
            match (read, tree) {
                (StringOrJson::String(text), Value::String(expected)) => assert_eq!(text, expected),
                (StringOrJson::Json(value), expected) => {
                    assert!(!expected.is_string(), "{shape}: a string read as a tree");
                    assert_eq!(value, expected, "{shape}");
                }
                (read, tree) => panic!("{shape}: read {read:?}, serde_json gives {tree:?}"),
            }
        }
    }

    /// Invalid JSON inside a nested shape is still an error.
    #[test]
    fn broken_nested_json_is_an_error() {
        assert!(serde_json::from_str::<StringOrJson>(r#"[1, "two""#).is_err());
        assert!(serde_json::from_str::<StringOrJson>(r#"{"a": }"#).is_err());
    }
}
