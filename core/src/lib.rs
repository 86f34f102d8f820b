//! claimscope: cost analytics for self-funded employer health plans.
//!
//! One engine for every door (CLI, Python, Node, WASM): canonical tables on
//! Apache Arrow, sums in DataFusion, money exact in Decimal128, ratios taken
//! from exact sums and rounded once, half away from zero.

pub mod dataset;
pub mod dates;
pub mod demo;
pub mod eligibility;
pub mod error;
pub mod generate;
pub mod icd;
pub mod ipc;
pub mod load;
pub mod mapping;
pub mod money;
pub mod period;
pub mod privacy;
pub mod present;
pub mod print;
pub mod rebates;
pub mod reconcile;
pub mod report;
pub mod source;
pub mod stop_loss;
pub mod suggest;
pub mod summary;
pub mod table;
mod udf;

pub use dataset::{Dataset, LineageEntry};
pub use error::{Error, Result};
pub use load::LoadOptions;
pub use mapping::MappingProfile;
pub use period::Period;
pub use eligibility::EligibilityCounting;
pub use privacy::Privacy;
pub use report::{Basis, Report, ReportOptions};
pub use stop_loss::StopLossContract;
pub use summary::{LoadSummary, RowError};
pub use table::Table;

pub use datafusion;
pub use datafusion::arrow;
