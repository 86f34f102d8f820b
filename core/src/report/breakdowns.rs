//! Service categories, diagnosis groups (ICD-10-CM chapters) and the top
//! diagnoses of a period (metrics.md, "Breakdowns for a period").

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use super::claim_figures::{ClaimFigures, Dimension};
use super::common::{to_decimal, Denominators};
use super::document::{BreakdownFigures, DiagnosisGroup, Num, ServiceCategory, TopDiagnosis};
use crate::model::error::Result;
use crate::model::icd;
use crate::rules::privacy::{groups_to_suppress, GroupSize, SUPPRESSED_GROUP};

/// One breakdown row before it is named: medical, pharmacy, total, counts.
struct Group {
    key: String,
    medical: Decimal,
    pharmacy: Decimal,
    total: Decimal,
    claimant_count: i64,
    claim_count: i64,
}

/// The period's groups of a dimension: total desc, then name by code point.
fn groups(claims: &dyn ClaimFigures, dimension: Dimension) -> Result<Vec<Group>> {
    let mut out = claims
        .groups(dimension)?
        .into_iter()
        .map(|g| {
            Ok(Group {
                key: g.key,
                medical: to_decimal(g.sums.medical)?,
                pharmacy: to_decimal(g.sums.pharmacy)?,
                total: to_decimal(g.sums.total)?,
                claimant_count: g.sums.claimant_count,
                claim_count: g.sums.claim_count,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    out.sort_by(|a, b| b.total.cmp(&a.total).then_with(|| a.key.as_bytes().cmp(b.key.as_bytes())));
    Ok(out)
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
fn with_min_cell(
    claims: &dyn ClaimFigures,
    dimension: Dimension,
    min_cell: Option<i64>,
) -> Result<Vec<(Group, Shown)>> {
    let all = groups(claims, dimension)?;
    let Some(min_cell) = min_cell else { return Ok(all.into_iter().map(|g| (g, Shown::Plain)).collect()) };
    let sizes: Vec<GroupSize> =
        all.iter().map(|g| GroupSize { name: &g.key, claimants: g.claimant_count, total: g.total }).collect();
    let distinct = |set: &[usize]| -> Result<i64> {
        let names: Vec<&str> = set.iter().map(|&i| all[i].key.as_str()).collect();
        claims.distinct_claimants_in(dimension, &names)
    };
    let folded = groups_to_suppress(&sizes, min_cell, distinct)?;
    if folded.is_empty() {
        return Ok(all.into_iter().map(|g| (g, Shown::Kept)).collect());
    }
    let fold_claimants = distinct(&folded)?;
    let mut other = Group {
        key: SUPPRESSED_GROUP.to_string(),
        medical: Decimal::ZERO,
        pharmacy: Decimal::ZERO,
        total: Decimal::ZERO,
        claimant_count: fold_claimants,
        claim_count: 0,
    };
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

pub(crate) fn service_categories(
    claims: &dyn ClaimFigures,
    den: &Denominators,
    min_cell: Option<i64>,
) -> Result<Vec<ServiceCategory>> {
    Ok(with_min_cell(claims, Dimension::Category, min_cell)?
        .into_iter()
        .map(|(g, shown)| ServiceCategory { figures: g.figures(den, shown), name: g.key })
        .collect())
}

pub(crate) fn diagnosis_groups(
    claims: &dyn ClaimFigures,
    den: &Denominators,
    min_cell: Option<i64>,
) -> Result<Vec<DiagnosisGroup>> {
    Ok(with_min_cell(claims, Dimension::Chapter, min_cell)?
        .into_iter()
        .map(|(g, shown)| {
            let name = if g.key == SUPPRESSED_GROUP { SUPPRESSED_GROUP } else { icd::chapter_name(&g.key) };
            DiagnosisGroup { name: name.to_string(), figures: g.figures(den, shown), chapter: g.key }
        })
        .collect())
}

/// The top codes by total; with min_cell, only codes with at least that many claimants.
pub(crate) fn top_diagnoses(
    claims: &dyn ClaimFigures,
    top_n: usize,
    terms: &BTreeMap<String, String>,
    min_cell: Option<i64>,
) -> Result<Vec<TopDiagnosis>> {
    let mut rows: Vec<(String, Decimal, i64)> = claims
        .groups(Dimension::Code)?
        .into_iter()
        .map(|g| Ok((g.key, to_decimal(g.sums.total)?, g.sums.claimant_count)))
        .collect::<Result<_>>()?;
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
