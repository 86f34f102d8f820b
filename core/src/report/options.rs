//! The options of a report, built in Rust or read from one JSON object (the
//! form every door passes through, so they all mean the same thing).

use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::value::RawValue;

use super::completion_options::CompletionOptions;
use crate::model::error::{Error, Result};
use crate::rules::eligibility::EligibilityCounting;
use crate::rules::privacy::Privacy;
use crate::rules::stop_loss_contract::StopLossContract;

/// Which date puts a claim in a month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Basis {
    /// claim_date (the default).
    #[default]
    Incurred,
    /// paid_date.
    Paid,
}

impl Basis {
    pub fn parse(s: &str) -> Result<Basis> {
        match s {
            "incurred" => Ok(Basis::Incurred),
            "paid" => Ok(Basis::Paid),
            other => Err(Error::argument(format!("basis '{other}' is not known; expected incurred or paid"))),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Basis::Incurred => "incurred",
            Basis::Paid => "paid",
        }
    }

    pub(crate) fn date_column(self) -> &'static str {
        match self {
            Basis::Incurred => "claim_date",
            Basis::Paid => "paid_date",
        }
    }
}

/// The high-cost threshold when none is given (every door's default).
pub const DEFAULT_HCC_THRESHOLD: &str = "50000.00";
/// How many codes `top_diagnoses` lists when not told.
pub const DEFAULT_TOP_N: usize = 10;
pub use crate::rules::privacy::DEFAULT_MIN_CELL;

/// Options of a report.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportOptions {
    pub basis: Basis,
    /// Claimants whose signed period total is at least this are high-cost.
    pub hcc_threshold: Decimal,
    /// How many codes `top_diagnoses` lists.
    pub top_n: usize,
    /// Deductible for `excess_over_specific` without a contract (a
    /// contract's own deductible and lasers win).
    pub specific_deductible: Option<Decimal>,
    /// Adds the `stop_loss` section.
    pub stop_loss_contract: Option<StopLossContract>,
    /// How eligibility spans count toward a month (when spans are loaded).
    pub eligibility_counting: EligibilityCounting,
    pub privacy: Privacy,
    /// Adds the `completion` section (lag triangle, factors, IBNR).
    pub completion: Option<CompletionOptions>,
    /// Adds the `projection` section (the plan year's total cost); needs `completion`.
    pub project_year: bool,
}

impl Default for ReportOptions {
    fn default() -> Self {
        ReportOptions {
            basis: Basis::Incurred,
            hcc_threshold: Decimal::new(5_000_000, 2),
            top_n: DEFAULT_TOP_N,
            specific_deductible: None,
            stop_loss_contract: None,
            eligibility_counting: EligibilityCounting::AnyDay,
            privacy: Privacy::default(),
            completion: None,
            project_year: false,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OptionsDoc {
    basis: Option<String>,
    hcc_threshold: Option<Box<RawValue>>,
    top_n: Option<usize>,
    specific_deductible: Option<Box<RawValue>>,
    stop_loss_contract: Option<Box<RawValue>>,
    eligibility_counting: Option<String>,
    pseudonymize_key: Option<String>,
    min_cell: Option<Box<RawValue>>,
    employer_facing: Option<bool>,
    completion: Option<Box<RawValue>>,
    project_year: Option<bool>,
}

fn options_error(message: impl std::fmt::Display) -> Error {
    Error::argument(format!("report options: {message}"))
}

fn money_field(raw: &Option<Box<RawValue>>, name: &str) -> Result<Option<Decimal>> {
    let Some(text) =
        raw.as_deref().map(crate::model::money::json_scalar_text).transpose().map_err(options_error)?.flatten()
    else {
        return Ok(None);
    };
    crate::model::money::parse_money_option(&text)
        .map(Some)
        .map_err(|reason| options_error(format!("{name} '{text}' {reason}")))
}

impl ReportOptions {
    /// Refuses what no report can mean: a negative high-cost threshold
    /// (every claimant would be high-cost) or a negative deductible (an
    /// excess larger than the claimant's total). Every report checks this,
    /// whichever door built the options.
    pub fn validate(&self) -> Result<()> {
        if self.hcc_threshold.is_sign_negative() && !self.hcc_threshold.is_zero() {
            return Err(options_error(format!("hcc_threshold '{}' is negative; give 0 or more", self.hcc_threshold)));
        }
        if let Some(d) = self.specific_deductible.filter(|d| d.is_sign_negative() && !d.is_zero()) {
            return Err(options_error(format!("specific_deductible '{d}' is negative; give 0 or more")));
        }
        if self.project_year && self.completion.is_none() {
            return Err(options_error(
                "project_year needs completion (the projection starts from the completed year to date)",
            ));
        }
        if let Some(c) = &self.completion {
            c.validate()?;
            if self.basis == Basis::Paid {
                return Err(options_error(
                    "completion needs the incurred basis (it completes claims by incurred month)",
                ));
            }
        }
        Ok(())
    }

    /// The deductible `excess_over_specific` uses: the contract's, else the option.
    pub fn specific_deductible(&self) -> Option<Decimal> {
        self.stop_loss_contract.as_ref().map(|c| c.specific_deductible).or(self.specific_deductible)
    }

    /// One claimant's deductible: the contract's laser or deductible, else the option.
    pub fn deductible_for(&self, claimant_id: &str) -> Option<Decimal> {
        match &self.stop_loss_contract {
            Some(contract) => Some(contract.deductible_for(claimant_id)),
            None => self.specific_deductible,
        }
    }

    /// Reads options from a JSON object; absent keys keep their defaults.
    ///
    /// Keys: `basis` ("incurred" | "paid"), `hcc_threshold`, `top_n`,
    /// `specific_deductible`, `stop_loss_contract` (the contract object),
    /// `eligibility_counting` ("any_day" | "first_of_month" | "mid_month"),
    /// `pseudonymize_key`, `min_cell` (a number, or true for 11),
    /// `employer_facing`, `completion` (true or `{as_of, completion_months,
    /// projection_months, trend, blend, tail}`), `project_year` (true also
    /// turns completion on). Amounts may be numbers or strings; they are read
    /// exactly, never through a float.
    ///
    /// ```
    /// let o = claimscope::ReportOptions::from_json(r#"{"basis": "paid", "hcc_threshold": "25000", "min_cell": true}"#).unwrap();
    /// assert_eq!(o.hcc_threshold.to_string(), "25000.00");
    /// assert_eq!(o.privacy.min_cell, Some(11));
    /// ```
    pub fn from_json(text: &str) -> Result<ReportOptions> {
        let doc: OptionsDoc = serde_json::from_str(text).map_err(options_error)?;
        let mut out = ReportOptions::default();
        if let Some(b) = &doc.basis {
            out.basis = Basis::parse(b)?;
        }
        if let Some(t) = money_field(&doc.hcc_threshold, "hcc_threshold")? {
            out.hcc_threshold = t;
        }
        if let Some(n) = doc.top_n {
            out.top_n = n;
        }
        out.specific_deductible = money_field(&doc.specific_deductible, "specific_deductible")?;
        if let Some(raw) = &doc.stop_loss_contract {
            if raw.get().trim() != "null" {
                out.stop_loss_contract = Some(StopLossContract::from_json(raw.get())?);
            }
        }
        if let Some(c) = &doc.eligibility_counting {
            out.eligibility_counting = EligibilityCounting::parse(c)?;
        }
        out.privacy.pseudonymize_key = doc.pseudonymize_key.clone();
        out.privacy.min_cell = match doc.min_cell.as_deref().map(|r| r.get().trim()) {
            None | Some("null") | Some("false") => None,
            Some("true") => Some(DEFAULT_MIN_CELL),
            Some(other) => Some(parse_min_cell(other.trim_matches('"'))?),
        };
        out.privacy.employer_facing = doc.employer_facing.unwrap_or(false);
        out.completion = doc.completion.as_deref().map(CompletionOptions::from_json).transpose()?.flatten();
        out.project_year = doc.project_year.unwrap_or(false);
        if out.project_year && out.completion.is_none() {
            out.completion = Some(CompletionOptions::default());
        }
        Ok(out)
    }
}

impl ReportOptions {
    /// The defaults as the JSON options document (`{"basis": "incurred",
    /// "hcc_threshold": "50000.00", ...}`): what the doors show users as
    /// their defaults, so no door restates them. `min_cell: true` means
    /// [`DEFAULT_MIN_CELL`].
    pub fn defaults_json() -> String {
        serde_json::json!({
            "basis": Basis::default().name(),
            "hcc_threshold": DEFAULT_HCC_THRESHOLD,
            "top_n": DEFAULT_TOP_N,
            "specific_deductible": null,
            "stop_loss_contract": null,
            "eligibility_counting": EligibilityCounting::default().name(),
            "pseudonymize_key": null,
            "min_cell": null,
            "employer_facing": false,
            "completion": null,
            "project_year": false,
        })
        .to_string()
    }
}

/// A min_cell value: a whole number >= 1.
pub fn parse_min_cell(text: &str) -> Result<i64> {
    text.parse::<i64>()
        .ok()
        .filter(|n| *n >= 1)
        .ok_or_else(|| options_error(format!("min_cell '{text}' is not a whole number >= 1")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_options_read_exactly_and_reject_unknown_keys() {
        let o = ReportOptions::from_json(
            r#"{"basis": "paid", "hcc_threshold": 25000.5, "top_n": 3, "specific_deductible": "100,000",
                "stop_loss_contract": {"start_month": "2025-01", "specific_deductible": 100000},
                "eligibility_counting": "mid_month", "pseudonymize_key": "k", "min_cell": 5, "employer_facing": true}"#,
        )
        .unwrap();
        assert_eq!(o.basis, Basis::Paid);
        assert_eq!(o.hcc_threshold.to_string(), "25000.50");
        assert_eq!(o.top_n, 3);
        assert_eq!(o.specific_deductible.map(|d| d.to_string()), Some("100000.00".into()));
        assert!(o.stop_loss_contract.is_some());
        assert_eq!(o.eligibility_counting, EligibilityCounting::MidMonth);
        assert_eq!(o.privacy.min_cell, Some(5));
        assert!(o.privacy.employer_facing);
        assert_eq!(ReportOptions::from_json("{}").unwrap(), ReportOptions::default());
        // A negative threshold or deductible is refused with its value, whichever door built it.
        let negative = ReportOptions::from_json(r#"{"hcc_threshold": "-1"}"#).unwrap().validate().unwrap_err();
        assert_eq!(negative.to_string(), "report options: hcc_threshold '-1.00' is negative; give 0 or more");
        let negative = ReportOptions::from_json(r#"{"specific_deductible": -5}"#).unwrap().validate().unwrap_err();
        assert_eq!(negative.to_string(), "report options: specific_deductible '-5.00' is negative; give 0 or more");
        assert!(ReportOptions::from_json(r#"{"hcc_threshold": "0"}"#).unwrap().validate().is_ok());
        assert_eq!(ReportOptions::default().hcc_threshold.to_string(), DEFAULT_HCC_THRESHOLD);
        assert_eq!(ReportOptions::from_json(&ReportOptions::defaults_json()).unwrap(), ReportOptions::default());
        for bad in
            [r#"{"hcc": 1}"#, r#"{"min_cell": 0}"#, r#"{"basis": "cash"}"#, r#"{"hcc_threshold": "1.001"}"#, "[]"]
        {
            assert!(matches!(ReportOptions::from_json(bad), Err(Error::Argument { .. })), "{bad}");
        }
    }
}
