//! `openai-wire codex-config`: Codex CLI's configuration for the gateway, in two files:
//! `config.toml`, which points Codex at the gateway and names the model catalog, and the
//! catalog (`openai-wire-models.json`), which tells Codex about each model the gateway serves.
//! Printed one at a time (`--catalog` for the second), or both written into a directory
//! (`--out DIR`).

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use openai_wire_gateway::{
    CODEX_CATALOG_FILE, CodexOptions, Config, codex_catalog, codex_config_with,
};

use crate::serve::ConfigArgs;
use crate::status::Status;

/// The arguments of `openai-wire codex-config`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Codex reads two files from $CODEX_HOME (default ~/.codex): config.toml, which points it at the
gateway and names the model catalog, and the catalog itself (openai-wire-models.json), which
tells it about each model the gateway serves: context window, auto-compaction limit, input
modalities, reasoning settings, apply_patch as a freeform tool. Without an entry, Codex gives a
model it does not know (deepseek-chat, qwen3-coder, ...) generic metadata and a smaller tool set.
The catalog replaces Codex's built-in one: a model missing from it gets that generic metadata.
Codex's own retries are left at their defaults.

  openai-wire codex-config --out ~/.codex-wire     # both files, in a directory of their own
  CODEX_HOME=~/.codex-wire codex

  openai-wire codex-config                         # or config.toml on stdout, to merge into
  openai-wire codex-config --catalog > ~/.codex/openai-wire-models.json     # yours, and the catalog

Per-model settings go under providers.<name>.model_info.\"<model>\" in the config file
(context_window, auto_compact_token_limit, input_modalities, reasoning_summaries,
parallel_tool_calls, tool_search); see config/example.toml. The format was checked against Codex CLI 0.171.0.
Run `openai-wire serve` with the same options.")]
pub struct CodexConfigArgs {
    /// Which configuration to describe (the same options as `serve`).
    #[command(flatten)]
    pub config: ConfigArgs,
    /// The base URL Codex should use [default: http://LISTEN/v1]
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
    /// Let Codex use WebSocket mode (`supports_websockets = true` in the provider block)
    #[arg(long)]
    pub websockets: bool,
    /// Print the model catalog (JSON) instead of config.toml
    #[arg(long, conflicts_with = "out")]
    pub catalog: bool,
    /// Write config.toml and openai-wire-models.json into DIR (made if missing) instead of
    /// printing; an existing DIR/config.toml is kept unless --force
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// With --out: replace an existing DIR/config.toml
    #[arg(long, requires = "out")]
    pub force: bool,
}

/// Prints the Codex configuration or the catalog, or writes both (`--out`).
pub fn run(args: &CodexConfigArgs) -> anyhow::Result<Status> {
    let config = args.config.load()?;
    let options = CodexOptions::default().websockets(args.websockets);
    if args.catalog {
        print!("{}", codex_catalog(&config, &options));
        return Ok(Status::Clean);
    }
    let base_url = base_url(args.base_url.as_deref(), &config)?;
    let toml = codex_config_with(&config, &base_url, &options);
    match &args.out {
        None => print!("{toml}"),
        Some(dir) => write_both(dir, &toml, &codex_catalog(&config, &options), args.force)?,
    }
    Ok(Status::Clean)
}

/// `--base-url`, checked, or the gateway's listen address.
fn base_url(given: Option<&str>, config: &Config) -> anyhow::Result<String> {
    match given {
        Some(url) if url.starts_with("http://") || url.starts_with("https://") => {
            Ok(url.to_owned())
        }
        Some(url) => bail!("--base-url must start with http:// or https://, not `{url}`"),
        None => Ok(format!("http://{}/v1", config.listen)),
    }
}

/// Writes `dir/config.toml` and the catalog beside it, keeping an existing `config.toml`
/// unless `force`.
fn write_both(dir: &Path, toml: &str, catalog: &str, force: bool) -> anyhow::Result<()> {
    let config_path = dir.join("config.toml");
    if config_path.exists() && !force {
        bail!(
            "{} exists: merge `openai-wire codex-config` into it and write the catalog with \
             `openai-wire codex-config --catalog > {}`, or pass --force to replace it",
            config_path.display(),
            dir.join(CODEX_CATALOG_FILE).display()
        );
    }
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let catalog_path = dir.join(CODEX_CATALOG_FILE);
    for (path, text) in [(&catalog_path, catalog), (&config_path, toml)] {
        std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))?;
    }
    eprintln!(
        "openai-wire: wrote {} and {}; run Codex with CODEX_HOME={}",
        config_path.display(),
        catalog_path.display(),
        dir.display()
    );
    Ok(())
}
