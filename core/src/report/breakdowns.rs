//! Service categories, diagnosis groups (ICD-10-CM chapters) and the top
//! diagnoses of a period (metrics.md, "Breakdowns for a period").

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use super::model::{BreakdownFigures, DiagnosisGroup, Num, ServiceCategory, TopDiagnosis};
use super::query::run;
use crate::dataset::Dataset;
use crate::error::Result;
use crate::icd;
use crate::money::divide_round;

pub(crate) const UNCATEGORIZED: &str = "Uncategorized";

/// The claims of one client in one period, as a SQL filter.
pub(crate) struct PeriodFilter(pub String);

/// One breakdown row before it is named: medical, pharmacy, total, counts.
struct Group {
    key: String,
    medical: Decimal,
    pharmacy: Decimal,
    total: Decimal,
    claimant_count: i64,
    claim_count: i64,
}

fn groups(ds: &Dataset, key_sql: &str, filter: &PeriodFilter) -> Result<Vec<Group>> {
    let mut out = Vec::new();
    run(ds, &format!(
        "SELECT {key_sql}, SUM(medical_amount), SUM(pharmacy_amount), SUM(total_amount), \
         COUNT(DISTINCT claimant_id), COUNT(*) FROM claims WHERE {} GROUP BY 1",
        filter.0
    ))?
    .each(|r| {
        out.push(Group {
            key: r.text(0)?.unwrap_or_default(),
            medical: r.money(1)?,
            pharmacy: r.money(2)?,
            total: r.money(3)?,
            claimant_count: r.count(4)?,
            claim_count: r.count(5)?,
        });
        Ok(())
    })?;
    // total desc, then name by code point
    out.sort_by(|a, b| b.total.cmp(&a.total).then_with(|| a.key.as_bytes().cmp(b.key.as_bytes())));
    Ok(out)
}

/// Shares of gross and per-member figures of a breakdown row.
pub(crate) struct Denominators {
    pub gross: Decimal,
    pub member_months: Option<i64>,
}

impl Denominators {
    pub fn share(&self, amount: Decimal) -> Option<Num> {
        divide_round(amount, self.gross, 4).map(Num)
    }

    fn pmpm(&self, amount: Decimal) -> Option<Num> {
        self.member_months.and_then(|m| divide_round(amount, Decimal::from(m), 2)).map(Num)
    }
}

impl Group {
    fn figures(&self, den: &Denominators) -> BreakdownFigures {
        BreakdownFigures {
            medical: Num(self.medical),
            pharmacy: Num(self.pharmacy),
            total: Num(self.total),
            share_of_gross: den.share(self.total),
            pmpm: den.pmpm(self.total),
            claimant_count: self.claimant_count,
            claim_count: self.claim_count,
        }
    }
}

pub(crate) fn service_categories(ds: &Dataset, filter: &PeriodFilter, den: &Denominators) -> Result<Vec<ServiceCategory>> {
    let key = format!("COALESCE(NULLIF(service_category, ''), '{UNCATEGORIZED}')");
    Ok(groups(ds, &key, filter)?
        .into_iter()
        .map(|g| ServiceCategory { figures: g.figures(den), name: g.key })
        .collect())
}

pub(crate) fn diagnosis_groups(ds: &Dataset, filter: &PeriodFilter, den: &Denominators) -> Result<Vec<DiagnosisGroup>> {
    Ok(groups(ds, "icd_chapter(icd_code)", filter)?
        .into_iter()
        .map(|g| DiagnosisGroup { name: icd::chapter_name(&g.key).to_string(), figures: g.figures(den), chapter: g.key })
        .collect())
}

/// Each code's layman_term: its most frequent non-null term among the
/// period's rows of the client; ties go to the smallest string.
pub(crate) fn layman_terms(ds: &Dataset, filter: &PeriodFilter) -> Result<BTreeMap<String, String>> {
    let mut best: BTreeMap<String, (i64, String)> = BTreeMap::new();
    run(ds, &format!(
        "SELECT icd_code, layman_term, COUNT(*) FROM claims \
         WHERE {} AND icd_code IS NOT NULL AND layman_term IS NOT NULL GROUP BY 1, 2",
        filter.0
    ))?
    .each(|r| {
        let (Some(code), Some(term)) = (r.text(0)?, r.text(1)?) else { return Ok(()) };
        let n = r.count(2)?;
        let better = match best.get(&code) {
            None => true,
            Some((bn, bterm)) => n > *bn || (n == *bn && term.as_bytes() < bterm.as_bytes()),
        };
        if better {
            best.insert(code, (n, term));
        }
        Ok(())
    })?;
    Ok(best.into_iter().map(|(code, (_, term))| (code, term)).collect())
}

pub(crate) fn top_diagnoses(ds: &Dataset, filter: &PeriodFilter, top_n: usize, terms: &BTreeMap<String, String>) -> Result<Vec<TopDiagnosis>> {
    let mut rows: Vec<(String, Decimal, i64)> = Vec::new();
    run(ds, &format!(
        "SELECT icd_code, SUM(total_amount), COUNT(DISTINCT claimant_id) FROM claims \
         WHERE {} AND icd_code IS NOT NULL GROUP BY 1",
        filter.0
    ))?
    .each(|r| {
        rows.push((r.text(0)?.unwrap_or_default(), r.money(1)?, r.count(2)?));
        Ok(())
    })?;
    rows.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.as_bytes().cmp(b.0.as_bytes())));
    Ok(rows
        .into_iter()
        .take(top_n)
        .map(|(code, total, claimants)| TopDiagnosis {
            layman_term: terms.get(&code).cloned(),
            icd_code: code,
            total: Num(total),
            claimant_count: claimants,
        })
        .collect())
}
