"""The Python door against the shared golden files and the same data through
pyarrow, pandas and polars."""
import json
import os
import threading
from decimal import Decimal

import pytest

import claimscope

REPO = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
GOLDEN = os.path.join(REPO, "tests", "golden")
CASES_DIR = os.path.join(GOLDEN, "cases")
# One manifest a case: input files by table, the complete options, the expected report.
CASES = [dict(json.load(open(os.path.join(CASES_DIR, f))), name=f[: -len(".json")])
         for f in sorted(os.listdir(CASES_DIR)) if f.endswith(".json")]
CASE = {c["name"]: c for c in CASES}
BASIC = CASE["basic-2025-Q1"]  # worked by hand in tests/golden/README.md


def case_files(case):
    """(table, absolute path) of each input file, in load order."""
    return [(f["table"], os.path.normpath(os.path.join(CASES_DIR, f["path"]))) for f in case["files"]]


def expected(case):
    with open(os.path.join(CASES_DIR, case["expected"]), encoding="utf-8") as f:
        return f.read()


def report_of(ds, case):
    return ds.report(case["client"], case["period"], **case["options"])


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_golden_from_paths(case, monkeypatch):
    ds = claimscope.Dataset()
    for table, path in case_files(case):
        # Loaded under its bare name, so lineage is the same in every door.
        monkeypatch.chdir(os.path.dirname(path))
        summary = ds.load(table, os.path.basename(path))
        assert summary.records_read == summary.records_accepted + summary.records_rejected + summary.records_moved
    assert report_of(ds, case).to_json() == expected(case)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_golden_from_bytes(case):
    ds = claimscope.Dataset()
    for table, path in case_files(case):
        with open(path, "rb") as f:
            ds.load(table, f.read(), name=os.path.basename(path))
    assert report_of(ds, case).to_json() == expected(case)


def test_demo_is_the_cli_demo():
    report = claimscope.Dataset.demo().report(None, "2025")
    assert report.to_json() == expected(CASE["sample-2025"])


def test_typed_attributes_and_decimals():
    ds = claimscope.Dataset()
    for table, path in case_files(BASIC):
        ds.load(table, path)
    r = report_of(ds, BASIC)
    assert r.summary.pharmacy_pmpm == Decimal("6.53")
    assert str(r.summary.gross_claims) == "121846.00"
    assert r.summary.loss_ratio == Decimal("1.7745")
    assert [c.claimant_id for c in r.high_cost_claimants.claimants] == ["P1", "P6"]
    monthly = r.to_arrow("monthly")
    assert str(monthly.schema.field("gross_claims").type) == "decimal128(18, 2)"
    assert monthly.column("gross_claims").to_pylist() == [Decimal("69550.25"), Decimal("150.25"), Decimal("52145.50")]
    assert list(r.to_pandas("concentration")["claimants"]) == [1, 1, 1, 2]
    assert r.to_polars("service_categories")["name"].to_list()[-1] == "Uncategorized"


def without_lineage(text):
    doc = json.loads(text)
    doc.pop("lineage")
    return doc


def load_frames(make):
    ds = claimscope.Dataset()
    for table, path in case_files(BASIC):
        ds.load(table, make(path), name=os.path.basename(path))
    return report_of(ds, BASIC).to_json()


def test_pyarrow_pandas_and_polars_give_the_same_report():
    import pandas
    import polars
    import pyarrow.csv

    want = without_lineage(expected(BASIC))
    # pyarrow infers dates and doubles; the values are checked as text again.
    assert without_lineage(load_frames(lambda p: pyarrow.csv.read_csv(p))) == want
    assert without_lineage(load_frames(lambda p: pandas.read_csv(p, dtype=str, keep_default_na=False))) == want
    assert without_lineage(load_frames(lambda p: polars.read_csv(p))) == want


def test_typed_claims_frames_are_read_in_their_own_types():
    """Claims with dates as polars Date / pandas midnight timestamps and
    amounts as Decimal(18, 2) give the golden report; a timestamp with a time
    of day and a third decimal are rejected, shown as Arrow writes them."""
    import decimal
    import pandas
    import polars
    import pyarrow

    money = ["medical_amount", "pharmacy_amount", "total_amount"]

    def typed_polars(path):
        frame = polars.read_csv(path, infer_schema=False)
        return frame.with_columns([polars.col(c).str.to_date("%Y-%m-%d") for c in ("claim_date", "paid_date")]
                                  + [polars.col(c).cast(polars.Decimal(18, 2)) for c in money])

    def typed_pandas(path):
        frame = pandas.read_csv(path, dtype=str, keep_default_na=False, parse_dates=["claim_date", "paid_date"])
        for c in money:
            frame[c] = frame[c].map(decimal.Decimal)
        return pyarrow.Table.from_pandas(frame, preserve_index=False)

    want = without_lineage(expected(BASIC))
    for typed in (typed_polars, typed_pandas):
        ds = claimscope.Dataset()
        for table, path in case_files(BASIC):
            ds.load(table, typed(path) if table == "claims" else path, name=os.path.basename(path))
        assert str(ds.sql("SELECT arrow_typeof(total_amount) AS t FROM claims LIMIT 1")["t"][0]) == "Decimal128(18, 2)"
        assert without_lineage(report_of(ds, BASIC).to_json()) == want, typed.__name__

    bad = pyarrow.table({
        "client_id": ["A", "A", "A"],
        "claimant_id": ["P1", "P2", "P3"],
        "claim_date": pyarrow.array([pandas.Timestamp("2025-01-05"), pandas.Timestamp("2025-01-06 08:30"),
                                     pandas.Timestamp("2025-01-07")], pyarrow.timestamp("us")),
        "medical_amount": pyarrow.array([decimal.Decimal("1.50"), decimal.Decimal("2.00"), decimal.Decimal("0.125")],
                                        pyarrow.decimal128(10, 3)),
    })
    summary = claimscope.Dataset().load("claims", bad, name="frame", lenient=True)
    assert [(e.record, e.column, e.value) for e in summary.errors] == [
        (2, "claim_date", "2025-01-06T08:30:00"), (3, "medical_amount", "0.125")]
    assert "time of day" in summary.errors[0].reason and "more than 2 decimals" in summary.errors[1].reason


def test_a_bad_row_raises_input_error_with_record_and_column():
    csv = b"client_id,claimant_id,claim_date,medical_amount\nA,P1,2025-01-02,1.00\nA,P2,2025-02-30,2.00\n"
    with pytest.raises(claimscope.InputError) as info:
        claimscope.Dataset().load("claims", csv, name="t.csv")
    e = info.value
    assert isinstance(e, claimscope.ClaimscopeError)
    assert (e.record, e.line, e.column, e.value) == (2, 3, "claim_date", "2025-02-30")
    assert "day 30" in e.reason
    assert e.errors[0]["column"] == "claim_date"
    summary = claimscope.Dataset().load("claims", csv, lenient=True)
    assert (summary.records_read, summary.records_accepted, summary.records_rejected) == (2, 1, 1)
    assert summary.errors[0] == claimscope.RowError(2, 3, "claim_date", "2025-02-30", summary.errors[0].reason)


def test_other_errors_have_their_subclass():
    ds = claimscope.Dataset.demo()
    with pytest.raises(claimscope.PeriodError) as info:
        ds.report(None, "2025-13")
    assert info.value.label == "2025-13"
    with pytest.raises(claimscope.ArgumentError):
        ds.report("NOPE", "2025")
    with pytest.raises(claimscope.MappingError):
        claimscope.Dataset().load("claims", b"a,b\n1,2\n")
    with pytest.raises(claimscope.IoError) as io:
        claimscope.Dataset().load("claims", "/no/such/file.csv")
    # A missing file is what Python code catches as OSError, too.
    assert isinstance(io.value, OSError) and isinstance(io.value, claimscope.ClaimscopeError)
    assert io.value.path == "/no/such/file.csv" and io.value.code == "io"
    with pytest.raises(OSError):
        claimscope.Dataset().load("claims", "/no/such/file.csv")


def test_error_attributes_are_the_ones_the_stub_declares():
    """_claimscope.pyi declares what the door sets on every error (the core's
    Error::fields), so the stub cannot drift from the door."""
    import re
    stub = open(os.path.join(os.path.dirname(claimscope.__file__), "_claimscope.pyi")).read()
    body = stub.split("class ClaimscopeError(Exception):", 1)[1].split("\nclass ", 1)[0]
    declared = set(re.findall(r"^    ([a-z_]+):", body, re.M))
    with pytest.raises(claimscope.PeriodError) as info:
        claimscope.Dataset.demo().report(None, "2025-13")
    assert set(vars(info.value)) == declared
    assert (info.value.code, info.value.label, info.value.path) == ("period", "2025-13", None)


def test_report_defaults_are_the_engines():
    # The engine's defaults, as interfaces.md states them; the signature restates none.
    assert claimscope.REPORT_DEFAULTS["hcc_threshold"] == "50000.00"
    assert claimscope.REPORT_DEFAULTS["top_n"] == 10
    assert claimscope.REPORT_DEFAULTS["basis"] == "incurred"
    ds = claimscope.Dataset.demo()
    assert ds.report(None, "2025").to_json() == ds.report(None, "2025", **claimscope.REPORT_DEFAULTS).to_json()


def test_load_summary_type_follows_the_engine():
    """The dataclasses' fields are the keys the engine serialises, so the
    typed objects cannot drift from the core's LoadSummary and RowError."""
    import dataclasses
    import pyarrow
    csv = b"client_id,claimant_id,claim_date,medical_amount\nA,P1,2025-01-02,1.00\nA,P2,2025-02-30,2.00\n"
    raw = json.loads(claimscope.Dataset()._inner.load_bytes("claims", "t.csv", csv, None, True, None))
    assert [f.name for f in dataclasses.fields(claimscope.LoadSummary)] == list(raw)
    # `key` is written only for a database row (test_postgres.py checks it).
    assert [f.name for f in dataclasses.fields(claimscope.RowError)] == list(raw["errors"][0]) + ["key"]
    # Parquet and Arrow IPC bytes are recognised by the engine like a path's extension.
    table = pyarrow.table({"client_id": ["A"], "claimant_id": ["P1"], "claim_date": ["2025-01-02"], "medical_amount": ["1.00"]})
    sink = pyarrow.BufferOutputStream()
    with pyarrow.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    assert claimscope.Dataset().load("claims", sink.getvalue().to_pybytes()).records_accepted == 1
    import pyarrow.parquet
    sink = pyarrow.BufferOutputStream()
    pyarrow.parquet.write_table(table, sink)
    assert claimscope.Dataset().load("claims", sink.getvalue().to_pybytes()).records_accepted == 1


def test_sql_returns_a_pyarrow_table():
    t = claimscope.Dataset.demo().sql("SELECT icd_chapter(icd_code) AS chapter, COUNT(*) AS n FROM claims GROUP BY 1 ORDER BY 1")
    assert t.column_names == ["chapter", "n"]
    assert "Unknown" in t.column("chapter").to_pylist()


def test_suggest_mapping():
    profile = claimscope.suggest_mapping(
        ["Group Number", "Member ID", "Incurred Date", "Type", "Paid Amt"],
        [["ACME", "M1", "01/31/2025", "MED", "$1,234.56"], ["ACME", "M2", "02/01/2025", "RX", "(12.00)"]],
    )
    assert profile["table"] == "claims"
    assert profile["columns"]["amount"] == "Paid Amt"
    assert profile["value_maps"]["claim_type"] == {"MED": "medical", "RX": "pharmacy"}
    ds = claimscope.Dataset()
    s = ds.load("claims", b"Group Number,Member ID,Incurred Date,Type,Paid Amt\nACME,M1,01/31/2025,MED,\"$1,234.56\"\n", mapping=profile)
    assert s.records_accepted == 1


def test_reports_run_in_threads_on_one_dataset():
    ds = claimscope.Dataset.demo()
    want = expected(CASE["sample-2025"])
    results = []
    threads = [threading.Thread(target=lambda: results.append(ds.report(None, "2025").to_json())) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [want] * 4


def test_privacy_and_contract_options_from_python_values():
    """The contract as a dict with Decimal amounts gives the golden bytes;
    pseudonyms match Python's own HMAC-SHA256."""
    import hashlib
    import hmac
    case = CASE["contract-2025-privacy"]
    ds = claimscope.Dataset()
    for table, path in case_files(case):
        with open(path, "rb") as f:
            ds.load(table, f.read(), name=os.path.basename(path))
    amounts = ("specific_deductible", "aggregate_attachment", "aggregate_factor")
    contract = json.loads(json.dumps(case["options"]["stop_loss_contract"]),
                          object_hook=lambda d: {k: Decimal(v) if k in amounts else v for k, v in d.items()})
    assert isinstance(contract["specific_deductible"], Decimal)
    options = dict(case["options"], stop_loss_contract=contract)
    r = ds.report("ACME", "2025", **options)
    assert r.to_json() == expected(case)
    ids = [c["claimant_id"] for c in json.loads(r.to_json())["high_cost_claimants"]["claimants"]]
    key = case["options"]["pseudonymize_key"].encode()
    assert ids == [hmac.new(key, m.encode(), hashlib.sha256).hexdigest()[:12] for m in ("M2", "M1")]
    with pytest.raises(claimscope.ArgumentError):
        ds.report("ACME", "2025", stop_loss_contract={"start_month": "2025-13", "specific_deductible": 1})



def test_printed_report_is_the_recorded_bytes():
    """to_html / to_pdf print the same bytes as the CLI and every other door
    (tests/golden/print/sample-2025.json holds their sha256)."""
    import hashlib

    with open(os.path.join(GOLDEN, "print", "sample-2025.json")) as f:
        recorded = json.load(f)
    report = claimscope.Dataset.demo().report(None, "2025")
    html = report.to_html()
    assert hashlib.sha256(html.encode()).hexdigest() == recorded["html_letter_sha256"]
    assert '<script type="application/json" id="claimscope-report">' in html
    pdf = report.to_pdf()
    assert isinstance(pdf, bytes) and pdf.startswith(b"%PDF-")
    assert hashlib.sha256(pdf).hexdigest() == recorded["pdf_letter_sha256"]
    a4 = report.to_pdf(paper="a4", run_date="2026-01-15")
    assert hashlib.sha256(a4).hexdigest() == recorded["pdf_a4_run_date_2026_01_15_sha256"]
    with pytest.raises(claimscope.ClaimscopeError, match="paper 'legal' is not known"):
        report.to_pdf(paper="legal")


RECON_CASES = os.path.join(REPO, "tests", "reconcile", "cases")
RECON_CASE = json.load(open(os.path.join(RECON_CASES, "pos-small.json")))


def recon_file(key):
    return os.path.normpath(os.path.join(RECON_CASES, RECON_CASE[key]))


def test_every_golden_reconciliation_case():
    manifests = sorted(f for f in os.listdir(RECON_CASES) if f.endswith(".json"))
    assert len(manifests) >= 2
    for name in manifests:
        case = json.load(open(os.path.join(RECON_CASES, name)))
        path = lambda key: os.path.normpath(os.path.join(RECON_CASES, case[key]))
        rules = None if case["preset"] else open(path("rules"), encoding="utf-8").read()
        with open(path("left"), "rb") as f:
            left = f.read()
        with open(path("right"), "rb") as f:
            right = f.read()
        result = claimscope.reconcile(left, right, rules=rules, preset=case["preset"])
        with open(path("expected"), encoding="utf-8") as f:
            assert result.to_json() == f.read(), name


def test_reconcile_golden_from_bytes_and_decimals():
    with open(recon_file("left"), "rb") as f:
        left = f.read()
    with open(recon_file("right"), "rb") as f:
        right = f.read()
    result = claimscope.reconcile(left, right, preset=RECON_CASE["preset"])
    with open(recon_file("expected"), encoding="utf-8") as f:
        assert result.to_json() == f.read()
    # Worked by hand in core/tests/reconcile.rs: T1/R1 and T2/R2 match, T3/R3 are 8 days apart.
    assert [(m.left.id, m.right.id) for m in result.matched] == [("T1", "R1"), ("T2", "R2")]
    assert result.summary.amounts.difference == Decimal("-10.75")
    assert result.unmatched_left[0].why.startswith("closest right record 3: date: right is 8 days later")
    frame = result.to_pandas()
    assert list(frame["class"]) == ["matched", "matched", "unmatched_left", "unmatched_right"]
    assert "matched pairs" in result.to_table()


def test_reconcile_paths_rules_dict_mapping_and_errors(tmp_path):
    (tmp_path / "l.csv").write_text("Claimant,Expected\nC1,100.00\nC2,oops\n")
    (tmp_path / "r.csv").write_text("claimant_id,amount\nC1,100.50\n")
    rules = {"keys": [{"left": "claimant_id", "right": "claimant_id"}],
             "amount": {"left": "expected_amount", "right": "amount", "tolerance": "1.00"}}
    mapping = {"left": {"Claimant": "claimant_id", "Expected": "expected_amount"}}
    with pytest.raises(claimscope.InputError) as err:
        claimscope.reconcile(tmp_path / "l.csv", tmp_path / "r.csv", rules=rules, mapping=mapping)
    assert "column expected_amount: 'oops'" in str(err.value)
    result = claimscope.reconcile(tmp_path / "l.csv", tmp_path / "r.csv", rules=rules, mapping=mapping, lenient=True)
    # 0.50 of 1.00 allowed scores 1 - 0.50 / 2.00 = 0.75.
    assert result.matched[0].score == Decimal("0.75")
    assert (result.summary.matched, result.summary.rejected_left) == (1, 1)
    with pytest.raises(claimscope.ArgumentError):
        claimscope.reconcile(tmp_path / "l.csv", tmp_path / "r.csv")
    with pytest.raises(claimscope.ArgumentError):
        claimscope.reconcile(tmp_path / "l.csv", tmp_path / "r.csv", preset="payroll")


def test_the_same_bytes_twice_are_warned_on_the_load_and_in_the_report():
    # 100.25 + 20.50 = 120.75 once; the same bytes twice count 241.50.
    csv = b"client_id,claimant_id,claim_date,medical_amount,pharmacy_amount\nA,P1,2025-01-02,100.25,0\nA,P2,2025-01-03,0,20.50\n"
    ds = claimscope.Dataset()
    assert ds.load("claims", csv, name="a.csv").warnings == []
    second = ds.load("claims", csv, name="b.csv")
    assert any("their rows now count twice" in w for w in second.warnings), second.warnings
    report = json.loads(ds.report("A", "2025-01").to_json())
    assert report["summary"]["gross_claims"] == 241.5
    twice = [w for w in report["warnings"] if w["code"] == "source_loaded_twice"]
    # sha256 of the bytes above, as coreutils' sha256sum prints it.
    assert twice == [{"code": "source_loaded_twice", "message": "claims: the same bytes (sha256 d795aab8a8766e7bec8d776abbae52d211be5893ea20510e3f290b1744a85360) were loaded 2 times (a.csv, b.csv); their rows count 2 times in every figure"}]


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_report_files_is_the_golden_report(case, monkeypatch):
    """The one-call report of files (claims folded while read, or loaded whole
    for completion and contracts) gives every golden file's bytes."""
    files = case_files(case)
    folders = {os.path.dirname(p) for _, p in files}
    if len(folders) != 1:
        pytest.skip("files in several folders: lineage names them by bare name")
    monkeypatch.chdir(folders.pop())
    by_table = {"claims": [], "budgets": None, "enrollments": None, "admin_fees": None, "rebates": None,
                "stop_loss_reimbursements": None}
    for table, path in files:
        if table == "claims":
            by_table["claims"].append(os.path.basename(path))
        else:
            assert by_table[table] is None, "one file a table besides claims"
            by_table[table] = os.path.basename(path)
    report = claimscope.report_files(
        case["period"], by_table["claims"], budgets=by_table["budgets"], enrollment=by_table["enrollments"],
        admin_fees=by_table["admin_fees"], rebates=by_table["rebates"], stop_loss=by_table["stop_loss_reimbursements"],
        client=case["client"], **case["options"])
    assert report.to_json() == expected(case)
    assert sorted(s.table for s in report.load_summaries) == sorted(t for t, _ in files)


def test_progress_true_draws_a_tqdm_bar_of_the_bytes_read(capsys):
    """report_files(progress=True) shows a bar that reaches every byte of
    the six files, and the report is the one made without it."""
    sample = os.path.join(REPO, "core", "data", "sample")
    files = dict(budgets="budgets.csv", enrollment="enrollment.csv", admin_fees="admin_fees.csv",
                 rebates="rebates.csv", stop_loss="stop_loss.csv")
    paths = {k: os.path.join(sample, v) for k, v in files.items()}
    claims = os.path.join(sample, "claims.csv")
    total = os.path.getsize(claims) + sum(os.path.getsize(p) for p in paths.values())
    with_bar = claimscope.report_files("2025", claims, progress=True, **paths)
    bar = capsys.readouterr().err
    assert "reading 6 files" in bar and "100%" in bar, bar
    from tqdm import tqdm
    every_byte = tqdm.format_sizeof(total, divisor=1024)
    assert f"{every_byte}/{every_byte}" in bar, (total, bar)
    without = claimscope.report_files("2025", claims, **paths)
    assert capsys.readouterr().err == ""
    assert with_bar.to_json() == without.to_json()
