//! The report's figures as people read them on a screen or a page: the KPI
//! tiles and the monthly table's cells, formatted by `figures` from the
//! JSON's digits. Page 1 draws them; the browser preview shows them as they
//! are, so no figure is formatted twice (or through a float).

use crate::model::error::{Error, Result};
use crate::print::figures::{amount, count, money, ratio};
use crate::report::document::MonthlyFigures;
use crate::report::{Num, Report};
use std::collections::BTreeMap;

/// One KPI tile: its name, the figure, and a line of context.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Tile {
    pub name: &'static str,
    pub value: String,
    pub context: String,
}

/// Each period month's total cost with its claims completed: total cost +
/// (completed - gross claims), exact; empty without a completion section.
pub fn completed_total_costs(r: &Report) -> BTreeMap<&str, Num> {
    let Some(c) = &r.completion else { return BTreeMap::new() };
    r.monthly
        .iter()
        .filter_map(|m| {
            let done = c.months.iter().find(|d| d.month == m.month)?;
            let cost = m.figures.total_cost.0 + done.completed.0 - m.figures.gross_claims.0;
            Some((m.month.as_str(), Num::money(cost)))
        })
        .collect()
}

/// The tiles a completed report shows instead of total cost PEPM and the
/// trend: the completed loss ratio and the year-end projection.
fn completion_tiles(r: &Report, tiles: &mut [Tile; 8]) {
    let Some(c) = &r.completion else { return };
    let p = &c.period;
    tiles[6] = Tile {
        name: "Completed loss ratio",
        value: ratio(p.completed_loss_ratio.as_ref()),
        context: format!(
            "total cost {} · IBNR {} ± {}",
            amount(Some(&p.completed_total_cost)),
            amount(Some(&p.ibnr)),
            amount(Some(&p.std_err))
        ),
    };
    if let Some(y) = &r.projection {
        tiles[7] = Tile {
            name: "Year-end projection",
            value: money(y.projected_total_cost.as_ref()),
            context: format!(
                "loss ratio {} ({}–{}) · budget {}",
                ratio(y.projected_loss_ratio.as_ref()),
                ratio(y.low_loss_ratio.as_ref()),
                ratio(y.high_loss_ratio.as_ref()),
                amount(y.annual_budget.as_ref())
            ),
        };
    }
}

/// The eight KPI tiles of page 1.
pub fn tiles(r: &Report) -> [Tile; 8] {
    let mut tiles = plain_tiles(r);
    completion_tiles(r, &mut tiles);
    tiles
}

fn plain_tiles(r: &Report) -> [Tile; 8] {
    let s = &r.summary;
    let prior_pmpm = r.prior.as_ref().and_then(|p| p.total_cost_pmpm);
    [
        Tile {
            name: "Gross claims",
            value: money(Some(&s.sums.gross_claims)),
            context: format!(
                "medical {} · pharmacy {}",
                amount(Some(&s.sums.medical_claims)),
                amount(Some(&s.sums.pharmacy_claims))
            ),
        },
        Tile {
            name: "Net claims",
            value: money(Some(&s.sums.net_claims)),
            context: format!(
                "rebates {} · stop-loss {}",
                amount(Some(&s.sums.rebates)),
                amount(Some(&s.sums.stop_loss_reimbursements))
            ),
        },
        Tile {
            name: "Total cost",
            value: money(Some(&s.sums.total_cost)),
            context: format!("net claims + admin fees {}", amount(Some(&s.sums.admin_fees))),
        },
        Tile {
            name: "Variance against budget",
            value: money(s.sums.variance.as_ref()),
            context: format!(
                "budget {} · variance_pct {}",
                amount(s.sums.total_budget.as_ref()),
                ratio(s.variance_pct.as_ref())
            ),
        },
        Tile {
            name: "Loss ratio",
            value: ratio(s.loss_ratio.as_ref()),
            context: format!("claims loss ratio {}", ratio(s.claims_loss_ratio.as_ref())),
        },
        Tile {
            name: "Total cost PMPM",
            value: money(s.total_cost_pmpm.as_ref()),
            context: format!(
                "{} member months · net PMPM {}",
                count(s.sums.member_months),
                amount(s.net_pmpm.as_ref())
            ),
        },
        Tile {
            name: "Total cost PEPM",
            value: money(s.total_cost_pepm.as_ref()),
            context: format!(
                "{} employee months · budget PEPM {}",
                count(s.sums.employee_months),
                amount(s.budget_pepm.as_ref())
            ),
        },
        Tile {
            name: "Trend against prior period",
            value: ratio(s.trend_total_cost_pmpm.as_ref()),
            context: match prior_pmpm {
                Some(p) => format!("total cost PMPM, prior {}", money(Some(&p))),
                None => "no prior-period figures".to_string(),
            },
        },
    ]
}

/// The monthly table's column names (figures in USD).
pub const MONTHLY_COLUMNS: [&str; 9] =
    ["Month", "Medical", "Pharmacy", "Net claims", "Admin fees", "Total cost", "Budget", "Variance", "Members"];

/// The table's cells of one month's figures, or of the period's sums.
pub fn monthly_cells(label: &str, f: &MonthlyFigures) -> Vec<String> {
    vec![
        label.to_string(),
        amount(Some(&f.medical_claims)),
        amount(Some(&f.pharmacy_claims)),
        amount(Some(&f.net_claims)),
        amount(Some(&f.admin_fees)),
        amount(Some(&f.total_cost)),
        amount(f.total_budget.as_ref()),
        amount(f.variance.as_ref()),
        count(f.member_months),
    ]
}

/// What a screen shows of a report: the tiles, and the monthly table with
/// every month and the Period row.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ReportView {
    pub tiles: Vec<Tile>,
    pub monthly_columns: [&'static str; 9],
    pub monthly_rows: Vec<Vec<String>>,
}

impl ReportView {
    pub fn of(r: &Report) -> ReportView {
        let mut monthly_rows: Vec<Vec<String>> =
            r.monthly.iter().map(|m| monthly_cells(&m.month, &m.figures)).collect();
        monthly_rows.push(monthly_cells("Period", &r.summary.sums));
        ReportView { tiles: tiles(r).into(), monthly_columns: MONTHLY_COLUMNS, monthly_rows }
    }

    pub fn to_json(&self) -> Result<String> {
        serde_json::to_string(self).map_err(Error::engine)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_view_shows_the_json_digits_grouped() {
        let ds = crate::tools::demo::dataset().unwrap();
        let r = ds.report(None, "2025", &Default::default()).unwrap();
        let view = ReportView::of(&r);
        assert_eq!(view.tiles.len(), 8);
        // The period's gross claims, as the JSON has them, with separators and `$`.
        let gross = r.summary.sums.gross_claims.to_string();
        let (int, cents) = gross.split_once('.').unwrap();
        let grouped: String = int
            .chars()
            .rev()
            .enumerate()
            .flat_map(|(i, c)| if i > 0 && i % 3 == 0 { vec![',', c] } else { vec![c] })
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        assert_eq!(view.tiles[0].value, format!("${grouped}.{cents}"));
        assert_eq!(view.monthly_rows.len(), 13);
        assert_eq!(view.monthly_rows[12][0], "Period");
        assert_eq!(view.monthly_rows[0][0], "2025-01");
    }
}
