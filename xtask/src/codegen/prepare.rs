//! Loading the inputs and shaping the spec before lowering.
//!
//! Two passes change the spec's schemas (in memory only):
//! - `Beta*` schemas are folded into their GA twins: their extra properties, union alternatives
//!   and enum values are added to the GA schema, so that one model reads both. A beta schema with
//!   no GA twin is renamed without its prefix.
//! - For each protocol enum, the schema of an event type gets, as optional properties, the extra
//!   fields that the other inventories (beta, WebSocket) give the same event type.
//!
//! Before both, the schemas of `spec/additions/` (what newer SDKs define and the spec snapshot
//! lacks) are added to the spec's; see [`super::additions`].

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use anyhow::{Context, Result, bail};
use serde::Deserialize;
use serde_norway::{Mapping, Value};

/// `spec/codegen.toml`.
#[derive(Debug, Deserialize)]
pub struct Config {
    /// Extra root schemas per feature.
    #[serde(default)]
    pub roots: BTreeMap<String, Vec<String>>,
    /// Rust names for spec schemas.
    #[serde(default)]
    pub rename: BTreeMap<String, String>,
    /// Read leniency.
    pub read: ReadConfig,
    /// Write rules.
    #[serde(default)]
    pub write: WriteConfig,
    /// Schemas of properties added to events by a wrapper rather than by their schema.
    #[serde(default)]
    pub extra_properties: BTreeMap<String, toml::Value>,
    /// Properties that real servers send in more shapes than the spec says: `"Schema.property"`
    /// → the extra alternatives.
    #[serde(default)]
    pub widen: BTreeMap<String, Widen>,
    /// Properties real servers add to a schema: schema name → `[extra_properties]` names.
    #[serde(default)]
    pub add_properties: BTreeMap<String, Vec<String>>,
    /// The protocol enums.
    pub protocol_enum: Vec<EnumConfig>,
}

/// One `[widen."Schema.property"]` entry.
#[derive(Debug, Deserialize)]
pub struct Widen {
    /// The alternatives accepted besides the spec's schema.
    pub also: Vec<toml::Value>,
    /// Where this shape was seen (documentation only).
    #[allow(dead_code)]
    pub evidence: String,
}

/// `[read]` of the config.
#[derive(Debug, Deserialize)]
pub struct ReadConfig {
    /// Required fields that real servers omit.
    pub optional_fields: Vec<String>,
    /// Unions whose objects may come without their `type` tag: union name → the schema to read
    /// such objects as (an extra arm of the union).
    #[serde(default)]
    pub missing_tag: BTreeMap<String, String>,
}

/// `[write]` of the config.
#[derive(Debug, Default, Deserialize)]
pub struct WriteConfig {
    /// Types whose `Serialize` is written by hand (in the events crate), not derived.
    #[serde(default)]
    pub hand_written_serialize: Vec<String>,
    /// Number fields (`Type.field`) written as JSON integers when their value is whole:
    /// timestamps the spec types as `number` that servers and strict clients treat as integers.
    #[serde(default)]
    pub whole_numbers: Vec<String>,
    /// Optional fields (`Type.field`) written even when unset, as `null`: objects whose every
    /// field OpenAI writes, and that strict readers reject when one is missing. Reading stays
    /// lenient: an absent field still reads as `None`.
    #[serde(default)]
    pub always_written: Vec<String>,
}

impl WriteConfig {
    /// Whether `entries` (`Type.field` strings) names the field `field` of the type `def`.
    fn names(entries: &[String], def: &str, field: &str) -> bool {
        entries
            .iter()
            .any(|entry| entry.split_once('.') == Some((def, field)))
    }

    /// Whether the field is written as a JSON integer when whole (`whole_numbers`).
    pub fn is_whole_number(&self, def: &str, field: &str) -> bool {
        Self::names(&self.whole_numbers, def, field)
    }

    /// Whether the field is written even when unset (`always_written`).
    pub fn is_always_written(&self, def: &str, field: &str) -> bool {
        Self::names(&self.always_written, def, field)
    }

    /// Every `Type.field` entry of the field lists, with the name of its list.
    pub fn field_entries(&self) -> impl Iterator<Item = (&'static str, &str)> {
        let whole = self
            .whole_numbers
            .iter()
            .map(|e| ("whole_numbers", e.as_str()));
        let always = self
            .always_written
            .iter()
            .map(|e| ("always_written", e.as_str()));
        whole.chain(always)
    }
}

/// One `[[protocol_enum]]` of the config.
#[derive(Debug, Clone, Deserialize)]
pub struct EnumConfig {
    pub name: String,
    pub feature: String,
    pub protocol: String,
    pub doc: String,
    pub inventory: Vec<String>,
    /// The JSON field that carries the type (absent for `dispatch = "event_name"`).
    pub tag: Option<String>,
    #[serde(default)]
    pub dispatch: Option<String>,
    /// The variant to read when the tag is missing or empty.
    pub empty_tag: Option<String>,
    #[serde(default)]
    pub extra_variants: Vec<ExtraVariant>,
    #[serde(default)]
    pub terminal: Vec<String>,
    /// `[extra_properties]` to add to every `*.delta` event of the enum.
    #[serde(default)]
    pub add_to_deltas: Vec<String>,
}

/// A variant not in the inventory (e.g. the chat error object).
#[derive(Debug, Clone, Deserialize)]
pub struct ExtraVariant {
    #[serde(rename = "type")]
    pub wire_type: String,
    pub schema: String,
    /// Chosen when the tag is missing and the object has this top-level key.
    pub when_key: Option<String>,
}

/// One entry of `events.json`.
#[derive(Debug, Deserialize)]
pub struct InventoryEvent {
    #[serde(rename = "type")]
    pub wire_type: String,
    #[serde(default)]
    pub required: BTreeMap<String, String>,
    #[serde(default)]
    pub optional: BTreeMap<String, String>,
    pub payload_schema_ref: Option<String>,
    pub payload_literal: Option<String>,
    pub description: Option<String>,
    pub legacy_type_in_sdk_beta_and_2025_spec: Option<String>,
}

/// Everything the generator reads.
pub struct Inputs {
    pub config: Config,
    pub inventory: BTreeMap<String, Vec<InventoryEvent>>,
    pub schemas: BTreeMap<String, Value>,
}

/// One event type of a protocol enum, after merging the inventories.
#[derive(Debug, Clone)]
pub struct EnumEvent {
    pub wire_type: String,
    /// The payload schema, or `None` for a literal payload (`[DONE]`).
    pub schema: Option<String>,
    pub literal: Option<String>,
    pub description: String,
    pub aliases: Vec<String>,
    pub when_key: Option<String>,
}

pub fn load(root: &Path) -> Result<Inputs> {
    let config_text = std::fs::read_to_string(root.join("spec/codegen.toml"))?;
    let config: Config = toml::from_str(&config_text).context("spec/codegen.toml")?;
    let inventory_text = std::fs::read_to_string(root.join("spec/events.json"))?;
    let inventory = serde_json::from_str(&inventory_text).context("spec/events.json")?;
    let spec_text = std::fs::read_to_string(root.join("spec/openapi.yaml"))?;
    let spec: Value =
        serde_norway::from_str(&widen_huge_integers(&spec_text)).context("spec/openapi.yaml")?;
    let mut schemas = BTreeMap::new();
    let Some(map) = spec
        .get("components")
        .and_then(|c| c.get("schemas"))
        .and_then(Value::as_mapping)
    else {
        bail!("spec has no components.schemas");
    };
    for (name, schema) in map {
        let name = name.as_str().context("schema name is not a string")?;
        schemas.insert(name.to_owned(), schema.clone());
    }
    super::additions::apply(&mut schemas, &super::additions::load_all(root)?)?;
    Ok(Inputs {
        config,
        inventory,
        schemas,
    })
}

/// The YAML parser stops at integers outside 64 bits (the spec has `minimum: -9223372036854776000`,
/// an i64 bound rounded through a float). Such scalars are written as floats; the generator does
/// not read numeric bounds anyway.
pub fn widen_huge_integers(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let body = line.trim_end_matches(['\n', '\r']);
        let scalar = body.rsplit_once(": ").map(|(_, v)| v).unwrap_or("");
        let digits = scalar.strip_prefix('-').unwrap_or(scalar);
        let huge = !digits.is_empty()
            && digits.bytes().all(|b| b.is_ascii_digit())
            && scalar.parse::<i64>().is_err()
            && scalar.parse::<u64>().is_err();
        if huge {
            out.push_str(body);
            out.push_str(".0");
            out.push_str(&line[body.len()..]);
        } else {
            out.push_str(line);
        }
    }
    out
}

pub fn schema_name(reference: &str) -> &str {
    reference.rsplit('/').next().unwrap_or(reference)
}

/// The GA name of a `Beta…` schema, if `name` is one.
fn beta_target(name: &str) -> Option<String> {
    let rest = name.strip_prefix("Beta")?;
    let rest = rest.strip_prefix('_').unwrap_or(rest);
    rest.chars().next().filter(char::is_ascii_uppercase)?;
    Some(rest.to_owned())
}

/// Folds every `Beta…` schema into its GA twin (or renames it when it has none).
pub fn fold_beta(schemas: &mut BTreeMap<String, Value>) {
    let renames: BTreeMap<String, String> = schemas
        .keys()
        .filter_map(|name| beta_target(name).map(|target| (name.clone(), target)))
        .collect();
    for schema in schemas.values_mut() {
        rewrite_refs(schema, &renames);
    }
    for (beta, target) in &renames {
        let Some(beta_schema) = schemas.remove(beta) else {
            continue;
        };
        if schemas.contains_key(target) {
            merge_schema(schemas, target, &beta_schema);
        } else {
            schemas.insert(target.clone(), beta_schema);
        }
    }
}

fn rewrite_refs(value: &mut Value, renames: &BTreeMap<String, String>) {
    match value {
        Value::Mapping(map) => {
            for (key, child) in map.iter_mut() {
                if key.as_str() == Some("$ref") {
                    if let Value::String(reference) = child
                        && let Some(target) = renames.get(schema_name(reference))
                    {
                        *reference = format!("#/components/schemas/{target}");
                    }
                } else {
                    rewrite_refs(child, renames);
                }
            }
        }
        Value::Sequence(items) => items
            .iter_mut()
            .for_each(|item| rewrite_refs(item, renames)),
        _ => {}
    }
}

/// Adds what `extra` has and `schemas[base]` lacks: properties (as optional; `allOf` parts
/// are looked through on both sides), union alternatives, enum values.
pub fn merge_schema(schemas: &mut BTreeMap<String, Value>, base: &str, extra: &Value) {
    let Some(base_schema) = schemas.get(base) else {
        return;
    };
    let base_flat = flatten_all_of(schemas, base_schema);
    let extra_flat = flatten_all_of(schemas, extra);
    let Some(base_schema) = schemas.get_mut(base).and_then(Value::as_mapping_mut) else {
        return;
    };
    if base_flat
        .get("properties")
        .is_some_and(|p| p.as_mapping().is_some_and(|m| !m.is_empty()))
        && let Some(extra_props) = extra_flat.get("properties").and_then(Value::as_mapping)
    {
        for (name, schema) in extra_props {
            if base_flat
                .get("properties")
                .and_then(|p| p.get(name))
                .is_none()
            {
                let props = base_schema
                    .entry("properties".into())
                    .or_insert_with(|| Value::Mapping(Mapping::new()));
                if let Some(props) = props.as_mapping_mut() {
                    props.insert(name.clone(), schema.clone());
                }
            }
        }
    }
    let Some(extra) = extra.as_mapping() else {
        return;
    };
    for key in ["oneOf", "anyOf", "enum"] {
        if let (Some(Value::Sequence(extra_items)), Some(Value::Sequence(base_items))) =
            (extra.get(key), base_schema.get_mut(key))
        {
            for item in extra_items {
                if !base_items.contains(item) {
                    base_items.push(item.clone());
                }
            }
        }
    }
}

/// Applies `[add_properties]`.
pub fn add_properties(inputs: &mut Inputs) -> Result<()> {
    let additions: Vec<(String, String)> = inputs
        .config
        .add_properties
        .iter()
        .flat_map(|(schema, fields)| fields.iter().map(move |f| (schema.clone(), f.clone())))
        .collect();
    for (schema, field) in additions {
        if !inputs.schemas.contains_key(&schema) {
            bail!("[add_properties]: no schema named {schema}");
        }
        add_property(inputs, &schema, &field)?;
    }
    Ok(())
}

/// Applies `[widen]`: the property's schema becomes `anyOf [spec schema, …also]`.
pub fn widen(inputs: &mut Inputs) -> Result<()> {
    for (target, widen) in &inputs.config.widen {
        let Some((schema_name, property)) = target.split_once('.') else {
            bail!("[widen] key `{target}` is not `Schema.property`");
        };
        let Some(schema) = inputs.schemas.get(schema_name) else {
            bail!("[widen] `{target}`: no schema named {schema_name}");
        };
        let flat = flatten_all_of(&inputs.schemas, schema);
        let Some(original) = flat
            .get("properties")
            .and_then(|p| p.get(property))
            .cloned()
        else {
            bail!("[widen] `{target}`: {schema_name} has no property {property}");
        };
        let mut alternatives = vec![original];
        for also in &widen.also {
            alternatives.push(serde_norway::to_value(also)?);
        }
        let mut replacement = Mapping::new();
        replacement.insert("anyOf".into(), Value::Sequence(alternatives));
        let schema = inputs
            .schemas
            .get_mut(schema_name)
            .and_then(Value::as_mapping_mut)
            .context("schema")?;
        let props = schema
            .entry("properties".into())
            .or_insert_with(|| Value::Mapping(Mapping::new()));
        if let Some(props) = props.as_mapping_mut() {
            props.insert(
                Value::String(property.to_owned()),
                Value::Mapping(replacement),
            );
        }
    }
    Ok(())
}

/// Merges the inventories of each protocol enum into its list of events, and adds the extra
/// properties of the later inventories to the schema of the first.
pub fn protocol_events(inputs: &mut Inputs) -> Result<BTreeMap<String, Vec<EnumEvent>>> {
    let mut out = BTreeMap::new();
    let configs = inputs.config.protocol_enum.clone();
    for config in configs {
        let name = config.name;
        let mut events: Vec<EnumEvent> = Vec::new();
        for protocol in &config.inventory {
            let Some(entries) = inputs.inventory.remove(protocol) else {
                bail!("{name}: protocol {protocol} is not in events.json");
            };
            for entry in &entries {
                let schema = entry.payload_schema_ref.as_deref().map(|r| {
                    let name = schema_name(r);
                    beta_target(name).unwrap_or_else(|| name.to_owned())
                });
                if let Some(legacy) = &entry.legacy_type_in_sdk_beta_and_2025_spec
                    && let Some(existing) =
                        events.iter_mut().find(|e| e.wire_type == entry.wire_type)
                    && !existing.aliases.contains(legacy)
                {
                    existing.aliases.push(legacy.clone());
                }
                if let Some(existing) = events.iter().find(|e| e.wire_type == entry.wire_type) {
                    let base = existing.schema.clone();
                    if let Some(base) = base {
                        add_extra_fields(inputs, &base, schema.as_deref(), entry)?;
                    }
                    continue;
                }
                events.push(EnumEvent {
                    wire_type: entry.wire_type.clone(),
                    schema: if entry.payload_literal.is_some() {
                        None
                    } else {
                        schema
                    },
                    literal: entry.payload_literal.as_deref().map(unquote),
                    description: entry.description.clone().unwrap_or_default(),
                    aliases: Vec::new(),
                    when_key: None,
                });
            }
            inputs.inventory.insert(protocol.clone(), entries);
        }
        for extra in config.extra_variants {
            events.push(EnumEvent {
                wire_type: extra.wire_type,
                schema: Some(extra.schema),
                literal: None,
                description: String::new(),
                aliases: Vec::new(),
                when_key: extra.when_key,
            });
        }
        for event in events.iter().filter(|e| e.wire_type.ends_with(".delta")) {
            let Some(schema) = &event.schema else {
                continue;
            };
            for field in &config.add_to_deltas {
                add_property(inputs, schema, field)?;
            }
        }
        let mut seen = BTreeSet::new();
        for event in &events {
            if !seen.insert(event.wire_type.clone()) {
                bail!("{name}: duplicate type {}", event.wire_type);
            }
        }
        out.insert(name, events);
    }
    Ok(out)
}

fn add_extra_fields(
    inputs: &mut Inputs,
    base: &str,
    other: Option<&str>,
    entry: &InventoryEvent,
) -> Result<()> {
    if let Some(other) = other.filter(|o| *o != base)
        && let Some(other_schema) = inputs.schemas.get(other).cloned()
    {
        merge_schema(&mut inputs.schemas, base, &other_schema);
    }
    let fields: Vec<&String> = entry.optional.keys().chain(entry.required.keys()).collect();
    for field in fields {
        let flat = inputs
            .schemas
            .get(base)
            .map(|s| flatten_all_of(&inputs.schemas, s));
        let has = flat
            .as_ref()
            .and_then(|s| s.get("properties"))
            .and_then(|p| p.get(field.as_str()))
            .is_some();
        if has {
            continue;
        }
        if !inputs.config.extra_properties.contains_key(field.as_str()) {
            bail!(
                "{base}: field `{field}` of {} has no schema; add it to [extra_properties]",
                entry.wire_type
            );
        }
        add_property(inputs, base, field)?;
    }
    Ok(())
}

/// Adds the `[extra_properties]` entry `field` to the schema `target`, unless it has it already.
fn add_property(inputs: &mut Inputs, target: &str, field: &str) -> Result<()> {
    let Some(schema) = inputs.config.extra_properties.get(field) else {
        bail!("no [extra_properties] entry for `{field}`");
    };
    let schema: Value = serde_norway::to_value(schema)?;
    let flat = inputs
        .schemas
        .get(target)
        .map(|s| flatten_all_of(&inputs.schemas, s));
    if flat
        .as_ref()
        .and_then(|s| s.get("properties"))
        .and_then(|p| p.get(field))
        .is_some()
    {
        return Ok(());
    }
    let target_schema = inputs
        .schemas
        .get_mut(target)
        .and_then(Value::as_mapping_mut)
        .context("target schema")?;
    let props = target_schema
        .entry("properties".into())
        .or_insert_with(|| Value::Mapping(Mapping::new()));
    if let Some(props) = props.as_mapping_mut() {
        props.insert(Value::String(field.to_owned()), schema);
    }
    Ok(())
}

/// A schema with its `allOf` parts merged into one object schema (properties and required).
pub fn flatten_all_of(schemas: &BTreeMap<String, Value>, schema: &Value) -> Value {
    let Some(parts) = schema.get("allOf").and_then(Value::as_sequence) else {
        return schema.clone();
    };
    let mut properties = Mapping::new();
    let mut required: Vec<Value> = Vec::new();
    let mut description = schema.get("description").cloned();
    let mut title = schema.get("title").cloned();
    for part in parts {
        let part = resolve(schemas, part);
        let part = flatten_all_of(schemas, &part);
        if let Some(props) = part.get("properties").and_then(Value::as_mapping) {
            for (k, v) in props {
                properties.insert(k.clone(), v.clone());
            }
        }
        if let Some(req) = part.get("required").and_then(Value::as_sequence) {
            for r in req {
                if !required.contains(r) {
                    required.push(r.clone());
                }
            }
        }
        if description.is_none() {
            description = part.get("description").cloned();
        }
        if title.is_none() {
            title = part.get("title").cloned();
        }
    }
    if let Some(props) = schema.get("properties").and_then(Value::as_mapping) {
        for (k, v) in props {
            properties.insert(k.clone(), v.clone());
        }
    }
    if let Some(req) = schema.get("required").and_then(Value::as_sequence) {
        required.extend(req.iter().cloned());
    }
    let mut out = Mapping::new();
    out.insert("type".into(), "object".into());
    if let Some(d) = description {
        out.insert("description".into(), d);
    }
    if let Some(t) = title {
        out.insert("title".into(), t);
    }
    out.insert("properties".into(), Value::Mapping(properties));
    out.insert("required".into(), Value::Sequence(required));
    Value::Mapping(out)
}

/// Follows `$ref`s until a schema body.
pub fn resolve(schemas: &BTreeMap<String, Value>, schema: &Value) -> Value {
    let mut current = schema.clone();
    for _ in 0..32 {
        let Some(reference) = current.get("$ref").and_then(Value::as_str) else {
            break;
        };
        match schemas.get(schema_name(reference)) {
            Some(next) => current = next.clone(),
            None => break,
        }
    }
    current
}

/// `events.json` writes literal payloads JSON-quoted (`"\"[DONE]\""`).
fn unquote(literal: &str) -> String {
    serde_json::from_str::<String>(literal).unwrap_or_else(|_| literal.to_owned())
}
