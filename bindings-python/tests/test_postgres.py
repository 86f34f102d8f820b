"""Dataset.load_postgres against a real server: the throwaway cluster of
tests/run-all.sh (CLAIMSCOPE_TEST_POSTGRES), a fresh database with the seed
schema and tests/postgres/doors-fixture.sql, whose figures are worked out
by hand in its header."""
import os
import subprocess
import uuid
from decimal import Decimal

import pytest

import claimscope

REPO = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
SERVER = os.environ.get("CLAIMSCOPE_TEST_POSTGRES")
CLIENT_A = "aaaaaaaa-0000-4000-8000-00000000000a"
CLIENT_B = "bbbbbbbb-0000-4000-8000-00000000000b"

if not SERVER:
    if os.environ.get("CI"):
        raise RuntimeError("CI runs these against a server: tests/run-all.sh sets CLAIMSCOPE_TEST_POSTGRES")
    pytest.skip("no PostgreSQL server (CLAIMSCOPE_TEST_POSTGRES)", allow_module_level=True)


def psql(conninfo, sql=None, path=None):
    args = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", conninfo]
    args += ["-c", sql] if sql is not None else ["-f", path]
    subprocess.run(args, check=True, capture_output=True)


@pytest.fixture(scope="module")
def database():
    name = "cs_python_" + uuid.uuid4().hex[:8]
    psql(SERVER, "CREATE DATABASE " + name)
    url = SERVER.replace("dbname=postgres", "dbname=" + name)
    psql(url, path=os.path.join(REPO, "..", "shared", "spec", "seed-postgres-schema.sql"))
    psql(url, path=os.path.join(REPO, "tests", "postgres", "doors-fixture.sql"))
    yield url
    psql(SERVER, "DROP DATABASE " + name)


def test_a_clients_rows_report_as_worked_by_hand(database):
    ds = claimscope.Dataset()
    read = ds.load_postgres(database, CLIENT_A)
    assert isinstance(read, claimscope.PostgresLoad)
    assert read.uploads == ["dddddddd-0000-4000-8000-00000000000d"]
    claims = read.summaries[0]
    assert (claims.table, claims.records_read, claims.records_accepted) == ("claims", 3, 3)
    report = ds.report(CLIENT_A, "2025-Q1")
    assert report.client_id == CLIENT_A
    assert report.summary.gross_claims == Decimal("3650.75")
    assert report.summary.claim_count == 3
    assert report.summary.stop_loss_reimbursements == Decimal("500.00")
    assert report.summary.gross_pmpm == Decimal("121.69")
    # Client B shares claimant number P1 but was never read.
    assert ds.clients() == [CLIENT_A]


def test_client_ids_are_uuids_and_never_sql(database):
    with pytest.raises(claimscope.ArgumentError, match="is not a UUID"):
        claimscope.Dataset().load_postgres(database, "x' OR '1'='1")


def test_a_wrong_password_is_a_database_error(database):
    bad = database.replace("password=claimscope-test-password", "password=wrong")
    with pytest.raises(claimscope.DatabaseError, match="password authentication failed") as caught:
        claimscope.Dataset().load_postgres(bad, CLIENT_A)
    assert caught.value.code == "database"
    assert "wrong" not in str(caught.value)


def test_a_bad_row_in_the_database_names_its_key(database):
    # Client B's only claim, made inconsistent: its total no longer sums its parts.
    psql(database, "UPDATE claims SET total_amount = 1.00 WHERE claim_id = '00000000-0000-4000-8000-000000000004'")
    read = claimscope.Dataset().load_postgres(database, CLIENT_B, lenient=True)
    (error,) = read.summaries[0].errors
    assert error.key == "claims.claim_id 00000000-0000-4000-8000-000000000004"
    assert (error.record, error.column, error.value) == (1, "total_amount", "1.00")
    with pytest.raises(claimscope.InputError) as caught:
        claimscope.Dataset().load_postgres(database, CLIENT_B)
    assert caught.value.errors[0]["key"] == error.key
