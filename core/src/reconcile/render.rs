//! The result as text: a table for people, CSV (one line per matched pair
//! or unmatched row) for spreadsheets. JSON is `Reconciliation::to_json`.

use std::fmt::Write;

use super::explain::{Reason, RowRef};
use super::Reconciliation;
use crate::model::error::{Error, Result};

fn opt<T: ToString>(v: &Option<T>) -> String {
    v.as_ref().map(T::to_string).unwrap_or_default()
}

fn reasons_text(reasons: &[Reason]) -> String {
    reasons.iter().map(|r| format!("{}: {}", r.rule, r.detail)).collect::<Vec<_>>().join("; ")
}

const CSV_HEADER: [&str; 13] = [
    "class",
    "left_record",
    "left_id",
    "left_date",
    "left_amount",
    "right_record",
    "right_id",
    "right_date",
    "right_amount",
    "score",
    "amount_difference",
    "date_difference_days",
    "reason",
];

fn side_cells(r: Option<&RowRef>) -> [String; 4] {
    match r {
        Some(r) => [r.record.to_string(), opt(&r.id), opt(&r.date), opt(&r.amount)],
        None => Default::default(),
    }
}

/// Every row of both files in one CSV: matched pairs, then unmatched left,
/// unmatched right and rejected rows, each with its reason.
pub fn csv(result: &Reconciliation) -> Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(CSV_HEADER).map_err(Error::engine)?;
    let mut write = |class: &str,
                     l: Option<&RowRef>,
                     r: Option<&RowRef>,
                     score: String,
                     amount: String,
                     days: String,
                     reason: &str| {
        let mut record: Vec<String> = vec![class.to_string()];
        record.extend(side_cells(l));
        record.extend(side_cells(r));
        record.extend([score, amount, days, reason.to_string()]);
        w.write_record(&record).map_err(Error::engine)
    };
    for m in &result.matched {
        write(
            "matched",
            Some(&m.left),
            Some(&m.right),
            m.score.to_string(),
            opt(&m.amount_difference),
            opt(&m.date_difference_days),
            &reasons_text(&m.reasons),
        )?;
    }
    for u in &result.unmatched_left {
        let miss = u.near_miss.as_ref();
        write(
            "unmatched_left",
            Some(&u.row),
            miss.map(|m| &m.row),
            miss.map(|m| m.score.to_string()).unwrap_or_default(),
            String::new(),
            String::new(),
            &u.why,
        )?;
    }
    for u in &result.unmatched_right {
        let miss = u.near_miss.as_ref();
        write(
            "unmatched_right",
            miss.map(|m| &m.row),
            Some(&u.row),
            miss.map(|m| m.score.to_string()).unwrap_or_default(),
            String::new(),
            String::new(),
            &u.why,
        )?;
    }
    for (class, side) in [("rejected_left", &result.left), ("rejected_right", &result.right)] {
        for e in side.errors.iter().filter(|e| e.record > 0) {
            let row = RowRef { record: e.record, line: e.line, id: None, date: None, amount: None };
            let (l, r) = if class == "rejected_left" { (Some(&row), None) } else { (None, Some(&row)) };
            write(
                class,
                l,
                r,
                String::new(),
                String::new(),
                String::new(),
                &format!("column {}: '{}' {}", e.column, e.value, e.reason),
            )?;
        }
    }
    let bytes = w.into_inner().map_err(Error::engine)?;
    String::from_utf8(bytes).map_err(Error::engine)
}

/// A summary for people: counts, amounts, by month, and every unmatched row
/// with its reason (matched pairs are in the JSON and CSV forms).
pub fn table(result: &Reconciliation) -> String {
    let s = &result.summary;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Reconciliation: {} ({} records) against {} ({} records)",
        result.left.source, s.left_records, result.right.source, s.right_records
    );
    let _ = writeln!(out, "  matched pairs      {:>10}", s.matched);
    let _ = writeln!(out, "  unmatched left     {:>10}", s.unmatched_left);
    let _ = writeln!(out, "  unmatched right    {:>10}", s.unmatched_right);
    let _ = writeln!(out, "  rejected left      {:>10}", s.rejected_left);
    let _ = writeln!(out, "  rejected right     {:>10}", s.rejected_right);
    let _ =
        writeln!(out, "  match rate         {:>10} left, {} right", opt(&s.match_rate_left), opt(&s.match_rate_right));
    if let Some(a) = &s.amounts {
        let _ = writeln!(
            out,
            "  matched amounts    {:>10} left, {} right, difference {}",
            a.matched_left, a.matched_right, a.difference
        );
        let _ = writeln!(out, "  unmatched amounts  {:>10} left, {} right", a.unmatched_left, a.unmatched_right);
    }
    if !s.by_month.is_empty() {
        let _ = writeln!(out, "\n  month     matched  unmatched L  unmatched R  difference");
        for m in &s.by_month {
            let diff = m.amounts.as_ref().map(|a| a.difference.to_string()).unwrap_or_default();
            let _ = writeln!(
                out,
                "  {}  {:>8}  {:>11}  {:>11}  {:>10}",
                m.month, m.matched, m.unmatched_left, m.unmatched_right, diff
            );
        }
    }
    for (title, rows) in [("Unmatched left", &result.unmatched_left), ("Unmatched right", &result.unmatched_right)] {
        if rows.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n{title} ({}):", rows.len());
        for u in rows {
            let id = u.row.id.as_deref().map(|i| format!(" {i}")).unwrap_or_default();
            let _ = writeln!(out, "  record {}{id}: {}", u.row.record, u.why);
        }
    }
    for (title, side) in [("Rejected left", &result.left), ("Rejected right", &result.right)] {
        if side.errors.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n{title} ({}):", side.errors.len());
        for e in &side.errors {
            let _ = writeln!(out, "  {e}");
        }
    }
    out
}
