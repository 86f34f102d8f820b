//! Reports on a real Ballista cluster on loopback: one scheduler and two
//! executors (the ballista-scheduler / ballista-executor 55.0 binaries, in
//! CLAIMSCOPE_BALLISTA_BIN), every golden case exported as Parquet and
//! reported through the cluster equal to its golden file, lineage aside.
//! Built only with `--features cluster`; tests/setup.sh installs the binaries.

#![cfg(feature = "cluster")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use claimscope::tools::generate::PLAN_FILES;
use claimscope::{Dataset, ReportOptions};
use common::{cases, generated_plan, without_lineage};

/// Processes of one loopback cluster, stopped when dropped.
struct Cluster {
    url: String,
    scheduler: Child,
    executors: Vec<Child>,
    _work: tempfile::TempDir,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn binary(name: &str) -> PathBuf {
    let dir = std::env::var("CLAIMSCOPE_BALLISTA_BIN")
        .expect("CLAIMSCOPE_BALLISTA_BIN names the folder of ballista-scheduler and ballista-executor 55.0");
    let path = Path::new(&dir).join(name);
    assert!(path.exists(), "{} is missing (tests/setup.sh installs it)", path.display());
    path
}

impl Cluster {
    /// A scheduler that declares an executor dead after 6 s without a
    /// heartbeat (executors beat every second), so a lost one is noticed
    /// within a test's time.
    fn start(executors: usize) -> Cluster {
        let work = tempfile::Builder::new().prefix("claimscope-ballista-").tempdir().unwrap();
        let port = free_port();
        let log = |name: &str| std::fs::File::create(work.path().join(format!("{name}.log"))).unwrap();
        let scheduler = Command::new(binary("ballista-scheduler"))
            .args(["--bind-host", "127.0.0.1", "--external-host", "127.0.0.1", "--bind-port", &port.to_string()])
            .args(["--executor-timeout-seconds", "6", "--expire-dead-executor-interval-seconds", "2"])
            .stdout(log("scheduler"))
            .stderr(Stdio::from(log("scheduler.err")))
            .spawn()
            .unwrap();
        wait_for(&work, "the scheduler's port", || std::net::TcpStream::connect(("127.0.0.1", port)).is_ok());
        let mut health_ports = Vec::new();
        let executors = (0..executors)
            .map(|i| {
                let dir = work.path().join(format!("executor-{i}"));
                std::fs::create_dir_all(&dir).unwrap();
                let health = free_port();
                health_ports.push(health);
                Command::new(binary("ballista-executor"))
                    .args(["--bind-host", "127.0.0.1", "--external-host", "127.0.0.1"])
                    .args(["--scheduler-host", "127.0.0.1", "--scheduler-port", &port.to_string()])
                    .args(["--scheduler-connect-timeout-seconds", "30"])
                    .args(["--bind-port", &free_port().to_string(), "--bind-grpc-port", &free_port().to_string()])
                    .args(["--bind-health-port", &health.to_string(), "--vcores", "2"])
                    .args(["--executor-heartbeat-interval-seconds", "1"])
                    .arg("--work-dir")
                    .arg(&dir)
                    .stdout(log(&format!("executor-{i}")))
                    .stderr(Stdio::from(log(&format!("executor-{i}.err"))))
                    .spawn()
                    .unwrap()
            })
            .collect();
        for port in health_ports {
            wait_for(&work, "an executor's /readyz", || http_ok(port, "/readyz"));
        }
        Cluster { url: format!("df://127.0.0.1:{port}"), scheduler, executors, _work: work }
    }
}

/// Polls `ready` for up to 90 s; fails with the processes' logs when it never is.
fn wait_for(work: &tempfile::TempDir, what: &str, mut ready: impl FnMut() -> bool) {
    let started = Instant::now();
    while !ready() {
        if started.elapsed() > Duration::from_secs(90) {
            let mut logs = String::new();
            for entry in std::fs::read_dir(work.path()).unwrap().flatten() {
                if entry.path().extension().is_some_and(|e| e == "log") {
                    let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
                    let tail: String = text.lines().rev().take(5).collect::<Vec<_>>().join("\n");
                    logs.push_str(&format!("\n== {}\n{tail}", entry.path().display()));
                }
            }
            panic!("{what} never answered on the loopback cluster{logs}");
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// Whether GET `path` on 127.0.0.1:`port` answers 200.
fn http_ok(port: u16, path: &str) -> bool {
    use std::io::{Read, Write};
    let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", port)) else { return false };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    if stream.write_all(format!("GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").as_bytes()).is_err() {
        return false;
    }
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    answer.starts_with("HTTP/1.1 200") || answer.starts_with("HTTP/1.0 200")
}

impl Cluster {
    fn work(&self) -> &Path {
        self._work.path()
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        for child in self.executors.iter_mut().chain(std::iter::once(&mut self.scheduler)) {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

#[test]
fn golden_reports_on_a_loopback_cluster_equal_the_local_ones() {
    let cluster = Cluster::start(2);
    let mut checked = 0;
    for case in &cases() {
        let work = tempfile::tempdir().unwrap();
        let folder = work.path().join("export");
        case.dataset().export_parquet_dir(&folder).unwrap();
        let ds = Dataset::on_cluster(&cluster.url, &folder).unwrap();
        // Joins as on big inputs: partitioned (a sort-merge join, Ballista's
        // default), not the broadcast a few rows get.
        for threshold in [
            "datafusion.optimizer.hash_join_single_partition_threshold",
            "datafusion.optimizer.hash_join_single_partition_threshold_rows",
            "ballista.optimizer.broadcast_join_threshold_bytes",
            "ballista.optimizer.broadcast_join_threshold_rows",
        ] {
            ds.sql(&format!("SET {threshold} = 0")).unwrap();
        }
        let report = ds.report(Some(&case.client), &case.period, &case.options()).unwrap();
        let expected = std::fs::read_to_string(&case.expected).unwrap();
        assert_eq!(without_lineage(&report.to_json().unwrap()), without_lineage(&expected), "{}", case.name);
        // The lineage names the Parquet files with their sha256.
        let lineage = &report.lineage;
        assert!(!lineage.is_empty() && lineage.iter().all(|e| e.source.ends_with(".parquet") && e.sha256.len() == 64));
        for entry in lineage {
            let out = Command::new("sha256sum").arg(&entry.source).output().unwrap();
            assert!(String::from_utf8_lossy(&out.stdout).starts_with(&entry.sha256), "{}", entry.source);
        }
        checked += 1;
    }
    assert!(checked >= 18, "only {checked} golden cases ran");
}

#[test]
fn an_unreachable_scheduler_is_an_error_naming_it() {
    let work = tempfile::tempdir().unwrap();
    let folder = work.path().join("export");
    claimscope::tools::demo::dataset().unwrap().export_parquet_dir(&folder).unwrap();
    let url = format!("df://127.0.0.1:{}", free_port());
    let outcome = Dataset::on_cluster(&url, &folder).and_then(|ds| ds.report(None, "2025", &ReportOptions::default()));
    let message = outcome.map(|_| ()).expect_err("no cluster answers there").to_string();
    assert!(message.contains(&format!("the query on the Ballista cluster at {url} failed")), "{message}");
    assert!(message.contains("Connection refused"), "{message}");
}

/// One executor is killed while it runs tasks of a report of a generated
/// plan (its work dir holds a job's shuffle files): Ballista marks it lost
/// and runs its tasks again on the other one ("Reset N tasks ... on lost
/// Executor" in the scheduler's log), and the report equals the local one.
/// Ballista 55 has one case it does not finish: when the lost executor held
/// a finished stage's output that a running stage reads, it rolls the stage
/// back and the job never resumes; the query's time limit then gives an
/// error naming the cluster. Any other failure, or other figures, fails.
#[test]
fn an_executor_killed_during_a_report_never_gives_other_figures() {
    let mut cluster = Cluster::start(2);
    let work = tempfile::tempdir().unwrap();
    let spec = claimscope::tools::generate::PlanSpec::new(20_000, 24, 5, 3, "2024-01");
    let ds = generated_plan(work.path(), spec, PLAN_FILES.len());
    let local = ds.report(Some("CLIENT02"), "2025", &ReportOptions::default()).unwrap().to_json().unwrap();
    let folder = work.path().join("export");
    ds.export_parquet_dir(&folder).unwrap();
    let report_on = move |url: String, folder: PathBuf| {
        let mut on = Dataset::on_cluster(&url, &folder)?;
        on.set_query_limit(Duration::from_secs(45));
        on.report(Some("CLIENT02"), "2025", &ReportOptions::default()).map(|r| r.to_json().unwrap())
    };
    // Undisturbed, the cluster's report is the local one.
    assert_eq!(without_lineage(&report_on(cluster.url.clone(), folder.clone()).unwrap()), without_lineage(&local));
    let (url, at) = (cluster.url.clone(), folder.clone());
    let running = std::thread::spawn(move || report_on(url, at));
    // Killed once it writes a job's shuffle files: mid-job, not before or after.
    let executor_dir = cluster.work().join("executor-0");
    wait_for(&cluster._work, "a job's files in executor 0's work dir", || {
        std::fs::read_dir(&executor_dir).is_ok_and(|mut entries| entries.next().is_some())
    });
    cluster.executors[0].kill().unwrap();
    let _ = cluster.executors[0].wait();
    let outcome = running.join().unwrap();
    let log = std::fs::read_to_string(cluster.work().join("scheduler.log")).unwrap();
    match outcome {
        Ok(json) => {
            assert_eq!(without_lineage(&json), without_lineage(&local));
            assert!(log.contains("on lost Executor"), "the report came back but no task was run again:\n{log}");
        }
        Err(e) => {
            let message = e.to_string();
            assert!(message.contains(&format!("the query on the Ballista cluster at {}", cluster.url)), "{message}");
            assert!(
                log.contains("Roll back running job/stage"),
                "failed otherwise than Ballista 55's rollback: {message}"
            );
            eprintln!("Ballista rolled a stage back and never resumed; the report failed: {message}");
        }
    }
}

/// A report on the cluster reads only its client's folders and, on the
/// incurred basis, its window's months (common::reads_only_its_partitions).
#[test]
fn a_report_reads_only_its_clients_and_windows_partitions() {
    let cluster = Cluster::start(2);
    common::reads_only_its_partitions(|folder| Dataset::on_cluster(&cluster.url, folder), "on the cluster");
}
