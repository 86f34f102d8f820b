//! The report document: typed structs whose serde order is the key order of
//! interfaces.md. Decimals carry their scale (2 for money, 4 for ratios) and
//! are written as JSON numbers with exactly those digits.

use serde::Serialize;

use crate::model::load_summary::LineageEntry;
pub use crate::model::num::Num;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PeriodInfo {
    pub label: String,
    pub start: String,
    pub end: String,
    pub months: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportOptionsUsed {
    pub basis: String,
    pub hcc_threshold: Num,
    pub top_n: usize,
    pub specific_deductible: Option<Num>,
    /// The contract's start month and basis (the contract is in `stop_loss`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stop_loss_contract: Option<String>,
    /// Present when member months come from eligibility spans.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub eligibility_counting: Option<String>,
    /// Present (true) when claimant ids are pseudonyms; the key never is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pseudonymize: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_cell: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub employer_facing: Option<bool>,
}

/// The monthly figures of metrics.md, in its table order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MonthlyFigures {
    pub medical_claims: Num,
    pub pharmacy_claims: Num,
    pub gross_claims: Num,
    pub rebates: Num,
    pub stop_loss_reimbursements: Num,
    pub net_claims: Num,
    pub admin_fees: Num,
    pub total_cost: Num,
    pub budget_medical: Option<Num>,
    pub budget_pharmacy: Option<Num>,
    pub budget_admin: Option<Num>,
    pub total_budget: Option<Num>,
    pub variance: Option<Num>,
    pub member_months: Option<i64>,
    pub employee_months: Option<i64>,
    pub claim_count: i64,
    pub claimant_count: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MonthlyRow {
    pub month: String,
    #[serde(flatten)]
    pub figures: MonthlyFigures,
}

/// Summary (and prior) figures: the monthly figures summed over the period,
/// then the period figures, trends last.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PeriodSummary {
    #[serde(flatten)]
    pub sums: MonthlyFigures,
    pub medical_pmpm: Option<Num>,
    pub pharmacy_pmpm: Option<Num>,
    pub gross_pmpm: Option<Num>,
    pub net_pmpm: Option<Num>,
    pub total_cost_pmpm: Option<Num>,
    pub medical_pepm: Option<Num>,
    pub pharmacy_pepm: Option<Num>,
    pub gross_pepm: Option<Num>,
    pub net_pepm: Option<Num>,
    pub total_cost_pepm: Option<Num>,
    pub budget_pepm: Option<Num>,
    pub loss_ratio: Option<Num>,
    pub claims_loss_ratio: Option<Num>,
    pub variance_pct: Option<Num>,
    pub members_per_employee: Option<Num>,
    pub trend_gross_pmpm: Option<Num>,
    pub trend_net_pmpm: Option<Num>,
    pub trend_total_cost_pmpm: Option<Num>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Trends {
    pub gross_pmpm: Option<Num>,
    pub net_pmpm: Option<Num>,
    pub total_cost_pmpm: Option<Num>,
}

/// The figures every breakdown row carries (metrics.md, "Breakdowns").
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BreakdownFigures {
    pub medical: Option<Num>,
    pub pharmacy: Option<Num>,
    pub total: Option<Num>,
    pub share_of_gross: Option<Num>,
    pub pmpm: Option<Num>,
    pub claimant_count: Option<i64>,
    pub claim_count: Option<i64>,
    /// Present only when min_cell is on: true for a group whose figures are
    /// withheld (and folded into "Other (suppressed)").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suppressed: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServiceCategory {
    pub name: String,
    #[serde(flatten)]
    pub figures: BreakdownFigures,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DiagnosisGroup {
    pub chapter: String,
    pub name: String,
    #[serde(flatten)]
    pub figures: BreakdownFigures,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TopDiagnosis {
    pub icd_code: String,
    pub layman_term: Option<String>,
    pub total: Num,
    pub claimant_count: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HighCostClaimant {
    pub claimant_id: String,
    pub medical: Num,
    pub pharmacy: Num,
    pub total: Num,
    pub claim_count: i64,
    pub primary_icd: Option<String>,
    pub chapter: String,
    pub layman_term: Option<String>,
    pub stop_loss_reimbursed: Num,
    pub excess_over_specific: Option<Num>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HighCostClaimants {
    pub threshold: Num,
    pub count: i64,
    pub total: Num,
    pub share_of_gross: Option<Num>,
    pub share_of_claimants: Option<Num>,
    pub claimants: Vec<HighCostClaimant>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConcentrationRow {
    pub top_pct: u32,
    pub claimants: i64,
    pub share: Option<Num>,
}

/// The contract as applied: its months and windows spelled out.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ContractUsed {
    pub start_month: String,
    pub end_month: String,
    pub basis: String,
    /// Null for a paid contract (any incurred date).
    pub incurred_start: Option<String>,
    pub incurred_end: Option<String>,
    pub paid_start: String,
    pub paid_end: String,
    pub specific_deductible: Num,
    pub lasers: Vec<Laser>,
    pub aggregate_attachment: Option<Num>,
    pub aggregate_factor: Option<Num>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Laser {
    pub claimant_id: String,
    pub specific_deductible: Num,
}

/// One claimant's specific stop-loss position for the contract.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StopLossClaimant {
    pub claimant_id: String,
    /// Claims incurred and paid inside the contract windows.
    pub eligible_total: Num,
    /// The deductible that applies: the laser, else the specific deductible.
    pub deductible: Num,
    pub lasered: bool,
    /// How much of the deductible the eligible claims used (0..deductible).
    pub deductible_used: Num,
    /// max(0, eligible_total - deductible).
    pub expected_specific: Num,
    /// Reimbursements paid in the paid window linked to the claimant.
    pub received: Num,
    /// expected_specific - received.
    pub outstanding: Num,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SpecificSummary {
    /// Claimants whose eligible claims exceed their deductible.
    pub claimants_over_deductible: i64,
    pub expected_specific: Num,
    pub received: Num,
    /// Reimbursements in the paid window that link to no claimant.
    pub unlinked_received: Num,
    /// expected_specific - received (claimant-linked).
    pub outstanding: Num,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AggregateSummary {
    /// Every claimant's eligible claims.
    pub eligible_claims: Num,
    pub specific_excess: Num,
    /// eligible_claims - specific_excess.
    pub aggregate_claims: Num,
    /// Medical + pharmacy budgets of the contract months (null when a month lacks a budget).
    pub expected_claims: Option<Num>,
    pub attachment_point: Option<Num>,
    /// aggregate_claims / attachment_point.
    pub aggregate_ratio: Option<Num>,
}

/// The report's `stop_loss` section (a contract was given).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StopLossSection {
    pub contract: ContractUsed,
    pub claimants: Vec<StopLossClaimant>,
    pub specific: SpecificSummary,
    pub aggregate: AggregateSummary,
}

/// `completion.parameters`: the options the completion used.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CompletionParameters {
    pub completion_months: usize,
    pub projection_months: usize,
    pub trend: Num,
    pub blend: bool,
    pub tail: Num,
}

/// Medical, pharmacy and total paid amounts by incurred month (rows, oldest
/// first) and month of development (columns, 0 = paid in the incurred month).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TriangleAmounts {
    pub medical: Vec<Vec<Num>>,
    pub pharmacy: Vec<Vec<Num>>,
    pub total: Vec<Vec<Num>>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LagTriangle {
    /// Incurred months (`YYYY-MM`), one per row.
    pub incurred: Vec<String>,
    pub incremental: TriangleAmounts,
    pub cumulative: TriangleAmounts,
}

impl LagTriangle {
    /// Cells of the triangle (every incurred month's ages).
    pub fn total_cells(&self) -> usize {
        self.incremental.total.iter().map(Vec::len).sum()
    }
}

/// One age-to-age factor of the total triangle and its Mack statistics.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DevelopmentFactor {
    /// From `age` to `age + 1` months of development.
    pub age: usize,
    pub factor: Num,
    /// Incurred months averaged (0: nothing paid at `age`, factor 1).
    pub months_used: usize,
    /// Cumulative factor from `age` to ultimate (tail included).
    pub to_ultimate: Num,
    /// 1 / to_ultimate (null when reversals make to_ultimate 0).
    pub completion_factor: Option<Num>,
    pub sigma: Num,
    pub std_err: Num,
    /// False when sigma was filled by the log-linear line.
    pub sigma_estimated: bool,
}

/// One incurred month completed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CompletionMonth {
    pub month: String,
    /// Months of development observed (valuation month - incurred month).
    pub age: usize,
    pub paid: Num,
    /// 1 / the month's cumulative factor (null when that is 0).
    pub completion_factor: Option<Num>,
    /// paid x cumulative factor.
    pub chain_ladder: Num,
    /// Expected PMPM x member months, for the months the projection covers.
    pub projection: Option<Num>,
    /// `chain_ladder`, `projection` or `blend`.
    pub method: String,
    pub completed: Num,
    pub ibnr: Num,
    pub member_months: Option<i64>,
    pub completed_pmpm: Option<Num>,
    /// Mack's standard error of the month's chain-ladder ultimate.
    pub std_err: Num,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CompletionTotals {
    pub paid: Num,
    pub ibnr: Num,
    pub completed: Num,
    /// Mack's standard error of the total (all incurred months).
    pub std_err: Num,
}

/// The report period's figures on a completed basis.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CompletedPeriod {
    pub paid: Num,
    pub ibnr: Num,
    pub completed_gross_claims: Num,
    pub completed_net_claims: Num,
    pub completed_total_cost: Num,
    pub completed_gross_pmpm: Option<Num>,
    pub completed_total_cost_pmpm: Option<Num>,
    pub completed_loss_ratio: Option<Num>,
    pub completed_variance: Option<Num>,
    /// Mack's standard error of the period's incurred months together.
    pub std_err: Num,
}

/// The report's `completion` section (asked for with the completion option).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CompletionSection {
    /// Valuation date: claims paid after it are left out.
    pub as_of: String,
    pub valuation_month: String,
    /// `chain_ladder`, `chain_ladder+projection` or `chain_ladder+blend`.
    pub method: String,
    pub parameters: CompletionParameters,
    pub triangle: LagTriangle,
    pub factors: Vec<DevelopmentFactor>,
    pub months: Vec<CompletionMonth>,
    pub totals: CompletionTotals,
    pub period: CompletedPeriod,
}

/// The report's `projection` section: the plan year's total cost.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProjectionSection {
    pub plan_year: PeriodRange,
    /// Months of the plan year the report period covers (completed actuals).
    pub months_actual: usize,
    pub months_projected: usize,
    pub completed_ytd_total_cost: Num,
    pub ytd_member_months: Option<i64>,
    pub completed_ytd_pmpm: Option<Num>,
    pub trend: Num,
    pub projected_months: Vec<ProjectedMonth>,
    pub projected_total_cost: Option<Num>,
    pub annual_budget: Option<Num>,
    pub projected_loss_ratio: Option<Num>,
    pub projected_variance: Option<Num>,
    /// Mack's standard error of the completed year to date.
    pub std_err: Num,
    /// projected_total_cost -/+ one standard error.
    pub low: Option<Num>,
    pub high: Option<Num>,
    pub low_loss_ratio: Option<Num>,
    pub high_loss_ratio: Option<Num>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PeriodRange {
    pub start: String,
    pub end: String,
}

/// One month of the plan year after the report period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProjectedMonth {
    pub month: String,
    pub member_months: Option<i64>,
    /// `enrollment` (a row of the month) or `carried_forward` (the period's last month).
    pub members_from: String,
    pub pmpm: Option<Num>,
    pub total_cost: Option<Num>,
    pub total_budget: Option<Num>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Warning {
    pub code: WarningCode,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub months: Option<Vec<String>>,
}

/// The report document (interfaces.md), in its key order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub schema_version: String,
    pub engine_version: String,
    pub client_id: String,
    pub period: PeriodInfo,
    pub basis: String,
    pub options: ReportOptionsUsed,
    pub lineage: Vec<LineageEntry>,
    pub summary: PeriodSummary,
    pub prior: Option<PeriodSummary>,
    pub trends: Trends,
    pub monthly: Vec<MonthlyRow>,
    pub service_categories: Vec<ServiceCategory>,
    pub diagnosis_groups: Vec<DiagnosisGroup>,
    pub top_diagnoses: Vec<TopDiagnosis>,
    pub high_cost_claimants: HighCostClaimants,
    pub concentration: Vec<ConcentrationRow>,
    pub stop_loss: Option<StopLossSection>,
    /// Present only when asked for (interfaces.md).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub completion: Option<CompletionSection>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub projection: Option<ProjectionSection>,
    pub warnings: Vec<Warning>,
    pub notes: Vec<String>,
}

impl Report {
    /// The JSON document: 2-space indented, a trailing newline; the same
    /// bytes in every door for the same inputs and options.
    pub fn to_json(&self) -> crate::Result<String> {
        let mut s = serde_json::to_string_pretty(self).map_err(crate::Error::engine)?;
        s.push('\n');
        Ok(s)
    }
}

/// Every warning a report can carry; the JSON shows the snake_case name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum WarningCode {
    MissingBudget,
    MissingEnrollment,
    PepmBudgetWithoutEnrollment,
    ZeroBudget,
    ZeroClaimsBudget,
    ZeroMemberMonths,
    ZeroEmployeeMonths,
    ZeroTrendBase,
    NoPriorData,
    EligibilitySpansIgnored,
    StopLossClaimNotFound,
    StopLossClaimantMismatch,
    StopLossClaimantNotFound,
    StopLossClaimAmbiguous,
    StopLossMissingBudget,
    StopLossZeroAttachment,
    CompletionProjectionUnavailable,
    ProjectionMissingBudget,
    ProjectionMissingEnrollment,
    SourceLoadedTwice,
}

impl WarningCode {
    pub fn as_str(self) -> &'static str {
        match self {
            WarningCode::MissingBudget => "missing_budget",
            WarningCode::MissingEnrollment => "missing_enrollment",
            WarningCode::PepmBudgetWithoutEnrollment => "pepm_budget_without_enrollment",
            WarningCode::ZeroBudget => "zero_budget",
            WarningCode::ZeroClaimsBudget => "zero_claims_budget",
            WarningCode::ZeroMemberMonths => "zero_member_months",
            WarningCode::ZeroEmployeeMonths => "zero_employee_months",
            WarningCode::ZeroTrendBase => "zero_trend_base",
            WarningCode::NoPriorData => "no_prior_data",
            WarningCode::EligibilitySpansIgnored => "eligibility_spans_ignored",
            WarningCode::StopLossClaimNotFound => "stop_loss_claim_not_found",
            WarningCode::StopLossClaimantMismatch => "stop_loss_claimant_mismatch",
            WarningCode::StopLossClaimantNotFound => "stop_loss_claimant_not_found",
            WarningCode::StopLossClaimAmbiguous => "stop_loss_claim_ambiguous",
            WarningCode::StopLossMissingBudget => "stop_loss_missing_budget",
            WarningCode::StopLossZeroAttachment => "stop_loss_zero_attachment",
            WarningCode::CompletionProjectionUnavailable => "completion_projection_unavailable",
            WarningCode::ProjectionMissingBudget => "projection_missing_budget",
            WarningCode::ProjectionMissingEnrollment => "projection_missing_enrollment",
            WarningCode::SourceLoadedTwice => "source_loaded_twice",
        }
    }
}

impl std::fmt::Display for WarningCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for WarningCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}
