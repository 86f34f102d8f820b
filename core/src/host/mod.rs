//! The host application's PostgreSQL (`seed-postgres-schema.sql`): a
//! client's rows read into a [`Dataset`], files uploaded with their
//! `uploads` row, report runs and mapping profiles recorded. Every query
//! is parameterised and filtered by the client; every write is one
//! transaction. docs/postgres.md tells the whole story.
//!
//! ```no_run
//! use claimscope::host::{Postgres, UploadOptions};
//! use claimscope::{Dataset, ReportOptions, Table};
//!
//! let client = "7d8f4c1e-2b1a-4c3e-9f00-000000000001";
//! let pg = Postgres::connect("postgresql://app@localhost/plans")?;
//! let options = UploadOptions { client_id: client.into(), ..UploadOptions::default() };
//! let outcome = pg.upload_path(Table::Claims, "claims.csv", &options)?;
//! let mut ds = Dataset::new();
//! let read = pg.load_client(&mut ds, client, false)?;
//! let report = ds.report(Some(client), "2025-YTD", &ReportOptions::default())?;
//! let run = pg.record_report_run(client, &report, &read.uploads, None, None)?;
//! # Ok::<(), claimscope::Error>(())
//! ```

mod connection;
mod host_rows;
pub mod host_schema;
mod read;
mod upload;

pub use host_schema::{HostSchema, HostTable};
pub use read::HostLoad;
pub use upload::{UploadOptions, UploadOutcome};

use crate::dataset::Dataset;
use crate::host::connection::Connection;
use crate::host::host_schema::quoted;
use crate::load::mapping::MappingProfile;
use crate::model::error::{Error, Result};
use crate::model::table::Table;
use crate::report::Report;

/// Where claimscope notes which upload wrote each row of a table without an
/// upload column, and every upload, replacement and report run.
pub(crate) const AUDIT_TABLE: &str = "audit_log";

/// A connection to the host's PostgreSQL and the schema its tables follow.
pub struct Postgres {
    conn: Connection,
    schema: HostSchema,
}

impl Postgres {
    /// Connects (`postgresql://user:password@host:port/database`, or libpq's
    /// `host=... user=...`); the seed schema's tables are assumed.
    pub fn connect(url: &str) -> Result<Postgres> {
        Ok(Postgres { conn: Connection::open(url)?, schema: HostSchema::seed() })
    }

    /// The same connection for a host whose tables differ from the seed's.
    pub fn with_schema(mut self, schema: HostSchema) -> Postgres {
        self.schema = schema;
        self
    }

    pub fn schema(&self) -> &HostSchema {
        &self.schema
    }

    /// Reads one client's rows of every host table into `ds` (one read-only
    /// snapshot), checked as a file's would be: strict fails on the first
    /// bad rows (naming table, key, column, value, reason); lenient keeps
    /// the good ones.
    pub fn load_client(&self, ds: &mut Dataset, client_id: &str, lenient: bool) -> Result<HostLoad> {
        crate::dataset::runtime::off_runtime(|| read::load_client(&self.conn, &self.schema, ds, client_id, lenient))
    }

    /// Uploads a file's accepted rows and its uploads row in one transaction.
    pub fn upload_bytes(
        &self,
        table: Table,
        source: &str,
        bytes: Vec<u8>,
        options: &UploadOptions,
    ) -> Result<UploadOutcome> {
        upload::upload(&self.conn, &self.schema, table, source, upload::UploadFile::Bytes(bytes), options)
    }

    /// `upload_bytes` of a file (CSV read a block at a time; Parquet or Arrow IPC by extension).
    pub fn upload_path(&self, table: Table, path: &str, options: &UploadOptions) -> Result<UploadOutcome> {
        upload::upload(&self.conn, &self.schema, table, path, upload::UploadFile::Path, options)
    }

    /// Records a report run: period, the uploads read, the summary figures
    /// (exact decimals in stats_json), the output path; returns report_id.
    pub fn record_report_run(
        &self,
        client_id: &str,
        report: &Report,
        source_uploads: &[String],
        run_by: Option<&str>,
        output_path: Option<&str>,
    ) -> Result<String> {
        let client = client_uuid(client_id)?;
        if client_uuid(&report.client_id).ok().as_deref() != Some(client.as_str()) {
            return Err(Error::argument(format!(
                "the report is of client {}, not {client}",
                crate::model::cell::echo(&report.client_id)
            )));
        }
        let user = resolve_user(&self.conn, &client, run_by, "--run-by")?;
        let stats = serde_json::to_string(&report.summary).map_err(Error::engine)?;
        let kind = if report.completion.is_some() { "completion" } else { "standard" };
        let uploads: Vec<String> = source_uploads.iter().map(|u| client_uuid(u)).collect::<Result<_>>()?;
        let (period, output) = (report.period.label.clone(), output_path.map(str::to_string));
        let audit = format!(
            "INSERT INTO {} (table_name, record_id, action, user_id, client_id, new_values) \
             VALUES ('report_runs', $1::text::uuid, 'SELECT', $2::text::uuid, $3::text::uuid, $4::text::jsonb)",
            quoted(AUDIT_TABLE)
        );
        let details = serde_json::json!({"period_covered": period, "source_uploads": uploads}).to_string();
        let c = &self.conn.client;
        self.conn.transaction("the report run's transaction", "BEGIN", || {
            let rows = self.conn.run("recording the report run", async {
                c.query(
                    "INSERT INTO report_runs (client_id, run_by, period_covered, source_uploads, output_path, \
                     stats_json, report_type) \
                     VALUES ($1::text::uuid, $2::text::uuid, $3, $4::text[]::uuid[], $5, $6::text::jsonb, $7) \
                     RETURNING report_id::text",
                    &[&client, &user, &period, &uploads, &output, &stats, &kind],
                )
                .await
            })?;
            let id: String = rows.first().map(|r| r.get(0)).unwrap_or_default();
            self.conn.run("auditing the report run", async {
                c.execute(audit.as_str(), &[&id, &user, &client, &details]).await
            })?;
            Ok(id)
        })
    }

    /// Saves a mapping profile under a name for the client (replacing one of
    /// the same name); returns its profile_id.
    pub fn save_profile(&self, client_id: &str, name: &str, profile: &MappingProfile) -> Result<String> {
        let client = client_uuid(client_id)?;
        let json = serde_json::to_string(profile).map_err(Error::engine)?;
        let (n, c) = (name.to_string(), &self.conn.client);
        self.conn.run("saving the mapping profile", async move {
            let updated = c
                .query(
                    "UPDATE mapping_profiles SET mapping_json = $3::text::jsonb, last_used = CURRENT_TIMESTAMP \
                      WHERE client_id = $1::text::uuid AND source_name = $2 RETURNING profile_id::text",
                    &[&client, &n, &json],
                )
                .await?;
            if let Some(row) = updated.first() {
                return Ok(row.get(0));
            }
            let inserted = c
                .query(
                    "INSERT INTO mapping_profiles (client_id, source_name, mapping_json, last_used) \
                     VALUES ($1::text::uuid, $2, $3::text::jsonb, CURRENT_TIMESTAMP) RETURNING profile_id::text",
                    &[&client, &n, &json],
                )
                .await?;
            Ok(inserted.first().map(|r| r.get(0)).unwrap_or_default())
        })
    }

    /// The client's mapping profile of that name (its last_used set to now).
    pub fn read_profile(&self, client_id: &str, name: &str) -> Result<MappingProfile> {
        let client = client_uuid(client_id)?;
        let (n, c) = (name.to_string(), &self.conn.client);
        let rows = self.conn.run("reading the mapping profile", async move {
            c.query(
                "UPDATE mapping_profiles SET last_used = CURRENT_TIMESTAMP \
                  WHERE client_id = $1::text::uuid AND source_name = $2 RETURNING mapping_json::text",
                &[&client, &n],
            )
            .await
        })?;
        let json: String = rows.first().map(|r| r.get(0)).ok_or_else(|| {
            Error::argument(format!(
                "client {client_id} has no mapping profile named '{}'",
                crate::model::cell::echo(name)
            ))
        })?;
        MappingProfile::from_json(&json).map_err(|e| Error::mapping(format!("mapping profile '{name}': {e}")))
    }
}

impl Dataset {
    /// Reads one client's rows of the host's PostgreSQL (seed schema) into
    /// this dataset; strict. See [`Postgres::load_client`].
    pub fn load_postgres(&mut self, url: &str, client_id: &str) -> Result<HostLoad> {
        Postgres::connect(url)?.load_client(self, client_id, false)
    }
}

/// A client id as the host keys clients: a UUID, hyphenated lower-case.
pub(crate) fn client_uuid(id: &str) -> Result<String> {
    uuid::Uuid::parse_str(id.trim()).map(|u| u.to_string()).map_err(|_| {
        Error::argument(format!(
            "'{}' is not a UUID; the host schema keys clients (and users and uploads) by UUID",
            crate::model::cell::echo(id)
        ))
    })
}

/// The user an upload or report run is recorded for: the one given (which
/// must exist), else the client's only user.
pub(crate) fn resolve_user(conn: &Connection, client: &str, given: Option<&str>, flag: &str) -> Result<String> {
    let c = &conn.client;
    if let Some(user) = given {
        let user = client_uuid(user)?;
        let u = user.clone();
        let found = conn.run("finding the user", async move {
            c.query("SELECT 1 FROM users WHERE user_id = $1::text::uuid", &[&u]).await
        })?;
        if found.is_empty() {
            return Err(Error::argument(format!("user {user} is not in the users table")));
        }
        return Ok(user);
    }
    let cl = client.to_string();
    let users = conn.run("finding the client's users", async move {
        c.query("SELECT user_id::text FROM users WHERE client_id = $1::text::uuid ORDER BY user_id LIMIT 2", &[&cl])
            .await
    })?;
    match users.as_slice() {
        [only] => Ok(only.get(0)),
        [] => Err(Error::argument(format!("client {client} has no user to record; give {flag} USER_ID"))),
        _ => Err(Error::argument(format!("client {client} has several users; give {flag} USER_ID"))),
    }
}
