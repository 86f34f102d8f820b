//! What a report reads of one client's claims, and the rules that pick a
//! figure out of grouped values. Two executions answer it with the same
//! numbers: `ClaimScan` (one pass over stored rows with integer keys) and
//! `ClaimQueries` (grouped DataFusion queries a cluster runs, from which
//! only small results come back).

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use crate::model::error::Result;
use crate::model::period::MonthIndex;

/// A breakdown dimension of the period's claims.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dimension {
    /// `service_category`, null or empty as "Uncategorized".
    Category,
    /// The ICD-10-CM chapter of `icd_code` ("Unknown" without one).
    Chapter,
    /// `icd_code` itself (rows without one are left out).
    Code,
}

/// Sums and counts of one group of claim rows.
#[derive(Debug, Clone, Default)]
pub(crate) struct Sums {
    pub medical: i128,
    pub pharmacy: i128,
    pub total: i128,
    pub claim_count: i64,
    pub claimant_count: i64,
}

impl Sums {
    /// Adds one claim row.
    pub(crate) fn add_row(&mut self, medical: i128, pharmacy: i128, total: i128) {
        self.medical += medical;
        self.pharmacy += pharmacy;
        self.total += total;
        self.claim_count += 1;
    }

    /// Adds another fold's sums of the same group (claimants are counted later).
    pub(crate) fn merge(&mut self, other: &Sums) {
        self.medical += other.medical;
        self.pharmacy += other.pharmacy;
        self.total += other.total;
        self.claim_count += other.claim_count;
    }
}

/// A named group of the period's claims.
#[derive(Debug, Clone)]
pub(crate) struct GroupSums {
    pub key: String,
    pub sums: Sums,
}

/// A claimant's period totals and primary diagnosis code.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ClaimantTotal {
    pub claimant_id: String,
    pub medical: Decimal,
    pub pharmacy: Decimal,
    pub total: Decimal,
    pub claim_count: i64,
    /// The code with the largest summed total (`primary_code`).
    pub primary_code: Option<String>,
}

/// The claims figures of a window of months and a period inside it.
pub(crate) trait ClaimFigures {
    /// Sums (medical, pharmacy), rows and distinct claimants of the window's
    /// months that have claims, in month order.
    fn months(&self) -> Result<Vec<(MonthIndex, Sums)>>;

    /// Distinct claimants with a row in months `from..=to` of the window.
    fn distinct_claimants(&self, from: MonthIndex, to: MonthIndex) -> Result<i64>;

    /// Distinct claimants of the period.
    fn claimant_count(&self) -> Result<i64>;

    /// The period's groups of a dimension with their distinct claimants, in
    /// no particular order.
    fn groups(&self, dimension: Dimension) -> Result<Vec<GroupSums>>;

    /// Distinct claimants of the period in any of the named groups.
    fn distinct_claimants_in(&self, dimension: Dimension, groups: &[&str]) -> Result<i64>;

    /// Each code's most frequent layman_term in the period (`most_frequent_terms`).
    fn layman_terms(&self) -> Result<BTreeMap<String, String>>;

    /// The claimants whose period total is at least `threshold`, in no
    /// particular order.
    fn claimants_reaching(&self, threshold: Decimal) -> Result<Vec<ClaimantTotal>>;

    /// For each `k`: the sum of the `k` largest claimant totals of the period.
    fn top_totals(&self, ks: &[i64]) -> Result<Vec<Decimal>>;
}

/// Each code's most frequent term from (code, term, rows) counts; ties go to
/// the smallest term by bytes.
pub(crate) fn most_frequent_terms<'a>(
    counts: impl IntoIterator<Item = (&'a str, &'a str, i64)>,
) -> BTreeMap<String, String> {
    let mut best: BTreeMap<&str, (i64, &str)> = BTreeMap::new();
    for (code, term, n) in counts {
        let better = match best.get(code) {
            None => true,
            Some((bn, bterm)) => n > *bn || (n == *bn && term.as_bytes() < bterm.as_bytes()),
        };
        if better {
            best.insert(code, (n, term));
        }
    }
    best.into_iter().map(|(code, (_, term))| (code.to_string(), term.to_string())).collect()
}

/// A claimant's primary code from its codes' summed totals (rows without a
/// code left out): the largest total, ties to the smallest code by bytes.
pub(crate) fn primary_code<'a, T: Ord>(codes: impl IntoIterator<Item = (&'a str, T)>) -> Option<&'a str> {
    codes
        .into_iter()
        .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.as_bytes().cmp(a.0.as_bytes())))
        .map(|(code, _)| code)
}

/// The number of top claimants of each concentration row:
/// ceil(p x claimant_count / 100) in integers.
pub(crate) fn top_counts(percents: &[u32], claimant_count: i64) -> Vec<i64> {
    percents.iter().map(|&p| (i64::from(p) * claimant_count + 99) / 100).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dataset::{ClaimsExecution, Dataset};
    use crate::model::money::dec;
    use crate::model::period::month_index;
    use crate::model::table::Table;
    use crate::report::claim_queries::ClaimQueries;
    use crate::report::claim_scan::ClaimScan;
    use crate::LoadOptions;

    /// Window 2024-12..2025-02, period 2025-01..02. Claims 1-7 are the
    /// one-shot tests' two clients (core/tests/data/two_clients_claims.csv):
    /// claim 6 is after the window, claim 7 another client's. Added here: P4's
    /// total is negative, P5's two codes tie.
    fn claims() -> String {
        let more = "\
A,8,P4,2025-02-10,2025-02-10,medical,Lab,I10,BP,-40.00,0.00,-40.00
A,9,P4,2025-02-11,2025-02-11,medical,Lab,E11.9,,25.50,0.00,25.50
A,10,P5,2025-01-05,2025-01-05,medical,Lab,I10,BP,25.50,0.00,25.50
A,11,P5,2025-01-06,2025-01-06,medical,Lab,E11.9,,25.50,0.00,25.50
";
        format!("{}{more}", include_str!("../../tests/data/two_clients_claims.csv"))
    }

    fn sums(s: &Sums) -> (i128, i128, i128, i64, i64) {
        (s.medical, s.pharmacy, s.total, s.claim_count, s.claimant_count)
    }

    /// Every figure, worked by hand from `claims()`.
    fn check(figures: &dyn ClaimFigures, execution: &str) {
        let (dec24, jan, feb) = (month_index(2024, 12), month_index(2025, 1), month_index(2025, 2));
        let months: Vec<(MonthIndex, (i128, i128, i64, i64))> = figures
            .months()
            .unwrap()
            .iter()
            .map(|(m, s)| (*m, (s.medical, s.pharmacy, s.claim_count, s.claimant_count)))
            .collect();
        // Jan: claims 2, 3, 10, 11 (P1, P5); Feb: 4, 5, 8, 9 (P2, P4): 100 + 1 - 40 + 25.50.
        assert_eq!(
            months,
            vec![(dec24, (1000, 0, 1, 1)), (jan, (7100, 550, 4, 2)), (feb, (8650, 0, 4, 2))],
            "{execution}"
        );
        assert_eq!(figures.distinct_claimants(dec24, feb).unwrap(), 4, "{execution}");
        assert_eq!(figures.distinct_claimants(dec24, dec24).unwrap(), 1, "{execution}");
        assert_eq!(figures.claimant_count().unwrap(), 4, "{execution}");
        let groups = |d: Dimension| -> BTreeMap<String, (i128, i128, i128, i64, i64)> {
            figures.groups(d).unwrap().iter().map(|g| (g.key.clone(), sums(&g.sums))).collect()
        };
        let expected_categories = BTreeMap::from([
            ("Lab".to_string(), (3650, 0, 3650, 4, 2)),
            ("Office".to_string(), (12000, 0, 12000, 2, 2)),
            // Claim 3's blank category and claim 5's "Uncategorized".
            ("Uncategorized".to_string(), (100, 550, 650, 2, 2)),
        ]);
        assert_eq!(groups(Dimension::Category), expected_categories, "{execution}");
        let expected_codes = BTreeMap::from([
            ("E119".to_string(), (7100, 550, 7650, 4, 3)),
            ("I10".to_string(), (-1350, 0, -1350, 3, 3)),
        ]);
        assert_eq!(groups(Dimension::Code), expected_codes, "{execution}");
        let expected_chapters = BTreeMap::from([
            ("E00-E89".to_string(), (7100, 550, 7650, 4, 3)),
            ("I00-I99".to_string(), (-1350, 0, -1350, 3, 3)),
            ("Unknown".to_string(), (10000, 0, 10000, 1, 1)),
        ]);
        assert_eq!(groups(Dimension::Chapter), expected_chapters, "{execution}");
        let distinct_in = |d: Dimension, names: &[&str]| figures.distinct_claimants_in(d, names).unwrap();
        assert_eq!(distinct_in(Dimension::Category, &["Uncategorized", "Lab"]), 4, "{execution}");
        assert_eq!(distinct_in(Dimension::Code, &["I10"]), 3, "{execution}");
        assert_eq!(distinct_in(Dimension::Code, &[]), 0, "{execution}");
        assert_eq!(distinct_in(Dimension::Chapter, &["Unknown"]), 1, "{execution}");
        assert_eq!(distinct_in(Dimension::Chapter, &["Unknown", "I00-I99"]), 3, "{execution}");
        // E119: Sugar twice; I10: BP twice, Diabetes once.
        let terms = BTreeMap::from([("E119".to_string(), "Sugar".to_string()), ("I10".to_string(), "BP".to_string())]);
        assert_eq!(figures.layman_terms().unwrap(), terms, "{execution}");
        let reaching = |threshold: &str| -> Vec<(String, String, i64, Option<String>)> {
            let mut c = figures.claimants_reaching(dec(threshold)).unwrap();
            c.sort_by(|a, b| a.claimant_id.cmp(&b.claimant_id));
            c.into_iter().map(|c| (c.claimant_id, c.total.to_string(), c.claim_count, c.primary_code)).collect()
        };
        let some = |s: &str| Some(s.to_string());
        // P2's 100.00 has no code: I10 (1.00) is primary. P5's codes tie at 25.50: E119.
        let p1 = ("P1".to_string(), "25.50".to_string(), 2, some("E119"));
        let p2 = ("P2".to_string(), "101.00".to_string(), 2, some("I10"));
        let p5 = ("P5".to_string(), "51.00".to_string(), 2, some("E119"));
        assert_eq!(reaching("25.50"), vec![p1.clone(), p2.clone(), p5.clone()], "{execution}");
        assert_eq!(reaching("25.505"), vec![p2.clone(), p5.clone()], "{execution}");
        assert_eq!(reaching("0"), vec![p1, p2, p5], "{execution}");
        assert_eq!(reaching("1000"), vec![], "{execution}");
        // Totals 101.00, 51.00, 25.50, -14.50.
        let tops = figures.top_totals(&[1, 2, 4, 0]).unwrap();
        assert_eq!(tops, vec![dec("101.00"), dec("152.00"), dec("163.00"), dec("0.00")], "{execution}");
    }

    #[test]
    fn the_scan_and_the_grouped_queries_give_the_hand_worked_figures() {
        let mut ds = Dataset::new();
        ds.load_csv_bytes(Table::Claims, "claims.csv", claims().as_bytes(), &LoadOptions::default()).unwrap();
        let (window, period) =
            ((month_index(2024, 12), month_index(2025, 2)), (month_index(2025, 1), month_index(2025, 2)));
        check(&ClaimScan::run(&ds, "A", "claim_date", window, period).unwrap(), "scan");
        ds.set_claims_execution(ClaimsExecution::GroupedQueries);
        check(&ClaimQueries::run(&ds, "A", "claim_date", window, period).unwrap(), "queries");
    }

    #[test]
    fn terms_take_the_most_rows_then_the_smallest_term() {
        let counts = [("E119", "Sugar", 2), ("E119", "Diabetes", 2), ("E119", "diabetes", 3), ("I10", "BP", 1)];
        let best = most_frequent_terms(counts);
        assert_eq!(best.get("E119").map(String::as_str), Some("diabetes"));
        let tied = most_frequent_terms([("E119", "Sugar", 2), ("E119", "Diabetes", 2)]);
        // "D" (0x44) sorts before "S" (0x53).
        assert_eq!(tied.get("E119").map(String::as_str), Some("Diabetes"));
        assert_eq!(best.get("I10").map(String::as_str), Some("BP"));
    }

    #[test]
    fn primary_code_takes_the_largest_total_then_the_smallest_code() {
        assert_eq!(primary_code([("I10", 500), ("E119", 700), ("Z00", -900)]), Some("E119"));
        assert_eq!(primary_code([("I10", 700), ("E119", 700)]), Some("E119"));
        assert_eq!(primary_code(Vec::<(&str, i128)>::new()), None);
    }

    #[test]
    fn top_counts_are_ceilings() {
        // 21 claimants: 0.21 -> 1, 1.05 -> 2, 2.1 -> 3, 4.2 -> 5; none -> 0.
        assert_eq!(top_counts(&[1, 5, 10, 20], 21), vec![1, 2, 3, 5]);
        assert_eq!(top_counts(&[1, 5, 10, 20], 0), vec![0, 0, 0, 0]);
        assert_eq!(top_counts(&[1], 100), vec![1]);
        assert_eq!(top_counts(&[1], 101), vec![2]);
    }
}
