//! The six canonical tables of data-model.md and their Arrow schemas.
//! Money is Decimal128(18, 2) and dates are Date32: never a float.

use std::sync::Arc;

use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};

use crate::model::error::{Error, Result};

/// Precision and scale of every money column.
pub const MONEY_PRECISION: u8 = 18;
pub const MONEY_SCALE: i8 = 2;

pub fn money_type() -> DataType {
    DataType::Decimal128(MONEY_PRECISION, MONEY_SCALE)
}

/// How a dictionary-encoded text column is stored: Int32 keys (DataFusion's
/// own choice) into Utf8 values.
pub fn dictionary_type() -> DataType {
    DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8))
}

/// `schema` with the type of each field `retype` names changed; names,
/// nullability and metadata stay.
pub(crate) fn retyped(schema: &Schema, retype: impl Fn(&Field) -> Option<DataType>) -> SchemaRef {
    let fields: Vec<Field> = schema
        .fields()
        .iter()
        .map(|f| match retype(f) {
            Some(t) => f.as_ref().clone().with_data_type(t),
            None => f.as_ref().clone(),
        })
        .collect();
    Arc::new(Schema::new_with_metadata(fields, schema.metadata().clone()))
}

/// Whether a column is a dictionary of text (stored, or made by a query).
pub(crate) fn is_text_dictionary(data_type: &DataType) -> bool {
    matches!(data_type, DataType::Dictionary(_, value) if **value == DataType::Utf8)
}

/// The claims text columns with few distinct values over many rows: stored
/// as dictionaries (4 bytes a row instead of the text), handed out as utf8.
pub const CLAIMS_DICTIONARY_COLUMNS: [&str; 8] = [
    "client_id",
    "claimant_id",
    "claim_type",
    "service_type",
    "service_category",
    "icd_code",
    "medical_desc",
    "layman_term",
];

/// A canonical table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Table {
    Claims,
    Budgets,
    Enrollments,
    AdminFees,
    Rebates,
    StopLossReimbursements,
    /// Stored shape of enrollments given as member eligibility spans.
    EligibilitySpans,
    /// Stored shape of budgets given as PEPM rates.
    BudgetRates,
}

impl Table {
    /// All tables, in the order of data-model.md (and of report lineage).
    pub const ALL: [Table; 6] = [
        Table::Claims,
        Table::Budgets,
        Table::Enrollments,
        Table::AdminFees,
        Table::Rebates,
        Table::StopLossReimbursements,
    ];

    /// Every stored table: the six of data-model.md plus the stored shapes
    /// of their optional forms (eligibility spans, PEPM budget rates).
    pub const STORED: [Table; 8] = [
        Table::Claims,
        Table::Budgets,
        Table::Enrollments,
        Table::AdminFees,
        Table::Rebates,
        Table::StopLossReimbursements,
        Table::EligibilitySpans,
        Table::BudgetRates,
    ];

    /// The data-model.md table a stored shape belongs to (for lineage).
    pub fn model_table(self) -> Table {
        match self {
            Table::EligibilitySpans => Table::Enrollments,
            Table::BudgetRates => Table::Budgets,
            other => other,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Table::Claims => "claims",
            Table::Budgets => "budgets",
            Table::Enrollments => "enrollments",
            Table::AdminFees => "admin_fees",
            Table::Rebates => "rebates",
            Table::StopLossReimbursements => "stop_loss_reimbursements",
            Table::EligibilitySpans => "eligibility_spans",
            Table::BudgetRates => "budget_rates",
        }
    }

    /// Parses a table name; `enrollment` and `stop_loss` are accepted too.
    pub fn parse(name: &str) -> Result<Table> {
        let found = match name.trim().to_ascii_lowercase().replace('-', "_").as_str() {
            "claims" => Table::Claims,
            "budgets" => Table::Budgets,
            "enrollments" | "enrollment" | "eligibility" => Table::Enrollments,
            "admin_fees" => Table::AdminFees,
            "rebates" => Table::Rebates,
            "stop_loss_reimbursements" | "stop_loss" => Table::StopLossReimbursements,
            _ => {
                let names: Vec<&str> = Table::ALL.iter().map(|t| t.name()).collect();
                return Err(Error::argument(format!("unknown table '{name}'; expected one of {}", names.join(", "))));
            }
        };
        Ok(found)
    }

    /// The schema the table is stored in: the canonical one, with the claims
    /// columns of `CLAIMS_DICTIONARY_COLUMNS` dictionary-encoded. SQL results
    /// leave the engine in the canonical types.
    pub fn storage_schema(self) -> SchemaRef {
        let canonical = self.schema();
        if self != Table::Claims {
            return canonical;
        }
        retyped(&canonical, |f| CLAIMS_DICTIONARY_COLUMNS.contains(&f.name().as_str()).then(dictionary_type))
    }

    /// The canonical columns with their types; nullability says whether a
    /// stored value may be null (after defaults are applied).
    pub fn schema(self) -> SchemaRef {
        let utf8 = |n: &str, null: bool| Field::new(n, DataType::Utf8, null);
        let money = |n: &str| Field::new(n, money_type(), false);
        let int = |n: &str| Field::new(n, DataType::Int32, false);
        let count = |n: &str| Field::new(n, DataType::Int64, false);
        let date = |n: &str| Field::new(n, DataType::Date32, false);
        let fields = match self {
            Table::Claims => vec![
                utf8("client_id", false),
                utf8("claim_id", false),
                utf8("claimant_id", false),
                date("claim_date"),
                date("paid_date"),
                utf8("claim_type", false),
                utf8("service_type", true),
                utf8("service_category", true),
                utf8("icd_code", true),
                utf8("medical_desc", true),
                utf8("layman_term", true),
                money("medical_amount"),
                money("pharmacy_amount"),
                money("total_amount"),
            ],
            Table::Budgets => vec![
                utf8("client_id", false),
                int("year"),
                int("month"),
                money("budget_medical"),
                money("budget_pharmacy"),
                money("budget_admin"),
                money("total_budget"),
            ],
            Table::Enrollments => vec![
                utf8("client_id", false),
                int("year"),
                int("month"),
                count("member_count"),
                count("employee_count"),
            ],
            Table::AdminFees => {
                vec![utf8("client_id", false), int("year"), int("month"), money("amount"), utf8("fee_type", true)]
            }
            Table::Rebates => {
                vec![utf8("client_id", false), utf8("period", false), money("amount"), utf8("rebate_type", false)]
            }
            Table::StopLossReimbursements => vec![
                utf8("client_id", false),
                utf8("claim_id", true),
                utf8("claimant_id", true),
                money("amount"),
                date("paid_date"),
                utf8("carrier", true),
            ],
            Table::EligibilitySpans => vec![
                utf8("client_id", false),
                utf8("member_id", false),
                utf8("subscriber_id", false),
                date("start_date"),
                date("end_date"),
            ],
            Table::BudgetRates => vec![
                utf8("client_id", false),
                int("year"),
                int("month"),
                money("budget_medical_pepm"),
                money("budget_pharmacy_pepm"),
                money("budget_admin_pepm"),
                money("budget_pepm"),
            ],
        };
        Arc::new(Schema::new(fields))
    }
}

impl std::fmt::Display for Table {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}
