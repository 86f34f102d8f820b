//! The `claimscope` command line: report, validate, mapping suggest, generate,
//! reconcile, generate-recon.
//! Parsing arguments and printing only; every figure comes from the core.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use claimscope::host::{HostSchema, Postgres, UploadOptions};
use claimscope::print::text;
use claimscope::print::{Paper, PrintOptions};
use claimscope::report::completion_options::{self, CompletionOptions};
use claimscope::report::{report_files, FilesByKind, ReportFiles};
use claimscope::{
    Basis, Dataset, EligibilityCounting, Error, LoadOptions, LoadSummary, MappingProfile, Privacy, ReportOptions,
    StopLossContract, Table,
};
use clap::{Parser, Subcommand, ValueEnum};

/// mimalloc rather than the system allocator: the loader's many small
/// allocations spend far less time in malloc/free (benches/RESULTS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(name = "claimscope", version, about = "Cost analytics for self-funded employer health plans")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Json,
    Table,
    /// A self-contained 2-page HTML report (inline SVG charts).
    Html,
    /// A 2-page PDF report (vector charts, embedded font); needs --out on a terminal.
    Pdf,
}

#[derive(Clone, Copy, ValueEnum)]
enum PaperArg {
    Letter,
    A4,
}

#[derive(Subcommand)]
enum Command {
    /// The report of one client for one period.
    Report(Box<ReportArgs>),
    /// Load one file into a canonical table and print its load summary.
    Validate {
        /// Canonical table: claims, budgets, enrollments, admin_fees, rebates, stop_loss_reimbursements.
        #[arg(long, required_unless_present = "postgres")]
        table: Option<String>,
        #[arg(required_unless_present = "postgres")]
        file: Option<String>,
        #[arg(long)]
        mapping: Option<String>,
        /// Load the good rows and list the rejects instead of failing.
        #[arg(long)]
        lenient: bool,
        /// client_id for a single-client file without a client_id column (with --postgres: the client to check).
        #[arg(long)]
        client: Option<String>,
        /// Check one client's rows in the host's PostgreSQL instead of a file (prints every table's summary).
        #[arg(long, conflicts_with_all = ["table", "file", "mapping"], requires = "client")]
        postgres: Option<String>,
        /// The host's tables when they differ from seed-postgres-schema.sql (JSON, docs/postgres.md).
        #[arg(long, requires = "postgres")]
        host_schema: Option<String>,
    },
    /// Write a plan's canonical tables as Parquet, partitioned by client and month (hive-style folders).
    Export(Box<ExportArgs>),
    /// Upload one file into the host application's PostgreSQL (its rows and an uploads row, in one transaction).
    Load(LoadArgs),
    /// Mapping profiles.
    Mapping {
        #[command(subcommand)]
        command: MappingCommand,
    },
    /// Write a synthetic plan as canonical CSV files.
    Generate(GenerateArgs),
    /// Match what was expected (left) against what arrived (right), row by row.
    Reconcile(ReconcileArgs),
    /// Write two messy exports to reconcile (POS sales, rewards redemptions) and truth.csv.
    GenerateRecon {
        #[arg(long)]
        rows: u32,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[arg(long)]
        out: String,
    },
}

#[derive(clap::Args)]
struct LoadArgs {
    /// The host's database: postgresql://user:password@host:port/database.
    #[arg(long)]
    postgres: String,
    /// The client (UUID of the clients table) the file's rows belong to.
    #[arg(long)]
    client: String,
    /// Canonical table: claims, budgets, enrollments, admin_fees, rebates, stop_loss_reimbursements.
    #[arg(long)]
    table: String,
    file: String,
    #[arg(long)]
    mapping: Option<String>,
    /// Read the mapping profile saved under this name (or, with --mapping, save it under this name).
    #[arg(long)]
    profile_name: Option<String>,
    /// The user recorded as uploader (default: the client's only user).
    #[arg(long)]
    uploaded_by: Option<String>,
    /// Swap the rows of an earlier upload of the same file instead of refusing it.
    #[arg(long)]
    replace: bool,
    /// Write the good rows and record the rejects in the upload's error_log.
    #[arg(long)]
    lenient: bool,
    /// The host's tables when they differ from seed-postgres-schema.sql (JSON, docs/postgres.md).
    #[arg(long)]
    host_schema: Option<String>,
}

#[derive(Clone, Copy, ValueEnum)]
enum ReconcileFormat {
    Json,
    Table,
    /// One line per matched pair, unmatched row and rejected row.
    Csv,
}

#[derive(clap::Args)]
struct ReconcileArgs {
    /// The expected side (CSV).
    #[arg(long)]
    left: String,
    /// The received side (CSV).
    #[arg(long)]
    right: String,
    /// Rules as JSON (keys, date, amount, fuzzy, min_score).
    #[arg(long, conflicts_with = "preset", required_unless_present = "preset")]
    rules: Option<String>,
    /// stop-loss, rebates, admin-invoice or pos-rewards.
    #[arg(long)]
    preset: Option<String>,
    /// Header renames, JSON: {"left": {"<file header>": "<rules column>"}, "right": {...}}.
    #[arg(long)]
    mapping: Option<String>,
    #[arg(long, value_enum, default_value = "json")]
    format: ReconcileFormat,
    #[arg(long)]
    out: Option<String>,
    /// Reconcile the readable rows and list unreadable ones as rejected.
    #[arg(long)]
    lenient: bool,
    /// A file of the true pairs (the rules' id columns, else its first two; generate-recon writes one):
    /// print precision, recall and F1 to stderr.
    #[arg(long)]
    truth: Option<String>,
    /// Probabilistic mode: use this trained model (a file --model-out wrote) instead of training.
    #[arg(long)]
    model: Option<String>,
    /// Probabilistic mode: write the model used (m, u and prior of each level) to this file.
    #[arg(long)]
    model_out: Option<String>,
}

#[derive(clap::Args)]
struct GenerateArgs {
    #[arg(long)]
    members: u32,
    #[arg(long)]
    months: u32,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    #[arg(long)]
    out: String,
    #[arg(long, default_value_t = 1)]
    clients: u32,
    /// First month, YYYY-MM.
    #[arg(long, default_value = "2024-01")]
    start: String,
    /// Claims lines like a carrier export's: procedure and provider columns
    /// no report reads, and medical_desc naming the procedure too (the same
    /// amounts, dates and ids as without it).
    #[arg(long)]
    carrier_columns: bool,
}

#[derive(Subcommand)]
enum MappingCommand {
    /// Propose a profile for an unfamiliar export (prints JSON that --mapping accepts); given a folder, one
    /// profile per CSV file written into FOLDER/mapping, and the report command that uses them.
    Suggest {
        file: String,
        /// The table the file holds; guessed from its headers when absent.
        #[arg(long)]
        table: Option<String>,
    },
}

/// Files by the table they load into.
type TableFiles = Vec<(Table, String)>;

/// A plan's files, as `report` and `export` read them.
#[derive(clap::Args)]
struct PlanFiles {
    /// Claims file(s); may repeat.
    #[arg(long, num_args = 1..)]
    claims: Vec<String>,
    #[arg(long)]
    budgets: Option<String>,
    #[arg(long, alias = "enrollments")]
    enrollment: Option<String>,
    #[arg(long)]
    admin_fees: Option<String>,
    #[arg(long)]
    rebates: Option<String>,
    #[arg(long)]
    stop_loss: Option<String>,
    /// Member eligibility spans (client_id, member_id, subscriber_id, start_date, end_date).
    #[arg(long)]
    eligibility: Option<String>,
    /// Mapping profile(s) for carrier files, or a folder of them (`mapping suggest DIR` writes one); each names its table.
    #[arg(long)]
    mapping: Vec<String>,
}

impl PlanFiles {
    /// The files by table and the mapping profiles; `command` needs claims.
    fn read(&self, command: &str) -> Result<(TableFiles, Vec<MappingProfile>), Error> {
        if self.claims.is_empty() {
            return Err(Error::Argument {
                message: format!("{command} needs --claims FILE (or --demo for the bundled sample)"),
            });
        }
        Ok((self.tables(), load_profiles(&self.mapping)?))
    }

    fn tables(&self) -> TableFiles {
        FilesByKind {
            claims: self.claims.clone(),
            budgets: self.budgets.clone(),
            enrollment: self.enrollment.clone(),
            admin_fees: self.admin_fees.clone(),
            rebates: self.rebates.clone(),
            stop_loss: self.stop_loss.clone(),
            eligibility: self.eligibility.clone(),
        }
        .tables()
    }
}

#[derive(clap::Args)]
struct ExportArgs {
    /// The folder to write (absent or empty): TABLE/client=C/month=YYYY-MM/part-0.parquet and export.json.
    #[arg(long)]
    parquet: String,
    #[command(flatten)]
    plan: PlanFiles,
    /// Use the bundled sample data.
    #[arg(long)]
    demo: bool,
    /// client_id for files without a client_id column.
    #[arg(long)]
    client: Option<String>,
    /// Load the good rows of each file and export them (rejects go to stderr).
    #[arg(long)]
    lenient: bool,
}

#[derive(clap::Args)]
struct ReportArgs {
    #[command(flatten)]
    plan: PlanFiles,
    /// Use the bundled sample data.
    #[arg(long)]
    demo: bool,
    /// Read the client's rows from the host's PostgreSQL (postgresql://...) and record the run in report_runs.
    #[arg(long, conflicts_with_all = ["claims", "demo"])]
    postgres: Option<String>,
    /// Read a plan written by `export --parquet DIR` (every client; --client picks one).
    #[arg(long, conflicts_with_all = ["claims", "demo", "postgres"])]
    parquet: Option<String>,
    /// Run the report's queries on a Ballista cluster (df://HOST:PORT) over the --parquet folder.
    #[arg(long, requires = "parquet")]
    cluster: Option<String>,
    /// The user recorded as running the report (--postgres; default: the client's only user).
    #[arg(long, requires = "postgres")]
    run_by: Option<String>,
    /// The host's tables when they differ from seed-postgres-schema.sql (JSON, docs/postgres.md).
    #[arg(long, requires = "postgres")]
    host_schema: Option<String>,
    #[arg(long)]
    client: Option<String>,
    /// 2025-03, 2025-Q1, 2025, 2025-YTD, 2025-YTD-06, R12-2025-06 or 2024-11..2025-04.
    #[arg(long)]
    period: String,
    /// incurred (default) or paid.
    #[arg(long)]
    basis: Option<String>,
    #[arg(long, default_value = claimscope::report::DEFAULT_HCC_THRESHOLD)]
    hcc_threshold: String,
    #[arg(long, default_value_t = claimscope::report::DEFAULT_TOP_N)]
    top_n: usize,
    #[arg(long, value_enum, default_value = "json")]
    format: Format,
    #[arg(long)]
    out: Option<String>,
    /// Paper of the html and pdf formats.
    #[arg(long, value_enum, default_value = "letter")]
    paper: PaperArg,
    /// Run date printed in the html/pdf header (never read from the clock).
    #[arg(long)]
    run_date: Option<String>,
    /// Load the good rows of each file and report on them (rejects go to stderr).
    #[arg(long)]
    lenient: bool,
    /// Deductible for excess_over_specific when no contract is given.
    #[arg(long)]
    specific_deductible: Option<String>,
    /// A stop-loss contract (JSON file): adds the stop_loss section.
    #[arg(long)]
    stop_loss_contract: Option<String>,
    /// How eligibility spans count: any_day (default), first_of_month or mid_month.
    #[arg(long)]
    eligibility_counting: Option<String>,
    /// Replace claimant ids by HMAC-SHA256 pseudonyms made with this key.
    #[arg(long, conflicts_with = "pseudonymize_key_file")]
    pseudonymize_key: Option<String>,
    /// Read the pseudonym key from a file (keeps it out of the process list).
    #[arg(long)]
    pseudonymize_key_file: Option<String>,
    /// Suppress breakdown groups with fewer claimants than N (11 when no N is given).
    #[arg(long, num_args = 0..=1)]
    min_cell: Option<Option<String>>,
    /// High-cost claimants show the diagnosis chapter only.
    #[arg(long)]
    employer_facing: bool,
    /// Adds the completion section: lag triangle, chain-ladder factors, IBNR, completed figures.
    #[arg(long)]
    completion: bool,
    /// Valuation date of the completion (YYYY-MM-DD; default: the client's latest paid_date).
    #[arg(long)]
    as_of: Option<String>,
    /// Incurred months averaged into each age-to-age factor (default 12).
    #[arg(long)]
    completion_months: Option<usize>,
    /// Latest incurred months set by the PMPM projection (default 2; 0 = chain ladder only).
    #[arg(long)]
    projection_months: Option<usize>,
    /// Annual trend of the projection (0.06 or 6%; default 0).
    #[arg(long, allow_hyphen_values = true)]
    trend: Option<String>,
    /// Projected months blend both methods, weighted by the completion factor.
    #[arg(long)]
    blend: bool,
    /// Tail factor beyond the triangle's last development month (default 1).
    #[arg(long)]
    tail: Option<String>,
    /// Adds the projection section: the plan year's total cost against budget (turns completion on).
    #[arg(long)]
    project_year: bool,
}

/// The completion options of the command line; None unless completion was asked for.
fn completion_options(args: &ReportArgs) -> Result<Option<CompletionOptions>, Error> {
    let asked = args.completion
        || args.project_year
        || args.as_of.is_some()
        || args.completion_months.is_some()
        || args.projection_months.is_some()
        || args.trend.is_some()
        || args.blend
        || args.tail.is_some();
    if !asked {
        return Ok(None);
    }
    let defaults = CompletionOptions::default();
    Ok(Some(CompletionOptions {
        as_of: args.as_of.as_deref().map(completion_options::parse_as_of).transpose()?,
        completion_months: args.completion_months.unwrap_or(defaults.completion_months),
        projection_months: args.projection_months.unwrap_or(defaults.projection_months),
        trend: args.trend.as_deref().map(completion_options::parse_trend).transpose()?.unwrap_or(defaults.trend),
        blend: args.blend,
        tail: args.tail.as_deref().map(completion_options::parse_tail).transpose()?.unwrap_or(defaults.tail),
    }))
}

fn read_text(path: &str) -> Result<String, Error> {
    std::fs::read_to_string(path).map_err(|e| Error::Io { path: path.to_string(), message: e.to_string() })
}

fn report_options(args: &ReportArgs) -> Result<ReportOptions, Error> {
    let money = |flag: &str, raw: &str| {
        claimscope::model::money::parse_money_option(raw)
            .map_err(|reason| Error::Argument { message: format!("{flag} '{raw}' {reason}") })
    };
    let key = match (&args.pseudonymize_key, &args.pseudonymize_key_file) {
        (Some(k), _) => Some(k.clone()),
        (None, Some(path)) => Some(read_text(path)?.trim_end_matches(['\n', '\r']).to_string()),
        (None, None) => None,
    };
    Ok(ReportOptions {
        basis: args.basis.as_deref().map(Basis::parse).transpose()?.unwrap_or_default(),
        hcc_threshold: money("--hcc-threshold", &args.hcc_threshold)?,
        top_n: args.top_n,
        specific_deductible: args
            .specific_deductible
            .as_deref()
            .map(|d| money("--specific-deductible", d))
            .transpose()?,
        stop_loss_contract: args
            .stop_loss_contract
            .as_deref()
            .map(|path| {
                StopLossContract::from_json(&read_text(path)?)
                    .map_err(|e| Error::Argument { message: format!("{path}: {e}") })
            })
            .transpose()?,
        eligibility_counting: args
            .eligibility_counting
            .as_deref()
            .map(EligibilityCounting::parse)
            .transpose()?
            .unwrap_or_default(),
        privacy: Privacy {
            pseudonymize_key: key,
            min_cell: match &args.min_cell {
                None => None,
                Some(None) => Some(claimscope::report::DEFAULT_MIN_CELL),
                Some(Some(n)) => Some(claimscope::report::parse_min_cell(n)?),
            },
            employer_facing: args.employer_facing,
        },
        completion: completion_options(args)?,
        project_year: args.project_year,
    })
}

/// Exit codes of interfaces.md: 2 bad arguments, 3 bad input data; and 4
/// when the host's PostgreSQL fails or refuses (docs/postgres.md).
fn exit_code(e: &Error) -> u8 {
    match e {
        Error::Input { .. } | Error::Mapping { .. } => 3,
        Error::Period { .. } | Error::Argument { .. } | Error::Io { .. } => 2,
        Error::Database { .. } => 4,
        Error::Engine { .. } => 1,
    }
}

fn print_error(e: &Error) {
    let mut err = std::io::stderr().lock();
    match e {
        Error::Input { source_name, errors, summary } => {
            if let Some(s) = summary {
                let _ = writeln!(
                    err,
                    "{source_name}: {} of {} records rejected (strict mode; --lenient loads the good rows)",
                    s.records_rejected, s.records_read
                );
            }
            for row in errors {
                let _ = writeln!(err, "{source_name}: {row}");
            }
        }
        other => {
            let _ = writeln!(err, "error: {other}");
        }
    }
}

/// Small pages for this process: with transparent huge pages on, each page
/// the allocator touches again after giving it back is a 2 MiB page zeroed
/// (a sixth of a big report's time) and resident whole; a one-shot report
/// measured ~15% less peak memory without them, and no slower
/// (benches/RESULTS.md). A library never does this to its host.
#[cfg(target_os = "linux")]
fn prefer_small_pages() {
    // SAFETY: PR_SET_THP_DISABLE takes one integer argument and changes only
    // how this process's memory is backed; it cannot fail in a way that matters.
    #[allow(unsafe_code)]
    let _ = unsafe { libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0) };
}

fn main() -> ExitCode {
    #[cfg(target_os = "linux")]
    prefer_small_pages();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Report(args) => report(*args),
        Command::Export(args) => export(*args),
        Command::Validate { postgres: Some(url), client, lenient, host_schema, .. } => {
            validate_postgres(&url, client.as_deref().unwrap_or_default(), lenient, host_schema.as_deref())
        }
        Command::Validate { table, file, mapping, lenient, client, .. } => validate(
            table.as_deref().unwrap_or_default(),
            file.as_deref().unwrap_or_default(),
            mapping,
            lenient,
            client,
        ),
        Command::Load(args) => load(args),
        Command::Mapping { command: MappingCommand::Suggest { file, table } } => suggest(&file, table),
        Command::Reconcile(args) => reconcile(args),
        Command::GenerateRecon { rows, seed, out } => {
            claimscope::tools::generate_recon::write(rows, seed, &out).map(|written| {
                for path in written {
                    println!("{path}");
                }
            })
        }
        Command::Generate(a) => {
            claimscope::tools::generate::PlanSpec::new(a.members, a.months, a.seed, a.clients, &a.start)
                .and_then(|spec| spec.with_carrier_columns(a.carrier_columns).write(&a.out))
                .map(|written| {
                    for path in written {
                        println!("{path}");
                    }
                })
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            print_error(&e);
            ExitCode::from(exit_code(&e))
        }
    }
}

fn write_output(bytes: &[u8], out: Option<&str>) -> Result<(), Error> {
    match out {
        Some(path) => {
            std::fs::write(path, bytes).map_err(|e| Error::Io { path: path.to_string(), message: e.to_string() })
        }
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout
                .write_all(bytes)
                .and_then(|_| stdout.flush())
                .map_err(|e| Error::Io { path: "stdout".into(), message: e.to_string() })
        }
    }
}

/// The profile files `--mapping` names: a file, or every `.json` of a
/// folder (what `mapping suggest DIR` writes), in name order.
fn profile_paths(paths: &[String]) -> Result<Vec<String>, Error> {
    let mut all = Vec::new();
    for path in paths {
        if !std::path::Path::new(path).is_dir() {
            all.push(path.clone());
            continue;
        }
        let io = |e: std::io::Error| Error::Io { path: path.clone(), message: e.to_string() };
        let mut found: Vec<String> = std::fs::read_dir(path)
            .map_err(io)?
            .map(|entry| entry.map(|e| e.path()).map_err(io))
            .collect::<Result<Vec<_>, Error>>()?
            .into_iter()
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .map(|p| p.to_string_lossy().into_owned())
            .collect();
        if found.is_empty() {
            return Err(Error::Argument { message: format!("{path}: a --mapping folder holds no .json profile") });
        }
        found.sort();
        all.extend(found);
    }
    Ok(all)
}

fn load_profiles(paths: &[String]) -> Result<Vec<MappingProfile>, Error> {
    profile_paths(paths)?
        .iter()
        .map(|p| {
            let profile = MappingProfile::from_path(p)?;
            if profile.table.is_none() {
                return Err(Error::Argument {
                    message: format!("{p}: a profile given to report must name its \"table\""),
                });
            }
            Ok(profile)
        })
        .collect()
}

/// A bar of bytes read of the given files, with rate and time left, kept
/// up to date by a thread until dropped (on a terminal only).
struct ReadingBar {
    bar: indicatif::ProgressBar,
    done: std::sync::Arc<std::sync::atomic::AtomicBool>,
    ticker: Option<std::thread::JoinHandle<()>>,
}

impl ReadingBar {
    fn start(paths: &[String]) -> Option<ReadingBar> {
        if !std::io::stderr().is_terminal() {
            return None;
        }
        let progress = claimscope::progress::watch(paths);
        let bar = indicatif::ProgressBar::new(progress.total());
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "{msg} [{wide_bar}] {bytes}/{total_bytes} {bytes_per_sec}, {eta} left",
        ) {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_message(format!("reading {} file{}", paths.len(), if paths.len() == 1 { "" } else { "s" }));
        let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let (shown, stop) = (bar.clone(), done.clone());
        let ticker = std::thread::spawn(move || {
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                shown.set_position(progress.read());
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
        });
        Some(ReadingBar { bar, done, ticker: Some(ticker) })
    }
}

/// Stops the thread and clears the bar, also when the report fails.
impl Drop for ReadingBar {
    fn drop(&mut self) {
        self.done.store(true, std::sync::atomic::Ordering::Relaxed);
        if let Some(ticker) = self.ticker.take() {
            let _ = ticker.join();
        }
        self.bar.finish_and_clear();
    }
}

fn report(args: ReportArgs) -> Result<(), Error> {
    let options = report_options(&args)?;
    claimscope::Period::validate_label(&args.period)?;
    if matches!(args.format, Format::Pdf) && args.out.is_none() && std::io::stdout().is_terminal() {
        return Err(Error::Argument {
            message: "--format pdf writes binary data: give --out report.pdf (or pipe it)".into(),
        });
    }
    let mut from_host = None;
    let report = if args.demo {
        claimscope::tools::demo::dataset()?.report(args.client.as_deref(), &args.period, &options)?
    } else if let Some(url) = &args.postgres {
        let client = args.client.as_deref().ok_or_else(|| Error::Argument {
            message: "report --postgres needs --client UUID (a report never reads every client's rows)".into(),
        })?;
        let pg = postgres(url, args.host_schema.as_deref())?;
        let mut ds = Dataset::new();
        let read = pg.load_client(&mut ds, client, args.lenient)?;
        for summary in &read.summaries {
            print_load_messages(&summary.source, summary, Warnings::Print);
        }
        from_host = Some((pg, read.uploads));
        ds.report(args.client.as_deref(), &args.period, &options)?
    } else if let (Some(folder), Some(url)) = (&args.parquet, &args.cluster) {
        Dataset::on_cluster(url, std::path::Path::new(folder))?.report(
            args.client.as_deref(),
            &args.period,
            &options,
        )?
    } else if let Some(folder) = &args.parquet {
        let mut ds = Dataset::new();
        let options_load = LoadOptions { lenient: args.lenient, ..LoadOptions::default() };
        for summary in ds.load_parquet_dir(std::path::Path::new(folder), &options_load)? {
            print_load_messages(&summary.source, &summary, Warnings::Print);
        }
        ds.report(args.client.as_deref(), &args.period, &options)?
    } else {
        let (files, profiles) = args.plan.read("report")?;
        let bar = ReadingBar::start(&files.iter().map(|(_, path)| path.clone()).collect::<Vec<_>>());
        // Claims CSV files are folded into the report as they are read (not
        // kept whole) unless the report needs the claims table itself.
        let input = ReportFiles { files: &files, profiles: &profiles, lenient: args.lenient };
        let report = report_files(&input, args.client.as_deref(), &args.period, &options, &mut |path, summary| {
            print_load_messages(path, summary, Warnings::Print)
        })?;
        drop(bar);
        report
    };
    let print = PrintOptions {
        paper: match args.paper {
            PaperArg::Letter => Paper::Letter,
            PaperArg::A4 => Paper::A4,
        },
        run_date: args.run_date.clone(),
    };
    let bytes = match args.format {
        Format::Json => report.to_json()?.into_bytes(),
        Format::Table => text::render(&report).into_bytes(),
        Format::Html => claimscope::print::html(&report, &print)?.into_bytes(),
        Format::Pdf => claimscope::print::pdf(&report, &print)?,
    };
    write_output(&bytes, args.out.as_deref())?;
    if let (Some((pg, uploads)), Some(client)) = (from_host, args.client.as_deref()) {
        let id = pg.record_report_run(client, &report, &uploads, args.run_by.as_deref(), args.out.as_deref())?;
        eprintln!("report run {id} recorded in report_runs ({} uploads read)", uploads.len());
    }
    Ok(())
}

fn export(args: ExportArgs) -> Result<(), Error> {
    let folder = std::path::Path::new(&args.parquet);
    let summary = if args.demo {
        claimscope::tools::demo::dataset()?.export_parquet_dir(folder)?
    } else {
        // Claims go to their partition files as they are read.
        let (files, profiles) = args.plan.read("export")?;
        let bar = ReadingBar::start(&files.iter().map(|(_, path)| path.clone()).collect::<Vec<_>>());
        let input = ReportFiles { files: &files, profiles: &profiles, lenient: args.lenient };
        let summary = claimscope::report::export_files(&input, args.client.as_deref(), folder, &mut |path, s| {
            print_load_messages(path, s, Warnings::Print)
        })?;
        drop(bar);
        summary
    };
    print_json(&summary)
}

fn postgres(url: &str, host_schema: Option<&str>) -> Result<Postgres, Error> {
    let pg = Postgres::connect(url)?;
    Ok(match host_schema {
        Some(path) => pg.with_schema(HostSchema::from_json(&read_text(path)?)?),
        None => pg,
    })
}

fn load(args: LoadArgs) -> Result<(), Error> {
    let table = Table::parse(&args.table)?;
    let pg = postgres(&args.postgres, args.host_schema.as_deref())?;
    let mapping = match (&args.mapping, &args.profile_name) {
        (Some(path), name) => {
            let profile = MappingProfile::from_path(path)?;
            if let Some(name) = name {
                pg.save_profile(&args.client, name, &profile)?;
            }
            Some(profile)
        }
        (None, Some(name)) => Some(pg.read_profile(&args.client, name)?),
        (None, None) => None,
    };
    let options = UploadOptions {
        client_id: args.client.clone(),
        uploaded_by: args.uploaded_by.clone(),
        replace: args.replace,
        load: LoadOptions { mapping, lenient: args.lenient, ..LoadOptions::default() },
        file_name: None,
    };
    let outcome = pg.upload_path(table, &args.file, &options)?;
    print_load_messages(&args.file, &outcome.summary, Warnings::Print);
    print_json(&outcome)
}

fn read_bytes(path: &str) -> Result<Vec<u8>, Error> {
    std::fs::read(path).map_err(|e| Error::Io { path: path.to_string(), message: e.to_string() })
}

fn reconcile(args: ReconcileArgs) -> Result<(), Error> {
    use claimscope::reconcile::{self, CsvFile, Options, Rules};
    let rules = match (&args.rules, &args.preset) {
        (Some(path), _) => {
            Rules::from_json(&read_text(path)?).map_err(|e| Error::Argument { message: format!("{path}: {e}") })?
        }
        (None, Some(name)) => Rules::preset(name)?,
        (None, None) => {
            return Err(Error::Argument { message: "reconcile needs --rules FILE or --preset NAME".into() })
        }
    };
    let rules = match &args.model {
        Some(path) => {
            rules.with_model_json(&read_text(path)?).map_err(|e| Error::Argument { message: format!("{path}: {e}") })?
        }
        None => rules,
    };
    let mut options = Options { lenient: args.lenient, ..Options::default() };
    if let Some(path) = &args.mapping {
        options = options.with_mapping_json(&read_text(path)?)?;
    }
    let (left, right) = (read_bytes(&args.left)?, read_bytes(&args.right)?);
    let result = reconcile::reconcile_csv(
        CsvFile { name: &args.left, bytes: &left },
        CsvFile { name: &args.right, bytes: &right },
        &rules,
        &options,
    )?;
    if let Some(path) = &args.model_out {
        let model = result.model_json().ok_or_else(|| Error::Argument {
            message: "--model-out needs \"mode\": \"probabilistic\" rules; the rule mode has no model".into(),
        })?;
        std::fs::write(path, model).map_err(|e| Error::Io { path: path.clone(), message: e.to_string() })?;
    }
    if let Some(path) = &args.truth {
        let e = reconcile::evaluate(&result, &read_bytes(path)?, path)?;
        eprintln!(
            "precision {} recall {} F1 {} ({} correct of {} matched; {} true pairs in {path}, columns {} and {})",
            e.precision, e.recall, e.f1, e.correct, e.matched, e.true_pairs, e.left_column, e.right_column
        );
    }
    let text = match args.format {
        ReconcileFormat::Json => result.to_json()?,
        ReconcileFormat::Table => reconcile::to_table(&result),
        ReconcileFormat::Csv => reconcile::to_csv(&result)?,
    };
    write_output(text.as_bytes(), args.out.as_deref())
}

fn validate(
    table: &str,
    file: &str,
    mapping: Option<String>,
    lenient: bool,
    client: Option<String>,
) -> Result<(), Error> {
    let table = Table::parse(table)?;
    let options = LoadOptions {
        mapping: mapping.as_deref().map(MappingProfile::from_path).transpose()?,
        lenient,
        client_id: client,
        ..LoadOptions::default()
    };
    let bar = ReadingBar::start(&[file.to_string()]);
    let summary = claimscope::validate_path(table, file, &options);
    drop(bar);
    let summary = summary?;
    print_json(&summary)?;
    // Strict mode failed above with exit 3; lenient mode lists its rejects.
    print_load_messages(file, &summary, Warnings::InJsonOnly);
    Ok(())
}

/// Reads a client's rows of every host table as `report --postgres` would;
/// prints the summaries and the uploads read.
fn validate_postgres(url: &str, client: &str, lenient: bool, host_schema: Option<&str>) -> Result<(), Error> {
    let pg = postgres(url, host_schema)?;
    let read = pg.load_client(&mut Dataset::new(), client, lenient)?;
    print_json(&read)?;
    for summary in &read.summaries {
        print_load_messages(&summary.source, summary, Warnings::InJsonOnly);
    }
    Ok(())
}

/// Whether a load's warnings go to stderr too, or only into the JSON printed.
#[derive(Clone, Copy, PartialEq)]
enum Warnings {
    Print,
    InJsonOnly,
}

/// A load's rejected records (and warnings) on stderr, each after its
/// source: what a load leaves out or skips must reach the user.
fn print_load_messages(source: &str, summary: &LoadSummary, warnings: Warnings) {
    for e in &summary.errors {
        eprintln!("{source}: {e}");
    }
    if warnings == Warnings::Print {
        for w in &summary.warnings {
            eprintln!("{source}: warning: {w}");
        }
    }
}

/// A path as a shell reads it back (quoted when it holds anything but
/// letters, digits and `_./-`).
fn shell_quoted(path: &str) -> String {
    if !path.is_empty() && path.chars().all(|c| c.is_ascii_alphanumeric() || "_./-".contains(c)) {
        path.to_string()
    } else {
        format!("'{}'", path.replace('\'', "'\\''"))
    }
}

/// `mapping suggest DIR`: a profile per CSV file of the folder, written to
/// DIR/mapping/<file stem>.json, and the report command using them.
fn suggest_folder(folder: &str) -> Result<(), Error> {
    let dir = std::path::Path::new(folder);
    let io = |path: &std::path::Path, e: std::io::Error| Error::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    };
    let mut files: Vec<std::path::PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| io(dir, e))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| {
            p.is_file()
                && p.extension().is_some_and(|e| ["csv", "tsv", "txt"].contains(&&*e.to_string_lossy().to_lowercase()))
        })
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(Error::Argument {
            message: format!("{folder}: no .csv, .tsv or .txt file to suggest profiles for"),
        });
    }
    let out_dir = dir.join("mapping");
    std::fs::create_dir_all(&out_dir).map_err(|e| io(&out_dir, e))?;
    let mut by_table: std::collections::BTreeMap<&'static str, Vec<String>> = std::collections::BTreeMap::new();
    let mut decisions = 0;
    for file in &files {
        let name = file.display().to_string();
        let bytes = std::fs::read(file).map_err(|e| io(file, e))?;
        let profile = claimscope::tools::suggest::suggest_from_csv(&bytes, None, &name)?;
        for decision in &profile.needs_decision {
            eprintln!("{name}: {decision}");
        }
        decisions += profile.needs_decision.len();
        let stem = file.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        let out = out_dir.join(format!("{stem}.json"));
        std::fs::write(&out, profile.to_json()).map_err(|e| io(&out, e))?;
        let option = match profile.table.unwrap_or(Table::Claims) {
            Table::Claims => "--claims",
            Table::Budgets | Table::BudgetRates => "--budgets",
            Table::Enrollments => "--enrollment",
            Table::AdminFees => "--admin-fees",
            Table::Rebates => "--rebates",
            Table::StopLossReimbursements => "--stop-loss",
            Table::EligibilitySpans => "--eligibility",
        };
        eprintln!("{name}: {} -> {}", profile.table.map(|t| t.name()).unwrap_or("claims"), out.display());
        by_table.entry(option).or_default().push(shell_quoted(&name));
    }
    for (option, names) in &by_table {
        if names.len() > 1 && *option != "--claims" {
            eprintln!("{option}: {} all look like this table; keep one", names.join(", "));
            decisions += 1;
        }
    }
    let args: Vec<String> = by_table.iter().map(|(option, names)| format!("{option} {}", names.join(" "))).collect();
    eprintln!(
        "{}; then:\n  claimscope report {} --mapping {} --period YYYY",
        if decisions == 0 {
            "nothing left to decide".to_string()
        } else {
            format!("{decisions} decision(s) left (above)")
        },
        args.join(" "),
        shell_quoted(&out_dir.display().to_string())
    );
    Ok(())
}

/// A document as 2-space JSON on stdout, with a trailing newline.
fn print_json(value: &impl serde::Serialize) -> Result<(), Error> {
    let mut text = serde_json::to_string_pretty(value).map_err(|e| Error::Engine { message: e.to_string() })?;
    text.push('\n');
    write_output(text.as_bytes(), None)
}

fn suggest(file: &str, table: Option<String>) -> Result<(), Error> {
    if std::path::Path::new(file).is_dir() {
        if table.is_some() {
            return Err(Error::Argument {
                message: "--table names one file's table; a folder's files each get theirs from their headers".into(),
            });
        }
        return suggest_folder(file);
    }
    let bytes = std::fs::read(file).map_err(|e| Error::Io { path: file.to_string(), message: e.to_string() })?;
    let table = table.as_deref().map(Table::parse).transpose()?;
    let profile = claimscope::tools::suggest::suggest_from_csv(&bytes, table, file)?;
    for decision in &profile.needs_decision {
        eprintln!("{file}: {decision}");
    }
    write_output(profile.to_json().as_bytes(), None)
}
