//! Borrowed views of events: decoded without copying their text.
//!
//! Every protocol enum has a view beside it ([`StreamEvent::View`], e.g.
//! [`crate::ResponseStreamEventRef`]), generated from the same spec by the same generator, with
//! the same variants and the same reading rules. A view borrows from the event's JSON text:
//!
//! - the event's string fields (`delta`, ids, text, `obfuscation`, …) are [`Cow<str>`]: borrowed
//!   from the text, copied only when the JSON escapes a character;
//! - the bulky parts that are rarely read as events pass stay JSON text ([`Lazy`]): `logprobs`
//!   (with their `top_logprobs`), and the snapshots of lifecycle events (`response`, `item`,
//!   `part`). They are checked to be JSON when the event is decoded, and read into their type on
//!   access ([`Lazy::get`]); [`EventView::validate`] reads them all, to know that the owned
//!   model would accept the event;
//! - every other field is read into the same type as in the owned event.
//!
//! [`EventView::to_owned_event`] gives the owned event, equal to what
//! [`StreamEvent::decode`] gives for the same text. Use views where events are only read as they
//! pass (printing, counting, converting); keep owned events to store them.
//!
//! ```
//! use openai_wire_events::{EventView, ResponseStreamEvent, ResponseStreamEventRef, StreamEvent};
//!
//! let json = r#"{"type":"response.output_text.delta","item_id":"msg_1","output_index":0,
//!               "content_index":0,"delta":"Hel","sequence_number":4,
//!               "logprobs":[{"token":"Hel","logprob":-0.5,"bytes":[72,101,108],"top_logprobs":[]}]}"#;
//! let view = ResponseStreamEventRef::decode(None, json)?;
//! let ResponseStreamEventRef::ResponseOutputTextDelta(delta) = &view else { unreachable!() };
//! assert_eq!(delta.delta, "Hel"); // borrowed from `json`
//! assert_eq!(delta.logprobs.get()?[0].logprob, -0.5); // read on access
//! assert_eq!(view.to_owned_event()?, ResponseStreamEvent::from_json(json)?);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::borrow::Cow;
use std::fmt;

use serde::de::{DeserializeOwned, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::value::RawValue;

use crate::{DecodeError, StreamEvent, UnknownEvent};

/// A borrowed view of one protocol direction's events ([`StreamEvent::View`]).
pub trait EventView<'a>: Sized + fmt::Debug + Serialize {
    /// The owned event enum this is a view of.
    type Owned: StreamEvent;

    /// Decodes one event from its JSON text (and SSE event name, for the protocols typed by it),
    /// borrowing from `json`. Accepts and rejects exactly what [`StreamEvent::decode`] does,
    /// except inside the [`Lazy`] parts, which are only checked to be JSON until read.
    fn decode(event_name: Option<&'a str>, json: &'a str) -> Result<Self, DecodeError>;

    /// The wire type of this event (see [`StreamEvent::wire_type`]).
    fn wire_type(&self) -> &str;

    /// Whether this event's type was not known to this version of the model.
    fn is_unknown(&self) -> bool;

    /// Whether this event ends its stream.
    fn is_terminal(&self) -> bool;

    /// The owned event: what [`StreamEvent::decode`] gives for the same text. Fails only when a
    /// [`Lazy`] part does not fit its type.
    fn to_owned_event(&self) -> Result<Self::Owned, DecodeError>;

    /// Reads every [`Lazy`] part and drops it: `Ok` exactly when [`StreamEvent::decode`] would
    /// have accepted the event, without copying its strings.
    fn validate(&self) -> Result<(), DecodeError>;
}

/// A part of an event kept as its JSON text until read ([`Lazy::get`]).
///
/// Reading follows the owned field's rules (a field the owned model reads leniently, absent or
/// `null` as the type's default, does so here too). Writing gives the text back as received.
pub struct Lazy<'a, T> {
    raw: Option<&'a RawValue>,
    read: fn(Option<&str>) -> Result<T, serde_json::Error>,
}

impl<'a, T> Lazy<'a, T> {
    /// The part's JSON text as received, when the event had the field.
    pub fn raw(&self) -> Option<&'a str> {
        self.raw.map(RawValue::get)
    }

    /// Reads the part into its type, by the owned field's rules.
    pub fn get(&self) -> Result<T, DecodeError> {
        (self.read)(self.raw()).map_err(|source| DecodeError::Schema {
            event_type: String::new(),
            source,
        })
    }
}

impl<T> Clone for Lazy<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Lazy<'_, T> {}

impl<T> PartialEq for Lazy<'_, T> {
    fn eq(&self, other: &Self) -> bool {
        self.raw() == other.raw()
    }
}

impl<T> fmt::Debug for Lazy<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.raw() {
            Some(text) => write!(f, "Lazy({text})"),
            None => f.write_str("Lazy(absent)"),
        }
    }
}

impl<T: Serialize> Serialize for Lazy<'_, T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.raw {
            Some(raw) => raw.serialize(serializer),
            // Absent: what the owned model writes, the type's default.
            None => (self.read)(None)
                .map_err(serde::ser::Error::custom)?
                .serialize(serializer),
        }
    }
}

/// Reads a field the owned model requires as it does: present (`null` is read by the type).
#[allow(dead_code)] // unused when no enabled protocol has such a field
fn read_required<T: DeserializeOwned>(raw: Option<&str>) -> Result<T, serde_json::Error> {
    serde_json::from_str(raw.unwrap_or("null"))
}

/// Reads a field the owned model reads leniently: absent or `null` is the default.
#[allow(dead_code)] // unused when no enabled protocol has such a field
fn read_or_default<T: DeserializeOwned + Default>(
    raw: Option<&str>,
) -> Result<T, serde_json::Error> {
    match raw {
        None | Some("null") => Ok(T::default()),
        Some(text) => serde_json::from_str(text),
    }
}

/// A required [`Lazy`] field of a view.
#[allow(dead_code)] // unused when no enabled protocol has such a field
pub(crate) fn lazy_required<'de: 'a, 'a, D: Deserializer<'de>, T: DeserializeOwned>(
    deserializer: D,
) -> Result<Lazy<'a, T>, D::Error> {
    Ok(Lazy {
        raw: Some(<&'a RawValue>::deserialize(deserializer)?),
        read: read_required::<T>,
    })
}

/// A [`Lazy`] field that reads absent or `null` as its default.
#[allow(dead_code)] // unused when no enabled protocol has such a field
pub(crate) fn lazy_or_default<'de: 'a, 'a, D: Deserializer<'de>, T>(
    deserializer: D,
) -> Result<Lazy<'a, T>, D::Error>
where
    T: DeserializeOwned + Default,
{
    Ok(Lazy {
        raw: Some(<&'a RawValue>::deserialize(deserializer)?),
        read: read_or_default::<T>,
    })
}

/// The value of an absent [`Lazy`] field that reads absent as its default.
#[allow(dead_code)] // unused when no enabled protocol has such a field
pub(crate) fn lazy_absent<'a, T: DeserializeOwned + Default>() -> Lazy<'a, T> {
    Lazy {
        raw: None,
        read: read_or_default::<T>,
    }
}

/// An optional [`Lazy`] field: absent or `null` is `None`.
#[allow(dead_code)] // unused when no enabled protocol has such a field
pub(crate) fn lazy_optional<'de: 'a, 'a, D: Deserializer<'de>, T: DeserializeOwned>(
    deserializer: D,
) -> Result<Option<Lazy<'a, T>>, D::Error> {
    Ok(
        Option::<&'a RawValue>::deserialize(deserializer)?.map(|raw| Lazy {
            raw: Some(raw),
            read: read_required::<T>,
        }),
    )
}

/// An event whose type this version does not know, borrowed ([`UnknownEvent`] owned).
#[derive(Debug, Clone, PartialEq)]
pub struct UnknownEventRef<'a> {
    /// The wire type as sent (empty when the event had none).
    pub event_type: Cow<'a, str>,
    /// The event's text as sent (JSON, except the data of an unknown Assistants event, which
    /// may be any text).
    pub raw: &'a str,
    /// Whether `raw` is JSON (it is for every protocol typed by a `type` field).
    json: bool,
}

impl<'a> UnknownEventRef<'a> {
    /// An unknown event of a protocol typed by a JSON field: `json` must be JSON.
    pub fn from_json(event_type: Cow<'a, str>, json: &'a str) -> Result<Self, DecodeError> {
        <&RawValue>::deserialize(&mut serde_json::Deserializer::from_str(json))
            .map_err(DecodeError::Syntax)?;
        Ok(Self {
            event_type,
            raw: json,
            json: true,
        })
    }

    /// An unknown event of a protocol typed by its SSE event name: `data` may be any text.
    pub fn from_data(event_type: &'a str, data: &'a str) -> Self {
        Self {
            event_type: Cow::Borrowed(event_type),
            raw: data,
            json: serde_json::from_str::<&RawValue>(data).is_ok(),
        }
    }

    /// The owned [`UnknownEvent`].
    pub fn to_owned_event(&self) -> Result<UnknownEvent, DecodeError> {
        if self.json {
            UnknownEvent::from_json(&self.event_type, self.raw)
        } else {
            Ok(UnknownEvent::from_data(&self.event_type, self.raw))
        }
    }
}

impl Serialize for UnknownEventRef<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if self.json {
            match serde_json::from_str::<&RawValue>(self.raw) {
                Ok(raw) => raw.serialize(serializer),
                Err(error) => Err(serde::ser::Error::custom(error)),
            }
        } else {
            serializer.serialize_str(self.raw)
        }
    }
}

/// Reads a string field borrowed from the text (`null` or absent: empty), for the views'
/// fields the spec requires.
#[allow(dead_code)] // unused when no enabled protocol has such a field
pub(crate) fn borrowed_str_or_default<'de: 'a, 'a, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Cow<'a, str>, D::Error> {
    Ok(deserializer
        .deserialize_option(OptionalCowStr)?
        .unwrap_or_default())
}

/// Reads an optional string field borrowed from the text (`null` or absent: `None`).
#[allow(dead_code)] // unused when no enabled protocol has such a field
pub(crate) fn borrowed_optional_str<'de: 'a, 'a, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Cow<'a, str>>, D::Error> {
    deserializer.deserialize_option(OptionalCowStr)
}

/// Reads a string field borrowed from the text (required: no `null`).
#[allow(dead_code)] // unused when no enabled protocol has such a field
pub(crate) fn borrowed_str<'de: 'a, 'a, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Cow<'a, str>, D::Error> {
    deserializer.deserialize_str(CowStr)
}

struct OptionalCowStr;

impl<'de> Visitor<'de> for OptionalCowStr {
    type Value = Option<Cow<'de, str>>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string or null")
    }

    fn visit_none<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(CowStr).map(Some)
    }
}

struct CowStr;

impl<'de> Visitor<'de> for CowStr {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_borrowed_str<E: serde::de::Error>(self, text: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(text))
    }

    fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(text.to_owned()))
    }

    fn visit_string<E: serde::de::Error>(self, text: String) -> Result<Self::Value, E> {
        Ok(Cow::Owned(text))
    }
}

/// Deserializes the view of a known event type from its JSON text, borrowing from it.
#[allow(dead_code)] // unused when no protocol feature is on
pub(crate) fn parse_view<'a, T: Deserialize<'a>>(
    event_type: &str,
    json: &'a str,
) -> Result<T, DecodeError> {
    serde_json::from_str(json).map_err(|source| DecodeError::Schema {
        event_type: event_type.to_owned(),
        source,
    })
}

/// Reads a [`Lazy`] part for [`EventView::to_owned_event`], naming the event type in the error.
#[allow(dead_code)] // unused when no enabled protocol has such a field
pub(crate) fn lazy_get<T>(event_type: &str, lazy: &Lazy<'_, T>) -> Result<T, DecodeError> {
    lazy.get().map_err(|error| match error {
        DecodeError::Schema { source, .. } => DecodeError::Schema {
            event_type: event_type.to_owned(),
            source,
        },
        other => other,
    })
}
