//! Is this text the start of some valid JSON text? [`JsonPrefix`] answers incrementally.
//!
//! A streamed tool call's arguments arrive in fragments, and until the last one they are not
//! JSON yet; but every prefix of a valid JSON text can still *become* valid JSON, and most
//! strings cannot. That is what tells an ordinary stream from a cumulative one
//! ([`chat_to_responses`](super::chat_to_responses)): when a fragment repeats the arguments so
//! far, the ordinary reading (so far + fragment) of an ordinary stream is still a prefix of the
//! final arguments, while that of a cumulative stream (`{"cmd": "echo{"cmd": "echo wire-ok"`)
//! soon cannot be continued into JSON at all.
//!
//! The check is a small state machine over bytes (RFC 8259: one value, whitespace around it),
//! fed piece by piece, so checking "so far + fragment" costs the fragment, not the whole text:
//! clone the state of "so far" and [`push`](JsonPrefix::push) the fragment. Once invalid, a
//! state stays invalid. Nesting costs one byte per level.
//!
//! What it does not check: that a `\u` escape pairs its surrogates (serde_json refuses a lone
//! one), and numbers' range. A text it calls complete is valid JSON for any parser but for
//! those two.
//!
//! ```
//! use openai_wire_convert::stream::json_prefix::{JsonPrefix, is_valid_prefix};
//!
//! assert!(is_valid_prefix(r#"{"cmd": "echo"#));
//! assert!(!is_valid_prefix(r#"{"cmd": "echo{"cmd": "echo wire-ok""#));
//!
//! let mut so_far = JsonPrefix::new();
//! so_far.push(r#"{"cmd": "ec"#);
//! let mut ordinary = so_far.clone();
//! assert!(ordinary.push(r#"ho wire-ok"}"#));
//! assert!(ordinary.is_complete());
//! ```

/// Whether `text` can be continued into valid JSON (the empty text can).
pub fn is_valid_prefix(text: &str) -> bool {
    let mut prefix = JsonPrefix::new();
    prefix.push(text)
}

/// The state of a JSON-prefix check after the text pushed so far. See the [module
/// docs](self).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JsonPrefix {
    state: State,
    /// Open containers, innermost last: `true` for an object, `false` for an array.
    stack: Vec<bool>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
enum State {
    /// A value must come (the start, after `:`, after `,` in an array).
    #[default]
    Value,
    /// After `[`: a value or `]`.
    ValueOrEnd,
    /// After `{`: a key or `}`.
    KeyOrEnd,
    /// After `,` in an object: a key.
    Key,
    /// After a key: `:`.
    Colon,
    /// After a value: `,` or the container's end (only whitespace at the top level).
    AfterValue,
    /// Inside a string (a key when `key`).
    Str { key: bool, escape: Escape },
    /// Inside a number.
    Number(Number),
    /// Inside `true`, `false` or `null`: the bytes still to come.
    Literal(&'static [u8]),
    /// Not a prefix of any JSON text.
    Invalid,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Escape {
    None,
    /// After `\`.
    Backslash,
    /// Inside `\u`: hex digits still to come.
    Unicode(u8),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Number {
    Minus,
    Zero,
    Int,
    Dot,
    Frac,
    Exp,
    ExpSign,
    ExpDigits,
}

impl Number {
    /// Whether a number may end here.
    fn can_end(self) -> bool {
        matches!(
            self,
            Number::Zero | Number::Int | Number::Frac | Number::ExpDigits
        )
    }

    /// The state after `byte`, if it continues the number.
    fn next(self, byte: u8) -> Option<Number> {
        let digit = byte.is_ascii_digit();
        let exp = byte == b'e' || byte == b'E';
        Some(match self {
            Number::Minus if byte == b'0' => Number::Zero,
            Number::Minus if digit => Number::Int,
            Number::Zero | Number::Int if byte == b'.' => Number::Dot,
            Number::Zero | Number::Int | Number::Frac if exp => Number::Exp,
            Number::Int if digit => Number::Int,
            Number::Dot | Number::Frac if digit => Number::Frac,
            Number::Exp if byte == b'+' || byte == b'-' => Number::ExpSign,
            Number::Exp | Number::ExpSign | Number::ExpDigits if digit => Number::ExpDigits,
            _ => return None,
        })
    }
}

fn is_whitespace(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\n' | b'\r')
}

impl JsonPrefix {
    /// The state of the empty text (a valid prefix, not complete).
    pub fn new() -> Self {
        JsonPrefix::default()
    }

    /// Reads `text` after what was pushed before; returns [`is_valid`](Self::is_valid).
    pub fn push(&mut self, text: &str) -> bool {
        for &byte in text.as_bytes() {
            if self.state == State::Invalid {
                break;
            }
            self.byte(byte);
        }
        self.is_valid()
    }

    /// Whether the text pushed so far can still be continued into valid JSON.
    pub fn is_valid(&self) -> bool {
        self.state != State::Invalid
    }

    /// Whether the text pushed so far is a whole JSON value (whitespace around it allowed).
    pub fn is_complete(&self) -> bool {
        self.stack.is_empty()
            && match self.state {
                State::AfterValue => true,
                State::Number(number) => number.can_end(),
                _ => false,
            }
    }

    fn byte(&mut self, byte: u8) {
        self.state = match self.state {
            State::Value => self.value(byte),
            State::ValueOrEnd if byte == b']' => self.close(),
            State::ValueOrEnd => self.value(byte),
            State::KeyOrEnd if byte == b'}' => self.close(),
            State::KeyOrEnd | State::Key => match byte {
                b'"' => State::Str {
                    key: true,
                    escape: Escape::None,
                },
                _ if is_whitespace(byte) => self.state,
                _ => State::Invalid,
            },
            State::Colon => match byte {
                b':' => State::Value,
                _ if is_whitespace(byte) => State::Colon,
                _ => State::Invalid,
            },
            State::AfterValue => self.after_value(byte),
            State::Str { key, escape } => string(key, escape, byte),
            State::Number(number) => match number.next(byte) {
                Some(next) => State::Number(next),
                None if number.can_end() => self.after_value(byte),
                None => State::Invalid,
            },
            State::Literal(rest) => match rest.split_first() {
                Some((&expected, [])) if expected == byte => State::AfterValue,
                Some((&expected, rest)) if expected == byte => State::Literal(rest),
                _ => State::Invalid,
            },
            State::Invalid => State::Invalid,
        };
    }

    /// The state after `byte` where a value must start.
    fn value(&mut self, byte: u8) -> State {
        match byte {
            b'{' => {
                self.stack.push(true);
                State::KeyOrEnd
            }
            b'[' => {
                self.stack.push(false);
                State::ValueOrEnd
            }
            b'"' => State::Str {
                key: false,
                escape: Escape::None,
            },
            b'-' => State::Number(Number::Minus),
            b'0' => State::Number(Number::Zero),
            b'1'..=b'9' => State::Number(Number::Int),
            b't' => State::Literal(b"rue"),
            b'f' => State::Literal(b"alse"),
            b'n' => State::Literal(b"ull"),
            _ if is_whitespace(byte) => self.state,
            _ => State::Invalid,
        }
    }

    /// The state after `byte` that follows a whole value.
    fn after_value(&mut self, byte: u8) -> State {
        match (self.stack.last(), byte) {
            (_, _) if is_whitespace(byte) => State::AfterValue,
            (Some(true), b',') => State::Key,
            (Some(false), b',') => State::Value,
            (Some(true), b'}') | (Some(false), b']') => self.close(),
            _ => State::Invalid,
        }
    }

    /// Closes the innermost container.
    fn close(&mut self) -> State {
        self.stack.pop();
        State::AfterValue
    }
}

/// The state after `byte` inside a string.
fn string(key: bool, escape: Escape, byte: u8) -> State {
    let escape = match (escape, byte) {
        (Escape::None, b'"') if key => return State::Colon,
        (Escape::None, b'"') => return State::AfterValue,
        (Escape::None, b'\\') => Escape::Backslash,
        (_, 0x00..=0x1f) => return State::Invalid,
        (Escape::None, _) => Escape::None,
        (Escape::Backslash, b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => Escape::None,
        (Escape::Backslash, b'u') => Escape::Unicode(4),
        (Escape::Unicode(left), _) if byte.is_ascii_hexdigit() => match left {
            1 => Escape::None,
            _ => Escape::Unicode(left - 1),
        },
        _ => return State::Invalid,
    };
    State::Str { key, escape }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn complete(text: &str) -> bool {
        let mut prefix = JsonPrefix::new();
        prefix.push(text) && prefix.is_complete()
    }

    #[test]
    fn every_prefix_of_valid_json_is_valid() {
        let texts = [
            r#"{"cmd": "echo wire-ok", "list": [1, -2.5e+3, 0.1E2, true, false, null, {}, []]}"#,
            r#"  {"a\"b\\c\/\u00e9\n": "\ud83d\ude00 é", "n": {"m": [[], [{}]]}}  "#,
            "[]",
            "-0",
            "\"plain\"",
            "12",
        ];
        for text in texts {
            assert!(
                serde_json::from_str::<serde_json::Value>(text).is_ok(),
                "{text}"
            );
            for end in (0..=text.len()).filter(|&end| text.is_char_boundary(end)) {
                assert!(is_valid_prefix(&text[..end]), "{:?}", &text[..end]);
            }
            assert!(complete(text), "{text}");
        }
    }

    #[test]
    fn what_no_json_starts_with() {
        let texts = [
            r#"{"cmd": "echo{"cmd": "echo wire-ok", "l"#,
            "{{",
            r#"{"a" 1"#,
            r#"{"a": 1 2"#,
            "{}{}",
            "{}x",
            "[1,]",
            "{,",
            r#"{"a":1,}"#,
            "01",
            "-a",
            "1.e",
            "1e+x",
            "tru e",
            "nul1",
            "\"\\x\"",
            "\"\\u12g4\"",
            "\"a\nb\"",
            "]",
            "é",
            "[1}",
        ];
        for text in texts {
            assert!(!is_valid_prefix(text), "{text:?}");
            assert!(
                serde_json::from_str::<serde_json::Value>(text).is_err(),
                "{text:?}"
            );
        }
    }

    #[test]
    fn complete_only_when_the_value_is_whole() {
        for text in [
            "{}",
            "[1]",
            " 1 ",
            "1",
            "1.5",
            "1e3",
            "true",
            "\"s\"",
            "{\"a\":{}}",
        ] {
            assert!(complete(text), "{text}");
        }
        for text in [
            "", " ", "{", "[1", "1.", "1e", "-", "tr", "\"s", "{\"a\":", "{\"a\"}",
        ] {
            assert!(!complete(text), "{text}");
        }
    }

    #[test]
    fn pushed_in_pieces_is_pushed_whole() {
        let text = r#"{"cmd": ["echo", "wire-ok"], "timeout": 1.5e3, "tty": false}"#;
        for cut in 0..=text.len() {
            let mut pieces = JsonPrefix::new();
            pieces.push(&text[..cut]);
            pieces.push(&text[cut..]);
            let mut whole = JsonPrefix::new();
            whole.push(text);
            assert_eq!(pieces, whole, "cut at {cut}");
        }
    }

    #[test]
    fn invalid_stays_invalid() {
        let mut prefix = JsonPrefix::new();
        assert!(!prefix.push("{}}"));
        assert!(!prefix.push("{}"));
        assert!(!prefix.is_complete());
    }
}
