//! `cargo xtask <task>`.

use anyhow::{Result, bail};

const USAGE: &str = "usage: cargo xtask codegen [--check]

  codegen          write crates/events/src/generated/ from spec/ (openapi.yaml, events.json, codegen.toml)
  codegen --check  fail if the committed generated code differs from what the generator makes";

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("codegen") => {
            xtask::codegen::run(&xtask::repo_root(), args.iter().any(|a| a == "--check"))
        }
        Some("help" | "--help" | "-h") | None => {
            println!("{USAGE}");
            Ok(())
        }
        Some(other) => bail!("unknown task `{other}`\n\n{USAGE}"),
    }
}
