//! One connection to the host's PostgreSQL: connecting without echoing the
//! password, the server's errors as `Error::Database`, and what the host's
//! tables look like (columns, types, limits) before anything is read or written.

use std::collections::BTreeMap;
use std::time::Duration;

use tokio_postgres::config::Host;
use tokio_postgres::{Client, Config, NoTls};

use crate::dataset::runtime::block_on;
use crate::host::host_schema::quoted;
use crate::model::error::{Error, Result};

/// How long a connection attempt may take before it is an error.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(15);

/// A connected session and where it goes (for messages: never the password).
pub(crate) struct Connection {
    pub client: Client,
    pub server: String,
}

impl Connection {
    /// Connects to a `postgresql://` URL or a libpq `key=value` string.
    pub fn open(url: &str) -> Result<Connection> {
        let mut config: Config = url.parse().map_err(|e| {
            Error::argument(format!(
                "the PostgreSQL connection string is not valid ({e}); expected postgresql://user:password@host:port/database"
            ))
        })?;
        if config.get_application_name().is_none() {
            config.application_name("claimscope");
        }
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        let server = describe_server(&config);
        let connected = block_on(async move {
            let (client, connection) = config.connect(NoTls).await?;
            // The connection drives the socket until the client is dropped; its
            // failure (a dropped server) surfaces as the next query's error.
            tokio::spawn(connection);
            Ok::<_, tokio_postgres::Error>(client)
        })?;
        let client = connected.map_err(|e| database_error(&format!("cannot connect to PostgreSQL at {server}"), &e))?;
        Ok(Connection { client, server })
    }

    /// Runs a future on the query runtime, with the server's errors named.
    pub fn run<T, F>(&self, what: &str, future: F) -> Result<T>
    where
        F: std::future::Future<Output = std::result::Result<T, tokio_postgres::Error>> + Send,
        T: Send,
    {
        block_on(future)?.map_err(|e| database_error(&format!("PostgreSQL at {}: {what}", self.server), &e))
    }

    /// Runs `work` in a transaction opened by `begin` (BEGIN and its SET
    /// LOCALs): committed when `work` succeeds, rolled back when it fails (its
    /// error is the one returned).
    pub fn transaction<T>(&self, what: &str, begin: &str, work: impl FnOnce() -> Result<T>) -> Result<T> {
        let c = &self.client;
        self.run(&format!("starting {what}"), async move { c.batch_execute(begin).await })?;
        let result = work();
        let end = if result.is_ok() { "COMMIT" } else { "ROLLBACK" };
        let ended = self.run(&format!("ending {what}"), async move { c.batch_execute(end).await });
        let value = result?;
        ended?;
        Ok(value)
    }

    /// The columns of a host table, or an error naming it when it is missing.
    pub fn columns(&self, table: &str) -> Result<BTreeMap<String, HostColumn>> {
        let client = &self.client;
        let name = quoted(table);
        let rows = self.run(&format!("reading the columns of table {table}"), async move {
            client
                .query(
                    "SELECT a.attname::text, t.typname::text, a.atttypmod, a.attnotnull, a.atthasdef \
                       FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid \
                      WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped",
                    &[&name],
                )
                .await
        })?;
        if rows.is_empty() {
            return Err(Error::Database {
                message: format!(
                    "PostgreSQL at {}: table {table} does not exist (or is not visible on the search_path); \
                     create the host schema (seed-postgres-schema.sql) or give a host schema that names your tables",
                    self.server
                ),
            });
        }
        let mut columns = BTreeMap::new();
        for row in rows {
            let (name, type_name, typmod): (String, String, i32) = (row.get(0), row.get(1), row.get(2));
            columns.insert(
                name.clone(),
                HostColumn {
                    name,
                    kind: ColumnKind::of(&type_name, typmod),
                    not_null: row.get(3),
                    has_default: row.get(4),
                },
            );
        }
        Ok(columns)
    }
}

/// A host column as the checks need it.
#[derive(Debug, Clone)]
pub(crate) struct HostColumn {
    pub name: String,
    pub kind: ColumnKind,
    pub not_null: bool,
    pub has_default: bool,
}

/// The host column types claimscope reads and writes, with their limits.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum ColumnKind {
    /// varchar(n) / char(n) (None: unlimited, text).
    Text(Option<usize>),
    /// numeric(precision, scale) (None: unconstrained).
    Numeric(Option<(u32, u32)>),
    Integer {
        bits: u32,
    },
    Date,
    Uuid,
    Other(String),
}

impl ColumnKind {
    fn of(type_name: &str, typmod: i32) -> ColumnKind {
        // atttypmod is -1 when unconstrained; varchar's is n + 4, numeric's
        // is ((precision << 16) | scale) + 4.
        let modifier = (typmod >= 4).then(|| (typmod - 4) as u32);
        match type_name {
            "varchar" | "bpchar" => ColumnKind::Text(modifier.map(|n| n as usize)),
            "text" => ColumnKind::Text(None),
            "numeric" => ColumnKind::Numeric(modifier.map(|m| ((m >> 16) & 0xffff, m & 0xffff))),
            "int2" => ColumnKind::Integer { bits: 16 },
            "int4" => ColumnKind::Integer { bits: 32 },
            "int8" => ColumnKind::Integer { bits: 64 },
            "date" => ColumnKind::Date,
            "uuid" => ColumnKind::Uuid,
            other => ColumnKind::Other(other.to_string()),
        }
    }

    /// The type as SQL writes it, for messages.
    pub fn sql(&self) -> String {
        match self {
            ColumnKind::Text(Some(n)) => format!("VARCHAR({n})"),
            ColumnKind::Text(None) => "TEXT".into(),
            ColumnKind::Numeric(Some((p, s))) => format!("DECIMAL({p},{s})"),
            ColumnKind::Numeric(None) => "NUMERIC".into(),
            ColumnKind::Integer { bits } => format!("INTEGER ({bits}-bit)"),
            ColumnKind::Date => "DATE".into(),
            ColumnKind::Uuid => "UUID".into(),
            ColumnKind::Other(name) => name.to_uppercase(),
        }
    }
}

fn describe_server(config: &Config) -> String {
    let host = match config.get_hosts().first() {
        Some(Host::Tcp(h)) => h.clone(),
        #[cfg(unix)]
        Some(Host::Unix(path)) => path.display().to_string(),
        None => "localhost".to_string(),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    let db = config.get_dbname().or(config.get_user()).unwrap_or("postgres");
    format!("{host}:{port}/{db}")
}

/// A server or connection error as `Error::Database`, with its SQLSTATE.
pub(crate) fn database_error(context: &str, e: &tokio_postgres::Error) -> Error {
    let message = match e.as_db_error() {
        Some(db) => {
            let mut m = format!("{context}: {} (SQLSTATE {})", db.message(), db.code().code());
            if let Some(detail) = db.detail() {
                m.push_str(&format!("; {detail}"));
            }
            m
        }
        None => {
            let mut m = format!("{context}: {e}");
            let mut source = std::error::Error::source(e);
            while let Some(s) = source {
                m.push_str(&format!(": {s}"));
                source = s.source();
            }
            if e.is_closed() {
                m.push_str(" (the server closed the connection; nothing was written)");
            }
            m
        }
    };
    Error::Database { message }
}

/// The SQLSTATE of a server error, if it is one.
pub(crate) fn sqlstate(e: &tokio_postgres::Error) -> Option<&str> {
    e.as_db_error().map(|db| db.code().code())
}
