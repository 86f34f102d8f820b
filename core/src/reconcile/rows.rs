//! One side of a reconciliation: its columns found by the rules and each
//! record read into the typed values the rules compare. A record whose
//! cells cannot be read is rejected with its record, column, value and
//! reason, never skipped.

use rust_decimal::Decimal;

use super::comparison::Value;
use super::names::{name_key, NameKey, Vocabulary};
use super::rules::{AmountSource, CompareKind, Rules};
use crate::load::columns::{closest_header, header_is, header_key, quoted_list};
use crate::load::mapping::HeaderSpec;
use crate::model::dates::{self, CellDate, SlashEvidence, SlashOrder};
use crate::model::error::{Error, Result};
use crate::model::load_summary::{LoadSummary, RowError};
use crate::model::money;
use crate::source::{RawRecord, TextTable};

/// Left or right.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Which {
    Left,
    Right,
}

impl Which {
    pub fn name(self) -> &'static str {
        match self {
            Which::Left => "left",
            Which::Right => "right",
        }
    }

    fn pick<'a, T>(self, left: &'a T, right: &'a T) -> &'a T {
        match self {
            Which::Left => left,
            Which::Right => right,
        }
    }
}

/// Where each rule's column sits in the file (header index).
#[derive(Debug, Clone, Default)]
pub(crate) struct SideColumns {
    pub id: Option<usize>,
    pub keys: Vec<usize>,
    pub date: Option<usize>,
    /// One column, or the factors of a product (left side only).
    pub amount: Vec<usize>,
    pub names: Vec<usize>,
    /// Probabilistic mode: each comparison's column.
    pub compare: Vec<usize>,
}

/// A record as the rules see it.
#[derive(Debug, Clone)]
pub(crate) struct Row {
    /// Index of the record in the side's text table.
    pub index: usize,
    /// Normalised key cells joined by U+001F; None when a key cell is blank.
    pub key: Option<Box<str>>,
    pub day: Option<i32>,
    pub cents: Option<i128>,
    /// Name key of each fuzzy rule's column.
    pub names: Vec<NameKey>,
    /// Probabilistic mode: each comparison's cell as read.
    pub values: Vec<Value>,
}

/// A side read for reconciliation.
pub(crate) struct Side {
    pub table: TextTable,
    pub columns: SideColumns,
    pub rows: Vec<Row>,
    pub summary: LoadSummary,
}

impl Side {
    pub fn record(&self, row: &Row) -> &RawRecord {
        &self.table.records[row.index]
    }

    pub fn cell<'a>(&'a self, row: &Row, column: usize) -> &'a str {
        self.record(row).fields.get(column).unwrap_or("")
    }

    pub fn header(&self, column: usize) -> &str {
        self.table.headers.get(column).map_or("", String::as_str)
    }
}

fn find_column(spec: &HeaderSpec, headers: &[String], which: Which, role: &str) -> Result<usize> {
    let accepted = spec.headers();
    let found = accepted.iter().find_map(|name| {
        headers.iter().position(|h| h == name).or_else(|| {
            let k = header_key(name);
            headers.iter().position(|h| header_is(h, &k))
        })
    });
    found.ok_or_else(|| {
        let closest = accepted.first().and_then(|a| closest_header(a, headers)).unwrap_or("none");
        Error::mapping(format!(
            "{} file: the {role} column is missing (rules accept {}); headers found: {}; closest: '{closest}'. \
             Name the header in the rules or rename it with --mapping",
            which.name(),
            quoted_list(&accepted),
            quoted_list(&headers.iter().map(String::as_str).collect::<Vec<_>>())
        ))
    })
}

fn side_columns(rules: &Rules, headers: &[String], which: Which) -> Result<SideColumns> {
    let find = |spec: &HeaderSpec, role: &str| find_column(spec, headers, which, role);
    let mut columns = SideColumns::default();
    if let Some(id) = &rules.id {
        columns.id = Some(find(which.pick(&id.left, &id.right), "id")?);
    }
    for key in &rules.keys {
        columns.keys.push(find(which.pick(&key.left, &key.right), "key")?);
    }
    if let Some(date) = &rules.date {
        columns.date = Some(find(which.pick(&date.left, &date.right), "date")?);
    }
    if let Some(amount) = &rules.amount {
        match (which, &amount.left) {
            (Which::Left, AmountSource::Column(spec)) => columns.amount.push(find(spec, "amount")?),
            (Which::Left, AmountSource::Product { product }) => {
                for spec in product {
                    columns.amount.push(find(spec, "amount factor")?);
                }
            }
            (Which::Right, _) => columns.amount.push(find(&amount.right, "amount")?),
        }
    }
    for fuzzy in &rules.fuzzy {
        columns.names.push(find(which.pick(&fuzzy.left, &fuzzy.right), "fuzzy")?);
    }
    for comparison in &rules.compare {
        columns.compare.push(find(which.pick(&comparison.left, &comparison.right), "compared")?);
    }
    Ok(columns)
}

/// A key cell as compared: trimmed, case-folded, inner spaces collapsed;
/// digits only (leading zeros dropped) for ids and phone numbers.
pub(crate) fn normalize_key(raw: &str, digits_only: bool) -> String {
    if digits_only {
        let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
        let trimmed = digits.trim_start_matches('0');
        return if trimmed.is_empty() && !digits.is_empty() { "0".into() } else { trimmed.into() };
    }
    raw.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

/// A factor of a computed amount: digits with an optional '$', thousands
/// separators and any number of decimals (a PEPM rate may have more than 2).
fn parse_factor(raw: &str) -> std::result::Result<Decimal, String> {
    let plain: String = raw.trim().trim_start_matches('$').chars().filter(|c| *c != ',').collect();
    Decimal::from_str_exact(plain.trim()).map_err(|_| "is not a number".to_string())
}

struct Reader<'a> {
    rules: &'a Rules,
    columns: &'a SideColumns,
    headers: &'a [String],
    date_format: Option<&'a str>,
    slash_order: SlashOrder,
    /// Each comparison's slash-date order (dates only).
    compare_slash_orders: Vec<SlashOrder>,
}

impl Reader<'_> {
    fn error(&self, rec: &RawRecord, column: usize, reason: impl Into<String>) -> RowError {
        RowError {
            record: rec.record,
            line: rec.line,
            column: self.headers.get(column).cloned().unwrap_or_default(),
            value: rec.fields.get(column).unwrap_or("").to_string(),
            reason: reason.into(),
            key: None,
        }
    }

    fn read(&self, index: usize, rec: &RawRecord, vocabulary: &mut Vocabulary) -> std::result::Result<Row, RowError> {
        let cell = |c: usize| rec.fields.get(c).unwrap_or("");
        let mut key_parts = Vec::with_capacity(self.columns.keys.len());
        let mut blank_key = false;
        for (rule, &c) in self.rules.keys.iter().zip(&self.columns.keys) {
            let k = normalize_key(cell(c), rule.digits_only);
            blank_key |= k.is_empty();
            key_parts.push(k);
        }
        let key = (!blank_key).then(|| key_parts.join("\u{1f}").into_boxed_str());
        let day = match self.columns.date {
            None => None,
            Some(c) => Some(self.read_date(rec, c)?),
        };
        let cents = match self.columns.amount.as_slice() {
            [] => None,
            [c] => Some(money::parse_cents(cell(*c)).map_err(|reason| self.error(rec, *c, reason))?),
            factors => Some(self.read_product(rec, factors)?),
        };
        let names = self.columns.names.iter().map(|&c| name_key(cell(c), vocabulary)).collect();
        let mut row = Row { index, key, day, cents, names, values: Vec::new() };
        for (i, &c) in self.columns.compare.iter().enumerate() {
            let value = self.read_compared(rec, i, c, vocabulary)?;
            // The first compared date and amount name the row in the result.
            match value {
                Value::Date { day: Some(d), .. } if self.columns.date.is_none() => {
                    row.day = row.day.or(Some(d));
                }
                Value::Amount(a) if self.columns.amount.is_empty() => row.cents = row.cents.or(Some(a)),
                _ => {}
            }
            row.values.push(value);
        }
        Ok(row)
    }

    /// A compared cell: blank is null; a date that is not one keeps its text
    /// (typo levels still compare it); an amount that is not one is an error.
    fn read_compared(
        &self,
        rec: &RawRecord,
        i: usize,
        c: usize,
        vocabulary: &mut Vocabulary,
    ) -> std::result::Result<Value, RowError> {
        let raw = rec.fields.get(c).unwrap_or("").trim();
        if raw.is_empty() {
            return Ok(Value::Null);
        }
        let comparison = &self.rules.compare[i];
        Ok(match comparison.kind {
            CompareKind::Text | CompareKind::Exact => Value::Text(vocabulary.id(&normalize_key(raw, false))),
            CompareKind::Name => {
                let key = name_key(raw, vocabulary);
                if key.words.is_empty() {
                    Value::Null
                } else {
                    Value::Name(key)
                }
            }
            CompareKind::Date => {
                let day = match &comparison.format {
                    Some(format) => dates::parse_with_format(raw, format).ok(),
                    None => match dates::parse_auto(raw) {
                        Ok(CellDate::Exact(d)) => Some(d),
                        Ok(CellDate::Slash { first, second, year }) => {
                            dates::resolve_slash(first, second, year, self.compare_slash_orders[i]).ok()
                        }
                        Err(_) => None,
                    },
                };
                Value::Date { day, text: vocabulary.id(raw) }
            }
            CompareKind::Amount => Value::Amount(money::parse_cents(raw).map_err(|reason| self.error(rec, c, reason))?),
        })
    }

    fn read_date(&self, rec: &RawRecord, c: usize) -> std::result::Result<i32, RowError> {
        let raw = rec.fields.get(c).unwrap_or("");
        let parsed = match self.date_format {
            Some(format) => dates::parse_with_format(raw, format),
            None => match dates::parse_auto(raw) {
                Ok(CellDate::Exact(d)) => Ok(d),
                Ok(CellDate::Slash { first, second, year }) => {
                    dates::resolve_slash(first, second, year, self.slash_order)
                }
                Err(e) => Err(e),
            },
        };
        parsed.map_err(|reason| self.error(rec, c, reason))
    }

    fn read_product(&self, rec: &RawRecord, factors: &[usize]) -> std::result::Result<i128, RowError> {
        let mut product = Decimal::ONE;
        for &c in factors {
            let factor = parse_factor(rec.fields.get(c).unwrap_or("")).map_err(|reason| self.error(rec, c, reason))?;
            product = product.checked_mul(factor).ok_or_else(|| self.error(rec, c, "makes the amount too large"))?;
        }
        let cents = money::divide_round(product, Decimal::ONE, 2)
            .ok_or_else(|| self.error(rec, factors[0], "makes the amount too large"))?;
        Ok(cents.mantissa())
    }
}

/// Month or day first for a column's slash dates, from the whole column;
/// `advice` names where the rules could say it (`{side}` is replaced).
fn slash_order_of(table: &TextTable, c: usize, which: Which, advice: &str) -> Result<SlashOrder> {
    let mut evidence = SlashEvidence::default();
    for rec in &table.records {
        if let Ok(CellDate::Slash { first, second, year }) = dates::parse_auto(rec.fields.get(c).unwrap_or("")) {
            evidence.observe(first, second, year);
        }
    }
    evidence.resolve(&table.headers[c]).map_err(|e| {
        let side = which.name();
        let e = e.replace("\"date_format\" in the mapping profile", &advice.replace("{side}", side));
        Error::mapping(format!("{side} file: {e}"))
    })
}

/// Reads one side's text table. Strict mode fails on the first 100 rejected
/// records; lenient mode keeps them in the summary's errors.
pub(crate) fn read_side(
    table: TextTable,
    source: &str,
    rules: &Rules,
    which: Which,
    lenient: bool,
    vocabulary: &mut Vocabulary,
) -> Result<Side> {
    let columns = side_columns(rules, &table.headers, which)?;
    let date_format = rules.date.as_ref().and_then(|d| which.pick(&d.left_format, &d.right_format).as_deref());
    let mut slash_order = SlashOrder::MonthFirst;
    if let (Some(c), None) = (columns.date, date_format) {
        slash_order = slash_order_of(&table, c, which, "\"{side}_format\" in the rules' date")?;
    }
    let mut compare_slash_orders = Vec::with_capacity(columns.compare.len());
    for (comparison, &c) in rules.compare.iter().zip(&columns.compare) {
        compare_slash_orders.push(match (comparison.kind, &comparison.format) {
            (CompareKind::Date, None) => slash_order_of(&table, c, which, "\"format\" in the rules' comparison")?,
            _ => SlashOrder::MonthFirst,
        });
    }
    let reader =
        Reader { rules, columns: &columns, headers: &table.headers, date_format, slash_order, compare_slash_orders };
    let mut rows = Vec::with_capacity(table.records.len());
    let mut errors: Vec<RowError> = table
        .record_errors
        .iter()
        .map(|e| RowError {
            record: e.record,
            line: e.line,
            column: String::new(),
            value: String::new(),
            reason: e.reason.clone(),
            key: None,
        })
        .collect();
    for (index, rec) in table.records.iter().enumerate() {
        if rec.fields.len() != table.headers.len() {
            errors.push(RowError {
                record: rec.record,
                line: rec.line,
                column: String::new(),
                value: String::new(),
                reason: format!("has {} fields; the header has {}", rec.fields.len(), table.headers.len()),
                key: None,
            });
            continue;
        }
        match reader.read(index, rec, vocabulary) {
            Ok(row) => rows.push(row),
            Err(e) => errors.push(e),
        }
    }
    errors.sort_by_key(|e| e.record);
    let read = (table.records.len() + table.record_errors.len()) as u64;
    let mut summary = LoadSummary {
        table: which.name().to_string(),
        source: source.to_string(),
        sha256: table.sha256.clone(),
        records_read: read,
        records_accepted: rows.len() as u64,
        records_rejected: errors.len() as u64,
        records_moved: 0,
        encoding: table.encoding.clone(),
        delimiter: table.delimiter.clone(),
        errors,
        warnings: table.empty_rows.iter().map(|line| format!("line {line} is empty and was skipped")).collect(),
    };
    if !lenient && !summary.errors.is_empty() {
        summary.errors.truncate(100);
        return Err(Error::Input {
            source_name: source.to_string(),
            errors: summary.errors.clone(),
            summary: Some(Box::new(summary)),
        });
    }
    Ok(Side { table, columns, rows, summary })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::read_csv;

    fn side(csv: &str, rules: &str, which: Which, lenient: bool) -> Result<Side> {
        side_with(csv, rules, which, lenient, &mut Vocabulary::default())
    }

    fn side_with(csv: &str, rules: &str, which: Which, lenient: bool, v: &mut Vocabulary) -> Result<Side> {
        let table = read_csv(csv.as_bytes(), None, None, "t.csv")?;
        read_side(table, "t.csv", &Rules::from_json(rules)?, which, lenient, v)
    }

    #[test]
    fn keys_normalise_and_digits_only_drops_leading_zeros() {
        assert_eq!(normalize_key("  Acme   Corp ", false), "acme corp");
        assert_eq!(normalize_key("(555) 012-3456", true), "5550123456");
        assert_eq!(normalize_key("000123", true), "123");
        assert_eq!(normalize_key("000", true), "0");
        assert_eq!(normalize_key("n/a", true), "");
    }

    #[test]
    fn product_amounts_round_half_away_to_the_cent() {
        let rules = r#"{"amount": {"left": {"product": ["rate", "employees"]}, "right": "amount"}}"#;
        let s = side("rate,employees\n42.125,3\n$1.005,1\n", rules, Which::Left, false).unwrap();
        // 42.125 x 3 = 126.375 -> 126.38; 1.005 -> 1.01 (half away from zero).
        assert_eq!(s.rows.iter().map(|r| r.cents).collect::<Vec<_>>(), vec![Some(12638), Some(101)]);
    }

    #[test]
    fn bad_cells_are_rejected_with_record_column_value_and_reason() {
        let rules = r#"{"date": {"left": "date", "right": "date"}, "amount": {"left": "amount", "right": "amount"}}"#;
        let csv = "date,amount\n2025-01-02,10.00\n2025-13-01,5.00\n2025-01-03,abc\n2025-01-04\n";
        let e = side(csv, rules, Which::Left, false).err().unwrap().to_string();
        assert!(e.contains("3 of 4 records rejected"), "{e}");
        assert!(e.contains("record 2 (line 3), column date: '2025-13-01'"), "{e}");
        assert!(e.contains("record 3 (line 4), column amount: 'abc'"), "{e}");
        assert!(e.contains("record 4 (line 5)") && e.contains("has 1 fields; the header has 2"), "{e}");
        let s = side(csv, rules, Which::Left, true).unwrap();
        assert_eq!((s.summary.records_read, s.summary.records_accepted, s.summary.records_rejected), (4, 1, 3));
    }

    #[test]
    fn a_missing_column_names_the_side_the_headers_and_the_closest() {
        let rules = r#"{"amount": {"left": ["amount", "total"], "right": "amount"}}"#;
        let e = side("Date,Amout\n", rules, Which::Left, false).err().unwrap().to_string();
        assert!(e.contains("left file: the amount column is missing (rules accept 'amount', 'total')"), "{e}");
        assert!(e.contains("closest: 'Amout'"), "{e}");
    }

    #[test]
    fn headers_match_like_the_loaders_and_names_become_keys() {
        let rules = r#"{"fuzzy": [{"left": "customer_name", "right": "member_name"}], "keys": [{"left": "store", "right": "store"}]}"#;
        let mut v = Vocabulary::default();
        let s =
            side_with("Member Name,STORE\n\"SMITH, JON\",  North  Side\n", rules, Which::Right, false, &mut v).unwrap();
        assert_eq!(v.text(&s.rows[0].names[0].words), "jon smith");
        assert_eq!(s.rows[0].key.as_deref(), Some("north side"));
    }
}
