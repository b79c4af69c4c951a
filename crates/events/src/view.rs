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
//! Most views are read in one pass by a generated reader of the compact JSON events are sent
//! as (the delta events among them), with serde taking over whenever the text has anything that
//! reader does not handle (an escaped string, a float, a nested value in a field it does not keep
//! as text): the same view either way.
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
    /// The value's JSON text, checked to be JSON.
    raw: Option<&'a str>,
    read: fn(Option<&str>) -> Result<T, serde_json::Error>,
}

impl<'a, T> Lazy<'a, T> {
    /// The part's JSON text as received, when the event had the field.
    pub fn raw(&self) -> Option<&'a str> {
        self.raw
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
            // Checked to be JSON when the event was read, so this does not fail.
            Some(raw) => serde_json::from_str::<&RawValue>(raw)
                .map_err(serde::ser::Error::custom)?
                .serialize(serializer),
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
        raw: Some(<&'a RawValue>::deserialize(deserializer)?.get()),
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
        raw: Some(<&'a RawValue>::deserialize(deserializer)?.get()),
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
            raw: Some(raw.get()),
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

/// A present [`Lazy`] field read by a [`Scan`]: `raw` is JSON; the owned model requires it.
#[allow(dead_code)] // unused when no enabled protocol has such a field
pub(crate) fn lazy_raw_required<T: DeserializeOwned>(raw: &str) -> Lazy<'_, T> {
    Lazy {
        raw: Some(raw),
        read: read_required::<T>,
    }
}

/// A present [`Lazy`] field read by a [`Scan`]: `raw` is JSON; `null` reads as the default.
#[allow(dead_code)] // unused when no enabled protocol has such a field
pub(crate) fn lazy_raw_or_default<T: DeserializeOwned + Default>(raw: &str) -> Lazy<'_, T> {
    Lazy {
        raw: Some(raw),
        read: read_or_default::<T>,
    }
}

/// Sets a field read by a [`Scan`]; `None` (give up) if the key came twice, which serde rejects.
#[allow(dead_code)] // unused when no protocol feature is on
pub(crate) fn once<T>(slot: &mut Option<T>, value: T) -> Option<()> {
    if slot.is_some() {
        return None;
    }
    *slot = Some(value);
    Some(())
}

/// The views' fast path: a one-pass reader of the JSON objects events are sent as, for the
/// generated `scan` function of the view structs whose fields are all strings, integers,
/// booleans or [`Lazy`] parts (`response.output_text.delta` and the other delta events).
///
/// Why: through serde, a ~250-byte delta event costs ~400 ns, most of it serde_json's generic
/// machinery (a visitor per key and per value, `deserialize_option`, the field identifier, the
/// `RawValue` map); this reads the same event in a fraction of that. Measured by
/// `cargo bench -p openai-wire-decode --bench decode` (the `views` and `DecodeStream views` rows;
/// `BENCHMARKS.md`, "Decoding, second round").
///
/// It reads only a subset of JSON, the one events are written in, and gives up (every method
/// returns `None`) on anything else: a key with an escape, a number that is not a plain
/// integer of at most 18 digits, a repeated field. The
/// generated code then decodes the event with serde, as before. So where it gives a value,
/// that value is the one serde gives (the strings borrowed, as serde borrows them), and
/// everything serde rejects it gives up on: the rules serde_json applies (no control
/// character in a string, no leading zero, no trailing comma, nothing after the object) are
/// checked here too. Values it skips or keeps as text (unknown fields, `Lazy` parts), strings
/// with escapes and fields of other types (the optional `agent`, …) are read by serde_json
/// itself.
#[allow(dead_code)] // unused when no protocol feature is on
pub(crate) struct Scan<'a> {
    json: &'a str,
    /// The next byte to read.
    pos: usize,
    /// Whether no key was read yet.
    first: bool,
}

#[allow(dead_code)] // some readers are unused when the features that need them are off
impl<'a> Scan<'a> {
    /// Starts reading `json`, which must be an object.
    pub(crate) fn new(json: &'a str) -> Option<Self> {
        let mut scan = Scan {
            json,
            pos: 0,
            first: true,
        };
        scan.whitespace();
        scan.eat(b'{')?;
        Some(scan)
    }

    fn bytes(&self) -> &'a [u8] {
        self.json.as_bytes()
    }

    fn peek(&self) -> Option<u8> {
        self.bytes().get(self.pos).copied()
    }

    fn eat(&mut self, byte: u8) -> Option<()> {
        (self.peek()? == byte).then(|| self.pos += 1)
    }

    fn eat_literal(&mut self, literal: &[u8]) -> bool {
        let found = self.bytes()[self.pos..].starts_with(literal);
        if found {
            self.pos += literal.len();
        }
        found
    }

    fn whitespace(&mut self) {
        while let Some(b' ' | b'\n' | b'\t' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    /// The next key (and its colon), or `Some(None)` at the end of the object.
    pub(crate) fn key(&mut self) -> Option<Option<&'a str>> {
        self.whitespace();
        if self.first {
            self.first = false;
            if self.eat(b'}').is_some() {
                return Some(None);
            }
        } else {
            match self.peek()? {
                b',' => {
                    self.pos += 1;
                    self.whitespace();
                }
                b'}' => {
                    self.pos += 1;
                    return Some(None);
                }
                _ => return None,
            }
        }
        let key = self.plain_str()?;
        self.whitespace();
        self.eat(b':')?;
        self.whitespace();
        Some(Some(key))
    }

    /// Checks that nothing but whitespace follows the object.
    pub(crate) fn end(mut self) -> Option<()> {
        self.whitespace();
        (self.pos == self.json.len()).then_some(())
    }

    /// A string without escapes, borrowed.
    pub(crate) fn plain_str(&mut self) -> Option<&'a str> {
        if self.peek()? != b'"' {
            return None;
        }
        let start = self.pos + 1;
        let end = string_end(self.bytes(), start)?;
        self.pos = end + 1;
        // `start` and `end` are next to ASCII quotes, so they are character boundaries.
        Some(&self.json[start..end])
    }

    /// A string: borrowed when it has no escapes, unescaped by serde_json when it has (as
    /// serde reads it).
    pub(crate) fn str(&mut self) -> Option<Cow<'a, str>> {
        if let Some(text) = self.plain_str() {
            return Some(Cow::Borrowed(text));
        }
        if self.peek()? != b'"' {
            return None;
        }
        // Escapes (or an error): the string's text, checked, then unescaped.
        serde_json::from_str(self.raw()?).ok().map(Cow::Owned)
    }

    /// A string ([`Scan::str`]) or `null`.
    pub(crate) fn str_or_null(&mut self) -> Option<Option<Cow<'a, str>>> {
        if self.eat_literal(b"null") {
            return Some(None);
        }
        self.str().map(Some)
    }

    /// An integer as serde_json reads it into an `i64`: `-?(0|[1-9][0-9]*)`, at most 18 digits
    /// (so that it cannot overflow), not `-0` (which serde_json reads as a float).
    pub(crate) fn int(&mut self) -> Option<i64> {
        let bytes = self.bytes();
        let mut at = self.pos;
        let negative = bytes.get(at) == Some(&b'-');
        if negative {
            at += 1;
        }
        let start = at;
        let mut value: i64 = 0;
        while let Some(&digit) = bytes.get(at) {
            if !digit.is_ascii_digit() || at - start == 18 {
                break;
            }
            value = value * 10 + i64::from(digit - b'0');
            at += 1;
        }
        let digits = at - start;
        let leading_zero = digits > 1 && bytes[start] == b'0';
        let more = matches!(bytes.get(at), Some(b'0'..=b'9' | b'.' | b'e' | b'E'));
        if digits == 0 || leading_zero || more || (negative && value == 0) {
            return None;
        }
        self.pos = at;
        Some(if negative { -value } else { value })
    }

    /// An integer ([`Scan::int`]) or `null`.
    pub(crate) fn int_or_null(&mut self) -> Option<Option<i64>> {
        if self.eat_literal(b"null") {
            return Some(None);
        }
        self.int().map(Some)
    }

    /// `true` or `false`.
    pub(crate) fn bool(&mut self) -> Option<bool> {
        if self.eat_literal(b"true") {
            Some(true)
        } else if self.eat_literal(b"false") {
            Some(false)
        } else {
            None
        }
    }

    /// `true`, `false` or `null`.
    pub(crate) fn bool_or_null(&mut self) -> Option<Option<bool>> {
        if self.eat_literal(b"null") {
            return Some(None);
        }
        self.bool().map(Some)
    }

    /// Any JSON value, as its text (what serde_json's `RawValue` holds).
    pub(crate) fn raw(&mut self) -> Option<&'a str> {
        let start = self.pos;
        for literal in [&b"[]"[..], b"{}", b"null"] {
            if self.eat_literal(literal) {
                return Some(&self.json[start..self.pos]);
            }
        }
        let rest = &self.json[start..];
        let raw = <&RawValue>::deserialize(&mut serde_json::Deserializer::from_str(rest))
            .ok()?
            .get();
        // (serde_json reads a `RawValue` or an ignored value with `ignore_value` in the struct's
        // object too, which has no nesting limit: alone, it accepts exactly the same values.)
        // `raw` is a slice of `rest`, starting where the value starts (no whitespace before it).
        self.pos = start + (raw.as_ptr() as usize - rest.as_ptr() as usize) + raw.len();
        Some(raw)
    }

    /// Any JSON value or `null` (`None`).
    pub(crate) fn raw_or_null(&mut self) -> Option<Option<&'a str>> {
        if self.eat_literal(b"null") {
            return Some(None);
        }
        self.raw().map(Some)
    }

    /// A value read by serde_json into `T` (a field of another type than the reader's own:
    /// `T` is `Option<…>`, as serde reads such a field of the struct).
    pub(crate) fn owned<T: DeserializeOwned>(&mut self) -> Option<T> {
        let raw = self.raw()?;
        // Read alone, the value gets one level of nesting more than in the event's object (of
        // serde_json's 128): a value that may be 127 deep is left to serde (it needs at least 127
        // opening brackets, counted here with those inside strings, to err on the safe side).
        if raw.len() >= 254 && raw.bytes().filter(|&b| b == b'[' || b == b'{').count() >= 127 {
            return None;
        }
        serde_json::from_str(raw).ok()
    }

    /// Skips any JSON value (the value of a field the struct does not have), checking it.
    pub(crate) fn skip(&mut self) -> Option<()> {
        if self.plain_str().is_some() {
            return Some(());
        }
        self.raw().map(drop)
    }
}

/// Where the string starting at `bytes[start]` (after its opening quote) ends: the index of its
/// closing quote, or `None` if a backslash or a control character comes first (an escape, for
/// serde; a control character, an error). Eight bytes at a time, as serde_json does it.
fn string_end(bytes: &[u8], start: usize) -> Option<usize> {
    const ONES: u64 = u64::MAX / 255;
    const HIGH: u64 = ONES << 7;
    let mut at = start;
    while let Some(chunk) = bytes.get(at..at + 8) {
        let chunk = u64::from_le_bytes(chunk.try_into().expect("eight bytes"));
        let quote = chunk ^ (ONES * u64::from(b'"'));
        let backslash = chunk ^ (ONES * u64::from(b'\\'));
        // The lowest flagged byte is the first quote, backslash or byte below 0x20 (flags above
        // it may be false, from the borrow, but are not looked at).
        let flagged = (chunk.wrapping_sub(ONES * 0x20)
            | quote.wrapping_sub(ONES)
            | backslash.wrapping_sub(ONES))
            & !chunk
            & HIGH;
        if flagged != 0 {
            at += (flagged.trailing_zeros() / 8) as usize;
            return (bytes[at] == b'"').then_some(at);
        }
        at += 8;
    }
    while let Some(&byte) = bytes.get(at) {
        match byte {
            b'"' => return Some(at),
            b'\\' | 0..=0x1f => return None,
            _ => at += 1,
        }
    }
    None
}

/// The one-pass reader against serde: where [`Scan`] gives an event, serde gives the same one.
#[cfg(all(test, feature = "responses"))]
mod scan_tests {
    use std::borrow::Cow;

    use proptest::prelude::*;

    use crate::ResponseTextDeltaEventRef as Delta;

    /// Whether the one-pass reader read `json`; panics if it disagrees with serde.
    fn agrees(json: &str) -> bool {
        let serde = serde_json::from_str::<Delta<'_>>(json);
        match Delta::scan(json) {
            Some(scanned) => {
                let serde = serde.unwrap_or_else(|e| panic!("serde rejects {json:?} ({e})"));
                assert_eq!(scanned, serde, "{json:?}");
                // Same `Cow`s: borrowed where serde borrows.
                assert_eq!(
                    matches!(scanned.delta, Cow::Borrowed(_)),
                    matches!(serde.delta, Cow::Borrowed(_)),
                    "{json:?}"
                );
                assert_eq!(scanned.logprobs.raw(), serde.logprobs.raw(), "{json:?}");
                true
            }
            None => false,
        }
    }

    const PLAIN: &str = r#"{"type":"response.output_text.delta","sequence_number":7,"item_id":"msg_1","output_index":0,"content_index":1,"delta":" wörld","logprobs":[],"obfuscation":"Xy7Qp2"}"#;

    #[test]
    fn reads_what_it_should() {
        for json in [
            PLAIN,
            "{}",
            " { \"delta\" : \"a\" ,\n\t\"output_index\" :\r-12 } \n",
            r#"{"item_id":null,"delta":null,"output_index":null,"sequence_number":null,"obfuscation":null,"stream_id":"s"}"#,
            r#"{"logprobs":null}"#,
            r#"{"logprobs":[{"token":"a","logprob":-0.5,"bytes":[97],"top_logprobs":[]}],"delta":"a"}"#,
            r#"{"logprobs":[ ],"x":{"y":[1,2.5e3,"z\n",true,null]},"type":"t\"q"}"#,
            r#"{"sequence_number":999999999999999999,"output_index":-999999999999999999}"#,
            r#"{"agent":{"name":"a"},"delta":"a"}"#,
            r#"{"agent":null}"#,
            r#"{"agent":{"name":1}}"#,
            r#"{"delta":""}"#,
            // Escapes: unescaped, as serde does (a copy).
            r#"{"delta":"a\"b\n","obfuscation":"\u00e9\ud83d\ude00"}"#,
        ] {
            assert!(agrees(json), "not read: {json}");
        }
    }

    #[test]
    fn leaves_to_serde_what_it_should() {
        for json in [
            // A key with an escape.
            r#"{"item_\u0069d":"m"}"#,
            // serde errors.
            r#"{"delta":"\ud800"}"#,
            r#"{"delta":"\x"}"#,
            "{\"delta\":\"\\n\tb\"}",
            r#"{"delta":"a","delta":"b"}"#,
            r#"{"output_index":-0}"#,
            r#"{"output_index":01}"#,
            r#"{"output_index":1.0}"#,
            r#"{"output_index":1e2}"#,
            r#"{"output_index":"1"}"#,
            r#"{"output_index":9999999999999999999}"#,
            r#"{"delta":"a",}"#,
            r#"{"delta":"a"} x"#,
            r#"{"delta":"a"}}"#,
            r#"{"delta":"a""#,
            "{\"delta\":\"a\tb\"}",
            r#"{"x":[1,}"#,
            r#"{"logprobs":[1,]}"#,
            r#"{"delta" "a"}"#,
            r#"{"delta":"a" "output_index":1}"#,
            r#"[1]"#,
            r#"{"output_index":true}"#,
            // Reads serde would accept, but that are not worth a fast path.
            r#"{"sequence_number":1000000000000000000}"#,
        ] {
            assert!(!agrees(json), "read: {json}");
        }
    }

    #[test]
    fn nesting_limit_as_serde() {
        for depth in [126, 127, 128, 129, 1000] {
            let value = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
            agrees(&format!(r#"{{"logprobs":{value}}}"#));
            agrees(&format!(r#"{{"x":{value}}}"#));
            agrees(&format!(r#"{{"agent":{{"name":"a","x":{value}}}}}"#));
        }
    }

    /// One field of a generated event: key and value text.
    fn field() -> impl Strategy<Value = (String, String)> {
        let key = prop::sample::select(vec![
            "type",
            "item_id",
            "output_index",
            "content_index",
            "delta",
            "sequence_number",
            "logprobs",
            "obfuscation",
            "stream_id",
            "agent",
            "other",
        ]);
        let value = prop_oneof![
            "\"[a-z \\\\\"\t\u{e9}\u{1}]{0,12}\"",
            "-?[0-9]{1,20}(\\.[0-9])?",
            Just("null".to_owned()),
            Just("true".to_owned()),
            Just("[]".to_owned()),
            Just("[ ]".to_owned()),
            Just("{}".to_owned()),
            Just(r#"[{"token":"a","logprob":-1.5,"bytes":[97],"top_logprobs":[]}]"#.to_owned()),
            Just("[1,]".to_owned()),
            Just(r#"{"name":"a"}"#.to_owned()),
            Just(r#"{"name":"a","x":[1]}"#.to_owned()),
            Just(r#"{"name":2}"#.to_owned()),
        ];
        (key, value).prop_map(|(k, v)| (k.to_owned(), v))
    }

    proptest! {
        #[test]
        fn generated_events_agree(
            fields in prop::collection::vec(field(), 0..8),
            space in prop::sample::select(vec!["", " ", "\n", "\t "]),
            end in prop::sample::select(vec!["}", "}", "}", ",}", "} x", "}}", ""]),
        ) {
            let body: Vec<String> = fields
                .iter()
                .map(|(k, v)| format!("{space}\"{k}\"{space}:{space}{v}{space}"))
                .collect();
            agrees(&format!("{space}{{{}{end}{space}", body.join(",")));
        }

        #[test]
        fn mutated_events_agree(at in 0..PLAIN.len(), byte in prop::sample::select(
            b"\"\\,:{}[]0123456789-.eE \t\nnulltrfa\x01x".to_vec()
        )) {
            let mut bytes = PLAIN.as_bytes().to_vec();
            bytes[at] = byte;
            if let Ok(json) = std::str::from_utf8(&bytes) {
                agrees(json);
            }
            bytes.insert(at, byte);
            if let Ok(json) = std::str::from_utf8(&bytes) {
                agrees(json);
            }
        }
    }
}
