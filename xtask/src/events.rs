//! `cargo xtask events`: writes `spec/events.json`, the inventory of every event type per
//! protocol, from the files it is made of:
//!
//! - `spec/events-index.json`: the protocols (transport, and the spec's root unions that list
//!   their events) and the inventory of the events the spec snapshot has, with the facts no file
//!   in the repository can give (first seen in the spec's history, the SDK class and the date its
//!   module appeared, whether the docs list it). It was derived once from the spec and the SDK
//!   history (see `spec/SOURCE.md`). It has no field lists: each event's fields are read from
//!   `spec/openapi.yaml` (its arm of the protocol's root unions, or its schema), so that a
//!   changed field of an existing event shows in the inventory;
//! - `spec/additions/*.yaml`: the events newer SDKs define, each listed under its protocol, with
//!   its fields and description taken from the addition's schema.
//!
//! The generator checks the index against `spec/openapi.yaml`: every event type of a protocol's
//! root unions (and of the spec's `webhooks` section) must be in the inventory, so that a new
//! spec snapshot whose events the index lacks fails here instead of going unnoticed.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use anyhow::{Context, Result, bail};
use serde_json::{Map, Value as Json, json};
use serde_norway::Value;

use crate::codegen::additions::{self, Addition};
use crate::codegen::prepare;

/// The generated inventory, relative to the repository root.
pub const OUTPUT: &str = "spec/events.json";
/// The committed input table, relative to the repository root.
pub const INDEX: &str = "spec/events-index.json";

/// Builds `spec/events.json`'s text.
pub fn generate(root: &Path) -> Result<String> {
    let index: Json = serde_json::from_str(
        &std::fs::read_to_string(root.join(INDEX)).with_context(|| INDEX.to_owned())?,
    )
    .with_context(|| INDEX.to_owned())?;
    let protocols = index
        .get("protocols")
        .and_then(Json::as_object)
        .with_context(|| format!("{INDEX}: no `protocols`"))?;
    let events = index
        .get("events")
        .and_then(Json::as_object)
        .with_context(|| format!("{INDEX}: no `events`"))?;
    let spec = load_spec(root)?;
    let mut schemas = spec_schemas(&spec)?;
    let additions = additions::load_all(root)?;
    additions::apply(&mut schemas, &additions)?;

    for addition in &additions {
        for protocol in addition.events.keys() {
            if !protocols.contains_key(protocol) {
                bail!(
                    "{}: protocol {protocol} is not in {INDEX} `protocols`",
                    addition.file
                );
            }
        }
    }
    let mut out = Map::new();
    for (protocol, meta) in protocols {
        let arms = root_arms(meta, &schemas);
        let mut entries: Vec<Json> = events
            .get(protocol)
            .and_then(Json::as_array)
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .map(|entry| with_spec_fields(&schemas, &arms, entry))
            .collect::<Result<_>>()?;
        let transport = meta.get("transport").and_then(Json::as_str).unwrap_or("");
        for addition in &additions {
            for name in addition.events.get(protocol).into_iter().flatten() {
                entries.push(added_entry(&schemas, addition, name, transport)?);
            }
        }
        check_unique(protocol, &entries)?;
        check_roots(protocol, meta, &entries, &spec, &schemas)?;
        out.insert(protocol.clone(), Json::Array(entries));
    }
    let mut text = serde_json::to_string_pretty(&Json::Object(out))?;
    text.push('\n');
    Ok(text)
}

/// Writes `spec/events.json`, or with `check`, fails when it differs from what is committed.
pub fn run(root: &Path, check: bool) -> Result<()> {
    let text = generate(root)?;
    let path = root.join(OUTPUT);
    let current = std::fs::read_to_string(&path).unwrap_or_default();
    if current != text {
        if check {
            bail!("{OUTPUT} is out of date; run `cargo xtask events`");
        }
        std::fs::write(&path, &text)?;
    }
    println!("{:>7} lines  {OUTPUT}", text.lines().count());
    Ok(())
}

fn load_spec(root: &Path) -> Result<Value> {
    let text = std::fs::read_to_string(root.join("spec/openapi.yaml"))?;
    serde_norway::from_str(&prepare::widen_huge_integers(&text)).context("spec/openapi.yaml")
}

fn spec_schemas(spec: &Value) -> Result<BTreeMap<String, Value>> {
    let map = spec
        .get("components")
        .and_then(|c| c.get("schemas"))
        .and_then(Value::as_mapping)
        .context("spec has no components.schemas")?;
    let mut schemas = BTreeMap::new();
    for (name, schema) in map {
        schemas.insert(
            name.as_str().context("schema name")?.to_owned(),
            schema.clone(),
        );
    }
    Ok(schemas)
}

/// The inventory entry of an event from `spec/additions/`.
fn added_entry(
    schemas: &BTreeMap<String, Value>,
    addition: &Addition,
    name: &str,
    transport: &str,
) -> Result<Json> {
    let schema = schemas.get(name).context("addition schema")?;
    let flat = prepare::flatten_all_of(schemas, schema);
    let wire_type = tag_values(&flat)
        .first()
        .map(|t| (*t).to_owned())
        .with_context(|| format!("{}: {name} has no `type` tag", addition.file))?;
    let (required_fields, optional_fields) = fields(&flat)?;
    let description = schema
        .get("description")
        .and_then(Value::as_str)
        .unwrap_or_default();
    Ok(json!({
        "type": wire_type,
        "required": required_fields,
        "optional": optional_fields,
        "payload_schema_ref": format!("#/components/schemas/{name}"),
        "schema": name,
        "description": description,
        "added_in": format!("{}/{}", additions::ADDITIONS_DIR, addition.file),
        "sdk": addition.sdk,
        "transport": transport,
    }))
}

/// The required and optional fields of a (flattened) event schema, each with its
/// [`render`]ed type.
fn fields(flat: &Value) -> Result<(Map<String, Json>, Map<String, Json>)> {
    let required: BTreeSet<&str> = flat
        .get("required")
        .and_then(Value::as_sequence)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let mut required_fields = Map::new();
    let mut optional_fields = Map::new();
    for (field, property) in flat
        .get("properties")
        .and_then(Value::as_mapping)
        .into_iter()
        .flatten()
    {
        let field = field.as_str().context("property name")?;
        let rendered = Json::String(render(property, 0));
        if required.contains(field) {
            required_fields.insert(field.to_owned(), rendered);
        } else {
            optional_fields.insert(field.to_owned(), rendered);
        }
    }
    Ok((required_fields, optional_fields))
}

/// An index entry with its fields read from the spec (with the additions' extensions), so that a
/// changed field of an existing event reaches `spec/events.json`. The event's schema is its arm
/// of the protocol's root unions when it has one (a WebSocket arm adds `stream_id`), otherwise its
/// `schema`, or the alternative of that schema whose `type` or `event` is the event's. Entries
/// whose schema the spec lacks keep the index's fields.
fn with_spec_fields(
    schemas: &BTreeMap<String, Value>,
    arms: &BTreeMap<String, Value>,
    mut entry: Json,
) -> Result<Json> {
    let wire_type = entry_type(&entry).to_owned();
    let from_schema = || {
        let name = entry.get("schema").and_then(Json::as_str)?;
        let flat = prepare::flatten_all_of(schemas, schemas.get(name)?);
        if flat.get("properties").is_some() {
            return Some(flat);
        }
        alternative_for(schemas, &flat, &wire_type)
    };
    let Some(flat) = arms.get(&wire_type).cloned().or_else(from_schema) else {
        bail!("{wire_type}: no schema for it in the spec (its `schema` in {INDEX})");
    };
    let (required, optional) = fields(&flat)?;
    // `type`, then the fields, then the index's facts: the inventory's reading order.
    let mut object = Map::new();
    object.insert("type".to_owned(), Json::String(wire_type));
    object.insert("required".to_owned(), Json::Object(required));
    object.insert("optional".to_owned(), Json::Object(optional));
    if let Some(facts) = entry.as_object_mut() {
        for (key, value) in std::mem::take(facts) {
            object.entry(key).or_insert(value);
        }
    }
    Ok(Json::Object(object))
}

/// The alternative of a `oneOf`/`anyOf` schema whose `type` or `event` tag is `wire_type`,
/// flattened.
fn alternative_for(
    schemas: &BTreeMap<String, Value>,
    union: &Value,
    wire_type: &str,
) -> Option<Value> {
    union_arms(schemas, union).into_iter().find(|arm| {
        tag_values(arm).contains(&wire_type) || event_tag_values(arm).contains(&wire_type)
    })
}

/// The values a schema's `event` property is restricted to (the Assistants stream's tag).
fn event_tag_values(schema: &Value) -> Vec<&str> {
    schema
        .get("properties")
        .and_then(|p| p.get("event"))
        .and_then(|tag| tag.get("enum"))
        .and_then(Value::as_sequence)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect()
}

/// The alternatives of a `oneOf`/`anyOf` schema, resolved and flattened.
fn union_arms(schemas: &BTreeMap<String, Value>, union: &Value) -> Vec<Value> {
    ["oneOf", "anyOf"]
        .iter()
        .filter_map(|key| union.get(*key).and_then(Value::as_sequence))
        .flatten()
        .map(|arm| prepare::flatten_all_of(schemas, &prepare::resolve(schemas, arm)))
        .collect()
}

/// Each event type of a protocol's root unions → its arm there, flattened.
fn root_arms(meta: &Json, schemas: &BTreeMap<String, Value>) -> BTreeMap<String, Value> {
    let mut arms = BTreeMap::new();
    let roots = meta.get("roots").and_then(Json::as_array);
    for root in roots.into_iter().flatten().filter_map(Json::as_str) {
        let Some(union) = schemas.get(root) else {
            continue;
        };
        for arm in union_arms(schemas, union) {
            for wire_type in tag_values(&arm) {
                arms.entry(wire_type.to_owned())
                    .or_insert_with(|| arm.clone());
            }
        }
    }
    arms
}

/// A short type notation for a property: `string`, `integer | null`, `array<Item>`,
/// `map<string, string>`, `object{a: string, b?: integer}`, `"x" | "y"`, a schema's name.
fn render(schema: &Value, depth: usize) -> String {
    let plain = render_plain(schema, depth);
    if schema.get("nullable").and_then(Value::as_bool) == Some(true) && !plain.ends_with("null") {
        return format!("{plain} | null");
    }
    plain
}

fn render_plain(schema: &Value, depth: usize) -> String {
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        return prepare::schema_name(reference).to_owned();
    }
    for key in ["anyOf", "oneOf"] {
        if let Some(alternatives) = schema.get(key).and_then(Value::as_sequence) {
            let parts: Vec<String> = alternatives.iter().map(|a| render(a, depth)).collect();
            return parts.join(" | ");
        }
    }
    if let Some(values) = schema.get("enum").and_then(Value::as_sequence) {
        let parts: Vec<String> = values
            .iter()
            .map(|v| match v.as_str() {
                Some(s) => format!("\"{s}\""),
                None => "null".to_owned(),
            })
            .collect();
        return parts.join(" | ");
    }
    match schema.get("type").and_then(Value::as_str) {
        Some("array") => {
            let items = schema
                .get("items")
                .map(|i| render(i, depth + 1))
                .unwrap_or_else(|| "any".to_owned());
            format!("array<{items}>")
        }
        Some("object") => render_object(schema, depth),
        Some(other) => other.to_owned(),
        None => "any".to_owned(),
    }
}

fn render_object(schema: &Value, depth: usize) -> String {
    if let Some(values) = schema
        .get("additionalProperties")
        .filter(|v| v.is_mapping())
    {
        return format!("map<string, {}>", render(values, depth + 1));
    }
    let Some(properties) = schema.get("properties").and_then(Value::as_mapping) else {
        return "object".to_owned();
    };
    if depth > 1 || properties.is_empty() {
        return "object".to_owned();
    }
    let required: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_sequence)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let fields: Vec<String> = properties
        .iter()
        .filter_map(|(name, property)| {
            let name = name.as_str()?;
            let mark = if required.contains(&name) { "" } else { "?" };
            Some(format!("{name}{mark}: {}", render(property, depth + 1)))
        })
        .collect();
    format!("object{{{}}}", fields.join(", "))
}

/// The values a schema's `type` property (or an `allOf` part's) is restricted to.
pub fn tag_values(schema: &Value) -> Vec<&str> {
    let mut out = Vec::new();
    if let Some(tag) = schema.get("properties").and_then(|p| p.get("type")) {
        if let Some(values) = tag.get("enum").and_then(Value::as_sequence) {
            out.extend(values.iter().filter_map(Value::as_str));
        }
        if let Some(value) = tag.get("const").and_then(Value::as_str) {
            out.push(value);
        }
    }
    for part in schema
        .get("allOf")
        .and_then(Value::as_sequence)
        .into_iter()
        .flatten()
    {
        out.extend(tag_values(part));
    }
    out
}

fn entry_type(entry: &Json) -> &str {
    entry.get("type").and_then(Json::as_str).unwrap_or_default()
}

fn check_unique(protocol: &str, entries: &[Json]) -> Result<()> {
    let mut seen = BTreeSet::new();
    for entry in entries {
        if !seen.insert(entry_type(entry)) {
            bail!(
                "{protocol}: type {} is listed twice (is an addition now in the index?)",
                entry_type(entry)
            );
        }
    }
    Ok(())
}

/// Every event type of the protocol's root unions in the spec is in the inventory.
fn check_roots(
    protocol: &str,
    meta: &Json,
    entries: &[Json],
    spec: &Value,
    schemas: &BTreeMap<String, Value>,
) -> Result<()> {
    let listed: BTreeSet<&str> = entries.iter().map(entry_type).collect();
    let mut expected = BTreeSet::new();
    for root in meta
        .get("roots")
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
        .filter_map(Json::as_str)
    {
        if root == "#webhooks" {
            expected.extend(webhook_types(spec, schemas));
            continue;
        }
        let union = schemas
            .get(root)
            .with_context(|| format!("{protocol}: the spec has no root union {root}"))?;
        for arm in union_arms(schemas, union) {
            expected.extend(tag_values(&arm).into_iter().map(str::to_owned));
        }
    }
    let missing: Vec<&String> = expected
        .iter()
        .filter(|t| !listed.contains(t.as_str()))
        .collect();
    if !missing.is_empty() {
        bail!(
            "{protocol}: the spec has event types the inventory lacks: {missing:?}; add them to {INDEX}"
        );
    }
    Ok(())
}

/// The `type` of each payload of the spec's `webhooks` section.
fn webhook_types(spec: &Value, schemas: &BTreeMap<String, Value>) -> Vec<String> {
    let mut out = Vec::new();
    for (_, hook) in spec
        .get("webhooks")
        .and_then(Value::as_mapping)
        .into_iter()
        .flatten()
    {
        let schema = hook
            .get("post")
            .and_then(|p| p.get("requestBody"))
            .and_then(|b| b.get("content"))
            .and_then(|c| c.get("application/json"))
            .and_then(|j| j.get("schema"));
        if let Some(schema) = schema {
            let body = prepare::flatten_all_of(schemas, &prepare::resolve(schemas, schema));
            out.extend(tag_values(&body).into_iter().map(str::to_owned));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schemas() -> BTreeMap<String, Value> {
        let event = |t: &str| {
            serde_norway::from_str::<Value>(&format!(
                "type: object\nproperties:\n  type: {{type: string, enum: [{t}]}}\n  delta: {{type: string}}\nrequired: [type, delta]\n"
            ))
            .unwrap_or_else(|e| panic!("{e}"))
        };
        let union: Value = serde_norway::from_str(
            "oneOf:\n  - $ref: '#/components/schemas/A'\n  - allOf:\n      - $ref: '#/components/schemas/B'\n      - {type: object, properties: {stream_id: {type: string}}}\n",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        BTreeMap::from([
            ("A".to_owned(), event("x.a")),
            ("B".to_owned(), event("x.b")),
            ("Root".to_owned(), union),
        ])
    }

    #[test]
    fn a_type_of_a_root_union_missing_from_the_inventory_fails() {
        let meta = json!({"roots": ["Root"]});
        let spec = Value::Null;
        let both = [json!({"type": "x.a"}), json!({"type": "x.b"})];
        assert!(check_roots("p", &meta, &both, &spec, &schemas()).is_ok());
        let error = check_roots("p", &meta, &both[..1], &spec, &schemas())
            .expect_err("x.b is missing")
            .to_string();
        assert!(error.contains("x.b"), "{error}");
    }

    #[test]
    fn a_type_listed_twice_fails() {
        let twice = [json!({"type": "x.a"}), json!({"type": "x.a"})];
        assert!(check_unique("p", &twice).is_err());
    }

    #[test]
    fn property_types_render_short() {
        let cases = [
            ("{type: string}", "string"),
            (
                "{anyOf: [{type: integer}, {type: 'null'}]}",
                "integer | null",
            ),
            ("{type: string, enum: [a, b]}", "\"a\" | \"b\""),
            (
                "{type: array, items: {$ref: '#/components/schemas/Item'}}",
                "array<Item>",
            ),
            (
                "{type: object, additionalProperties: {type: string}}",
                "map<string, string>",
            ),
            (
                "{type: object, properties: {a: {type: string}, b: {type: integer}}, required: [a]}",
                "object{a: string, b?: integer}",
            ),
            ("{type: object, nullable: true}", "object | null"),
            ("{}", "any"),
        ];
        for (yaml, expected) in cases {
            let schema: Value = serde_norway::from_str(yaml).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(render(&schema, 0), expected, "{yaml}");
        }
    }

    #[test]
    fn an_index_entry_takes_its_fields_from_its_root_arm() {
        let schemas = schemas();
        let arms = root_arms(&json!({"roots": ["Root"]}), &schemas);
        let entry = json!({"type": "x.b", "schema": "B", "first_seen_in_spec_repo": "2025-01-01"});
        let entry = with_spec_fields(&schemas, &arms, entry).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            entry["required"],
            json!({"type": "\"x.b\"", "delta": "string"})
        );
        // The union's arm adds `stream_id` to B.
        assert_eq!(entry["optional"], json!({"stream_id": "string"}));
        assert_eq!(entry["first_seen_in_spec_repo"], "2025-01-01");
        let keys: Vec<&String> = entry
            .as_object()
            .into_iter()
            .flatten()
            .map(|(k, _)| k)
            .collect();
        assert_eq!(keys[..3], ["type", "required", "optional"]);
    }

    #[test]
    fn an_index_entry_follows_a_changed_schema() {
        let mut schemas = schemas();
        let changed: Value = serde_norway::from_str(
            "type: object\nproperties:\n  type: {type: string, enum: [x.a]}\n  text: {type: string}\nrequired: [type]\n",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        schemas.insert("A".to_owned(), changed);
        let entry = json!({"type": "x.a", "schema": "A", "required": {"delta": "string"}});
        let entry =
            with_spec_fields(&schemas, &BTreeMap::new(), entry).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(entry["required"], json!({"type": "\"x.a\""}));
        assert_eq!(entry["optional"], json!({"text": "string"}));
    }

    #[test]
    fn an_event_tagged_union_gives_the_alternative_of_its_event() {
        let union: Value = serde_norway::from_str(
            "oneOf:\n  - {type: object, properties: {event: {type: string, enum: [t.one]}, data: {type: string}}, required: [event, data]}\n  - {type: object, properties: {event: {type: string, enum: [t.two]}, data: {type: integer}}, required: [event, data]}\n",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let schemas = BTreeMap::from([("Stream".to_owned(), union)]);
        let entry = json!({"type": "t.two", "schema": "Stream"});
        let entry =
            with_spec_fields(&schemas, &BTreeMap::new(), entry).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            entry["required"],
            json!({"event": "\"t.two\"", "data": "integer"})
        );
        let unknown = json!({"type": "t.three", "schema": "Missing"});
        assert!(with_spec_fields(&schemas, &BTreeMap::new(), unknown).is_err());
    }
}
