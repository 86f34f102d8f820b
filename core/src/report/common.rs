//! What several report sections share: the warning constructor, claims
//! sums turned to decimals, and the denominators of shares and PMPMs.

use rust_decimal::Decimal;

use super::document::{Num, Warning, WarningCode};
use crate::model::error::{Error, Result};
use crate::model::money::divide_round;
use crate::model::table::MONEY_SCALE;

pub(crate) fn warning(code: WarningCode, message: String, months: Option<Vec<String>>) -> Warning {
    Warning { code, message, months }
}

/// Cents summed by the claim scan as a money decimal (an error, not a
/// panic, past Decimal's range).
pub(crate) fn to_decimal(cents: i128) -> Result<Decimal> {
    Decimal::try_from_i128_with_scale(cents, MONEY_SCALE as u32)
        .map_err(|_| Error::engine(format!("a sum of claims ({cents} cents) is too large for a decimal")))
}

/// Shares of gross and per-member figures of a breakdown row.
pub(crate) struct Denominators {
    pub gross: Decimal,
    pub member_months: Option<i64>,
}

impl Denominators {
    pub fn share(&self, amount: Decimal) -> Option<Num> {
        divide_round(amount, self.gross, 4).map(Num)
    }

    pub fn pmpm(&self, amount: Decimal) -> Option<Num> {
        self.member_months.and_then(|m| divide_round(amount, Decimal::from(m), 2)).map(Num)
    }
}
