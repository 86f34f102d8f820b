//! The `projection` section: the plan year's total cost = the completed year
//! to date + each remaining month's trended PMPM x its member months,
//! against the annual budget, with a range of one standard error.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use super::common::warning;
use super::completion::ProjectionBase;
use super::document::{
    CompletedPeriod, Num, PeriodRange, PeriodSummary, ProjectedMonth, ProjectionSection, Warning, WarningCode,
};
use super::enrollment;
use super::monthly;
use crate::dataset::Dataset;
use crate::model::error::{Error, Result};
use crate::model::money::{divide_round, round_half_away};
use crate::model::period::{month_label, MonthIndex, Period};
use crate::rules::eligibility::EligibilityCounting;

pub(crate) struct ProjectionInput<'a> {
    pub client: &'a str,
    pub period: &'a Period,
    pub summary: &'a PeriodSummary,
    pub completed: &'a CompletedPeriod,
    /// Members of the period's last month (carried forward when a later month has no enrollment).
    pub last_members: Option<i64>,
    pub trend: Decimal,
    pub counting: EligibilityCounting,
}

pub(crate) fn project(ds: &Dataset, input: &ProjectionInput) -> Result<(ProjectionSection, Vec<Warning>)> {
    let (first, last) = (input.period.first, input.period.last);
    let plan_last: MonthIndex = first + 11;
    if last > plan_last {
        return Err(Error::argument(format!(
            "project_year: the period {}..{} is longer than a plan year; the plan year is the 12 months from the period's first month",
            month_label(first),
            month_label(last)
        )));
    }
    let mut warnings = Vec::new();
    let remaining: Vec<MonthIndex> = (last + 1..=plan_last).collect();
    let (counts, budgets) = if remaining.is_empty() {
        (BTreeMap::new(), BTreeMap::new())
    } else {
        let counts = enrollment::enrollment(ds, input.client, last + 1, plan_last, input.counting)?.by_month;
        let data = monthly::month_data(ds, input.client, None, last + 1, plan_last, &BTreeMap::new(), &counts)?;
        let budgets: BTreeMap<MonthIndex, Option<Decimal>> =
            data.iter().map(|(m, d)| (*m, d.budget.map(|b| b[3]))).collect();
        (counts, budgets)
    };

    let ytd_total = input.completed.completed_total_cost.0;
    let ytd_base = input.summary.sums.member_months.filter(|m| *m > 0).map(|members| ProjectionBase {
        amount: ytd_total,
        members,
        first,
        last,
        trend: input.trend,
    });
    let mut months = Vec::with_capacity(remaining.len());
    let (mut projected_sum, mut complete) = (Decimal::ZERO, ytd_base.is_some());
    // Each projected month's share of the year to date: sum of trend x members / YTD members.
    let mut scale = Decimal::ONE;
    let mut missing_members = Vec::new();
    for month in &remaining {
        let (members, from) = match counts.get(month) {
            Some((members, _)) => (Some(*members), "enrollment"),
            None => (input.last_members, "carried_forward"),
        };
        let amount = match (members, &ytd_base) {
            (Some(m), Some(base)) => base.expected(*month, m)?,
            _ => None,
        };
        match (amount, members, &ytd_base) {
            (Some(a), Some(m), Some(base)) => {
                projected_sum += a;
                scale += base.share(*month, m)?;
            }
            _ => {
                complete = false;
                missing_members.push(month_label(*month));
            }
        }
        months.push(ProjectedMonth {
            month: month_label(*month),
            member_months: members,
            members_from: from.to_string(),
            pmpm: match (amount, members) {
                (Some(a), Some(m)) => divide_round(a, Decimal::from(m), 2).map(Num),
                _ => None,
            },
            total_cost: amount.map(Num::money),
            total_budget: budgets.get(month).copied().flatten().map(Num::money),
        });
    }
    if !missing_members.is_empty() {
        warnings.push(warning(
            WarningCode::ProjectionMissingEnrollment,
            format!(
                "{} cannot be projected: the year to date or the month has no member months; the projection is null",
                missing_members.join(", ")
            ),
            Some(missing_members),
        ));
    }
    let missing_budget: Vec<String> =
        budgets.iter().filter(|(_, b)| b.is_none()).map(|(m, _)| month_label(*m)).collect();
    if !missing_budget.is_empty() {
        warnings.push(warning(
            WarningCode::ProjectionMissingBudget,
            format!(
                "{} has no budget row; the annual budget and the projected loss ratio are null",
                missing_budget.join(", ")
            ),
            Some(missing_budget.clone()),
        ));
    }
    let annual_budget = match (input.summary.loss_ratio, input.summary.sums.total_budget) {
        (Some(_), Some(ytd)) if missing_budget.is_empty() => {
            Some(ytd.0 + budgets.values().map(|b| b.unwrap_or_default()).sum::<Decimal>())
        }
        _ => None,
    };
    let projected = complete.then_some(ytd_total + projected_sum);
    let std_err = round_half_away(input.completed.std_err.0 * scale, 2);
    let ratio = |amount: Option<Decimal>| match (amount, annual_budget) {
        (Some(a), Some(b)) => divide_round(a, b, 4).map(Num),
        _ => None,
    };
    let low = projected.map(|p| p - std_err);
    let high = projected.map(|p| p + std_err);
    Ok((
        ProjectionSection {
            plan_year: PeriodRange {
                start: input.period.start_date().to_string(),
                end: Period { label: String::new(), first, last: plan_last }.end_date().to_string(),
            },
            months_actual: (last - first + 1) as usize,
            months_projected: remaining.len(),
            completed_ytd_total_cost: Num::money(ytd_total),
            ytd_member_months: input.summary.sums.member_months,
            completed_ytd_pmpm: input.completed.completed_total_cost_pmpm,
            trend: Num(input.trend.normalize()),
            projected_months: months,
            projected_total_cost: projected.map(Num::money),
            annual_budget: annual_budget.map(Num::money),
            projected_loss_ratio: ratio(projected),
            projected_variance: match (annual_budget, projected) {
                (Some(b), Some(p)) => Some(Num::money(b - p)),
                _ => None,
            },
            std_err: Num::money(std_err),
            low: low.map(Num::money),
            high: high.map(Num::money),
            low_loss_ratio: ratio(low),
            high_loss_ratio: ratio(high),
        },
        warnings,
    ))
}
