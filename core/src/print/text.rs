//! The report as a readable plain-text summary (`--format table`), the kind a
//! consultant pastes into an email. Digits are the JSON's; `$` and thousands
//! separators are presentation only.

use std::fmt::Write;

use crate::print::figures::{self, grouped};
use crate::report::{Num, Report};

fn money(n: &Option<Num>) -> String {
    figures::money(n.as_ref())
}

fn ratio(n: &Option<Num>) -> String {
    figures::ratio(n.as_ref())
}

/// Renders the report as text.
pub fn render(r: &Report) -> String {
    let s = &r.summary;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "claimscope report — client {} — period {} ({} to {}, {} basis)",
        r.client_id, r.period.label, r.period.start, r.period.end, r.basis
    );
    let _ = writeln!(out);
    let rows: [(&str, String); 14] = [
        ("Gross claims", money(&Some(s.sums.gross_claims))),
        ("  Medical", money(&Some(s.sums.medical_claims))),
        ("  Pharmacy", money(&Some(s.sums.pharmacy_claims))),
        ("Rebates", money(&Some(s.sums.rebates))),
        ("Stop-loss reimbursements", money(&Some(s.sums.stop_loss_reimbursements))),
        ("Net claims", money(&Some(s.sums.net_claims))),
        ("Admin fees", money(&Some(s.sums.admin_fees))),
        ("Total cost", money(&Some(s.sums.total_cost))),
        ("Total budget", money(&s.sums.total_budget)),
        ("Variance (budget - cost)", money(&s.sums.variance)),
        ("Loss ratio", ratio(&s.loss_ratio)),
        ("Total cost PMPM", money(&s.total_cost_pmpm)),
        ("Total cost PEPM", money(&s.total_cost_pepm)),
        ("Trend, total cost PMPM", ratio(&s.trend_total_cost_pmpm)),
    ];
    for (name, value) in rows {
        let _ = writeln!(out, "  {name:<26}{value:>18}");
    }
    let _ = writeln!(
        out,
        "  {:<26}{:>18}\n  {:<26}{:>18}",
        "Member months",
        s.sums.member_months.map_or("n/a".into(), |m| m.to_string()),
        "Claimants",
        s.sums.claimant_count
    );
    let _ = writeln!(out, "\nMonthly");
    let _ = writeln!(
        out,
        "  {:<8}{:>16}{:>16}{:>16}{:>16}{:>10}",
        "month", "gross", "total cost", "budget", "variance", "members"
    );
    for m in &r.monthly {
        let f = &m.figures;
        let _ = writeln!(
            out,
            "  {:<8}{:>16}{:>16}{:>16}{:>16}{:>10}",
            m.month,
            grouped(&f.gross_claims),
            grouped(&f.total_cost),
            f.total_budget.as_ref().map_or("n/a".into(), grouped),
            f.variance.as_ref().map_or("n/a".into(), grouped),
            f.member_months.map_or("n/a".into(), |v| v.to_string())
        );
    }
    let _ = writeln!(out, "\nService categories");
    for c in &r.service_categories {
        let _ = writeln!(
            out,
            "  {:<30}{:>16}  {:>7}",
            c.name,
            c.figures.total.as_ref().map_or("suppressed".into(), grouped),
            ratio(&c.figures.share_of_gross)
        );
    }
    let h = &r.high_cost_claimants;
    let _ = writeln!(
        out,
        "\nHigh-cost claimants (>= ${}): {} totalling ${}",
        grouped(&h.threshold),
        h.count,
        grouped(&h.total)
    );
    for c in &h.claimants {
        let _ = writeln!(
            out,
            "  {:<16}{:>16}  {:<8} {}",
            c.claimant_id,
            grouped(&c.total),
            c.primary_icd.as_deref().unwrap_or("-"),
            c.layman_term.as_deref().unwrap_or("")
        );
    }
    if let Some(c) = &r.completion {
        let _ = writeln!(out, "\nCompleted as of {} ({})", c.as_of, c.method);
        let _ = writeln!(
            out,
            "  {:<8}{:>4}{:>16}{:>14}{:>16}{:>16}{:>14}  method",
            "month", "age", "paid", "compl. factor", "completed", "IBNR", "std error"
        );
        for m in c.months.iter().filter(|m| r.period.months.contains(&m.month)) {
            let _ = writeln!(
                out,
                "  {:<8}{:>4}{:>16}{:>14}{:>16}{:>16}{:>14}  {}",
                m.month,
                m.age,
                grouped(&m.paid),
                m.completion_factor.map_or("-".to_string(), |f| f.0.round_dp(4).to_string()),
                grouped(&m.completed),
                grouped(&m.ibnr),
                grouped(&m.std_err),
                m.method
            );
        }
        let p = &c.period;
        let _ = writeln!(
            out,
            "  Period: IBNR {} ± {}; completed total cost {}, PMPM {}, loss ratio {}",
            money(&Some(p.ibnr)),
            money(&Some(p.std_err)),
            money(&Some(p.completed_total_cost)),
            money(&p.completed_total_cost_pmpm),
            ratio(&p.completed_loss_ratio)
        );
    }
    if let Some(y) = &r.projection {
        let _ = writeln!(
            out,
            "\nPlan year {}..{}: projected total cost {} (low {}, high {}) against budget {}; loss ratio {}",
            y.plan_year.start,
            y.plan_year.end,
            money(&y.projected_total_cost),
            money(&y.low),
            money(&y.high),
            money(&y.annual_budget),
            ratio(&y.projected_loss_ratio)
        );
    }
    if !r.warnings.is_empty() {
        let _ = writeln!(out, "\nWarnings");
        for w in &r.warnings {
            let _ = writeln!(out, "  [{}] {}", w.code, w.message);
        }
    }
    out
}
