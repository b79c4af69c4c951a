//! `cargo xtask codegen`: writes `crates/events/src/generated/` from `spec/`.
//!
//! The passes, each in its own file:
//! 1. [`prepare`]: load the spec (with [`additions`]: what newer SDKs define and the spec lacks),
//!    the inventory and `spec/codegen.toml`; fold `Beta*` schemas into their GA twins; merge each protocol
//!    enum's inventories.
//! 2. [`lower`]: schemas to structs, open enums and unions, with names, leniency and boxing.
//! 3. [`emit`]: Rust source per feature module, then rustfmt.

pub mod additions;
pub mod emit;
pub mod lower;
pub mod prepare;
pub mod view;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, Result, bail};

use lower::{Def, Kind, Lowerer, Ty};

/// Where the generated files go, relative to the repository root.
pub const OUTPUT_DIR: &str = "crates/events/src/generated";

/// The feature modules, in order, with their module docs.
const FAMILIES: &[(&str, &str)] = &[
    (
        "responses",
        "The Responses API: stream events, the `Response` object and its items, request types.",
    ),
    (
        "chat",
        "Chat Completions: chunks, the final `ChatCompletion`, request types; legacy completions.",
    ),
    (
        "realtime",
        "The Realtime API: server and client events, sessions, items and responses; translation.",
    ),
    (
        "assistants",
        "The Assistants run stream: threads, runs, run steps, messages and their deltas.",
    ),
    ("audio", "Audio: transcription and speech stream events."),
    ("images", "Images: generation and edit stream events."),
    ("webhooks", "Webhook events."),
    (
        "agents",
        "The Agents session event stream: sessions, turns, items and their deltas.",
    ),
    (
        "live",
        "The Live API: server and client events of a Live WebSocket session.",
    ),
];

/// Generates every file: `(path relative to the repository root, formatted contents)`.
pub fn generate(root: &Path) -> Result<Vec<(PathBuf, String)>> {
    let mut inputs = prepare::load(root)?;
    prepare::fold_beta(&mut inputs.schemas);
    prepare::widen(&mut inputs)?;
    prepare::add_properties(&mut inputs)?;
    let enum_events = prepare::protocol_events(&mut inputs)?;

    let mut lowerer = Lowerer::new(&inputs.schemas, &inputs.config);
    let mut roots: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut payload_names: BTreeMap<String, String> = BTreeMap::new();
    for config in &inputs.config.protocol_enum {
        for event in &enum_events[&config.name] {
            let Some(schema) = &event.schema else {
                continue;
            };
            let (ty, _) = lowerer
                .lower_component(schema)
                .with_context(|| format!("{} {}", config.name, event.wire_type))?;
            let Ty::Named(name) = ty else {
                bail!(
                    "{}: payload of {} is not a named type",
                    config.name,
                    event.wire_type
                );
            };
            roots
                .entry(config.feature.clone())
                .or_default()
                .insert(name.clone());
            payload_names.insert(schema.clone(), name);
        }
    }
    for (family, names) in &inputs.config.roots {
        for schema in names {
            let (ty, _) = lowerer
                .lower_component(schema)
                .with_context(|| format!("root {schema}"))?;
            if let Ty::Named(name) = ty {
                roots.entry(family.clone()).or_default().insert(name);
            }
        }
    }
    lowerer.finish(&roots);
    let defs = lowerer.defs;
    check_write_fields(&defs, &inputs.config.write)?;

    // Event payloads that are large by value are boxed in the protocol enums, so that the enum
    // (and every delta event) stays small.
    let mut boxed = BTreeSet::new();
    for name in payload_names.values() {
        if estimated_size(name, &defs, &mut BTreeSet::new()) > 256 {
            boxed.insert(name.clone());
        }
    }

    // Payloads with a borrowed view struct of their own (`view.rs`).
    let with_view: BTreeSet<String> = payload_names
        .values()
        .filter(|name| view::has_view_struct(&defs[*name], &inputs.config))
        .cloned()
        .collect();
    // Those of them read in one pass before serde (`view::has_scan`).
    let with_scan: BTreeSet<String> = with_view
        .iter()
        .filter(|name| view::has_scan(&defs[*name], &inputs.config))
        .cloned()
        .collect();
    let emit_with_view = |def: &Def, out: &mut String| {
        emit::emit_def(def, &inputs.config, out);
        if with_view.contains(&def.name) {
            view::emit_view_struct(def, &inputs.config, out);
        }
    };

    let mut modules: BTreeMap<&str, String> = BTreeMap::new();
    let mut common = String::new();
    for def in defs.values() {
        let families: Vec<&String> = def.families.iter().collect();
        match families.as_slice() {
            [] => bail!("{} is not reachable from any root", def.name),
            [one] => emit_with_view(def, modules.entry(one.as_str()).or_default()),
            many => {
                let cfg: Vec<String> = many.iter().map(|f| format!("feature = \"{f}\"")).collect();
                let mut item = String::new();
                emit_with_view(def, &mut item);
                // Every item of a def (the type and its impls) gets the cfg.
                let _ = write!(
                    common,
                    "{}",
                    cfg_items(&item, &format!("#[cfg(any({}))]", cfg.join(", ")))
                );
            }
        }
    }
    for config in &inputs.config.protocol_enum {
        let variants = emit::variants(&enum_events[&config.name], &payload_names, &boxed);
        let out = modules.entry(config.feature.as_str()).or_default();
        emit::emit_protocol_enum(config, &variants, &with_scan, out);
        view::emit_view_enum(config, &variants, &with_view, &with_scan, out);
    }

    let mut files = Vec::new();
    let mut mod_rs = String::from(emit::HEADER);
    mod_rs.push_str("\n//! The generated model, one module per feature. Everything is re-exported at the crate root.\n\n");
    mod_rs.push_str("#[cfg(any(");
    mod_rs.push_str(
        &FAMILIES
            .iter()
            .map(|(f, _)| format!("feature = \"{f}\""))
            .collect::<Vec<_>>()
            .join(", "),
    );
    mod_rs.push_str("))]\npub mod common;\n");
    for (family, _) in FAMILIES {
        let _ = writeln!(mod_rs, "#[cfg(feature = \"{family}\")]\npub mod {family};");
    }
    files.push((PathBuf::from(OUTPUT_DIR).join("mod.rs"), mod_rs));

    let mut common_rs = emit::module_prelude(
        "Types shared by several features (each item is compiled when one of them is on).",
    );
    common_rs.push_str("#[allow(unused_imports)]\nuse crate::runtime::open_enum;\n\n");
    common_rs.push_str(&common);
    files.push((PathBuf::from(OUTPUT_DIR).join("common.rs"), common_rs));
    for (family, doc) in FAMILIES {
        let mut text = emit::module_prelude(doc);
        text.push_str("#[allow(unused_imports)]\nuse super::common::*;\n#[allow(unused_imports)]\nuse crate::runtime::open_enum;\n\n");
        text.push_str(modules.get(family).map(String::as_str).unwrap_or(""));
        files.push((PathBuf::from(OUTPUT_DIR).join(format!("{family}.rs")), text));
    }
    files
        .into_iter()
        .map(|(path, text)| Ok((path, rustfmt(&text)?)))
        .collect()
}

/// Fails when a `Type.field` entry of `[write]` names no field of a generated struct (a typo, or
/// a field the spec renamed), which would otherwise be ignored without a word.
fn check_write_fields(defs: &BTreeMap<String, Def>, write: &prepare::WriteConfig) -> Result<()> {
    for (list, entry) in write.field_entries() {
        let Some((type_name, field)) = entry.split_once('.') else {
            bail!("[write] {list}: `{entry}` is not `Type.field`");
        };
        let known = match defs.get(type_name).map(|def| &def.kind) {
            Some(Kind::Struct { fields, .. }) => fields.iter().any(|f| f.wire == field),
            _ => false,
        };
        if !known {
            bail!("[write] {list}: `{entry}` names no field of a generated struct");
        }
    }
    Ok(())
}

/// Puts `cfg` before every top-level item of `code` (a type, its `open_enum!`, its impls).
fn cfg_items(code: &str, cfg: &str) -> String {
    let mut out = String::new();
    let mut at_item_start = true;
    let mut depth: i32 = 0;
    for line in code.lines() {
        if depth == 0 && at_item_start && !line.trim().is_empty() {
            let _ = writeln!(out, "{cfg}");
            at_item_start = false;
        }
        out.push_str(line);
        out.push('\n');
        // Only braces in code, not in doc comments, count.
        if !line.trim_start().starts_with("///") {
            for c in line.chars() {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    _ => {}
                }
            }
        }
        if depth == 0
            && (line.ends_with('}') || line.ends_with(';'))
            && !line.trim_start().starts_with("///")
        {
            at_item_start = true;
        }
    }
    out
}

/// A rough size in bytes of a type held by value, to decide what to box.
fn estimated_size(
    name: &str,
    defs: &BTreeMap<String, Def>,
    visiting: &mut BTreeSet<String>,
) -> usize {
    if !visiting.insert(name.to_owned()) {
        return 8;
    }
    let size = match defs.get(name).map(|d| &d.kind) {
        Some(Kind::Struct { fields, .. }) => fields
            .iter()
            .map(|f| {
                let inner = if f.boxed {
                    8
                } else {
                    ty_size(&f.ty, defs, visiting)
                };
                match f.presence {
                    lower::Presence::Required | lower::Presence::RequiredDefault => inner,
                    _ => inner + 8,
                }
            })
            .sum(),
        Some(Kind::Enum { .. }) => 24,
        Some(Kind::Union { arms }) => {
            arms.iter()
                .map(|a| {
                    if a.boxed {
                        8
                    } else {
                        ty_size(&a.ty, defs, visiting)
                    }
                })
                .max()
                .unwrap_or(0)
                + 8
        }
        None => 8,
    };
    visiting.remove(name);
    size
}

fn ty_size(ty: &Ty, defs: &BTreeMap<String, Def>, visiting: &mut BTreeSet<String>) -> usize {
    match ty {
        Ty::Str | Ty::Vec(_) | Ty::Map(_) => 24,
        Ty::I64 | Ty::F64 | Ty::Bool => 8,
        Ty::Json => 32,
        Ty::Named(n) => estimated_size(n, defs, visiting),
    }
}

/// Formats Rust source with the toolchain's rustfmt (edition 2024, the repository's rustfmt.toml).
pub fn rustfmt(source: &str) -> Result<String> {
    let mut child = Command::new(std::env::var("RUSTFMT").unwrap_or_else(|_| "rustfmt".into()))
        .args(["--edition", "2024", "--emit", "stdout"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .context("running rustfmt (is the rustfmt component installed?)")?;
    let mut stdin = child.stdin.take().context("rustfmt stdin")?;
    let input = source.to_owned();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let output = child.wait_with_output()?;
    writer
        .join()
        .map_err(|_| anyhow::anyhow!("rustfmt writer panicked"))??;
    if !output.status.success() {
        let dump = std::env::temp_dir().join("openai-wire-codegen-unformatted.rs");
        let _ = std::fs::write(&dump, source);
        bail!(
            "rustfmt failed (input kept at {}): {}",
            dump.display(),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(String::from_utf8(output.stdout)?)
}

/// Writes the generated files, or with `check`, fails when they differ from what is committed.
pub fn run(root: &Path, check: bool) -> Result<()> {
    let files = generate(root)?;
    let mut stale = Vec::new();
    for (path, text) in &files {
        let full = root.join(path);
        let current = std::fs::read_to_string(&full).unwrap_or_default();
        if current != *text {
            stale.push(path.display().to_string());
            if !check {
                std::fs::create_dir_all(full.parent().context("output dir")?)?;
                std::fs::write(&full, text)?;
            }
        }
    }
    if check && !stale.is_empty() {
        bail!(
            "generated code is out of date: {}; run `cargo xtask codegen`",
            stale.join(", ")
        );
    }
    for (path, text) in &files {
        println!("{:>7} lines  {}", text.lines().count(), path.display());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use lower::{Field, Presence};

    fn def_with(field: &str) -> BTreeMap<String, Def> {
        let field = Field {
            wire: field.to_owned(),
            ident: field.to_owned(),
            ty: Ty::Bool,
            doc: String::new(),
            required: false,
            nullable: false,
            presence: Presence::Optional,
            boxed: false,
        };
        let def = Def {
            name: "Thing".to_owned(),
            doc: String::new(),
            kind: Kind::Struct {
                tag: None,
                fields: vec![field],
            },
            families: BTreeSet::new(),
            defaultable: true,
        };
        BTreeMap::from([("Thing".to_owned(), def)])
    }

    fn write(always_written: &[&str]) -> prepare::WriteConfig {
        prepare::WriteConfig {
            always_written: always_written.iter().map(|s| (*s).to_owned()).collect(),
            ..prepare::WriteConfig::default()
        }
    }

    #[test]
    fn write_entries_must_name_a_field() {
        let defs = def_with("store");
        assert!(check_write_fields(&defs, &write(&["Thing.store"])).is_ok());
        for bad in ["Thing.stored", "Other.store", "store"] {
            let error = check_write_fields(&defs, &write(&[bad])).unwrap_err();
            assert!(error.to_string().contains(bad), "{error}");
        }
    }

    #[test]
    fn an_always_written_optional_field_is_written_as_null() {
        let defs = def_with("store");
        let def = &defs["Thing"];
        let mut config: prepare::Config = toml::from_str(
            "protocol_enum = []\n[read]\noptional_fields = []\n[write]\nalways_written = [\"Thing.store\"]\n",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let mut out = String::new();
        emit::emit_def(def, &config, &mut out);
        assert!(
            out.contains("#[serde(default)]\npub store: Option<bool>,"),
            "{out}"
        );
        config.write.always_written.clear();
        let mut out = String::new();
        emit::emit_def(def, &config, &mut out);
        assert!(
            out.contains("#[serde(default, skip_serializing_if = \"Option::is_none\")]\npub store: Option<bool>,"),
            "{out}"
        );
    }
}
