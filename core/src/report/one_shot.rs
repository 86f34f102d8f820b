//! One report of files read once: claims CSV files are folded into the
//! report's sums while they are read (on every core) and never kept as a
//! table, so memory grows with claimants and groups, not with claim lines.
//! The other tables are small and loaded as a `Dataset` loads them.

use super::claim_fold::{ClaimFold, StopLossNames};
use super::query::run;
use super::{build, Claims, ReportOptions};
use crate::dataset::Dataset;
use crate::load::mapping::MappingProfile;
use crate::load::LoadOptions;
use crate::model::error::{Error, Result};
use crate::model::load_summary::LoadSummary;
use crate::model::period::Period;
use crate::model::table::Table;
use crate::report::Report;
use crate::source::Input;

/// A report made while its files are read: load the other tables, then the
/// claims, then `finish`.
///
/// ```no_run
/// # use claimscope::{report::OneShotReport, LoadOptions, ReportOptions, Table};
/// let options = ReportOptions::default();
/// let mut one = OneShotReport::new(None, "2025", &options)?;
/// one.load_path(Table::StopLossReimbursements, "stop_loss.csv", &LoadOptions::default())?;
/// one.load_path(Table::Claims, "claims.csv", &LoadOptions::default())?;
/// let report = one.finish()?;
/// # Ok::<(), claimscope::Error>(())
/// ```
pub struct OneShotReport {
    ds: Dataset,
    client: Option<String>,
    label: String,
    options: ReportOptions,
    fold: Option<ClaimFold>,
}

impl OneShotReport {
    /// Whether a report with these options can be folded: completion and a
    /// stop-loss contract read the claims table itself (use a `Dataset`).
    pub fn supports(options: &ReportOptions) -> bool {
        options.completion.is_none() && options.stop_loss_contract.is_none()
    }

    pub fn new(client: Option<&str>, label: &str, options: &ReportOptions) -> Result<OneShotReport> {
        options.validate()?;
        Period::validate_label(label)?;
        if !Self::supports(options) {
            return Err(Error::argument(
                "a one-shot report cannot fold claims for completion or a stop-loss contract; load a Dataset",
            ));
        }
        Ok(OneShotReport {
            ds: Dataset::new(),
            client: client.map(str::to_string),
            label: label.to_string(),
            options: options.clone(),
            fold: None,
        })
    }

    /// Loads a file (CSV, Parquet or Arrow IPC by extension). Claims come
    /// after the stop-loss reimbursements (their claim ids are looked up
    /// while claims are read).
    pub fn load_path(&mut self, table: Table, path: &str, options: &LoadOptions) -> Result<LoadSummary> {
        if table.model_table() != Table::Claims {
            self.before_claims(table)?;
            return self.ds.load_path(table, path, options);
        }
        let (ds, fold) = self.dataset_and_fold()?;
        ds.load_path_into(table, path, options, fold)
    }

    /// Loads CSV bytes; `source` names them in the summary and the lineage.
    pub fn load_csv_bytes(
        &mut self,
        table: Table,
        source: &str,
        bytes: &[u8],
        options: &LoadOptions,
    ) -> Result<LoadSummary> {
        if table.model_table() != Table::Claims {
            self.before_claims(table)?;
            return self.ds.load_csv_bytes(table, source, bytes, options);
        }
        self.fold_claims(table, source, Input::Bytes(bytes), options)
    }

    fn before_claims(&self, table: Table) -> Result<()> {
        if table == Table::StopLossReimbursements && self.fold.is_some() {
            return Err(Error::argument(
                "a one-shot report reads stop-loss reimbursements before claims (their claim ids are looked up while claims are read)",
            ));
        }
        Ok(())
    }

    fn fold_claims(&mut self, table: Table, source: &str, input: Input, options: &LoadOptions) -> Result<LoadSummary> {
        let (ds, fold) = self.dataset_and_fold()?;
        ds.load_csv_into(table, source, input, options, fold)
    }

    /// The dataset and the claims fold (made at the first claims file).
    fn dataset_and_fold(&mut self) -> Result<(&mut Dataset, &ClaimFold)> {
        if self.fold.is_none() {
            self.fold = Some(self.new_fold()?);
        }
        let fold = self.fold.as_ref().ok_or_else(|| Error::engine("no claims fold"))?;
        Ok((&mut self.ds, fold))
    }

    /// The fold for this report's window: for `YYYY-YTD` the whole year (no
    /// claim of the year lies after its latest month, which ends the period).
    fn new_fold(&self) -> Result<ClaimFold> {
        let period = Period::parse(&self.label, |_| Ok(Some(12)))?;
        let (first, last) = (period.first, period.last);
        ClaimFold::new(
            self.client.as_deref(),
            self.options.basis.date_column(),
            (first - 24, last),
            (first, last),
            self.stop_loss_names()?,
        )
    }

    /// The claim and claimant ids the loaded reimbursements name.
    fn stop_loss_names(&self) -> Result<StopLossNames> {
        let mut names = StopLossNames::default();
        run(&self.ds, "SELECT claim_id, claimant_id FROM stop_loss_reimbursements")?.each(|r| {
            names.claim_ids.extend(r.text(0)?);
            names.claimant_ids.extend(r.text(1)?);
            Ok(())
        })?;
        Ok(names)
    }

    /// The report of the files loaded.
    pub fn finish(mut self) -> Result<Report> {
        if self.fold.is_none() {
            self.fold = Some(self.new_fold()?);
        }
        let folded = self.fold.take().ok_or_else(|| Error::engine("no claims fold"))?.finish()?;
        build(&self.ds, Claims::Folded(Box::new(folded)), self.client.as_deref(), &self.label, &self.options)
    }
}

/// (table, path) of files, in load order.
pub type TableFiles = Vec<(Table, String)>;

/// A report's files by kind, as the CLI's flags and the doors' arguments
/// name them.
#[derive(Debug, Default, Clone)]
pub struct FilesByKind {
    pub claims: Vec<String>,
    pub budgets: Option<String>,
    pub enrollment: Option<String>,
    pub admin_fees: Option<String>,
    pub rebates: Option<String>,
    pub stop_loss: Option<String>,
    /// Member eligibility spans: loaded into enrollments (spans are told by their columns).
    pub eligibility: Option<String>,
}

impl FilesByKind {
    /// (table, path) of each file: the claims first, in the order given.
    pub fn tables(&self) -> TableFiles {
        let mut files: Vec<(Table, String)> = self.claims.iter().map(|c| (Table::Claims, c.clone())).collect();
        for (table, path) in [
            (Table::Budgets, &self.budgets),
            (Table::Enrollments, &self.enrollment),
            (Table::AdminFees, &self.admin_fees),
            (Table::Rebates, &self.rebates),
            (Table::StopLossReimbursements, &self.stop_loss),
            (Table::Enrollments, &self.eligibility),
        ] {
            files.extend(path.iter().map(|p| (table, p.clone())));
        }
        files
    }

    /// The files, and mapping profiles given as JSON text (as the doors take them).
    pub fn with_profiles_json(&self, mappings: &[String]) -> Result<(TableFiles, Vec<MappingProfile>)> {
        let profiles = mappings.iter().map(|m| MappingProfile::from_json(m)).collect::<Result<_>>()?;
        Ok((self.tables(), profiles))
    }
}

/// Files of one report, by table, with what a load needs to read them.
pub struct ReportFiles<'a> {
    /// (table, path), in the order given; claims may repeat.
    pub files: &'a [(Table, String)],
    /// Mapping profiles, each naming its table: a file is loaded with the
    /// first of its table's profiles that fits (or as canonical without one).
    pub profiles: &'a [MappingProfile],
    pub lenient: bool,
}

/// The report of files read once: claims CSV files are folded while read
/// when the options allow (`OneShotReport`), else every file is loaded into
/// a `Dataset`. Each load's summary goes to `on_load` as it is made.
pub fn report_files(
    input: &ReportFiles,
    client: Option<&str>,
    label: &str,
    options: &ReportOptions,
    on_load: &mut dyn FnMut(&str, &LoadSummary),
) -> Result<Report> {
    if !OneShotReport::supports(options) {
        return dataset_from_files(input, client, on_load)?.report(client, label, options);
    }
    // The stop-loss claim ids are looked up while the claims are read.
    let mut files: Vec<&(Table, String)> = input.files.iter().collect();
    files.sort_by_key(|(t, _)| t.model_table() == Table::Claims);
    let mut one = OneShotReport::new(client, label, options)?;
    for (table, path) in files {
        let summary = load_with_profiles(&mut |t, p, o| one.load_path(t, p, o), *table, path, input, client)?;
        on_load(path, &summary);
    }
    one.finish()
}

#[cfg(feature = "parquet")]
/// Writes files to an export folder (`ParquetExport`): claims go to their
/// partitions as they are read, so memory holds a few blocks, not the table.
pub fn export_files(
    input: &ReportFiles,
    client: Option<&str>,
    folder: &std::path::Path,
    on_load: &mut dyn FnMut(&str, &LoadSummary),
) -> Result<crate::dataset::parquet_dir::ExportSummary> {
    let mut export = crate::dataset::ParquetExport::new(folder)?;
    for (table, path) in input.files {
        let summary = load_with_profiles(&mut |t, p, o| export.load_path(t, p, o), *table, path, input, client)?;
        on_load(path, &summary);
    }
    export.finish()
}

/// Loads report files into a Dataset, each with the first profile of its
/// table that fits; `client` fills client_id for files without one.
pub fn dataset_from_files(
    input: &ReportFiles,
    client: Option<&str>,
    on_load: &mut dyn FnMut(&str, &LoadSummary),
) -> Result<Dataset> {
    let mut ds = Dataset::new();
    for (table, path) in input.files {
        let summary = load_with_profiles(&mut |t, p, o| ds.load_path(t, p, o), *table, path, input, client)?;
        on_load(path, &summary);
    }
    Ok(ds)
}

/// Loads one file with the first profile of its table that fits (a mapping
/// error tries the next); `client` fills client_id for files without one.
fn load_with_profiles(
    load: &mut dyn FnMut(Table, &str, &LoadOptions) -> Result<LoadSummary>,
    table: Table,
    path: &str,
    input: &ReportFiles,
    client: Option<&str>,
) -> Result<LoadSummary> {
    let mut options =
        LoadOptions { lenient: input.lenient, client_id: client.map(str::to_string), ..LoadOptions::default() };
    let candidates: Vec<&MappingProfile> = input.profiles.iter().filter(|p| p.table == Some(table)).collect();
    if candidates.is_empty() {
        return load(table, path, &options);
    }
    let mut last_error = None;
    for profile in candidates {
        options.mapping = Some(profile.clone());
        match load(table, path, &options) {
            Err(e @ Error::Mapping { .. }) => last_error = Some(e),
            other => return other,
        }
    }
    Err(last_error.unwrap_or_else(|| Error::argument("no profile fits")))
}
