//! High-cost claimants (threshold on the signed period total), their primary
//! diagnosis, and stop-loss reimbursements linked by claimant_id or claim_id.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use super::breakdowns::Denominators;
use super::claim_scan::{to_decimal, ClaimScan};
use super::model::{HighCostClaimant, HighCostClaimants, Num, Warning};
use super::monthly::warning;
use super::query::{first_day, lit, run};
use crate::dataset::Dataset;
use crate::error::Result;
use crate::icd;
use crate::money::divide_round;
use crate::period::{month_label, MonthIndex};

/// A claimant's period totals.
#[derive(Debug, Clone)]
pub(crate) struct ClaimantTotal {
    /// The claimant's key in the claim scan.
    pub key: u32,
    pub claimant_id: String,
    pub medical: Decimal,
    pub pharmacy: Decimal,
    pub total: Decimal,
    pub claim_count: i64,
}

/// Every claimant of the period, ranked by total desc, then claimant_id.
pub(crate) fn claimant_totals(claims: &ClaimScan) -> Result<Vec<ClaimantTotal>> {
    let mut out = claims
        .claimants()
        .map(|(key, id, sums)| {
            Ok(ClaimantTotal {
                key,
                claimant_id: id.to_string(),
                medical: to_decimal(sums.medical)?,
                pharmacy: to_decimal(sums.pharmacy)?,
                total: to_decimal(sums.total)?,
                claim_count: sums.claim_count,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    out.sort_by(|a, b| b.total.cmp(&a.total).then_with(|| a.claimant_id.as_bytes().cmp(b.claimant_id.as_bytes())));
    Ok(out)
}

/// Stop-loss reimbursements paid in the period, per linked claimant.
pub(crate) struct StopLossLinks {
    pub by_claimant: BTreeMap<String, Decimal>,
    pub warnings: Vec<Warning>,
}

fn collect_warning(code: &str, items: &[(MonthIndex, String)], text: &str) -> Option<Warning> {
    if items.is_empty() {
        return None;
    }
    let mut months: Vec<MonthIndex> = items.iter().map(|(m, _)| *m).collect();
    months.sort_unstable();
    months.dedup();
    let listed: Vec<&str> = items.iter().take(5).map(|(_, s)| s.as_str()).collect();
    let more = if items.len() > 5 { format!(" and {} more", items.len() - 5) } else { String::new() };
    Some(warning(
        code,
        format!("{} stop-loss reimbursement(s) {text}: {}{more}", items.len(), listed.join("; ")),
        Some(months.into_iter().map(month_label).collect()),
    ))
}

pub(crate) fn stop_loss_links(ds: &Dataset, client: &str, first: MonthIndex, last: MonthIndex) -> Result<StopLossLinks> {
    let c = lit(client);
    let (from, to) = (first_day(first), first_day(last + 1));
    let mut by_claimant: BTreeMap<String, Decimal> = BTreeMap::new();
    let (mut not_found, mut mismatch, mut ambiguous) = (Vec::new(), Vec::new(), Vec::new());
    // Only the claims a reimbursement names are grouped by claim_id (a
    // semi-join), not the millions of claims of a large plan.
    run(ds, &format!(
        "SELECT s.claimant_id, s.claim_id, s.amount, m.claimant_id, m.n, month_key(s.paid_date) \
         FROM stop_loss_reimbursements s LEFT JOIN \
           (SELECT claim_id, MIN(claimant_id) AS claimant_id, COUNT(DISTINCT claimant_id) AS n \
            FROM claims WHERE client_id = {c} \
              AND claim_id IN (SELECT claim_id FROM stop_loss_reimbursements WHERE client_id = {c}) \
            GROUP BY claim_id) m ON s.claim_id = m.claim_id \
         WHERE s.client_id = {c} AND s.paid_date >= {from} AND s.paid_date < {to}"
    ))?
    .each(|r| {
        let (own, claim_id, amount) = (r.text(0)?, r.text(1)?, r.money(2)?);
        let (via_claim, matches, month) = (r.text(3)?, r.count(4)?, r.month(5)?);
        if let Some(id) = &claim_id {
            if via_claim.is_none() {
                not_found.push((month, format!("claim_id {id} ({amount})")));
            }
        }
        let linked = match (own, via_claim) {
            (Some(own), Some(via)) => {
                if own != via {
                    mismatch.push((month, format!("claimant_id {own} vs claim {} of {via}", claim_id.clone().unwrap_or_default())));
                }
                Some(own)
            }
            (Some(own), None) => Some(own),
            (None, Some(via)) => {
                if matches > 1 {
                    ambiguous.push((month, format!("claim_id {} ({matches} claimants; linked to {via})", claim_id.clone().unwrap_or_default())));
                }
                Some(via)
            }
            (None, None) => None,
        };
        if let Some(id) = linked {
            *by_claimant.entry(id).or_default() += amount;
        }
        Ok(())
    })?;
    let warnings = [
        collect_warning("stop_loss_claim_not_found", &not_found, "name a claim_id that matches no claim of the client; credited to their month but to no claimant"),
        collect_warning("stop_loss_claimant_mismatch", &mismatch, "name a claimant_id that differs from their claim's claimant; claimant_id wins"),
        collect_warning("stop_loss_claim_ambiguous", &ambiguous, "name a claim_id shared by several claimants; linked to the smallest claimant_id"),
    ]
    .into_iter()
    .flatten()
    .collect();
    Ok(StopLossLinks { by_claimant, warnings })
}

/// The claimants whose period total reaches the threshold. A claimant's
/// primary_icd is the code with the largest summed total (ties to the
/// smallest code; rows without a code are ignored).
pub(crate) fn high_cost_claimants(
    claims: &ClaimScan,
    ranked: &[ClaimantTotal],
    options: &super::ReportOptions,
    den: &Denominators,
    stop_loss: &StopLossLinks,
    terms: &BTreeMap<String, String>,
) -> Result<HighCostClaimants> {
    let threshold = options.hcc_threshold;
    let privacy = &options.privacy;
    let mut claimants: Vec<HighCostClaimant> = ranked
        .iter()
        .filter(|c| c.total >= threshold)
        .map(|c| {
            let code = claims.primary_code(c.key).map(str::to_string);
            let chapter = icd::chapter_code(code.as_deref()).to_string();
            let (code, layman_term) = if privacy.employer_facing {
                (None, None)
            } else {
                (code.clone(), code.as_ref().and_then(|k| terms.get(k).cloned()))
            };
            HighCostClaimant {
                claimant_id: privacy.claimant(&c.claimant_id),
                medical: Num(c.medical),
                pharmacy: Num(c.pharmacy),
                total: Num(c.total),
                claim_count: c.claim_count,
                chapter,
                layman_term,
                primary_icd: code,
                stop_loss_reimbursed: Num::money(stop_loss.by_claimant.get(&c.claimant_id).copied().unwrap_or_default()),
                excess_over_specific: options.deductible_for(&c.claimant_id).map(|d| Num::money((c.total - d).max(Decimal::ZERO))),
            }
        })
        .collect();
    // Ties in total order by the id as shown (the pseudonym when one is used).
    claimants.sort_by(|a, b| b.total.cmp(&a.total).then_with(|| a.claimant_id.as_bytes().cmp(b.claimant_id.as_bytes())));
    let total: Decimal = claimants.iter().map(|c| c.total.0).sum();
    let count = claimants.len() as i64;
    Ok(HighCostClaimants {
        threshold: Num::money(threshold),
        count,
        total: Num::money(total),
        share_of_gross: den.share(total),
        share_of_claimants: divide_round(Decimal::from(count), Decimal::from(ranked.len() as i64), 4).map(Num),
        claimants,
    })
}
