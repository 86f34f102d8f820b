//! The bundled sample plan behind `claimscope report --demo`.

use crate::dataset::Dataset;
use crate::load::LoadOptions;
use crate::model::error::Result;
use crate::model::table::Table;

/// The sample files: (table, name, bytes).
pub const FILES: [(Table, &str, &[u8]); 6] = [
    (Table::Claims, "claims.csv", include_bytes!("../../data/sample/claims.csv")),
    (Table::Budgets, "budgets.csv", include_bytes!("../../data/sample/budgets.csv")),
    (Table::Enrollments, "enrollment.csv", include_bytes!("../../data/sample/enrollment.csv")),
    (Table::AdminFees, "admin_fees.csv", include_bytes!("../../data/sample/admin_fees.csv")),
    (Table::Rebates, "rebates.csv", include_bytes!("../../data/sample/rebates.csv")),
    (Table::StopLossReimbursements, "stop_loss.csv", include_bytes!("../../data/sample/stop_loss.csv")),
];

/// Loads the sample plan into `ds`.
pub fn load(ds: &mut Dataset) -> Result<()> {
    for (table, name, bytes) in FILES {
        ds.load_csv_bytes(table, name, bytes, &LoadOptions::default())?;
    }
    Ok(())
}

/// A Dataset holding the sample plan.
pub fn dataset() -> Result<Dataset> {
    let mut ds = Dataset::new();
    load(&mut ds)?;
    Ok(ds)
}
