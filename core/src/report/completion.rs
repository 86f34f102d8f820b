//! The `completion` section: the client's paid claims as a lag triangle at
//! a valuation date, completed by the chain ladder (with Mack's standard
//! error) and, for the latest months, by an expected PMPM projection
//! (docs/completion.md).

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use rust_decimal::{Decimal, MathematicalOps};

use super::common::warning;
use super::completion_options::{parse_as_of, CompletionOptions};
use super::document::{
    CompletedPeriod, CompletionMonth, CompletionParameters, CompletionSection, CompletionTotals, DevelopmentFactor,
    LagTriangle, MonthlyRow, Num, PeriodSummary, TriangleAmounts, Warning, WarningCode,
};
use super::query::{claims_of_client, month_key_sql, run};
use crate::dataset::Dataset;
use crate::model::error::{Error, Result};
use crate::model::money::{divide_round, round_half_away};
use crate::model::period::{month_index, month_label, MonthIndex};
use crate::rules::chain_ladder::{completion_factor, DevelopmentOptions, Triangle, FACTOR_DP};
use crate::rules::mack::mack;

/// What the completion hands to the rest of the report.
pub(crate) struct Completion {
    pub section: CompletionSection,
    pub warnings: Vec<Warning>,
    pub notes: Vec<String>,
}

/// Paid amounts of one (incurred month, development age) cell.
#[derive(Default, Clone, Copy)]
struct Cell {
    medical: Decimal,
    pharmacy: Decimal,
}

/// Paid amounts by (incurred month, paid month).
type PaidCells = BTreeMap<(MonthIndex, MonthIndex), Cell>;

/// Rows the triangle leaves out or moves, for the notes.
#[derive(Default)]
struct Excluded {
    paid_after: (i64, Decimal),
    incurred_after: (i64, Decimal),
    incurred_too_early: (i64, Decimal),
    paid_before_incurred: i64,
}

/// Incurred months a triangle holds at most (ten years): older months are
/// complete long since, and a stray date from 1900 must not make a triangle
/// of a million cells.
pub const TRIANGLE_MONTHS: i32 = 120;

fn engine(message: String) -> Error {
    Error::engine(format!("completion: {message}"))
}

fn latest_paid_date(ds: &Dataset, client: &str) -> Result<Option<NaiveDate>> {
    let mut latest = None;
    run(
        ds,
        &format!(
            "SELECT CAST(MAX(COALESCE(paid_date, claim_date)) AS VARCHAR) FROM claims WHERE {}",
            claims_of_client(ds, client)
        ),
    )?
    .each(|r| {
        latest = r.text(0)?.map(|t| parse_as_of(&t)).transpose()?;
        Ok(())
    })?;
    Ok(latest)
}

/// The client's paid amounts by (incurred month, paid month), paid by `as_of`.
fn paid_cells(ds: &Dataset, client: &str, as_of: NaiveDate) -> Result<(PaidCells, Excluded)> {
    let c = claims_of_client(ds, client);
    let date = format!("DATE '{as_of}'");
    let mut cells = BTreeMap::new();
    run(
        ds,
        &format!(
            "SELECT {}, {}, \
             SUM(medical_amount), SUM(pharmacy_amount), COUNT(*) FROM claims \
             WHERE {c} AND COALESCE(paid_date, claim_date) <= {date} GROUP BY 1, 2",
            month_key_sql("claim_date"),
            month_key_sql("COALESCE(paid_date, claim_date)"),
        ),
    )?
    .each(|r| {
        cells.insert((r.month(0)?, r.month(1)?), (Cell { medical: r.money(2)?, pharmacy: r.money(3)? }, r.count(4)?));
        Ok(())
    })?;
    let mut excluded = Excluded::default();
    run(
        ds,
        &format!(
            "SELECT COUNT(*), SUM(total_amount) FROM claims \
             WHERE {c} AND COALESCE(paid_date, claim_date) > {date}"
        ),
    )?
    .each(|r| {
        excluded.paid_after = (r.count(0)?, r.dec(1)?.unwrap_or_default());
        Ok(())
    })?;
    let valuation = month_index(as_of.year(), as_of.month());
    let mut kept = BTreeMap::new();
    for ((incurred, paid), (cell, rows)) in cells {
        if incurred > valuation {
            excluded.incurred_after.0 += rows;
            excluded.incurred_after.1 += cell.medical + cell.pharmacy;
            continue;
        }
        if incurred <= valuation - TRIANGLE_MONTHS {
            excluded.incurred_too_early.0 += rows;
            excluded.incurred_too_early.1 += cell.medical + cell.pharmacy;
            continue;
        }
        if paid < incurred {
            excluded.paid_before_incurred += rows;
        }
        let at = kept.entry((incurred, paid.max(incurred))).or_insert_with(Cell::default);
        at.medical += cell.medical;
        at.pharmacy += cell.pharmacy;
    }
    Ok((kept, excluded))
}

/// `(1 + trend) ^ (months / 12)` rounded to the factor decimals; 1 without trend.
fn trend_factor(trend: Decimal, months_times_two: i64) -> Result<Decimal> {
    if trend.is_zero() || months_times_two == 0 {
        return Ok(Decimal::ONE);
    }
    let exponent = Decimal::from(months_times_two) / Decimal::from(24);
    (Decimal::ONE + trend)
        .checked_powd(exponent)
        .map(|f| round_half_away(f, FACTOR_DP))
        .ok_or_else(|| engine(format!("the trend factor (1 + {trend}) ^ ({exponent}) cannot be computed")))
}

/// The base of a PMPM projection: completed claims over member months of
/// the months `first..=last`, trended from their middle.
pub(crate) struct ProjectionBase {
    pub amount: Decimal,
    pub members: i64,
    pub first: MonthIndex,
    pub last: MonthIndex,
    pub trend: Decimal,
}

impl ProjectionBase {
    /// The trend from the base's middle to `month` (2t - (first + last) half-months).
    fn trend_to(&self, month: MonthIndex) -> Result<Decimal> {
        trend_factor(self.trend, i64::from(2 * month - self.first - self.last))
    }

    /// The trended expected amount of `month` with `members`: base amount x
    /// trend x members / base members, to the cent.
    pub fn expected(&self, month: MonthIndex, members: i64) -> Result<Option<Decimal>> {
        let numerator = self
            .amount
            .checked_mul(self.trend_to(month)?)
            .and_then(|n| n.checked_mul(Decimal::from(members)))
            .ok_or_else(|| engine("an expected amount is too large".into()))?;
        Ok(divide_round(numerator, Decimal::from(self.members), 2))
    }

    /// The month's expected amount per unit of base amount: trend x members
    /// / base members (unrounded; it scales a standard error).
    pub fn share(&self, month: MonthIndex, members: i64) -> Result<Decimal> {
        self.trend_to(month)?
            .checked_mul(Decimal::from(members))
            .and_then(|n| n.checked_div(Decimal::from(self.members)))
            .ok_or_else(|| engine("a trend share cannot be computed".into()))
    }
}

fn money(d: Decimal) -> Num {
    Num::money(d)
}

fn factor_num(d: Decimal) -> Num {
    let mut d = d;
    d.rescale(FACTOR_DP);
    Num(d)
}

fn statistic(d: Decimal) -> Num {
    Num(round_half_away(d, 6))
}

pub(crate) struct CompletionInput<'a> {
    pub client: &'a str,
    pub options: &'a CompletionOptions,
    pub period: (MonthIndex, MonthIndex),
    pub counting: crate::rules::eligibility::EligibilityCounting,
    pub summary: &'a PeriodSummary,
    pub monthly: &'a [MonthlyRow],
}

pub(crate) fn complete(ds: &Dataset, input: &CompletionInput) -> Result<Completion> {
    let options = input.options;
    let client = input.client;
    let latest = latest_paid_date(ds, client)?
        .ok_or_else(|| Error::argument(format!("completion: client '{client}' has no claims to complete")))?;
    let as_of = match options.as_of {
        // Valuing past the data's last month would invent months of nothing paid.
        Some(d) if month_index(d.year(), d.month()) > month_index(latest.year(), latest.month()) => {
            return Err(Error::argument(format!(
                "completion: as_of {d} is after the month of the latest paid date ({latest}); value the claims by {} at the latest",
                crate::model::period::date_in_month(month_index(latest.year(), latest.month()) + 1, 1)
                    .and_then(|d| d.pred_opt())
                    .map_or_else(|| latest.to_string(), |d| d.to_string())
            )))
        }
        Some(d) => d,
        None => latest,
    };
    let valuation = month_index(as_of.year(), as_of.month());
    let (first, last) = input.period;
    if last > valuation {
        return Err(Error::argument(format!(
            "completion: the period ends in {}, after the valuation month {} (as_of {as_of}); give a period that ends by then or a later as_of",
            month_label(last),
            month_label(valuation)
        )));
    }
    let (cells, excluded) = paid_cells(ds, client, as_of)?;
    let Some(origin_first) = cells.keys().map(|(incurred, _)| *incurred).min() else {
        return Err(Error::argument(format!("completion: client '{client}' has no claims paid by {as_of}")));
    };
    let origins: Vec<MonthIndex> = (origin_first..=valuation).collect();
    let width = |o: MonthIndex| (valuation - o + 1) as usize;

    // Incremental and cumulative amounts by origin and age.
    let mut incremental: Vec<Vec<Cell>> = origins.iter().map(|o| vec![Cell::default(); width(*o)]).collect();
    for ((incurred, paid), cell) in &cells {
        let row = (incurred - origin_first) as usize;
        incremental[row][(paid - incurred) as usize] = *cell;
    }
    let cumulative: Vec<Vec<Cell>> = incremental
        .iter()
        .map(|row| {
            let mut sum = Cell::default();
            row.iter()
                .map(|c| {
                    sum.medical += c.medical;
                    sum.pharmacy += c.pharmacy;
                    sum
                })
                .collect()
        })
        .collect();
    let amounts = |rows: &[Vec<Cell>]| TriangleAmounts {
        medical: rows.iter().map(|r| r.iter().map(|c| money(c.medical)).collect()).collect(),
        pharmacy: rows.iter().map(|r| r.iter().map(|c| money(c.pharmacy)).collect()).collect(),
        total: rows.iter().map(|r| r.iter().map(|c| money(c.medical + c.pharmacy)).collect()).collect(),
    };
    let triangle =
        Triangle { rows: cumulative.iter().map(|r| r.iter().map(|c| c.medical + c.pharmacy).collect()).collect() };
    let development = DevelopmentOptions { recent_origins: options.completion_months, tail: options.tail };
    let developed = triangle.develop(&development)?;
    let in_period = |i: usize| (first..=last).contains(&origins[i]);
    let stats = mack(&triangle, &developed, &development)?;
    let period_std_err = stats.total_std_err(in_period)?;

    let mut warnings = Vec::new();
    let enrolled = super::enrollment::enrollment(ds, client, origin_first, valuation, input.counting)?.by_month;
    let members = |m: MonthIndex| enrolled.get(&m).map(|(members, _)| *members);
    let chain_ladder: Vec<Decimal> = developed.origins.iter().map(|o| o.ultimate).collect();
    let factors: Vec<Option<Decimal>> = developed.origins.iter().map(|o| completion_factor(o.to_ultimate)).collect();

    // The latest months by projection, from the 12 months before them.
    let n = origins.len();
    let projected_from = n.saturating_sub(options.projection_months);
    let mut projection: Vec<Option<Decimal>> = vec![None; n];
    if options.projection_months > 0 {
        let base = projected_from.checked_sub(12).map(|b| b..projected_from);
        let base_members: Option<i64> =
            base.clone().and_then(|b| b.map(|i| members(origins[i])).sum::<Option<i64>>()).filter(|m| *m > 0);
        match (base, base_members) {
            (Some(base), Some(base_members)) => {
                let projection_base = ProjectionBase {
                    amount: base.clone().map(|i| chain_ladder[i]).sum(),
                    members: base_members,
                    first: origins[base.start],
                    last: origins[base.end - 1],
                    trend: options.trend,
                };
                let mut unavailable = Vec::new();
                for i in projected_from..n {
                    match members(origins[i]) {
                        Some(m) => projection[i] = projection_base.expected(origins[i], m)?,
                        None => unavailable.push(month_label(origins[i])),
                    }
                }
                if !unavailable.is_empty() {
                    warnings.push(warning(
                        WarningCode::CompletionProjectionUnavailable,
                        format!(
                            "{} has no enrollment, so the chain ladder completes it instead of the projection",
                            unavailable.join(", ")
                        ),
                        Some(unavailable),
                    ));
                }
            }
            _ => {
                let months: Vec<String> = (projected_from..n).map(|i| month_label(origins[i])).collect();
                warnings.push(warning(
                    WarningCode::CompletionProjectionUnavailable,
                    format!(
                        "the projection needs the 12 incurred months before {} with member months; the chain ladder completes {} instead",
                        months.first().cloned().unwrap_or_default(),
                        months.join(", ")
                    ),
                    Some(months),
                ));
            }
        }
    }

    let mut completed = Vec::with_capacity(n);
    let mut months = Vec::with_capacity(n);
    let (mut paid_total, mut completed_total) = (Decimal::ZERO, Decimal::ZERO);
    for (i, origin) in developed.origins.iter().enumerate() {
        let (method, value) = match projection[i] {
            None => ("chain_ladder", chain_ladder[i]),
            Some(p) if !options.blend => ("projection", p),
            Some(p) => {
                // No completion factor (a cumulative factor of 0): the projection alone.
                let z = factors[i].unwrap_or(Decimal::ZERO);
                let blended = z
                    .checked_mul(chain_ladder[i])
                    .zip((Decimal::ONE - z).checked_mul(p))
                    .and_then(|(a, b)| a.checked_add(b))
                    .ok_or_else(|| engine("a blended amount is too large".into()))?;
                ("blend", round_half_away(blended, 2))
            }
        };
        completed.push(value);
        paid_total += origin.latest;
        completed_total += value;
        let member_months = members(origins[i]);
        months.push(CompletionMonth {
            month: month_label(origins[i]),
            age: origin.age,
            paid: money(origin.latest),
            completion_factor: factors[i].map(factor_num),
            chain_ladder: money(chain_ladder[i]),
            projection: projection[i].map(money),
            method: method.to_string(),
            completed: money(value),
            ibnr: money(value - origin.latest),
            member_months,
            completed_pmpm: member_months.and_then(|m| divide_round(value, Decimal::from(m), 2)).map(Num),
            std_err: money(round_half_away(stats.origin_std_err[i], 2)),
        });
    }

    let factor_rows = developed
        .factors
        .iter()
        .zip(&stats.ages)
        .map(|(f, v)| DevelopmentFactor {
            age: f.age,
            factor: factor_num(f.factor),
            months_used: f.origins,
            to_ultimate: factor_num(developed.to_ultimate[f.age]),
            completion_factor: completion_factor(developed.to_ultimate[f.age]).map(factor_num),
            sigma: statistic(v.sigma),
            std_err: statistic(v.std_err),
            sigma_estimated: v.estimated,
        })
        .collect::<Vec<_>>();

    let period = completed_period(input, origin_first, &completed, &developed.origins, period_std_err)?;
    let method = match (projection.iter().any(Option::is_some), options.blend) {
        (false, _) => "chain_ladder",
        (true, false) => "chain_ladder+projection",
        (true, true) => "chain_ladder+blend",
    };
    let notes = notes(options, as_of, &excluded, &months);
    Ok(Completion {
        section: CompletionSection {
            as_of: as_of.to_string(),
            valuation_month: month_label(valuation),
            method: method.to_string(),
            parameters: CompletionParameters {
                completion_months: options.completion_months,
                projection_months: options.projection_months,
                trend: Num(options.trend.normalize()),
                blend: options.blend,
                tail: Num(options.tail.normalize()),
            },
            triangle: LagTriangle {
                incurred: origins.iter().map(|o| month_label(*o)).collect(),
                incremental: amounts(&incremental),
                cumulative: amounts(&cumulative),
            },
            factors: factor_rows,
            months,
            totals: CompletionTotals {
                paid: money(paid_total),
                ibnr: money(completed_total - paid_total),
                completed: money(completed_total),
                std_err: money(round_half_away(stats.total_std_err(|_| true)?, 2)),
            },
            period,
        },
        warnings,
        notes,
    })
}

/// The period's figures with each month's claims replaced by its completed claims.
fn completed_period(
    input: &CompletionInput,
    origin_first: MonthIndex,
    completed: &[Decimal],
    results: &[crate::rules::chain_ladder::OriginResult],
    std_err: Decimal,
) -> Result<CompletedPeriod> {
    let (first, last) = input.period;
    let s = input.summary;
    let (mut paid, mut completed_gross, mut adjustment) = (Decimal::ZERO, Decimal::ZERO, Decimal::ZERO);
    let mut variance: Option<Decimal> = None;
    // `monthly` lists the period's months in order.
    for (month, row) in (first..=last).zip(input.monthly) {
        // Incurred months are consecutive from `origin_first`; earlier ones count 0.
        let at = usize::try_from(month - origin_first).ok();
        let (month_paid, month_completed) = match at.and_then(|i| Some((results.get(i)?, completed.get(i)?))) {
            Some((result, value)) => (result.latest, *value),
            None => (Decimal::ZERO, Decimal::ZERO),
        };
        paid += month_paid;
        completed_gross += month_completed;
        let month_adjustment = month_completed - row.figures.gross_claims.0;
        adjustment += month_adjustment;
        if let Some(v) = row.figures.variance {
            *variance.get_or_insert(Decimal::ZERO) += v.0 - month_adjustment;
        }
    }
    let total_cost = s.sums.total_cost.0 + adjustment;
    let per_member = |amount: Decimal, has: bool| {
        s.sums.member_months.filter(|_| has).and_then(|m| divide_round(amount, Decimal::from(m), 2)).map(Num)
    };
    Ok(CompletedPeriod {
        paid: money(paid),
        ibnr: money(completed_gross - paid),
        completed_gross_claims: money(completed_gross),
        completed_net_claims: money(s.sums.net_claims.0 + adjustment),
        completed_total_cost: money(total_cost),
        completed_gross_pmpm: per_member(completed_gross, s.gross_pmpm.is_some()),
        completed_total_cost_pmpm: per_member(total_cost, s.total_cost_pmpm.is_some()),
        completed_loss_ratio: s
            .loss_ratio
            .and(s.sums.total_budget)
            .and_then(|b| divide_round(total_cost, b.0, 4))
            .map(Num),
        completed_variance: variance.map(money),
        std_err: money(round_half_away(std_err, 2)),
    })
}

fn notes(
    options: &CompletionOptions,
    as_of: NaiveDate,
    excluded: &Excluded,
    months: &[CompletionMonth],
) -> Vec<String> {
    let mut notes = vec![format!(
        "Completion: claims paid through {as_of} by incurred month and month of development; age-to-age factors are volume-weighted over the latest {} incurred months, exact quotients rounded to {FACTOR_DP} decimals, multiplied to ultimate (tail {}); completed claims = paid x cumulative factor, rounded once to the cent; the standard error is Mack's (1993).",
        options.completion_months,
        options.tail.normalize()
    )];
    if excluded.paid_after.0 > 0 {
        notes.push(format!(
            "Completion leaves out {} claim rows ({}) paid after {as_of}.",
            excluded.paid_after.0,
            money(excluded.paid_after.1)
        ));
    }
    if excluded.incurred_after.0 > 0 {
        notes.push(format!(
            "Completion leaves out {} claim rows ({}) incurred after the valuation month but paid by {as_of}.",
            excluded.incurred_after.0,
            money(excluded.incurred_after.1)
        ));
    }
    if excluded.incurred_too_early.0 > 0 {
        notes.push(format!(
            "Completion leaves out {} claim rows ({}) incurred more than {TRIANGLE_MONTHS} months before the valuation month (complete long since).",
            excluded.incurred_too_early.0,
            money(excluded.incurred_too_early.1)
        ));
    }
    if excluded.paid_before_incurred > 0 {
        notes.push(format!(
            "{} claim rows paid before their incurred month count at development month 0.",
            excluded.paid_before_incurred
        ));
    }
    let by_method = |method: &str| -> Vec<String> {
        months.iter().filter(|m| m.method == method).map(|m| m.month.clone()).collect()
    };
    let trend = if options.trend.is_zero() {
        "no trend".to_string()
    } else {
        format!("an annual trend of {}", options.trend.normalize())
    };
    for (method, text) in [
        ("projection", format!("set by projection: the completed PMPM of the 12 incurred months before them, with {trend} from their middle, x each month's member months")),
        ("blend", format!("set by a blend: completion factor x chain ladder + (1 - completion factor) x the projection (the completed PMPM of the 12 incurred months before them, with {trend}, x member months)")),
    ] {
        let listed = by_method(method);
        if !listed.is_empty() {
            notes.push(format!("Completion: {} {text}; every other month by the chain ladder.", listed.join(", ")));
        }
    }
    notes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::money::dec;

    /// Base: 12 months Jan..Dec 2024 with 120,000.00 completed over 1,200
    /// member months (100.00 PMPM). February 2025 with 110 members:
    /// months from the base's middle (mid-June/July 2024) = 7.5, trend 6%:
    /// 1.06 ^ (7.5 / 12) = 1.0370893293 (Python's decimal, 40 digits, rounded
    /// to 10 decimals) x 100.00 x 110 = 11,407.98 (11407.9826).
    /// Without trend: 100.00 x 110 = 11,000.00.
    #[test]
    fn expected_amount_trends_from_the_base_middle() {
        let (jan24, dec24, feb25) = (month_index(2024, 1), month_index(2024, 12), month_index(2025, 2));
        let base = |trend| ProjectionBase { amount: dec("120000.00"), members: 1200, first: jan24, last: dec24, trend };
        let flat = base(Decimal::ZERO).expected(feb25, 110).unwrap();
        assert_eq!(flat.unwrap().to_string(), "11000.00");
        let trended = base(dec("0.06")).expected(feb25, 110).unwrap();
        assert_eq!(trended.unwrap().to_string(), "11407.98");
    }
}
