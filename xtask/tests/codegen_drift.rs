//! The committed event model must be exactly what the generator makes from `spec/`.

/// Regenerates the model in memory and compares it with `crates/events/src/generated/`: a spec or
/// generator change without `cargo xtask codegen`, or a hand edit of generated code, fails here.
#[test]
fn generated_code_matches_the_generator() {
    let root = xtask::repo_root();
    let files = xtask::codegen::generate(&root).expect("the generator runs");
    let mut stale = Vec::new();
    for (path, expected) in &files {
        let committed = std::fs::read_to_string(root.join(path)).unwrap_or_default();
        if committed != *expected {
            stale.push(path.display().to_string());
        }
    }
    let generated_dir = root.join(xtask::codegen::OUTPUT_DIR);
    for entry in std::fs::read_dir(&generated_dir).expect("generated dir") {
        let path = entry.expect("dir entry").path();
        let relative = path.strip_prefix(&root).expect("under root").to_path_buf();
        if !files.iter().any(|(p, _)| *p == relative) {
            stale.push(format!(
                "{} (not made by the generator)",
                relative.display()
            ));
        }
    }
    assert!(
        stale.is_empty(),
        "generated code differs from the generator's output: {stale:?}; run `cargo xtask codegen`"
    );
}
