//! Reconciliation rules (serde JSON) and the named presets.
//!
//! A column is named by one header or a list of accepted headers (the first
//! the file has is used), compared like the loaders compare headers.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::comparison::{exact_decimal, exact_number};
pub use super::comparison::{BlockingItem, CompareKind, Comparison};
pub use super::fellegi_sunter::{ComparisonModel, LevelModel, Model, Training};
use crate::load::mapping::HeaderSpec;
use crate::model::error::{Error, Result};

fn one() -> f64 {
    1.0
}

fn default_min_score() -> f64 {
    0.6
}

fn default_min_similarity() -> f64 {
    0.85
}

/// The same column on both sides.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnPair {
    pub left: HeaderSpec,
    pub right: HeaderSpec,
}

/// Columns that must be equal after normalisation (trim, case-fold, inner
/// spaces collapsed; `digits_only` keeps the digits and drops leading zeros).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyRule {
    pub left: HeaderSpec,
    pub right: HeaderSpec,
    #[serde(default)]
    pub digits_only: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DateRule {
    pub left: HeaderSpec,
    pub right: HeaderSpec,
    /// Largest |right date - left date| in days for a match.
    #[serde(default)]
    pub tolerance_days: u32,
    /// strftime formats when a side's dates are not in an accepted form.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub left_format: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub right_format: Option<String>,
    #[serde(default = "one")]
    pub weight: f64,
}

/// The left amount: a column, or the product of columns (a PEPM rate times
/// an employee count), rounded to the cent half away from zero.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum AmountSource {
    Column(HeaderSpec),
    Product { product: Vec<HeaderSpec> },
}

/// Amounts agree when |right - left| <= tolerance + tolerance_pct% of
/// |left| (the allowance is the sum, as card fees are "2.9% + 0.30").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AmountRule {
    pub left: AmountSource,
    pub right: HeaderSpec,
    #[serde(
        default,
        deserialize_with = "exact_decimal",
        serialize_with = "exact_number",
        skip_serializing_if = "Option::is_none"
    )]
    pub tolerance: Option<Decimal>,
    #[serde(
        default,
        deserialize_with = "exact_decimal",
        serialize_with = "exact_number",
        skip_serializing_if = "Option::is_none"
    )]
    pub tolerance_pct: Option<Decimal>,
    #[serde(default = "one")]
    pub weight: f64,
}

/// Text compared by Jaro-Winkler on name keys (see `names`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FuzzyRule {
    pub left: HeaderSpec,
    pub right: HeaderSpec,
    #[serde(default = "default_min_similarity")]
    pub min_similarity: f64,
    #[serde(default = "one")]
    pub weight: f64,
}

/// How pairs are judged: every rule part must pass (`rules`, the default),
/// or the columns' agreement is weighed as evidence (`probabilistic`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MatchMode {
    #[default]
    Rules,
    Probabilistic,
}

impl MatchMode {
    fn is_rules(&self) -> bool {
        *self == MatchMode::Rules
    }
}

/// What makes a left row and a right row the same thing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rules {
    #[serde(default, skip_serializing_if = "MatchMode::is_rules")]
    pub mode: MatchMode,
    /// Columns that name each row in the result (record numbers always do).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<ColumnPair>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keys: Vec<KeyRule>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<DateRule>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<AmountRule>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fuzzy: Vec<FuzzyRule>,
    /// Probabilistic mode: the columns compared, each with its levels.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub compare: Vec<Comparison>,
    /// Probabilistic mode: pairs are compared when they agree on every item
    /// of at least one of these rules (and on the keys).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub blocking: Vec<Vec<BlockingItem>>,
    /// Probabilistic mode: m and u of each level and the prior, trained on
    /// the data when absent (the result's rules carry the trained model).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<Model>,
    /// A pair scoring below this is not a match (in probabilistic mode the
    /// score is the match probability).
    #[serde(default = "default_min_score")]
    pub min_score: f64,
}

/// The presets' names, for error messages and help.
pub const PRESETS: [&str; 4] = ["stop-loss", "rebates", "admin-invoice", "pos-rewards"];

const PRESET_STOP_LOSS: &str = include_str!("presets/stop-loss.json");
const PRESET_REBATES: &str = include_str!("presets/rebates.json");
const PRESET_ADMIN_INVOICE: &str = include_str!("presets/admin-invoice.json");
const PRESET_POS_REWARDS: &str = include_str!("presets/pos-rewards.json");

impl Rules {
    pub fn from_json(text: &str) -> Result<Rules> {
        let rules: Rules =
            serde_json::from_str(text).map_err(|e| Error::argument(format!("reconciliation rules: {e}")))?;
        rules.validate()?;
        Ok(rules)
    }

    pub fn preset(name: &str) -> Result<Rules> {
        let text = match name.trim().to_ascii_lowercase().replace('_', "-").as_str() {
            "stop-loss" => PRESET_STOP_LOSS,
            "rebates" => PRESET_REBATES,
            "admin-invoice" => PRESET_ADMIN_INVOICE,
            "pos-rewards" => PRESET_POS_REWARDS,
            _ => {
                return Err(Error::argument(format!("unknown preset '{name}'; use one of {}", PRESETS.join(", "))));
            }
        };
        Rules::from_json(text)
    }

    /// The rules a door was given: JSON rules or a preset name, exactly one.
    pub fn from_choice(rules_json: Option<&str>, preset: Option<&str>) -> Result<Rules> {
        match (rules_json, preset) {
            (Some(json), None) => Rules::from_json(json),
            (None, Some(name)) => Rules::preset(name),
            (Some(_), Some(_)) => Err(Error::argument("give reconciliation rules or a preset, not both")),
            (None, None) => {
                Err(Error::argument(format!("reconciliation needs rules (JSON) or a preset ({})", PRESETS.join(", "))))
            }
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// The rules with a trained model given again (a result's
    /// `rules.model`, or a file `--model-out` wrote): no training.
    pub fn with_model_json(mut self, text: &str) -> Result<Rules> {
        let model: Model = serde_json::from_str(text).map_err(|e| {
            Error::argument(format!("model: {e}; expected the \"model\" object a probabilistic reconciliation wrote"))
        })?;
        if self.mode != MatchMode::Probabilistic {
            return Err(Error::argument("a model is for \"mode\": \"probabilistic\" rules"));
        }
        self.model = Some(model);
        self.validate()?;
        Ok(self)
    }

    pub(crate) fn validate(&self) -> Result<()> {
        if self.mode == MatchMode::Probabilistic {
            if self.date.is_some() || self.amount.is_some() || !self.fuzzy.is_empty() {
                return Err(Error::argument(
                    "in probabilistic mode dates, amounts and names are compared in \"compare\" (kind date, amount or name), not as date / amount / fuzzy rules",
                ));
            }
            return super::comparison::validate(&self.compare, &self.blocking, self.model.as_ref(), self.min_score);
        }
        if !self.compare.is_empty() || !self.blocking.is_empty() || self.model.is_some() {
            return Err(Error::argument(
                "\"compare\", \"blocking\" and \"model\" belong to \"mode\": \"probabilistic\"; the rule mode uses keys, date, amount and fuzzy",
            ));
        }
        if self.keys.is_empty() && self.date.is_none() && self.amount.is_none() && self.fuzzy.is_empty() {
            return Err(Error::argument("reconciliation rules need at least one of keys, date, amount or fuzzy"));
        }
        let unit = |name: &str, v: f64| {
            if v.is_finite() && (0.0..=1.0).contains(&v) {
                Ok(())
            } else {
                Err(Error::argument(format!("{name} is {v}; it must be between 0 and 1")))
            }
        };
        let weight = |name: &str, v: f64| {
            if v.is_finite() && v > 0.0 {
                Ok(())
            } else {
                Err(Error::argument(format!("{name} weight is {v}; it must be a positive number")))
            }
        };
        unit("min_score", self.min_score)?;
        if let Some(d) = &self.date {
            weight("date", d.weight)?;
        }
        if let Some(a) = &self.amount {
            weight("amount", a.weight)?;
            // Never rounded: a tolerance is money to the cent, a percent has at
            // most 20 decimals (the exact allowance arithmetic's reach).
            for (name, v, decimals) in [("tolerance", a.tolerance, 2), ("tolerance_pct", a.tolerance_pct, 20)] {
                if v.is_some_and(|v| v.is_sign_negative()) {
                    return Err(Error::argument(format!("amount {name} is negative; it must be 0 or more")));
                }
                if let Some(v) = v.filter(|v| v.normalize().scale() > decimals) {
                    return Err(Error::argument(format!(
                        "amount {name} {v} has more than {decimals} decimals; it is never rounded"
                    )));
                }
            }
            if let AmountSource::Product { product } = &a.left {
                if product.len() < 2 {
                    return Err(Error::argument("amount left \"product\" needs at least two columns"));
                }
            }
        }
        for f in &self.fuzzy {
            weight("fuzzy", f.weight)?;
            unit("fuzzy min_similarity", f.min_similarity)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_preset_parses() {
        for name in PRESETS {
            let rules = Rules::preset(name).unwrap();
            assert!(rules.min_score > 0.0, "{name}");
        }
        assert!(Rules::preset("pos_rewards").is_ok());
        let e = Rules::preset("payroll").unwrap_err().to_string();
        assert!(e.contains("stop-loss, rebates, admin-invoice, pos-rewards"), "{e}");
    }

    #[test]
    fn tolerances_are_exact_from_strings_or_numbers() {
        let r =
            Rules::from_json(r#"{"amount": {"left": "a", "right": "b", "tolerance": 0.1, "tolerance_pct": "2.9"}}"#)
                .unwrap();
        let a = r.amount.unwrap();
        assert_eq!(a.tolerance, Some(Decimal::new(1, 1)));
        assert_eq!(a.tolerance_pct, Some(Decimal::new(29, 1)));
        assert_eq!(r.min_score, 0.6);
    }

    #[test]
    fn bad_rules_say_what_is_wrong() {
        let e = |json: &str| Rules::from_json(json).unwrap_err().to_string();
        assert!(e("{}").contains("at least one of keys"));
        assert!(
            e(r#"{"keys": [], "min_score": 1.5, "date": {"left": "d", "right": "d"}}"#).contains("min_score is 1.5")
        );
        assert!(e(r#"{"amount": {"left": "a", "right": "b", "tolerance": "-1"}}"#).contains("negative"));
        assert!(e(r#"{"amount": {"left": "a", "right": "b", "tolerance": "x"}}"#).contains("'x' is not a decimal"));
        assert!(e(r#"{"amount": {"left": "a", "right": "b", "tolerance": "0.005"}}"#)
            .contains("tolerance 0.005 has more than 2 decimals"));
        assert!(e(r#"{"amount": {"left": "a", "right": "b", "tolerance_pct": "1.000000000000000000001"}}"#)
            .contains("more than 20 decimals"));
        assert!(Rules::from_json(
            r#"{"amount": {"left": "a", "right": "b", "tolerance": "1.500", "tolerance_pct": "2.90"}}"#
        )
        .is_ok());
        assert!(e(r#"{"date": {"left": "d", "right": "d", "tolerance": 2}}"#).contains("unknown field `tolerance`"));
        assert!(e(r#"{"amount": {"left": {"product": ["rate"]}, "right": "b"}}"#).contains("at least two columns"));
    }
}
