//! The chain-ladder (development) method on a cumulative triangle:
//! volume-weighted age-to-age factors over the latest K origins, cumulative
//! factors to ultimate with an optional tail, and each origin's ultimate.
//!
//! Exact rules (docs/completion.md): every factor is an exact quotient or
//! product rounded once to [`FACTOR_DP`] decimals, half away from zero;
//! an ultimate is latest paid x cumulative factor, rounded once to the cent.

use rust_decimal::Decimal;

use crate::model::error::{Error, Result};
use crate::model::money::{divide_round, round_half_away};

/// Decimals every development factor is carried with.
pub const FACTOR_DP: u32 = 10;

/// A cumulative triangle: one row per origin, oldest first; row i holds the
/// cumulative amounts at development 0, 1, ..., as far as it is observed.
/// Rows are as long as the oldest row or shorter, never longer.
#[derive(Debug, Clone, PartialEq)]
pub struct Triangle {
    pub rows: Vec<Vec<Decimal>>,
}

/// How the factors are selected.
#[derive(Debug, Clone, PartialEq)]
pub struct DevelopmentOptions {
    /// Age-to-age factors average the latest this many origins observed at both ages.
    pub recent_origins: usize,
    /// The factor from the last observed age to ultimate (1 = none).
    pub tail: Decimal,
}

/// One age-to-age factor and what it was made of.
#[derive(Debug, Clone, PartialEq)]
pub struct AgeFactor {
    /// From development `age` to `age + 1`.
    pub age: usize,
    pub factor: Decimal,
    /// Origins averaged (0 when no pair had a positive sum at `age`, factor 1).
    pub origins: usize,
    /// Sum of the averaged origins' amounts at `age` and `age + 1`.
    pub from_sum: Decimal,
    pub to_sum: Decimal,
}

/// The fitted development pattern and each origin's ultimate.
#[derive(Debug, Clone, PartialEq)]
pub struct Development {
    pub factors: Vec<AgeFactor>,
    /// Cumulative factor to ultimate at each age (the last is the tail).
    pub to_ultimate: Vec<Decimal>,
    pub origins: Vec<OriginResult>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct OriginResult {
    /// Latest observed age.
    pub age: usize,
    pub latest: Decimal,
    pub to_ultimate: Decimal,
    pub ultimate: Decimal,
}

fn too_large(what: &str) -> Error {
    Error::engine(format!("completion: {what} is too large for exact decimal arithmetic"))
}

/// `a x b` exactly, rounded once to `dp` decimals half away from zero
/// (written with exactly `dp` decimals).
pub fn multiply_round(a: Decimal, b: Decimal, dp: u32) -> Result<Decimal> {
    a.checked_mul(b).map(|p| round_half_away(p, dp)).ok_or_else(|| too_large("a product"))
}

impl Triangle {
    /// Developments of the longest row.
    pub fn ages(&self) -> usize {
        self.rows.iter().map(Vec::len).max().unwrap_or(0)
    }

    /// Refuses rows longer than an older row or empty (not a triangle).
    pub fn validate(&self) -> Result<()> {
        let mut longest = usize::MAX;
        for (i, row) in self.rows.iter().enumerate() {
            if row.is_empty() || row.len() > longest {
                return Err(Error::argument(format!(
                    "triangle row {i} has {} developments; each origin needs 1 or more and no more than the one before",
                    row.len()
                )));
            }
            longest = row.len();
        }
        Ok(())
    }

    /// The latest `limit` origins observed at `age + 1` (so at both ages),
    /// less those with a zero amount at either age: a pair with nothing
    /// paid carries no development (chainladder-python leaves them out too).
    pub fn pairs(&self, age: usize, limit: usize) -> impl Iterator<Item = (usize, Decimal, Decimal)> + '_ {
        let observed: Vec<usize> = (0..self.rows.len()).filter(|&i| self.rows[i].len() > age + 1).collect();
        let skip = observed.len().saturating_sub(limit);
        observed
            .into_iter()
            .skip(skip)
            .map(move |i| (i, self.rows[i][age], self.rows[i][age + 1]))
            .filter(|(_, from, to)| !from.is_zero() && !to.is_zero())
    }

    /// Fits the factors and completes every origin.
    pub fn develop(&self, options: &DevelopmentOptions) -> Result<Development> {
        self.validate()?;
        if options.recent_origins == 0 {
            return Err(Error::argument("completion: the factors need at least 1 recent origin"));
        }
        let ages = self.ages();
        let mut factors = Vec::with_capacity(ages.saturating_sub(1));
        for age in 0..ages.saturating_sub(1) {
            let (mut from_sum, mut to_sum, mut origins) = (Decimal::ZERO, Decimal::ZERO, 0);
            for (_, from, to) in self.pairs(age, options.recent_origins) {
                from_sum = from_sum.checked_add(from).ok_or_else(|| too_large("a sum"))?;
                to_sum = to_sum.checked_add(to).ok_or_else(|| too_large("a sum"))?;
                origins += 1;
            }
            // Nothing paid yet at this age: no development can be measured.
            let factor = if from_sum > Decimal::ZERO {
                divide_round(to_sum, from_sum, FACTOR_DP).ok_or_else(|| too_large("an age-to-age factor"))?
            } else {
                origins = 0;
                Decimal::ONE
            };
            factors.push(AgeFactor { age, factor, origins, from_sum, to_sum });
        }
        let mut to_ultimate = vec![round_half_away(options.tail, FACTOR_DP); ages.max(1)];
        for age in (0..ages.saturating_sub(1)).rev() {
            to_ultimate[age] = multiply_round(factors[age].factor, to_ultimate[age + 1], FACTOR_DP)?;
        }
        let origins = self
            .rows
            .iter()
            .map(|row| {
                let age = row.len() - 1;
                let latest = row[age];
                let cdf = to_ultimate[age];
                Ok(OriginResult { age, latest, to_ultimate: cdf, ultimate: multiply_round(latest, cdf, 2)? })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Development { factors, to_ultimate, origins })
    }
}

/// 1 / cumulative factor, rounded to [`FACTOR_DP`] decimals (None for 0).
pub fn completion_factor(to_ultimate: Decimal) -> Option<Decimal> {
    divide_round(Decimal::ONE, to_ultimate, FACTOR_DP)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::money::dec;

    fn triangle(rows: &[&[&str]]) -> Triangle {
        Triangle { rows: rows.iter().map(|r| r.iter().map(|v| dec(v)).collect()).collect() }
    }

    /// A 4x4 triangle worked by hand (cumulative paid):
    ///
    /// ```text
    /// origin  age0  age1  age2  age3
    ///   0      100   150   165   170
    ///   1      120   174   190
    ///   2       80   128
    ///   3      110
    /// ```
    /// f0 = (150+174+128)/(100+120+80) = 452/300 = 1.5066666667
    /// f1 = (165+190)/(150+174)        = 355/324 = 1.0956790123
    /// f2 = 170/165                             = 1.0303030303
    /// Cumulative: age3 = 1 (no tail); age2 = 1.0303030303;
    /// age1 = 1.0956790123 x 1.0303030303 = 1.128881406608... -> 1.1288814066;
    /// age0 = 1.5066666667 x 1.1288814066 = 1.700847985981... -> 1.7008479860.
    /// Ultimates: 170; 190 x 1.0303030303 = 195.76 (195.757575757);
    /// 128 x 1.1288814066 = 144.50 (144.496820045); 110 x 1.7008479860 = 187.09 (187.09327846).
    /// (Checked with Python's decimal module at 60 digits.)
    #[test]
    fn hand_worked_four_by_four() {
        let t = triangle(&[&["100", "150", "165", "170"], &["120", "174", "190"], &["80", "128"], &["110"]]);
        let d = t.develop(&DevelopmentOptions { recent_origins: 12, tail: Decimal::ONE }).unwrap();
        let f: Vec<String> = d.factors.iter().map(|f| f.factor.to_string()).collect();
        assert_eq!(f, ["1.5066666667", "1.0956790123", "1.0303030303"]);
        let cdf: Vec<String> = d.to_ultimate.iter().map(|f| f.normalize().to_string()).collect();
        assert_eq!(cdf, ["1.700847986", "1.1288814066", "1.0303030303", "1"]);
        let ult: Vec<String> = d.origins.iter().map(|o| o.ultimate.to_string()).collect();
        assert_eq!(ult, ["170.00", "195.76", "144.50", "187.09"]);
        // 1 / 1.7008479860 = 0.58794201963... -> 0.5879420196 (10 decimals).
        assert_eq!(completion_factor(d.to_ultimate[0]).unwrap().to_string(), "0.5879420196");

        // Only the latest origin per age (K = 1): f0 = 128/80 = 1.6, f1 = 190/174, f2 = 170/165.
        let d1 = t.develop(&DevelopmentOptions { recent_origins: 1, tail: dec("1.05") }).unwrap();
        assert_eq!(d1.factors[0].factor.normalize().to_string(), "1.6");
        assert_eq!(d1.factors[1].factor.to_string(), "1.0919540230");
        // A tail of 1.05 multiplies every cumulative factor: 170 x 1.05 = 178.50.
        assert_eq!(d1.origins[0].ultimate.to_string(), "178.50");
    }

    #[test]
    fn an_age_with_nothing_paid_develops_by_one_and_bad_shapes_are_refused() {
        let t = triangle(&[&["0", "50"], &["0"]]);
        let d = t.develop(&DevelopmentOptions { recent_origins: 12, tail: Decimal::ONE }).unwrap();
        assert_eq!((d.factors[0].factor, d.factors[0].origins), (Decimal::ONE, 0));
        // A month with nothing paid at age 0 is left out of the age-0 factor: (150 + 0) / 100, not 170 / 100.
        let zero = triangle(&[&["100", "150"], &["0", "20"], &["30"]]);
        let d = zero.develop(&DevelopmentOptions { recent_origins: 12, tail: Decimal::ONE }).unwrap();
        assert_eq!((d.factors[0].factor.normalize().to_string(), d.factors[0].origins), ("1.5".to_string(), 1));
        assert!(triangle(&[&["1"], &["1", "2"]])
            .develop(&DevelopmentOptions { recent_origins: 1, tail: Decimal::ONE })
            .is_err());
        assert!(t.develop(&DevelopmentOptions { recent_origins: 0, tail: Decimal::ONE }).is_err());
    }
}
