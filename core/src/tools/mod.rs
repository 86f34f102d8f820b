//! Side tools around the engine: the plan generator and the reconciliation
//! export generator (test and benchmark data), mapping-profile suggestions
//! for carrier exports, and the bundled demo plan.

pub mod demo;
#[doc(hidden)]
pub mod fuzzing;
pub mod generate;
pub mod generate_recon;
pub mod suggest;
