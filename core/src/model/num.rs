//! Exact numbers in JSON: a decimal written with its own digits (`1234.50`,
//! `0.8734`), never through a float. Every document (report,
//! reconciliation) writes money and ratios this way.

use rust_decimal::Decimal;
use serde::{Serialize, Serializer};

/// A decimal written as a JSON number with its exact digits (`1234.50`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Num(pub Decimal);

impl Serialize for Num {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut d = self.0;
        if d.is_zero() {
            d.set_sign_positive(true);
        }
        let raw = serde_json::value::RawValue::from_string(d.to_string()).map_err(serde::ser::Error::custom)?;
        raw.serialize(s)
    }
}

impl std::fmt::Display for Num {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut d = self.0;
        if d.is_zero() {
            d.set_sign_positive(true);
        }
        write!(f, "{d}")
    }
}

impl Num {
    /// Money: the same value written with exactly 2 decimals.
    pub fn money(mut d: Decimal) -> Num {
        d.rescale(2);
        Num(d)
    }
}

impl From<Decimal> for Num {
    fn from(d: Decimal) -> Self {
        Num(d)
    }
}
