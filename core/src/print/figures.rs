//! How figures are shown to people (text and printed reports): thousands
//! separators and `$` around the JSON's exact digits. Never rounds, never
//! computes; a missing figure reads "n/a".

use crate::report::Num;

/// `1234567.50` -> `1,234,567.50`; a negative keeps its sign in front.
pub fn grouped(n: &Num) -> String {
    let s = n.to_string();
    let (sign, digits) = s.strip_prefix('-').map_or(("", s.as_str()), |d| ("-", d));
    let (int, frac) = digits.split_once('.').map_or((digits, None), |(i, f)| (i, Some(f)));
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    out.push_str(sign);
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    if let Some(f) = frac {
        out.push('.');
        out.push_str(f);
    }
    out
}

/// `-1234.50` -> `-$1,234.50`; None -> `n/a`.
pub fn money(n: Option<&Num>) -> String {
    n.map_or("n/a".to_string(), |v| {
        let g = grouped(v);
        match g.strip_prefix('-') {
            Some(positive) => format!("-${positive}"),
            None => format!("${g}"),
        }
    })
}

/// Grouped digits without `$` (table cells under a "USD" header); None -> `n/a`.
pub fn amount(n: Option<&Num>) -> String {
    n.map_or("n/a".to_string(), grouped)
}

/// A ratio with the JSON's digits (`0.8734`); None -> `n/a`.
pub fn ratio(n: Option<&Num>) -> String {
    n.map_or("n/a".to_string(), |v| v.to_string())
}

/// A count with thousands separators; None -> `n/a`.
pub fn count(n: Option<i64>) -> String {
    n.map_or("n/a".to_string(), |v| grouped(&Num(v.into())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::money::dec;

    #[test]
    fn groups_thousands_keeping_digits() {
        assert_eq!(grouped(&Num(dec("1234567.50"))), "1,234,567.50");
        assert_eq!(grouped(&Num(dec("-1000.00"))), "-1,000.00");
        assert_eq!(grouped(&Num(dec("999.99"))), "999.99");
        assert_eq!(grouped(&Num(dec("100000"))), "100,000");
    }

    #[test]
    fn money_puts_the_sign_before_the_dollar() {
        assert_eq!(money(Some(&Num(dec("-1234.50")))), "-$1,234.50");
        assert_eq!(money(Some(&Num(dec("0.00")))), "$0.00");
        assert_eq!(money(None), "n/a");
        assert_eq!(count(Some(1234567)), "1,234,567");
        assert_eq!(ratio(Some(&Num(dec("0.8734")))), "0.8734");
    }
}
