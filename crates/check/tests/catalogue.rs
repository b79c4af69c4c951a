//! The catalogue and CHECKS.md agree, and the catalogue is well-formed.

use std::collections::BTreeSet;
use std::path::Path;

use openai_wire_check::{RULES, Severity, rule};

const BEGIN: &str = "<!-- rules:begin (generated from the catalogue; `UPDATE_CHECKS=1 cargo test -p openai-wire-check --test catalogue` rewrites it) -->";
const END: &str = "<!-- rules:end -->";

/// The rules table of CHECKS.md, as the catalogue says it should be.
fn table() -> String {
    let mut out = String::from("| id | severity | protocol | rule |\n| --- | --- | --- | --- |\n");
    for rule in RULES {
        out.push_str(&format!(
            "| `{}` | {} | {} | {} |\n",
            rule.id,
            rule.severity,
            rule.protocol_name(),
            rule.doc.replace('|', "\\|")
        ));
    }
    out
}

#[test]
fn checks_md_lists_exactly_the_catalogue() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../CHECKS.md");
    let text = std::fs::read_to_string(&path).expect("CHECKS.md at the repository root");
    let start = text
        .find(BEGIN)
        .expect("CHECKS.md has the rules:begin marker")
        + BEGIN.len();
    let end = text.find(END).expect("CHECKS.md has the rules:end marker");
    let expected = format!("\n{}", table());
    if std::env::var_os("UPDATE_CHECKS").is_some() {
        let updated = format!("{}{expected}{}", &text[..start], &text[end..]);
        std::fs::write(&path, updated).expect("write CHECKS.md");
        return;
    }
    assert_eq!(
        &text[start..end],
        expected,
        "CHECKS.md disagrees with the catalogue; rerun with UPDATE_CHECKS=1"
    );
}

#[test]
fn rule_ids_are_unique_dotted_and_found_by_id() {
    let mut seen = BTreeSet::new();
    for r in RULES {
        assert!(seen.insert(r.id), "duplicate rule id {}", r.id);
        let (family, name) = r.id.split_once('.').expect("dotted id");
        assert!(
            !family.is_empty() && !name.is_empty() && !name.contains('.'),
            "{}",
            r.id
        );
        assert!(
            r.id.chars()
                .all(|c| c.is_ascii_lowercase() || c == '.' || c == '-'),
            "{}",
            r.id
        );
        assert!(r.doc.ends_with('.'), "{}: the doc is one sentence", r.id);
        assert!(std::ptr::eq(rule(r.id).unwrap(), *r));
    }
    assert!(rule("lifecycle.nonexistent").is_err());
    // The families the issue asks for are all there.
    for family in [
        "lifecycle.",
        "sequence.",
        "index.",
        "nesting.",
        "delta.",
        "item.",
        "usage.",
        "chat.",
        "realtime.",
        "assistants.",
        "decode.",
    ] {
        assert!(RULES.iter().any(|r| r.id.starts_with(family)), "{family}");
    }
    // The warnings are the deviations real servers are known to send.
    let warnings: BTreeSet<&str> = RULES
        .iter()
        .filter(|r| r.severity == Severity::Warning)
        .map(|r| r.id)
        .collect();
    assert_eq!(
        warnings,
        BTreeSet::from([
            "decode.unknown-event",
            "lifecycle.done-marker",
            "nesting.mcp-list-tools-backfill",
            "sequence.gap",
            "sequence.missing",
            "chat.single-created",
            "chat.placeholder",
            "chat.tool-call-id",
            "chat.tool-call-no-index",
            "chat.finish-reason",
            "chat.usage-position",
            "chat.done-marker",
            "realtime.response-unfinished",
            // OpenAI's recordings before 2026 and most third parties' lack Response fields.
            "response.all-fields",
        ])
    );
}

#[test]
fn findings_serialize_flat_for_the_cli() {
    let finding =
        openai_wire_check::Finding::new(rule("sequence.increasing").unwrap(), Some(4), "x");
    assert_eq!(
        serde_json::to_value(&finding).unwrap(),
        serde_json::json!({"rule": "sequence.increasing", "severity": "error", "index": 4, "message": "x"})
    );
    assert_eq!(finding.to_string(), "4: error sequence.increasing x");
}
