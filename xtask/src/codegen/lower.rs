//! Lowering: spec schemas to a small intermediate model of Rust types.
//!
//! Four kinds of definition come out:
//! - a struct, for an object with properties (`allOf` parts are merged into one struct);
//! - an open string enum, for a string `enum` (with an `Other(String)` arm on emission);
//! - a union, for a `oneOf` / `anyOf` of several non-null alternatives: arms matched by their
//!   `type` tag, or by JSON kind (string, array, object, …), plus an `Unknown` arm;
//! - nothing, for everything that maps to a Rust type directly (strings, numbers, arrays, maps,
//!   `anyOf [X, null]`, free-form objects).

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{Result, bail};
use heck::{ToSnakeCase, ToUpperCamelCase};
use serde_norway::Value;

use super::prepare::{self, Config, schema_name};

/// A Rust type.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Ty {
    Str,
    I64,
    F64,
    Bool,
    Json,
    Vec(Box<Ty>),
    Map(Box<Ty>),
    Named(String),
}

/// How a struct field is read and written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Presence {
    /// Required, and needed on read.
    Required,
    /// Required; absent or `null` reads as the type's default; always written.
    RequiredDefault,
    /// Required but nullable: `Option`, always written (`null` when `None`).
    RequiredNullable,
    /// Optional: `Option`, written only when `Some`.
    Optional,
}

#[derive(Debug, Clone)]
pub struct Field {
    pub wire: String,
    pub ident: String,
    pub ty: Ty,
    pub doc: String,
    pub required: bool,
    pub nullable: bool,
    pub presence: Presence,
    pub boxed: bool,
}

/// How a union arm is recognised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Matcher {
    /// An object whose `type` is one of these values.
    Tag(Vec<String>),
    /// A JSON value of this kind, tried in declaration order.
    Kind(JsonKind),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonKind {
    String,
    Integer,
    Number,
    Bool,
    Array,
    Object,
}

#[derive(Debug, Clone)]
pub struct Arm {
    pub variant: String,
    pub ty: Ty,
    pub matcher: Matcher,
    /// A tagged arm whose tag is optional also matches objects without one.
    pub untagged_fallback: bool,
    /// The `role` values the arm's schema allows (empty when it has no `role` enum). When several
    /// arms of a union have roles, an object is first tried against the arms of its role.
    pub roles: Vec<String>,
    pub doc: String,
    pub boxed: bool,
}

#[derive(Debug, Clone)]
pub enum Kind {
    Struct {
        tag: Option<String>,
        fields: Vec<Field>,
    },
    Enum {
        values: Vec<(String, String)>,
        default: Option<usize>,
    },
    Union {
        arms: Vec<Arm>,
    },
}

#[derive(Debug, Clone)]
pub struct Def {
    pub name: String,
    pub doc: String,
    pub kind: Kind,
    pub families: BTreeSet<String>,
    pub defaultable: bool,
}

pub struct Lowerer<'a> {
    schemas: &'a BTreeMap<String, Value>,
    config: &'a Config,
    pub defs: BTreeMap<String, Def>,
    memo: BTreeMap<String, (Ty, bool)>,
    taken: BTreeSet<String>,
    resolving: Vec<String>,
}

impl<'a> Lowerer<'a> {
    /// The values an object schema's `role` property allows (through `$ref`s and `allOf`).
    fn role_values(&self, schema: &Value) -> Vec<String> {
        let merged = prepare::flatten_all_of(self.schemas, schema);
        merged
            .get("properties")
            .and_then(|p| p.get("role"))
            .map(|role| prepare::resolve(self.schemas, role))
            .and_then(|role| string_enum_values(&role))
            .unwrap_or_default()
    }

    pub fn new(schemas: &'a BTreeMap<String, Value>, config: &'a Config) -> Self {
        let mut taken: BTreeSet<String> =
            schemas.keys().map(|n| rust_type_name(config, n)).collect();
        for name in [
            "Result", "Option", "Vec", "String", "Box", "Value", "Default",
        ] {
            taken.insert(name.to_owned());
        }
        for e in &config.protocol_enum {
            taken.insert(e.name.clone());
        }
        Self {
            schemas,
            config,
            defs: BTreeMap::new(),
            memo: BTreeMap::new(),
            taken,
            resolving: Vec::new(),
        }
    }

    /// Lowers the component schema `name`, generating its definition if it needs one.
    pub fn lower_component(&mut self, name: &str) -> Result<(Ty, bool)> {
        if let Some(done) = self.memo.get(name) {
            return Ok(done.clone());
        }
        let Some(schema) = self.schemas.get(name).cloned() else {
            bail!("no schema named {name}");
        };
        let rust = rust_type_name(self.config, name);
        if self.needs_def(&schema) {
            let nullable = is_nullable(&schema);
            self.memo
                .insert(name.to_owned(), (Ty::Named(rust.clone()), nullable));
            self.define(&rust, &schema)?;
            Ok((Ty::Named(rust), nullable))
        } else {
            if self.resolving.iter().any(|n| n == name) {
                return Ok((Ty::Json, false));
            }
            self.resolving.push(name.to_owned());
            let lowered = self.lower(&schema, &rust);
            self.resolving.pop();
            let lowered = lowered?;
            self.memo.insert(name.to_owned(), lowered.clone());
            Ok(lowered)
        }
    }

    /// Whether a schema becomes a named definition (struct, enum, union) rather than a plain type.
    fn needs_def(&self, schema: &Value) -> bool {
        if schema.get("$ref").is_some() {
            return false;
        }
        if schema.get("allOf").is_some() || schema.get("properties").is_some() {
            return true;
        }
        if string_enum_values(schema).is_some() {
            return true;
        }
        if let Some(alternatives) = union_alternatives(schema) {
            let non_null: Vec<&Value> =
                alternatives.iter().filter(|a| !is_null_schema(a)).collect();
            return non_null.len() > 1 && !self.all_plain_strings(&non_null);
        }
        false
    }

    fn all_plain_strings(&self, alternatives: &[&Value]) -> bool {
        alternatives.iter().all(|a| {
            let a = prepare::resolve(self.schemas, a);
            type_is(&a, "string") && string_enum_values(&a).is_none()
        })
    }

    /// Lowers any schema met at `context` (the Rust name an inline definition would get).
    fn lower(&mut self, schema: &Value, context: &str) -> Result<(Ty, bool)> {
        let nullable_here = is_nullable(schema);
        if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
            let (ty, nullable) = self.lower_component(schema_name(reference))?;
            return Ok((ty, nullable || nullable_here));
        }
        if schema.get("$recursiveRef").is_some() {
            return Ok((Ty::Json, nullable_here));
        }
        if let Some(parts) = schema.get("allOf").and_then(Value::as_sequence) {
            // Parts that only qualify (`{nullable: true}`, a description) are not shapes.
            let shapes: Vec<&Value> = parts.iter().filter(|p| !is_modifier_only(p)).collect();
            let nullable_part = parts.iter().any(|p| is_modifier_only(p) && is_nullable(p));
            if shapes.len() == 1 && schema.get("properties").is_none() {
                let (ty, nullable) = self.lower(shapes[0], context)?;
                return Ok((ty, nullable || nullable_here || nullable_part));
            }
            let merged = prepare::flatten_all_of(self.schemas, schema);
            let name = self.claim(context);
            self.define(&name, &merged)?;
            return Ok((Ty::Named(name), nullable_here));
        }
        if let Some(alternatives) = union_alternatives(schema) {
            return self.lower_union(schema, &alternatives, context, nullable_here, None);
        }
        if let Some(values) = string_enum_values(schema) {
            let name = self.claim(context);
            self.define_enum(&name, schema, values);
            return Ok((Ty::Named(name), nullable_here || enum_has_null(schema)));
        }
        if schema.get("properties").is_some() {
            let name = self.claim(context);
            self.define(&name, schema)?;
            return Ok((Ty::Named(name), nullable_here));
        }
        let ty = match primary_type(schema) {
            Some("string") => Ty::Str,
            Some("integer") => Ty::I64,
            Some("number") => Ty::F64,
            Some("boolean") => Ty::Bool,
            Some("array") => match schema.get("items") {
                Some(items) => {
                    let (item, _) = self.lower(items, &singular(context))?;
                    Ty::Vec(Box::new(item))
                }
                None => Ty::Vec(Box::new(Ty::Json)),
            },
            Some("object") => match schema.get("additionalProperties") {
                Some(ap @ Value::Mapping(_)) if !ap.as_mapping().is_some_and(|m| m.is_empty()) => {
                    let (value, _) = self.lower(ap, &format!("{context}Value"))?;
                    Ty::Map(Box::new(value))
                }
                _ => Ty::Json,
            },
            _ => Ty::Json,
        };
        Ok((ty, nullable_here))
    }

    fn lower_union(
        &mut self,
        schema: &Value,
        alternatives: &[Value],
        context: &str,
        nullable_here: bool,
        fixed_name: Option<&str>,
    ) -> Result<(Ty, bool)> {
        let nullable = nullable_here || alternatives.iter().any(is_null_schema);
        let non_null: Vec<&Value> = alternatives.iter().filter(|a| !is_null_schema(a)).collect();
        match non_null.len() {
            0 => return Ok((Ty::Json, true)),
            1 => {
                let (ty, inner_nullable) = self.lower(non_null[0], context)?;
                return Ok((ty, nullable || inner_nullable));
            }
            _ => {}
        }
        // Expand nested unions so that every arm is a single shape.
        let mut flat: Vec<Value> = Vec::new();
        for alternative in non_null {
            self.expand(alternative, &mut flat, 0);
        }
        let resolved: Vec<Value> = flat
            .iter()
            .map(|a| prepare::flatten_all_of(self.schemas, &prepare::resolve(self.schemas, a)))
            .collect();
        let stringish: Vec<usize> = (0..flat.len())
            .filter(|&i| self.is_stringish_deep(&resolved[i], 0))
            .collect();
        if stringish.len() == flat.len() {
            let mut values: Vec<String> = Vec::new();
            for r in &resolved {
                for v in self.string_values_deep(r, 0) {
                    if !values.contains(&v) {
                        values.push(v);
                    }
                }
            }
            if values.is_empty() {
                return Ok((Ty::Str, nullable));
            }
            let name = fixed_name
                .map(str::to_owned)
                .unwrap_or_else(|| self.claim(context));
            self.define_enum(&name, schema, values);
            return Ok((Ty::Named(name), nullable));
        }
        let name = fixed_name
            .map(str::to_owned)
            .unwrap_or_else(|| self.claim(context));
        // Reserve the name before lowering arms (they may refer back to it).
        self.defs.insert(name.clone(), placeholder(&name));
        let mut arms: Vec<Arm> = Vec::new();
        let mut used: BTreeSet<String> = BTreeSet::new();
        let mut string_done = false;
        for (i, alternative) in flat.iter().enumerate() {
            let r = &resolved[i];
            let doc = first_line(
                &doc_of(alternative)
                    .or_else(|| doc_of(r))
                    .unwrap_or_default(),
            );
            if stringish.contains(&i) {
                if string_done {
                    continue;
                }
                string_done = true;
                let string_alternatives: Vec<&Value> =
                    stringish.iter().map(|&j| &resolved[j]).collect();
                let mut values: Vec<String> = Vec::new();
                for s in &string_alternatives {
                    for v in self.string_values_deep(s, 0) {
                        if !values.contains(&v) {
                            values.push(v);
                        }
                    }
                }
                let (ty, variant) = if values.is_empty() {
                    (Ty::Str, "Text".to_owned())
                } else if stringish.len() == 1 && flat[i].get("$ref").is_some() {
                    let (ty, _) = self.lower(&flat[i], &format!("{name}Text"))?;
                    let variant = match &ty {
                        Ty::Named(n) => n.clone(),
                        _ => "Text".to_owned(),
                    };
                    (ty, variant)
                } else {
                    let enum_name = self.claim(&format!("{name}Mode"));
                    self.define_enum(&enum_name, r, values);
                    (Ty::Named(enum_name), "Mode".to_owned())
                };
                let variant = unique(&mut used, &variant);
                arms.push(Arm {
                    variant,
                    ty,
                    matcher: Matcher::Kind(JsonKind::String),
                    untagged_fallback: false,
                    roles: Vec::new(),
                    doc,
                    boxed: false,
                });
                continue;
            }
            if let Some((tags, tag_required)) = type_tags(r) {
                let arm_context = format!("{name}{}", upper_camel(&tags[0]));
                let (ty, _) = self.lower(alternative, &arm_context)?;
                let mut variant = upper_camel(&tags[0]);
                if used.contains(&variant)
                    && let Ty::Named(n) = &ty
                {
                    variant = n.clone();
                }
                let variant = unique(&mut used, &variant);
                arms.push(Arm {
                    variant,
                    ty,
                    matcher: Matcher::Tag(tags),
                    untagged_fallback: !tag_required,
                    roles: self.role_values(r),
                    doc,
                    boxed: false,
                });
                continue;
            }
            let kind = match primary_type(r) {
                Some("integer") => JsonKind::Integer,
                Some("number") => JsonKind::Number,
                Some("boolean") => JsonKind::Bool,
                Some("array") => JsonKind::Array,
                _ => JsonKind::Object,
            };
            let default_variant = match kind {
                JsonKind::Integer => "Integer",
                JsonKind::Number => "Number",
                JsonKind::Bool => "Bool",
                JsonKind::Array => "List",
                _ => "Object",
            };
            let arm_context = match alternative.get("$ref").and_then(Value::as_str) {
                Some(reference) => rust_type_name(self.config, schema_name(reference)),
                None => format!("{name}{default_variant}"),
            };
            let (ty, _) = self.lower(alternative, &arm_context)?;
            let variant = match (&ty, alternative.get("$ref")) {
                (Ty::Named(n), Some(_)) => n.clone(),
                _ => default_variant.to_owned(),
            };
            let variant = unique(&mut used, &variant);
            arms.push(Arm {
                variant,
                ty,
                matcher: Matcher::Kind(kind),
                untagged_fallback: false,
                roles: self.role_values(r),
                doc,
                boxed: false,
            });
        }
        if let Some(untagged) = self.config.read.missing_tag.get(&name).cloned() {
            // `[read] missing_tag`: objects without a `type` read as this schema.
            let (ty, _) = self.lower_component(&untagged)?;
            let variant = unique(&mut used, &rust_type_name(self.config, &untagged));
            arms.push(Arm {
                variant,
                ty,
                matcher: Matcher::Tag(Vec::new()),
                untagged_fallback: true,
                roles: Vec::new(),
                doc: format!(
                    "An object without `type`, read as `{untagged}` (see `spec/codegen.toml`)."
                ),
                boxed: false,
            });
        }
        let doc = doc_of(schema).unwrap_or_else(|| format!("One of several shapes ({name})."));
        self.defs.insert(
            name.clone(),
            Def {
                name: name.clone(),
                doc,
                kind: Kind::Union { arms },
                families: BTreeSet::new(),
                defaultable: false,
            },
        );
        Ok((Ty::Named(name), nullable))
    }

    /// Whether a resolved schema only ever holds a string: a string, a string enum, or a union
    /// of those (such as `ModelIdsShared`, which a union of model ids refers to).
    fn is_stringish_deep(&self, schema: &Value, depth: usize) -> bool {
        if is_stringish(schema) {
            return true;
        }
        let Some(alternatives) = union_alternatives(schema) else {
            return false;
        };
        let non_null: Vec<&Value> = alternatives.iter().filter(|a| !is_null_schema(a)).collect();
        depth < 8
            && !non_null.is_empty()
            && non_null
                .iter()
                .all(|a| self.is_stringish_deep(&prepare::resolve(self.schemas, a), depth + 1))
    }

    /// The string values a stringish schema names (none for a plain string), through unions.
    fn string_values_deep(&self, schema: &Value, depth: usize) -> Vec<String> {
        if let Some(values) = string_enum_values(schema) {
            return values;
        }
        let mut values: Vec<String> = Vec::new();
        if depth < 8
            && let Some(alternatives) = union_alternatives(schema)
        {
            for alternative in alternatives.iter().filter(|a| !is_null_schema(a)) {
                let resolved = prepare::resolve(self.schemas, alternative);
                for value in self.string_values_deep(&resolved, depth + 1) {
                    if !values.contains(&value) {
                        values.push(value);
                    }
                }
            }
        }
        values
    }

    /// Appends the alternatives of `alternative`, flattening nested unions.
    fn expand(&self, alternative: &Value, out: &mut Vec<Value>, depth: usize) {
        let resolved = prepare::resolve(self.schemas, alternative);
        if depth < 8
            && let Some(nested) = union_alternatives(&resolved)
        {
            let non_null: Vec<&Value> = nested.iter().filter(|a| !is_null_schema(a)).collect();
            let stringish = non_null
                .iter()
                .all(|a| is_stringish(&prepare::resolve(self.schemas, a)));
            if non_null.len() > 1 && !stringish {
                for n in non_null {
                    self.expand(n, out, depth + 1);
                }
                return;
            }
            if non_null.len() == 1 {
                self.expand(non_null[0], out, depth + 1);
                return;
            }
        }
        if !out.contains(alternative) {
            out.push(alternative.clone());
        }
    }

    /// Defines `name` from `schema` (an object, an enum or a union).
    fn define(&mut self, name: &str, schema: &Value) -> Result<()> {
        let schema = prepare::flatten_all_of(self.schemas, schema);
        if let Some(alternatives) = union_alternatives(&schema)
            && schema.get("properties").is_none()
        {
            let (ty, _) = self.lower_union(&schema, &alternatives, name, false, Some(name))?;
            if ty != Ty::Named(name.to_owned()) {
                bail!("{name}: a union that needs a definition lowered to {ty:?}");
            }
            return Ok(());
        }
        if let Some(values) = string_enum_values(&schema) {
            self.define_enum(name, &schema, values);
            return Ok(());
        }
        self.defs.insert(name.to_owned(), placeholder(name));
        let required: BTreeSet<String> = schema
            .get("required")
            .and_then(Value::as_sequence)
            .map(|r| {
                r.iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        let mut tag = None;
        let mut fields = Vec::new();
        let mut idents = BTreeSet::new();
        if let Some(props) = schema.get("properties").and_then(Value::as_mapping) {
            for (wire, prop) in props {
                let Some(wire) = wire.as_str() else { continue };
                if wire == "type"
                    && let Some(values) = string_enum_values(&prepare::resolve(self.schemas, prop))
                    && values.len() == 1
                {
                    tag = Some(values[0].clone());
                    continue;
                }
                let context = format!("{name}{}", upper_camel(wire));
                let (ty, nullable) = self.lower(prop, &context)?;
                let doc = doc_of(prop)
                    .or_else(|| {
                        prop.get("$ref")
                            .and_then(|_| doc_of(&prepare::resolve(self.schemas, prop)))
                    })
                    .unwrap_or_else(|| format!("The `{wire}` field."));
                let ident = unique(&mut idents, &field_ident(wire));
                fields.push(Field {
                    wire: wire.to_owned(),
                    ident,
                    ty,
                    doc,
                    required: required.contains(wire),
                    nullable,
                    presence: Presence::Optional,
                    boxed: false,
                });
            }
        }
        let doc = doc_of(&schema).unwrap_or_else(|| format!("The `{name}` object."));
        self.defs.insert(
            name.to_owned(),
            Def {
                name: name.to_owned(),
                doc,
                kind: Kind::Struct { tag, fields },
                families: BTreeSet::new(),
                defaultable: false,
            },
        );
        Ok(())
    }

    fn define_enum(&mut self, name: &str, schema: &Value, values: Vec<String>) {
        let mut used = BTreeSet::new();
        let values: Vec<(String, String)> = values
            .into_iter()
            .map(|wire| {
                let variant = unique(&mut used, &enum_variant(&wire));
                (variant, wire)
            })
            .collect();
        let default = (values.len() == 1).then_some(0);
        let doc = doc_of(schema).unwrap_or_else(|| format!("The values of `{name}`."));
        self.defs.insert(
            name.to_owned(),
            Def {
                name: name.to_owned(),
                doc,
                kind: Kind::Enum { values, default },
                families: BTreeSet::new(),
                defaultable: false,
            },
        );
    }

    /// A unique Rust name for an inline definition.
    fn claim(&mut self, context: &str) -> String {
        let base = sanitize_type_name(context);
        if self.taken.insert(base.clone()) {
            return base;
        }
        for i in 2.. {
            let candidate = format!("{base}{i}");
            if self.taken.insert(candidate.clone()) {
                return candidate;
            }
        }
        unreachable!()
    }

    /// Computes the per-field presence, the defaultable flag, boxing, and families.
    pub fn finish(&mut self, roots: &BTreeMap<String, BTreeSet<String>>) {
        // Defaultable: fixpoint.
        loop {
            let mut changed = false;
            let snapshot: BTreeMap<String, bool> = self
                .defs
                .iter()
                .map(|(n, d)| (n.clone(), d.defaultable))
                .collect();
            let config = self.config;
            for def in self.defs.values_mut() {
                if def.defaultable {
                    continue;
                }
                let now = match &def.kind {
                    Kind::Struct { fields, .. } => fields.iter().all(|f| {
                        !f.required
                            || f.nullable
                            || ty_defaultable(&f.ty, &snapshot)
                            || optional_on_read(config, &def.name, &f.wire)
                    }),
                    Kind::Enum { default, .. } => default.is_some(),
                    Kind::Union { .. } => false,
                };
                if now {
                    def.defaultable = true;
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        let defaultable: BTreeMap<String, bool> = self
            .defs
            .iter()
            .map(|(n, d)| (n.clone(), d.defaultable))
            .collect();
        let config = self.config;
        for def in self.defs.values_mut() {
            let def_name = def.name.clone();
            if let Kind::Struct { fields, .. } = &mut def.kind {
                for f in fields {
                    f.presence = if !f.required || optional_on_read(config, &def_name, &f.wire) {
                        Presence::Optional
                    } else if f.nullable {
                        Presence::RequiredNullable
                    } else if ty_defaultable(&f.ty, &defaultable) {
                        Presence::RequiredDefault
                    } else {
                        Presence::Required
                    };
                }
            }
        }
        self.box_cycles();
        // Families: reachability from each family's roots.
        let edges: BTreeMap<String, BTreeSet<String>> = self
            .defs
            .iter()
            .map(|(n, d)| (n.clone(), def_edges(d, false)))
            .collect();
        for (family, family_roots) in roots {
            let mut stack: Vec<String> = family_roots.iter().cloned().collect();
            let mut seen = BTreeSet::new();
            while let Some(n) = stack.pop() {
                if !seen.insert(n.clone()) {
                    continue;
                }
                if let Some(next) = edges.get(&n) {
                    stack.extend(next.iter().cloned());
                }
            }
            for n in seen {
                if let Some(def) = self.defs.get_mut(&n) {
                    def.families.insert(family.clone());
                }
            }
        }
    }

    /// Boxes the by-value edges that close a cycle (Tarjan's strongly connected components).
    fn box_cycles(&mut self) {
        let edges: BTreeMap<String, BTreeSet<String>> = self
            .defs
            .iter()
            .map(|(n, d)| (n.clone(), def_edges(d, true)))
            .collect();
        let scc = strongly_connected(&edges);
        for def in self.defs.values_mut() {
            let me = scc.get(&def.name).copied();
            let in_cycle = |target: &str| {
                me.is_some()
                    && scc.get(target).copied() == me
                    && edges.get(target).is_some_and(|_| true)
            };
            match &mut def.kind {
                Kind::Struct { fields, .. } => {
                    for f in fields {
                        if let Ty::Named(t) = &f.ty {
                            f.boxed = in_cycle(t);
                        }
                    }
                }
                Kind::Union { arms } => {
                    for a in arms {
                        if let Ty::Named(t) = &a.ty {
                            a.boxed = in_cycle(t);
                        }
                    }
                }
                Kind::Enum { .. } => {}
            }
        }
    }
}

fn placeholder(name: &str) -> Def {
    Def {
        name: name.to_owned(),
        doc: String::new(),
        kind: Kind::Struct {
            tag: None,
            fields: Vec::new(),
        },
        families: BTreeSet::new(),
        defaultable: false,
    }
}

/// Whether `[read] optional_fields` names this field (bare, or as `Type.field`).
fn optional_on_read(config: &Config, def: &str, field: &str) -> bool {
    config
        .read
        .optional_fields
        .iter()
        .any(|entry| match entry.split_once('.') {
            Some((ty, name)) => ty == def && name == field,
            None => entry == field,
        })
}

fn ty_defaultable(ty: &Ty, defs: &BTreeMap<String, bool>) -> bool {
    match ty {
        Ty::Named(n) => defs.get(n).copied().unwrap_or(false),
        _ => true,
    }
}

fn named_in(ty: &Ty, by_value_only: bool, out: &mut BTreeSet<String>) {
    match ty {
        Ty::Named(n) => {
            out.insert(n.clone());
        }
        Ty::Vec(inner) | Ty::Map(inner) if !by_value_only => named_in(inner, by_value_only, out),
        _ => {}
    }
}

/// The definitions `def` refers to (by value only: not through a `Vec` or map).
pub fn def_edges(def: &Def, by_value_only: bool) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    match &def.kind {
        Kind::Struct { fields, .. } => fields
            .iter()
            .for_each(|f| named_in(&f.ty, by_value_only, &mut out)),
        Kind::Union { arms } => arms
            .iter()
            .for_each(|a| named_in(&a.ty, by_value_only, &mut out)),
        Kind::Enum { .. } => {}
    }
    out
}

fn strongly_connected(edges: &BTreeMap<String, BTreeSet<String>>) -> BTreeMap<String, usize> {
    struct State<'e> {
        edges: &'e BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<String, usize>,
        low: BTreeMap<String, usize>,
        on_stack: BTreeSet<String>,
        stack: Vec<String>,
        next: usize,
        component: BTreeMap<String, usize>,
        components: usize,
    }
    fn visit(s: &mut State<'_>, v: &str) {
        s.index.insert(v.to_owned(), s.next);
        s.low.insert(v.to_owned(), s.next);
        s.next += 1;
        s.stack.push(v.to_owned());
        s.on_stack.insert(v.to_owned());
        let targets: Vec<String> = s
            .edges
            .get(v)
            .map(|t| t.iter().cloned().collect())
            .unwrap_or_default();
        let mut self_loop = false;
        for w in targets {
            if w == v {
                self_loop = true;
            }
            if !s.edges.contains_key(&w) {
                continue;
            }
            if !s.index.contains_key(&w) {
                visit(s, &w);
                let lw = s.low[&w];
                let lv = s.low[v];
                s.low.insert(v.to_owned(), lv.min(lw));
            } else if s.on_stack.contains(&w) {
                let iw = s.index[&w];
                let lv = s.low[v];
                s.low.insert(v.to_owned(), lv.min(iw));
            }
        }
        if s.low[v] == s.index[v] {
            let mut members = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on_stack.remove(&w);
                let done = w == v;
                members.push(w);
                if done {
                    break;
                }
            }
            if members.len() > 1 || self_loop {
                for m in members {
                    s.component.insert(m, s.components);
                }
                s.components += 1;
            }
        }
    }
    let mut s = State {
        edges,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        on_stack: BTreeSet::new(),
        stack: Vec::new(),
        next: 0,
        component: BTreeMap::new(),
        components: 0,
    };
    for v in edges.keys() {
        if !s.index.contains_key(v) {
            visit(&mut s, v);
        }
    }
    s.component
}

// ---- schema predicates -------------------------------------------------------------------------

fn union_alternatives(schema: &Value) -> Option<Vec<Value>> {
    schema
        .get("oneOf")
        .or_else(|| schema.get("anyOf"))
        .and_then(Value::as_sequence)
        .map(|s| s.to_vec())
}

/// A schema that adds no shape of its own: only `nullable`, `description`, `title`, `default`, ….
fn is_modifier_only(schema: &Value) -> bool {
    const SHAPES: &[&str] = &[
        "$ref",
        "type",
        "properties",
        "allOf",
        "oneOf",
        "anyOf",
        "enum",
        "const",
        "items",
        "additionalProperties",
    ];
    schema.as_mapping().is_some_and(|m| {
        !m.keys()
            .any(|k| k.as_str().is_some_and(|k| SHAPES.contains(&k)))
    })
}

fn is_null_schema(schema: &Value) -> bool {
    schema.get("type").and_then(Value::as_str) == Some("null")
        || schema
            .get("enum")
            .and_then(Value::as_sequence)
            .is_some_and(|v| v.len() == 1 && v[0].is_null())
}

fn is_nullable(schema: &Value) -> bool {
    schema.get("nullable").and_then(Value::as_bool) == Some(true)
        || schema
            .get("type")
            .and_then(Value::as_sequence)
            .is_some_and(|t| t.iter().any(|t| t.as_str() == Some("null")))
}

fn enum_has_null(schema: &Value) -> bool {
    schema
        .get("enum")
        .and_then(Value::as_sequence)
        .is_some_and(|v| v.iter().any(Value::is_null))
}

fn primary_type(schema: &Value) -> Option<&str> {
    match schema.get("type") {
        Some(Value::String(t)) => Some(t.as_str()),
        Some(Value::Sequence(types)) => types
            .iter()
            .filter_map(Value::as_str)
            .find(|t| *t != "null"),
        _ => {
            if schema.get("properties").is_some() {
                Some("object")
            } else if schema.get("items").is_some() {
                Some("array")
            } else {
                None
            }
        }
    }
}

fn type_is(schema: &Value, ty: &str) -> bool {
    primary_type(schema) == Some(ty)
}

/// The string values of an `enum` or `const` (nulls dropped), when every value is a string.
fn string_enum_values(schema: &Value) -> Option<Vec<String>> {
    if let Some(c) = schema.get("const").and_then(Value::as_str) {
        return Some(vec![c.to_owned()]);
    }
    let values = schema.get("enum")?.as_sequence()?;
    let non_null: Vec<&Value> = values.iter().filter(|v| !v.is_null()).collect();
    if non_null.is_empty() {
        return None;
    }
    non_null
        .iter()
        .map(|v| v.as_str().map(str::to_owned))
        .collect()
}

fn is_stringish(schema: &Value) -> bool {
    string_enum_values(schema).is_some()
        || (type_is(schema, "string") && schema.get("properties").is_none())
}

/// The `type` tag values of an object schema, and whether the tag is required.
fn type_tags(schema: &Value) -> Option<(Vec<String>, bool)> {
    let prop = schema.get("properties")?.get("type")?;
    let values = string_enum_values(prop)?;
    let required = schema
        .get("required")
        .and_then(Value::as_sequence)
        .is_some_and(|r| r.iter().any(|v| v.as_str() == Some("type")));
    Some((values, required))
}

fn doc_of(schema: &Value) -> Option<String> {
    schema
        .get("description")
        .and_then(Value::as_str)
        .or_else(|| schema.get("title").and_then(Value::as_str))
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(str::to_owned)
}

pub fn first_line(doc: &str) -> String {
    let para = doc.split("\n\n").next().unwrap_or("").replace('\n', " ");
    para.trim().to_owned()
}

// ---- names -------------------------------------------------------------------------------------

pub fn rust_type_name(config: &Config, spec_name: &str) -> String {
    if let Some(renamed) = config.rename.get(spec_name) {
        return renamed.clone();
    }
    sanitize_type_name(spec_name)
}

fn sanitize_type_name(name: &str) -> String {
    if name.chars().all(|c| c.is_ascii_alphanumeric())
        && name.chars().next().is_some_and(|c| c.is_ascii_uppercase())
    {
        name.to_owned()
    } else {
        let camel = name.to_upper_camel_case();
        if camel.chars().next().is_some_and(|c| c.is_ascii_digit()) {
            format!("T{camel}")
        } else {
            camel
        }
    }
}

pub fn upper_camel(wire: &str) -> String {
    let camel = wire
        .replace(['.', '/', '-', ':', ' '], "_")
        .to_upper_camel_case();
    if camel.is_empty() {
        "Empty".to_owned()
    } else if camel.chars().next().is_some_and(|c| c.is_ascii_digit()) {
        format!("V{camel}")
    } else {
        camel
    }
}

fn enum_variant(wire: &str) -> String {
    let mut variant = upper_camel(wire);
    variant.retain(|c| c.is_ascii_alphanumeric());
    if variant.is_empty() {
        return "Empty".to_owned();
    }
    if variant == "Other" || variant == "Self_" {
        variant.push('_');
    }
    variant
}

fn field_ident(wire: &str) -> String {
    let mut ident = wire
        .replace(['.', '-', '/', ' ', '$', '@'], "_")
        .to_snake_case();
    if ident.is_empty() || ident.chars().next().is_some_and(|c| c.is_ascii_digit()) {
        ident = format!("f_{ident}");
    }
    const KEYWORDS: &[&str] = &[
        "as", "break", "const", "continue", "crate", "else", "enum", "extern", "false", "fn",
        "for", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref",
        "return", "self", "static", "struct", "super", "trait", "true", "type", "unsafe", "use",
        "where", "while", "async", "await", "dyn", "abstract", "become", "box", "do", "final",
        "macro", "override", "priv", "typeof", "unsized", "virtual", "yield", "try", "gen",
    ];
    if KEYWORDS.contains(&ident.as_str()) {
        format!("r#{ident}")
    } else {
        ident
    }
}

fn singular(name: &str) -> String {
    if let Some(stem) = name.strip_suffix("ies") {
        format!("{stem}y")
    } else if name.ends_with("ss") || name.ends_with("us") {
        format!("{name}Item")
    } else if let Some(stem) = name.strip_suffix('s') {
        stem.to_owned()
    } else {
        format!("{name}Item")
    }
}

fn unique(used: &mut BTreeSet<String>, base: &str) -> String {
    if used.insert(base.to_owned()) {
        return base.to_owned();
    }
    for i in 2.. {
        let candidate = format!("{base}{i}");
        if used.insert(candidate.clone()) {
            return candidate;
        }
    }
    unreachable!()
}
