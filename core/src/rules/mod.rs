//! The plan's domain rules, each on its own: eligibility spans counted into
//! member and employee months, the stop-loss contract, rebates split into
//! cents across months, and privacy (pseudonyms, small-cell suppression).
//! They know the model and nothing of loading or reporting.

pub mod eligibility;
pub mod privacy;
pub mod rebates;
pub mod stop_loss_contract;
