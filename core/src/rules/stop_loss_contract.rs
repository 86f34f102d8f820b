//! A stop-loss contract (metrics.md, "Stop-loss (contract year)"): its
//! deductibles, lasers, incurred/paid windows and aggregate attachment, read
//! from JSON. Knows the contract, nothing of claims: the report's
//! `stop_loss` section applies it (`report::stop_loss`).
//!
//! ```
//! let c = claimscope::StopLossContract::from_json(
//!     r#"{"start_month": "2025-01", "basis": "12/15", "specific_deductible": 100000,
//!         "lasers": [{"claimant_id": "M7", "specific_deductible": "250000.00"}],
//!         "aggregate_factor": 1.25}"#,
//! ).unwrap();
//! assert_eq!(c.basis_label(), "12/15");
//! assert_eq!(c.deductible_for("M7").to_string(), "250000.00");
//! ```

use std::collections::BTreeMap;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::model::error::{Error, Result};
use crate::model::money;
use crate::model::period::{month_label, MonthIndex, Period, YEARS};

/// Which claims a contract covers, by incurred and paid month.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContractBasis {
    /// `I/P`: incurred in the I months ending with the contract year's last
    /// month and paid in the P months starting with its first (12/15 = a
    /// 3-month run-out, 15/12 = 3 months of run-in).
    Months { incurred: u32, paid: u32 },
    /// Paid in the contract year, incurred at any time.
    Paid,
}

/// How the aggregate attachment point is set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AggregateAttachment {
    Amount(Decimal),
    /// This factor x expected claims (medical + pharmacy budgets of the
    /// contract months), rounded to the cent half away from zero.
    Factor(Decimal),
}

/// A stop-loss contract year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StopLossContract {
    /// First month of the contract year.
    pub start: MonthIndex,
    pub basis: ContractBasis,
    pub specific_deductible: Decimal,
    /// Per-claimant deductibles that replace the specific one.
    pub lasers: BTreeMap<String, Decimal>,
    pub aggregate: Option<AggregateAttachment>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ContractDoc {
    start_month: String,
    #[serde(default)]
    basis: Option<String>,
    specific_deductible: Box<RawValue>,
    #[serde(default)]
    lasers: Vec<LaserDoc>,
    #[serde(default)]
    aggregate_attachment: Option<Box<RawValue>>,
    #[serde(default)]
    aggregate_factor: Option<Box<RawValue>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LaserDoc {
    claimant_id: String,
    specific_deductible: Box<RawValue>,
}

fn contract_error(message: impl std::fmt::Display) -> Error {
    Error::argument(format!("stop-loss contract: {message}"))
}

fn number_text(raw: &RawValue) -> Result<Option<String>> {
    money::json_scalar_text(raw).map_err(contract_error)
}

/// A non-negative amount of money, exact to the cent.
fn amount(raw: &RawValue, field: &str) -> Result<Option<Decimal>> {
    let Some(text) = number_text(raw)? else { return Ok(None) };
    let value =
        money::parse_money_option(&text).map_err(|reason| contract_error(format!("{field} '{text}' {reason}")))?;
    if value.is_sign_negative() && !value.is_zero() {
        return Err(contract_error(format!("{field} '{text}' is negative; expected an amount >= 0")));
    }
    Ok(Some(value))
}

fn parse_basis(text: &str) -> Result<ContractBasis> {
    if text.eq_ignore_ascii_case("paid") {
        return Ok(ContractBasis::Paid);
    }
    let months = |s: &str| s.parse::<u32>().ok().filter(|n| (12..=36).contains(n));
    match text.split_once('/') {
        Some((i, p)) => match (months(i), months(p)) {
            (Some(incurred), Some(paid)) => Ok(ContractBasis::Months { incurred, paid }),
            _ => Err(contract_error(format!(
                "basis '{text}': each side is a number of months 12..36 (e.g. 12/12, 12/15, 15/12, 24/12) or 'paid'"
            ))),
        },
        None => Err(contract_error(format!(
            "basis '{text}' is not known; expected 12/12, 12/15, 15/12, 24/12 (incurred/paid months) or paid"
        ))),
    }
}

/// A contract's first month: a `YYYY-MM` label whose year a report can cover.
fn start_month(text: &str) -> Result<MonthIndex> {
    if let Ok(p) = Period::parse(text, |_| Ok(None)) {
        if p.first == p.last {
            return Ok(p.first);
        }
    }
    let year = text.get(..4).filter(|y| y.bytes().all(|b| b.is_ascii_digit()) && text.get(4..5) == Some("-"));
    if let Some(y) = year.and_then(|y| y.parse::<i32>().ok()).filter(|y| !YEARS.contains(y)) {
        return Err(contract_error(format!(
            "start_month '{text}': year {y:04} is outside the years a report covers ({} to {})",
            YEARS.start(),
            YEARS.end()
        )));
    }
    Err(contract_error(format!("start_month '{text}' is not a month; expected YYYY-MM")))
}

impl StopLossContract {
    /// Reads a contract from its JSON document. Amounts may be JSON numbers
    /// or strings and are read exactly (never through a float).
    pub fn from_json(text: &str) -> Result<StopLossContract> {
        let doc: ContractDoc = serde_json::from_str(text).map_err(contract_error)?;
        let start = start_month(&doc.start_month)?;
        let basis = parse_basis(doc.basis.as_deref().unwrap_or("12/12"))?;
        let specific_deductible = amount(&doc.specific_deductible, "specific_deductible")?
            .ok_or_else(|| contract_error("specific_deductible is null; a contract needs one"))?;
        let mut lasers = BTreeMap::new();
        for laser in &doc.lasers {
            let field = format!("lasers[{}].specific_deductible", laser.claimant_id);
            let value = amount(&laser.specific_deductible, &field)?
                .ok_or_else(|| contract_error(format!("{field} is null")))?;
            if lasers.insert(laser.claimant_id.trim().to_string(), value).is_some() {
                return Err(contract_error(format!("claimant {} has two lasers", laser.claimant_id)));
            }
        }
        let attachment = match &doc.aggregate_attachment {
            Some(raw) => amount(raw, "aggregate_attachment")?,
            None => None,
        };
        let factor = match &doc.aggregate_factor {
            Some(raw) => match number_text(raw)? {
                Some(text) => {
                    let f = Decimal::from_str_exact(&text).ok().filter(|f| *f > Decimal::ZERO).ok_or_else(|| {
                        contract_error(format!("aggregate_factor '{text}' is not a positive decimal (e.g. 1.25)"))
                    })?;
                    Some(f)
                }
                None => None,
            },
            None => None,
        };
        let aggregate = match (attachment, factor) {
            (Some(_), Some(_)) => {
                return Err(contract_error("give aggregate_attachment or aggregate_factor, not both"))
            }
            (Some(a), None) => Some(AggregateAttachment::Amount(a)),
            (None, Some(f)) => Some(AggregateAttachment::Factor(f)),
            (None, None) => None,
        };
        Ok(StopLossContract { start, basis, specific_deductible, lasers, aggregate })
    }

    /// The contract year's months, first and last.
    pub fn contract_months(&self) -> (MonthIndex, MonthIndex) {
        (self.start, self.start + 11)
    }

    /// Months a claim must be incurred in; None for a paid contract (any).
    pub fn incurred_window(&self) -> Option<(MonthIndex, MonthIndex)> {
        match self.basis {
            ContractBasis::Months { incurred, .. } => Some((self.start + 12 - incurred as i32, self.start + 11)),
            ContractBasis::Paid => None,
        }
    }

    /// Months a claim must be paid in.
    pub fn paid_window(&self) -> (MonthIndex, MonthIndex) {
        match self.basis {
            ContractBasis::Months { paid, .. } => (self.start, self.start + paid as i32 - 1),
            ContractBasis::Paid => (self.start, self.start + 11),
        }
    }

    pub fn basis_label(&self) -> String {
        match self.basis {
            ContractBasis::Months { incurred, paid } => format!("{incurred}/{paid}"),
            ContractBasis::Paid => "paid".to_string(),
        }
    }

    /// The claimant's laser, else the specific deductible.
    pub fn deductible_for(&self, claimant_id: &str) -> Decimal {
        self.lasers.get(claimant_id).copied().unwrap_or(self.specific_deductible)
    }

    pub fn start_label(&self) -> String {
        month_label(self.start)
    }
}

impl FromStr for StopLossContract {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        StopLossContract::from_json(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::period::month_index;

    fn contract(basis: &str) -> StopLossContract {
        StopLossContract::from_json(&format!(
            r#"{{"start_month": "2025-01", "basis": "{basis}", "specific_deductible": "100000"}}"#
        ))
        .unwrap()
    }

    #[test]
    fn windows_of_each_basis() {
        let m = |y, mo| month_index(y, mo);
        // 12/12: incurred and paid Jan..Dec 2025.
        assert_eq!(contract("12/12").incurred_window(), Some((m(2025, 1), m(2025, 12))));
        assert_eq!(contract("12/12").paid_window(), (m(2025, 1), m(2025, 12)));
        // 12/15: three months of run-out, paid through March 2026.
        assert_eq!(contract("12/15").incurred_window(), Some((m(2025, 1), m(2025, 12))));
        assert_eq!(contract("12/15").paid_window(), (m(2025, 1), m(2026, 3)));
        // 15/12: three months of run-in, incurred from October 2024.
        assert_eq!(contract("15/12").incurred_window(), Some((m(2024, 10), m(2025, 12))));
        assert_eq!(contract("15/12").paid_window(), (m(2025, 1), m(2025, 12)));
        // 24/12: incurred from January 2024.
        assert_eq!(contract("24/12").incurred_window(), Some((m(2024, 1), m(2025, 12))));
        // paid: any incurred date.
        assert_eq!(contract("paid").incurred_window(), None);
        assert_eq!(contract("paid").paid_window(), (m(2025, 1), m(2025, 12)));
    }

    #[test]
    fn amounts_are_exact_and_checked() {
        let c = StopLossContract::from_json(
            r#"{"start_month": "2025-07", "specific_deductible": 75000.5, "lasers": [{"claimant_id": "A", "specific_deductible": "$200,000.00"}], "aggregate_factor": "1.2500"}"#,
        )
        .unwrap();
        assert_eq!(c.specific_deductible.to_string(), "75000.50");
        assert_eq!(c.deductible_for("A").to_string(), "200000.00");
        assert_eq!(c.deductible_for("B").to_string(), "75000.50");
        assert_eq!(c.aggregate, Some(AggregateAttachment::Factor(Decimal::new(12500, 4))));
        assert_eq!(c.basis_label(), "12/12");
        for bad in [
            r#"{"start_month": "2025-13", "specific_deductible": 1}"#,
            r#"{"start_month": "2025-01", "specific_deductible": 1.005}"#,
            r#"{"start_month": "2025-01", "specific_deductible": -1}"#,
            r#"{"start_month": "2025-01", "specific_deductible": 1, "basis": "6/12"}"#,
            r#"{"start_month": "2025-01", "specific_deductible": 1, "aggregate_factor": 1.2, "aggregate_attachment": 5}"#,
            r#"{"start_month": "2025-01", "specific_deductible": 1, "aggregate_factor": 0}"#,
            r#"{"start_month": "2025-01", "specific_deductible": 1, "lasers": [{"claimant_id": "A", "specific_deductible": 2}, {"claimant_id": "A", "specific_deductible": 3}]}"#,
            r#"{"start_month": "2025-01", "specific_deductible": 1, "deductible": 2}"#,
        ] {
            let e = StopLossContract::from_json(bad).unwrap_err();
            assert!(matches!(e, Error::Argument { .. }), "{bad}: {e}");
            assert!(e.to_string().starts_with("stop-loss contract:"), "{e}");
        }
    }
}
