//! A PostgreSQL server for the tests: a throwaway cluster
//! (tests/postgres/cluster.sh, stopped on drop) unless CLAIMSCOPE_TEST_POSTGRES
//! names one; a fresh database with the seed schema per scenario; psql to
//! look at what was written.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

pub const CLIENT_A: &str = "11111111-1111-4111-8111-111111111111";
pub const CLIENT_B: &str = "33333333-3333-4333-8333-333333333333";
pub const USER_A: &str = "22222222-2222-4222-8222-222222222222";
pub const USER_B: &str = "44444444-4444-4444-8444-444444444444";

pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A server for the test: started here (and stopped on drop) unless the
/// environment names one.
pub struct Server {
    pub conninfo: String,
    dir: Option<PathBuf>,
}

impl Server {
    pub fn start(name: &str) -> Server {
        if let Ok(conninfo) = std::env::var("CLAIMSCOPE_TEST_POSTGRES") {
            return Server { conninfo, dir: None };
        }
        let dir = std::env::temp_dir().join(format!("claimscope-pg-{name}-{}", std::process::id()));
        let out =
            Command::new("bash").arg(repo().join("tests/postgres/cluster.sh")).arg("start").arg(&dir).output().unwrap();
        assert!(
            out.status.success(),
            "a PostgreSQL cluster is needed (Debian: apt-get install postgresql): {}",
            String::from_utf8_lossy(&out.stderr)
        );
        Server { conninfo: String::from_utf8(out.stdout).unwrap().trim().to_string(), dir: Some(dir) }
    }

    /// A new database with the seed schema and two clients with a user each.
    pub fn database(&self, name: &str) -> String {
        psql(&self.conninfo, &format!("DROP DATABASE IF EXISTS {name}"));
        psql(&self.conninfo, &format!("CREATE DATABASE {name}"));
        let url = self.conninfo.replace("dbname=postgres", &format!("dbname={name}"));
        let schema = std::fs::read_to_string(repo().join("../shared/spec/seed-postgres-schema.sql")).unwrap();
        psql(&url, &schema);
        psql(
            &url,
            &format!(
                "INSERT INTO clients (client_id, name) VALUES ('{CLIENT_A}', 'Acme'), ('{CLIENT_B}', 'Bolt');
                 INSERT INTO users (user_id, email, name, role, client_id) VALUES
                   ('{USER_A}', 'a@acme.test', 'Ann', 'consultant', '{CLIENT_A}'),
                   ('{USER_B}', 'b@bolt.test', 'Bob', 'admin', '{CLIENT_B}');"
            ),
        );
        url
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(dir) = &self.dir {
            let _ = Command::new("bash").arg(repo().join("tests/postgres/cluster.sh")).arg("stop").arg(dir).output();
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// Runs SQL with psql; returns its unaligned, tuples-only output.
pub fn psql(conninfo: &str, sql: &str) -> String {
    let out = Command::new("psql")
        .args(["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", conninfo, "-c", sql])
        .output()
        .unwrap();
    assert!(out.status.success(), "psql failed on {sql}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}
