//! Money: parsing the cell forms carriers write, and exact decimal division
//! rounded once, half away from zero. Money travels as i128 cents
//! (Decimal128(18, 2) units) and rust_decimal; never as a float.

use rust_decimal::Decimal;
use std::str::FromStr;

/// Largest magnitude a Decimal128(18, 2) money cell may hold, in cents.
const MAX_CENTS: i128 = 999_999_999_999_999_999;

/// Parses an amount cell into cents.
///
/// Accepts `1234.5`, `1,234.56`, `$1,234.56`, `-12.00`, `-$12.00`, `$-12.00`
/// and `(12.00)` (negative). Rejects more than two decimals (no value is
/// rounded or truncated), misplaced thousands separators and blanks.
pub fn parse_cents(raw: &str) -> Result<i128, String> {
    let s = crate::model::cell::trim_cell(raw);
    if s.is_empty() {
        return Err("is blank; an amount is required".into());
    }
    match plain_cents(s) {
        Some(cents) => Ok(cents),
        None => parse_any_form(s),
    }
}

/// Every accepted form of a trimmed, non-blank cell.
fn parse_any_form(s: &str) -> Result<i128, String> {
    let (negative_paren, s) = match s.strip_prefix('(').and_then(|x| x.strip_suffix(')')) {
        Some(inner) => (true, inner.trim()),
        None => (false, s),
    };
    let (neg_before, s) = strip_sign(s);
    let s = s.strip_prefix('$').unwrap_or(s);
    let (neg_after, s) = strip_sign(s);
    let negative_count = [negative_paren, neg_before, neg_after].iter().filter(|b| **b).count();
    if negative_count > 1 {
        return Err("is not an amount (more than one minus sign)".into());
    }
    let plain = strip_thousands(s).ok_or_else(|| {
        "is not an amount; expected digits with an optional '.', e.g. 1234.56, 1,234.56, $1,234.56, -12.00 or (12.00)".to_string()
    })?;
    let value = Decimal::from_str_exact(&plain).map_err(|_| "is not an amount (too many digits)".to_string())?;
    if value.normalize().scale() > 2 {
        return Err(MORE_THAN_TWO_DECIMALS.into());
    }
    let mut cents_dec = value;
    cents_dec.rescale(2);
    let cents = cents_dec.mantissa();
    if cents > MAX_CENTS {
        return Err(TOO_LARGE.into());
    }
    Ok(if negative_count == 1 { -cents } else { cents })
}

const MORE_THAN_TWO_DECIMALS: &str = "has more than 2 decimals; amounts are exact to the cent and are never rounded";
const TOO_LARGE: &str = "is too large for a money column (at most 16 digits before the decimal point)";

/// Cents of `unscaled / 10^scale` (a decimal or whole-number column read in
/// its own type), refused as a text cell of that value would be.
pub fn cents_at_scale(unscaled: i128, scale: i8) -> Result<i128, String> {
    let scale = i32::from(scale);
    let cents = if scale <= 2 {
        let factor = 10i128.checked_pow((2 - scale).unsigned_abs());
        factor.and_then(|f| unscaled.checked_mul(f)).ok_or(TOO_LARGE)?
    } else {
        match 10i128.checked_pow((scale - 2).unsigned_abs()) {
            Some(divisor) if unscaled % divisor == 0 => unscaled / divisor,
            // A divisor beyond i128 leaves only zero exact to the cent.
            None if unscaled == 0 => 0,
            _ => return Err(MORE_THAN_TWO_DECIMALS.into()),
        }
    };
    if !fits_money(cents) {
        return Err(TOO_LARGE.into());
    }
    Ok(cents)
}

/// Whether cents fit a `Decimal128(18, 2)` money column (a derived sum may not).
pub fn fits_money(cents: i128) -> bool {
    cents.abs() <= MAX_CENTS
}

/// The common form read without the general path: `-?d{1,16}(.d{1,2})?`.
/// None sends any other text through the general path.
fn plain_cents(s: &str) -> Option<i128> {
    let (negative, digits) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    let (whole, fraction) = match digits.split_once('.') {
        Some((w, f)) => (w, f),
        None => (digits, ""),
    };
    let all_digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || whole.len() > 16 || fraction.len() > 2 || (digits.contains('.') && fraction.is_empty()) {
        return None;
    }
    if !all_digits(whole) || !all_digits(fraction) {
        return None;
    }
    let number = |t: &str| t.bytes().fold(0i128, |n, b| n * 10 + i128::from(b - b'0'));
    let cents = number(whole) * 100 + number(fraction) * if fraction.len() == 1 { 10 } else { 1 };
    Some(if negative { -cents } else { cents })
}

fn strip_sign(s: &str) -> (bool, &str) {
    match s.strip_prefix('-') {
        Some(rest) => (true, rest.trim_start()),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    }
}

/// `1,234,567.89` -> `1234567.89`; None when the text is not digits with
/// correctly grouped separators and at most one decimal point.
fn strip_thousands(s: &str) -> Option<String> {
    let (int_part, frac_part) = match s.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (s, None),
    };
    if let Some(f) = frac_part {
        if !f.chars().all(|c| c.is_ascii_digit()) || (f.is_empty() && int_part.is_empty()) {
            return None;
        }
    }
    if int_part.is_empty() && frac_part.is_none_or(str::is_empty) {
        return None;
    }
    let groups: Vec<&str> = int_part.split(',').collect();
    let grouped_ok = groups.len() == 1
        || (!groups[0].is_empty() && groups[0].len() <= 3 && groups[1..].iter().all(|g| g.len() == 3));
    if !grouped_ok || !groups.iter().all(|g| g.chars().all(|c| c.is_ascii_digit())) {
        return None;
    }
    let mut out: String = groups.concat();
    if out.is_empty() {
        out.push('0');
    }
    if let Some(f) = frac_part {
        out.push('.');
        out.push_str(if f.is_empty() { "0" } else { f });
    }
    Some(out)
}

/// Cents as a Decimal with scale 2 (`1234.50`).
pub fn cents_to_decimal(cents: i128) -> Decimal {
    Decimal::from_i128_with_scale(cents, 2)
}

/// The exact quotient `num / den` rounded once to `dp` decimals, half away
/// from zero. None when the denominator is zero or the numbers are too large.
pub fn divide_round(num: Decimal, den: Decimal, dp: u32) -> Option<Decimal> {
    if den.is_zero() {
        return None;
    }
    // num = n / 10^sn, den = d / 10^sd; result units (10^-dp) =
    // n * 10^(sd + dp) / (d * 10^sn), all in exact integers.
    let (n, sn) = (num.mantissa(), num.scale());
    let (d, sd) = (den.mantissa(), den.scale());
    let numerator = n.checked_mul(pow10(sd + dp)?)?;
    let denominator = d.checked_mul(pow10(sn)?)?;
    let units = div_round_half_away(numerator, denominator)?;
    Decimal::try_from_i128_with_scale(units, dp).ok()
}

/// `d` rounded once to `dp` decimals, half away from zero, and written with
/// exactly `dp` decimals (`1.5` at 4 -> `1.5000`).
pub fn round_half_away(d: Decimal, dp: u32) -> Decimal {
    let mut rounded = d.round_dp_with_strategy(dp, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
    rounded.rescale(dp);
    rounded
}

/// Exact rational `num / den` rounded half away from zero, in integers.
pub fn div_round_half_away(num: i128, den: i128) -> Option<i128> {
    if den == 0 {
        return None;
    }
    let negative = (num < 0) != (den < 0);
    let (n, d) = (num.checked_abs()?, den.checked_abs()?);
    let q = n / d;
    let r = n % d;
    let rounded = if r.checked_mul(2)? >= d { q + 1 } else { q };
    Some(if negative { -rounded } else { rounded })
}

fn pow10(exp: u32) -> Option<i128> {
    10i128.checked_pow(exp)
}

/// Parses a decimal option given as text (`50000`, `50000.00`) into money.
pub fn parse_money_option(raw: &str) -> Result<Decimal, String> {
    parse_cents(raw).map(cents_to_decimal)
}

/// A JSON scalar as written: a number's own digits or a string's text, so
/// amounts in option documents never pass through a float. None for null.
pub(crate) fn json_scalar_text(raw: &serde_json::value::RawValue) -> Result<Option<String>, String> {
    let text = raw.get().trim();
    match text {
        "null" => Ok(None),
        t if t.starts_with('"') => serde_json::from_str::<String>(t).map(Some).map_err(|e| e.to_string()),
        t => Ok(Some(t.to_string())),
    }
}

/// Exact decimal from a plain string; used by tests and options.
pub fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The common-form shortcut agrees with the general path wherever it answers.
        #[test]
        fn the_plain_form_reads_as_the_general_path_does(s in "-?[0-9]{0,18}(\\.[0-9]{0,3})?") {
            if let Some(cents) = plain_cents(&s) {
                prop_assert_eq!(Ok(cents), parse_any_form(&s));
            }
        }

        /// A decimal column's value reads as the text of that value does.
        #[test]
        fn a_typed_decimal_reads_as_its_text(unscaled in -10i128.pow(20)..10i128.pow(20), scale in -3i8..=6) {
            let text = if scale >= 0 {
                Decimal::from_i128_with_scale(unscaled, scale as u32).to_string()
            } else {
                format!("{unscaled}{}", "0".repeat(scale.unsigned_abs() as usize))
            };
            prop_assert_eq!(cents_at_scale(unscaled, scale), parse_cents(&text), "{}", text);
        }
    }

    #[test]
    fn typed_values_beyond_any_scale_are_refused_not_wrapped() {
        assert_eq!(cents_at_scale(12345, 4), Err(MORE_THAN_TWO_DECIMALS.into()));
        assert_eq!(cents_at_scale(12300, 4), Ok(123));
        assert_eq!(cents_at_scale(0, 60), Ok(0));
        assert_eq!(cents_at_scale(1, 60), Err(MORE_THAN_TWO_DECIMALS.into()));
        assert_eq!(cents_at_scale(1, -60), Err(TOO_LARGE.into()));
        assert_eq!(cents_at_scale(i128::MAX, 0), Err(TOO_LARGE.into()));
        assert_eq!(cents_at_scale(-9_999_999_999_999_999, 0), Ok(-999_999_999_999_999_900));
    }

    #[test]
    fn accepts_every_cell_form_of_the_data_model() {
        assert_eq!(parse_cents("1234.5"), Ok(123450));
        assert_eq!(parse_cents("1,234.56"), Ok(123456));
        assert_eq!(parse_cents("$1,234.56"), Ok(123456));
        assert_eq!(parse_cents("-12.00"), Ok(-1200));
        assert_eq!(parse_cents("(12.00)"), Ok(-1200));
        assert_eq!(parse_cents("-$12.00"), Ok(-1200));
        assert_eq!(parse_cents("$-12.00"), Ok(-1200));
        assert_eq!(parse_cents(" 7 "), Ok(700));
        assert_eq!(parse_cents(".5"), Ok(50));
        assert_eq!(parse_cents("1,000,000"), Ok(100_000_000));
        assert_eq!(parse_cents("12.500"), Ok(1250));
    }

    #[test]
    fn rejects_what_it_would_have_to_guess() {
        for bad in ["", "abc", "12.345", "1,23.45", "(-12.00)", "--1", "1.2.3", "$", "1e5", "12,34", "1_000"] {
            assert!(parse_cents(bad).is_err(), "{bad} should be rejected");
        }
        assert!(parse_cents("99999999999999999.99").is_err());
        assert_eq!(parse_cents("9999999999999999.99"), Ok(999_999_999_999_999_999));
    }

    #[test]
    fn rounds_once_half_away_from_zero_on_both_signs() {
        // 0.97315 exactly -> 0.9732; -500.085 -> -500.09 (metrics.md examples)
        assert_eq!(divide_round(dec("97315"), dec("100000"), 4), Some(dec("0.9732")));
        assert_eq!(divide_round(dec("-500085"), dec("1000"), 2), Some(dec("-500.09")));
        assert_eq!(divide_round(dec("500085"), dec("1000"), 2), Some(dec("500.09")));
        // 1/3 -> 0.3333, 2/3 -> 0.6667
        assert_eq!(divide_round(dec("1"), dec("3"), 4), Some(dec("0.3333")));
        assert_eq!(divide_round(dec("2.00"), dec("3"), 4), Some(dec("0.6667")));
        // -0.00004 rounds to zero and must not be negative zero
        let z = divide_round(dec("-4"), dec("100000"), 4).unwrap();
        assert_eq!(z.to_string(), "0.0000");
        assert_eq!(divide_round(dec("1"), dec("0"), 2), None);
    }
}
