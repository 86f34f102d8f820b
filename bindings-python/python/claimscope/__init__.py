"""claimscope: cost analytics for self-funded employer health plans.

The same engine as the `claimscope` CLI (Rust, Arrow, DataFusion): money is
exact (``decimal.Decimal``), reports are byte-identical to the CLI's JSON.

>>> import claimscope
>>> ds = claimscope.Dataset()
>>> ds.load("claims", "claims.csv")                # a path, bytes, or any Arrow table
>>> report = ds.report("ACME", "2025-Q1")
>>> report.summary.loss_ratio                       # Decimal('0.9732')
>>> report.to_pandas("monthly")
>>> result = claimscope.reconcile("expected.csv", "received.csv", preset="stop-loss")
>>> result.summary.match_rate_left
"""
from __future__ import annotations

import contextlib
import json
import os
import threading
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, List, Mapping, Optional, Sequence, Union

from . import _claimscope
from ._claimscope import (
    ArgumentError,
    ClaimscopeError,
    DatabaseError,
    EngineError,
    InputError,
    IoError,
    MappingError,
    PeriodError,
)

__version__ = _claimscope.__version__
TABLES = ("claims", "budgets", "enrollments", "admin_fees", "rebates", "stop_loss_reimbursements")
REPORT_TABLES = tuple(_claimscope.TABLE_NAMES)
#: The report options' defaults, as the engine defines them (one place for every door).
REPORT_DEFAULTS = json.loads(_claimscope.REPORT_DEFAULTS_JSON)
#: Whether this build has Ballista's client (``Dataset.on_cluster``).
CLUSTER = bool(_claimscope.CLUSTER)

__all__ = [
    "Dataset", "Report", "LoadSummary", "report_files", "export_files", "CLUSTER", "RowError", "Record", "suggest_mapping", "reconcile", "Reconciliation",
    "ClaimscopeError", "InputError", "MappingError", "PeriodError", "ArgumentError", "EngineError", "IoError",
    "DatabaseError", "PostgresLoad",
    "TABLES", "REPORT_TABLES", "REPORT_DEFAULTS",
]


@dataclass(frozen=True)
class RowError:
    """One rejected record: record number, physical line, column, value, reason."""

    record: int
    line: int
    column: str
    value: str
    reason: str
    key: Optional[str] = None
    """The row's primary key when it came from a database table (``claims.claim_id 5f0c...``)."""


@dataclass(frozen=True)
class LoadSummary:
    """What a load did. ``records_read == records_accepted + records_rejected + records_moved``."""

    table: str
    source: str
    sha256: str
    records_read: int
    records_accepted: int
    records_rejected: int
    records_moved: int
    encoding: str
    delimiter: str
    errors: List[RowError]
    warnings: List[str]

    @staticmethod
    def _from_json(text: str) -> "LoadSummary":
        d = json.loads(text)
        d["errors"] = [RowError(**e) for e in d["errors"]]
        return LoadSummary(**d)


@dataclass(frozen=True)
class PostgresLoad:
    """What ``Dataset.load_postgres`` read: a summary a host table, and the uploads whose rows it read."""

    summaries: List[LoadSummary]
    uploads: List[str]


class Record:
    """A JSON object of the report with attribute access (``report.summary.gross_pmpm``)."""

    def __init__(self, data: Mapping[str, Any]):
        self._data = dict(data)

    def __getattr__(self, name: str) -> Any:
        try:
            return _wrap(self._data[name])
        except KeyError:
            raise AttributeError(name) from None

    def __getitem__(self, name: str) -> Any:
        return _wrap(self._data[name])

    def keys(self):
        return self._data.keys()

    def to_dict(self) -> dict:
        return dict(self._data)

    def __repr__(self) -> str:
        return "Record(%r)" % (self._data,)


def _wrap(value: Any) -> Any:
    if isinstance(value, dict):
        return Record(value)
    if isinstance(value, list):
        return [_wrap(v) for v in value]
    return value


def _pyarrow():
    import pyarrow
    return pyarrow


class _Document:
    """A JSON document of the engine: attributes follow its keys; money and
    ratios are ``decimal.Decimal`` with the JSON's exact digits."""

    def __init__(self, json_text: str):
        self._json = json_text
        self._data = json.loads(json_text, parse_float=Decimal)

    def to_json(self) -> str:
        """The JSON document, byte-identical to the CLI's ``--format json``."""
        return self._json

    def __getattr__(self, name: str) -> Any:
        try:
            return _wrap(self.__dict__["_data"][name])
        except KeyError:
            raise AttributeError(name) from None

    def to_dict(self) -> dict:
        return json.loads(self._json, parse_float=Decimal)


class Report(_Document):
    """A report document (interfaces.md)."""

    def __init__(self, inner: Any):
        self._inner = inner
        #: Each file's LoadSummary when the report came from ``report_files``.
        self.load_summaries: List[LoadSummary] = []
        super().__init__(inner.to_json())

    def to_html(self, paper: str = "letter", run_date: Optional[str] = None) -> str:
        """The printed report as one self-contained HTML file (inline SVG
        charts, no network), two pages of ``paper`` (``"letter"`` or ``"a4"``)."""
        return self._inner.to_html(paper, run_date)

    def to_pdf(self, paper: str = "letter", run_date: Optional[str] = None) -> bytes:
        """The printed report as a 2-page PDF (vector charts, embedded font).
        The same inputs give the same bytes; ``run_date`` is printed only if given."""
        return self._inner.to_pdf(paper, run_date)

    def to_arrow(self, table: str = "monthly"):
        """One of the report's tables (``REPORT_TABLES``) as a pyarrow Table (Decimal128 money)."""
        return _pyarrow().table(self._inner.table(table))

    def to_polars(self, table: str = "monthly"):
        import polars
        return polars.from_arrow(self.to_arrow(table))

    def to_pandas(self, table: str = "monthly"):
        return self.to_arrow(table).to_pandas()

    def __repr__(self) -> str:
        return "Report(client_id=%r, period=%r)" % (self._data["client_id"], self._data["period"]["label"])


def _json_document(doc: Union[None, str, os.PathLike, Mapping[str, Any]]) -> Optional[str]:
    """A mapping profile or reconciliation rules given as a dict, JSON text or a path, as JSON text."""
    if doc is None:
        return None
    if isinstance(doc, Mapping):
        return json.dumps(doc)
    text = os.fspath(doc)
    if text.lstrip().startswith("{"):
        return text
    with open(text, encoding="utf-8") as f:
        return f.read()


def _arrow_source(source: Any) -> Any:
    """An object offering ``__arrow_c_stream__`` for any Arrow-compatible
    table (pyarrow, polars, pandas); the engine reads it without copying."""
    if hasattr(source, "__arrow_c_stream__"):
        return source
    pa = _pyarrow()
    module = type(source).__module__ or ""
    if module.startswith("pandas"):
        return pa.Table.from_pandas(source, preserve_index=False)
    if hasattr(source, "__arrow_c_array__"):
        return pa.table(source)
    if hasattr(source, "to_arrow"):
        return source.to_arrow()
    raise ArgumentError("source must be a path, bytes, or an Arrow-compatible table (pyarrow, polars, pandas); got %s" % type(source).__name__)


def _contract_object(contract):
    """A contract given as a dict, JSON text or a path, as a JSON-ready value."""
    if isinstance(contract, dict):
        return contract
    text = str(contract) if isinstance(contract, str) else None
    if text is None or not text.lstrip().startswith("{"):
        with open(os.fspath(contract), encoding="utf-8") as f:
            text = f.read()
    return json.loads(text, parse_float=Decimal, parse_int=Decimal)


def _report_options(
    basis: Optional[str] = None,
    hcc_threshold: Union[str, int, Decimal, None] = None,
    top_n: Optional[int] = None,
    *,
    specific_deductible: Union[str, int, Decimal, None] = None,
    stop_loss_contract: Union[dict, str, "os.PathLike[str]", None] = None,
    eligibility_counting: Optional[str] = None,
    pseudonymize_key: Optional[str] = None,
    min_cell: Union[int, bool, None] = None,
    employer_facing: bool = False,
    completion: Union[bool, dict, None] = None,
    project_year: bool = False,
) -> str:
    """The report options as the engine's JSON (None: the engine's default)."""
    options: dict = {}
    if basis is not None:
        options["basis"] = basis
    if hcc_threshold is not None:
        options["hcc_threshold"] = str(hcc_threshold)
    if top_n is not None:
        options["top_n"] = top_n
    if specific_deductible is not None:
        options["specific_deductible"] = str(specific_deductible)
    if stop_loss_contract is not None:
        options["stop_loss_contract"] = _contract_object(stop_loss_contract)
    if eligibility_counting is not None:
        options["eligibility_counting"] = eligibility_counting
    if pseudonymize_key is not None:
        options["pseudonymize_key"] = pseudonymize_key
    if min_cell is not None and min_cell is not False:
        options["min_cell"] = min_cell
    if employer_facing:
        options["employer_facing"] = True
    if completion is not None and completion is not False:
        options["completion"] = completion
    if project_year:
        options["project_year"] = True
    return json.dumps(options, default=str)


class Dataset:
    """The canonical tables of one or many clients, ready to report on."""

    def __init__(self) -> None:
        self._inner = _claimscope._Dataset()

    @classmethod
    def demo(cls) -> "Dataset":
        """A Dataset holding the bundled sample plan (the CLI's ``--demo``)."""
        ds = cls()
        ds._inner.load_demo()
        return ds

    @classmethod
    def on_cluster(cls, url: str, folder: Union[str, "os.PathLike[str]"]) -> "Dataset":
        """A Dataset whose report queries run on the Apache DataFusion Ballista
        cluster at ``url`` (``df://host:port``) over an export folder
        (``export_files`` / ``export_parquet_dir``), which every executor reads
        at the same path. The files are checked against the folder's manifest
        first. Needs a build with the ``cluster`` feature (``CLUSTER``)."""
        ds = cls.__new__(cls)
        ds._inner = _claimscope._Dataset.on_cluster(url, os.fspath(folder))
        return ds

    def load_parquet_dir(self, folder: Union[str, "os.PathLike[str]"], lenient: bool = False) -> List[LoadSummary]:
        """Load an export folder (hive-style Parquet partitions and ``export.json``),
        each file checked as any load is; a partition missing or added raises IoError."""
        return [LoadSummary._from_json(s) for s in self._inner.load_parquet_dir(os.fspath(folder), lenient)]

    def export_parquet_dir(self, folder: Union[str, "os.PathLike[str]"]) -> dict:
        """Write the tables as an export folder (absent or empty): Parquet
        partitioned by client and month, money Decimal128(18, 2), with
        ``export.json``. Returns the tables' rows and the files written."""
        return json.loads(self._inner.export_parquet_dir(os.fspath(folder)))

    def load(
        self,
        table: str,
        source: Any,
        mapping: Union[None, str, os.PathLike, Mapping[str, Any]] = None,
        lenient: bool = False,
        client_id: Optional[str] = None,
        name: Optional[str] = None,
        progress: bool = False,
    ) -> LoadSummary:
        """Load ``source`` into a canonical table and return its LoadSummary.

        ``source``: a path (CSV, ``.parquet``, ``.arrow``), CSV bytes, or any
        Arrow-compatible table. ``mapping``: a profile (dict, JSON text or
        path). Strict mode raises InputError with ``.errors``; ``lenient=True``
        loads the good rows and returns the rejects in the summary.
        ``name`` is the source name used in lineage (defaults to the path,
        or the table name). ``progress=True`` shows a tqdm bar of the bytes
        read of a path (needs tqdm).
        """
        m = _json_document(mapping)
        if isinstance(source, (str, os.PathLike)):
            with _reading_bar([os.fspath(source)], progress):
                text = self._inner.load_path(table, os.fspath(source), m, lenient, client_id)
        elif isinstance(source, (bytes, bytearray, memoryview)):
            text = self._inner.load_bytes(table, name or table, bytes(source), m, lenient, client_id)
        else:
            text = self._inner.load_arrow(table, name or table, _arrow_source(source), m, lenient, client_id)
        return LoadSummary._from_json(text)

    def load_postgres(self, url: str, client_id: str, lenient: bool = False) -> PostgresLoad:
        """Read one client's rows from the host application's PostgreSQL (the tables of
        ``seed-postgres-schema.sql``) into this Dataset, in one read-only snapshot.

        ``url``: ``postgresql://user:password@host:port/database`` or libpq's
        ``host=... user=... dbname=...``. ``client_id`` is the client's UUID; only its
        rows are read. Bad rows raise InputError naming table, key, column, value
        and reason (``lenient=True`` keeps the good ones); a failing server raises
        DatabaseError. Returns the load summaries and the uploads read
        (docs/postgres.md).
        """
        d = json.loads(self._inner.load_postgres(url, client_id, lenient))
        summaries = [LoadSummary._from_json(json.dumps(s)) for s in d["summaries"]]
        return PostgresLoad(summaries=summaries, uploads=list(d["uploads"]))

    def report(
        self,
        client: Optional[str],
        period: str,
        basis: Optional[str] = None,
        hcc_threshold: Union[str, int, Decimal, None] = None,
        top_n: Optional[int] = None,
        *,
        specific_deductible: Union[str, int, Decimal, None] = None,
        stop_loss_contract: Union[dict, str, "os.PathLike[str]", None] = None,
        eligibility_counting: Optional[str] = None,
        pseudonymize_key: Optional[str] = None,
        min_cell: Union[int, bool, None] = None,
        employer_facing: bool = False,
        completion: Union[bool, dict, None] = None,
        project_year: bool = False,
    ) -> Report:
        """The report of one client for one period (``2025-Q1``, ``2025-YTD``, ``R12-2025-06``, ...).

        ``stop_loss_contract`` is the contract as a dict, JSON text or a path to
        a JSON file; ``eligibility_counting`` is ``any_day`` (default),
        ``first_of_month`` or ``mid_month``; ``pseudonymize_key`` replaces
        claimant ids by HMAC-SHA256 pseudonyms (the key is never written);
        ``min_cell`` (``True`` = 11) suppresses small breakdown groups;
        ``employer_facing`` shows high-cost claimants' chapter only;
        ``completion`` (``True`` or ``{"as_of": "2025-10-31",
        "completion_months": 12, "projection_months": 2, "trend": "0.06",
        "blend": False, "tail": "1"}``) adds the completion section (lag
        triangle, chain-ladder factors, IBNR, Mack's standard error) and
        ``project_year`` the year-end projection (docs/completion.md). An option
        left as None takes the engine's default (``claimscope.REPORT_DEFAULTS``).
        """
        options = _report_options(
            basis, hcc_threshold, top_n, specific_deductible=specific_deductible,
            stop_loss_contract=stop_loss_contract, eligibility_counting=eligibility_counting,
            pseudonymize_key=pseudonymize_key, min_cell=min_cell, employer_facing=employer_facing,
            completion=completion, project_year=project_year)
        return Report(self._inner.report(client, period, options))

    def sql(self, query: str):
        """DataFusion SQL over the canonical tables; returns a pyarrow Table."""
        return _pyarrow().table(self._inner.sql(query))

    def clients(self) -> List[str]:
        return self._inner.clients()


@contextlib.contextmanager
def _reading_bar(paths: Sequence[str], enabled: bool):
    """A tqdm bar (tqdm.auto: a widget in notebooks, text in a terminal) of
    the bytes read of ``paths`` while the body runs, with rate and time left."""
    if not enabled:
        yield
        return
    try:
        from tqdm.auto import tqdm
    except ImportError as e:
        raise ImportError("progress=True draws its bar with tqdm: pip install tqdm") from e
    watch = _claimscope._FileProgress(list(paths))
    bar = tqdm(total=watch.total(), unit="B", unit_scale=True, unit_divisor=1024,
               desc=f"reading {len(paths)} file{'' if len(paths) == 1 else 's'}")
    done = threading.Event()

    def follow() -> None:
        while not done.wait(0.1):
            bar.update(watch.read() - bar.n)

    follower = threading.Thread(target=follow, daemon=True)
    follower.start()
    try:
        yield
    finally:
        done.set()
        follower.join()
        bar.update(watch.read() - bar.n)
        bar.close()


def _plan_paths(claims, *others):
    """The claims paths as a list and the other tables' paths (None where absent), as text."""
    paths = [claims] if isinstance(claims, (str, os.PathLike)) else list(claims)
    return [os.fspath(p) for p in paths], [None if p is None else os.fspath(p) for p in others]


def report_files(
    period: str,
    claims: Union[str, "os.PathLike[str]", Sequence[Union[str, "os.PathLike[str]"]]],
    *,
    budgets: Union[str, "os.PathLike[str]", None] = None,
    enrollment: Union[str, "os.PathLike[str]", None] = None,
    admin_fees: Union[str, "os.PathLike[str]", None] = None,
    rebates: Union[str, "os.PathLike[str]", None] = None,
    stop_loss: Union[str, "os.PathLike[str]", None] = None,
    eligibility: Union[str, "os.PathLike[str]", None] = None,
    client: Optional[str] = None,
    mappings: Sequence[Union[str, os.PathLike, Mapping[str, Any]]] = (),
    lenient: bool = False,
    progress: bool = False,
    **options: Any,
) -> Report:
    """The report of files read once, as the CLI's ``report`` makes it: claims
    CSV files are folded into the report while they are read and never kept
    whole (memory grows with claimants, not claim lines), unless
    ``completion`` or ``stop_loss_contract`` needs the claims table. The
    keyword ``options`` are ``Dataset.report``'s; each profile of
    ``mappings`` names its table. The report's ``load_summaries`` hold each
    file's LoadSummary (rejects in lenient mode, warnings). ``progress=True``
    shows a tqdm bar of the bytes read (needs tqdm)."""
    paths, others = _plan_paths(claims, budgets, enrollment, admin_fees, rebates, stop_loss, eligibility)
    with _reading_bar(paths + [p for p in others if p is not None], progress):
        inner, summaries = _claimscope.report_files(
            period, paths, *others,
            client, _report_options(**options), [_json_document(m) for m in mappings], lenient)
    report = Report(inner)
    report.load_summaries = [LoadSummary._from_json(s) for s in summaries]
    return report


def export_files(
    folder: Union[str, "os.PathLike[str]"],
    claims: Union[str, "os.PathLike[str]", Sequence[Union[str, "os.PathLike[str]"]]],
    *,
    budgets: Union[str, "os.PathLike[str]", None] = None,
    enrollment: Union[str, "os.PathLike[str]", None] = None,
    admin_fees: Union[str, "os.PathLike[str]", None] = None,
    rebates: Union[str, "os.PathLike[str]", None] = None,
    stop_loss: Union[str, "os.PathLike[str]", None] = None,
    eligibility: Union[str, "os.PathLike[str]", None] = None,
    client: Optional[str] = None,
    mappings: Sequence[Union[str, os.PathLike, Mapping[str, Any]]] = (),
    lenient: bool = False,
) -> dict:
    """Write files to an export folder as the CLI's ``export --parquet`` does:
    claims go to their client/month partitions while they are read (memory
    holds a few blocks, not the table). Returns the export's summary with the
    loads' summaries under ``"load_summaries"``."""
    paths, others = _plan_paths(claims, budgets, enrollment, admin_fees, rebates, stop_loss, eligibility)
    export, summaries = _claimscope.export_files(
        os.fspath(folder), paths, *others,
        client, [_json_document(m) for m in mappings], lenient)
    result = json.loads(export)
    result["load_summaries"] = [LoadSummary._from_json(s) for s in summaries]
    return result


def suggest_mapping(headers: Sequence[str], sample_rows: Sequence[Sequence[str]] = (), table: Optional[str] = None) -> dict:
    """Propose a mapping profile from a carrier export's headers and sample
    rows, with a confidence per column and ``needs_decision`` lines."""
    return json.loads(_claimscope.suggest_mapping(list(headers), [list(r) for r in sample_rows], table))


class Reconciliation(_Document):
    """A reconciliation (reconciliation.md): ``summary``, ``matched``,
    ``unmatched_left``, ``unmatched_right`` and the ``left`` / ``right`` load
    summaries as attributes."""

    def __init__(self, inner: Any):
        self._inner = inner
        super().__init__(inner.render("json"))

    def to_csv(self) -> str:
        """One line per matched pair, unmatched row and rejected row, with its reason."""
        return self._inner.render("csv")

    def to_table(self) -> str:
        """The summary, by month, and every unmatched row with its reason, as text."""
        return self._inner.render("table")

    def to_pandas(self):
        """The CSV form as a pandas DataFrame (amounts as text, to keep their digits)."""
        import io
        import pandas
        return pandas.read_csv(io.StringIO(self.to_csv()), dtype=str, keep_default_na=False)

    def __repr__(self) -> str:
        s = self._data["summary"]
        return "Reconciliation(matched=%d, unmatched_left=%d, unmatched_right=%d)" % (s["matched"], s["unmatched_left"], s["unmatched_right"])


def _reconcile_input(source: Any, default_name: str):
    """(name, bytes) of a path or of CSV bytes."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        return default_name, bytes(source)
    path = os.fspath(source)
    with open(path, "rb") as f:
        return path, f.read()


def reconcile(
    left: Union[str, os.PathLike, bytes],
    right: Union[str, os.PathLike, bytes],
    *,
    rules: Union[None, str, os.PathLike, Mapping[str, Any]] = None,
    preset: Optional[str] = None,
    mapping: Union[None, str, os.PathLike, Mapping[str, Any]] = None,
    lenient: bool = False,
) -> Reconciliation:
    """Match what was expected (``left``) against what arrived (``right``).

    ``left`` / ``right``: CSV paths or bytes. Give ``rules`` (a dict, JSON
    text or a path) or a ``preset`` (``stop-loss``, ``rebates``,
    ``admin-invoice``, ``pos-rewards``). ``mapping`` renames headers:
    ``{"left": {"Sale Date": "date"}, "right": {...}}``. ``lenient`` lists
    unreadable rows as rejected instead of raising ``InputError``."""
    left_name, left_bytes = _reconcile_input(left, "left.csv")
    right_name, right_bytes = _reconcile_input(right, "right.csv")
    inner = _claimscope.reconcile(
        left_name, left_bytes, right_name, right_bytes, _json_document(rules), preset, _json_document(mapping), lenient
    )
    return Reconciliation(inner)
