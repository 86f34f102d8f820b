//! Service categories, diagnosis groups (ICD-10-CM chapters) and the top
//! diagnoses of a period (metrics.md, "Breakdowns for a period").

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use super::model::{BreakdownFigures, DiagnosisGroup, Num, ServiceCategory, TopDiagnosis};
use super::query::{lit, run};
use crate::dataset::Dataset;
use crate::error::Result;
use crate::icd;
use crate::money::divide_round;
use crate::privacy::{groups_to_suppress, GroupSize, SUPPRESSED_GROUP};

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

/// How a breakdown row is shown under min_cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shown {
    /// min_cell is off: no `suppressed` key.
    Plain,
    /// min_cell is on and the row has enough claimants (or is the fold).
    Kept,
    Suppressed,
}

impl Group {
    fn figures(&self, den: &Denominators, shown: Shown) -> BreakdownFigures {
        let visible = shown != Shown::Suppressed;
        let show = |v: Decimal| visible.then_some(Num(v));
        BreakdownFigures {
            medical: show(self.medical),
            pharmacy: show(self.pharmacy),
            total: show(self.total),
            share_of_gross: if visible { den.share(self.total) } else { None },
            pmpm: if visible { den.pmpm(self.total) } else { None },
            claimant_count: visible.then_some(self.claimant_count),
            claim_count: visible.then_some(self.claim_count),
            suppressed: match shown {
                Shown::Plain => None,
                Shown::Kept => Some(false),
                Shown::Suppressed => Some(true),
            },
        }
    }
}

/// The groups in report order with how each is shown. With min_cell, small
/// groups are suppressed (see `privacy::groups_to_suppress`) and listed by
/// name after the kept ones, then their fold "Other (suppressed)".
fn with_min_cell(ds: &Dataset, key_sql: &str, filter: &PeriodFilter, min_cell: Option<i64>) -> Result<Vec<(Group, Shown)>> {
    let all = groups(ds, key_sql, filter)?;
    let Some(min_cell) = min_cell else { return Ok(all.into_iter().map(|g| (g, Shown::Plain)).collect()) };
    let sizes: Vec<GroupSize> = all.iter().map(|g| GroupSize { name: &g.key, claimants: g.claimant_count, total: g.total }).collect();
    let distinct = |set: &[usize]| -> Result<i64> {
        let names: Vec<String> = set.iter().map(|&i| lit(&all[i].key)).collect();
        let mut n = 0;
        run(ds, &format!("SELECT COUNT(DISTINCT claimant_id) FROM claims WHERE {} AND {key_sql} IN ({})", filter.0, names.join(", ")))?
            .each(|r| {
                n = r.count(0)?;
                Ok(())
            })?;
        Ok(n)
    };
    let folded = groups_to_suppress(&sizes, min_cell, distinct)?;
    if folded.is_empty() {
        return Ok(all.into_iter().map(|g| (g, Shown::Kept)).collect());
    }
    let fold_claimants = distinct(&folded)?;
    let mut other = Group { key: SUPPRESSED_GROUP.to_string(), medical: Decimal::ZERO, pharmacy: Decimal::ZERO, total: Decimal::ZERO, claimant_count: fold_claimants, claim_count: 0 };
    let (mut kept, mut hidden) = (Vec::new(), Vec::new());
    for (i, g) in all.into_iter().enumerate() {
        if folded.contains(&i) {
            other.medical += g.medical;
            other.pharmacy += g.pharmacy;
            other.total += g.total;
            other.claim_count += g.claim_count;
            hidden.push((g, Shown::Suppressed));
        } else {
            kept.push((g, Shown::Kept));
        }
    }
    hidden.sort_by(|a, b| a.0.key.as_bytes().cmp(b.0.key.as_bytes()));
    kept.extend(hidden);
    kept.push((other, Shown::Kept));
    Ok(kept)
}

pub(crate) fn service_categories(ds: &Dataset, filter: &PeriodFilter, den: &Denominators, min_cell: Option<i64>) -> Result<Vec<ServiceCategory>> {
    let key = format!("COALESCE(NULLIF(service_category, ''), '{UNCATEGORIZED}')");
    Ok(with_min_cell(ds, &key, filter, min_cell)?
        .into_iter()
        .map(|(g, shown)| ServiceCategory { figures: g.figures(den, shown), name: g.key })
        .collect())
}

pub(crate) fn diagnosis_groups(ds: &Dataset, filter: &PeriodFilter, den: &Denominators, min_cell: Option<i64>) -> Result<Vec<DiagnosisGroup>> {
    Ok(with_min_cell(ds, "icd_chapter(icd_code)", filter, min_cell)?
        .into_iter()
        .map(|(g, shown)| {
            let name = if g.key == SUPPRESSED_GROUP { SUPPRESSED_GROUP } else { icd::chapter_name(&g.key) };
            DiagnosisGroup { name: name.to_string(), figures: g.figures(den, shown), chapter: g.key }
        })
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

/// The top codes by total; with min_cell, only codes with at least that many claimants.
pub(crate) fn top_diagnoses(
    ds: &Dataset,
    filter: &PeriodFilter,
    top_n: usize,
    terms: &BTreeMap<String, String>,
    min_cell: Option<i64>,
) -> Result<Vec<TopDiagnosis>> {
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
    rows.retain(|r| min_cell.is_none_or(|n| r.2 >= n));
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
