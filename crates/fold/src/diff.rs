//! Differences between a folded value and the authoritative one, as JSON paths.

use serde_json::Value;

/// The most differences recorded for one comparison; the rest are summarised in one entry.
pub(crate) const MAX_DIFFERENCES: usize = 200;

/// One place where the fold of the stream's events and the server's final object disagree.
///
/// `path` names the place in the final object's JSON, e.g. `output[1].arguments` or
/// `output[0].content[0].text`; a value absent on one side is `null`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Difference {
    /// Where the values differ, e.g. `output[1].arguments`.
    pub path: String,
    /// The value the fold of the events gave.
    pub folded: Value,
    /// The value of the authoritative final object.
    pub authoritative: Value,
}

impl std::fmt::Display for Difference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: folded {} but the final object has {}",
            self.path,
            short(&self.folded),
            short(&self.authoritative)
        )
    }
}

fn short(value: &Value) -> String {
    let text = value.to_string();
    if text.chars().count() > 120 {
        let cut: String = text.chars().take(117).collect();
        format!("{cut}...")
    } else {
        text
    }
}

/// Appends the leaf differences between `folded` and `authoritative` under `path` to `out`.
pub(crate) fn diff_values(
    path: &str,
    folded: &Value,
    authoritative: &Value,
    out: &mut Vec<Difference>,
) {
    if out.len() >= MAX_DIFFERENCES {
        return;
    }
    match (folded, authoritative) {
        (Value::Object(a), Value::Object(b)) => {
            for (key, av) in a {
                let bv = b.get(key).unwrap_or(&Value::Null);
                diff_values(&format!("{path}.{key}"), av, bv, out);
            }
            for (key, bv) in b {
                if !a.contains_key(key) {
                    diff_values(&format!("{path}.{key}"), &Value::Null, bv, out);
                }
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            for i in 0..a.len().max(b.len()) {
                let av = a.get(i).unwrap_or(&Value::Null);
                let bv = b.get(i).unwrap_or(&Value::Null);
                diff_values(&format!("{path}[{i}]"), av, bv, out);
            }
        }
        (a, b) if a == b => {}
        // An empty array or object and an absent value say the same thing.
        (Value::Null, Value::Array(v)) | (Value::Array(v), Value::Null) if v.is_empty() => {}
        (Value::Null, Value::Object(m)) | (Value::Object(m), Value::Null) if m.is_empty() => {}
        (a, b) => {
            if out.len() + 1 == MAX_DIFFERENCES {
                out.push(Difference {
                    path: format!("{path} (and possibly more; comparison stopped)"),
                    folded: a.clone(),
                    authoritative: b.clone(),
                });
            } else {
                out.push(Difference {
                    path: path.to_owned(),
                    folded: a.clone(),
                    authoritative: b.clone(),
                });
            }
        }
    }
}

/// Compares two serializable values; a value that does not serialize compares as `null`.
pub(crate) fn diff<T: serde::Serialize + ?Sized>(
    path: &str,
    folded: &T,
    authoritative: &T,
) -> Vec<Difference> {
    let a = serde_json::to_value(folded).unwrap_or(Value::Null);
    let b = serde_json::to_value(authoritative).unwrap_or(Value::Null);
    let mut out = Vec::new();
    diff_values(path, &a, &b, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn paths_name_the_leaf() {
        let mut out = Vec::new();
        diff_values(
            "output",
            &json!([{"type":"function_call","arguments":"{\"a\":1"}]),
            &json!([{"type":"function_call","arguments":"{\"a\":1}"}]),
            &mut out,
        );
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].path, "output[0].arguments");
        assert_eq!(out[0].authoritative, json!("{\"a\":1}"));
    }

    #[test]
    fn missing_items_and_empty_arrays() {
        let mut out = Vec::new();
        diff_values("o", &json!({"a":[]}), &json!({"b":null, "c":[1]}), &mut out);
        assert_eq!(out.len(), 1, "{out:?}");
        assert_eq!(out[0].path, "o.c");
        assert_eq!(out[0].folded, Value::Null);
        assert_eq!(out[0].authoritative, json!([1]));
    }

    #[test]
    fn bounded() {
        let a: Vec<u32> = (0..1000).collect();
        let b: Vec<u32> = (1..1001).collect();
        let mut out = Vec::new();
        diff_values("x", &json!(a), &json!(b), &mut out);
        assert_eq!(out.len(), MAX_DIFFERENCES);
    }
}
