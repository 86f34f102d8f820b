//! Mack's (1993) standard error of chain-ladder reserves: the variance
//! parameter sigma per age, the factors' standard errors, and the process
//! and parameter risk carried from each origin's latest age to ultimate.
//!
//! Sigmas that cannot be estimated (fewer than 2 origins at an age) are
//! filled log-linearly: a least-squares line through ln(sigma) of the
//! estimated ages, as chainladder-python's default `sigma_interpolation`.
//! Arithmetic is 28-digit decimal (square roots, ln and exp by
//! rust_decimal), the same on every platform; results are rounded by the
//! caller (money to the cent).

use rust_decimal::{Decimal, MathematicalOps};

use super::chain_ladder::{multiply_round, Development, DevelopmentOptions, Triangle, FACTOR_DP};
use crate::model::error::{Error, Result};

/// Sigma and the factor's standard error at one age.
#[derive(Debug, Clone, PartialEq)]
pub struct AgeVariance {
    pub sigma: Decimal,
    pub std_err: Decimal,
    /// False when sigma was filled by the log-linear line (or 0 without one).
    pub estimated: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MackResult {
    pub ages: Vec<AgeVariance>,
    /// Per origin: sqrt(process variance + parameter variance) of its ultimate.
    pub origin_std_err: Vec<Decimal>,
    /// Per origin: its process variance (tail included), which totals add up.
    process: Vec<Decimal>,
    /// Per origin: its latest age and projected cumulative amounts from there.
    paths: Vec<(usize, Vec<Decimal>)>,
    factors: Vec<Decimal>,
    tail_squared: Decimal,
}

fn overflow() -> Error {
    Error::engine("completion: Mack's standard error is too large for exact decimal arithmetic")
}

fn add(a: Decimal, b: Decimal) -> Result<Decimal> {
    a.checked_add(b).ok_or_else(overflow)
}

fn mul(a: Decimal, b: Decimal) -> Result<Decimal> {
    a.checked_mul(b).ok_or_else(overflow)
}

fn div(a: Decimal, b: Decimal) -> Result<Decimal> {
    a.checked_div(b).ok_or_else(overflow)
}

fn sqrt(a: Decimal) -> Result<Decimal> {
    if a <= Decimal::ZERO {
        return Ok(Decimal::ZERO);
    }
    a.sqrt().ok_or_else(overflow)
}

/// sigma^2 and sum of the `from` amounts at one age, over origins with a positive amount at it.
fn sigma_squared(
    triangle: &Triangle,
    age: usize,
    factor: Decimal,
    recent: usize,
) -> Result<(Option<Decimal>, Decimal)> {
    let (mut weighted, mut from_sum, mut n) = (Decimal::ZERO, Decimal::ZERO, 0u32);
    for (_, from, to) in triangle.pairs(age, recent) {
        if from <= Decimal::ZERO {
            continue;
        }
        let residual = to - mul(factor, from)?;
        weighted = add(weighted, div(mul(residual, residual)?, from)?)?;
        from_sum = add(from_sum, from)?;
        n += 1;
    }
    Ok(((n >= 2).then(|| weighted / Decimal::from(n - 1)), from_sum))
}

/// The log-linear fill: ln(sigma) regressed on age over the estimated ages.
fn fill_sigmas(sigmas: &mut [Option<Decimal>]) -> Result<()> {
    let known: Vec<(Decimal, Decimal)> = sigmas
        .iter()
        .enumerate()
        .filter_map(|(age, s)| s.filter(|s| *s > Decimal::ZERO).map(|s| (Decimal::from(age), s)))
        .map(|(x, s)| s.checked_ln().map(|y| (x, y)).ok_or_else(overflow))
        .collect::<Result<_>>()?;
    let line = if known.len() >= 2 {
        let n = Decimal::from(known.len());
        let mean_x = known.iter().map(|k| k.0).sum::<Decimal>() / n;
        let mean_y = known.iter().map(|k| k.1).sum::<Decimal>() / n;
        let sxy: Decimal = known.iter().map(|(x, y)| (x - mean_x) * (y - mean_y)).sum();
        let sxx: Decimal = known.iter().map(|(x, _)| (x - mean_x) * (x - mean_x)).sum();
        let slope = div(sxy, sxx)?;
        Some((slope, mean_y - slope * mean_x))
    } else {
        None
    };
    for (age, sigma) in sigmas.iter_mut().enumerate() {
        if sigma.is_none() {
            *sigma = Some(match line {
                Some((slope, intercept)) => {
                    add(intercept, mul(slope, Decimal::from(age))?)?.checked_exp().ok_or_else(overflow)?
                }
                None => Decimal::ZERO,
            });
        }
    }
    Ok(())
}

/// Mack's standard errors for a developed triangle: per age and per origin;
/// totals of any set of origins from [`MackResult::total_std_err`].
pub fn mack(triangle: &Triangle, developed: &Development, options: &DevelopmentOptions) -> Result<MackResult> {
    let factors: Vec<Decimal> = developed.factors.iter().map(|f| f.factor).collect();
    let mut sigmas = Vec::with_capacity(factors.len());
    let mut from_sums = Vec::with_capacity(factors.len());
    for (age, factor) in factors.iter().enumerate() {
        let (s2, from_sum) = sigma_squared(triangle, age, *factor, options.recent_origins)?;
        sigmas.push(s2.map(sqrt).transpose()?);
        from_sums.push(from_sum);
    }
    let estimated: Vec<bool> = sigmas.iter().map(Option::is_some).collect();
    fill_sigmas(&mut sigmas)?;
    let mut ages = Vec::with_capacity(factors.len());
    for (age, sigma) in sigmas.iter().enumerate() {
        let sigma = sigma.unwrap_or_default();
        let std_err = if from_sums[age] > Decimal::ZERO {
            sqrt(div(mul(sigma, sigma)?, from_sums[age])?)?
        } else {
            Decimal::ZERO
        };
        ages.push(AgeVariance { sigma, std_err, estimated: estimated[age] });
    }

    // Each origin's projected cumulative amount at every age from its latest on.
    let projected: Vec<Vec<Decimal>> = developed
        .origins
        .iter()
        .map(|o| {
            let mut path = vec![o.latest];
            for factor in &factors[o.age.min(factors.len())..] {
                let last = *path.last().unwrap_or(&Decimal::ZERO);
                path.push(multiply_round(last, *factor, FACTOR_DP)?);
            }
            Ok(path)
        })
        .collect::<Result<_>>()?;
    let tail_squared = mul(options.tail, options.tail)?;

    let mut origin_std_err = Vec::with_capacity(projected.len());
    let mut process_variances = Vec::with_capacity(projected.len());
    for (o, path) in developed.origins.iter().zip(&projected) {
        let (mut process, mut parameter) = (Decimal::ZERO, Decimal::ZERO);
        for (step, amount) in path.iter().take(path.len() - 1).enumerate() {
            let age = o.age + step;
            let (f, v) = (factors[age], &ages[age]);
            let f2 = mul(f, f)?;
            process = add(mul(mul(v.sigma, v.sigma)?, *amount)?, mul(f2, process)?)?;
            let spread = mul(*amount, v.std_err)?;
            parameter = add(mul(spread, spread)?, mul(f2, parameter)?)?;
        }
        process = mul(tail_squared, process)?;
        parameter = mul(tail_squared, parameter)?;
        process_variances.push(process);
        origin_std_err.push(sqrt(add(process, parameter)?)?);
    }
    let paths = developed.origins.iter().map(|o| o.age).zip(projected).collect();
    Ok(MackResult { ages, origin_std_err, process: process_variances, paths, factors, tail_squared })
}

impl MackResult {
    /// The standard error of the total ultimate of the origins `in_total`
    /// accepts: their process variances, plus the parameter risk each age's
    /// factor error puts on the sum of those origins still developing
    /// through it (correlated across origins).
    pub fn total_std_err(&self, in_total: impl Fn(usize) -> bool) -> Result<Decimal> {
        let mut total_process = Decimal::ZERO;
        for (i, process) in self.process.iter().enumerate() {
            if in_total(i) {
                total_process = add(total_process, *process)?;
            }
        }
        let mut total_parameter = Decimal::ZERO;
        for (age, f) in self.factors.iter().enumerate() {
            let mut developing = Decimal::ZERO;
            for (i, (latest_age, path)) in self.paths.iter().enumerate() {
                if *latest_age <= age && in_total(i) {
                    developing = add(developing, path[age - latest_age])?;
                }
            }
            let spread = mul(developing, self.ages[age].std_err)?;
            total_parameter = add(mul(spread, spread)?, mul(mul(*f, *f)?, total_parameter)?)?;
        }
        total_parameter = mul(self.tail_squared, total_parameter)?;
        sqrt(add(total_process, total_parameter)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::money::dec;

    /// The RAA triangle (Mack 1993, Table 1; chainladder-python's `raa` sample).
    pub(crate) fn raa() -> Triangle {
        let rows: [&[i64]; 10] = [
            &[5012, 8269, 10907, 11805, 13539, 16181, 18009, 18608, 18662, 18834],
            &[106, 4285, 5396, 10666, 13782, 15599, 15496, 16169, 16704],
            &[3410, 8992, 13873, 16141, 18735, 22214, 22863, 23466],
            &[5655, 11555, 15766, 21266, 23425, 26083, 27067],
            &[1092, 9565, 15836, 22169, 25955, 26180],
            &[1513, 6445, 11702, 12935, 15852],
            &[557, 4020, 10946, 12314],
            &[1351, 6947, 13112],
            &[3133, 5395],
            &[2063],
        ];
        Triangle { rows: rows.iter().map(|r| r.iter().map(|v| Decimal::from(*v)).collect()).collect() }
    }

    /// The figures chainladder-python prints for RAA (Development() default,
    /// MackChainladder, version 0.10.1): ldf_ 2.999359, 1.623523, 1.270888,
    /// 1.171675, 1.113385, 1.041935, 1.033264, 1.016936, 1.009217; ibnr_ per
    /// origin 153.953917 ... 16339.442529 (total 52135.228261; ours is the sum
    /// of the cent-rounded origins, 52135.21); Mack Std Err per origin
    /// 142.931716 ... 24565.775709; total_mack_std_err_ 26880.74033.
    #[test]
    fn raa_matches_chainladder_python() {
        let options = DevelopmentOptions { recent_origins: 10, tail: Decimal::ONE };
        let t = raa();
        let d = t.develop(&options).unwrap();
        let printed: Vec<String> = d.factors.iter().map(|f| f.factor.round_dp(6).to_string()).collect();
        assert_eq!(
            printed,
            [
                "2.999359", "1.623523", "1.270888", "1.171675", "1.113385", "1.041935", "1.033264", "1.016936",
                "1.009217"
            ]
        );
        let ibnr: Vec<String> = d.origins.iter().map(|o| (o.ultimate - o.latest).to_string()).collect();
        assert_eq!(
            ibnr,
            [
                "0.00", "153.95", "617.37", "1636.14", "2746.74", "3649.10", "5435.30", "10907.19", "10649.98",
                "16339.44"
            ]
        );
        let m = mack(&t, &d, &options).unwrap();
        let per_origin: Vec<String> = m.origin_std_err.iter().map(|s| s.round_dp(6).to_string()).collect();
        assert_eq!(
            per_origin,
            [
                "0",
                "142.931716",
                "592.148304",
                "712.853921",
                "1452.090330",
                "1994.987807",
                "2203.838469",
                "5354.340512",
                "6331.543045",
                "24565.775710"
            ]
        );
        assert_eq!(m.total_std_err(|_| true).unwrap().round_dp(5), dec("26880.74033"));
        // sigma_ 166.98347042 ... 2.80770435, and the last (one origin) filled log-linearly: 0.80334943.
        assert_eq!(m.ages[0].sigma.round_dp(8), dec("166.98347042"));
        assert_eq!(m.ages[8].sigma.round_dp(8), dec("0.80334943"));
        assert!(!m.ages[8].estimated && m.ages[7].estimated);
        // One origin's total is its own standard error (no other origin shares its factors' error).
        assert_eq!(m.total_std_err(|i| i == 9).unwrap(), m.origin_std_err[9]);
    }

    proptest::proptest! {
        /// Any triangle of signed cents, zeros and huge amounts included:
        /// development and Mack's error return a value or an error, never a
        /// panic, and every ultimate is its latest amount x its cumulative factor.
        #[test]
        fn any_triangle_develops_without_panicking(
            cells in proptest::collection::vec(
                proptest::prop_oneof![-2_000_000i64..2_000_000, proptest::strategy::Just(0i64), -1i64..=1,
                                      proptest::strategy::Just(i64::MAX / 3)], 1..60),
            recent in 1usize..14,
        ) {
            let mut rows = Vec::new();
            let (mut at, mut width) = (0, 1);
            while at < cells.len() { width += 1; at += width; }
            let mut it = cells.iter();
            for r in 0..width {
                let row: Vec<Decimal> = it.by_ref().take(width - r).map(|c| Decimal::new(*c, 2)).collect();
                if row.is_empty() { break; }
                rows.push(row);
            }
            // Keep rows no longer than the one before (a triangle).
            let mut longest = usize::MAX;
            rows.retain(|r| { let ok = r.len() <= longest; longest = longest.min(r.len()); ok });
            let t = Triangle { rows };
            let options = DevelopmentOptions { recent_origins: recent, tail: dec("1.02") };
            if let Ok(d) = t.develop(&options) {
                for o in &d.origins {
                    let expected = multiply_round(o.latest, o.to_ultimate, 2).unwrap();
                    proptest::prop_assert_eq!(o.ultimate, expected);
                }
                if let Ok(m) = mack(&t, &d, &options) {
                    let _ = m.total_std_err(|_| true);
                }
            }
        }
    }
}
