"""One report of an export folder, locally and on a loopback Ballista cluster
(one scheduler, two executors: tests/ballista/cluster.sh), side by side:
wall time, peak memory of every process, bytes the executors shuffled (their
work dirs' shuffle files), and whether the two reports are equal (lineage
aside, which names the Parquet files).

    python3 benches/cluster/scale.py --claimscope CLI --folder DIR --client C --period P [--runs N]

CLI must be built with the cluster feature; CLAIMSCOPE_BALLISTA_BIN names the
folder of ballista-scheduler and ballista-executor.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CLUSTER_SH = os.path.join(ROOT, "tests", "ballista", "cluster.sh")


def timed(command):
    """Runs `command` under /usr/bin/time: (wall s, peak RSS MiB, CPU s, stdout)."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as t:
        start = time.monotonic()
        out = subprocess.run(["/usr/bin/time", "-f", "%M %U %S", "-o", t.name] + command,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
        wall = time.monotonic() - start
        if out.returncode != 0:
            sys.exit(f"{' '.join(command)} failed:\n{out.stderr.decode()[-2000:]}")
        rss_kib, user, system = t.read().strip().splitlines()[-1].split()
    return wall, int(rss_kib) / 1024, float(user) + float(system), out.stdout


def cpu_seconds(pid):
    """User + system CPU a running process has used (/proc/PID/stat)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_rss_mib(pid):
    """The peak resident set of a running process (VmHWM)."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def tree_bytes(path):
    total = 0
    for folder, _, files in os.walk(path):
        for name in files:
            try:
                total += os.path.getsize(os.path.join(folder, name))
            except OSError:
                pass
    return total


def without_lineage(stdout):
    document = json.loads(stdout)
    document.pop("lineage", None)
    return document


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--claimscope", required=True)
    parser.add_argument("--folder", required=True)
    parser.add_argument("--client", required=True)
    parser.add_argument("--period", required=True)
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    report = ["report", "--parquet", args.folder, "--client", args.client, "--period", args.period,
              "--format", "json"]
    work = tempfile.mkdtemp(prefix="claimscope-scale-")
    url = subprocess.run(["bash", CLUSTER_SH, "start", work], check=True, stdout=subprocess.PIPE,
                         text=True).stdout.strip()
    try:
        pids = {name[:-4]: int(open(os.path.join(work, name)).read())
                for name in sorted(os.listdir(work)) if name.endswith(".pid")}
        rows = []
        executors = [e for e in pids if e.startswith("executor")]
        for run in range(1, args.runs + 1):
            local_wall, local_rss, _, local_out = timed([args.claimscope] + report)
            shuffle_before = sum(tree_bytes(os.path.join(work, e)) for e in executors)
            cpu_before = sum(cpu_seconds(pids[e]) for e in executors)
            cluster_wall, cluster_rss, client_cpu, cluster_out = timed([args.claimscope] + report + ["--cluster", url])
            executors_cpu = sum(cpu_seconds(pids[e]) for e in executors) - cpu_before
            shuffled = sum(tree_bytes(os.path.join(work, e)) for e in executors) - shuffle_before
            same = without_lineage(local_out) == without_lineage(cluster_out)
            rows.append((run, local_wall, local_rss, cluster_wall, cluster_rss, client_cpu, executors_cpu, shuffled,
                         same))
        peaks = {name: peak_rss_mib(pid) for name, pid in pids.items()}
    finally:
        subprocess.run(["bash", CLUSTER_SH, "stop", work], check=False)
    print(f"folder {args.folder}: {tree_bytes(args.folder) / 2**20:.0f} MiB of Parquet; "
          f"client {args.client}, period {args.period}; cluster {url}")
    print("| run | local wall s | local peak MiB | cluster wall s | client peak MiB | client CPU s | executors CPU s "
          "| shuffle files MiB | same report |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---|")
    for run, lw, lr, cw, cr, cc, ec, sh, same in rows:
        print(f"| {run} | {lw:.1f} | {lr:.0f} | {cw:.1f} | {cr:.0f} | {cc:.1f} | {ec:.1f} | {sh / 2**20:.1f} "
              f"| {'yes' if same else 'NO'} |")
    print("peak RSS of the cluster's processes over all runs (MiB): "
          + ", ".join(f"{name} {mib:.0f}" for name, mib in peaks.items()))
    if not all(r[-1] for r in rows):
        sys.exit("the cluster's report differs from the local one")


if __name__ == "__main__":
    main()
