"""Export folders of Parquet partitions and reports on a Ballista cluster,
from Python: the golden reports come back (lineage aside, which names the
Parquet files). The cluster tests need a wheel built with the ``cluster``
feature and a loopback cluster (tests/run-all.sh starts one where the
Ballista binaries are cached: CLAIMSCOPE_TEST_BALLISTA=df://host:port)."""
import os

import pytest

import claimscope
from test_claimscope import CASES, case_files, expected, without_lineage

BALLISTA = os.environ.get("CLAIMSCOPE_TEST_BALLISTA")


def golden_dataset(case):
    ds = claimscope.Dataset()
    for table, path in case_files(case):
        ds.load(table, path)
    return ds


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_golden_cases_round_trip_through_an_export_folder(case, tmp_path):
    summary = golden_dataset(case).export_parquet_dir(tmp_path / "export")
    assert summary["files"] and all(f["path"].endswith("part-0.parquet") for f in summary["files"])
    back = claimscope.Dataset()
    loads = back.load_parquet_dir(tmp_path / "export")
    assert sum(s.records_accepted for s in loads) == sum(summary["tables"].values())
    report = back.report(case["client"], case["period"], **case["options"])
    assert without_lineage(report.to_json()) == without_lineage(expected(case))


def test_export_files_streams_claims_into_client_month_partitions(tmp_path):
    basic = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "golden", "basic")
    result = claimscope.export_files(tmp_path / "plan", os.path.join(basic, "claims.csv"),
                                     rebates=os.path.join(basic, "rebates.csv"))
    # tests/golden/basic/claims.csv: 13 claim lines of ACME and OTHER.
    assert result["tables"]["claims"] == 13
    paths = [f["path"] for f in result["files"]]
    assert "claims/client=OTHER/month=2025-01/part-0.parquet" in paths
    assert [s.table for s in result["load_summaries"]] == ["claims", "rebates"]
    with pytest.raises(claimscope.IoError, match="not empty"):
        claimscope.export_files(tmp_path / "plan", os.path.join(basic, "claims.csv"))


def test_a_missing_partition_raises_naming_the_table(tmp_path):
    summary = claimscope.Dataset.demo().export_parquet_dir(tmp_path)
    gone = next(f for f in summary["files"] if f["table"] == "claims")
    os.remove(tmp_path / gone["path"])
    with pytest.raises(claimscope.IoError, match="rows of claims read from 23 files, the manifest says"):
        claimscope.Dataset().load_parquet_dir(tmp_path)


@pytest.mark.skipif(claimscope.CLUSTER, reason="this build has cluster support")
def test_without_cluster_support_on_cluster_says_how_to_build_it(tmp_path):
    claimscope.Dataset.demo().export_parquet_dir(tmp_path)
    with pytest.raises(claimscope.ArgumentError, match="--features cluster"):
        claimscope.Dataset.on_cluster("df://127.0.0.1:50050", tmp_path)


@pytest.mark.skipif(not claimscope.CLUSTER, reason="this build has no cluster support")
def test_an_unreachable_scheduler_is_an_error_naming_it(tmp_path):
    claimscope.Dataset.demo().export_parquet_dir(tmp_path)
    with pytest.raises(claimscope.ClaimscopeError, match="df://127.0.0.1:1"):
        claimscope.Dataset.on_cluster("df://127.0.0.1:1", tmp_path).report(None, "2025")


@pytest.mark.skipif(not (claimscope.CLUSTER and BALLISTA), reason="needs cluster support and CLAIMSCOPE_TEST_BALLISTA")
@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_golden_cases_on_the_loopback_cluster(case, tmp_path):
    golden_dataset(case).export_parquet_dir(tmp_path / "export")
    report = claimscope.Dataset.on_cluster(BALLISTA, tmp_path / "export").report(
        case["client"], case["period"], **case["options"])
    assert without_lineage(report.to_json()) == without_lineage(expected(case))
