//! `cargo xtask <task>`.

use anyhow::{Result, bail};

const USAGE: &str = "usage: cargo xtask <events|codegen> [--check]

  events           write spec/events.json from spec/events-index.json, spec/openapi.yaml and spec/additions/
  events --check   fail if the committed spec/events.json differs from what the generator makes
  codegen          write crates/events/src/generated/ from spec/ (openapi.yaml, additions/, events.json, codegen.toml)
  codegen --check  fail if the committed generated code differs from what the generator makes

After changing spec/, run `cargo xtask events` first: codegen reads spec/events.json.";

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let check = args.iter().any(|a| a == "--check");
    match args.first().map(String::as_str) {
        Some("codegen") => xtask::codegen::run(&xtask::repo_root(), check),
        Some("events") => xtask::events::run(&xtask::repo_root(), check),
        Some("help" | "--help" | "-h") | None => {
            println!("{USAGE}");
            Ok(())
        }
        Some(other) => bail!("unknown task `{other}`\n\n{USAGE}"),
    }
}
