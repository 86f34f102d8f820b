//! The plan's domain rules, each on its own: eligibility spans counted into
//! member and employee months, the stop-loss contract, rebates split into
//! cents across months, privacy (pseudonyms, small-cell suppression), and
//! the development of a paid-claims triangle (chain ladder, Mack).
//! They know the model and nothing of loading or reporting.

pub mod chain_ladder;
pub mod eligibility;
pub mod mack;
pub mod privacy;
pub mod rebates;
pub mod stop_loss_contract;
