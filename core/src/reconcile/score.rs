//! The score of a candidate pair: each rule part in [0, 1] with whether it
//! passed, the total a weighted mean of the parts. Date and amount fall
//! linearly from 1 (equal) towards 0.5 at the tolerance; a name scores its
//! similarity. Keys are not scored: pairs are only formed within a key.

use rust_decimal::Decimal;

use super::names::Similarity;
use super::rows::Row;
use super::rules::Rules;

/// Exact amount allowance in integer units: |right - left| * `scale` <=
/// `tolerance_scaled` + `pct_units` * |left| (cents throughout).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Allowance {
    scale: i128,
    tolerance_scaled: i128,
    pct_units: i128,
}

impl Allowance {
    pub fn new(tolerance: Option<Decimal>, pct: Option<Decimal>) -> Allowance {
        let pct = pct.unwrap_or(Decimal::ZERO);
        // pct% of |left| = pct_mantissa * |left| / (100 * 10^pct_scale).
        let scale = 100 * 10i128.pow(pct.scale().min(20));
        let tolerance_cents = tolerance.map_or(0, |t| {
            let mut t = t;
            t.rescale(2);
            t.mantissa()
        });
        Allowance { scale, tolerance_scaled: tolerance_cents.saturating_mul(scale), pct_units: pct.mantissa() }
    }

    /// The allowance for a left amount, in units of 1/scale cent.
    pub fn scaled(&self, left_cents: i128) -> i128 {
        self.tolerance_scaled.saturating_add(self.pct_units.saturating_mul(left_cents.saturating_abs()))
    }

    /// The allowance rounded up to whole cents (for range searches).
    pub fn cents_ceiling(&self, left_cents: i128) -> i128 {
        let s = self.scaled(left_cents);
        s / self.scale + i128::from(s % self.scale != 0)
    }

    /// The allowance as an exact decimal amount.
    pub fn amount(&self, left_cents: i128) -> Decimal {
        crate::model::money::divide_round(
            Decimal::from_i128_with_scale(self.scaled(left_cents), 2),
            Decimal::from_i128_with_scale(self.scale, 0),
            2,
        )
        .unwrap_or(Decimal::ZERO)
    }

    /// Whether the difference is allowed, and the part's score.
    pub fn judge(&self, left_cents: i128, diff_cents: i128) -> (bool, f64) {
        let allowed = self.scaled(left_cents);
        let diff = diff_cents.saturating_abs().saturating_mul(self.scale);
        if allowed == 0 {
            return if diff == 0 { (true, 1.0) } else { (false, 0.0) };
        }
        (diff <= allowed, (1.0 - diff as f64 / (2.0 * allowed as f64)).max(0.0))
    }
}

/// The score of one part.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct PartScore {
    pub passed: bool,
    pub score: f64,
}

/// A pair's total and whether every part passed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct PairScore {
    pub total: f64,
    pub all_passed: bool,
}

pub(crate) struct Scorer<'r> {
    pub rules: &'r Rules,
    pub allowance: Allowance,
    weight_sum: f64,
}

pub(crate) fn date_part(tolerance_days: u32, diff_days: i64) -> PartScore {
    let d = diff_days.unsigned_abs() as f64;
    let t = tolerance_days as f64;
    PartScore {
        passed: diff_days.unsigned_abs() <= tolerance_days as u64,
        score: (1.0 - d / (2.0 * (t + 1.0))).max(0.0),
    }
}

impl<'r> Scorer<'r> {
    pub fn new(rules: &'r Rules) -> Scorer<'r> {
        let allowance =
            rules.amount.as_ref().map_or(Allowance::new(None, None), |a| Allowance::new(a.tolerance, a.tolerance_pct));
        let weight_sum = rules.date.as_ref().map_or(0.0, |d| d.weight)
            + rules.amount.as_ref().map_or(0.0, |a| a.weight)
            + rules.fuzzy.iter().map(|f| f.weight).sum::<f64>();
        Scorer { rules, allowance, weight_sum }
    }

    pub fn date(&self, left: &Row, right: &Row) -> Option<PartScore> {
        let rule = self.rules.date.as_ref()?;
        Some(date_part(rule.tolerance_days, i64::from(right.day?) - i64::from(left.day?)))
    }

    pub fn amount(&self, left: &Row, right: &Row) -> Option<PartScore> {
        let (l, r) = (left.cents?, right.cents?);
        let (passed, score) = self.allowance.judge(l, r - l);
        Some(PartScore { passed, score })
    }

    pub fn fuzzy(&self, i: usize, left: &Row, right: &Row, similarity: &mut Similarity) -> PartScore {
        let min = self.rules.fuzzy[i].min_similarity;
        let s = similarity.names(&left.names[i], &right.names[i]);
        PartScore { passed: s >= min, score: s }
    }

    /// The weighted sum of the date and amount parts, and whether both passed.
    fn numeric_parts(&self, left: &Row, right: &Row) -> (f64, bool) {
        let mut sum = 0.0;
        let mut all_passed = true;
        let parts = [
            (self.date(left, right), self.rules.date.as_ref().map_or(0.0, |d| d.weight)),
            (self.amount(left, right), self.rules.amount.as_ref().map_or(0.0, |a| a.weight)),
        ];
        for (part, weight) in parts {
            if let Some(p) = part {
                sum += weight * p.score;
                all_passed &= p.passed;
            }
        }
        (sum, all_passed)
    }

    /// The pair's total: the weighted mean of its parts (1 with keys only).
    pub fn score(&self, left: &Row, right: &Row, similarity: &mut Similarity) -> PairScore {
        if self.weight_sum == 0.0 {
            return PairScore { total: 1.0, all_passed: true };
        }
        let (sum, all_passed) = self.numeric_parts(left, right);
        self.with_names(sum, all_passed, left, right, similarity)
    }

    /// Adds the name parts to the date and amount parts' sum.
    fn with_names(
        &self,
        mut sum: f64,
        mut all_passed: bool,
        left: &Row,
        right: &Row,
        similarity: &mut Similarity,
    ) -> PairScore {
        for (i, rule) in self.rules.fuzzy.iter().enumerate() {
            let p = self.fuzzy(i, left, right, similarity);
            sum += rule.weight * p.score;
            all_passed &= p.passed;
        }
        PairScore { total: sum / self.weight_sum, all_passed }
    }

    /// The pair's total when it may be matched (every part passed, the total
    /// reaches min_score); names are only compared when they could decide.
    pub fn match_score(&self, left: &Row, right: &Row, similarity: &mut Similarity) -> Option<f64> {
        if self.weight_sum == 0.0 {
            return Some(1.0);
        }
        let (sum, passed) = self.numeric_parts(left, right);
        let names_weight: f64 = self.rules.fuzzy.iter().map(|f| f.weight).sum();
        if !passed || (sum + names_weight) / self.weight_sum < self.rules.min_score {
            return None;
        }
        let s = self.with_names(sum, passed, left, right, similarity);
        (s.all_passed && s.total >= self.rules.min_score).then_some(s.total)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(s: &str) -> Option<Decimal> {
        Some(Decimal::from_str_exact(s).unwrap())
    }

    #[test]
    fn allowance_is_absolute_plus_percent_exactly() {
        // 0.50 + 3% of 120.00 = 4.10: a difference of 4.10 passes, 4.11 fails.
        let a = Allowance::new(dec("0.50"), dec("3"));
        assert_eq!(a.judge(12000, -410), (true, 0.5));
        assert!(!a.judge(12000, 411).0);
        assert_eq!(a.amount(12000), Decimal::new(410, 2));
        // 2.9% of 10.01 = 0.29029: the allowance is 0.79029, searched up to 0.80.
        let fee = Allowance::new(dec("0.50"), dec("2.9"));
        assert!(fee.judge(1001, 79).0 && !fee.judge(1001, 80).0);
        assert_eq!(fee.cents_ceiling(1001), 80);
        assert_eq!(fee.amount(1001), Decimal::new(79, 2));
        // No tolerance: only equal amounts.
        let exact = Allowance::new(None, None);
        assert_eq!(exact.judge(500, 0), (true, 1.0));
        assert_eq!(exact.judge(500, 1), (false, 0.0));
    }

    #[test]
    fn a_quarter_off_the_allowance_scores_seven_eighths() {
        let a = Allowance::new(dec("4.00"), None);
        assert_eq!(a.judge(10000, 100), (true, 0.875));
    }

    #[test]
    fn dates_fall_from_one_to_above_one_half_at_the_tolerance() {
        assert_eq!(date_part(2, 0), PartScore { passed: true, score: 1.0 });
        assert_eq!(date_part(2, -3), PartScore { passed: false, score: 0.5 });
        assert_eq!(date_part(0, 1), PartScore { passed: false, score: 0.5 });
        assert_eq!(date_part(3, 2).score, 0.75);
        assert_eq!(date_part(1, 9).score, 0.0);
    }
}
