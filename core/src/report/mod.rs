//! `report(client, period, options)`: the report document of interfaces.md,
//! computed over the Dataset's canonical tables.

mod breakdowns;
mod claim_figures;
mod claim_fold;
mod claim_queries;
mod claim_scan;
mod common;
mod completion;
pub mod completion_options;
mod concentration;
pub mod document;
mod enrollment;
mod high_cost;
mod monthly;
mod one_shot;
mod options;
mod projection;
mod query;
mod stop_loss;
mod stop_loss_links;
mod tables;

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use crate::dataset::{ClaimsExecution, Dataset};
use crate::model::error::{Error, Result};
use crate::model::load_summary::LineageEntry;
use crate::model::period::{month_index, month_label, MonthIndex, Period};
use crate::rules::rebates;
pub use document::*;
#[cfg(feature = "parquet")]
pub use one_shot::export_files;
pub use one_shot::{dataset_from_files, report_files, FilesByKind, OneShotReport, ReportFiles, TableFiles};
pub use options::{parse_min_cell, Basis, ReportOptions, DEFAULT_HCC_THRESHOLD, DEFAULT_MIN_CELL, DEFAULT_TOP_N};
pub use tables::TABLE_NAMES;

use claim_figures::ClaimFigures;
use claim_queries::ClaimQueries;
use claim_scan::ClaimScan;
use common::{warning, Denominators};
use query::{claims_in_months, lit, month_key_sql, run};

pub const SCHEMA_VERSION: &str = "1";
pub const ENGINE_VERSION: &str = env!("CARGO_PKG_VERSION");

impl Dataset {
    /// The report of one client for one period.
    ///
    /// `client` may be None when the dataset holds exactly one client.
    pub fn report(&self, client: Option<&str>, period: &str, options: &ReportOptions) -> Result<Report> {
        build(self, Claims::Stored, client, period, options)
    }
}

/// Where a report's claims come from: the dataset's stored table, or a fold
/// made while the files were read (`OneShotReport`).
enum Claims {
    Stored,
    Folded(Box<claim_fold::FoldedClaims>),
}

fn choose_client(ds: &Dataset, claims: &Claims, client: Option<&str>) -> Result<String> {
    let mut clients = ds.clients()?;
    if let Claims::Folded(folded) = claims {
        clients.extend(folded.clients.iter().cloned());
        clients.sort();
        clients.dedup();
    }
    match client {
        Some(c) if clients.iter().any(|k| k == c) => Ok(c.to_string()),
        Some(c) => Err(Error::argument(format!(
            "client '{c}' has no rows in the loaded data; clients found: {}",
            if clients.is_empty() { "none".to_string() } else { clients.join(", ") }
        ))),
        None if clients.len() == 1 => Ok(clients[0].clone()),
        None if clients.is_empty() => Err(Error::argument("no data is loaded, so there is no client to report on")),
        None => Err(Error::argument(format!(
            "the data holds several clients ({}); choose one with --client",
            clients.join(", ")
        ))),
    }
}

/// The latest month of `year` with claim rows (by basis) or enrollment
/// (monthly rows, or members counted from eligibility spans).
fn latest_month(
    ds: &Dataset,
    claims: &Claims,
    client: &str,
    options: &ReportOptions,
    year: i32,
) -> Result<Option<u32>> {
    let basis = options.basis;
    let mut latest: Option<u32> = None;
    let mut keep = |m: Option<i64>| {
        if let Some(m) = m {
            let month = (m % 100) as u32;
            latest = Some(latest.map_or(month, |l| l.max(month)));
        }
    };
    match claims {
        Claims::Stored => {
            let f = claims_in_months(ds, client, basis.date_column(), month_index(year, 1), month_index(year, 12));
            run(ds, &format!("SELECT MAX({}) FROM claims WHERE {}", month_key_sql(basis.date_column()), f))?.each(
                |r| {
                    keep(r.int(0)?);
                    Ok(())
                },
            )?;
        }
        Claims::Folded(folded) => {
            let of_year = folded
                .scan
                .months()?
                .into_iter()
                .filter(|(m, s)| s.claim_count > 0 && (month_index(year, 1)..=month_index(year, 12)).contains(m));
            keep(of_year.map(|(m, _)| i64::from(crate::model::period::month_key(m))).max());
        }
    }
    let counts =
        enrollment::enrollment(ds, client, month_index(year, 1), month_index(year, 12), options.eligibility_counting)?;
    keep(counts.by_month.keys().next_back().map(|m| i64::from(crate::model::period::month_key(*m))));
    Ok(latest)
}

/// Every rebate of the client, split to the cent across its months.
fn rebates_by_month(ds: &Dataset, client: &str) -> Result<BTreeMap<MonthIndex, Decimal>> {
    let mut by_month: BTreeMap<MonthIndex, Decimal> = BTreeMap::new();
    run(ds, &format!("SELECT period, amount FROM rebates WHERE client_id = {}", lit(client)))?.each(|r| {
        let period = r.text(0)?.unwrap_or_default();
        let amount = r.money(1)?;
        let months = rebates::rebate_months(&period)
            .map_err(|e| Error::engine(format!("stored rebate period '{period}' {e}")))?;
        for (m, cents) in months.iter().zip(rebates::split_cents(amount.mantissa(), months.len())) {
            *by_month.entry(*m).or_default() += crate::model::money::cents_to_decimal(cents);
        }
        Ok(())
    })?;
    Ok(by_month)
}

fn range_label(first: MonthIndex, last: MonthIndex) -> String {
    if first == last {
        month_label(first)
    } else {
        format!("{}..{}", month_label(first), month_label(last))
    }
}

fn build(ds: &Dataset, claims: Claims, client: Option<&str>, label: &str, options: &ReportOptions) -> Result<Report> {
    options.validate()?;
    Period::validate_label(label)?;
    if matches!(claims, Claims::Folded(_)) && (options.completion.is_some() || options.stop_loss_contract.is_some()) {
        return Err(Error::engine("completion and a stop-loss contract read the stored claims table"));
    }
    let client = choose_client(ds, &claims, client)?;
    let basis = options.basis;
    let period = Period::parse(label, |year| latest_month(ds, &claims, &client, options, year))?;
    let (first, last) = (period.first, period.last);

    let rebates = rebates_by_month(ds, &client)?;
    let counts = enrollment::enrollment(ds, &client, first - 24, last, options.eligibility_counting)?;
    let (stored_scan, queried);
    let (column, window) = (basis.date_column(), (first - 24, last));
    let (claims, folded): (&dyn ClaimFigures, _) = match &claims {
        Claims::Stored if ds.claims_execution() == ClaimsExecution::GroupedQueries => {
            queried = ClaimQueries::run(ds, &client, column, window, (first, last))?;
            (&queried, None)
        }
        Claims::Stored => {
            let key = format!("claim scan of {client:?} by {column}, months {window:?}, period {first}..={last}");
            stored_scan =
                ds.derived_from_claims(&key, || ClaimScan::run(ds, &client, column, window, (first, last)))?;
            (&*stored_scan, None)
        }
        Claims::Folded(folded) => (&folded.scan, Some(&**folded)),
    };
    let months = monthly::month_data(ds, &client, Some(claims), first - 24, last, &rebates, &counts.by_month)?;
    let claimant_count = claims.claimant_count()?;

    let figures = |shift: i32, what: &str| -> Result<monthly::PeriodFigures> {
        let claimants =
            if shift == 0 { claimant_count } else { claims.distinct_claimants(first - shift, last - shift)? };
        Ok(monthly::period_figures(&months, first - shift, last - shift, claimants, what))
    };
    let current = figures(0, "period")?;
    let prior = figures(12, "prior period")?;
    let prior_base = figures(24, "period before the prior")?;

    let lineage = ds.lineage();
    let mut warnings = sources_loaded_twice(&lineage);
    warnings.extend(counts.warnings.iter().cloned());
    warnings.extend(current.warnings.iter().cloned());
    let mut summary = current.summary.clone();
    let trend_of = |cur: &monthly::PeriodFigures, base: &monthly::PeriodFigures| {
        let base_ok = base.has_data;
        let pick = |x: Option<monthly::ExactPmpm>| if base_ok { x } else { None };
        [
            ("gross_pmpm", monthly::trend(cur.pmpm_gross, pick(base.pmpm_gross))),
            ("net_pmpm", monthly::trend(cur.pmpm_net, pick(base.pmpm_net))),
            ("total_cost_pmpm", monthly::trend(cur.pmpm_total_cost, pick(base.pmpm_total_cost))),
        ]
    };
    let trends_now = trend_of(&current, &prior);
    summary.trend_gross_pmpm = trends_now[0].1 .0;
    summary.trend_net_pmpm = trends_now[1].1 .0;
    summary.trend_total_cost_pmpm = trends_now[2].1 .0;
    let prior_range = range_label(first - 12, last - 12);
    let prior_summary = if prior.has_data {
        warnings.extend(prior.warnings.iter().cloned());
        for (name, (_, zero_base)) in &trends_now {
            if *zero_base {
                warnings.push(warning(
                    WarningCode::ZeroTrendBase,
                    format!("the prior period ({prior_range}) has a {name} of zero; trend_{name} is null"),
                    None,
                ));
            }
        }
        let trends_prior = trend_of(&prior, &prior_base);
        let mut s = prior.summary.clone();
        s.trend_gross_pmpm = trends_prior[0].1 .0;
        s.trend_net_pmpm = trends_prior[1].1 .0;
        s.trend_total_cost_pmpm = trends_prior[2].1 .0;
        Some(s)
    } else {
        warnings.push(warning(
            WarningCode::NoPriorData,
            format!("the prior period ({prior_range}) has no claims or enrollment; prior and trends are null"),
            None,
        ));
        None
    };

    let den = Denominators { gross: current.gross, member_months: current.member_months };
    let terms = claims.layman_terms()?;
    let stop_loss = stop_loss_links::stop_loss_links(ds, folded, &client, first, last)?;
    warnings.extend(stop_loss.warnings.iter().cloned());
    let high_cost_claimants =
        high_cost::high_cost_claimants(claims, claimant_count, options, &den, &stop_loss, &terms)?;
    let stop_loss_section = match &options.stop_loss_contract {
        Some(contract) => {
            let (section, more) =
                stop_loss::section(ds, &client, contract, &options.privacy, options.eligibility_counting)?;
            warnings.extend(more);
            Some(section)
        }
        None => None,
    };
    let min_cell = options.privacy.min_cell;
    let service_categories = breakdowns::service_categories(claims, &den, min_cell)?;
    let diagnosis_groups = breakdowns::diagnosis_groups(claims, &den, min_cell)?;
    let top_diagnoses = breakdowns::top_diagnoses(claims, options.top_n, &terms, min_cell)?;
    let mut notes = notes(options, basis, counts.source, stop_loss_section.is_some());
    let monthly_rows = monthly::monthly_rows(&months, first, last);
    let mut completion_section = None;
    let mut projection_section = None;
    if let Some(completion_options) = &options.completion {
        let done = completion::complete(
            ds,
            &completion::CompletionInput {
                client: &client,
                options: completion_options,
                period: (first, last),
                counting: options.eligibility_counting,
                summary: &summary,
                monthly: &monthly_rows,
            },
        )?;
        warnings.extend(done.warnings);
        notes.extend(done.notes);
        if options.project_year {
            let (section, more) = projection::project(
                ds,
                &projection::ProjectionInput {
                    client: &client,
                    period: &period,
                    summary: &summary,
                    completed: &done.section.period,
                    last_members: counts.by_month.get(&last).map(|(members, _)| *members),
                    trend: completion_options.trend,
                    counting: options.eligibility_counting,
                },
            )?;
            warnings.extend(more);
            notes.push(projection_note(completion_options.trend));
            projection_section = Some(section);
        }
        completion_section = Some(done.section);
    }

    Ok(Report {
        schema_version: SCHEMA_VERSION.to_string(),
        engine_version: ENGINE_VERSION.to_string(),
        client_id: client.clone(),
        period: PeriodInfo {
            label: label.to_string(),
            start: period.start_date().to_string(),
            end: period.end_date().to_string(),
            months: period.months().into_iter().map(month_label).collect(),
        },
        basis: basis.name().to_string(),
        options: ReportOptionsUsed {
            basis: basis.name().to_string(),
            hcc_threshold: Num::money(options.hcc_threshold),
            top_n: options.top_n,
            specific_deductible: options.specific_deductible().map(Num::money),
            stop_loss_contract: options
                .stop_loss_contract
                .as_ref()
                .map(|c| format!("{} {}", c.start_label(), c.basis_label())),
            eligibility_counting: (counts.source == enrollment::EnrollmentSource::Spans)
                .then(|| options.eligibility_counting.name().to_string()),
            pseudonymize: options.privacy.pseudonymize_key.is_some().then_some(true),
            min_cell,
            employer_facing: options.privacy.employer_facing.then_some(true),
        },
        lineage,
        trends: Trends {
            gross_pmpm: summary.trend_gross_pmpm,
            net_pmpm: summary.trend_net_pmpm,
            total_cost_pmpm: summary.trend_total_cost_pmpm,
        },
        summary,
        prior: prior_summary,
        monthly: monthly_rows,
        service_categories,
        diagnosis_groups,
        top_diagnoses,
        high_cost_claimants,
        concentration: concentration::concentration(claims, current.gross)?,
        stop_loss: stop_loss_section,
        completion: completion_section,
        projection: projection_section,
        warnings,
        notes,
    })
}

/// The same bytes loaded twice into one table count their rows twice in
/// every figure: the report says so (the load summary already did).
fn sources_loaded_twice(lineage: &[LineageEntry]) -> Vec<Warning> {
    let mut seen: Vec<(&str, &str, Vec<&str>)> = Vec::new();
    for e in lineage.iter().filter(|e| !e.sha256.is_empty() && e.accepted > 0) {
        match seen.iter_mut().find(|(t, sha, _)| *t == e.table && *sha == e.sha256) {
            Some((_, _, sources)) => sources.push(&e.source),
            None => seen.push((&e.table, &e.sha256, vec![&e.source])),
        }
    }
    seen.into_iter()
        .filter(|(_, _, sources)| sources.len() > 1)
        .map(|(table, sha, sources)| {
            let n = sources.len();
            warning(
                WarningCode::SourceLoadedTwice,
                format!(
                    "{table}: the same bytes (sha256 {sha}) were loaded {n} times ({}); their rows count {n} times in every figure",
                    sources.join(", ")
                ),
                None,
            )
        })
        .collect()
}

fn projection_note(trend: Decimal) -> String {
    format!(
        "Projection: the plan year is the 12 months from the period's first month; each remaining month costs the completed year-to-date total cost PMPM{} x its member months (its enrollment row, else the period's last month carried forward); the range is one standard error either side: Mack's error of the completed year to date, scaled with it into the projected months.",
        if trend.is_zero() { String::new() } else { format!(", trended at {} a year from the year to date's middle,", trend.normalize()) }
    )
}

fn notes(options: &ReportOptions, basis: Basis, source: enrollment::EnrollmentSource, contract: bool) -> Vec<String> {
    let mut notes = vec![format!("Claims fall in a month by {} ({} basis).", basis.date_column(), basis.name())];
    notes.push(match source {
        enrollment::EnrollmentSource::Rows => {
            "Member and employee months are the member_count and employee_count of the monthly enrollment rows."
                .to_string()
        }
        enrollment::EnrollmentSource::Spans => options.eligibility_counting.note(),
    });
    notes.push("Rebates are credited across the months of their period, split evenly to the cent; leftover cents go to the earliest months.".to_string());
    notes.push("Ratios are taken from the period's exact sums and rounded once, half away from zero: money per member or employee to 2 decimals, ratios to 4.".to_string());
    notes.push(match (contract, options.specific_deductible().is_some()) {
        (true, _) => "Stop-loss reimbursements are credited in the month of their paid_date. The stop_loss section covers claims incurred and paid inside the contract windows; received counts reimbursements paid in the paid window, linked by claimant_id or claim_id; excess_over_specific uses each claimant's laser, else the specific deductible.".to_string(),
        (false, true) => "Stop-loss reimbursements are credited in the month of their paid_date; no stop-loss contract was given, so stop_loss is null; excess_over_specific uses the specific_deductible option.".to_string(),
        (false, false) => "Stop-loss reimbursements are credited in the month of their paid_date; no stop-loss contract was given, so stop_loss and excess_over_specific are null.".to_string(),
    });
    if options.privacy.pseudonymize_key.is_some() {
        notes.push(
            "Claimant ids are pseudonyms: the first 12 hex characters of HMAC-SHA256 with the caller's key."
                .to_string(),
        );
    }
    if let Some(n) = options.privacy.min_cell {
        notes.push(format!(
            "Breakdown groups with fewer than {n} claimants are suppressed (figures null, suppressed: true) and folded into \"{}\", together with the next smallest groups while the fold itself has fewer than {n} claimants; top_diagnoses lists only codes with at least {n} claimants.",
            crate::rules::privacy::SUPPRESSED_GROUP
        ));
    }
    if options.privacy.employer_facing {
        notes.push("Employer-facing: high-cost claimants show the diagnosis chapter only (primary_icd and layman_term are null).".to_string());
    }
    notes
}
