//! The `stop_loss` section (metrics.md, "Stop-loss (contract year)"): per
//! claimant eligible claims against the deductible or laser, expected
//! specific reimbursement against what was received, and the aggregate
//! claims against the attachment point.

use std::collections::{BTreeMap, BTreeSet};

use rust_decimal::Decimal;

use super::common::warning;
use super::document::{
    AggregateSummary, ContractUsed, Laser, Num, SpecificSummary, StopLossClaimant, StopLossSection, Warning,
    WarningCode,
};
use super::enrollment::enrollment;
use super::monthly::month_data;
use super::query::{claims_in_months, dates_in_months, decimal_literal, lit, lit_list, run};
use super::stop_loss_links::stop_loss_links;
use crate::dataset::Dataset;
use crate::model::error::Result;
use crate::model::money::divide_round;
use crate::model::period::month_label;
use crate::rules::eligibility::EligibilityCounting;
use crate::rules::privacy::Privacy;
use crate::rules::stop_loss_contract::{AggregateAttachment, StopLossContract};

/// The claims incurred and paid inside the contract windows: their sum, and
/// the totals of every claimant the section can list: over the smallest
/// deductible (specific or laser), lasered, or named by a reimbursement
/// (`reimbursed`). Any other claimant's total is at most its deductible:
/// nothing is expected for it and it has no row, so its total stays where
/// the claims are (a cluster's executors).
fn eligible_claims<'a>(
    ds: &Dataset,
    client: &str,
    contract: &'a StopLossContract,
    reimbursed: impl Iterator<Item = &'a String>,
) -> Result<(Decimal, BTreeMap<String, Decimal>)> {
    let (p1, p2) = contract.paid_window();
    let mut filter = claims_in_months(ds, client, "paid_date", p1, p2);
    if let Some((i1, i2)) = contract.incurred_window() {
        filter.push_str(&format!(" AND {}", claims_in_months(ds, client, "claim_date", i1, i2)));
    }
    let mut sum = Decimal::ZERO;
    run(ds, &format!("SELECT SUM(total_amount) FROM claims WHERE {filter}"))?.each(|r| {
        sum = r.money(0)?;
        Ok(())
    })?;
    let smallest = contract.lasers.values().copied().fold(contract.specific_deductible, Decimal::min);
    let mut wanted = format!("SUM(total_amount) > {}", decimal_literal(smallest));
    let named: BTreeSet<&String> = reimbursed.chain(contract.lasers.keys()).collect();
    if !named.is_empty() {
        let listed = lit_list(named.iter().map(|id| id.as_str()));
        wanted.push_str(&format!(" OR CAST(claimant_id AS VARCHAR) IN ({listed})"));
    }
    let mut totals = BTreeMap::new();
    // Claimant ids grouped as text (a dictionary groups ten times slower).
    let sql = format!(
        "SELECT CAST(claimant_id AS VARCHAR), SUM(total_amount) FROM claims WHERE {filter} GROUP BY 1 HAVING {wanted}"
    );
    run(ds, &sql)?.each(|r| {
        totals.insert(r.text(0)?.unwrap_or_default(), r.money(1)?);
        Ok(())
    })?;
    Ok((sum, totals))
}

/// Medical + pharmacy budgets of the contract months; None (with the
/// months named) when a month has no budget.
fn expected_claims(
    ds: &Dataset,
    client: &str,
    contract: &StopLossContract,
    counting: EligibilityCounting,
) -> Result<std::result::Result<Decimal, Vec<String>>> {
    let (first, last) = contract.contract_months();
    let counts = enrollment(ds, client, first, last, counting)?;
    let months = month_data(ds, client, None, first, last, &BTreeMap::new(), &counts.by_month)?;
    let missing: Vec<String> =
        months.iter().filter(|(_, d)| d.budget.is_none()).map(|(m, _)| month_label(*m)).collect();
    if !missing.is_empty() {
        return Ok(Err(missing));
    }
    Ok(Ok(months.values().filter_map(|d| d.budget).map(|b| b[0] + b[1]).sum()))
}

fn paid_in_window(ds: &Dataset, client: &str, contract: &StopLossContract) -> Result<Decimal> {
    let (p1, p2) = contract.paid_window();
    let mut total = Decimal::ZERO;
    run(
        ds,
        &format!(
            "SELECT SUM(amount) FROM stop_loss_reimbursements WHERE client_id = {} AND {}",
            lit(client),
            dates_in_months("paid_date", p1, p2)
        ),
    )?
    .each(|r| {
        total = r.money(0)?;
        Ok(())
    })?;
    Ok(total)
}

pub(crate) fn section(
    ds: &Dataset,
    client: &str,
    contract: &StopLossContract,
    privacy: &Privacy,
    counting: EligibilityCounting,
) -> Result<(StopLossSection, Vec<Warning>)> {
    let (p1, p2) = contract.paid_window();
    let links = stop_loss_links(ds, None, client, p1, p2)?;
    let (eligible_claims, eligible) = eligible_claims(ds, client, contract, links.by_claimant.keys())?;
    let mut warnings: Vec<Warning> = links
        .warnings
        .iter()
        .map(|w| Warning { message: format!("stop-loss contract paid window: {}", w.message), ..w.clone() })
        .collect();

    let mut ids: Vec<&String> = eligible.keys().chain(links.by_claimant.keys()).chain(contract.lasers.keys()).collect();
    ids.sort();
    ids.dedup();
    let mut claimants = Vec::new();
    let (mut specific_excess, mut over) = (Decimal::ZERO, 0i64);
    for id in ids {
        let total = eligible.get(id).copied().unwrap_or_default();
        let deductible = contract.deductible_for(id);
        let expected = (total - deductible).max(Decimal::ZERO);
        let received = links.by_claimant.get(id).copied().unwrap_or_default();
        specific_excess += expected;
        if expected > Decimal::ZERO {
            over += 1;
        }
        let lasered = contract.lasers.contains_key(id);
        if expected > Decimal::ZERO || !received.is_zero() || lasered {
            claimants.push(StopLossClaimant {
                claimant_id: privacy.claimant(id),
                eligible_total: Num::money(total),
                deductible: Num::money(deductible),
                lasered,
                deductible_used: Num::money(total.max(Decimal::ZERO).min(deductible)),
                expected_specific: Num::money(expected),
                received: Num::money(received),
                outstanding: Num::money(expected - received),
            });
        }
    }
    claimants.sort_by(|a, b| {
        b.expected_specific
            .cmp(&a.expected_specific)
            .then(b.eligible_total.cmp(&a.eligible_total))
            .then(a.claimant_id.as_bytes().cmp(b.claimant_id.as_bytes()))
    });
    let linked: Decimal = links.by_claimant.values().copied().sum();
    let received: Decimal = claimants.iter().map(|c| c.received.0).sum();
    let aggregate_claims = eligible_claims - specific_excess;

    let (expected, attachment) = match contract.aggregate {
        Some(AggregateAttachment::Amount(a)) => (None, Some(a)),
        Some(AggregateAttachment::Factor(f)) => match expected_claims(ds, client, contract, counting)? {
            Ok(e) => (Some(e), divide_round(f * e, Decimal::ONE, 2)),
            Err(missing) => {
                warnings.push(warning(
                    WarningCode::StopLossMissingBudget,
                    format!("stop-loss contract: {} {} no budget, so expected claims and the aggregate attachment point are null", missing.join(", "), if missing.len() == 1 { "has" } else { "have" }),
                    Some(missing),
                ));
                (None, None)
            }
        },
        None => (None, None),
    };
    if attachment.is_some_and(|a| a.is_zero()) {
        warnings.push(warning(
            WarningCode::StopLossZeroAttachment,
            "stop-loss contract: the aggregate attachment point is zero; aggregate_ratio is null".into(),
            None,
        ));
    }
    let (c1, c2) = contract.contract_months();
    let (i1, i2) =
        contract.incurred_window().map_or((None, None), |(a, b)| (Some(month_label(a)), Some(month_label(b))));
    let mut lasers: Vec<Laser> = contract
        .lasers
        .iter()
        .map(|(id, d)| Laser { claimant_id: privacy.claimant(id), specific_deductible: Num::money(*d) })
        .collect();
    lasers.sort_by(|a, b| a.claimant_id.as_bytes().cmp(b.claimant_id.as_bytes()));
    let section = StopLossSection {
        contract: ContractUsed {
            start_month: month_label(c1),
            end_month: month_label(c2),
            basis: contract.basis_label(),
            incurred_start: i1,
            incurred_end: i2,
            paid_start: month_label(p1),
            paid_end: month_label(p2),
            specific_deductible: Num::money(contract.specific_deductible),
            lasers,
            aggregate_attachment: match contract.aggregate {
                Some(AggregateAttachment::Amount(a)) => Some(Num::money(a)),
                _ => None,
            },
            aggregate_factor: match contract.aggregate {
                Some(AggregateAttachment::Factor(f)) => Some(Num(f)),
                _ => None,
            },
        },
        specific: SpecificSummary {
            claimants_over_deductible: over,
            expected_specific: Num::money(specific_excess),
            received: Num::money(received),
            unlinked_received: Num::money(paid_in_window(ds, client, contract)? - linked),
            outstanding: Num::money(specific_excess - received),
        },
        claimants,
        aggregate: AggregateSummary {
            eligible_claims: Num::money(eligible_claims),
            specific_excess: Num::money(specific_excess),
            aggregate_claims: Num::money(aggregate_claims),
            expected_claims: expected.map(Num::money),
            attachment_point: attachment.map(Num::money),
            aggregate_ratio: attachment.and_then(|a| divide_round(aggregate_claims, a, 4)).map(Num),
        },
    };
    Ok((section, warnings))
}
