//! The borrowed views (`openai_wire_events::view`): for each event payload struct with string
//! fields, a `…Ref<'a>` struct whose strings borrow from the event's JSON text and whose
//! `logprobs` stay text until read; for each protocol enum, a `…Ref<'a>` enum of the views with
//! its `EventView` impl. Everything else is the owned model's types and reading rules, so that
//! a view and the owned event cannot disagree.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use super::emit::{
    FieldRules, Variant, doc_comment, emit_event_accessors, emit_field, envelope_data_arms,
    rust_ty, tag_patterns,
};
use super::lower::{Def, Field, Kind, Presence, Ty};
use super::prepare::{Config, EnumConfig};

/// Fields kept as JSON text until read (`Lazy`): bulky, and rarely read as they pass: log
/// probabilities, and the snapshots of lifecycle events (the whole response, an item, a part).
const LAZY_FIELDS: &[&str] = &["logprobs", "response", "item", "part"];

/// The name of the view of a payload struct or protocol enum.
pub fn view_name(name: &str) -> String {
    format!("{name}Ref")
}

/// How a field of a view struct differs from the owned struct's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ViewField {
    /// A string borrowed from the text.
    Str,
    /// JSON text read on access.
    Lazy,
    /// The owned field, as it is.
    Owned,
}

fn view_field(field: &Field) -> ViewField {
    if field.boxed {
        return ViewField::Owned;
    }
    match &field.ty {
        Ty::Str => ViewField::Str,
        Ty::Vec(_) | Ty::Named(_) if LAZY_FIELDS.contains(&field.wire.as_str()) => ViewField::Lazy,
        _ => ViewField::Owned,
    }
}

/// Whether a payload gets a view struct of its own: a struct with a derived `Serialize` and at
/// least one field a view borrows. Other payloads appear in the view enum as they are.
pub fn has_view_struct(def: &Def, config: &Config) -> bool {
    let Kind::Struct { fields, .. } = &def.kind else {
        return false;
    };
    let rules = FieldRules::new(&def.name, &config.write);
    rules.derive_serialize() && fields.iter().any(|f| view_field(f) != ViewField::Owned)
}

/// How the one-pass reader (`crate::view::Scan`) reads a field of a view struct.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ScanField {
    /// A string, borrowed unless it has escapes.
    Str,
    /// JSON text (a `Lazy` part).
    Lazy,
    /// An `i64`.
    Int,
    /// A `bool`.
    Bool,
    /// Anything else (only optional fields): read by serde_json.
    Other,
}

fn scan_field(field: &Field) -> ScanField {
    match view_field(field) {
        ViewField::Str => ScanField::Str,
        ViewField::Lazy => ScanField::Lazy,
        ViewField::Owned if field.boxed => ScanField::Other,
        ViewField::Owned => match field.ty {
            Ty::I64 => ScanField::Int,
            Ty::Bool => ScanField::Bool,
            _ => ScanField::Other,
        },
    }
}

/// Whether a view struct gets a one-pass reader (`scan`, see `crate::view::Scan`): an event
/// payload (tagged) whose fields are all strings, integers, booleans or lazy parts, except
/// optional ones (read by serde_json, as `Option<…>`). The delta events are such structs.
pub fn has_scan(def: &Def, config: &Config) -> bool {
    let Kind::Struct { tag, fields } = &def.kind else {
        return false;
    };
    let rules = FieldRules::new(&def.name, &config.write);
    tag.is_some()
        && has_view_struct(def, config)
        && fields.iter().all(|f| {
            scan_field(f) != ScanField::Other
                || matches!(
                    rules.presence(f),
                    Presence::Optional | Presence::RequiredNullable
                )
        })
}

/// The view struct's `scan`: the event read in one pass by `crate::view::Scan`, or `None` when
/// the text has something the reader leaves to serde. What it gives is what serde gives, by the
/// same rules as the struct's serde attributes above (`emit_str_field`, `emit_lazy_field`,
/// `emit_field`).
fn emit_scan(def: &Def, fields: &[Field], rules: &FieldRules<'_>, out: &mut String) {
    let name = view_name(&def.name);
    let _ = writeln!(
        out,
        "impl<'a> {name}<'a> {{\n/// Reads the event in one pass ([`crate::view::Scan`]); `None` when serde must read it.\npub(crate) fn scan(json: &'a str) -> Option<Self> {{\nlet mut scan = crate::view::Scan::new(json)?;"
    );
    for field in fields {
        let _ = writeln!(out, "let mut {} = None;", field.ident);
    }
    out.push_str("while let Some(key) = scan.key()? {\nmatch key {\n");
    for field in fields {
        let presence = rules.presence(field);
        // Whether `null` is read (as `None` or the default) rather than rejected.
        let nullable = presence != Presence::Required;
        let optional = matches!(presence, Presence::Optional | Presence::RequiredNullable);
        let reader = match (scan_field(field), nullable) {
            (ScanField::Str, false) => "str",
            (ScanField::Str, true) => "str_or_null",
            // A lazy part that is not optional keeps `null` as its text.
            (ScanField::Lazy, _) if optional => "raw_or_null",
            (ScanField::Lazy, _) => "raw",
            (ScanField::Int, false) => "int",
            (ScanField::Int, true) => "int_or_null",
            (ScanField::Bool, false) => "bool",
            (ScanField::Bool, true) => "bool_or_null",
            (ScanField::Other, _) => "owned",
        };
        let _ = writeln!(
            out,
            "{:?} => crate::view::once(&mut {}, scan.{reader}()?)?,",
            field.wire, field.ident
        );
    }
    out.push_str("_ => scan.skip()?,\n}\n}\nscan.end()?;\nSome(Self {\n");
    for field in fields {
        let ident = &field.ident;
        let presence = rules.presence(field);
        let value = match (scan_field(field), presence) {
            (ScanField::Other, _) => format!("{ident}.flatten()"),
            (ScanField::Str, Presence::Required) => format!("{ident}?"),
            (ScanField::Str, Presence::RequiredDefault) => {
                format!("{ident}.flatten().unwrap_or_default()")
            }
            (ScanField::Str, _) => format!("{ident}.flatten()"),
            (ScanField::Lazy, Presence::Required) => {
                format!("crate::view::lazy_raw_required({ident}?)")
            }
            (ScanField::Lazy, Presence::RequiredDefault) => format!(
                "{ident}.map_or_else(crate::view::lazy_absent, crate::view::lazy_raw_or_default)"
            ),
            (ScanField::Lazy, _) => {
                format!("{ident}.flatten().map(crate::view::lazy_raw_required)")
            }
            (ScanField::Int | ScanField::Bool, Presence::Required) => format!("{ident}?"),
            (ScanField::Int | ScanField::Bool, Presence::RequiredDefault) => {
                format!("{ident}.flatten().unwrap_or_default()")
            }
            (ScanField::Int | ScanField::Bool, _) => format!("{ident}.flatten()"),
        };
        let _ = writeln!(out, "{ident}: {value},");
    }
    out.push_str("})\n}\n}\n\n");
}

/// The view struct of a payload (only called when [`has_view_struct`]).
pub fn emit_view_struct(def: &Def, config: &Config, out: &mut String) {
    let Kind::Struct { tag, fields } = &def.kind else {
        return;
    };
    let rules = FieldRules::new(&def.name, &config.write);
    let name = view_name(&def.name);
    let _ = writeln!(
        out,
        "/// [`{}`], borrowed from the event's JSON text (see [`crate::view`]).",
        def.name
    );
    if let Some(tag) = tag {
        let _ = writeln!(out, "///\n/// Wire type: `{tag}`.");
    }
    let _ = writeln!(
        out,
        "#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]"
    );
    if let Some(tag) = tag {
        let _ = writeln!(out, "#[serde(tag = \"type\", rename = \"{tag}\")]");
    }
    let _ = writeln!(out, "pub struct {name}<'a> {{");
    for field in fields {
        match view_field(field) {
            ViewField::Str => emit_str_field(field, &rules, out),
            ViewField::Lazy => emit_lazy_field(field, &rules, out),
            ViewField::Owned => emit_field(field, &rules, out),
        }
    }
    out.push_str("}\n\n");
    emit_to_owned(def, tag.as_deref().unwrap_or(""), fields, &rules, out);
    if has_scan(def, config) {
        emit_scan(def, fields, &rules, out);
    }
}

fn rename(field: &Field, out: &mut String) {
    doc_comment(&field.doc, out);
    if field.ident.trim_start_matches("r#") != field.wire {
        let _ = writeln!(out, "#[serde(rename = \"{}\")]", field.wire);
    }
}

fn emit_str_field(field: &Field, rules: &FieldRules<'_>, out: &mut String) {
    rename(field, out);
    let ident = &field.ident;
    let (attrs, ty) = match rules.presence(field) {
        Presence::Required => (
            "borrow, deserialize_with = \"crate::view::borrowed_str\"",
            "std::borrow::Cow<'a, str>",
        ),
        Presence::RequiredDefault => (
            "default, borrow, deserialize_with = \"crate::view::borrowed_str_or_default\"",
            "std::borrow::Cow<'a, str>",
        ),
        Presence::RequiredNullable => (
            "default, borrow, deserialize_with = \"crate::view::borrowed_optional_str\"",
            "Option<std::borrow::Cow<'a, str>>",
        ),
        Presence::Optional => (
            "default, borrow, deserialize_with = \"crate::view::borrowed_optional_str\", skip_serializing_if = \"Option::is_none\"",
            "Option<std::borrow::Cow<'a, str>>",
        ),
    };
    let _ = writeln!(out, "#[serde({attrs})]\npub {ident}: {ty},");
}

fn emit_lazy_field(field: &Field, rules: &FieldRules<'_>, out: &mut String) {
    rename(field, out);
    let ident = &field.ident;
    let lazy = format!("crate::Lazy<'a, {}>", rust_ty(&field.ty));
    let (attrs, ty) = match rules.presence(field) {
        Presence::Required => (
            "borrow, deserialize_with = \"crate::view::lazy_required\"",
            lazy,
        ),
        Presence::RequiredDefault => (
            "borrow, default = \"crate::view::lazy_absent\", deserialize_with = \"crate::view::lazy_or_default\"",
            lazy,
        ),
        Presence::RequiredNullable => (
            "default, borrow, deserialize_with = \"crate::view::lazy_optional\"",
            format!("Option<{lazy}>"),
        ),
        Presence::Optional => (
            "default, borrow, deserialize_with = \"crate::view::lazy_optional\", skip_serializing_if = \"Option::is_none\"",
            format!("Option<{lazy}>"),
        ),
    };
    let _ = writeln!(out, "#[serde({attrs})]\npub {ident}: {ty},");
}

/// Whether the field's type is `Copy` (numbers and booleans, optional or not).
fn is_copy(field: &Field) -> bool {
    !field.boxed && matches!(field.ty, Ty::I64 | Ty::F64 | Ty::Bool)
}

/// `to_owned_payload`: the owned struct, field by field.
fn emit_to_owned(
    def: &Def,
    wire_type: &str,
    fields: &[Field],
    rules: &FieldRules<'_>,
    out: &mut String,
) {
    let owned = &def.name;
    let _ = writeln!(out, "impl {}<'_> {{", view_name(owned));
    let _ = writeln!(
        out,
        "/// The owned [`{owned}`]: the strings copied, the lazy parts read (which can fail)."
    );
    let _ = writeln!(
        out,
        "pub fn to_owned_payload(&self) -> Result<{owned}, crate::DecodeError> {{\nOk({owned} {{"
    );
    for field in fields {
        let ident = &field.ident;
        let optional = matches!(
            rules.presence(field),
            Presence::RequiredNullable | Presence::Optional
        );
        let value = match (view_field(field), optional) {
            (ViewField::Str, false) => format!("self.{ident}.to_string()"),
            (ViewField::Str, true) => format!("self.{ident}.as_deref().map(str::to_owned)"),
            (ViewField::Lazy, false) => {
                format!("crate::view::lazy_get({wire_type:?}, &self.{ident})?")
            }
            (ViewField::Lazy, true) => format!(
                "self.{ident}.as_ref().map(|lazy| crate::view::lazy_get({wire_type:?}, lazy)).transpose()?"
            ),
            (ViewField::Owned, _) if is_copy(field) => format!("self.{ident}"),
            (ViewField::Owned, _) => format!("self.{ident}.clone()"),
        };
        let _ = writeln!(out, "{ident}: {value},");
    }
    out.push_str("})\n}\n\n");
    out.push_str("/// Reads every lazy part and drops it: `Ok` exactly when the owned payload reads.\npub fn validate(&self) -> Result<(), crate::DecodeError> {\n");
    for field in fields.iter().filter(|f| view_field(f) == ViewField::Lazy) {
        let ident = &field.ident;
        let optional = matches!(
            rules.presence(field),
            Presence::RequiredNullable | Presence::Optional
        );
        if optional {
            let _ = writeln!(
                out,
                "if let Some(lazy) = &self.{ident} {{ crate::view::lazy_get({wire_type:?}, lazy)?; }}"
            );
        } else {
            let _ = writeln!(out, "crate::view::lazy_get({wire_type:?}, &self.{ident})?;");
        }
    }
    out.push_str("Ok(())\n}\n}\n\n");
}

/// The view enum of a protocol enum, its `EventView` impl and its `Serialize`.
pub fn emit_view_enum(
    config: &EnumConfig,
    variants: &[Variant<'_>],
    with_struct: &BTreeSet<String>,
    with_scan: &BTreeSet<String>,
    out: &mut String,
) {
    let name = &config.name;
    let view = view_name(name);
    let _ = writeln!(
        out,
        "/// [`{name}`], borrowed from the event's JSON text (see [`crate::view`]): the same variants, in the same order.\n#[derive(Debug, Clone, PartialEq)]\npub enum {view}<'a> {{"
    );
    for v in variants {
        let _ = writeln!(out, "/// `{}`.", v.event.wire_type);
        match payload_type(v, with_struct) {
            Some(ty) => {
                let _ = writeln!(out, "{}({ty}),", v.name);
            }
            None => {
                let _ = writeln!(out, "{},", v.name);
            }
        }
    }
    out.push_str(
        "/// An event whose type this version of openai-wire does not know.\nUnknown(crate::UnknownEventRef<'a>),\n}\n\n",
    );
    emit_event_view_impl(config, variants, with_struct, with_scan, out);
    emit_view_serialize(config, variants, out);
}

/// The type a view variant holds: the payload's view struct, or the owned payload.
fn payload_type(v: &Variant<'_>, with_struct: &BTreeSet<String>) -> Option<String> {
    let payload = v.payload.as_ref()?;
    let ty = if with_struct.contains(payload) {
        format!("{}<'a>", view_name(payload))
    } else {
        payload.clone()
    };
    Some(if v.boxed { format!("Box<{ty}>") } else { ty })
}

fn emit_event_view_impl(
    config: &EnumConfig,
    variants: &[Variant<'_>],
    with_struct: &BTreeSet<String>,
    with_scan: &BTreeSet<String>,
    out: &mut String,
) {
    let name = &config.name;
    let by_event_name = config.dispatch.as_deref() == Some("event_name");
    let tag = config.tag.as_deref().unwrap_or("type");
    let _ = writeln!(
        out,
        "impl<'a> crate::EventView<'a> for {}<'a> {{\ntype Owned = {name};\n",
        view_name(name)
    );
    if by_event_name {
        out.push_str("fn decode(event_name: Option<&'a str>, json: &'a str) -> Result<Self, crate::DecodeError> {\n");
        let _ = writeln!(
            out,
            "let Some(tag) = event_name else {{ return Err(crate::DecodeError::MissingEventName {{ protocol: {:?} }}); }};",
            config.protocol
        );
    } else {
        out.push_str("fn decode(_event_name: Option<&'a str>, json: &'a str) -> Result<Self, crate::DecodeError> {\n");
        let _ = writeln!(
            out,
            "let tag = crate::runtime::peek_tag(json, {tag:?}).map_err(crate::DecodeError::Syntax)?.unwrap_or_default();"
        );
    }
    out.push_str(if by_event_name {
        "Ok(match tag {\n"
    } else {
        "Ok(match &*tag {\n"
    });
    for v in variants {
        if let Some(key) = &v.event.when_key {
            let _ = writeln!(
                out,
                "\"\" if crate::runtime::has_key(json, {key:?}) => Self::{}({}),",
                v.name,
                parse_expr(v, with_scan)
            );
        }
    }
    for v in variants {
        let pattern = tag_patterns(config, v);
        match &v.payload {
            Some(_) => {
                let _ = writeln!(
                    out,
                    "{pattern} => Self::{}({}),",
                    v.name,
                    parse_expr(v, with_scan)
                );
            }
            None => {
                let _ = writeln!(out, "{pattern} => Self::{},", v.name);
            }
        }
    }
    if by_event_name {
        out.push_str(
            "_ => Self::Unknown(crate::UnknownEventRef::from_data(tag, json)),\n})\n}\n\n",
        );
    } else {
        out.push_str(
            "_ => Self::Unknown(crate::UnknownEventRef::from_json(tag, json)?),\n})\n}\n\n",
        );
    }
    emit_event_accessors(config, variants, out);
    out.push('\n');
    emit_view_to_owned(name, variants, with_struct, out);
    out.push_str("}\n\n");
}

/// The payload of a view variant read from `json`: by its struct's `scan` when it has one,
/// falling back on serde.
fn parse_expr(v: &Variant<'_>, with_scan: &BTreeSet<String>) -> String {
    let serde = format!("crate::view::parse_view({:?}, json)?", v.event.wire_type);
    let parse = match v.payload.as_ref().filter(|p| with_scan.contains(*p)) {
        Some(payload) => format!(
            "match {}::scan(json) {{ Some(event) => event, None => {serde} }}",
            view_name(payload)
        ),
        None => serde,
    };
    if v.boxed {
        format!("Box::new({parse})")
    } else {
        parse
    }
}

fn emit_view_to_owned(
    name: &str,
    variants: &[Variant<'_>],
    with_struct: &BTreeSet<String>,
    out: &mut String,
) {
    let _ = writeln!(
        out,
        "fn to_owned_event(&self) -> Result<{name}, crate::DecodeError> {{\nOk(match self {{"
    );
    for v in variants {
        let Some(payload) = &v.payload else {
            let _ = writeln!(out, "Self::{0} => {name}::{0},", v.name);
            continue;
        };
        let owned = if with_struct.contains(payload) {
            "event.to_owned_payload()?"
        } else if v.boxed {
            "(**event).clone()"
        } else {
            "event.clone()"
        };
        let owned = if v.boxed {
            format!("Box::new({owned})")
        } else {
            owned.to_owned()
        };
        let _ = writeln!(out, "Self::{0}(event) => {name}::{0}({owned}),", v.name);
    }
    let _ = writeln!(
        out,
        "Self::Unknown(unknown) => {name}::Unknown(unknown.to_owned_event()?),\n}})\n}}\n"
    );
    out.push_str("fn validate(&self) -> Result<(), crate::DecodeError> {\nmatch self {\n");
    for v in variants {
        if v.payload.as_ref().is_some_and(|p| with_struct.contains(p)) {
            let _ = writeln!(out, "Self::{}(event) => event.validate(),", v.name);
        }
    }
    out.push_str("_ => Ok(()),\n}\n}\n");
}

fn emit_view_serialize(config: &EnumConfig, variants: &[Variant<'_>], out: &mut String) {
    let view = view_name(&config.name);
    let by_event_name = config.dispatch.as_deref() == Some("event_name");
    let _ = writeln!(out, "impl serde::Serialize for {view}<'_> {{");
    out.push_str(
        "fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {\n",
    );
    if by_event_name {
        out.push_str("use serde::ser::SerializeMap as _;\nuse crate::EventView as _;\n");
        out.push_str("let mut map = serializer.serialize_map(Some(2))?;\nmap.serialize_entry(\"event\", self.wire_type())?;\nmatch self {\n");
        envelope_data_arms(variants, out);
        out.push_str("Self::Unknown(unknown) => map.serialize_entry(\"data\", unknown)?,\n}\nmap.end()\n}\n}\n\n");
        return;
    }
    out.push_str("match self {\n");
    for v in variants {
        if v.payload.is_some() {
            let _ = writeln!(
                out,
                "Self::{}(event) => event.serialize(serializer),",
                v.name
            );
        }
    }
    out.push_str("Self::Unknown(unknown) => unknown.serialize(serializer),\n}\n}\n}\n\n");
}
