//! Stop-loss reimbursements paid in a period, linked to claimants: by the
//! claim a row names, else by its claimant_id, with a warning for each kind
//! of link that could not be made as written.

use std::collections::{BTreeMap, BTreeSet};

use rust_decimal::Decimal;

use super::common::warning;
use super::document::{Warning, WarningCode};
use super::query::{first_day_literal, lit, run};
use crate::dataset::Dataset;
use crate::model::error::Result;
use crate::model::period::{month_label, MonthIndex};

/// Stop-loss reimbursements paid in the period, per linked claimant.
pub(crate) struct StopLossLinks {
    pub by_claimant: BTreeMap<String, Decimal>,
    pub warnings: Vec<Warning>,
}

fn collect_warning(code: WarningCode, items: &[(MonthIndex, String)], text: &str) -> Option<Warning> {
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

pub(crate) fn stop_loss_links(
    ds: &Dataset,
    client: &str,
    first: MonthIndex,
    last: MonthIndex,
) -> Result<StopLossLinks> {
    let c = lit(client);
    let (from, to) = (first_day_literal(first), first_day_literal(last + 1));
    let mut by_claimant: BTreeMap<String, Decimal> = BTreeMap::new();
    let (mut not_found, mut mismatch, mut ambiguous) = (Vec::new(), Vec::new(), Vec::new());
    let mut unconfirmed: Vec<(MonthIndex, String, Decimal)> = Vec::new();
    // Only the claims a reimbursement names are grouped by claim_id (a
    // semi-join), not the millions of claims of a large plan.
    run(
        ds,
        &format!(
            "SELECT s.claimant_id, s.claim_id, s.amount, m.claimant_id, m.n, month_key(s.paid_date) \
         FROM stop_loss_reimbursements s LEFT JOIN \
           (SELECT claim_id, MIN(claimant_id) AS claimant_id, COUNT(DISTINCT claimant_id) AS n \
            FROM claims WHERE client_id = {c} \
              AND claim_id IN (SELECT claim_id FROM stop_loss_reimbursements WHERE client_id = {c}) \
            GROUP BY claim_id) m ON s.claim_id = m.claim_id \
         WHERE s.client_id = {c} AND s.paid_date >= {from} AND s.paid_date < {to}"
        ),
    )?
    .each(|r| {
        let (own, claim_id, amount) = (r.text(0)?, r.text(1)?, r.money(2)?);
        let (via_claim, matches, month) = (r.text(3)?, r.count(4)?, r.month(5)?);
        // A claimant named by the row and not confirmed by its claim may have no claim at all.
        if let Some(own) = own.as_ref().filter(|own| via_claim.as_ref() != Some(*own)) {
            unconfirmed.push((month, own.clone(), amount));
        }
        if let Some(id) = &claim_id {
            if via_claim.is_none() {
                not_found.push((month, format!("claim_id {id} ({amount})")));
            }
        }
        let linked = match (own, via_claim) {
            (Some(own), Some(via)) => {
                if own != via {
                    mismatch.push((
                        month,
                        format!("claimant_id {own} vs claim {} of {via}", claim_id.clone().unwrap_or_default()),
                    ));
                }
                Some(own)
            }
            (Some(own), None) => Some(own),
            (None, Some(via)) => {
                if matches > 1 {
                    ambiguous.push((
                        month,
                        format!(
                            "claim_id {} ({matches} claimants; linked to {via})",
                            claim_id.clone().unwrap_or_default()
                        ),
                    ));
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
    let claimant_unknown = claimants_without_claims(ds, client, unconfirmed)?;
    let warnings = [
        collect_warning(
            WarningCode::StopLossClaimNotFound,
            &not_found,
            "name a claim_id that matches no claim of the client; credited to their month but to no claimant",
        ),
        collect_warning(
            WarningCode::StopLossClaimantMismatch,
            &mismatch,
            "name a claimant_id that differs from their claim's claimant; claimant_id wins",
        ),
        collect_warning(
            WarningCode::StopLossClaimantNotFound,
            &claimant_unknown,
            "name a claimant_id that has no claim of the client; credited to their month but to no listed claimant",
        ),
        collect_warning(
            WarningCode::StopLossClaimAmbiguous,
            &ambiguous,
            "name a claim_id shared by several claimants; linked to the smallest claimant_id",
        ),
    ]
    .into_iter()
    .flatten()
    .collect();
    Ok(StopLossLinks { by_claimant, warnings })
}

/// The rows whose claimant_id has no claim of the client. The claims are
/// scanned only when some row names a claimant its claim did not confirm,
/// and then through the claims' integer keys (no text compared a row).
fn claimants_without_claims(
    ds: &Dataset,
    client: &str,
    unconfirmed: Vec<(MonthIndex, String, Decimal)>,
) -> Result<Vec<(MonthIndex, String)>> {
    if unconfirmed.is_empty() {
        return Ok(Vec::new());
    }
    let names: BTreeSet<&str> = unconfirmed.iter().map(|(_, id, _)| id.as_str()).collect();
    let keys = ds.claim_keys()?;
    let mut named = vec![false; keys.claimant.values.len()];
    for (k, id) in keys.claimant.values.iter().enumerate() {
        named[k] = names.contains(id.as_str());
    }
    let mut with_claims = BTreeSet::new();
    if let Some(client_key) = keys.client.values.iter().position(|c| c == client) {
        for b in 0..keys.client.batches() {
            let (clients, claimants) = (keys.client.batch(b), keys.claimant.batch(b));
            for i in 0..clients.len() {
                let k = claimants.get(i) as usize;
                if clients.get(i) == client_key as u32 && named.get(k).copied().unwrap_or(false) {
                    with_claims.insert(keys.claimant.values[k].as_str());
                }
            }
        }
    }
    Ok(unconfirmed
        .into_iter()
        .filter(|(_, id, _)| !with_claims.contains(id.as_str()))
        .map(|(month, id, amount)| (month, format!("claimant_id {id} ({amount})")))
        .collect())
}
