//! The report's tables as Arrow record batches: money as Decimal128(18, 2),
//! per-member figures as Decimal128(18, 2), ratios as Decimal128(18, 4),
//! development factors as Decimal128(18, 10), Mack statistics (18, 6),
//! counts as Int64. Built from the typed report, so the digits are the JSON's.

use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, Decimal128Array, Int64Array, StringArray};
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::arrow::record_batch::RecordBatch;

use super::document::{BreakdownFigures, Num, Report};
use crate::model::error::Result;

const MONEY: i8 = 2;
const RATIO: i8 = 4;

/// One named column of a report table.
enum Column {
    Text(&'static str, Vec<Option<String>>),
    Decimal(&'static str, i8, Vec<Option<Num>>),
    Count(&'static str, Vec<Option<i64>>),
}

fn units(n: &Num, scale: i8) -> i128 {
    let mut d = n.0;
    d.rescale(scale as u32);
    d.mantissa()
}

fn batch(columns: Vec<Column>) -> Result<RecordBatch> {
    let mut fields = Vec::new();
    let mut arrays: Vec<ArrayRef> = Vec::new();
    for c in columns {
        match c {
            Column::Text(name, v) => {
                fields.push(Field::new(name, DataType::Utf8, true));
                arrays.push(Arc::new(StringArray::from(v)));
            }
            Column::Decimal(name, scale, v) => {
                fields.push(Field::new(name, DataType::Decimal128(18, scale), true));
                let values: Decimal128Array = v.iter().map(|n| n.as_ref().map(|n| units(n, scale))).collect();
                arrays.push(Arc::new(values.with_precision_and_scale(18, scale)?));
            }
            Column::Count(name, v) => {
                fields.push(Field::new(name, DataType::Int64, true));
                arrays.push(Arc::new(Int64Array::from(v)));
            }
        }
    }
    Ok(RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays)?)
}

fn breakdown_columns(f: Vec<&BreakdownFigures>) -> Vec<Column> {
    vec![
        Column::Decimal("medical", MONEY, f.iter().map(|r| r.medical).collect()),
        Column::Decimal("pharmacy", MONEY, f.iter().map(|r| r.pharmacy).collect()),
        Column::Decimal("total", MONEY, f.iter().map(|r| r.total).collect()),
        Column::Decimal("share_of_gross", RATIO, f.iter().map(|r| r.share_of_gross).collect()),
        Column::Decimal("pmpm", MONEY, f.iter().map(|r| r.pmpm).collect()),
        Column::Count("claimant_count", f.iter().map(|r| r.claimant_count).collect()),
        Column::Count("claim_count", f.iter().map(|r| r.claim_count).collect()),
    ]
}

fn some<T: Clone>(v: &T) -> Option<T> {
    Some(v.clone())
}

/// The report's tables, by name, for `Report::table` (the `completion_*`
/// tables need a report asked for completion).
pub const TABLE_NAMES: [&str; 9] = [
    "monthly",
    "service_categories",
    "diagnosis_groups",
    "top_diagnoses",
    "high_cost_claimants",
    "concentration",
    "completion_triangle",
    "completion_factors",
    "completion_months",
];

const FACTOR: i8 = crate::rules::chain_ladder::FACTOR_DP as i8;
const STATISTIC: i8 = 6;

impl Report {
    /// One of the report's tables (`TABLE_NAMES`) as a record batch.
    pub fn table(&self, name: &str) -> Result<RecordBatch> {
        match name {
            "monthly" => self.monthly_batch(),
            "service_categories" => self.service_categories_batch(),
            "diagnosis_groups" => self.diagnosis_groups_batch(),
            "top_diagnoses" => self.top_diagnoses_batch(),
            "high_cost_claimants" => self.high_cost_claimants_batch(),
            "concentration" => self.concentration_batch(),
            "completion_triangle" => self.completion_triangle_batch(),
            "completion_factors" => self.completion_factors_batch(),
            "completion_months" => self.completion_months_batch(),
            other => Err(crate::Error::Argument {
                message: format!("the report has no table '{other}'; tables: {}", TABLE_NAMES.join(", ")),
            }),
        }
    }

    /// `monthly` as a record batch.
    pub fn monthly_batch(&self) -> Result<RecordBatch> {
        let m = &self.monthly;
        let money = |name, f: fn(&super::document::MonthlyFigures) -> Option<Num>| {
            Column::Decimal(name, MONEY, m.iter().map(|r| f(&r.figures)).collect())
        };
        let count = |name, f: fn(&super::document::MonthlyFigures) -> Option<i64>| {
            Column::Count(name, m.iter().map(|r| f(&r.figures)).collect())
        };
        batch(vec![
            Column::Text("month", m.iter().map(|r| some(&r.month)).collect()),
            money("medical_claims", |f| some(&f.medical_claims)),
            money("pharmacy_claims", |f| some(&f.pharmacy_claims)),
            money("gross_claims", |f| some(&f.gross_claims)),
            money("rebates", |f| some(&f.rebates)),
            money("stop_loss_reimbursements", |f| some(&f.stop_loss_reimbursements)),
            money("net_claims", |f| some(&f.net_claims)),
            money("admin_fees", |f| some(&f.admin_fees)),
            money("total_cost", |f| some(&f.total_cost)),
            money("budget_medical", |f| f.budget_medical),
            money("budget_pharmacy", |f| f.budget_pharmacy),
            money("budget_admin", |f| f.budget_admin),
            money("total_budget", |f| f.total_budget),
            money("variance", |f| f.variance),
            count("member_months", |f| f.member_months),
            count("employee_months", |f| f.employee_months),
            count("claim_count", |f| Some(f.claim_count)),
            count("claimant_count", |f| Some(f.claimant_count)),
        ])
    }

    /// `service_categories` as a record batch.
    pub fn service_categories_batch(&self) -> Result<RecordBatch> {
        let s = &self.service_categories;
        let mut columns = vec![Column::Text("name", s.iter().map(|r| some(&r.name)).collect())];
        columns.extend(breakdown_columns(s.iter().map(|r| &r.figures).collect()));
        batch(columns)
    }

    /// `diagnosis_groups` as a record batch.
    pub fn diagnosis_groups_batch(&self) -> Result<RecordBatch> {
        let s = &self.diagnosis_groups;
        let mut columns = vec![
            Column::Text("chapter", s.iter().map(|r| some(&r.chapter)).collect()),
            Column::Text("name", s.iter().map(|r| some(&r.name)).collect()),
        ];
        columns.extend(breakdown_columns(s.iter().map(|r| &r.figures).collect()));
        batch(columns)
    }

    /// `top_diagnoses` as a record batch.
    pub fn top_diagnoses_batch(&self) -> Result<RecordBatch> {
        let s = &self.top_diagnoses;
        batch(vec![
            Column::Text("icd_code", s.iter().map(|r| some(&r.icd_code)).collect()),
            Column::Text("layman_term", s.iter().map(|r| r.layman_term.clone()).collect()),
            Column::Decimal("total", MONEY, s.iter().map(|r| some(&r.total)).collect()),
            Column::Count("claimant_count", s.iter().map(|r| Some(r.claimant_count)).collect()),
        ])
    }

    /// `high_cost_claimants.claimants` as a record batch.
    pub fn high_cost_claimants_batch(&self) -> Result<RecordBatch> {
        let s = &self.high_cost_claimants.claimants;
        batch(vec![
            Column::Text("claimant_id", s.iter().map(|r| some(&r.claimant_id)).collect()),
            Column::Decimal("medical", MONEY, s.iter().map(|r| some(&r.medical)).collect()),
            Column::Decimal("pharmacy", MONEY, s.iter().map(|r| some(&r.pharmacy)).collect()),
            Column::Decimal("total", MONEY, s.iter().map(|r| some(&r.total)).collect()),
            Column::Count("claim_count", s.iter().map(|r| Some(r.claim_count)).collect()),
            Column::Text("primary_icd", s.iter().map(|r| r.primary_icd.clone()).collect()),
            Column::Text("chapter", s.iter().map(|r| some(&r.chapter)).collect()),
            Column::Text("layman_term", s.iter().map(|r| r.layman_term.clone()).collect()),
            Column::Decimal("stop_loss_reimbursed", MONEY, s.iter().map(|r| some(&r.stop_loss_reimbursed)).collect()),
            Column::Decimal("excess_over_specific", MONEY, s.iter().map(|r| r.excess_over_specific).collect()),
        ])
    }

    /// `concentration` as a record batch.
    pub fn concentration_batch(&self) -> Result<RecordBatch> {
        let s = &self.concentration;
        batch(vec![
            Column::Count("top_pct", s.iter().map(|r| Some(i64::from(r.top_pct))).collect()),
            Column::Count("claimants", s.iter().map(|r| Some(r.claimants)).collect()),
            Column::Decimal("share", RATIO, s.iter().map(|r| r.share).collect()),
        ])
    }

    fn completion_section(&self) -> Result<&super::document::CompletionSection> {
        self.completion.as_ref().ok_or_else(|| crate::Error::Argument {
            message: "the report has no completion section; ask for it with the completion option".into(),
        })
    }

    /// The lag triangle in long form: one row per incurred month and age,
    /// incremental and cumulative medical, pharmacy and total paid.
    pub fn completion_triangle_batch(&self) -> Result<RecordBatch> {
        let c = self.completion_section()?;
        let t = &c.triangle;
        let mut incurred = Vec::new();
        let mut age = Vec::new();
        let mut values: [Vec<Option<Num>>; 6] = Default::default();
        for (row, month) in t.incurred.iter().enumerate() {
            for a in 0..t.incremental.total[row].len() {
                incurred.push(Some(month.clone()));
                age.push(Some(a as i64));
                for (out, source) in values.iter_mut().zip([
                    &t.incremental.medical,
                    &t.incremental.pharmacy,
                    &t.incremental.total,
                    &t.cumulative.medical,
                    &t.cumulative.pharmacy,
                    &t.cumulative.total,
                ]) {
                    out.push(Some(source[row][a]));
                }
            }
        }
        let [medical, pharmacy, total, cumulative_medical, cumulative_pharmacy, cumulative_total] = values;
        batch(vec![
            Column::Text("incurred", incurred),
            Column::Count("age", age),
            Column::Decimal("medical", MONEY, medical),
            Column::Decimal("pharmacy", MONEY, pharmacy),
            Column::Decimal("total", MONEY, total),
            Column::Decimal("cumulative_medical", MONEY, cumulative_medical),
            Column::Decimal("cumulative_pharmacy", MONEY, cumulative_pharmacy),
            Column::Decimal("cumulative_total", MONEY, cumulative_total),
        ])
    }

    /// The age-to-age factors with their Mack statistics.
    pub fn completion_factors_batch(&self) -> Result<RecordBatch> {
        let f = &self.completion_section()?.factors;
        batch(vec![
            Column::Count("age", f.iter().map(|r| Some(r.age as i64)).collect()),
            Column::Decimal("factor", FACTOR, f.iter().map(|r| Some(r.factor)).collect()),
            Column::Count("months_used", f.iter().map(|r| Some(r.months_used as i64)).collect()),
            Column::Decimal("to_ultimate", FACTOR, f.iter().map(|r| Some(r.to_ultimate)).collect()),
            Column::Decimal("completion_factor", FACTOR, f.iter().map(|r| r.completion_factor).collect()),
            Column::Decimal("sigma", STATISTIC, f.iter().map(|r| Some(r.sigma)).collect()),
            Column::Decimal("std_err", STATISTIC, f.iter().map(|r| Some(r.std_err)).collect()),
        ])
    }

    /// Each incurred month completed.
    pub fn completion_months_batch(&self) -> Result<RecordBatch> {
        let m = &self.completion_section()?.months;
        batch(vec![
            Column::Text("month", m.iter().map(|r| some(&r.month)).collect()),
            Column::Count("age", m.iter().map(|r| Some(r.age as i64)).collect()),
            Column::Decimal("paid", MONEY, m.iter().map(|r| some(&r.paid)).collect()),
            Column::Decimal("completion_factor", FACTOR, m.iter().map(|r| r.completion_factor).collect()),
            Column::Decimal("chain_ladder", MONEY, m.iter().map(|r| some(&r.chain_ladder)).collect()),
            Column::Decimal("projection", MONEY, m.iter().map(|r| r.projection).collect()),
            Column::Text("method", m.iter().map(|r| some(&r.method)).collect()),
            Column::Decimal("completed", MONEY, m.iter().map(|r| some(&r.completed)).collect()),
            Column::Decimal("ibnr", MONEY, m.iter().map(|r| some(&r.ibnr)).collect()),
            Column::Count("member_months", m.iter().map(|r| r.member_months).collect()),
            Column::Decimal("completed_pmpm", MONEY, m.iter().map(|r| r.completed_pmpm).collect()),
            Column::Decimal("std_err", MONEY, m.iter().map(|r| some(&r.std_err)).collect()),
        ])
    }
}
