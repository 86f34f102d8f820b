#!/usr/bin/env python3
"""claimscope and the host's PostgreSQL, side by side with psql's COPY.

Load: `claimscope load --postgres` of a generated claims.csv (checked, host
limits checked, uploads row, one transaction) against `psql \\copy` of the
same rows already shaped as the host table (the floor: no checks at all).
Read: `claimscope validate --postgres` (every table of the client into a
Dataset, checked) against `psql \\copy (SELECT ...) TO /dev/null` of the
client's claims, both the plain query and the one claimscope sends (its
key as an extra column). Wall time and the client process's peak RSS; the server does
the same work in each pair. Runs against a throwaway cluster
(tests/postgres/cluster.sh) unless CLAIMSCOPE_TEST_POSTGRES names a server.

    python3 benches/postgres.py --claimscope target/release/claimscope --members 48500 --runs 3
"""
import argparse
import csv
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCHEMA = os.path.join(REPO, "..", "shared", "spec", "seed-postgres-schema.sql")
CLIENT = "11111111-1111-4111-8111-111111111111"
USER = "22222222-2222-4222-8222-222222222222"
HOST_COLUMNS = ["client_id", "claim_id", "claimant_number", "claim_date", "claim_type", "service_type",
                "service_category", "icd_code", "medical_desc", "layman_term", "medical_amount",
                "pharmacy_amount", "total_amount"]


def timed(args):
    """Wall seconds and peak RSS (MiB) of one child process."""
    start = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    err = proc.stderr.read().decode()
    if status != 0:
        sys.exit("failed: %s\n%s" % (" ".join(args), err))
    return wall, usage.ru_maxrss / 1024


def psql(conninfo, *args):
    return subprocess.run(["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", conninfo, *args],
                          check=True, capture_output=True, text=True).stdout.strip()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--claimscope", required=True)
    p.add_argument("--members", type=int, default=48500)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--dir", default=os.environ.get("CLAIMSCOPE_BENCH_DIR", "/var/cache/claimscope-bench"))
    a = p.parse_args()

    plan = os.path.join(a.dir, "pg-plan-%d" % a.members)
    claims = os.path.join(plan, "claims.csv")
    host_csv = os.path.join(plan, "claims-host.csv")
    if not os.path.exists(host_csv):
        subprocess.run([a.claimscope, "generate", "--members", str(a.members), "--months", "24", "--seed", "7",
                        "--out", plan], check=True, capture_output=True)
        raw = os.path.join(plan, "claims-raw.csv")
        os.replace(claims, raw)
        with open(raw, newline="", encoding="utf-8") as src, open(claims, "w", newline="", encoding="utf-8") as out, \
                open(host_csv, "w", newline="", encoding="utf-8") as host:
            reader = csv.DictReader(src)
            w = csv.DictWriter(out, fieldnames=reader.fieldnames, lineterminator="\n")
            h = csv.writer(host, lineterminator="\n")
            w.writeheader()
            h.writerow(HOST_COLUMNS)
            seen = {}
            for row in reader:
                row["client_id"] = CLIENT
                w.writerow(row)
                # Lines of one claim share its id; the host key is one a line.
                n = seen[row["claim_id"]] = seen.get(row["claim_id"], 0) + 1
                name = row["claim_id"] if n == 1 else "%s\x1f%d" % (row["claim_id"], n)
                key = uuid.uuid5(uuid.UUID(CLIENT), name)
                h.writerow([CLIENT, key, row["claimant_id"], row["claim_date"], row["claim_type"],
                            row["service_type"], row["service_category"], row["icd_code"], row["medical_desc"],
                            row["layman_term"], row["medical_amount"], row["pharmacy_amount"], row["total_amount"]])
        os.remove(raw)
    lines = sum(1 for _ in open(claims, encoding="utf-8")) - 1

    server = os.environ.get("CLAIMSCOPE_TEST_POSTGRES")
    cluster = None
    if not server:
        cluster = tempfile.mkdtemp(prefix="claimscope-pg-bench-")
        server = subprocess.run(["bash", os.path.join(REPO, "tests", "postgres", "cluster.sh"), "start", cluster],
                                check=True, capture_output=True, text=True).stdout.strip()
    try:
        psql(server, "-c", "DROP DATABASE IF EXISTS cs_bench")
        psql(server, "-c", "CREATE DATABASE cs_bench")
        url = server.replace("dbname=postgres", "dbname=cs_bench")
        psql(url, "-f", SCHEMA)
        psql(url, "-c", "INSERT INTO clients (client_id, name) VALUES ('%s', 'Bench'); "
                        "INSERT INTO users (user_id, email, name, role, client_id) "
                        "VALUES ('%s', 'b@x', 'B', 'admin', '%s')" % (CLIENT, USER, CLIENT))
        empty = "TRUNCATE claims, uploads, audit_log, report_runs CASCADE"
        results = {}

        def best(name, make):
            runs = [make() for _ in range(a.runs)]
            results[name] = min(runs)

        def copy_in():
            psql(url, "-c", empty)
            return timed(["psql", "-X", "-q", "-d", url, "-c",
                          "\\copy claims(%s) FROM '%s' CSV HEADER" % (", ".join(HOST_COLUMNS), host_csv)])

        def load():
            psql(url, "-c", empty)
            return timed([a.claimscope, "load", "--postgres", url, "--client", CLIENT, "--table", "claims", claims])

        best("load: psql \\copy FROM (floor)", copy_in)
        best("load: claimscope load --postgres", load)
        assert psql(url, "-c", "SELECT count(*) FROM claims") == str(lines)
        psql(url, "-c", "VACUUM ANALYZE claims")
        plain = "SELECT * FROM claims WHERE client_id = '%s'" % CLIENT
        same = ("SELECT claim_id::text AS claimscope_row_key, client_id::text, claim_id, claimant_number, "
                "claim_date, claim_type, service_type, service_category, icd_code, medical_desc, layman_term, "
                "medical_amount, pharmacy_amount, total_amount FROM claims WHERE client_id = '%s'" % CLIENT)
        best("read: psql \\copy TO, plain query (floor)",
             lambda: timed(["psql", "-X", "-q", "-d", url, "-c", "\\copy (%s) TO '/dev/null' CSV HEADER" % plain]))
        best("read: psql \\copy TO, claimscope's query",
             lambda: timed(["psql", "-X", "-q", "-d", url, "-c", "\\copy (%s) TO '/dev/null' CSV HEADER" % same]))
        best("read: claimscope validate --postgres (into a Dataset)",
             lambda: timed([a.claimscope, "validate", "--postgres", url, "--client", CLIENT]))
    finally:
        if cluster:
            subprocess.run(["bash", os.path.join(REPO, "tests", "postgres", "cluster.sh"), "stop", cluster])
            shutil.rmtree(cluster, ignore_errors=True)

    print("%d claim lines, claims.csv %.0f MiB, best of %d" % (lines, os.path.getsize(claims) / 2**20, a.runs))
    print("| step | wall s | peak RSS MiB |")
    print("|---|---:|---:|")
    for name, (wall, rss) in results.items():
        print("| %s | %.2f | %.0f |" % (name, wall, rss))
    load_ratio = results["load: claimscope load --postgres"][0] / results["load: psql \\copy FROM (floor)"][0]
    read_ratio = (results["read: claimscope validate --postgres (into a Dataset)"][0]
                  / results["read: psql \\copy TO, plain query (floor)"][0])
    print("load %.2fx the floor (target 1.5x); read %.2fx the floor (target 1.2x)" % (load_ratio, read_ratio))


if __name__ == "__main__":
    main()
