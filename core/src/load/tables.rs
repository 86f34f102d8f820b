//! Rows of the five small tables: budgets (amounts or PEPM rates),
//! enrollments, admin fees, rebates and stop-loss reimbursements.

use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, Date32Array, Int32Array, Int64Array, StringArray};
use datafusion::arrow::record_batch::RecordBatch;

use super::claims::money_array;
use super::columns::{CellResult, Columns};
use super::{kept, RowContext, TableRows};
use crate::model::dates::CellDate;
use crate::model::error::Result;
use crate::model::money::cents_to_decimal;
use crate::model::table::Table;
use crate::source::Record;

const YEARS: std::ops::RangeInclusive<i64> = 1900..=2999;
const YEAR_WHAT: &str = "a 4-digit year";
const MONTH_WHAT: &str = "a month 1..12";
const COUNT_WHAT: &str = "a whole number >= 0";

fn year_month(cols: &Columns, rec: &Record) -> CellResult<(i32, i32)> {
    let year = cols.integer(rec, "year", YEARS, YEAR_WHAT)? as i32;
    let raw = cols.raw(rec, "year").unwrap_or("");
    if raw.trim().len() != 4 {
        return Err(Columns::cell_error("year", raw, format!("is not {YEAR_WHAT}")));
    }
    let month = cols.integer(rec, "month", 1..=12, MONTH_WHAT)? as i32;
    Ok((year, month))
}

fn require_all(cols: &Columns, names: &[&str]) -> Result<()> {
    names.iter().try_for_each(|c| cols.require(c))
}

fn batch(table: Table, columns: Vec<ArrayRef>) -> Result<Vec<(Table, RecordBatch)>> {
    Ok(vec![(table, RecordBatch::try_new(table.schema(), columns)?)])
}

/// Claims a (client, year, month) key, or says where it was first seen.
fn claim_key(
    map: &mut std::collections::HashMap<(String, i32, i32), String>,
    key: (String, i32, i32),
    here: String,
    what: &str,
) -> CellResult<()> {
    if let Some(first) = map.get(&key) {
        return Err(Columns::cell_error(
            "month",
            &key.2.to_string(),
            format!("duplicates the {what} of client {} for {}-{:02} (first at {first})", key.0, key.1, key.2),
        ));
    }
    map.insert(key, here);
    Ok(())
}

/// The two budget shapes: amounts per month, or PEPM rates per month that
/// the report multiplies by that month's employee count.
pub(crate) trait BudgetShape: Send {
    /// client_id, year, month, medical, pharmacy, admin, then the optional total.
    const COLUMNS: &'static [&'static str];
    const TABLE: Table;
}

pub(crate) struct Amounts;
pub(crate) struct PepmRates;

impl BudgetShape for Amounts {
    const COLUMNS: &'static [&'static str] =
        &["client_id", "year", "month", "budget_medical", "budget_pharmacy", "budget_admin", "total_budget"];
    const TABLE: Table = Table::Budgets;
}

impl BudgetShape for PepmRates {
    const COLUMNS: &'static [&'static str] = &[
        "client_id",
        "year",
        "month",
        "budget_medical_pepm",
        "budget_pharmacy_pepm",
        "budget_admin_pepm",
        "budget_pepm",
    ];
    const TABLE: Table = Table::BudgetRates;
}

pub(crate) struct BudgetRows<S> {
    client_id: Vec<String>,
    year: Vec<i32>,
    month: Vec<i32>,
    medical: Vec<i128>,
    pharmacy: Vec<i128>,
    admin: Vec<i128>,
    total: Vec<i128>,
    shape: std::marker::PhantomData<S>,
}

impl<S> Default for BudgetRows<S> {
    fn default() -> Self {
        BudgetRows {
            client_id: Vec::new(),
            year: Vec::new(),
            month: Vec::new(),
            medical: Vec::new(),
            pharmacy: Vec::new(),
            admin: Vec::new(),
            total: Vec::new(),
            shape: std::marker::PhantomData,
        }
    }
}

impl<S: BudgetShape> TableRows for BudgetRows<S> {
    const WANTED: &'static [&'static str] = S::COLUMNS;
    const SHARES_KEYS: bool = true;

    fn check_columns(cols: &Columns) -> Result<()> {
        require_all(cols, &S::COLUMNS[..6])
    }

    fn push(&mut self, cols: &Columns, rec: &Record, ctx: &mut RowContext) -> CellResult<()> {
        let c = S::COLUMNS;
        let client = cols.text_required(rec, "client_id")?;
        let (year, month) = year_month(cols, rec)?;
        let medical = cols.money_required(rec, c[3])?;
        let pharmacy = cols.money_required(rec, c[4])?;
        let admin = cols.money_required(rec, c[5])?;
        let sum = medical + pharmacy + admin;
        if !crate::model::money::fits_money(sum) {
            return Err(Columns::cell_error(
                c[6],
                &cents_to_decimal(sum).to_string(),
                format!(
                    "({} + {} + {}) is too large for a money column (at most 16 digits before the decimal point)",
                    c[3], c[4], c[5]
                ),
            ));
        }
        if let Some(total) = cols.money_optional(rec, c[6])? {
            if total != sum {
                return Err(Columns::cell_error(
                    c[6],
                    cols.raw(rec, c[6]).unwrap_or(""),
                    format!("differs from {} + {} + {} = {}", c[3], c[4], c[5], cents_to_decimal(sum)),
                ));
            }
        }
        let here = format!("{} record {}", ctx.source, rec.record);
        claim_key(&mut ctx.keys.budget_months, (client.clone(), year, month), here, "budget month")?;
        self.client_id.push(client);
        self.year.push(year);
        self.month.push(month);
        self.medical.push(medical);
        self.pharmacy.push(pharmacy);
        self.admin.push(admin);
        self.total.push(sum);
        Ok(())
    }

    fn date_columns(&self) -> Vec<(&'static str, &[CellDate])> {
        Vec::new()
    }

    fn finish(self, _days: Vec<Vec<i32>>, keep: &[bool]) -> Result<(Vec<(Table, RecordBatch)>, u64)> {
        let out = batch(
            S::TABLE,
            vec![
                Arc::new(StringArray::from(kept(self.client_id, keep))),
                Arc::new(Int32Array::from(kept(self.year, keep))),
                Arc::new(Int32Array::from(kept(self.month, keep))),
                money_array(kept(self.medical, keep))?,
                money_array(kept(self.pharmacy, keep))?,
                money_array(kept(self.admin, keep))?,
                money_array(kept(self.total, keep))?,
            ],
        )?;
        Ok((out, 0))
    }
}

#[derive(Default)]
pub(crate) struct EnrollmentRows {
    client_id: Vec<String>,
    year: Vec<i32>,
    month: Vec<i32>,
    members: Vec<i64>,
    employees: Vec<i64>,
}

impl TableRows for EnrollmentRows {
    const WANTED: &'static [&'static str] = &["client_id", "year", "month", "member_count", "employee_count"];
    const SHARES_KEYS: bool = true;

    fn check_columns(cols: &Columns) -> Result<()> {
        require_all(cols, Self::WANTED)
    }

    fn push(&mut self, cols: &Columns, rec: &Record, ctx: &mut RowContext) -> CellResult<()> {
        let client = cols.text_required(rec, "client_id")?;
        let (year, month) = year_month(cols, rec)?;
        let members = cols.integer(rec, "member_count", 0..=i64::MAX, COUNT_WHAT)?;
        let employees = cols.integer(rec, "employee_count", 0..=i64::MAX, COUNT_WHAT)?;
        let here = format!("{} record {}", ctx.source, rec.record);
        claim_key(&mut ctx.keys.enrollment_months, (client.clone(), year, month), here, "enrollment month")?;
        if members < employees {
            ctx.warnings.push(format!(
                "record {} (line {}): member_count {members} is less than employee_count {employees} for client {client} {year}-{month:02}",
                rec.record, rec.line
            ));
        }
        self.client_id.push(client);
        self.year.push(year);
        self.month.push(month);
        self.members.push(members);
        self.employees.push(employees);
        Ok(())
    }

    fn date_columns(&self) -> Vec<(&'static str, &[CellDate])> {
        Vec::new()
    }

    fn finish(self, _days: Vec<Vec<i32>>, keep: &[bool]) -> Result<(Vec<(Table, RecordBatch)>, u64)> {
        let out = batch(
            Table::Enrollments,
            vec![
                Arc::new(StringArray::from(kept(self.client_id, keep))),
                Arc::new(Int32Array::from(kept(self.year, keep))),
                Arc::new(Int32Array::from(kept(self.month, keep))),
                Arc::new(Int64Array::from(kept(self.members, keep))),
                Arc::new(Int64Array::from(kept(self.employees, keep))),
            ],
        )?;
        Ok((out, 0))
    }
}

#[derive(Default)]
pub(crate) struct AdminFeeRows {
    client_id: Vec<String>,
    year: Vec<i32>,
    month: Vec<i32>,
    amount: Vec<i128>,
    fee_type: Vec<Option<String>>,
}

impl TableRows for AdminFeeRows {
    const WANTED: &'static [&'static str] = &["client_id", "year", "month", "amount", "fee_type"];

    fn check_columns(cols: &Columns) -> Result<()> {
        require_all(cols, &["client_id", "year", "month", "amount"])
    }

    fn push(&mut self, cols: &Columns, rec: &Record, _ctx: &mut RowContext) -> CellResult<()> {
        let client = cols.text_required(rec, "client_id")?;
        let (year, month) = year_month(cols, rec)?;
        let amount = cols.money_required(rec, "amount")?;
        self.client_id.push(client);
        self.year.push(year);
        self.month.push(month);
        self.amount.push(amount);
        self.fee_type.push(cols.text(rec, "fee_type"));
        Ok(())
    }

    fn date_columns(&self) -> Vec<(&'static str, &[CellDate])> {
        Vec::new()
    }

    fn finish(self, _days: Vec<Vec<i32>>, keep: &[bool]) -> Result<(Vec<(Table, RecordBatch)>, u64)> {
        let out = batch(
            Table::AdminFees,
            vec![
                Arc::new(StringArray::from(kept(self.client_id, keep))),
                Arc::new(Int32Array::from(kept(self.year, keep))),
                Arc::new(Int32Array::from(kept(self.month, keep))),
                money_array(kept(self.amount, keep))?,
                Arc::new(StringArray::from(kept(self.fee_type, keep))),
            ],
        )?;
        Ok((out, 0))
    }
}

#[derive(Default)]
pub(crate) struct RebateRows {
    client_id: Vec<String>,
    period: Vec<String>,
    amount: Vec<i128>,
    rebate_type: Vec<&'static str>,
}

impl TableRows for RebateRows {
    const WANTED: &'static [&'static str] = &["client_id", "period", "amount", "rebate_type"];

    fn check_columns(cols: &Columns) -> Result<()> {
        require_all(cols, Self::WANTED)
    }

    fn push(&mut self, cols: &Columns, rec: &Record, _ctx: &mut RowContext) -> CellResult<()> {
        let client = cols.text_required(rec, "client_id")?;
        let period = cols.text_required(rec, "period")?;
        crate::rules::rebates::rebate_months(&period)
            .map_err(|reason| Columns::cell_error("period", &period, reason))?;
        let amount = cols.money_required(rec, "amount")?;
        let raw_type = cols.raw(rec, "rebate_type").unwrap_or("");
        let rebate_type = match raw_type.trim().to_ascii_lowercase().as_str() {
            "pharmacy" => "pharmacy",
            "medical" => "medical",
            "admin" => "admin",
            _ => {
                return Err(Columns::cell_error(
                    "rebate_type",
                    raw_type,
                    "is not a rebate type; expected pharmacy, medical or admin",
                ));
            }
        };
        self.client_id.push(client);
        self.period.push(period);
        self.amount.push(amount);
        self.rebate_type.push(rebate_type);
        Ok(())
    }

    fn date_columns(&self) -> Vec<(&'static str, &[CellDate])> {
        Vec::new()
    }

    fn finish(self, _days: Vec<Vec<i32>>, keep: &[bool]) -> Result<(Vec<(Table, RecordBatch)>, u64)> {
        let out = batch(
            Table::Rebates,
            vec![
                Arc::new(StringArray::from(kept(self.client_id, keep))),
                Arc::new(StringArray::from(kept(self.period, keep))),
                money_array(kept(self.amount, keep))?,
                Arc::new(StringArray::from(kept(self.rebate_type, keep))),
            ],
        )?;
        Ok((out, 0))
    }
}

#[derive(Default)]
pub(crate) struct StopLossRows {
    client_id: Vec<String>,
    claim_id: Vec<Option<String>>,
    claimant_id: Vec<Option<String>>,
    amount: Vec<i128>,
    paid_date: Vec<CellDate>,
    carrier: Vec<Option<String>>,
}

impl TableRows for StopLossRows {
    const WANTED: &'static [&'static str] = &["client_id", "claim_id", "claimant_id", "amount", "paid_date", "carrier"];

    fn check_columns(cols: &Columns) -> Result<()> {
        require_all(cols, &["client_id", "amount", "paid_date"])?;
        if !cols.has("claim_id") && !cols.has("claimant_id") {
            cols.require("claimant_id")?;
        }
        Ok(())
    }

    fn push(&mut self, cols: &Columns, rec: &Record, _ctx: &mut RowContext) -> CellResult<()> {
        let client = cols.text_required(rec, "client_id")?;
        let claim_id = cols.text(rec, "claim_id");
        let claimant_id = cols.text(rec, "claimant_id");
        if claim_id.is_none() && claimant_id.is_none() {
            return Err(Columns::cell_error(
                "claim_id",
                "",
                "and claimant_id are both blank; at least one links the reimbursement",
            ));
        }
        let amount = cols.money_required(rec, "amount")?;
        let paid_date = cols.date_required(rec, "paid_date")?;
        self.client_id.push(client);
        self.claim_id.push(claim_id);
        self.claimant_id.push(claimant_id);
        self.amount.push(amount);
        self.paid_date.push(paid_date);
        self.carrier.push(cols.text(rec, "carrier"));
        Ok(())
    }

    fn date_columns(&self) -> Vec<(&'static str, &[CellDate])> {
        vec![("paid_date", &self.paid_date)]
    }

    fn finish(self, days: Vec<Vec<i32>>, keep: &[bool]) -> Result<(Vec<(Table, RecordBatch)>, u64)> {
        let paid = days.into_iter().next().unwrap_or_default();
        let out = batch(
            Table::StopLossReimbursements,
            vec![
                Arc::new(StringArray::from(kept(self.client_id, keep))),
                Arc::new(StringArray::from(kept(self.claim_id, keep))),
                Arc::new(StringArray::from(kept(self.claimant_id, keep))),
                money_array(kept(self.amount, keep))?,
                Arc::new(Date32Array::from(kept(paid, keep))),
                Arc::new(StringArray::from(kept(self.carrier, keep))),
            ],
        )?;
        Ok((out, 0))
    }
}
