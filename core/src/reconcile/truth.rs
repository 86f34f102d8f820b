//! Scoring a reconciliation against a file of the true pairs: precision,
//! recall and F1 from exact counts, each rounded once.

use std::collections::HashSet;

use rust_decimal::Decimal;

use super::Reconciliation;
use crate::model::error::{Error, Result};
use crate::model::money::divide_round;

/// What a truth file says of a result.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Evaluation {
    /// The truth file's columns read as the left and right ids.
    pub left_column: String,
    pub right_column: String,
    /// Rows of the truth file that are true pairs (see `evaluate`).
    pub true_pairs: u64,
    pub matched: u64,
    /// Matched pairs the truth file lists.
    pub correct: u64,
    pub precision: Decimal,
    pub recall: Decimal,
    pub f1: Decimal,
}

/// Scores a result whose rules name id columns. The truth file's id columns
/// are the ones the rules name, else its first two columns. Each row is a
/// true pair, unless a `kind` column says otherwise: then only `pair` rows
/// are, and `duplicate_left` / `duplicate_right` rows (a duplicate of a true
/// row) are correct when matched but are not pairs to find.
pub fn evaluate(result: &Reconciliation, truth_csv: &[u8], truth_name: &str) -> Result<Evaluation> {
    let id = result
        .rules
        .id
        .as_ref()
        .ok_or_else(|| Error::argument("evaluating against a truth file needs rules with \"id\" columns"))?;
    let bad = |message: String| Error::input_file(truth_name, message);
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(truth_csv);
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| bad(format!("cannot be read: {e}")))?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    let find = |names: Vec<&str>| headers.iter().position(|h| names.iter().any(|n| n.trim().eq_ignore_ascii_case(h)));
    let (left_at, right_at) = match (find(id.left.headers()), find(id.right.headers())) {
        (Some(l), Some(r)) if l != r => (l, r),
        _ if headers.len() >= 2 => (0, 1),
        _ => {
            return Err(bad(format!(
                "needs two id columns: the rules' {} and {} (or any two columns, left id first); its header has {}",
                id.left.headers().join("/"),
                id.right.headers().join("/"),
                headers.join(", ")
            )))
        }
    };
    let kind_at = headers.iter().position(|h| h.eq_ignore_ascii_case("kind"));
    let mut listed = HashSet::new();
    let mut true_pairs = 0u64;
    for (i, record) in reader.records().enumerate() {
        let line = i + 2;
        let record = record.map_err(|e| bad(format!("line {line} cannot be read: {e}")))?;
        let cell = |at: usize| record.get(at).map(str::trim).unwrap_or("");
        let (left, right) = (cell(left_at), cell(right_at));
        if left.is_empty() || right.is_empty() {
            return Err(bad(format!(
                "line {line}: a blank id ({} '{left}', {} '{right}')",
                headers[left_at], headers[right_at]
            )));
        }
        match kind_at.map(cell) {
            None | Some("pair") => true_pairs += 1,
            Some("duplicate_left" | "duplicate_right") => {}
            Some(other) => {
                return Err(bad(format!(
                    "line {line}: kind '{other}' is none of pair, duplicate_left, duplicate_right"
                )))
            }
        }
        listed.insert((left.to_string(), right.to_string()));
    }
    if listed.is_empty() {
        return Err(bad("lists no pairs".to_string()));
    }
    let mut correct = 0u64;
    for m in &result.matched {
        let (Some(l), Some(r)) = (&m.left.id, &m.right.id) else {
            return Err(Error::argument("evaluating against a truth file needs rules with \"id\" columns"));
        };
        correct += u64::from(listed.contains(&(l.trim().to_string(), r.trim().to_string())));
    }
    let matched = result.matched.len() as u64;
    // A matched duplicate is correct but finds no true pair.
    let found = correct.min(true_pairs);
    // Nothing to divide by (no match made): 0, not a perfect score.
    let ratio = |a: u64, b: u64| divide_round(Decimal::from(a), Decimal::from(b), 4).unwrap_or(Decimal::ZERO);
    Ok(Evaluation {
        left_column: headers[left_at].clone(),
        right_column: headers[right_at].clone(),
        true_pairs,
        matched,
        correct,
        precision: ratio(correct, matched),
        recall: ratio(found, true_pairs),
        // 2PR / (P + R) with P = correct/matched and R = found/true_pairs.
        f1: ratio(2 * correct * found, found * matched + correct * true_pairs),
    })
}
