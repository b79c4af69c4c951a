//! What `response.done` says against what the events folded, and the length of base64 audio.

use serde_json::Value;

use super::{RealtimeItem, RealtimePart};
use crate::diff::{Difference, MAX_DIFFERENCES};

/// Compares the folded output with `response.done`'s, on what the reference states.
pub(super) fn compare(folded: &[RealtimeItem], reference: &[RealtimeItem]) -> Vec<Difference> {
    let mut out = Vec::new();
    let s = |v: &Option<String>| v.clone().map_or(Value::Null, Value::String);
    if folded.len() != reference.len() {
        out.push(Difference {
            path: "output.length".to_owned(),
            folded: folded.len().into(),
            authoritative: reference.len().into(),
        });
    }
    let empty = RealtimeItem::default();
    for (i, r) in reference.iter().enumerate() {
        let f = folded.get(i).unwrap_or(&empty);
        let mut check = |path: String, a: Value, b: Value| {
            if a != b && out.len() < MAX_DIFFERENCES {
                out.push(Difference {
                    path,
                    folded: a,
                    authoritative: b,
                });
            }
        };
        check(
            format!("output[{i}].id"),
            f.id.clone().into(),
            r.id.clone().into(),
        );
        check(
            format!("output[{i}].type"),
            f.kind.clone().into(),
            r.kind.clone().into(),
        );
        for (field, a, b) in [
            ("call_id", &f.call_id, &r.call_id),
            ("name", &f.name, &r.name),
            ("arguments", &f.arguments, &r.arguments),
            ("output", &f.output, &r.output),
        ] {
            if b.is_some() {
                check(format!("output[{i}].{field}"), s(a), s(b));
            }
        }
        let none = RealtimePart::default();
        for (j, rp) in r.content.iter().enumerate() {
            let fp = f.content.get(j).unwrap_or(&none);
            if rp.text.is_some() {
                check(
                    format!("output[{i}].content[{j}].text"),
                    s(&fp.text),
                    s(&rp.text),
                );
            }
            if rp.transcript.is_some() {
                check(
                    format!("output[{i}].content[{j}].transcript"),
                    s(&fp.transcript),
                    s(&rp.transcript),
                );
            }
        }
    }
    out
}

/// The decoded length of base64 text, without decoding it.
pub(crate) fn base64_len(text: &str) -> u64 {
    let symbols = text
        .bytes()
        .filter(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'-' | b'_'))
        .count() as u64;
    symbols * 3 / 4
}

#[cfg(test)]
mod tests {
    use super::base64_len;

    #[test]
    fn base64_lengths() {
        assert_eq!(base64_len(""), 0);
        assert_eq!(base64_len("AAAA"), 3);
        assert_eq!(base64_len("AAA="), 2);
        assert_eq!(base64_len("AA=="), 1);
        assert_eq!(base64_len("AAAAAA=="), 4);
    }
}
