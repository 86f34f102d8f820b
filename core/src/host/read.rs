//! A client's rows of the host tables into a Dataset: one COPY ... TO STDOUT
//! (CSV) a table, in one read-only snapshot, filtered by a client id the
//! server receives as a parameter, checked by the same loader as a file.

use std::collections::{BTreeMap, BTreeSet};

use std::io::Read;
use std::sync::{Arc, Mutex};

use futures_util::StreamExt;
use tokio::sync::mpsc;
use tokio_postgres::CopyOutStream;

use crate::dataset::runtime;
use crate::dataset::Dataset;
use crate::host::connection::{database_error, ColumnKind, Connection, HostColumn};
use crate::host::host_schema::{quoted, HostSchema, HostTable};
use crate::host::{client_uuid, AUDIT_TABLE};
use crate::load::mapping::MappingProfile;
use crate::load::LoadOptions;
use crate::model::error::{Error, Result};
use crate::model::load_summary::{LoadSummary, RowError};
use crate::model::table::Table;
use crate::source::StreamInput;

/// The setting the client id travels in: COPY takes no parameters, so the
/// id is bound by `set_config($1)` and read back by `current_setting`.
const CLIENT_SETTING: &str = "claimscope.client_id";

/// The column the host's primary key is read into (`LoadOptions::row_key`).
const ROW_KEY: &str = "claimscope_row_key";

/// What a read from the host loaded.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct HostLoad {
    /// One load summary a host table, in the order of data-model.md.
    pub summaries: Vec<LoadSummary>,
    /// The uploads whose rows were read, sorted.
    pub uploads: Vec<String>,
}

/// The client's rows of every host table, in one snapshot. The COPY stream
/// is read with blocking calls: call it off any tokio runtime's thread.
pub(crate) fn load_client(
    conn: &Connection,
    schema: &HostSchema,
    ds: &mut Dataset,
    client_id: &str,
    lenient: bool,
) -> Result<HostLoad> {
    let client = client_uuid(client_id)?;
    let mut described = BTreeMap::new();
    for (table, host) in &schema.tables {
        described.insert(*table, check_columns(conn, schema, *table, host)?);
    }
    let audit_log = conn.columns(AUDIT_TABLE).is_ok();
    let begin = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET LOCAL DateStyle = 'ISO, YMD'; \
                 SET LOCAL client_encoding = 'UTF8'";
    conn.transaction("a read-only snapshot", begin, || {
        let c = &conn.client;
        conn.run("binding the client id", async move {
            c.query("SELECT set_config($1, $2, true)", &[&CLIENT_SETTING, &client]).await.map(|_| ())
        })?;
        read_tables(conn, schema, &described, ds, lenient, audit_log)
    })
}

fn read_tables(
    conn: &Connection,
    schema: &HostSchema,
    described: &BTreeMap<Table, BTreeMap<String, HostColumn>>,
    ds: &mut Dataset,
    lenient: bool,
    audit_log: bool,
) -> Result<HostLoad> {
    let mut summaries = Vec::new();
    let mut uploads = BTreeSet::new();
    for table in Table::ALL {
        let Some(host) = schema.table(table) else { continue };
        let filter = client_filter(schema, &described[&table]);
        let query = select_query(schema, table, host, &filter);
        // Asked before the COPY: the connection answers in order, and the
        // COPY's rows are read only by the load below.
        let table_uploads = uploads_of(conn, host, &filter, audit_log)?;
        let c = &conn.client;
        let copy = format!("COPY ({query}) TO STDOUT WITH (FORMAT csv, HEADER true)");
        let reading = format!("reading table {}", host.table);
        let rows = conn.run(&reading, async move { c.copy_out(copy.as_str()).await })?;
        // The loader checks rows while the server still sends them.
        let (stream, failure) = CopyReader::start(rows)?;
        let source = match table_uploads.as_slice() {
            [] => format!("postgresql://{}#{} (no upload recorded)", conn.server, host.table),
            ids => format!("postgresql://{}#{} (uploads {})", conn.server, host.table, ids.join(", ")),
        };
        uploads.extend(table_uploads);
        // The server sends UTF-8 (set for the snapshot) and commas: declared, not detected.
        let csv =
            MappingProfile { encoding: Some("utf-8".into()), delimiter: Some(",".into()), ..MappingProfile::default() };
        let options =
            LoadOptions { mapping: Some(csv), lenient, row_key: Some(ROW_KEY.to_string()), ..LoadOptions::default() };
        let loaded = ds.load_csv_stream(table, &source, &stream, &options);
        // A stream cut short (the server dropped the connection) is the database's failure.
        if let Some(e) = failure.lock().ok().and_then(|mut f| f.take()) {
            return Err(database_error(&format!("PostgreSQL at {}: {reading}", conn.server), &e));
        }
        let name_keys = |errors: &mut [RowError]| {
            for e in errors.iter_mut() {
                e.key = e.key.take().map(|k| format!("{}.{} {k}", host.table, host.key));
            }
        };
        let summary = match loaded {
            Ok(mut summary) => {
                name_keys(&mut summary.errors);
                summary
            }
            Err(Error::Input { source_name, mut errors, mut summary }) => {
                name_keys(&mut errors);
                if let Some(s) = summary.as_mut() {
                    name_keys(&mut s.errors);
                }
                return Err(Error::Input { source_name, errors, summary });
            }
            Err(e) => return Err(e),
        };
        summaries.push(summary);
    }
    Ok(HostLoad { summaries, uploads: uploads.into_iter().collect() })
}

/// Every mapped column must exist: a clear error before any row is read.
pub(crate) fn check_columns(
    conn: &Connection,
    schema: &HostSchema,
    table: Table,
    host: &HostTable,
) -> Result<BTreeMap<String, HostColumn>> {
    let columns = conn.columns(&host.table)?;
    let wanted = std::iter::once(("client column", &schema.client_column))
        .chain(std::iter::once(("key", &host.key)))
        .chain(host.upload_column.iter().map(|u| ("upload column", u)))
        .chain(host.columns.values().map(|c| ("column", c)));
    for (role, column) in wanted {
        if !columns.contains_key(column) {
            let found: Vec<&str> = columns.keys().map(String::as_str).collect();
            return Err(Error::Database {
                message: format!(
                    "PostgreSQL at {}: table {} has no {role} '{column}' (the host schema's {table}); its columns: {}",
                    conn.server,
                    host.table,
                    found.join(", ")
                ),
            });
        }
    }
    Ok(columns)
}

/// `WHERE` on the client column, compared in the column's own type so the
/// host's (client_id, ...) indexes serve the read.
fn client_filter(schema: &HostSchema, columns: &BTreeMap<String, HostColumn>) -> String {
    let column = quoted(&schema.client_column);
    let setting = format!("current_setting('{CLIENT_SETTING}')");
    match columns.get(&schema.client_column).map(|c| &c.kind) {
        Some(ColumnKind::Uuid) => format!("t.{column} = {setting}::uuid"),
        Some(ColumnKind::Text(_)) => format!("t.{column} = {setting}"),
        _ => format!("t.{column}::text = {setting}"),
    }
}

/// The canonical columns of one host table, and its key (naming rejected
/// rows). In the server's order: a sort would cost the server more than the load.
fn select_query(schema: &HostSchema, table: Table, host: &HostTable, filter: &str) -> String {
    let mut select = vec![
        format!("t.{}::text AS {ROW_KEY}", quoted(&host.key)),
        format!("t.{}::text AS client_id", quoted(&schema.client_column)),
    ];
    for (canonical, column) in &host.columns {
        select.push(format!("t.{} AS {}", quoted(column), quoted(canonical)));
    }
    // A claim without an id of its own is named by its key (unique, stable).
    if table == Table::Claims && !host.columns.contains_key("claim_id") {
        select.push(format!("t.{}::text AS claim_id", quoted(&host.key)));
    }
    let mut from = format!("{} t", quoted(&host.table));
    // A reimbursement that names only its claim (the seed schema) is the
    // claimant's: the claimant comes from the claim, of the same client.
    if table == Table::StopLossReimbursements && !host.columns.contains_key("claimant_id") {
        let claims = schema.table(Table::Claims);
        let link = host.columns.get("claim_id");
        if let (Some(claims), Some(link)) = (claims, link) {
            if let Some(claimant) = claims.columns.get("claimant_id") {
                select.push(format!("c.{} AS claimant_id", quoted(claimant)));
                let client = quoted(&schema.client_column);
                from.push_str(&format!(
                    " LEFT JOIN {} c ON c.{} = t.{} AND c.{client} = t.{client}",
                    quoted(&claims.table),
                    quoted(&claims.key),
                    quoted(link)
                ));
            }
        }
    }
    format!("SELECT {} FROM {from} WHERE {filter}", select.join(", "))
}

/// The uploads whose rows a table's read included: its upload column, or
/// the audit_log entries claimscope wrote for each row it inserted.
fn uploads_of(conn: &Connection, host: &HostTable, filter: &str, audit_log: bool) -> Result<Vec<String>> {
    let query = match &host.upload_column {
        Some(upload) => format!(
            "SELECT DISTINCT t.{}::text FROM {} t WHERE {filter} AND t.{0} IS NOT NULL",
            quoted(upload),
            quoted(&host.table)
        ),
        None if audit_log => format!(
            "SELECT DISTINCT a.new_values->>'upload_id' FROM {} a \
              WHERE a.table_name = $1 AND a.action = 'INSERT' AND a.new_values ? 'upload_id' \
                AND a.client_id::text = current_setting('{CLIENT_SETTING}') \
                AND a.record_id IN (SELECT t.{}::uuid FROM {} t WHERE {filter})",
            quoted(AUDIT_TABLE),
            quoted(&host.key),
            quoted(&host.table)
        ),
        None => return Ok(Vec::new()),
    };
    let c = &conn.client;
    let table_name = host.table.clone();
    let rows = conn.run(&format!("finding the uploads of {}", host.table), async move {
        if query.contains("$1") {
            c.query(query.as_str(), &[&table_name]).await
        } else {
            c.query(query.as_str(), &[]).await
        }
    })?;
    let mut ids: Vec<String> = rows.iter().filter_map(|r| r.get::<_, Option<String>>(0)).collect();
    ids.sort();
    Ok(ids)
}

/// COPY output as a `Read`: a task on the query runtime forwards the
/// server's chunks through a bounded channel; the loader reads them on its
/// own thread. A server error ends the stream early and is kept for the caller.
struct CopyReader {
    chunks: mpsc::Receiver<bytes::Bytes>,
    current: bytes::Bytes,
}

type Failure = Arc<Mutex<Option<tokio_postgres::Error>>>;

/// How many bytes of rows travel to the loader at a time.
const FORWARD_BYTES: usize = 1 << 20;

impl CopyReader {
    fn start(rows: CopyOutStream) -> Result<(StreamInput, Failure)> {
        let (send, chunks) = mpsc::channel(16);
        let failure: Failure = Arc::new(Mutex::new(None));
        let noted = failure.clone();
        runtime::spawn(async move {
            let mut rows = Box::pin(rows);
            // The server sends a message a row: passed on in batches, not one by one.
            let mut batch = bytes::BytesMut::with_capacity(FORWARD_BYTES);
            while let Some(chunk) = rows.next().await {
                match chunk {
                    Ok(bytes) => {
                        batch.extend_from_slice(&bytes);
                        // The loader stopped reading (it failed): stop too.
                        if batch.len() >= FORWARD_BYTES && send.send(batch.split().freeze()).await.is_err() {
                            return;
                        }
                    }
                    Err(e) => {
                        if let Ok(mut slot) = noted.lock() {
                            *slot = Some(e);
                        }
                        return;
                    }
                }
            }
            if !batch.is_empty() {
                let _ = send.send(batch.freeze()).await;
            }
        })?;
        let reader = CopyReader { chunks, current: bytes::Bytes::new() };
        Ok((StreamInput::new(Box::new(reader)), failure))
    }
}

impl Read for CopyReader {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        while self.current.is_empty() {
            match self.chunks.blocking_recv() {
                Some(chunk) => self.current = chunk,
                None => return Ok(0),
            }
        }
        let n = out.len().min(self.current.len());
        out[..n].copy_from_slice(&self.current.split_to(n));
        Ok(n)
    }
}
