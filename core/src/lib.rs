//! claimscope: cost analytics for self-funded employer health plans.
//!
//! Load claims, budgets, enrollment, admin fees, rebates and stop-loss
//! reimbursements (clean canonical files or messy carrier exports) into a
//! [`Dataset`], then ask for the monthly and year-to-date [`Report`] of a
//! client: spend against budget, loss ratio, PMPM/PEPM, high-cost
//! claimants, breakdowns, stop-loss exposure. One engine serves every door
//! (CLI, Python, Node, the browser) with the same bytes: canonical tables on
//! Apache Arrow, queries in DataFusion, money exact in `Decimal128(18, 2)`,
//! ratios taken from exact sums and rounded once, half away from zero.
//!
//! ```
//! # std::env::set_current_dir("../tests/golden/basic").unwrap();
//! use claimscope::{Dataset, LoadOptions, ReportOptions, Table};
//!
//! let mut ds = Dataset::new();
//! ds.load_path(Table::Claims, "claims.csv", &LoadOptions::default())?;
//! ds.load_path(Table::Enrollments, "enrollment.csv", &LoadOptions::default())?;
//! let report = ds.report(Some("ACME"), "2025-Q1", &ReportOptions::default())?;
//! println!("{}", report.to_json()?);
//! let top = ds.sql("SELECT icd_chapter(icd_code) AS chapter, SUM(total_amount) FROM claims GROUP BY 1")?;
//! let pdf: Vec<u8> = claimscope::print::pdf(&report, &claimscope::print::PrintOptions::default())?;
//! # assert_eq!(report.summary.sums.gross_claims.to_string(), "121846.00"); // tests/golden/README.md
//! # assert!(!top.is_empty() && pdf.starts_with(b"%PDF-"));
//! # Ok::<(), claimscope::Error>(())
//! ```
//!
//! (The README's Rust example is this one; `tests/readme.rs` holds them
//! equal.)
//!
//! # The parts, each depending only on those above it
//!
//! | module | what it is |
//! |---|---|
//! | [`model`] | the canonical tables, money and exact JSON numbers, dates, periods, ICD-10-CM chapters, the load summary and lineage, [`Error`] |
//! | [`rules`] | domain rules: eligibility spans, the stop-loss contract, rebates split into months, privacy |
//! | [`source`] | CSV bytes cut into blocks of records (encodings, delimiters, BOMs, physical lines), Arrow batches read in place (typed date and money columns in their own types) |
//! | [`load`] | records checked and typed into the canonical tables; mapping profiles for carrier exports |
//! | [`dataset`] | the session: loaded tables in DataFusion, lineage, SQL, the query runtime |
//! | [`report`] | the report document of `interfaces.md`, one file per figure family |
//! | [`print`] | the report for people: text, and the 2-page HTML / PDF |
//! | [`reconcile`] | matching what was expected against what arrived |
//! | [`tools`] | plan and reconciliation generators, mapping suggestions, the demo plan |
//! | [`memory`] | freed memory handed back to the system after a load (the doors in a host process) |
//! | `host` | the host application's PostgreSQL: read a client, upload files, record report runs (feature `postgres`) |

pub mod dataset;
#[cfg(all(feature = "postgres", not(target_arch = "wasm32")))]
pub mod host;
pub mod load;
pub mod memory;
pub mod model;
mod parallel;
pub mod print;
pub mod progress;
pub mod reconcile;
pub mod report;
pub mod rules;
pub mod source;
pub mod tools;

#[cfg(feature = "parquet")]
pub use dataset::ParquetExport;
pub use dataset::{validate_path, Dataset};
pub use load::mapping::MappingProfile;
pub use load::LoadOptions;
pub use model::error::{Error, Result};
pub use model::load_summary::{LineageEntry, LoadSummary, RowError};
pub use model::period::Period;
pub use model::table::Table;
pub use report::{Basis, Report, ReportOptions};
pub use rules::eligibility::EligibilityCounting;
pub use rules::privacy::Privacy;
pub use rules::stop_loss_contract::StopLossContract;

pub use datafusion;
pub use datafusion::arrow;
