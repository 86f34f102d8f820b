//! Where the canonical tables live in the host application's database: the
//! built-in profile of `seed-postgres-schema.sql`, or a host's own (JSON).
//!
//! ```
//! let seed = claimscope::host::HostSchema::seed();
//! let claims = seed.table(claimscope::Table::Claims).unwrap();
//! assert_eq!(claims.columns["claimant_id"], "claimant_number");
//! assert!(!claims.columns.contains_key("paid_date")); // the seed schema has none
//! ```

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::model::error::{Error, Result};
use crate::model::table::Table;

const SEED_SCHEMA: &str = include_str!("seed_schema.json");

/// The host's tables for the canonical ones; a canonical table it leaves
/// out is neither read nor written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HostSchema {
    /// The column every host table keys its client by.
    #[serde(default = "default_client_column")]
    pub client_column: String,
    pub tables: BTreeMap<Table, HostTable>,
}

/// One host table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HostTable {
    /// Table name, optionally schema-qualified (`healthcare_analytics.claims`).
    pub table: String,
    /// The primary key: named in row errors, written for every new row.
    pub key: String,
    /// A column naming the upload a row came from (the seed's claims.upload_id);
    /// tables without one tie rows to uploads through audit_log.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upload_column: Option<String>,
    /// Canonical column -> host column. Canonical columns not named here are
    /// absent from the host (the loader's defaults apply when read back).
    pub columns: BTreeMap<String, String>,
}

fn default_client_column() -> String {
    "client_id".to_string()
}

impl HostSchema {
    /// The schema of `seed-postgres-schema.sql` (docs/postgres.md lists it).
    pub fn seed() -> HostSchema {
        // The built-in JSON is checked by a test; an empty schema is never used.
        HostSchema::from_json(SEED_SCHEMA)
            .unwrap_or(HostSchema { client_column: String::new(), tables: BTreeMap::new() })
    }

    pub fn from_json(text: &str) -> Result<HostSchema> {
        let schema: HostSchema =
            serde_json::from_str(text).map_err(|e| Error::mapping(format!("host schema is not valid: {e}")))?;
        schema.check()?;
        Ok(schema)
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    pub fn table(&self, table: Table) -> Option<&HostTable> {
        self.tables.get(&table)
    }

    fn check(&self) -> Result<()> {
        let invalid = |what: String| Err(Error::mapping(format!("host schema is not valid: {what}")));
        identifier_parts(&self.client_column)?;
        for (table, host) in &self.tables {
            if !Table::ALL.contains(table) {
                return invalid(format!("{table} is not one of the six canonical tables"));
            }
            identifier_parts(&host.table)?;
            identifier_parts(&host.key)?;
            if let Some(upload) = &host.upload_column {
                identifier_parts(upload)?;
            }
            let canonical = table.schema();
            for (column, host_column) in &host.columns {
                if column == "client_id" {
                    return invalid(format!("{table}.columns.client_id: the client column is \"client_column\""));
                }
                if canonical.field_with_name(column).is_err() {
                    let names: Vec<&str> = canonical.fields().iter().map(|f| f.name().as_str()).collect();
                    return invalid(format!(
                        "{table}.columns.{column} is not a canonical column of {table} ({})",
                        names.join(", ")
                    ));
                }
                identifier_parts(host_column)?;
            }
        }
        Ok(())
    }
}

/// An identifier (or schema.identifier) as SQL, each part double-quoted.
pub(crate) fn quoted(identifier: &str) -> String {
    identifier.split('.').map(|part| format!("\"{}\"", part.replace('"', "\"\""))).collect::<Vec<_>>().join(".")
}

fn identifier_parts(identifier: &str) -> Result<()> {
    let ok = identifier.split('.').all(|p| !p.is_empty() && p.len() <= 63 && !p.contains('\0'));
    if ok && identifier.split('.').count() <= 2 {
        Ok(())
    } else {
        Err(Error::mapping(format!(
            "host schema is not valid: '{}' is not a column or table name (1 to 63 bytes, optionally schema.name)",
            crate::model::cell::echo(identifier)
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seed_schema_is_valid_and_names_every_table() {
        let seed = HostSchema::from_json(SEED_SCHEMA).unwrap();
        assert_eq!(seed.tables.len(), 6);
        assert_eq!(seed.table(Table::StopLossReimbursements).unwrap().key, "stop_id");
    }

    #[test]
    fn unknown_columns_and_odd_names_are_refused() {
        let bad = r#"{"tables": {"claims": {"table": "claims", "key": "claim_id", "columns": {"paid": "paid_date"}}}}"#;
        assert!(HostSchema::from_json(bad).unwrap_err().to_string().contains("claims.columns.paid is not a canonical"));
        let bad = r#"{"tables": {"claims": {"table": "a.b.c", "key": "claim_id", "columns": {}}}}"#;
        assert!(HostSchema::from_json(bad).unwrap_err().to_string().contains("'a.b.c' is not a column or table name"));
    }

    #[test]
    fn quoting_doubles_quotes() {
        assert_eq!(quoted("healthcare.claims"), "\"healthcare\".\"claims\"");
        assert_eq!(quoted("a\"b"), "\"a\"\"b\"");
    }
}
