//! High-cost claimants (threshold on the signed period total), their primary
//! diagnosis, and stop-loss reimbursements linked by claimant_id or claim_id.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use super::claim_figures::ClaimFigures;
use super::common::Denominators;
use super::document::{HighCostClaimant, HighCostClaimants, Num};
use super::stop_loss_links::StopLossLinks;
use crate::model::error::Result;
use crate::model::icd;
use crate::model::money::divide_round;

/// The claimants whose period total reaches the threshold. A claimant's
/// primary_icd is the code with the largest summed total (ties to the
/// smallest code; rows without a code are ignored).
pub(crate) fn high_cost_claimants(
    claims: &dyn ClaimFigures,
    claimant_count: i64,
    options: &super::ReportOptions,
    den: &Denominators,
    stop_loss: &StopLossLinks,
    terms: &BTreeMap<String, String>,
) -> Result<HighCostClaimants> {
    let threshold = options.hcc_threshold;
    let privacy = &options.privacy;
    let mut claimants: Vec<HighCostClaimant> = claims
        .claimants_reaching(threshold)?
        .into_iter()
        .map(|c| {
            let code = c.primary_code;
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
                stop_loss_reimbursed: Num::money(
                    stop_loss.by_claimant.get(&c.claimant_id).copied().unwrap_or_default(),
                ),
                excess_over_specific: options
                    .deductible_for(&c.claimant_id)
                    .map(|d| Num::money((c.total - d).max(Decimal::ZERO))),
            }
        })
        .collect();
    // Ties in total order by the id as shown (the pseudonym when one is used).
    claimants
        .sort_by(|a, b| b.total.cmp(&a.total).then_with(|| a.claimant_id.as_bytes().cmp(b.claimant_id.as_bytes())));
    let total: Decimal = claimants.iter().map(|c| c.total.0).sum();
    let count = claimants.len() as i64;
    Ok(HighCostClaimants {
        threshold: Num::money(threshold),
        count,
        total: Num::money(total),
        share_of_gross: den.share(total),
        share_of_claimants: divide_round(Decimal::from(count), Decimal::from(claimant_count), 4).map(Num),
        claimants,
    })
}
