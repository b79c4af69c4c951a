//! Objects merged through their JSON: a newer object over an older one (keeping what the newer
//! leaves out), and a delta object (message or step delta) into its object.

use serde_json::Value;

/// Replaces the element with the same id (keeping text the deltas gave when the new one has
/// none), or appends.
pub(super) fn upsert<T, F>(list: &mut Vec<T>, new: T, id: F)
where
    T: serde::Serialize + serde::de::DeserializeOwned,
    F: Fn(&T) -> &String,
{
    match list.iter().position(|x| id(x) == id(&new)) {
        Some(pos) => {
            let old = serde_json::to_value(&list[pos]).unwrap_or(Value::Null);
            let mut merged = serde_json::to_value(&new).unwrap_or(Value::Null);
            keep_missing(&mut merged, &old);
            list[pos] = serde_json::from_value(merged).unwrap_or(new);
        }
        None => list.push(new),
    }
}

/// Fills empty arrays and null values of `new` from `old`, recursively.
fn keep_missing(new: &mut Value, old: &Value) {
    match (new, old) {
        (Value::Object(n), Value::Object(o)) => {
            for (key, ov) in o {
                match n.get_mut(key) {
                    Some(nv) => keep_missing(nv, ov),
                    None => {
                        n.insert(key.clone(), ov.clone());
                    }
                }
            }
        }
        (n @ Value::Null, o) => *n = o.clone(),
        (Value::Array(n), Value::Array(o)) if n.is_empty() => n.clone_from(o),
        _ => {}
    }
}

/// Applies a delta object (message or step delta) to `target` through their JSON.
pub(super) fn apply_patch<T>(target: &mut T, patch: &Value)
where
    T: serde::Serialize + serde::de::DeserializeOwned,
{
    let Ok(mut value) = serde_json::to_value(&*target) else {
        return;
    };
    merge_delta(&mut value, patch);
    if let Ok(updated) = serde_json::from_value(value) {
        *target = updated;
    }
}

/// Keys whose string values stream in pieces and are concatenated.
const APPENDED: &[&str] = &[
    "value",
    "arguments",
    "input",
    "output",
    "logs",
    "text",
    "refusal",
];

/// Merges a delta into a value: objects key by key, arrays of objects by their `index`
/// (an index beyond the array appends one element), the strings of [`APPENDED`] keys
/// concatenated, anything else replaced.
fn merge_delta(target: &mut Value, delta: &Value) {
    match (target, delta) {
        (Value::Object(t), Value::Object(d)) => {
            for (key, dv) in d {
                if dv.is_null() {
                    continue;
                }
                match t.get_mut(key) {
                    Some(Value::String(ts)) if APPENDED.contains(&key.as_str()) => {
                        if let Value::String(ds) = dv {
                            ts.push_str(ds);
                        }
                    }
                    Some(tv) if !tv.is_null() => merge_delta(tv, dv),
                    _ => {
                        t.insert(key.clone(), strip_indices(dv));
                    }
                }
            }
        }
        (Value::Array(t), Value::Array(d)) => {
            for dv in d {
                let index = dv
                    .get("index")
                    .and_then(Value::as_u64)
                    .and_then(|i| usize::try_from(i).ok());
                match index {
                    Some(i) if i < t.len() => merge_delta(&mut t[i], dv),
                    _ => t.push(strip_indices(dv)),
                }
            }
        }
        (t, d) => *t = strip_indices(d),
    }
}

/// A delta fragment as a whole value: without the `index` keys the final objects do not have.
fn strip_indices(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(k, _)| k.as_str() != "index")
                .map(|(k, v)| (k.clone(), strip_indices(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(strip_indices).collect()),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn merge_by_index_appends_strings() {
        let mut v = json!({"step_details":{"tool_calls":[{"id":"c","function":{"name":"f","arguments":"{"}}]}});
        merge_delta(
            &mut v,
            &json!({"step_details":{"tool_calls":[{"index":0,"function":{"arguments":"}"}},{"index":1,"id":"d"}]}}),
        );
        assert_eq!(
            v["step_details"]["tool_calls"][0]["function"]["arguments"],
            "{}"
        );
        assert_eq!(v["step_details"]["tool_calls"][1], json!({"id":"d"}));
    }
}
