//! Stop-loss reimbursements paid in a period, linked to claimants: by the
//! claim a row names, else by its claimant_id, with a warning for each kind
//! of link that could not be made as written.

use std::collections::{BTreeMap, BTreeSet};

use rust_decimal::Decimal;

use super::claim_fold::FoldedClaims;
use super::common::warning;
use super::document::{Warning, WarningCode};
use super::query::{claims_of_client, dates_in_months, lit, lit_list, month_key_sql, run};
use crate::dataset::{ClaimsExecution, Dataset};
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

/// Each claim id a reimbursement of the client paid in months `first..=last`
/// names: the smallest claimant_id of its claims rows and how many distinct
/// claimants they have. The ids (a period's reimbursements: few) are read
/// first and the claims filtered by them as a list, not joined: a join of a
/// big input is a sort of every claim id on a cluster. No id, no claims read.
fn named_claims(
    ds: &Dataset,
    client: &str,
    first: MonthIndex,
    last: MonthIndex,
) -> Result<BTreeMap<String, (String, i64)>> {
    let mut ids = BTreeSet::new();
    run(
        ds,
        &format!(
            "SELECT DISTINCT CAST(claim_id AS VARCHAR) FROM stop_loss_reimbursements WHERE client_id = {} \
             AND {} AND claim_id IS NOT NULL",
            lit(client),
            dates_in_months("paid_date", first, last)
        ),
    )?
    .each(|r| {
        ids.extend(r.text(0)?);
        Ok(())
    })?;
    let mut out = BTreeMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    run(
        ds,
        &format!(
            "SELECT claim_id, MIN(claimant_id), COUNT(DISTINCT claimant_id) FROM claims WHERE {} \
               AND CAST(claim_id AS VARCHAR) IN ({}) GROUP BY claim_id",
            claims_of_client(ds, client),
            lit_list(ids.iter().map(String::as_str))
        ),
    )?
    .each(|r| {
        if let (Some(id), Some(claimant)) = (r.text(0)?, r.text(1)?) {
            out.insert(id, (claimant, r.count(2)?));
        }
        Ok(())
    })?;
    Ok(out)
}

/// Links the period's reimbursements; `folded` holds the claims of a
/// one-shot report (None: the dataset's stored claims).
pub(crate) fn stop_loss_links(
    ds: &Dataset,
    folded: Option<&FoldedClaims>,
    client: &str,
    first: MonthIndex,
    last: MonthIndex,
) -> Result<StopLossLinks> {
    let c = lit(client);
    let mut by_claimant: BTreeMap<String, Decimal> = BTreeMap::new();
    let (mut not_found, mut mismatch, mut ambiguous) = (Vec::new(), Vec::new(), Vec::new());
    let mut unconfirmed: Vec<(MonthIndex, String, Decimal)> = Vec::new();
    let stored;
    let named = match folded {
        Some(f) => &f.stop_loss_claims,
        None => {
            stored = named_claims(ds, client, first, last)?;
            &stored
        }
    };
    run(
        ds,
        &format!(
            "SELECT claimant_id, claim_id, amount, {} FROM stop_loss_reimbursements WHERE client_id = {c} AND {}",
            month_key_sql("paid_date"),
            dates_in_months("paid_date", first, last)
        ),
    )?
    .each(|r| {
        let (own, claim_id, amount, month) = (r.text(0)?, r.text(1)?, r.money(2)?, r.month(3)?);
        let found = claim_id.as_ref().and_then(|id| named.get(id));
        let (via_claim, matches) = (found.map(|(claimant, _)| claimant.clone()), found.map_or(0, |(_, n)| *n));
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
    let claimant_unknown = match folded {
        Some(f) => without_claims(unconfirmed, |id| f.claimants_with_claims.contains(id)),
        None => claimants_without_claims(ds, client, unconfirmed)?,
    };
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
    if ds.claims_execution() == ClaimsExecution::GroupedQueries {
        let mut with_claims = BTreeSet::new();
        run(
            ds,
            &format!(
                "SELECT DISTINCT claimant_id FROM claims WHERE {} AND claimant_id IN ({})",
                claims_of_client(ds, client),
                lit_list(names.iter().copied())
            ),
        )?
        .each(|r| {
            with_claims.extend(r.text(0)?);
            Ok(())
        })?;
        return Ok(without_claims(unconfirmed, |id| with_claims.contains(id)));
    }
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
    Ok(without_claims(unconfirmed, |id| with_claims.contains(id)))
}

fn without_claims(
    unconfirmed: Vec<(MonthIndex, String, Decimal)>,
    has_claims: impl Fn(&str) -> bool,
) -> Vec<(MonthIndex, String)> {
    unconfirmed
        .into_iter()
        .filter(|(_, id, _)| !has_claims(id))
        .map(|(month, id, amount)| (month, format!("claimant_id {id} ({amount})")))
        .collect()
}
