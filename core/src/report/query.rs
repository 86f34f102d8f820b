//! Running the report's SQL and reading typed values out of the result.
//! Money comes back as Decimal128 sums and is read exactly into Decimal.

use datafusion::arrow::array::{Array, ArrayRef, AsArray, Decimal128Array, Int32Array, Int64Array, StringArray};
use datafusion::arrow::datatypes::{DataType, Int32Type};
use datafusion::arrow::record_batch::RecordBatch;
use rust_decimal::Decimal;

use crate::dataset::{Dataset, CLIENT_PARTITION, MONTH_PARTITION};
use crate::model::error::{Error, Result};
use crate::model::period::{month_index, month_label, month_of, year_of, MonthIndex};
use crate::model::table::MONEY_SCALE;

/// Rows of a query result, read by column position.
pub(crate) struct Rows {
    batches: Vec<RecordBatch>,
}

pub(crate) fn run(ds: &Dataset, sql: &str) -> Result<Rows> {
    let ctx = ds.context().clone();
    let sql = sql.to_string();
    let batches = ds.run_query(async move { ctx.sql(&sql).await?.collect().await })?;
    Ok(Rows { batches })
}

/// The count a one-row query returns in its first column (0 without rows).
pub(crate) fn count(ds: &Dataset, sql: &str) -> Result<i64> {
    let mut n = 0;
    run(ds, sql)?.each(|r| {
        n = r.count(0)?;
        Ok(())
    })?;
    Ok(n)
}

/// The YYYYMM month key of date expression `x` in DataFusion's own functions
/// (what `month_key(x)` computes): a cluster's executors know no function
/// this crate registers.
pub(crate) fn month_key_sql(x: &str) -> String {
    format!("CAST(date_part('year', {x}) * 100 + date_part('month', {x}) AS INT)")
}

/// The claims rows of `client`, as a SQL filter. Where the claims table has
/// an export's partition columns, on them too, so the planner lists only
/// the client's folders (the files hold client_id as well: the same rows).
pub(crate) fn claims_of_client(ds: &Dataset, client: &str) -> String {
    let mut filter = format!("client_id = {}", lit(client));
    // An empty client_id has hive's default folder name, not its value.
    if ds.claims_partitioned() && !client.is_empty() {
        filter.push_str(&format!(" AND {CLIENT_PARTITION} = {}", lit(client)));
    }
    filter
}

/// The rows whose date column `d` falls in months `first..=last`.
pub(crate) fn dates_in_months(d: &str, first: MonthIndex, last: MonthIndex) -> String {
    format!("{d} >= {} AND {d} < {}", first_day_literal(first), first_day_literal(last + 1))
}

/// The claims rows of `client` whose `date_column` falls in months
/// `first..=last`; by incurred date also on the month folders.
pub(crate) fn claims_in_months(
    ds: &Dataset,
    client: &str,
    date_column: &str,
    first: MonthIndex,
    last: MonthIndex,
) -> String {
    let mut filter = format!("{} AND {}", claims_of_client(ds, client), dates_in_months(date_column, first, last));
    if ds.claims_partitioned() && date_column == "claim_date" {
        let (from, to) = (lit(&month_label(first)), lit(&month_label(last)));
        filter.push_str(&format!(" AND {MONTH_PARTITION} >= {from} AND {MONTH_PARTITION} <= {to}"));
    }
    filter
}

/// An exact decimal literal (a bare `1.5` is a float to DataFusion's parser).
pub(crate) fn decimal_literal(value: Decimal) -> String {
    format!("CAST({} AS DECIMAL(38, {}))", lit(&value.to_string()), value.scale())
}

/// A SQL string literal.
pub(crate) fn lit(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// String literals separated by commas, for `x IN (...)`.
pub(crate) fn lit_list<'a>(values: impl IntoIterator<Item = &'a str>) -> String {
    values.into_iter().map(lit).collect::<Vec<_>>().join(", ")
}

/// An ISO date literal for the first day of a month.
pub(crate) fn first_day_literal(m: MonthIndex) -> String {
    format!("DATE '{:04}-{:02}-01'", year_of(m), month_of(m))
}

impl Rows {
    /// Visits every row as (batch, row index).
    pub fn each(&self, mut f: impl FnMut(&Row) -> Result<()>) -> Result<()> {
        for batch in &self.batches {
            for i in 0..batch.num_rows() {
                f(&Row { batch, i })?;
            }
        }
        Ok(())
    }
}

pub(crate) struct Row<'a> {
    batch: &'a RecordBatch,
    i: usize,
}

fn wrong_type(col: &ArrayRef) -> Error {
    Error::engine(format!("unexpected result type {}", col.data_type()))
}

impl Row<'_> {
    fn col(&self, c: usize) -> Result<&ArrayRef> {
        self.batch.columns().get(c).ok_or_else(|| Error::engine(format!("result has no column {c}")))
    }

    /// An exact decimal (Decimal128 of any precision), None for null.
    pub fn dec(&self, c: usize) -> Result<Option<Decimal>> {
        let col = self.col(c)?;
        if col.is_null(self.i) {
            return Ok(None);
        }
        match col.data_type() {
            DataType::Decimal128(_, scale) => {
                let a = col.as_any().downcast_ref::<Decimal128Array>().ok_or_else(|| wrong_type(col))?;
                let scale = u32::try_from(*scale).map_err(|_| wrong_type(col))?;
                Decimal::try_from_i128_with_scale(a.value(self.i), scale)
                    .map(Some)
                    .map_err(|_| Error::engine("a sum is too large for an exact decimal"))
            }
            _ => Err(wrong_type(col)),
        }
    }

    /// A decimal sum where null (no rows) means zero.
    pub fn money(&self, c: usize) -> Result<Decimal> {
        let mut d = self.dec(c)?.unwrap_or_default();
        d.rescale(2);
        Ok(d)
    }

    /// A money sum (Decimal128 at the money scale, any precision) in cents;
    /// null (no rows) is zero.
    pub fn cents(&self, c: usize) -> Result<i128> {
        let col = self.col(c)?;
        if col.is_null(self.i) {
            return Ok(0);
        }
        match col.data_type() {
            DataType::Decimal128(_, MONEY_SCALE) => {
                let a = col.as_any().downcast_ref::<Decimal128Array>().ok_or_else(|| wrong_type(col))?;
                Ok(a.value(self.i))
            }
            _ => Err(wrong_type(col)),
        }
    }

    pub fn int(&self, c: usize) -> Result<Option<i64>> {
        let col = self.col(c)?;
        if col.is_null(self.i) {
            return Ok(None);
        }
        if let Some(a) = col.as_any().downcast_ref::<Int64Array>() {
            return Ok(Some(a.value(self.i)));
        }
        if let Some(a) = col.as_any().downcast_ref::<Int32Array>() {
            return Ok(Some(a.value(self.i) as i64));
        }
        Err(wrong_type(col))
    }

    pub fn count(&self, c: usize) -> Result<i64> {
        Ok(self.int(c)?.unwrap_or(0))
    }

    /// A YYYYMM key column as a month index.
    pub fn month(&self, c: usize) -> Result<MonthIndex> {
        let key = self.int(c)?.ok_or_else(|| Error::engine("a month key is null"))?;
        Ok(month_index((key / 100) as i32, (key % 100) as u32))
    }

    pub fn text(&self, c: usize) -> Result<Option<String>> {
        let col = self.col(c)?;
        if col.is_null(self.i) {
            return Ok(None);
        }
        if let Some(a) = col.as_any().downcast_ref::<StringArray>() {
            return Ok(Some(a.value(self.i).to_string()));
        }
        // Claims text is stored as dictionaries.
        if let Some(d) = col.as_dictionary_opt::<Int32Type>() {
            if let Some(values) = d.values().as_string_opt::<i32>() {
                let key = d.keys().value(self.i) as usize;
                return if key < values.len() { Ok(Some(values.value(key).to_string())) } else { Err(wrong_type(col)) };
            }
        }
        // String views and large strings: read through a cast of this one cell.
        let cell = arrow::compute::cast(&col.slice(self.i, 1), &DataType::Utf8)?;
        let a = cell.as_any().downcast_ref::<StringArray>().ok_or_else(|| wrong_type(col))?;
        Ok(Some(a.value(0).to_string()))
    }
}
