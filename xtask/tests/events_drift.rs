//! The committed inventory must be exactly what `cargo xtask events` makes from its sources.

/// Regenerates `spec/events.json` in memory from `spec/events-index.json`, `spec/openapi.yaml`
/// and `spec/additions/`, and compares it with the committed file: an addition or index change
/// without `cargo xtask events`, or a hand edit of the inventory, fails here. The generator also
/// fails when the spec's root unions have an event type the inventory lacks.
#[test]
fn events_json_matches_the_generator() {
    let root = xtask::repo_root();
    let expected = xtask::events::generate(&root).unwrap_or_else(|e| panic!("{e:#}"));
    let committed = std::fs::read_to_string(root.join(xtask::events::OUTPUT)).unwrap_or_default();
    assert!(
        committed == expected,
        "{} differs from the generator's output; run `cargo xtask events`",
        xtask::events::OUTPUT
    );
}
