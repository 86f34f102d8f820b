//! A file into the host's tables: checked by the loader, its accepted rows
//! and its `uploads` row written in one transaction (all or nothing), a
//! file already loaded for the client refused unless replaced.

use std::collections::{BTreeMap, BTreeSet};

use futures_util::SinkExt;
use uuid::Uuid;

use crate::dataset::Dataset;
use crate::host::connection::{database_error, sqlstate, Connection};
use crate::host::host_rows::{claim_key, host_rows, CanonicalRows, RowFill};
use crate::host::host_schema::{quoted, HostSchema, HostTable};
use crate::host::read::check_columns;
use crate::host::{client_uuid, resolve_user, AUDIT_TABLE};
use crate::load::LoadOptions;
use crate::model::error::{Error, Result};
use crate::model::load_summary::{LoadSummary, RowError};
use crate::model::table::Table;

/// How a file is uploaded.
#[derive(Debug, Clone, Default)]
pub struct UploadOptions {
    /// The client the file's rows belong to (a UUID of the clients table).
    pub client_id: String,
    /// The user recorded as uploader; when None, the client's only user.
    pub uploaded_by: Option<String>,
    /// Swap the rows of an earlier upload of the same bytes instead of refusing.
    pub replace: bool,
    /// The mapping profile and strict/lenient, as for a file load.
    pub load: LoadOptions,
    /// The name stored in uploads.file_name (default: the source's file name).
    pub file_name: Option<String>,
}

/// What an upload wrote.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct UploadOutcome {
    pub upload_id: String,
    /// The earlier upload of the same bytes whose rows were swapped out.
    pub replaced: Option<String>,
    /// Rows written per host table.
    pub rows_written: BTreeMap<String, u64>,
    /// The load summary (with the rows the host could not hold as rejects).
    pub summary: LoadSummary,
}

/// Where an upload's bytes are: given, or in the file the source names.
pub(crate) enum UploadFile {
    Bytes(Vec<u8>),
    Path,
}

pub(crate) fn upload(
    conn: &Connection,
    schema: &HostSchema,
    table: Table,
    source: &str,
    file: UploadFile,
    options: &UploadOptions,
) -> Result<UploadOutcome> {
    let client = client_uuid(&options.client_id)?;
    let mut load = options.load.clone();
    if load.client_id.is_none() {
        load.client_id = Some(client.clone());
    }
    let mut ds = Dataset::new();
    let (file_size, loaded) = match file {
        UploadFile::Bytes(bytes) => (bytes.len() as i64, ds.load_bytes(table, source, bytes, &load)),
        // A file is read a block at a time, not held whole.
        UploadFile::Path => {
            let size = std::fs::metadata(source).map_err(|e| Error::io(source, e))?.len() as i64;
            (size, ds.load_path(table, source, &load))
        }
    };
    let mut summary = loaded?;
    for shape in [Table::EligibilitySpans, Table::BudgetRates] {
        if !ds.batches(shape).is_empty() {
            return Err(Error::argument(format!(
                "{source}: the host schema stores {} as monthly rows; {shape} cannot be uploaded (load them with the report instead)",
                shape.model_table()
            )));
        }
    }
    let written_tables: Vec<Table> = Table::ALL.into_iter().filter(|t| !ds.batches(*t).is_empty()).collect();
    let mut plans = Vec::new();
    for t in &written_tables {
        let host = schema.table(*t).ok_or_else(|| {
            Error::argument(format!("{source}: the host schema has no table for {t}; add one to upload these rows"))
        })?;
        let described = check_columns(conn, schema, *t, host)?;
        let rows = CanonicalRows::of(ds.batches(*t))?;
        plans.push((*t, host, described, rows));
    }
    // Rows of another client are not this upload's to write.
    let mut foreign = Vec::new();
    for (t, _, _, rows) in &plans {
        for row in 0..rows.len {
            let owner = rows.get(row, "client_id").unwrap_or("");
            // Parsed only when not already the client's id as written (another spelling of it is fine).
            if owner != client && client_uuid(owner).ok().as_deref() != Some(client.as_str()) {
                foreign.push((*t, owner.to_string()));
            }
        }
    }
    if let Some((t, owner)) = foreign.first() {
        return Err(Error::input_file(
            source,
            format!(
                "{} {t} rows belong to client '{}', not to {client}, the client of this upload; \
                 an upload holds one client's rows",
                foreign.len(),
                crate::model::cell::echo(owner)
            ),
        ));
    }

    let lock_key = format!("{client}/{}", summary.sha256);
    let (upload_id, replaced, rows_written) =
        conn.transaction("the upload's transaction", "BEGIN; SET LOCAL DateStyle = 'ISO, YMD'", || {
            let c = &conn.client;
            conn.run("locking the client's uploads of the file", async move {
                c.query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", &[&lock_key]).await.map(|_| ())
            })?;
            write(conn, schema, table, source, &client, file_size, &mut summary, plans, options)
        })?;
    Ok(UploadOutcome { upload_id, replaced, rows_written, summary })
}

type Plan<'a> = (Table, &'a HostTable, BTreeMap<String, crate::host::connection::HostColumn>, CanonicalRows);

#[allow(clippy::too_many_arguments)]
fn write(
    conn: &Connection,
    schema: &HostSchema,
    table: Table,
    source: &str,
    client: &str,
    file_size: i64,
    summary: &mut LoadSummary,
    plans: Vec<Plan>,
    options: &UploadOptions,
) -> Result<(String, Option<String>, BTreeMap<String, u64>)> {
    let c = &conn.client;
    let user = resolve_user(conn, client, options.uploaded_by.as_deref(), "--uploaded-by")?;
    let hash = summary.sha256.clone();
    let (cl, h) = (client.to_string(), hash.clone());
    let earlier = conn.run("looking for an earlier upload of the file", async move {
        c.query(
            "SELECT upload_id::text, file_name, uploaded_at::text FROM uploads \
              WHERE client_id = $1::text::uuid AND file_hash = $2 AND status = 'completed' ORDER BY uploaded_at",
            &[&cl, &h],
        )
        .await
    })?;
    let mut replaced = None;
    if let Some(row) = earlier.first() {
        let (id, name, at): (String, String, Option<String>) = (row.get(0), row.get(1), row.get(2));
        if !options.replace {
            return Err(Error::input_file(
                source,
                format!(
                    "already loaded for client {client}: upload {id} ({name}, {}) has the same sha256 {hash}; \
                     --replace swaps that upload's rows for this file's",
                    at.unwrap_or_default()
                ),
            ));
        }
        remove_upload(conn, schema, client, &id)?;
        replaced = Some(id);
    }

    let file_name = options.file_name.clone().unwrap_or_else(|| {
        std::path::Path::new(source).file_name().map_or(source.to_string(), |n| n.to_string_lossy().into_owned())
    });
    let (cl, u, name, kind, h) = (client.to_string(), user.clone(), file_name.clone(), table.name().to_string(), hash);
    let inserted = conn.run("writing the uploads row", async move {
        c.query(
            "INSERT INTO uploads (client_id, file_name, source_type, uploaded_by, file_hash, file_size, status) \
             VALUES ($1::text::uuid, $2, $3, $4::text::uuid, $5, $6, 'processing') RETURNING upload_id::text",
            &[&cl, &name, &kind, &u, &h, &file_size],
        )
        .await
    });
    let upload_id: String = match inserted {
        Ok(rows) => rows.first().map(|r| r.get(0)).ok_or_else(|| Error::engine("uploads returned no upload_id"))?,
        Err(Error::Database { message }) if message.contains("value too long") => {
            return Err(Error::argument(format!(
                "{source}: the file name is longer than uploads.file_name holds ({message})"
            )))
        }
        Err(e) => return Err(e),
    };

    let mut rows_written = BTreeMap::new();
    let mut host_errors: Vec<RowError> = Vec::new();
    let mut warnings = Vec::new();
    for (t, host, _, rows) in &plans {
        warnings.extend(not_stored(*t, host, rows));
    }
    for (t, host, described, rows) in &plans {
        let links = if *t == Table::StopLossReimbursements && !host.columns.contains_key("claimant_id") {
            Some(link_reimbursements(conn, schema, client, rows, &mut host_errors, &mut warnings)?)
        } else {
            None
        };
        let fill = RowFill { client, upload_id: &upload_id, claim_links: links.as_deref() };
        let mut out = host_rows(schema, *t, host, described, rows, &fill)?;
        host_errors.append(&mut out.errors);
        if !options.load.lenient && !host_errors.is_empty() {
            continue;
        }
        let csv = std::mem::take(&mut out.csv);
        copy_rows(conn, host, &out.columns, csv)?;
        let keyed = out.columns.contains(&host.key);
        if host.upload_column.is_none() && keyed {
            audit_rows(conn, host, client, &user, &upload_id, &out.keys)?;
        }
        rows_written.insert(host.table.clone(), out.rows);
    }
    if !host_errors.is_empty() {
        let n = host_errors.len() as u64;
        summary.records_rejected += n;
        summary.records_accepted = summary.records_accepted.saturating_sub(n);
        if !options.load.lenient {
            host_errors.truncate(100);
            summary.errors = host_errors.clone();
            return Err(Error::Input {
                source_name: source.to_string(),
                errors: host_errors,
                summary: Some(Box::new(summary.clone())),
            });
        }
        summary.errors.extend(host_errors);
    }
    summary.warnings.extend(warnings);
    let error_log = (!summary.errors.is_empty())
        .then(|| summary.errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"));
    let record_count = rows_written.values().sum::<u64>() as i32;
    let details = serde_json::json!({
        "file_name": file_name, "file_hash": summary.sha256, "table": table.name(),
        "record_count": record_count, "replaced": replaced,
    })
    .to_string();
    let (id, cl, u) = (upload_id.clone(), client.to_string(), user);
    conn.run("completing the uploads row", async move {
        c.execute(
            "UPDATE uploads SET status = 'completed', record_count = $2, error_log = $3 WHERE upload_id = $1::text::uuid",
            &[&id, &record_count, &error_log],
        )
        .await?;
        c.execute(
            &*format!(
                "INSERT INTO {} (table_name, record_id, action, user_id, client_id, new_values) \
                 VALUES ('uploads', $1::text::uuid, 'INSERT', $2::text::uuid, $3::text::uuid, $4::text::jsonb)",
                quoted(AUDIT_TABLE)
            ),
            &[&id, &u, &cl, &details],
        )
        .await
    })?;
    Ok((upload_id, replaced, rows_written))
}

/// What the host schema has no column for, when the file has values for it:
/// said, since those values will not come back (a paid date that is not the
/// claim date, a claimant on a reimbursement, ...).
fn not_stored(table: Table, host: &HostTable, rows: &CanonicalRows) -> Vec<String> {
    let mut warnings = Vec::new();
    for field in table.schema().fields() {
        let column = field.name().as_str();
        if column == "client_id" || host.columns.contains_key(column) {
            continue;
        }
        // Read back, a missing paid date is the claim date: only other ones are lost.
        let lost = (0..rows.len)
            .filter(|&row| match (rows.get(row, column), column) {
                (Some(paid), "paid_date") => Some(paid) != rows.get(row, "claim_date"),
                (value, _) => value.is_some_and(|v| !v.is_empty()),
            })
            .count();
        let kept_elsewhere = table == Table::StopLossReimbursements && column == "claimant_id";
        if lost > 0 && !kept_elsewhere {
            warnings.push(format!(
                "{lost} {table} rows have a {column} that the host table {} has no column for; it is not stored \
                 (a report from the database will not see it)",
                host.table
            ));
        }
    }
    warnings
}

/// COPY one host table's rows in; a refused row (a duplicate key) fails the
/// whole transaction with the server's words.
fn copy_rows(conn: &Connection, host: &HostTable, columns: &[String], csv: Vec<u8>) -> Result<()> {
    let columns: Vec<String> = columns.iter().map(|c| quoted(c)).collect();
    let statement = format!("COPY {} ({}) FROM STDIN WITH (FORMAT csv)", quoted(&host.table), columns.join(", "));
    let c = &conn.client;
    let data = bytes::Bytes::from(csv);
    let result = crate::dataset::runtime::block_on(async move {
        let sink = c.copy_in::<_, bytes::Bytes>(statement.as_str()).await?;
        futures_util::pin_mut!(sink);
        sink.send(data).await?;
        sink.as_mut().finish().await
    })?;
    match result {
        Ok(_) => Ok(()),
        Err(e) if sqlstate(&e) == Some("23505") => Err(database_error(
            &format!(
                "PostgreSQL at {}: {} already holds a row this file would add (a claim id loaded by another upload?)",
                conn.server, host.table
            ),
            &e,
        )),
        Err(e) => Err(database_error(&format!("PostgreSQL at {}: writing {}", conn.server, host.table), &e)),
    }
}

/// audit_log rows tying each written row of a table without an upload
/// column to its upload (how reads and --replace find them).
fn audit_rows(
    conn: &Connection,
    host: &HostTable,
    client: &str,
    user: &str,
    upload_id: &str,
    keys: &[String],
) -> Result<()> {
    let c = &conn.client;
    let statement = format!(
        "INSERT INTO {} (table_name, record_id, action, user_id, client_id, new_values) \
         SELECT $1, k::uuid, 'INSERT', $2::text::uuid, $3::text::uuid, jsonb_build_object('upload_id', $4::text) \
           FROM unnest($5::text[]) k",
        quoted(AUDIT_TABLE)
    );
    let (t, u, cl, id, k) =
        (host.table.clone(), user.to_string(), client.to_string(), upload_id.to_string(), keys.to_vec());
    conn.run(&format!("recording the rows of {} in {AUDIT_TABLE}", host.table), async move {
        c.execute(statement.as_str(), &[&t, &u, &cl, &id, &k]).await
    })?;
    Ok(())
}

/// Deletes an earlier upload's rows and its uploads row (--replace), in the
/// caller's transaction; audit_log keeps what was removed.
fn remove_upload(conn: &Connection, schema: &HostSchema, client: &str, upload_id: &str) -> Result<()> {
    let c = &conn.client;
    let client_column = quoted(&schema.client_column);
    let mut statements = Vec::new();
    // Tables tied through audit_log first: a stop-loss row names a claim.
    for table in Table::ALL.iter().rev() {
        let Some(host) = schema.table(*table) else { continue };
        let t = quoted(&host.table);
        match &host.upload_column {
            Some(upload) => statements
                .push(format!("DELETE FROM {t} WHERE {client_column}::text = $1 AND {}::text = $2", quoted(upload))),
            None => statements.push(format!(
                "DELETE FROM {t} WHERE {client_column}::text = $1 AND {}::text IN \
                   (SELECT record_id::text FROM {} WHERE table_name = '{}' AND action = 'INSERT' \
                       AND new_values->>'upload_id' = $2)",
                quoted(&host.key),
                quoted(AUDIT_TABLE),
                host.table.replace('\'', "''")
            )),
        }
    }
    statements.push("DELETE FROM uploads WHERE client_id::text = $1 AND upload_id::text = $2".to_string());
    let (cl, id) = (client.to_string(), upload_id.to_string());
    let audit = format!(
        "INSERT INTO {} (table_name, record_id, action, client_id, old_values) \
         VALUES ('uploads', $2::text::uuid, 'DELETE', $1::text::uuid, jsonb_build_object('replaced_upload', $2::text))",
        quoted(AUDIT_TABLE)
    );
    let result = crate::dataset::runtime::block_on(async move {
        for s in &statements {
            c.execute(s.as_str(), &[&cl, &id]).await?;
        }
        c.execute(audit.as_str(), &[&cl, &id]).await
    })?;
    match result {
        Ok(_) => Ok(()),
        Err(e) if sqlstate(&e) == Some("23503") => Err(database_error(
            &format!(
                "PostgreSQL at {}: cannot replace upload {upload_id}: rows of other uploads (stop-loss \
                 reimbursements?) name its claims; replace those first",
                conn.server
            ),
            &e,
        )),
        Err(e) => Err(database_error(&format!("PostgreSQL at {}: removing upload {upload_id}", conn.server), &e)),
    }
}

/// The stored claim each reimbursement links to, when the host keeps no
/// claimant on a reimbursement (the seed schema): its own claim when stored
/// and of the claimant it names, else the claimant's earliest claim; a row
/// that can link to no stored claim is rejected.
fn link_reimbursements(
    conn: &Connection,
    schema: &HostSchema,
    client: &str,
    rows: &CanonicalRows,
    errors: &mut Vec<RowError>,
    warnings: &mut Vec<String>,
) -> Result<Vec<Option<String>>> {
    let claims = schema.table(Table::Claims).ok_or_else(|| {
        Error::argument("the host schema links reimbursements to claims but has no claims table".to_string())
    })?;
    let claimant_column = claims.columns.get("claimant_id").ok_or_else(|| {
        Error::argument("the host schema's claims table has no claimant_id column to link reimbursements by")
    })?;
    let date_column = claims.columns.get("claim_date").cloned().unwrap_or_else(|| claims.key.clone());
    let client_uuid = Uuid::parse_str(client).map_err(|e| Error::argument(e.to_string()))?;
    let described = conn.columns(&claims.table)?;
    let key_kind = described.get(&claims.key).map(|c| c.kind.clone());
    let mut candidates = BTreeSet::new();
    let mut claimants = BTreeSet::new();
    for row in 0..rows.len {
        if let Some(id) = rows.get(row, "claim_id") {
            candidates.insert(claim_key(&client_uuid, id, 1, key_kind.as_ref()));
        }
        if let Some(claimant) = rows.get(row, "claimant_id") {
            claimants.insert(claimant.to_string());
        }
    }
    let (t, key, claimant, date) =
        (quoted(&claims.table), quoted(&claims.key), quoted(claimant_column), quoted(&date_column));
    let client_column = quoted(&schema.client_column);
    let by_claim = format!(
        "SELECT {key}::text, {claimant}::text FROM {t} WHERE {client_column}::text = $1 AND {key}::text = ANY($2)"
    );
    let by_claimant = format!(
        "SELECT DISTINCT ON ({claimant}) {claimant}::text, {key}::text FROM {t} \
          WHERE {client_column}::text = $1 AND {claimant}::text = ANY($2) ORDER BY {claimant}, {date}, {key}"
    );
    let (cl, ids, names) =
        (client.to_string(), candidates.into_iter().collect::<Vec<_>>(), claimants.into_iter().collect::<Vec<_>>());
    let c = &conn.client;
    let (stored, earliest) = conn.run("linking reimbursements to stored claims", async move {
        let a = c.query(by_claim.as_str(), &[&cl, &ids]).await?;
        let b = c.query(by_claimant.as_str(), &[&cl, &names]).await?;
        Ok((a, b))
    })?;
    let stored: BTreeMap<String, String> = stored.iter().map(|r| (r.get(0), r.get(1))).collect();
    let earliest: BTreeMap<String, String> = earliest.iter().map(|r| (r.get(0), r.get(1))).collect();
    let (mut by_claimant_only, mut relinked) = (0, 0);
    let mut links = Vec::with_capacity(rows.len);
    for row in 0..rows.len {
        let own = rows.get(row, "claim_id").map(|id| claim_key(&client_uuid, id, 1, key_kind.as_ref()));
        let named = rows.get(row, "claimant_id");
        let own_claimant = own.as_ref().and_then(|k| stored.get(k));
        let link = match (own.as_ref(), own_claimant, named) {
            (Some(k), Some(of), None) => Some((k.clone(), of.clone())),
            (Some(k), Some(of), Some(n)) if of == n => Some((k.clone(), of.clone())),
            (_, _, Some(n)) => {
                if own.is_some() {
                    relinked += 1;
                } else {
                    by_claimant_only += 1;
                }
                earliest.get(n).map(|k| (k.clone(), n.to_string()))
            }
            (_, _, None) => None,
        };
        if link.is_none() {
            let (column, value) = match (rows.get(row, "claim_id"), named) {
                (_, Some(n)) => ("claimant_id", n.to_string()),
                (Some(id), None) => ("claim_id", id.to_string()),
                (None, None) => ("claim_id", String::new()),
            };
            errors.push(RowError {
                record: 0,
                line: 0,
                column: column.to_string(),
                value: crate::model::cell::echo(&value),
                reason: format!(
                    "reimbursement of {} paid {}: {column} '{value}' has no stored claim of client {client}; \
                     the host schema links every reimbursement to a stored claim (upload the claims first)",
                    rows.get(row, "amount").unwrap_or(""),
                    rows.get(row, "paid_date").unwrap_or("")
                ),
                key: None,
            });
        }
        links.push(link.map(|(k, _)| k));
    }
    if by_claimant_only > 0 {
        warnings.push(format!(
            "{by_claimant_only} reimbursements name only a claimant: each is stored against the claimant's earliest \
             claim (the host schema keeps no claimant on a reimbursement)"
        ));
    }
    if relinked > 0 {
        warnings.push(format!(
            "{relinked} reimbursements name a claim that is not stored or is another claimant's: each is stored \
             against the named claimant's earliest claim (claimant_id wins, as in a report)"
        ));
    }
    Ok(links)
}
