//! The hand-written part of the model: what every generated type relies on.
//!
//! Generated code (in `generated/`) is plain data types; the few mechanisms they share live here:
//! the [`StreamEvent`] trait, the tag-first dispatch ([`peek_tag`]), the type kept for events this
//! version does not know ([`UnknownEvent`]), the decode error, and the serde helpers that make
//! reading lenient.

// With no protocol feature on, the helpers the generated code uses have no users.
#![cfg_attr(
    not(any(
        feature = "responses",
        feature = "chat",
        feature = "realtime",
        feature = "assistants",
        feature = "audio",
        feature = "images",
        feature = "webhooks",
        feature = "agents",
        feature = "live"
    )),
    allow(dead_code)
)]

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeOwned, DeserializeSeed, IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

mod key_scan;
mod string_or_json;

#[allow(unused_imports)] // unused when only features without string-or-parts unions are on
pub(crate) use string_or_json::StringOrJson;

/// One protocol direction's event enum (for example [`crate::ResponseStreamEvent`]).
///
/// Every implementation has one variant per event type of its protocol, named after the wire name,
/// plus an `Unknown` variant that keeps the type string and the raw JSON of events this version
/// does not know. Decoding never fails on an unknown type.
pub trait StreamEvent:
    Sized + Clone + fmt::Debug + PartialEq + Serialize + DeserializeOwned
{
    /// The borrowed view of this enum's events (see [`crate::view`]), e.g.
    /// [`crate::ResponseStreamEventRef`] for [`crate::ResponseStreamEvent`].
    type View<'a>: crate::EventView<'a, Owned = Self>;

    /// The name of the protocol direction, e.g. `"responses"` or `"realtime_server"`.
    const PROTOCOL: &'static str;

    /// Every wire type this enum has a variant for (aliases such as retired beta names excluded).
    const WIRE_TYPES: &'static [&'static str];

    /// Decodes one event from its JSON text and, when the transport has one, its SSE event name.
    ///
    /// The type is read first, then that variant's struct is deserialized directly from `json`:
    /// no intermediate tree. The SSE event name is only needed by protocols whose JSON does not
    /// carry its type (the Assistants run stream); other protocols ignore it.
    fn decode(event_name: Option<&str>, json: &str) -> Result<Self, DecodeError>;

    /// Decodes one event from its JSON text alone. Same as `decode(None, json)`.
    fn from_json(json: &str) -> Result<Self, DecodeError> {
        Self::decode(None, json)
    }

    /// The wire type of this event: the `type` (or `object`, or SSE event name) it is sent with.
    ///
    /// For an event decoded under a retired alias, this is the current name.
    fn wire_type(&self) -> &str;

    /// Whether this event's type was not known to this version of the model.
    fn is_unknown(&self) -> bool;

    /// Whether this event ends its stream (`response.completed`, `[DONE]`, …), when the protocol
    /// has such events.
    fn is_terminal(&self) -> bool;
}

/// An event whose type this version of openai-wire does not know.
///
/// It is never an error and never dropped: the type string and the whole JSON are kept, and it is
/// written back exactly as it was read.
#[derive(Debug, Clone, PartialEq)]
pub struct UnknownEvent {
    /// The wire type as sent (empty when the event had none).
    pub event_type: String,
    /// The event's JSON, as sent.
    pub raw: serde_json::Value,
}

impl UnknownEvent {
    /// Keeps `json` as the raw value of an event of type `event_type`.
    pub fn from_json(event_type: &str, json: &str) -> Result<Self, DecodeError> {
        let raw = serde_json::from_str(json).map_err(DecodeError::Syntax)?;
        Ok(Self {
            event_type: event_type.to_owned(),
            raw,
        })
    }
}

impl Serialize for UnknownEvent {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.raw.serialize(serializer)
    }
}

/// Why an event could not be decoded.
///
/// Only two things can go wrong: the text is not a JSON object at all, or the event's type is
/// known and its JSON does not fit that type's schema (after every leniency rule was applied).
/// An unknown type is not an error: it decodes to the `Unknown` variant.
#[derive(Debug, thiserror::Error)]
pub enum DecodeError {
    /// The text is not valid JSON, or not a JSON object.
    #[error("not a JSON event object: {0}")]
    Syntax(#[source] serde_json::Error),
    /// The event's type is known, but its fields do not match the schema of that type.
    #[error("`{event_type}` event does not match its schema: {source}")]
    Schema {
        /// The wire type that was recognised.
        event_type: String,
        /// What serde_json reported, with the line and column in the event's JSON.
        #[source]
        source: serde_json::Error,
    },
    /// The protocol needs the SSE event name to tell the type, and none was given.
    #[error("{protocol} events are typed by their SSE event name, and none was given")]
    MissingEventName {
        /// The protocol that needs the name.
        protocol: &'static str,
    },
}

impl DecodeError {
    /// The wire type the event was recognised as, when it got that far.
    pub fn event_type(&self) -> Option<&str> {
        match self {
            DecodeError::Schema { event_type, .. } => Some(event_type),
            _ => None,
        }
    }
}

/// Deserializes the struct of a known event type from its JSON text.
pub(crate) fn parse_event<T: DeserializeOwned>(
    event_type: &str,
    json: &str,
) -> Result<T, DecodeError> {
    serde_json::from_str(json).map_err(|source| DecodeError::Schema {
        event_type: event_type.to_owned(),
        source,
    })
}

/// Reads the string value of the top-level key `field` of a JSON object without building a tree.
///
/// Returns `Ok(None)` when the key is absent or its value is not a string. The common case, a
/// compact object whose keys up to `field` and whose tag have no escapes (`{"type":"…"`,
/// `{"id":"…","object":"…"`), is answered by a scan that stops at the key, without the JSON
/// parser; the rest of the text is validated later, when the variant's struct is deserialized.
pub fn peek_tag<'a>(json: &'a str, field: &str) -> Result<Option<Cow<'a, str>>, serde_json::Error> {
    if let Some(tag) = key_scan::top_level_str(json, field) {
        return Ok(Some(Cow::Borrowed(tag)));
    }
    peek_tag_with_parser(json, field)
}

/// [`peek_tag`] by the JSON parser alone: every key of the object is read, the whole text is
/// checked to be JSON.
pub(crate) fn peek_tag_with_parser<'a>(
    json: &'a str,
    field: &str,
) -> Result<Option<Cow<'a, str>>, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_str(json);
    let tag = TagSeek { field }.deserialize(&mut de)?;
    de.end()?;
    Ok(tag)
}

/// Whether the JSON object has the top-level key `field` (any value).
pub fn has_key(json: &str, field: &str) -> bool {
    let mut de = serde_json::Deserializer::from_str(json);
    KeySeek { field }.deserialize(&mut de).unwrap_or(false)
}

struct TagSeek<'f> {
    field: &'f str,
}

impl<'de> DeserializeSeed<'de> for TagSeek<'_> {
    type Value = Option<Cow<'de, str>>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for TagSeek<'_> {
    type Value = Option<Cow<'de, str>>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut found = None;
        while let Some(key) = map.next_key::<CowStr<'de>>()? {
            if found.is_none() && key.0 == self.field {
                found = map.next_value::<MaybeStr<'de>>()?.0;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(found)
    }
}

struct KeySeek<'f> {
    field: &'f str,
}

impl<'de> DeserializeSeed<'de> for KeySeek<'_> {
    type Value = bool;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<bool, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for KeySeek<'_> {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<bool, A::Error> {
        let mut found = false;
        while let Some(key) = map.next_key::<CowStr<'de>>()? {
            found |= key.0 == self.field;
            map.next_value::<IgnoredAny>()?;
        }
        Ok(found)
    }
}

/// A string that borrows from the input when it has no escapes.
struct CowStr<'de>(Cow<'de, str>);

impl<'de> Deserialize<'de> for CowStr<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = CowStr<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(CowStr(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(CowStr(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(CowStr(Cow::Owned(v)))
            }
        }
        deserializer.deserialize_str(V)
    }
}

/// Any JSON value, keeping it only when it is a string.
struct MaybeStr<'de>(Option<Cow<'de, str>>);

impl<'de> Deserialize<'de> for MaybeStr<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = MaybeStr<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(MaybeStr(Some(Cow::Borrowed(v))))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(MaybeStr(Some(Cow::Owned(v.to_owned()))))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(MaybeStr(Some(Cow::Owned(v))))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
                Ok(MaybeStr(None))
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
                Ok(MaybeStr(None))
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
                Ok(MaybeStr(None))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
                Ok(MaybeStr(None))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(MaybeStr(None))
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(MaybeStr(None))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(MaybeStr(None))
            }
        }
        deserializer.deserialize_any(V)
    }
}

/// The string value of `field` in a JSON object value, if it is a string.
pub(crate) fn tag_of(value: &serde_json::Value, field: &str) -> Option<String> {
    value.get(field).and_then(|v| v.as_str()).map(str::to_owned)
}

/// Reads a field the spec requires leniently: `null` (as some servers send) reads as the default,
/// like an absent field does (`#[serde(default)]` covers the absent case).
pub(crate) fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

/// Writes a number as a JSON integer when it is whole (`1795437521`, not `1795437521.0`), as a
/// float otherwise. For the timestamps that `spec/codegen.toml` `[write] whole_numbers` names.
#[allow(dead_code)] // unused when the features that have such fields are off
pub(crate) fn whole_number<S: serde::Serializer>(
    value: &f64,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    // 2^53: every whole f64 below it is an exact integer.
    const EXACT: f64 = 9_007_199_254_740_992.0;
    if value.fract() == 0.0 && value.abs() < EXACT {
        serializer.serialize_i64(*value as i64)
    } else {
        serializer.serialize_f64(*value)
    }
}

/// [`whole_number`] for an optional field.
#[allow(dead_code)] // unused when the features that have such fields are off
pub(crate) fn optional_whole_number<S: serde::Serializer>(
    value: &Option<f64>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match value {
        Some(value) => whole_number(value, serializer),
        None => serializer.serialize_none(),
    }
}

/// Declares an open string enum: the values the spec knows, plus `Other(String)` for the values
/// it does not, so that a new status or item type never fails a decode and is written back as is.
#[allow(unused_macros)] // unused when only features without string enums are on
macro_rules! open_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $wire:literal, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )*
            /// A value this version of openai-wire does not know, kept as sent.
            Other(String),
        }

        impl $name {
            /// Every value the spec knows, in spec order.
            pub const KNOWN: &'static [&'static str] = &[$($wire),*];

            /// The value as it is written on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $wire, )*
                    Self::Other(value) => value,
                }
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                match value {
                    $( $wire => Self::$variant, )*
                    other => Self::Other(other.to_owned()),
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct OpenEnumVisitor;
                impl ::serde::de::Visitor<'_> for OpenEnumVisitor {
                    type Value = $name;
                    fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.write_str("a string")
                    }
                    fn visit_str<E: ::serde::de::Error>(self, value: &str) -> Result<$name, E> {
                        Ok($name::from(value))
                    }
                }
                deserializer.deserialize_str(OpenEnumVisitor)
            }
        }
    };
}
#[allow(unused_imports)]
pub(crate) use open_enum;

impl UnknownEvent {
    /// Keeps the data of an event typed by its SSE event name: as JSON when it is JSON, else as a
    /// JSON string holding the text.
    pub fn from_data(event_type: &str, data: &str) -> Self {
        let raw = serde_json::from_str(data)
            .unwrap_or_else(|_| serde_json::Value::String(data.to_owned()));
        Self {
            event_type: event_type.to_owned(),
            raw,
        }
    }
}
