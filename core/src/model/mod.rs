//! What the engine's data is: the canonical tables and their schemas, money
//! and exact JSON numbers, dates, periods, ICD-10-CM chapters, the load
//! summary and lineage, and the one error type. Depends on nothing else in
//! the crate; every other part depends on it.

pub mod cell;
pub mod dates;
pub mod error;
pub mod icd;
pub mod load_summary;
pub mod money;
pub mod num;
pub mod period;
pub mod table;
