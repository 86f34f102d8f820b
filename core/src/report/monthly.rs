//! Monthly figures and the period figures derived from them (metrics.md,
//! "Monthly figures" and "Period figures"): sums per month from DataFusion,
//! ratios from the period's exact sums, rounded once.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use super::claim_figures::ClaimFigures;
use super::common::{to_decimal, warning};
use super::document::{MonthlyFigures, MonthlyRow, Num, PeriodSummary, Warning, WarningCode};
use super::query::{dates_in_months, lit, month_key_sql, run};
use crate::dataset::Dataset;
use crate::model::error::Result;
use crate::model::money::divide_round;
use crate::model::period::{month_key, month_label, MonthIndex};

/// Everything known about one month of one client.
#[derive(Debug, Clone, Default)]
pub(crate) struct MonthData {
    pub medical: Decimal,
    pub pharmacy: Decimal,
    pub claim_count: i64,
    pub claimant_count: i64,
    pub rebates: Decimal,
    pub stop_loss: Decimal,
    pub admin_fees: Decimal,
    /// (medical, pharmacy, admin, total) when the month has a budget row.
    pub budget: Option<[Decimal; 4]>,
    /// (members, employees) when the month has an enrollment row.
    pub enrollment: Option<(i64, i64)>,
    /// The month has a PEPM budget rate but no employee count to price it.
    pub unpriced_budget_rate: bool,
}

/// The months `first..=last` of a client: claims from the scan (none when
/// only the other tables are wanted), the other tables read with a handful
/// of grouped queries.
pub(crate) fn month_data(
    ds: &Dataset,
    client: &str,
    claims: Option<&dyn ClaimFigures>,
    first: MonthIndex,
    last: MonthIndex,
    rebates: &BTreeMap<MonthIndex, Decimal>,
    enrollment: &BTreeMap<MonthIndex, (i64, i64)>,
) -> Result<BTreeMap<MonthIndex, MonthData>> {
    let mut months: BTreeMap<MonthIndex, MonthData> = (first..=last).map(|m| (m, MonthData::default())).collect();
    let c = lit(client);
    let (k1, k2) = (month_key(first), month_key(last));

    for (month, sums) in claims.map(|c| c.months()).transpose()?.unwrap_or_default() {
        if let Some(m) = months.get_mut(&month) {
            m.medical = to_decimal(sums.medical)?;
            m.pharmacy = to_decimal(sums.pharmacy)?;
            m.claim_count = sums.claim_count;
            m.claimant_count = sums.claimant_count;
        }
    }
    run(
        ds,
        &format!(
        "SELECT year * 100 + month, SUM(budget_medical), SUM(budget_pharmacy), SUM(budget_admin), SUM(total_budget) \
         FROM budgets WHERE client_id = {c} AND year * 100 + month BETWEEN {k1} AND {k2} GROUP BY 1"
    ),
    )?
    .each(|r| {
        if let Some(m) = months.get_mut(&r.month(0)?) {
            m.budget = Some([r.money(1)?, r.money(2)?, r.money(3)?, r.money(4)?]);
        }
        Ok(())
    })?;
    for (month, data) in months.iter_mut() {
        data.enrollment = enrollment.get(month).copied();
    }
    // PEPM budgets: each rate x that month's employee count (exact cents).
    run(
        ds,
        &format!(
            "SELECT year * 100 + month, budget_medical_pepm, budget_pharmacy_pepm, budget_admin_pepm, budget_pepm \
         FROM budget_rates WHERE client_id = {c} AND year * 100 + month BETWEEN {k1} AND {k2}"
        ),
    )?
    .each(|r| {
        if let Some(m) = months.get_mut(&r.month(0)?) {
            match m.enrollment {
                Some((_, employees)) => {
                    let e = Decimal::from(employees);
                    m.budget = Some([r.money(1)? * e, r.money(2)? * e, r.money(3)? * e, r.money(4)? * e]);
                }
                None => m.unpriced_budget_rate = true,
            }
        }
        Ok(())
    })?;
    run(
        ds,
        &format!(
            "SELECT year * 100 + month, SUM(amount) FROM admin_fees \
         WHERE client_id = {c} AND year * 100 + month BETWEEN {k1} AND {k2} GROUP BY 1"
        ),
    )?
    .each(|r| {
        if let Some(m) = months.get_mut(&r.month(0)?) {
            m.admin_fees = r.money(1)?;
        }
        Ok(())
    })?;
    run(
        ds,
        &format!(
            "SELECT {}, SUM(amount) FROM stop_loss_reimbursements WHERE client_id = {c} AND {} GROUP BY 1",
            month_key_sql("paid_date"),
            dates_in_months("paid_date", first, last)
        ),
    )?
    .each(|r| {
        if let Some(m) = months.get_mut(&r.month(0)?) {
            m.stop_loss = r.money(1)?;
        }
        Ok(())
    })?;
    for (month, data) in months.iter_mut() {
        if let Some(amount) = rebates.get(month) {
            data.rebates = *amount;
        }
    }
    Ok(months)
}

fn monthly_figures(m: &MonthData) -> MonthlyFigures {
    let gross = m.medical + m.pharmacy;
    let net = gross - m.rebates - m.stop_loss;
    let total_cost = net + m.admin_fees;
    MonthlyFigures {
        medical_claims: Num::money(m.medical),
        pharmacy_claims: Num::money(m.pharmacy),
        gross_claims: Num::money(gross),
        rebates: Num::money(m.rebates),
        stop_loss_reimbursements: Num::money(m.stop_loss),
        net_claims: Num::money(net),
        admin_fees: Num::money(m.admin_fees),
        total_cost: Num::money(total_cost),
        budget_medical: m.budget.map(|b| Num::money(b[0])),
        budget_pharmacy: m.budget.map(|b| Num::money(b[1])),
        budget_admin: m.budget.map(|b| Num::money(b[2])),
        total_budget: m.budget.map(|b| Num::money(b[3])),
        variance: m.budget.map(|b| Num::money(b[3] - total_cost)),
        member_months: m.enrollment.map(|e| e.0),
        employee_months: m.enrollment.map(|e| e.1),
        claim_count: m.claim_count,
        claimant_count: m.claimant_count,
    }
}

pub(crate) fn monthly_rows(
    months: &BTreeMap<MonthIndex, MonthData>,
    first: MonthIndex,
    last: MonthIndex,
) -> Vec<MonthlyRow> {
    months
        .range(first..=last)
        .map(|(m, d)| MonthlyRow { month: month_label(*m), figures: monthly_figures(d) })
        .collect()
}

/// An exact per-member figure before rounding: numerator / member months.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ExactPmpm {
    pub amount: Decimal,
    pub members: i64,
}

/// The period figures of one period, with what the trends and breakdowns need.
pub(crate) struct PeriodFigures {
    pub summary: PeriodSummary,
    pub warnings: Vec<Warning>,
    /// Member months usable as a denominator (None when null, zero or missing).
    pub member_months: Option<i64>,
    pub gross: Decimal,
    pub pmpm_gross: Option<ExactPmpm>,
    pub pmpm_net: Option<ExactPmpm>,
    pub pmpm_total_cost: Option<ExactPmpm>,
    /// The period holds claim rows or enrollment rows of the client.
    pub has_data: bool,
}

fn sum_opt<T: Copy + std::ops::Add<Output = T>>(values: impl Iterator<Item = Option<T>>) -> Option<T> {
    values.flatten().fold(None, |acc, v| Some(acc.map_or(v, |a| a + v)))
}

fn months_named(months: &[MonthIndex]) -> Vec<String> {
    months.iter().map(|m| month_label(*m)).collect()
}

/// Period figures over `first..=last`; `claimant_count` is distinct over the period.
pub(crate) fn period_figures(
    months: &BTreeMap<MonthIndex, MonthData>,
    first: MonthIndex,
    last: MonthIndex,
    claimant_count: i64,
    what: &str,
) -> PeriodFigures {
    let span: Vec<(&MonthIndex, &MonthData)> = months.range(first..=last).collect();
    let rows: Vec<MonthlyFigures> = span.iter().map(|(_, d)| monthly_figures(d)).collect();
    let dsum = |f: fn(&MonthlyFigures) -> Num| Num::money(rows.iter().map(|r| f(r).0).sum::<Decimal>());
    let osum = |f: fn(&MonthlyFigures) -> Option<Num>| sum_opt(rows.iter().map(|r| f(r).map(|n| n.0))).map(Num);
    let isum = |f: fn(&MonthlyFigures) -> Option<i64>| sum_opt(rows.iter().map(f));

    let sums = MonthlyFigures {
        medical_claims: dsum(|r| r.medical_claims),
        pharmacy_claims: dsum(|r| r.pharmacy_claims),
        gross_claims: dsum(|r| r.gross_claims),
        rebates: dsum(|r| r.rebates),
        stop_loss_reimbursements: dsum(|r| r.stop_loss_reimbursements),
        net_claims: dsum(|r| r.net_claims),
        admin_fees: dsum(|r| r.admin_fees),
        total_cost: dsum(|r| r.total_cost),
        budget_medical: osum(|r| r.budget_medical),
        budget_pharmacy: osum(|r| r.budget_pharmacy),
        budget_admin: osum(|r| r.budget_admin),
        total_budget: osum(|r| r.total_budget),
        variance: osum(|r| r.variance),
        member_months: isum(|r| r.member_months),
        employee_months: isum(|r| r.employee_months),
        claim_count: rows.iter().map(|r| r.claim_count).sum(),
        claimant_count,
    };

    let mut warnings = Vec::new();
    let with_claims = |missing: fn(&MonthData) -> bool| -> Vec<MonthIndex> {
        span.iter().filter(|(_, d)| d.claim_count > 0 && missing(d)).map(|(m, _)| **m).collect()
    };
    let missing_enrollment = with_claims(|d| d.enrollment.is_none());
    let missing_budget = with_claims(|d| d.budget.is_none());
    let unpriced: Vec<MonthIndex> = span.iter().filter(|(_, d)| d.unpriced_budget_rate).map(|(m, _)| **m).collect();
    if !unpriced.is_empty() {
        let named = months_named(&unpriced);
        warnings.push(warning(
            WarningCode::PepmBudgetWithoutEnrollment,
            format!(
                "{what}: {} {} a PEPM budget rate but no employee count; the budget of those months is null",
                named.join(", "),
                if named.len() == 1 { "has" } else { "have" }
            ),
            Some(named),
        ));
    }
    let enrollment_ok = missing_enrollment.is_empty();
    let budget_ok = missing_budget.is_empty();
    if !enrollment_ok {
        let named = months_named(&missing_enrollment);
        warnings.push(warning(
            WarningCode::MissingEnrollment,
            format!(
                "{what}: {} {} claims but no enrollment; per-member and per-employee figures are null",
                named.join(", "),
                if named.len() == 1 { "has" } else { "have" }
            ),
            Some(named),
        ));
    }
    if !budget_ok {
        let named = months_named(&missing_budget);
        warnings.push(warning(
            WarningCode::MissingBudget,
            format!(
                "{what}: {} {} claims but no budget; loss ratios, variance_pct and budget_pepm are null",
                named.join(", "),
                if named.len() == 1 { "has" } else { "have" }
            ),
            Some(named),
        ));
    }

    let usable = |sum: Option<i64>, code: WarningCode, name: &str, warnings: &mut Vec<Warning>| -> Option<i64> {
        if !enrollment_ok {
            return None;
        }
        match sum {
            Some(n) if n != 0 => Some(n),
            _ => {
                warnings.push(warning(
                    code,
                    format!(
                        "{what}: {name} is {}; figures divided by it are null",
                        if sum.is_some() { "zero" } else { "missing" }
                    ),
                    None,
                ));
                None
            }
        }
    };
    let members = usable(sums.member_months, WarningCode::ZeroMemberMonths, "member_months", &mut warnings);
    let employees = usable(sums.employee_months, WarningCode::ZeroEmployeeMonths, "employee_months", &mut warnings);
    let total_budget = if budget_ok {
        match sums.total_budget {
            Some(b) if !b.0.is_zero() => Some(b.0),
            other => {
                warnings.push(warning(
                    WarningCode::ZeroBudget,
                    format!(
                        "{what}: total_budget is {}; loss_ratio and variance_pct are null",
                        if other.is_some() { "zero" } else { "missing" }
                    ),
                    None,
                ));
                None
            }
        }
    } else {
        None
    };
    let claims_budget = if budget_ok {
        match (sums.budget_medical, sums.budget_pharmacy) {
            (Some(m), Some(p)) if !(m.0 + p.0).is_zero() => Some(m.0 + p.0),
            _ => {
                warnings.push(warning(
                    WarningCode::ZeroClaimsBudget,
                    format!("{what}: budget_medical + budget_pharmacy is zero or missing; claims_loss_ratio is null"),
                    None,
                ));
                None
            }
        }
    } else {
        None
    };

    let per = |amount: Num, den: Option<i64>| den.and_then(|d| divide_round(amount.0, Decimal::from(d), 2)).map(Num);
    let ratio = |num: Decimal, den: Option<Decimal>| den.and_then(|d| divide_round(num, d, 4)).map(Num);
    let exact = |amount: Num| members.map(|m| ExactPmpm { amount: amount.0, members: m });

    let summary = PeriodSummary {
        medical_pmpm: per(sums.medical_claims, members),
        pharmacy_pmpm: per(sums.pharmacy_claims, members),
        gross_pmpm: per(sums.gross_claims, members),
        net_pmpm: per(sums.net_claims, members),
        total_cost_pmpm: per(sums.total_cost, members),
        medical_pepm: per(sums.medical_claims, employees),
        pharmacy_pepm: per(sums.pharmacy_claims, employees),
        gross_pepm: per(sums.gross_claims, employees),
        net_pepm: per(sums.net_claims, employees),
        total_cost_pepm: per(sums.total_cost, employees),
        budget_pepm: if budget_ok { sums.total_budget.and_then(|b| per(b, employees)) } else { None },
        loss_ratio: ratio(sums.total_cost.0, total_budget),
        claims_loss_ratio: ratio(sums.net_claims.0, claims_budget),
        variance_pct: sums.variance.and_then(|v| ratio(v.0, total_budget)),
        members_per_employee: members.and_then(|m| ratio(Decimal::from(m), employees.map(Decimal::from))),
        trend_gross_pmpm: None,
        trend_net_pmpm: None,
        trend_total_cost_pmpm: None,
        sums: sums.clone(),
    };
    let has_data = span.iter().any(|(_, d)| d.claim_count > 0 || d.enrollment.is_some());
    PeriodFigures {
        pmpm_gross: exact(sums.gross_claims),
        pmpm_net: exact(sums.net_claims),
        pmpm_total_cost: exact(sums.total_cost),
        member_months: members,
        gross: sums.gross_claims.0,
        summary,
        warnings,
        has_data,
    }
}

/// this / prior - 1 from the exact, unrounded PMPMs, rounded once to 4 decimals.
/// Returns the trend and whether the prior base was zero.
pub(crate) fn trend(current: Option<ExactPmpm>, prior: Option<ExactPmpm>) -> (Option<Num>, bool) {
    let (Some(c), Some(p)) = (current, prior) else { return (None, false) };
    if p.amount.is_zero() {
        return (None, true);
    }
    // (C/Mc) / (P/Mp) - 1 = (C*Mp - Mc*P) / (Mc*P)
    let (mc, mp) = (Decimal::from(c.members), Decimal::from(p.members));
    let value =
        c.amount.checked_mul(mp).zip(mc.checked_mul(p.amount)).and_then(|(a, b)| divide_round(a.checked_sub(b)?, b, 4));
    (value.map(Num), false)
}
