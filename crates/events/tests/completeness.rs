//! The completeness test: every event type of every protocol in the inventory
//! (`spec/events.json`) is modelled, decodes into its own variant and is written back as it was
//! read.
//!
//! The expectations do not come from the generated types. Each event is built from the spec
//! (`spec/openapi.yaml`) by a small, independent "minimal valid instance" builder that follows
//! the JSON Schema of the event's payload and keeps only required properties. The model then has
//! to decode that JSON into the right variant (never `Unknown`), report the inventory's wire type,
//! and serialize back to the same JSON (numbers compared by value, so `1` equals `1.0`).
//!
//! Every check collects its failures instead of stopping at the first, so one run lists all.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Debug;
use std::sync::OnceLock;

use openai_wire_events::{
    AgentSessionStreamEvent, AssistantStreamEvent, ChatCompletionStreamEvent,
    CompletionStreamEvent, ImageEditStreamEvent, ImageGenerationStreamEvent, LiveClientEvent,
    LiveServerEvent, RealtimeClientEvent, RealtimeServerEvent, RealtimeTranslationClientEvent,
    RealtimeTranslationServerEvent, ResponseStreamEvent, ResponsesClientEvent, SpeechStreamEvent,
    StreamEvent, TranscriptionStreamEvent, WebhookEvent,
};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

const OPENAPI_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../spec/openapi.yaml");
const INVENTORY_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../spec/events.json");
const ADDITIONS_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../spec/additions");
const GENERATED_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/src/generated");
const CODEGEN_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../spec/codegen.toml");

/// How deep the instance builder follows schemas before it reports a recursion.
const MAX_DEPTH: usize = 64;

// ---------------------------------------------------------------------------------------------
// The protocol enums and the inventory protocols each one covers.
// ---------------------------------------------------------------------------------------------

/// One event enum of the model, seen through the pieces of [`StreamEvent`] this test needs.
struct EnumUnderTest {
    /// The Rust name, for messages.
    name: &'static str,
    /// The `events.json` protocols whose types this enum must model.
    protocols: &'static [&'static str],
    /// Wire types the enum may have beyond the inventory (documented extras).
    allowed_extras: &'static [&'static str],
    /// `StreamEvent::PROTOCOL`.
    protocol_const: &'static str,
    /// `StreamEvent::WIRE_TYPES`.
    wire_types: &'static [&'static str],
    /// Runs one case against this enum.
    check: CaseCheck,
    /// Lists the nested values of one case that decode as `Unknown`.
    nested_unknowns: CaseCheck,
}

/// A check of one case against one enum, returning the problems found.
type CaseCheck = fn(&Case) -> Vec<String>;

macro_rules! enum_under_test {
    ($ty:ident, [$($protocol:literal),+ $(,)?], extras = [$($extra:literal),* $(,)?]) => {
        EnumUnderTest {
            name: stringify!($ty),
            protocols: &[$($protocol),+],
            allowed_extras: &[$($extra),*],
            protocol_const: <$ty as StreamEvent>::PROTOCOL,
            wire_types: <$ty as StreamEvent>::WIRE_TYPES,
            check: check_case::<$ty>,
            nested_unknowns: nested_unknowns::<$ty>,
        }
    };
}

/// Every event enum, with the inventory protocols folded into it.
fn enums_under_test() -> Vec<EnumUnderTest> {
    vec![
        enum_under_test!(
            ResponseStreamEvent,
            [
                "responses",
                "responses_beta",
                "responses_websocket_server",
                "responses_websocket_server_beta",
            ],
            extras = []
        ),
        enum_under_test!(
            ResponsesClientEvent,
            [
                "responses_websocket_client",
                "responses_websocket_client_beta"
            ],
            extras = []
        ),
        enum_under_test!(
            ChatCompletionStreamEvent,
            ["chat_completions"],
            extras = ["chat.completion", "error"]
        ),
        enum_under_test!(
            CompletionStreamEvent,
            ["completions_legacy"],
            extras = ["error"]
        ),
        enum_under_test!(
            RealtimeServerEvent,
            ["realtime_server", "realtime_beta_server"],
            extras = []
        ),
        enum_under_test!(
            RealtimeClientEvent,
            ["realtime_client", "realtime_beta_client"],
            extras = []
        ),
        enum_under_test!(
            RealtimeTranslationServerEvent,
            ["realtime_translation_server"],
            extras = []
        ),
        enum_under_test!(
            RealtimeTranslationClientEvent,
            ["realtime_translation_client"],
            extras = []
        ),
        enum_under_test!(AssistantStreamEvent, ["assistants"], extras = []),
        enum_under_test!(
            TranscriptionStreamEvent,
            ["audio_transcription"],
            extras = []
        ),
        enum_under_test!(SpeechStreamEvent, ["audio_speech"], extras = []),
        enum_under_test!(
            ImageGenerationStreamEvent,
            ["image_generation"],
            extras = []
        ),
        enum_under_test!(ImageEditStreamEvent, ["image_edit"], extras = []),
        enum_under_test!(WebhookEvent, ["webhooks"], extras = []),
        enum_under_test!(AgentSessionStreamEvent, ["agent_sessions"], extras = []),
        enum_under_test!(LiveServerEvent, ["live_server"], extras = []),
        enum_under_test!(LiveClientEvent, ["live_client"], extras = []),
    ]
}

// ---------------------------------------------------------------------------------------------
// Loading the inputs.
// ---------------------------------------------------------------------------------------------

/// `components.schemas` of the spec, as JSON, with those of `spec/additions/*.yaml` (the events
/// newer SDKs define) added and their `x-openai-wire.extend` applied (properties added, union
/// alternatives appended). This is a reading of the additions' format of its own, not the
/// generator's.
fn schemas() -> &'static Map<String, Value> {
    static SCHEMAS: OnceLock<Map<String, Value>> = OnceLock::new();
    SCHEMAS.get_or_init(|| {
        let text = std::fs::read_to_string(OPENAPI_PATH).expect("read spec/openapi.yaml");
        let mut schemas = yaml_schemas(&floats_for_huge_integers(&text));
        let mut paths: Vec<_> = std::fs::read_dir(ADDITIONS_DIR)
            .expect("read spec/additions")
            .map(|entry| entry.expect("dir entry").path())
            .filter(|path| path.extension().is_some_and(|x| x == "yaml"))
            .collect();
        paths.sort();
        for path in paths {
            let text = std::fs::read_to_string(&path).expect("read an addition");
            let yaml: serde_norway::Value = serde_norway::from_str(&text).expect("parse addition");
            let addition = yaml_to_json(&yaml);
            // An addition may only extend spec schemas (no `components` of its own).
            if let Some(Value::Object(added)) = addition.pointer("/components/schemas") {
                schemas.extend(added.clone());
            }
            let extend = addition
                .pointer("/x-openai-wire/extend")
                .and_then(Value::as_object);
            for (target, extension) in extend.into_iter().flatten() {
                let schema = schemas.get_mut(target).expect("extend target exists");
                extend_schema(schema, extension);
            }
        }
        schemas
    })
}

/// `components.schemas` of a YAML document, as JSON.
fn yaml_schemas(text: &str) -> Map<String, Value> {
    let yaml: serde_norway::Value = serde_norway::from_str(text).expect("parse YAML");
    match yaml_to_json(&yaml)
        .pointer_mut("/components/schemas")
        .map(Value::take)
    {
        Some(Value::Object(schemas)) => schemas,
        _ => panic!("no components.schemas"),
    }
}

/// Applies one `extend` entry of an addition to a schema.
fn extend_schema(schema: &mut Value, extension: &Value) {
    if let Some(properties) = extension.get("properties").and_then(Value::as_object) {
        let target = schema
            .as_object_mut()
            .expect("object schema")
            .entry("properties")
            .or_insert_with(|| Value::Object(Map::new()));
        for (name, property) in properties {
            target[name.as_str()] = property.clone();
        }
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(Value::Array(more)) = extension.get(key)
            && let Some(Value::Array(existing)) = schema.get_mut(key)
        {
            existing.extend(more.iter().cloned());
        }
    }
}

/// `spec/events.json`: protocol name → its event entries.
fn inventory() -> &'static Map<String, Value> {
    static INVENTORY: OnceLock<Map<String, Value>> = OnceLock::new();
    INVENTORY.get_or_init(|| {
        let text = std::fs::read_to_string(INVENTORY_PATH).expect("read spec/events.json");
        match serde_json::from_str(&text).expect("parse spec/events.json") {
            Value::Object(map) => map,
            _ => panic!("spec/events.json is not an object"),
        }
    })
}

/// The YAML parser rejects integer scalars outside 64 bits (the spec has
/// `minimum: -9223372036854776000`). Writes such plain `key: digits` scalars as floats.
fn floats_for_huge_integers(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let body = line.trim_end_matches(['\r', '\n']);
        let scalar = body
            .rsplit_once(": ")
            .map_or("", |(_, scalar)| scalar.trim());
        let digits = scalar.strip_prefix('-').unwrap_or(scalar);
        let too_big = !digits.is_empty()
            && digits.bytes().all(|b| b.is_ascii_digit())
            && scalar.parse::<i64>().is_err()
            && scalar.parse::<u64>().is_err();
        out.push_str(body);
        if too_big {
            out.push_str(".0");
        }
        out.push_str(&line[body.len()..]);
    }
    out
}

/// Converts a YAML tree into JSON (non-string keys are written as their text).
fn yaml_to_json(yaml: &serde_norway::Value) -> Value {
    use serde_norway::Value as Y;
    match yaml {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(*b),
        Y::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::from(i)
            } else if let Some(u) = n.as_u64() {
                Value::from(u)
            } else {
                n.as_f64()
                    .and_then(serde_json::Number::from_f64)
                    .map_or(Value::Null, Value::Number)
            }
        }
        Y::String(s) => Value::String(s.clone()),
        Y::Sequence(items) => Value::Array(items.iter().map(yaml_to_json).collect()),
        Y::Mapping(map) => Value::Object(
            map.iter()
                .map(|(key, value)| {
                    let key = match key {
                        Y::String(s) => s.clone(),
                        other => match yaml_to_json(other) {
                            Value::String(s) => s,
                            other => other.to_string(),
                        },
                    };
                    (key, yaml_to_json(value))
                })
                .collect(),
        ),
        Y::Tagged(tagged) => yaml_to_json(&tagged.value),
    }
}

// ---------------------------------------------------------------------------------------------
// The minimal valid instance builder.
// ---------------------------------------------------------------------------------------------

/// Builds the smallest JSON value a schema accepts, keeping only required properties.
///
/// Rules: `$ref` is resolved in `components.schemas`; `allOf` merges the properties and the
/// required lists of its parts; `oneOf`/`anyOf` take the first alternative that is not the
/// null type; `const`/`enum` take the first non-null value; `string` is `"x"`, `integer` is `1`,
/// `number` is `1.5`, `boolean` is `true`; an array has `minItems` items (none by default; at
/// least one with [`InstanceBuilder::with_one_item_per_array`]); an
/// object has exactly its required properties (a required name with no property schema is left
/// out, as the inventory does), plus `null` for the optional fields a strict writer writes
/// anyway (see [`always_written`]); a schema that says nothing is `{}`; `$recursiveRef` is `{}`.
/// `nullable: true` and `"null"` in a type list are ignored: the non-null form is built.
struct InstanceBuilder<'a> {
    schemas: &'a Map<String, Value>,
    /// The least number of items of every array (`minItems` when larger).
    array_items: u64,
}

/// The properties and required names an object schema collects from its `allOf` parts and
/// chosen union alternatives.
#[derive(Default)]
struct ObjectShape<'a> {
    properties: Vec<(&'a str, &'a Value)>,
    required: Vec<&'a str>,
}

impl<'a> InstanceBuilder<'a> {
    /// The minimal builder: arrays have `minItems` items, most often none.
    fn new(schemas: &'a Map<String, Value>) -> Self {
        Self {
            schemas,
            array_items: 0,
        }
    }

    /// A builder that puts at least one item in every array, so that the item types (choices,
    /// output items, content parts, …) are exercised too.
    fn with_one_item_per_array(schemas: &'a Map<String, Value>) -> Self {
        Self {
            schemas,
            array_items: 1,
        }
    }

    /// Resolves a `#/components/schemas/Name` reference.
    fn resolve(&self, reference: &str) -> Result<&'a Value, String> {
        let name = reference
            .strip_prefix("#/components/schemas/")
            .ok_or_else(|| format!("unsupported $ref `{reference}`"))?;
        self.schemas
            .get(name)
            .ok_or_else(|| format!("$ref to missing schema `{name}`"))
    }

    /// The minimal instance of the schema named `name`.
    fn named(&self, name: &str) -> Result<Value, String> {
        let schema = self
            .schemas
            .get(name)
            .ok_or_else(|| format!("no schema `{name}` in components.schemas"))?;
        let mut value = self
            .instance(schema, 0)
            .map_err(|e| format!("building `{name}`: {e}"))?;
        add_always_written(name, &mut value);
        Ok(value)
    }

    /// The minimal instance of `schema`.
    fn instance(&self, schema: &'a Value, depth: usize) -> Result<Value, String> {
        if depth > MAX_DEPTH {
            return Err(format!(
                "schema nesting deeper than {MAX_DEPTH} (recursion?)"
            ));
        }
        let Value::Object(map) = schema else {
            // `true` or a non-schema: anything goes.
            return Ok(Value::Object(Map::new()));
        };
        if map.contains_key("$recursiveRef") {
            return Ok(Value::Object(Map::new()));
        }
        if let Some(reference) = map.get("$ref").and_then(Value::as_str) {
            let target = self.resolve(reference)?;
            let mut value = self
                .instance(target, depth + 1)
                .map_err(|e| format!("{reference} → {e}"))?;
            add_always_written(ref_name(reference), &mut value);
            return Ok(value);
        }
        if let Some(value) = map.get("const").filter(|v| !v.is_null()) {
            return Ok(value.clone());
        }
        if let Some(values) = map.get("enum").and_then(Value::as_array) {
            return Ok(values
                .iter()
                .find(|v| !v.is_null())
                .cloned()
                .unwrap_or(Value::Null));
        }
        if let Some(parts) = map.get("allOf").and_then(Value::as_array)
            && !map.contains_key("properties")
        {
            // `allOf: [{$ref: X}, {nullable: true}]` only annotates X, which may be any type.
            let mut constraining = parts.iter().filter(|part| constrains(part));
            if let (Some(only), None) = (constraining.next(), constraining.next()) {
                return self.instance(only, depth + 1);
            }
        }
        if map.contains_key("allOf") || map.contains_key("properties") {
            return self.object(schema, depth);
        }
        if let Some(alternative) = self.first_alternative(map)? {
            return self.instance(alternative, depth + 1);
        }
        match schema_type(map) {
            Some("object") => self.object(schema, depth),
            Some("array") => self.array(map, depth),
            Some("string") => Ok(Value::from("x")),
            Some("integer") => Ok(Value::from(1)),
            Some("number") => Ok(Value::from(1.5)),
            Some("boolean") => Ok(Value::Bool(true)),
            Some("null") => Ok(Value::Null),
            Some(other) => Err(format!("unsupported type `{other}`")),
            None if map.contains_key("items") => self.array(map, depth),
            None => Ok(Value::Object(Map::new())),
        }
    }

    /// The first `oneOf`/`anyOf` alternative that is not the null type, if the schema is a union.
    fn first_alternative(&self, map: &'a Map<String, Value>) -> Result<Option<&'a Value>, String> {
        let Some(alternatives) = map
            .get("oneOf")
            .or_else(|| map.get("anyOf"))
            .and_then(Value::as_array)
        else {
            return Ok(None);
        };
        alternatives
            .iter()
            .find(|alternative| !is_null_schema(alternative))
            .map(Some)
            .ok_or_else(|| "a union with only null alternatives".to_owned())
    }

    fn array(&self, map: &'a Map<String, Value>, depth: usize) -> Result<Value, String> {
        let count = map
            .get("minItems")
            .and_then(Value::as_u64)
            .unwrap_or(0)
            .max(self.array_items);
        let mut items = Vec::new();
        if count > 0 {
            static ANY: Value = Value::Bool(true);
            let item_schema = map.get("items").unwrap_or(&ANY);
            for _ in 0..count {
                items.push(self.instance(item_schema, depth + 1)?);
            }
        }
        Ok(Value::Array(items))
    }

    fn object(&self, schema: &'a Value, depth: usize) -> Result<Value, String> {
        let mut shape = ObjectShape::default();
        self.collect_shape(schema, &mut shape, depth)?;
        let mut object = Map::new();
        for name in &shape.required {
            if object.contains_key(*name) {
                continue;
            }
            // The first part that declares a property gives its schema.
            let Some((_, property)) = shape.properties.iter().find(|(p, _)| p == name) else {
                continue;
            };
            let value = self
                .instance(property, depth + 1)
                .map_err(|e| format!(".{name}: {e}"))?;
            object.insert((*name).to_owned(), value);
        }
        // A `type` with a single allowed value is the object's discriminator: a strict writer
        // writes it even where the spec leaves it optional, so the minimal instance has it too.
        if !object.contains_key("type") {
            if let Some((_, property)) = shape.properties.iter().find(|(p, _)| *p == "type") {
                let values = property.get("enum").and_then(Value::as_array);
                if let Some([Value::String(only)]) = values.map(Vec::as_slice) {
                    object.insert("type".to_owned(), Value::String(only.clone()));
                }
            }
        }
        Ok(Value::Object(object))
    }

    /// Gathers properties and required names through `$ref`, `allOf` and union alternatives.
    fn collect_shape(
        &self,
        schema: &'a Value,
        shape: &mut ObjectShape<'a>,
        depth: usize,
    ) -> Result<(), String> {
        if depth > MAX_DEPTH {
            return Err(format!("allOf nesting deeper than {MAX_DEPTH}"));
        }
        let Value::Object(map) = schema else {
            return Ok(());
        };
        if let Some(reference) = map.get("$ref").and_then(Value::as_str) {
            return self.collect_shape(self.resolve(reference)?, shape, depth + 1);
        }
        if let Some(parts) = map.get("allOf").and_then(Value::as_array) {
            for part in parts {
                self.collect_shape(part, shape, depth + 1)?;
            }
        }
        if let Some(properties) = map.get("properties").and_then(Value::as_object) {
            shape
                .properties
                .extend(properties.iter().map(|(name, s)| (name.as_str(), s)));
        }
        if let Some(required) = map.get("required").and_then(Value::as_array) {
            shape
                .required
                .extend(required.iter().filter_map(Value::as_str));
        }
        if let Some(alternative) = self.first_alternative(map)? {
            self.collect_shape(alternative, shape, depth + 1)?;
        }
        Ok(())
    }
}

/// The optional fields that a strict writer writes even when unset, as `null`, by schema:
/// `[write] always_written` of `spec/codegen.toml` (`"Schema.field"` entries; the schemas it
/// names keep their spec names in the model). OpenAI writes every field of its Response objects;
/// the spec makes most of them optional.
///
/// The entry is a flat array of quoted strings, read here without a TOML parser: from
/// `always_written = [` to the next `]`, comments left out.
fn always_written() -> &'static BTreeMap<String, BTreeSet<String>> {
    static FIELDS: OnceLock<BTreeMap<String, BTreeSet<String>>> = OnceLock::new();
    FIELDS.get_or_init(|| {
        let text = std::fs::read_to_string(CODEGEN_PATH).expect("spec/codegen.toml");
        let (_, list) = text
            .split_once("\nalways_written = [")
            .expect("spec/codegen.toml has `always_written = [`");
        let (list, _) = list
            .split_once(']')
            .expect("`always_written` ends with `]`");
        let mut fields: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for line in list.lines() {
            let code = line.split('#').next().unwrap_or_default();
            for entry in code.split('"').skip(1).step_by(2) {
                let (schema, field) = entry.split_once('.').expect("`Schema.field`");
                fields
                    .entry(schema.to_owned())
                    .or_default()
                    .insert(field.to_owned());
            }
        }
        fields
    })
}

/// Adds `null` for the fields of `schema` that are always written and that the minimal
/// instance `value` lacks. A `Beta…` schema is its GA twin's type in the model (the generator
/// folds one into the other), so it has the same fields.
fn add_always_written(schema: &str, value: &mut Value) {
    let ga = schema
        .strip_prefix("Beta")
        .map(|rest| rest.strip_prefix('_').unwrap_or(rest))
        .filter(|rest| rest.starts_with(|c: char| c.is_ascii_uppercase()))
        .unwrap_or(schema);
    let (Some(fields), Value::Object(object)) = (always_written().get(ga), value) else {
        return;
    };
    for field in fields {
        object.entry(field.clone()).or_insert(Value::Null);
    }
}

/// The schema's type, ignoring `"null"` in a type list (`nullable` needs no handling: the
/// non-null form is always built). `Some("null")` only when null is the only type.
fn schema_type(map: &Map<String, Value>) -> Option<&str> {
    match map.get("type")? {
        Value::String(t) => Some(t),
        Value::Array(types) => {
            let names: Vec<&str> = types.iter().filter_map(Value::as_str).collect();
            names
                .iter()
                .copied()
                .find(|t| *t != "null")
                .or_else(|| names.first().copied())
        }
        _ => None,
    }
}

/// Whether an `allOf` part says anything about the value (rather than only annotating it with
/// `nullable`, `description`, …).
fn constrains(schema: &Value) -> bool {
    const KEYWORDS: &[&str] = &[
        "$ref",
        "$recursiveRef",
        "type",
        "properties",
        "required",
        "allOf",
        "oneOf",
        "anyOf",
        "enum",
        "const",
        "items",
        "additionalProperties",
    ];
    schema
        .as_object()
        .is_none_or(|map| KEYWORDS.iter().any(|k| map.contains_key(*k)))
}

/// Whether a union alternative only admits `null`.
fn is_null_schema(schema: &Value) -> bool {
    let Some(map) = schema.as_object() else {
        return false;
    };
    if let Some(values) = map.get("enum").and_then(Value::as_array) {
        return values.iter().all(Value::is_null);
    }
    schema_type(map) == Some("null")
}

// ---------------------------------------------------------------------------------------------
// JSON comparison.
// ---------------------------------------------------------------------------------------------

/// Whether two JSON values are equal, numbers compared by value (`1 == 1.0`).
fn json_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => numbers_eq(x, y),
        (Value::Array(xs), Value::Array(ys)) => {
            xs.len() == ys.len() && xs.iter().zip(ys).all(|(x, y)| json_eq(x, y))
        }
        (Value::Object(xs), Value::Object(ys)) => {
            xs.len() == ys.len()
                && xs
                    .iter()
                    .all(|(k, x)| ys.get(k).is_some_and(|y| json_eq(x, y)))
        }
        _ => a == b,
    }
}

fn numbers_eq(x: &serde_json::Number, y: &serde_json::Number) -> bool {
    if let (Some(x), Some(y)) = (x.as_i64(), y.as_i64()) {
        return x == y;
    }
    if let (Some(x), Some(y)) = (x.as_u64(), y.as_u64()) {
        return x == y;
    }
    x.as_f64() == y.as_f64()
}

/// Every difference between the expected and the written JSON, one line each, by JSON path.
fn json_diff(path: &str, want: &Value, got: &Value, out: &mut Vec<String>) {
    match (want, got) {
        (Value::Object(w), Value::Object(g)) => {
            for (key, w_value) in w {
                let child = format!("{path}/{key}");
                match g.get(key) {
                    None => out.push(format!("written JSON lacks `{child}` (want {w_value})")),
                    Some(g_value) => json_diff(&child, w_value, g_value, out),
                }
            }
            for (key, g_value) in g {
                if !w.contains_key(key) {
                    out.push(format!(
                        "written JSON has extra field `{path}/{key}` = {}",
                        short(g_value)
                    ));
                }
            }
        }
        (Value::Array(w), Value::Array(g)) if w.len() == g.len() => {
            for (i, (w_item, g_item)) in w.iter().zip(g).enumerate() {
                json_diff(&format!("{path}/{i}"), w_item, g_item, out);
            }
        }
        _ if json_eq(want, got) => {}
        _ => out.push(format!(
            "written `{}` is {} (want {})",
            if path.is_empty() { "/" } else { path },
            short(got),
            short(want)
        )),
    }
}

/// A JSON value for a message, cut when long.
fn short(value: &Value) -> String {
    let text = value.to_string();
    if text.chars().count() > 160 {
        let cut: String = text.chars().take(160).collect();
        format!("{cut}…")
    } else {
        text
    }
}

// ---------------------------------------------------------------------------------------------
// Cases.
// ---------------------------------------------------------------------------------------------

/// One (protocol, type) of the inventory, with the JSON to decode and what must come back.
struct Case {
    protocol: String,
    /// The inventory's wire type.
    wire_type: String,
    /// The SSE event name to pass to `decode` (Assistants only).
    event_name: Option<String>,
    /// The texts to decode, each with a label for messages. All must give the same result.
    texts: Vec<(String, String)>,
    /// What the decoded event must serialize to.
    expected: Value,
    /// The wire type the decoded event must report.
    expected_wire_type: String,
}

/// The tag field of a protocol's events (`type`, or `object` for Chat and legacy Completions,
/// `event` for the Assistants envelope).
fn tag_field(entry: &Value) -> &str {
    entry
        .get("discriminator_field")
        .and_then(Value::as_str)
        .unwrap_or("type")
}

fn entry_type(entry: &Value) -> &str {
    entry.get("type").and_then(Value::as_str).unwrap_or("")
}

/// `#/components/schemas/Name` → `Name`.
fn ref_name(reference: &str) -> &str {
    reference.rsplit('/').next().unwrap_or(reference)
}

/// The texts a type-tagged event is decoded from: compact, tag first (the decoder's fast path),
/// and pretty-printed.
fn event_texts(event: &Value, tag: &str) -> Vec<(String, String)> {
    let mut texts = vec![("compact".to_owned(), event.to_string())];
    if let Value::Object(map) = event
        && let Some(tag_value) = map.get(tag)
    {
        let mut rest = map.clone();
        rest.remove(tag);
        let rest_text = Value::Object(rest).to_string();
        let inner = &rest_text[1..rest_text.len() - 1];
        let tag_first = format!(
            "{{{}:{}{}{}}}",
            Value::from(tag),
            tag_value,
            if inner.is_empty() { "" } else { "," },
            inner
        );
        texts.push(("tag-first".to_owned(), tag_first));
    }
    texts.push((
        "pretty".to_owned(),
        serde_json::to_string_pretty(event).expect("pretty JSON"),
    ));
    texts
}

/// The Assistants envelope schema of `wire_type`: the entry's `schema` itself when it is an
/// envelope (`DoneEvent`, `ErrorEvent`), else the alternative of that group schema
/// (`RunStreamEvent`, …) whose `event` is `wire_type`.
fn assistants_envelope_schema<'a>(
    builder: &InstanceBuilder<'a>,
    schema_name: &str,
    wire_type: &str,
) -> Result<&'a Value, String> {
    let schema = builder
        .schemas
        .get(schema_name)
        .ok_or_else(|| format!("no schema `{schema_name}`"))?;
    let Some(alternatives) = schema.get("oneOf").and_then(Value::as_array) else {
        return Ok(schema);
    };
    for alternative in alternatives {
        let alternative = match alternative.get("$ref").and_then(Value::as_str) {
            Some(reference) => builder.resolve(reference)?,
            None => alternative,
        };
        let event = alternative
            .pointer("/properties/event/enum/0")
            .and_then(Value::as_str);
        if event == Some(wire_type) {
            return Ok(alternative);
        }
    }
    Err(format!(
        "group schema `{schema_name}` has no alternative with event `{wire_type}`"
    ))
}

/// Builds the cases of one inventory entry. Problems with the inventory or the spec (not the
/// model) go to `failures`.
fn cases_of_entry(
    builder: &InstanceBuilder<'_>,
    protocol: &str,
    entry: &Value,
    failures: &mut Vec<String>,
) -> Vec<Case> {
    let wire_type = entry_type(entry).to_owned();
    let tag = tag_field(entry);
    let here = format!("{protocol} `{wire_type}`");
    let required: BTreeSet<&str> = entry
        .get("required")
        .and_then(Value::as_object)
        .map(|r| r.keys().map(String::as_str).collect())
        .unwrap_or_default();

    if protocol == "assistants" {
        // The data carries no type: the event is `event: <type>` + `data: <payload>`.
        let schema_name = entry.get("schema").and_then(Value::as_str).unwrap_or("");
        let envelope = match assistants_envelope_schema(builder, schema_name, &wire_type)
            .and_then(|schema| builder.instance(schema, 0))
        {
            Ok(envelope) => envelope,
            Err(e) => {
                failures.push(format!("{here}: cannot build the envelope: {e}"));
                return Vec::new();
            }
        };
        check_built(&here, &envelope, tag, &wire_type, &required, failures);
        let data = envelope.get("data").cloned().unwrap_or(Value::Null);
        let text = if let Some(literal) = entry.get("payload_literal").and_then(Value::as_str) {
            // The payload is not JSON (`[DONE]`); the literal is its JSON string form.
            let literal: Value = match serde_json::from_str(literal) {
                Ok(v) => v,
                Err(e) => {
                    failures.push(format!("{here}: payload_literal is not JSON: {e}"));
                    return Vec::new();
                }
            };
            if !json_eq(&literal, &data) {
                failures.push(format!(
                    "{here}: payload_literal {literal} differs from the schema's data {data}"
                ));
            }
            literal
                .as_str()
                .map_or_else(|| literal.to_string(), str::to_owned)
        } else {
            match entry.get("payload_schema_ref").and_then(Value::as_str) {
                Some(reference) => match builder.named(ref_name(reference)) {
                    Ok(payload) if json_eq(&payload, &data) => {}
                    Ok(payload) => failures.push(format!(
                        "{here}: payload_schema_ref builds {} but the envelope's data is {}",
                        short(&payload),
                        short(&data)
                    )),
                    Err(e) => failures.push(format!("{here}: {e}")),
                },
                None => failures.push(format!("{here}: no payload_schema_ref")),
            }
            data.to_string()
        };
        return vec![Case {
            protocol: protocol.to_owned(),
            wire_type: wire_type.clone(),
            event_name: Some(wire_type.clone()),
            texts: vec![("data".to_owned(), text)],
            expected: envelope,
            expected_wire_type: wire_type,
        }];
    }

    let Some(reference) = entry.get("payload_schema_ref").and_then(Value::as_str) else {
        failures.push(format!("{here}: no payload_schema_ref"));
        return Vec::new();
    };
    let event = match builder.named(ref_name(reference)) {
        Ok(event) => event,
        Err(e) => {
            failures.push(format!("{here}: {e}"));
            return Vec::new();
        }
    };
    check_built(&here, &event, tag, &wire_type, &required, failures);

    let mut cases = vec![Case {
        protocol: protocol.to_owned(),
        wire_type: wire_type.clone(),
        event_name: None,
        texts: event_texts(&event, tag),
        expected: event.clone(),
        expected_wire_type: wire_type.clone(),
    }];
    // A retired beta name decodes as its GA event and is written back with the GA name.
    if let Some(legacy) = entry
        .get("legacy_type_in_sdk_beta_and_2025_spec")
        .and_then(Value::as_str)
    {
        let mut aliased = event.clone();
        aliased[tag] = Value::from(legacy);
        cases.push(Case {
            protocol: protocol.to_owned(),
            wire_type: format!("{legacy}` (legacy alias of `{wire_type}"),
            event_name: None,
            texts: event_texts(&aliased, tag),
            expected: event,
            expected_wire_type: wire_type,
        });
    }
    cases
}

/// Checks the built instance against the inventory: its tag is the inventory's type, and its
/// fields are exactly the inventory's required fields.
fn check_built(
    here: &str,
    built: &Value,
    tag: &str,
    wire_type: &str,
    required: &BTreeSet<&str>,
    failures: &mut Vec<String>,
) {
    let Value::Object(map) = built else {
        failures.push(format!("{here}: the schema builds a non-object {built}"));
        return;
    };
    if map.get(tag).and_then(Value::as_str) != Some(wire_type) {
        failures.push(format!(
            "{here}: the schema's `{tag}` builds as {}, not the inventory's type",
            map.get(tag).map_or("nothing".to_owned(), Value::to_string)
        ));
    }
    let built_fields: BTreeSet<&str> = map.keys().map(String::as_str).collect();
    if &built_fields != required {
        failures.push(format!(
            "{here}: the schema's required fields {built_fields:?} differ from the inventory's {required:?}"
        ));
    }
}

/// Decodes every text of `case` as `E` and checks the variant, the wire type, the written JSON,
/// and that serde reads the written JSON back to the same event. Returns the problems found.
fn check_case<E>(case: &Case) -> Vec<String>
where
    E: StreamEvent + DeserializeOwned + PartialEq + Debug,
{
    // Problem → the text forms it was seen with.
    let mut problems: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for (label, text) in &case.texts {
        let mut found = Vec::new();
        check_text::<E>(case, text, &mut found);
        for problem in found {
            problems.entry(problem).or_default().push(label);
        }
    }
    let all_forms = case.texts.len();
    problems
        .into_iter()
        .map(|(problem, forms)| {
            let forms = if forms.len() == all_forms {
                String::new()
            } else {
                format!(" [only when decoding the {} text]", forms.join("/"))
            };
            format!(
                "{} {} `{}`: {problem}{forms}",
                std::any::type_name::<E>().rsplit("::").next().unwrap_or(""),
                case.protocol,
                case.wire_type
            )
        })
        .collect()
}

fn check_text<E>(case: &Case, text: &str, problems: &mut Vec<String>)
where
    E: StreamEvent + DeserializeOwned + PartialEq + Debug,
{
    let event = match E::decode(case.event_name.as_deref(), text) {
        Ok(event) => event,
        Err(e) => {
            problems.push(format!("decode error: {e}"));
            return;
        }
    };
    if event.is_unknown() {
        problems.push("decoded as `Unknown`".to_owned());
    }
    if event.wire_type() != case.expected_wire_type {
        problems.push(format!(
            "wire_type() is `{}` (want `{}`)",
            event.wire_type(),
            case.expected_wire_type
        ));
    }
    let written = match serde_json::to_value(&event) {
        Ok(written) => written,
        Err(e) => {
            problems.push(format!("serialize error: {e}"));
            return;
        }
    };
    json_diff("", &case.expected, &written, problems);
    match serde_json::from_value::<E>(written.clone()) {
        Ok(again) if again == event => {}
        Ok(again) => problems.push(format!(
            "serde reads the written JSON back as a different event: {}",
            short(&serde_json::to_value(&again).unwrap_or(Value::Null))
        )),
        Err(e) => problems.push(format!("serde cannot read the written JSON back: {e}")),
    }
}

/// Decodes the first text of `case` as `E` and reports a nested union (output item, content part,
/// session, tool choice, …) that fell back to its `Unknown` arm although the event is known.
fn nested_unknowns<E>(case: &Case) -> Vec<String>
where
    E: StreamEvent + Debug,
{
    let Some((_, text)) = case.texts.first() else {
        return Vec::new();
    };
    let Ok(event) = E::decode(case.event_name.as_deref(), text) else {
        return Vec::new(); // reported by the round-trip test
    };
    let debug = format!("{event:?}");
    if event.is_unknown() || !debug.contains("Unknown(") {
        return Vec::new();
    }
    vec![format!(
        "{} {} `{}`: a nested value decoded as `Unknown`: {}",
        std::any::type_name::<E>().rsplit("::").next().unwrap_or(""),
        case.protocol,
        case.wire_type,
        nested_marker_context(&debug, "Unknown(")
    )]
}

/// A few characters of Debug output around the first `marker`.
fn nested_marker_context(debug: &str, marker: &str) -> String {
    let at = debug.find(marker).unwrap_or(0);
    let start = debug[..at]
        .char_indices()
        .rev()
        .nth(60)
        .map_or(0, |(i, _)| i);
    let tail: String = debug[at..].chars().take(100).collect();
    format!("…{}{tail}…", &debug[start..at])
}

/// Every case of the inventory, and the failures found while building them.
fn all_cases(builder: &InstanceBuilder<'_>) -> (Vec<(&'static str, Case)>, Vec<String>) {
    let enums = enums_under_test();
    let mut cases = Vec::new();
    let mut failures = Vec::new();
    for (protocol, entries) in inventory() {
        let Some(target) = enums
            .iter()
            .find(|e| e.protocols.contains(&protocol.as_str()))
        else {
            failures.push(format!(
                "inventory protocol `{protocol}` is not mapped to any event enum"
            ));
            continue;
        };
        let Some(entries) = entries.as_array() else {
            failures.push(format!("inventory protocol `{protocol}` is not a list"));
            continue;
        };
        for entry in entries {
            for case in cases_of_entry(builder, protocol, entry, &mut failures) {
                cases.push((target.name, case));
            }
        }
    }
    (cases, failures)
}

fn assert_no_failures(what: &str, failures: &[String]) {
    assert!(
        failures.is_empty(),
        "{what}: {} failure(s):\n  - {}",
        failures.len(),
        failures.join("\n  - ")
    );
}

// ---------------------------------------------------------------------------------------------
// Tests.
// ---------------------------------------------------------------------------------------------

/// Runs `check` of each case's enum over every case `builder` gives; returns the number of cases
/// and the failures (those of building the cases included).
fn run_cases(
    builder: &InstanceBuilder<'_>,
    check: fn(&EnumUnderTest) -> CaseCheck,
) -> (usize, Vec<String>) {
    let (cases, mut failures) = all_cases(builder);
    let enums = enums_under_test();
    let dump = std::env::var_os("COMPLETENESS_DUMP").is_some();
    for (enum_name, case) in &cases {
        if dump {
            eprintln!(
                "{enum_name} {} `{}`: {}",
                case.protocol, case.wire_type, case.texts[0].1
            );
        }
        let target = enums
            .iter()
            .find(|e| e.name == *enum_name)
            .expect("enum of a case");
        failures.extend(check(target)(case));
    }
    (cases.len(), failures)
}

/// Proves that every (protocol, type) of `spec/events.json` round-trips through the model: the
/// minimal instance the spec's schema allows (required fields only, built independently of the
/// generated types) decodes — compact, tag-first and pretty-printed — into its own variant (not
/// `Unknown`), reports the inventory's wire type, is written back as the same JSON, and serde
/// reads that JSON back to the same event. Realtime's retired beta names are also decoded and
/// must come back under their GA names. Set `COMPLETENESS_DUMP=1` to print every case's JSON.
#[test]
fn every_inventory_event_round_trips_through_its_variant() {
    let (checked, failures) = run_cases(&InstanceBuilder::new(schemas()), |e| e.check);
    eprintln!("checked {checked} cases (each inventory (protocol, type), plus legacy aliases)");
    assert!(checked > 0, "the inventory gave no cases");
    assert_no_failures("event round trips", &failures);
}

/// Proves the same round trip as the minimal test when every array holds one (minimal) item:
/// the item types inside events (chat choices, output items, content parts, tool calls,
/// logprobs, …) decode and are written back as they were read.
#[test]
fn every_inventory_event_round_trips_with_one_item_per_array() {
    let builder = InstanceBuilder::with_one_item_per_array(schemas());
    let (checked, failures) = run_cases(&builder, |e| e.check);
    eprintln!("checked {checked} cases with one item per array");
    assert!(checked > 0, "the inventory gave no cases");
    assert_no_failures("event round trips, one item per array", &failures);
}

/// Proves that the model types the inside of every event too: no nested union (output item,
/// content part, session, tool choice, …) of a minimal instance, nor of one with an item in
/// every array, falls back to its lossless `Unknown` arm, so typed access works for what the
/// spec's required fields describe.
#[test]
fn no_nested_value_of_an_inventory_event_is_unknown() {
    let (_, mut failures) = run_cases(&InstanceBuilder::new(schemas()), |e| e.nested_unknowns);
    let builder = InstanceBuilder::with_one_item_per_array(schemas());
    let (_, with_items) = run_cases(&builder, |e| e.nested_unknowns);
    failures.extend(
        with_items
            .into_iter()
            .filter(|f| !failures.contains(f))
            .map(|f| format!("(one item per array) {f}"))
            .collect::<Vec<_>>(),
    );
    assert_no_failures("nested unknowns", &failures);
}

/// Proves that no type is missing: for every enum, each type of the inventory protocols folded
/// into it is in `WIRE_TYPES`, `WIRE_TYPES` names nothing beyond the inventory except the
/// documented extras (Chat's `chat.completion` and `error`, legacy Completions' `error`), holds
/// no duplicate, and `PROTOCOL` is one of the enum's inventory protocols. Also proves that every
/// inventory protocol is covered by some enum.
#[test]
fn every_inventory_type_has_a_variant() {
    let enums = enums_under_test();
    let inventory = inventory();
    let mut failures = Vec::new();
    for protocol in inventory.keys() {
        if !enums
            .iter()
            .any(|e| e.protocols.contains(&protocol.as_str()))
        {
            failures.push(format!(
                "inventory protocol `{protocol}` is not mapped to any event enum"
            ));
        }
    }
    for target in &enums {
        let name = target.name;
        if !target.protocols.contains(&target.protocol_const) {
            failures.push(format!(
                "{name}::PROTOCOL is `{}`, not one of its protocols {:?}",
                target.protocol_const, target.protocols
            ));
        }
        let mut seen = BTreeSet::new();
        for wire_type in target.wire_types {
            if !seen.insert(*wire_type) {
                failures.push(format!("{name}::WIRE_TYPES lists `{wire_type}` twice"));
            }
        }
        let mut inventory_types = BTreeSet::new();
        for protocol in target.protocols {
            let Some(entries) = inventory.get(*protocol).and_then(Value::as_array) else {
                failures.push(format!("{name}: inventory has no protocol `{protocol}`"));
                continue;
            };
            for entry in entries {
                let wire_type = entry_type(entry);
                inventory_types.insert(wire_type);
                if !seen.contains(wire_type) {
                    failures.push(format!(
                        "{name}::WIRE_TYPES lacks `{wire_type}` (inventory protocol `{protocol}`)"
                    ));
                }
            }
        }
        for wire_type in &seen {
            if !inventory_types.contains(wire_type) && !target.allowed_extras.contains(wire_type) {
                failures.push(format!(
                    "{name}::WIRE_TYPES has `{wire_type}`, which no inventory protocol of it lists"
                ));
            }
        }
    }
    assert_no_failures("wire types vs. inventory", &failures);
}

/// Proves that the instance builder follows its rules on hand-written schemas, so that the
/// round-trip test's expectations mean what they claim: `$ref`, `allOf` merging (a part may
/// require another part's property), the first non-null union alternative, `nullable`, type
/// lists with `"null"`, `enum`/`const`, `minItems`, required-only objects, `$recursiveRef`, and
/// a recursion that never ends is reported rather than overflowing the stack.
#[test]
fn instance_builder_follows_its_rules() {
    let schemas: Map<String, Value> = serde_json::from_value(serde_json::json!({
        "Base": {
            "type": "object",
            "properties": {"id": {"type": "string"}, "note": {"type": "string"}},
            "required": ["id"]
        },
        "Derived": {
            "allOf": [
                {"$ref": "#/components/schemas/Base"},
                {
                    "type": "object",
                    "properties": {"kind": {"type": "string", "enum": ["derived", "other"]}},
                    "required": ["kind", "count"]
                },
                {"properties": {"count": {"type": "integer"}}}
            ]
        },
        "Union": {"anyOf": [{"type": "null"}, {"$ref": "#/components/schemas/Base"}]},
        "Everything": {
            "type": "object",
            "properties": {
                "s": {"type": "string", "nullable": true},
                "n": {"type": ["number", "null"]},
                "b": {"type": "boolean"},
                "e": {"enum": [null, "first", "second"]},
                "c": {"const": "fixed"},
                "a0": {"type": "array", "items": {"type": "string"}},
                "a2": {"type": "array", "minItems": 2, "items": {"$ref": "#/components/schemas/Base"}},
                "m": {"type": "object", "additionalProperties": {"type": "string"}},
                "any": {},
                "u": {"$ref": "#/components/schemas/Union"},
                "o": {"oneOf": [{"type": "integer"}, {"type": "string"}]},
                "r": {"$recursiveRef": "#"},
                "optional": {"type": "string"}
            },
            "required": ["s", "n", "b", "e", "c", "a0", "a2", "m", "any", "u", "o", "r", "ghost"]
        },
        "Loop": {
            "type": "object",
            "properties": {"next": {"$ref": "#/components/schemas/Loop"}},
            "required": ["next"]
        }
    }))
    .expect("schemas");
    let builder = InstanceBuilder::new(&schemas);
    let mut failures = Vec::new();
    let mut expect = |name: &str, want: Value| match builder.named(name) {
        Ok(got) if json_eq(&got, &want) => {}
        Ok(got) => failures.push(format!("{name}: built {got}, want {want}")),
        Err(e) => failures.push(format!("{name}: {e}")),
    };
    expect(
        "Derived",
        serde_json::json!({"id": "x", "kind": "derived", "count": 1}),
    );
    expect("Union", serde_json::json!({"id": "x"}));
    expect(
        "Everything",
        serde_json::json!({
            "s": "x", "n": 1.5, "b": true, "e": "first", "c": "fixed", "a0": [],
            "a2": [{"id": "x"}, {"id": "x"}], "m": {}, "any": {}, "u": {"id": "x"}, "o": 1,
            "r": {}
        }),
    );
    if builder.named("Loop").is_ok() {
        failures.push("Loop: an endless required recursion was not reported".to_owned());
    }
    // json_eq compares numbers by value and nothing else loosely.
    if !json_eq(
        &serde_json::json!({"a": [1]}),
        &serde_json::json!({"a": [1.0]}),
    ) {
        failures.push("json_eq: 1 != 1.0".to_owned());
    }
    if json_eq(
        &serde_json::json!({"a": 1}),
        &serde_json::json!({"a": 1, "b": null}),
    ) {
        failures.push("json_eq: an extra null field was ignored".to_owned());
    }
    // The always-written fields are read from spec/codegen.toml.
    let response = always_written()
        .get("Response")
        .cloned()
        .unwrap_or_default();
    if !["usage", "completed_at", "temperature"]
        .iter()
        .all(|field| response.contains(*field))
    {
        failures.push(format!("always_written of Response reads as {response:?}"));
    }
    // The YAML workaround widens only scalars that do not fit 64 bits.
    let widened = floats_for_huge_integers("a: -9223372036854776000\nb: 12\nc: x1\n");
    if widened != "a: -9223372036854776000.0\nb: 12\nc: x1\n" {
        failures.push(format!("floats_for_huge_integers gave {widened:?}"));
    }
    assert_no_failures("instance builder", &failures);
}

/// `response.compaction.compacting` (from `spec/additions/responses.yaml`) as OpenAI sends it,
/// with and without the fields real servers omit or the WebSocket adds: it decodes into its own
/// variant, `sequence_number` may be absent, and it is written back as it was read.
#[test]
fn compaction_progress_decodes_into_its_variant_and_round_trips() {
    for json in [
        r#"{"type":"response.compaction.compacting","item_id":"cmp_1","output_index":2,"sequence_number":7}"#,
        r#"{"type":"response.compaction.compacting","item_id":"cmp_1","output_index":2}"#,
        r#"{"type":"response.compaction.compacting","item_id":"cmp_1","output_index":2,"sequence_number":7,"stream_id":"s1"}"#,
    ] {
        let event =
            ResponseStreamEvent::decode(None, json).unwrap_or_else(|e| panic!("{json}: {e}"));
        let ResponseStreamEvent::ResponseCompactionCompacting(payload) = &event else {
            panic!("{json}: decoded as {event:?}");
        };
        assert_eq!(
            (payload.item_id.as_str(), payload.output_index),
            ("cmp_1", 2)
        );
        assert_eq!(event.wire_type(), "response.compaction.compacting");
        let written: Value = serde_json::to_value(&event).expect("serializes");
        let read: Value = serde_json::from_str(json).expect("json");
        assert_eq!(written, read);
    }
}

/// Proves the promise of the crate docs that a newcomer finds an event's Rust type by grepping
/// for its wire name in quotes: every type of every inventory protocol (the spec's events and
/// those of `spec/additions/`) appears as `"wire.type"` in the generated sources.
#[test]
fn every_inventory_type_is_found_by_its_quoted_wire_name() {
    let mut sources = String::new();
    for entry in std::fs::read_dir(GENERATED_DIR).expect("read the generated dir") {
        let path = entry.expect("dir entry").path();
        sources.push_str(&std::fs::read_to_string(&path).expect("read a generated file"));
    }
    let mut failures = Vec::new();
    for (protocol, entries) in inventory() {
        for entry in entries.as_array().into_iter().flatten() {
            let wire_type = entry_type(entry);
            if !sources.contains(&format!("\"{wire_type}\"")) {
                failures.push(format!(
                    "`\"{wire_type}\"` ({protocol}) is not in crates/events/src/generated/"
                ));
            }
        }
    }
    assert_no_failures("wire names in the generated sources", &failures);
}
