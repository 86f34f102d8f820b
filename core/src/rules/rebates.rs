//! Rebates are credited across the months of their period, split evenly to
//! the cent; leftover cents go to the earliest months, and a negative rebate
//! splits as the mirror image of a positive one.

use crate::model::period::{month_index, MonthIndex};

/// The months of a rebate period: `YYYY-MM`, `YYYY-Qn` or `YYYY`.
pub fn rebate_months(period: &str) -> Result<Vec<MonthIndex>, String> {
    let bad = || "is not a rebate period; expected YYYY-MM, YYYY-Qn or YYYY (e.g. 2025-03, 2025-Q1, 2025)".to_string();
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    let p = period.trim();
    let (year_text, rest) = match p.split_once('-') {
        Some((y, r)) => (y, Some(r)),
        None => (p, None),
    };
    if !digits(year_text, 4) {
        return Err(bad());
    }
    let year: i32 = year_text.parse().map_err(|_| bad())?;
    let (first, count) = match rest {
        None => (month_index(year, 1), 12),
        Some(q) if q.len() == 2 && q.starts_with('Q') => match &q[1..] {
            n @ ("1" | "2" | "3" | "4") => (month_index(year, 3 * n.parse::<u32>().unwrap_or(1) - 2), 3),
            _ => return Err(bad()),
        },
        Some(m) if digits(m, 2) => {
            let month: u32 = m.parse().map_err(|_| bad())?;
            if !(1..=12).contains(&month) {
                return Err(format!("is not a rebate period (month {m}); expected YYYY-MM, YYYY-Qn or YYYY"));
            }
            (month_index(year, month), 1)
        }
        Some(_) => return Err(bad()),
    };
    Ok((first..first + count).collect())
}

/// Splits `cents` over `parts` months: equal shares, the leftover cents one
/// each to the earliest months; negative amounts mirror positive ones.
pub fn split_cents(cents: i128, parts: usize) -> Vec<i128> {
    if parts == 0 {
        return Vec::new();
    }
    let n = parts as i128;
    let magnitude = cents.abs();
    let base = magnitude / n;
    let leftover = (magnitude % n) as usize;
    let sign = if cents < 0 { -1 } else { 1 };
    (0..parts).map(|i| sign * (base + i128::from(i < leftover))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_like_the_data_model_says() {
        // $100.00 over a quarter: 33.34, 33.33, 33.33 (leftover cent first)
        assert_eq!(split_cents(10000, 3), vec![3334, 3333, 3333]);
        // the mirror image for -100.00
        assert_eq!(split_cents(-10000, 3), vec![-3334, -3333, -3333]);
        // $0.05 over 12 months: five months get a cent, seven get none; sum stays 5
        let s = split_cents(5, 12);
        assert_eq!(s.iter().sum::<i128>(), 5);
        assert_eq!(&s[..6], &[1, 1, 1, 1, 1, 0]);
        // $1,000.00 a year: 83.34 x 4 then 83.33 x 8 = 333.36 + 666.64 = 1000.00
        let y = split_cents(100000, 12);
        assert_eq!((y[3], y[4]), (8334, 8333));
        assert_eq!(y.iter().sum::<i128>(), 100000);
    }

    #[test]
    fn rebate_periods() {
        assert_eq!(
            rebate_months("2025-Q2").unwrap(),
            vec![month_index(2025, 4), month_index(2025, 5), month_index(2025, 6)]
        );
        assert_eq!(rebate_months("2025").unwrap().len(), 12);
        assert_eq!(rebate_months("2025-03").unwrap(), vec![month_index(2025, 3)]);
        for bad in ["2025-13", "2025-Q5", "25", "2025-3", "2025-q1", "Q1 2025"] {
            assert!(rebate_months(bad).is_err(), "{bad}");
        }
    }
}
