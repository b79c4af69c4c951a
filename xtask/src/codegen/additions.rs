//! `spec/additions/*.yaml`: what newer SDKs define and the spec snapshot lacks.
//!
//! Each file is an OpenAPI fragment written for openai-wire:
//!
//! ```yaml
//! x-openai-wire:
//!   sdk: openai-python 3.63.0 (PyPI)
//!   sources: [{path: src/openai/types/..., sha256: ...}]   # the SDK files it was written from
//!   events: {agent_sessions: [AgentSessionCreatedEvent, ...]}   # events.json protocol -> schemas
//!   extend: {Response: {properties: {...}}, ItemResource: {oneOf: [...]}}   # added to spec schemas
//! components:
//!   schemas: {AgentSessionCreatedEvent: {...}, ...}
//! ```
//!
//! Both generators read them: `cargo xtask events` lists their events in `spec/events.json`, and
//! `cargo xtask codegen` adds their schemas to the spec's. An addition that the spec snapshot
//! already has (a schema of the same name, a property `extend` would add, an alternative already
//! in the union) is refused, so that it is deleted when the snapshot catches up.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result, bail};
use serde_norway::{Mapping, Value};

/// Where the additions live, relative to the repository root.
pub const ADDITIONS_DIR: &str = "spec/additions";

/// One SDK file an addition was written from.
#[derive(Debug, Clone)]
pub struct Source {
    /// The path in the SDK's repository.
    pub path: String,
    /// The sha256 of the file as read.
    pub sha256: String,
}

/// One `spec/additions/*.yaml` file.
#[derive(Debug, Clone)]
pub struct Addition {
    /// The file name (for messages).
    pub file: String,
    /// The SDK and version the file was written from.
    pub sdk: String,
    /// The SDK files it was written from.
    pub sources: Vec<Source>,
    /// `events.json` protocol → the schemas of its new events, in order.
    pub events: BTreeMap<String, Vec<String>>,
    /// Spec schema → what to add to it (`properties`, `oneOf`/`anyOf` alternatives).
    pub extend: Mapping,
    /// The new schemas.
    pub schemas: Mapping,
}

/// Reads every `spec/additions/*.yaml`, in file-name order.
pub fn load_all(root: &Path) -> Result<Vec<Addition>> {
    let dir = root.join(ADDITIONS_DIR);
    let mut paths: Vec<_> = match std::fs::read_dir(&dir) {
        Ok(entries) => entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
            .collect(),
        Err(_) => return Ok(Vec::new()),
    };
    paths.sort();
    paths.iter().map(|path| load_one(path)).collect()
}

fn load_one(path: &Path) -> Result<Addition> {
    let file = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let text = std::fs::read_to_string(path).with_context(|| file.clone())?;
    let doc: Value = serde_norway::from_str(&text).with_context(|| file.clone())?;
    let meta = doc
        .get("x-openai-wire")
        .with_context(|| format!("{file}: no `x-openai-wire` section"))?;
    let sdk = meta
        .get("sdk")
        .and_then(Value::as_str)
        .with_context(|| format!("{file}: `x-openai-wire.sdk` is missing"))?
        .to_owned();
    let mut sources = Vec::new();
    for source in meta
        .get("sources")
        .and_then(Value::as_sequence)
        .with_context(|| format!("{file}: `x-openai-wire.sources` is missing"))?
    {
        let field = |key: &str| {
            source
                .get(key)
                .and_then(Value::as_str)
                .map(str::to_owned)
                .with_context(|| format!("{file}: a source lacks `{key}`"))
        };
        sources.push(Source {
            path: field("path")?,
            sha256: field("sha256")?,
        });
    }
    let mut events = BTreeMap::new();
    if let Some(map) = meta.get("events").and_then(Value::as_mapping) {
        for (protocol, names) in map {
            let protocol = protocol.as_str().context("protocol name")?.to_owned();
            let names = names
                .as_sequence()
                .with_context(|| format!("{file}: events.{protocol} is not a list"))?
                .iter()
                .map(|n| n.as_str().map(str::to_owned).context("schema name"))
                .collect::<Result<Vec<_>>>()?;
            events.insert(protocol, names);
        }
    }
    let extend = meta
        .get("extend")
        .and_then(Value::as_mapping)
        .cloned()
        .unwrap_or_default();
    let schemas = doc
        .get("components")
        .and_then(|c| c.get("schemas"))
        .and_then(Value::as_mapping)
        .cloned()
        .unwrap_or_default();
    for names in events.values() {
        for name in names {
            if !schemas.contains_key(name.as_str()) {
                bail!("{file}: event schema {name} is not in components.schemas");
            }
        }
    }
    Ok(Addition {
        file,
        sdk,
        sources,
        events,
        extend,
        schemas,
    })
}

/// Adds the additions' schemas and extensions to the spec's schemas. Fails when the spec already
/// has one of them (the addition is obsolete: delete it).
pub fn apply(schemas: &mut BTreeMap<String, Value>, additions: &[Addition]) -> Result<()> {
    for addition in additions {
        let file = &addition.file;
        for (name, schema) in &addition.schemas {
            let name = name.as_str().context("schema name")?;
            for taken in [name.to_owned(), format!("Beta{name}")] {
                if schemas.contains_key(&taken) {
                    bail!(
                        "{ADDITIONS_DIR}/{file}: the spec has a schema {taken}; delete {name} from the addition"
                    );
                }
            }
            let mut schema = schema.clone();
            if addition
                .events
                .values()
                .flatten()
                .any(|event| event == name)
            {
                note_origin(&mut schema, addition);
            }
            schemas.insert(name.to_owned(), schema);
        }
    }
    for addition in additions {
        for (target, extension) in &addition.extend {
            let target = target.as_str().context("extend target")?;
            extend_schema(schemas, target, extension)
                .with_context(|| format!("{ADDITIONS_DIR}/{}: extend {target}", addition.file))?;
        }
    }
    Ok(())
}

/// Ends an event schema's description with where it comes from (it shows in the Rust docs).
fn note_origin(schema: &mut Value, addition: &Addition) {
    let Some(map) = schema.as_mapping_mut() else {
        return;
    };
    let description = map
        .get("description")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .trim_end()
        .to_owned();
    let note = format!(
        "Not in the spec snapshot: from `{ADDITIONS_DIR}/{}`, written from {}.",
        addition.file, addition.sdk
    );
    map.insert(
        "description".into(),
        Value::String(format!("{description}\n\n{note}")),
    );
}

/// Adds `extension`'s properties and union alternatives to `schemas[target]`.
fn extend_schema(
    schemas: &mut BTreeMap<String, Value>,
    target: &str,
    extension: &Value,
) -> Result<()> {
    let Some(existing) = schemas.get(target) else {
        bail!("the spec has no schema {target}");
    };
    let flat = super::prepare::flatten_all_of(schemas, existing);
    let schema = schemas
        .get_mut(target)
        .and_then(Value::as_mapping_mut)
        .context("schema is not a mapping")?;
    if let Some(properties) = extension.get("properties").and_then(Value::as_mapping) {
        for (name, property) in properties {
            if flat.get("properties").and_then(|p| p.get(name)).is_some() {
                bail!("it has the property {name:?} already; delete it from the addition");
            }
            let props = schema
                .entry("properties".into())
                .or_insert_with(|| Value::Mapping(Mapping::new()));
            if let Some(props) = props.as_mapping_mut() {
                props.insert(name.clone(), property.clone());
            }
        }
    }
    for key in ["oneOf", "anyOf"] {
        let Some(alternatives) = extension.get(key).and_then(Value::as_sequence) else {
            continue;
        };
        let Some(Value::Sequence(existing)) = schema.get_mut(key) else {
            bail!("it is not a `{key}` union");
        };
        for alternative in alternatives {
            if existing.contains(alternative) {
                bail!("its `{key}` has {alternative:?} already; delete it from the addition");
            }
            existing.push(alternative.clone());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addition(schemas: &str, extend: &str) -> Addition {
        Addition {
            file: "test.yaml".to_owned(),
            sdk: "sdk 1.0".to_owned(),
            sources: Vec::new(),
            events: BTreeMap::new(),
            extend: serde_norway::from_str(extend).unwrap_or_else(|e| panic!("{e}")),
            schemas: serde_norway::from_str(schemas).unwrap_or_else(|e| panic!("{e}")),
        }
    }

    fn spec() -> BTreeMap<String, Value> {
        let object = "type: object\nproperties:\n  id: {type: string}\n";
        let union = "oneOf:\n  - $ref: '#/components/schemas/Thing'\n";
        [("Thing", object), ("Union", union)]
            .into_iter()
            .map(|(name, yaml)| {
                let value = serde_norway::from_str(yaml).unwrap_or_else(|e| panic!("{e}"));
                (name.to_owned(), value)
            })
            .collect()
    }

    #[test]
    fn schemas_are_added_and_spec_schemas_extended() {
        let mut schemas = spec();
        let new = "Other: {type: object, properties: {x: {type: integer}}}";
        let extend = "Thing: {properties: {extra: {type: string}}}\nUnion: {oneOf: [{$ref: '#/components/schemas/Other'}]}";
        apply(&mut schemas, &[addition(new, extend)]).unwrap_or_else(|e| panic!("{e:#}"));
        assert!(schemas.contains_key("Other"));
        assert!(schemas["Thing"]["properties"].get("extra").is_some());
        assert_eq!(
            schemas["Union"]["oneOf"].as_sequence().map(Vec::len),
            Some(2)
        );
    }

    #[test]
    fn what_the_spec_has_already_is_refused() {
        let cases = [
            ("Thing: {type: object}", "{}", "schema Thing"),
            ("Fresh: {type: object}", "{}", ""),
            ("{}", "Thing: {properties: {id: {type: string}}}", "\"id\""),
            (
                "{}",
                "Union: {oneOf: [{$ref: '#/components/schemas/Thing'}]}",
                "already",
            ),
            ("{}", "Missing: {properties: {a: {}}}", "no schema Missing"),
        ];
        for (new, extend, expected) in cases {
            let result = apply(&mut spec(), &[addition(new, extend)]);
            if expected.is_empty() {
                assert!(result.is_ok(), "{new} / {extend}");
                continue;
            }
            let message = format!("{:#}", result.expect_err(new));
            assert!(message.contains(expected), "{message}");
        }
    }
}
