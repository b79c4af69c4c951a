//! A throwaway PostgreSQL server in a temporary directory (`initdb` and `pg_ctl`), for the
//! store tests and the end-to-end tests that run the gateway on PostgreSQL.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// A throwaway PostgreSQL server in a temporary directory, stopped when dropped.
pub struct Postgres {
    bin: PathBuf,
    data: tempfile::TempDir,
    port: u16,
}

impl Postgres {
    pub fn find_bin() -> Option<PathBuf> {
        let mut candidates: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
            .into_iter()
            .flatten()
            .flatten()
            .map(|entry| entry.path().join("bin"))
            .collect();
        candidates.sort();
        candidates.reverse();
        candidates.push(PathBuf::from("/usr/local/bin"));
        candidates.push(PathBuf::from("/usr/bin"));
        if let Ok(dir) = std::env::var("PG_BIN") {
            candidates.insert(0, PathBuf::from(dir));
        }
        candidates
            .into_iter()
            .find(|dir| dir.join("initdb").is_file() && dir.join("pg_ctl").is_file())
    }

    pub fn start() -> Option<Postgres> {
        let bin = Self::find_bin()?;
        let data = tempfile::tempdir().unwrap();
        // The data directory must belong to the user the server runs as.
        chown_for_postgres(data.path());
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let pgdata = data.path().join("data");
        run(Command::new(bin.join("initdb"))
            .arg("-D")
            .arg(&pgdata)
            .args(["-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8"]));
        let socket_dir = data.path();
        let options = format!(
            "-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={} -c fsync=off",
            socket_dir.display()
        );
        run(Command::new(bin.join("pg_ctl"))
            .arg("-D")
            .arg(&pgdata)
            .arg("-o")
            .arg(options)
            .arg("-l")
            .arg(data.path().join("log"))
            .args(["-w", "start"]));
        Some(Postgres { bin, data, port })
    }

    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let _ = Command::new(self.bin.join("pg_ctl"))
            .arg("-D")
            .arg(self.data.path().join("data"))
            .args(["-m", "immediate", "-w", "stop"])
            .output();
    }
}

fn run(command: &mut Command) {
    // initdb refuses to run as root: run it as the `postgres` user when we are root.
    let output = if is_root() {
        let program = command.get_program().to_owned();
        let args: Vec<_> = command.get_args().map(|a| a.to_owned()).collect();
        Command::new("runuser")
            .args(["-u", "postgres", "--"])
            .arg(program)
            .args(args)
            .output()
            .unwrap()
    } else {
        command.output().unwrap()
    };
    assert!(
        output.status.success(),
        "{:?} failed:\n{}\n{}",
        command,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

fn chown_for_postgres(path: &Path) {
    if is_root() {
        let _ = Command::new("chown")
            .args(["-R", "postgres"])
            .arg(path)
            .status();
    }
}
