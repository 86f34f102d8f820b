//! Claims rows: the two amount shapes, the total check, claim_type derived or
//! mapped, ICD codes normalised, admin rows moved to admin_fees.

use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, Date32Array, Decimal128Array, Int32Array, StringArray};
use datafusion::arrow::record_batch::RecordBatch;

use super::columns::{CellResult, Columns};
use super::{kept, RowContext, TableRows};
use crate::dates::{self, CellDate};
use crate::error::Result;
use crate::mapping::AMOUNT_COLUMN;
use crate::source::RawRecord;
use crate::table::{Table, MONEY_PRECISION, MONEY_SCALE};

#[derive(Default)]
pub(crate) struct ClaimRows {
    client_id: Vec<String>,
    claim_id: Vec<String>,
    claimant_id: Vec<String>,
    claim_date: Vec<CellDate>,
    paid_date: Vec<CellDate>,
    claim_type: Vec<&'static str>,
    service_type: Vec<Option<String>>,
    service_category: Vec<Option<String>>,
    icd_code: Vec<Option<String>>,
    medical_desc: Vec<Option<String>>,
    layman_term: Vec<Option<String>>,
    medical: Vec<i128>,
    pharmacy: Vec<i128>,
    total: Vec<i128>,
}

const ADMIN: &str = "admin";

/// ICD-10-CM as stored: trimmed, dots removed, upper-case; empty -> None.
pub fn normalize_icd(raw: &str) -> Option<String> {
    let code: String = raw.trim().chars().filter(|c| *c != '.').flat_map(char::to_uppercase).collect();
    let code = code.trim().to_string();
    (!code.is_empty()).then_some(code)
}

fn parse_claim_type(cols: &Columns, rec: &RawRecord) -> CellResult<Option<&'static str>> {
    let Some(raw) = cols.raw(rec, "claim_type") else { return Ok(None) };
    let v = raw.trim();
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

    fn needs_file_hash(cols: &Columns) -> bool {
        !cols.has("claim_id")
    }

    fn check_columns(cols: &Columns) -> Result<()> {
        for c in ["client_id", "claimant_id", "claim_date"] {
            cols.require(c)?;
        }
        let any_amount = [AMOUNT_COLUMN, "medical_amount", "pharmacy_amount", "total_amount"].iter().any(|c| cols.has(c));
        if !any_amount {
            cols.require("total_amount")?;
        }
        if cols.has(AMOUNT_COLUMN) && !cols.has("claim_type") {
            cols.require("claim_type")?;
        }
        Ok(())
    }

    fn push(&mut self, cols: &Columns, rec: &RawRecord, ctx: &mut RowContext) -> CellResult<()> {
        let client_id = cols.text_required(rec, "client_id")?;
        let claimant_id = cols.text_required(rec, "claimant_id")?;
        let claim_date = cols.date_required(rec, "claim_date")?;
        let paid_date = cols.date(rec, "paid_date")?.unwrap_or(claim_date);
        let given_type = parse_claim_type(cols, rec)?;

        let (claim_type, medical, pharmacy, total) = if cols.has(AMOUNT_COLUMN) {
            let amount = cols.money_required(rec, AMOUNT_COLUMN)?;
            let total_given = cols.money_optional(rec, "total_amount")?;
            let claim_type = given_type.ok_or_else(|| {
                Columns::cell_error("claim_type", cols.raw(rec, "claim_type").unwrap_or(""), "is blank; the one-amount shape needs a claim type")
            })?;
            if let Some(t) = total_given {
                if t != amount {
                    return Err(Columns::cell_error(
                        "total_amount",
                        cols.raw(rec, "total_amount").unwrap_or(""),
                        format!("differs from amount {}", crate::money::cents_to_decimal(amount)),
                    ));
                }
            }
            match claim_type {
                "pharmacy" => (claim_type, 0, amount, amount),
                "medical" => (claim_type, amount, 0, amount),
                _ => (claim_type, 0, 0, amount),
            }
        } else {
            let medical = cols.money(rec, "medical_amount")?;
            let pharmacy = cols.money(rec, "pharmacy_amount")?;
            let total_given = cols.money_optional(rec, "total_amount")?;
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
            if let Some(t) = total_given {
                if t != sum {
                    return Err(Columns::cell_error(
                        "total_amount",
                        cols.raw(rec, "total_amount").unwrap_or(""),
                        format!(
                            "differs from medical_amount + pharmacy_amount = {}",
                            crate::money::cents_to_decimal(sum)
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

        let claim_id = cols.text(rec, "claim_id").unwrap_or_else(|| format!("{}-{}", ctx.sha8, rec.record));
        self.client_id.push(client_id);
        self.claim_id.push(claim_id);
        self.claimant_id.push(claimant_id);
        self.claim_date.push(claim_date);
        self.paid_date.push(paid_date);
        self.claim_type.push(claim_type);
        self.service_type.push(cols.text(rec, "service_type"));
        self.service_category.push(cols.text(rec, "service_category"));
        self.icd_code.push(cols.raw(rec, "icd_code").and_then(normalize_icd));
        self.medical_desc.push(cols.text(rec, "medical_desc"));
        self.layman_term.push(cols.text(rec, "layman_term"));
        self.medical.push(medical);
        self.pharmacy.push(pharmacy);
        self.total.push(total);
        Ok(())
    }

    fn date_columns(&self) -> Vec<(&'static str, &[CellDate])> {
        vec![("claim_date", &self.claim_date), ("paid_date", &self.paid_date)]
    }

    fn finish(self, days: Vec<Vec<i32>>, keep: &[bool]) -> Result<(Vec<(Table, RecordBatch)>, u64)> {
        let mut days = days.into_iter();
        let claim_days = days.next().unwrap_or_default();
        let paid_days = days.next().unwrap_or_default();
        let is_admin: Vec<bool> = self.claim_type.iter().map(|t| *t == ADMIN).collect();
        let keep_claim: Vec<bool> = keep.iter().zip(&is_admin).map(|(k, a)| *k && !a).collect();
        let keep_admin: Vec<bool> = keep.iter().zip(&is_admin).map(|(k, a)| *k && *a).collect();
        let moved = keep_admin.iter().filter(|k| **k).count() as u64;

        let admin = if moved > 0 {
            let month_keys: Vec<i32> = kept(claim_days.clone(), &keep_admin).into_iter().map(dates::month_key_of_days).collect();
            let fee_types: Vec<Option<String>> = kept(self.service_type.clone(), &keep_admin)
                .into_iter()
                .map(|t| Some(t.unwrap_or_else(|| ADMIN.to_string())))
                .collect();
            Some(RecordBatch::try_new(
                Table::AdminFees.schema(),
                vec![
                    Arc::new(StringArray::from(kept(self.client_id.clone(), &keep_admin))) as ArrayRef,
                    Arc::new(Int32Array::from(month_keys.iter().map(|k| k / 100).collect::<Vec<_>>())),
                    Arc::new(Int32Array::from(month_keys.iter().map(|k| k % 100).collect::<Vec<_>>())),
                    money_array(kept(self.total.clone(), &keep_admin))?,
                    Arc::new(StringArray::from(fee_types)),
                ],
            )?)
        } else {
            None
        };

        let k = &keep_claim;
        let claims = RecordBatch::try_new(
            Table::Claims.schema(),
            vec![
                Arc::new(StringArray::from(kept(self.client_id, k))) as ArrayRef,
                Arc::new(StringArray::from(kept(self.claim_id, k))),
                Arc::new(StringArray::from(kept(self.claimant_id, k))),
                Arc::new(Date32Array::from(kept(claim_days, k))),
                Arc::new(Date32Array::from(kept(paid_days, k))),
                Arc::new(StringArray::from(kept(self.claim_type, k))),
                Arc::new(StringArray::from(kept(self.service_type, k))),
                Arc::new(StringArray::from(kept(self.service_category, k))),
                Arc::new(StringArray::from(kept(self.icd_code, k))),
                Arc::new(StringArray::from(kept(self.medical_desc, k))),
                Arc::new(StringArray::from(kept(self.layman_term, k))),
                money_array(kept(self.medical, k))?,
                money_array(kept(self.pharmacy, k))?,
                money_array(kept(self.total, k))?,
            ],
        )?;
        let mut out = vec![(Table::Claims, claims)];
        if let Some(a) = admin {
            out.push((Table::AdminFees, a));
        }
        Ok((out, moved))
    }
}

pub(crate) fn money_array(cents: Vec<i128>) -> Result<ArrayRef> {
    Ok(Arc::new(Decimal128Array::from(cents).with_precision_and_scale(MONEY_PRECISION, MONEY_SCALE)?))
}

#[cfg(test)]
mod tests {
    use super::normalize_icd;

    #[test]
    fn icd_codes_are_stored_without_dot_upper_case() {
        assert_eq!(normalize_icd(" e11.9 "), Some("E119".to_string()));
        assert_eq!(normalize_icd("Z00.00"), Some("Z0000".to_string()));
        assert_eq!(normalize_icd("  "), None);
        assert_eq!(normalize_icd("."), None);
    }
}
