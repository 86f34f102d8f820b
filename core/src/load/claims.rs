//! Claims rows: the two amount shapes, the total check, claim_type derived or
//! mapped, ICD codes normalised, admin rows moved to admin_fees.

use std::borrow::Cow;
use std::sync::Arc;

use datafusion::arrow::array::{
    new_null_array, Array, ArrayRef, BooleanArray, Date32Array, Decimal128Array, Int32Array, StringArray,
    StringBuilder, StringDictionaryBuilder,
};
use datafusion::arrow::compute::{cast, filter_record_batch};
use datafusion::arrow::datatypes::{DataType, Int32Type, SchemaRef};
use datafusion::arrow::record_batch::RecordBatch;

use super::columns::{CellResult, Col, Columns};
use super::{RowContext, TableRows};
use crate::load::mapping::AMOUNT_COLUMN;
use crate::model::cell::trim_cell;
use crate::model::dates::{self, CellDate};
use crate::model::error::Result;
use crate::model::table::{retyped, Table, MONEY_PRECISION, MONEY_SCALE};
use crate::source::{Block, Record, TypedKind};

/// A text column of few distinct values, keyed on the loader's worker
/// thread: a dictionary per block (merged once per table by the loader).
type DictionaryBuilder = StringDictionaryBuilder<Int32Type>;

/// Claims rows as Arrow builders (no string per cell), block by block, sized
/// for the block up front: a builder grown by doubling keeps up to half its
/// memory spare, which the allocator may not give back when it is shrunk.
#[derive(Default)]
pub(crate) struct ClaimRows {
    at: Option<ClaimCols>,
    client_id: DictionaryBuilder,
    claim_id: StringBuilder,
    /// Nearly a value a row within a block: kept as text and keyed once
    /// when the load's dictionaries are merged.
    claimant_id: StringBuilder,
    claim_date: Vec<CellDate>,
    paid_date: Vec<CellDate>,
    claim_type: Vec<&'static str>,
    service_type: DictionaryBuilder,
    service_category: DictionaryBuilder,
    icd_code: DictionaryBuilder,
    /// None when the rows only feed a report (no report reads it).
    medical_desc: Option<DictionaryBuilder>,
    layman_term: DictionaryBuilder,
    /// A dictionary ran out of Int32 keys (more than 2^31 values in a block).
    key_overflow: bool,
    medical: Vec<i128>,
    pharmacy: Vec<i128>,
    total: Vec<i128>,
}

/// The claims columns, looked up once per block.
#[derive(Clone, Copy)]
struct ClaimCols {
    client_id: Col,
    claim_id: Col,
    claimant_id: Col,
    claim_date: Col,
    paid_date: Col,
    claim_type: Col,
    service_type: Col,
    service_category: Col,
    icd_code: Col,
    medical_desc: Col,
    layman_term: Col,
    amount: Col,
    medical: Col,
    pharmacy: Col,
    total: Col,
}

impl ClaimCols {
    fn find(cols: &Columns) -> Self {
        ClaimCols {
            client_id: cols.col("client_id"),
            claim_id: cols.col("claim_id"),
            claimant_id: cols.col("claimant_id"),
            claim_date: cols.col("claim_date"),
            paid_date: cols.col("paid_date"),
            claim_type: cols.col("claim_type"),
            service_type: cols.col("service_type"),
            service_category: cols.col("service_category"),
            icd_code: cols.col("icd_code"),
            medical_desc: cols.col("medical_desc"),
            layman_term: cols.col("layman_term"),
            amount: cols.col(AMOUNT_COLUMN),
            medical: cols.col("medical_amount"),
            pharmacy: cols.col("pharmacy_amount"),
            total: cols.col("total_amount"),
        }
    }
}

const ADMIN: &str = "admin";

/// ICD-10-CM as stored: trimmed, dots removed, upper-case; empty -> None.
/// The cell is borrowed when it is already in stored form.
fn normalized_icd(raw: &str) -> Option<Cow<'_, str>> {
    let trimmed = trim_cell(raw);
    if !trimmed.is_empty() && trimmed.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()) {
        return Some(Cow::Borrowed(trimmed));
    }
    let code: String = trimmed.chars().filter(|c| *c != '.').flat_map(char::to_uppercase).collect();
    let code = code.trim();
    (!code.is_empty()).then(|| Cow::Owned(code.to_string()))
}

fn parse_claim_type(cols: &Columns, rec: &Record, column: Col) -> CellResult<Option<&'static str>> {
    let Some(raw) = cols.raw(rec, column) else { return Ok(None) };
    let v = trim_cell(raw);
    if v.is_empty() {
        return Ok(None);
    }
    match v.to_ascii_lowercase().as_str() {
        "medical" => Ok(Some("medical")),
        "pharmacy" => Ok(Some("pharmacy")),
        "admin" => Ok(Some(ADMIN)),
        _ => Err(Columns::cell_error(
            "claim_type",
            raw,
            "is not a claim type; expected medical, pharmacy or admin (map carrier codes such as RX with \"value_maps\")",
        )),
    }
}

impl TableRows for ClaimRows {
    const WANTED: &'static [&'static str] = &[
        "client_id",
        "claim_id",
        "claimant_id",
        "claim_date",
        "paid_date",
        "claim_type",
        "service_type",
        "service_category",
        "icd_code",
        "medical_desc",
        "layman_term",
        AMOUNT_COLUMN,
        "medical_amount",
        "pharmacy_amount",
        "total_amount",
    ];

    const TYPED: &'static [(&'static str, TypedKind)] = &[
        ("claim_date", TypedKind::Date),
        ("paid_date", TypedKind::Date),
        (AMOUNT_COLUMN, TypedKind::Money),
        ("medical_amount", TypedKind::Money),
        ("pharmacy_amount", TypedKind::Money),
        ("total_amount", TypedKind::Money),
    ];

    fn needs_file_hash(cols: &Columns) -> bool {
        !cols.has("claim_id")
    }

    fn check_columns(cols: &Columns) -> Result<()> {
        for c in ["client_id", "claimant_id", "claim_date"] {
            cols.require(c)?;
        }
        let any_amount =
            [AMOUNT_COLUMN, "medical_amount", "pharmacy_amount", "total_amount"].iter().any(|c| cols.has(*c));
        if !any_amount {
            cols.require("total_amount")?;
        }
        if cols.has(AMOUNT_COLUMN) && !cols.has("claim_type") {
            cols.require("claim_type")?;
        }
        Ok(())
    }

    fn for_block(cols: &Columns, block: &Block, ctx: &RowContext) -> Self {
        let at = ClaimCols::find(cols);
        let rows = block.len();
        // The distinct values of a block are unknown: room for a few, grown as needed.
        let text = |_column: Col| DictionaryBuilder::with_capacity(rows, 64, 4096);
        // Generated ids are the file's sha8, '-' and the record number.
        let claim_id_bytes = if cols.has(at.claim_id) { cols.cell_bytes(block, at.claim_id) } else { rows * 16 };
        ClaimRows {
            at: Some(at),
            client_id: text(at.client_id),
            claim_id: StringBuilder::with_capacity(rows, claim_id_bytes),
            claimant_id: StringBuilder::with_capacity(rows, cols.cell_bytes(block, at.claimant_id)),
            claim_date: Vec::with_capacity(rows),
            paid_date: Vec::with_capacity(rows),
            claim_type: Vec::with_capacity(rows),
            service_type: text(at.service_type),
            service_category: text(at.service_category),
            icd_code: text(at.icd_code),
            medical_desc: (!ctx.report_only).then(|| text(at.medical_desc)),
            layman_term: text(at.layman_term),
            medical: Vec::with_capacity(rows),
            pharmacy: Vec::with_capacity(rows),
            total: Vec::with_capacity(rows),
            key_overflow: false,
        }
    }

    fn push(&mut self, cols: &Columns, rec: &Record, ctx: &mut RowContext) -> CellResult<()> {
        let at = *self.at.get_or_insert_with(|| ClaimCols::find(cols));
        let client_id = cols.text_str_required(rec, at.client_id)?;
        let claimant_id = cols.text_str_required(rec, at.claimant_id)?;
        let claim_date = cols.date_required(rec, at.claim_date)?;
        let paid_date = cols.date(rec, at.paid_date)?.unwrap_or(claim_date);
        let given_type = parse_claim_type(cols, rec, at.claim_type)?;

        let (claim_type, medical, pharmacy, total) = if cols.has(at.amount) {
            let amount = cols.money_required(rec, at.amount)?;
            let total_given = cols.money_optional(rec, at.total)?;
            let claim_type = given_type.ok_or_else(|| {
                Columns::cell_error(
                    "claim_type",
                    cols.raw(rec, at.claim_type).unwrap_or(""),
                    "is blank; the one-amount shape needs a claim type",
                )
            })?;
            if let Some(t) = total_given {
                if t != amount {
                    return Err(Columns::cell_error(
                        "total_amount",
                        &cols.shown(rec, at.total),
                        format!("differs from amount {}", crate::model::money::cents_to_decimal(amount)),
                    ));
                }
            }
            match claim_type {
                "pharmacy" => (claim_type, 0, amount, amount),
                "medical" => (claim_type, amount, 0, amount),
                _ => (claim_type, 0, 0, amount),
            }
        } else {
            let medical = cols.money(rec, at.medical)?;
            let pharmacy = cols.money(rec, at.pharmacy)?;
            let total_given = cols.money_optional(rec, at.total)?;
            let (medical, pharmacy) = match (medical, pharmacy, total_given) {
                // Only a total column: it goes where the type says.
                (None, None, Some(t)) => match given_type {
                    Some("pharmacy") => (0, t),
                    Some(ADMIN) => (t, 0),
                    _ => (t, 0),
                },
                (None, None, None) => {
                    return Err(Columns::cell_error("total_amount", "", "is blank; an amount is required"));
                }
                (m, p, _) => (m.unwrap_or(0), p.unwrap_or(0)),
            };
            let sum = medical + pharmacy;
            if !crate::model::money::fits_money(sum) {
                return Err(Columns::cell_error(
                    "total_amount",
                    &crate::model::money::cents_to_decimal(sum).to_string(),
                    "(medical_amount + pharmacy_amount) is too large for a money column \
                     (at most 16 digits before the decimal point)",
                ));
            }
            if let Some(t) = total_given {
                if t != sum {
                    return Err(Columns::cell_error(
                        "total_amount",
                        &cols.shown(rec, at.total),
                        format!(
                            "differs from medical_amount + pharmacy_amount = {}",
                            crate::model::money::cents_to_decimal(sum)
                        ),
                    ));
                }
            }
            let claim_type = given_type.unwrap_or(if pharmacy != 0 && medical == 0 { "pharmacy" } else { "medical" });
            if claim_type == ADMIN {
                (ADMIN, 0, 0, sum)
            } else {
                (claim_type, medical, pharmacy, sum)
            }
        };

        match cols.text_str(rec, at.claim_id) {
            Some(id) => self.claim_id.append_value(id),
            None => self.claim_id.append_value(format!("{}-{}", ctx.sha8, rec.record)),
        }
        let icd_code = cols.raw(rec, at.icd_code).and_then(normalized_icd);
        for (builder, value) in [
            (Some(&mut self.client_id), Some(client_id)),
            (Some(&mut self.service_type), cols.text_str(rec, at.service_type)),
            (Some(&mut self.service_category), cols.text_str(rec, at.service_category)),
            (Some(&mut self.icd_code), icd_code.as_deref()),
            (self.medical_desc.as_mut(), cols.text_str(rec, at.medical_desc)),
            (Some(&mut self.layman_term), cols.text_str(rec, at.layman_term)),
        ] {
            let Some(builder) = builder else { continue };
            match value {
                Some(v) => self.key_overflow |= builder.append(v).is_err(),
                None => builder.append_null(),
            }
        }
        self.claimant_id.append_value(claimant_id);
        self.claim_date.push(claim_date);
        self.paid_date.push(paid_date);
        self.claim_type.push(claim_type);
        self.medical.push(medical);
        self.pharmacy.push(pharmacy);
        self.total.push(total);
        Ok(())
    }

    fn date_columns(&self) -> Vec<(&'static str, &[CellDate])> {
        vec![("claim_date", &self.claim_date), ("paid_date", &self.paid_date)]
    }

    fn finish(mut self, days: Vec<Vec<i32>>, keep: &[bool]) -> Result<(Vec<(Table, RecordBatch)>, u64)> {
        if self.key_overflow {
            return Err(crate::model::error::Error::engine("a claims block holds more than 2^31 distinct values"));
        }
        let mut days = days.into_iter();
        let claim_days = days.next().unwrap_or_default();
        let paid_days = days.next().unwrap_or_default();
        let is_admin: Vec<bool> = self.claim_type.iter().map(|t| *t == ADMIN).collect();
        let keep_claim: BooleanArray = keep.iter().zip(&is_admin).map(|(k, a)| Some(*k && !a)).collect();
        let keep_admin: BooleanArray = keep.iter().zip(&is_admin).map(|(k, a)| Some(*k && *a)).collect();
        let moved = keep_admin.true_count() as u64;

        let claim_days = Arc::new(Date32Array::from(claim_days)) as ArrayRef;
        let mut claim_types = DictionaryBuilder::with_capacity(self.claim_type.len(), 3, 32);
        for t in &self.claim_type {
            claim_types.append_value(t);
        }
        let all = RecordBatch::try_new(
            block_schema(),
            vec![
                Arc::new(self.client_id.finish()),
                fitted(self.claim_id.finish()),
                fitted(self.claimant_id.finish()),
                claim_days.clone(),
                Arc::new(Date32Array::from(paid_days)),
                Arc::new(claim_types.finish()),
                Arc::new(self.service_type.finish()),
                Arc::new(self.service_category.finish()),
                Arc::new(self.icd_code.finish()),
                match self.medical_desc.as_mut() {
                    Some(builder) => Arc::new(builder.finish()),
                    None => new_null_array(&dictionary_type(), self.claim_type.len()),
                },
                Arc::new(self.layman_term.finish()),
                money_array(self.medical)?,
                money_array(self.pharmacy)?,
                money_array(self.total)?,
            ],
        )?;
        let mut out = Vec::new();
        if moved > 0 {
            let admin = filter_record_batch(&all, &keep_admin)?;
            let month_keys: Vec<i32> =
                as_date32(admin.column(3))?.values().iter().map(|d| dates::month_key_of_days(*d)).collect();
            let service_types = cast(admin.column(6), &DataType::Utf8)?;
            let fee_types: StringArray = as_string(&service_types)?.iter().map(|t| Some(t.unwrap_or(ADMIN))).collect();
            out.push((
                Table::AdminFees,
                RecordBatch::try_new(
                    Table::AdminFees.schema(),
                    vec![
                        cast(admin.column(0), &DataType::Utf8)?,
                        Arc::new(Int32Array::from(month_keys.iter().map(|k| k / 100).collect::<Vec<_>>())),
                        Arc::new(Int32Array::from(month_keys.iter().map(|k| k % 100).collect::<Vec<_>>())),
                        admin.column(13).clone(),
                        Arc::new(fee_types),
                    ],
                )?,
            ));
        }
        let claims =
            if keep_claim.true_count() == all.num_rows() { all } else { filter_record_batch(&all, &keep_claim)? };
        out.insert(0, (Table::Claims, claims));
        Ok((out, moved))
    }
}

/// How the storage schema keeps text columns such as medical_desc.
fn dictionary_type() -> DataType {
    DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8))
}

/// The storage schema with claimant_id as text: the loader keys it when it
/// merges the blocks' dictionaries.
fn block_schema() -> SchemaRef {
    retyped(&Table::Claims.storage_schema(), |f| (f.name() == "claimant_id").then_some(DataType::Utf8))
}

/// A builder's array without the spare capacity its doubling left (up to
/// half of the memory a loaded table would keep).
fn fitted(mut array: StringArray) -> ArrayRef {
    array.shrink_to_fit();
    Arc::new(array)
}

fn as_date32(array: &ArrayRef) -> Result<&Date32Array> {
    array.as_any().downcast_ref().ok_or_else(|| crate::model::error::Error::engine("claim_date is not a Date32 column"))
}

fn as_string(array: &ArrayRef) -> Result<&StringArray> {
    array.as_any().downcast_ref().ok_or_else(|| crate::model::error::Error::engine("service_type is not a Utf8 column"))
}

pub(crate) fn money_array(mut cents: Vec<i128>) -> Result<ArrayRef> {
    cents.shrink_to_fit();
    Ok(Arc::new(Decimal128Array::from(cents).with_precision_and_scale(MONEY_PRECISION, MONEY_SCALE)?))
}

#[cfg(test)]
mod tests {
    fn normalize_icd(raw: &str) -> Option<String> {
        super::normalized_icd(raw).map(|c| c.into_owned())
    }

    #[test]
    fn icd_codes_are_stored_without_dot_upper_case() {
        assert_eq!(normalize_icd("E119"), Some("E119".to_string()));
        assert_eq!(normalize_icd(" e11.9 "), Some("E119".to_string()));
        assert_eq!(normalize_icd("Z00.00"), Some("Z0000".to_string()));
        assert_eq!(normalize_icd("  "), None);
        assert_eq!(normalize_icd("."), None);
    }
}
