"""The printed report checked with outside tools, as a reader would see it.

- poppler's pdftoppm renders the PDF as exactly 2 pages, neither blank;
- pdftotext finds the golden report's key figures (the JSON's digits; `$`
  and thousands separators are presentation, so they are normalised away);
- headless Chromium opens the self-contained HTML with the network off,
  saves a screenshot, and prints it as exactly 2 pages.

Usage: python3 tests/print/check_print.py CLAIMSCOPE_BINARY OUT_DIR
"""

import json
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile
from decimal import Decimal

ROOT = pathlib.Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "golden" / "expected"
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def run(args, **kw):
    return subprocess.run(args, check=True, capture_output=True, **kw)


def grouped(value) -> str:
    """A JSON number (read as Decimal, so its digits are kept) with thousands separators."""
    return format(Decimal(str(value)) if not isinstance(value, Decimal) else value, ",")


def key_figures(report) -> list:
    s = report["summary"]
    figures = [grouped(s[k]) for k in ("gross_claims", "net_claims", "total_cost", "total_budget", "variance",
                                       "total_cost_pmpm", "total_cost_pepm", "admin_fees", "rebates",
                                       "stop_loss_reimbursements") if s[k] is not None]
    figures += [str(s[k]) for k in ("loss_ratio", "claims_loss_ratio", "trend_total_cost_pmpm") if s[k] is not None]
    for m in report["monthly"]:
        figures += [grouped(m["total_cost"]), grouped(m["medical_claims"])]
    for c in report["high_cost_claimants"]["claimants"]:
        figures += [c["claimant_id"], grouped(c["total"])]
    for c in report["concentration"]:
        if c["share"] is not None:
            figures.append(str(c["share"]))
    figures += [l["sha256"] for l in report["lineage"]]
    return figures


def pages_not_blank(pdf: pathlib.Path, work: pathlib.Path) -> int:
    prefix = work / "page"
    run(["pdftoppm", "-r", "40", "-gray", str(pdf), str(prefix)])
    pages = sorted(work.glob("page*.pgm"))
    for p in pages:
        data = p.read_bytes()
        # P5 header: magic, width, height, maxval, then one byte a pixel.
        header = re.match(rb"P5\s+(\d+)\s+(\d+)\s+(\d+)\s", data)
        assert header, f"{p}: not a PGM"
        pixels = data[header.end():]
        inked = sum(1 for b in pixels if b < 200)
        share = inked / max(1, len(pixels))
        assert share > 0.02, f"{pdf.name} {p.name}: only {share:.3%} of the page is inked"
    return len(pages)


FLAGS = {"claims": "--claims", "budgets": "--budgets", "admin_fees": "--admin-fees", "rebates": "--rebates",
         "stop_loss_reimbursements": "--stop-loss"}
CASES_DIR = ROOT / "tests" / "golden" / "cases"


def case_args(name: str, work: pathlib.Path) -> list:
    """The CLI arguments of a golden case's manifest: its files and options."""
    case = json.loads((CASES_DIR / f"{name}.json").read_text())
    args = []
    for f in case["files"]:
        path = (CASES_DIR / f["path"]).resolve()
        # Enrollment rows and eligibility spans both load into enrollments.
        flag = FLAGS.get(f["table"]) or ("--eligibility" if path.name == "eligibility.csv" else "--enrollment")
        args += [flag, str(path)]
    o = case["options"]
    args += ["--client", case["client"], "--period", case["period"], "--basis", o["basis"],
             "--hcc-threshold", o["hcc_threshold"], "--top-n", str(o["top_n"]),
             "--eligibility-counting", o["eligibility_counting"]]
    if o["min_cell"] is True:
        args += ["--min-cell"]
    elif o["min_cell"] is not None:
        args += ["--min-cell", str(o["min_cell"])]
    if o["specific_deductible"] is not None:
        args += ["--specific-deductible", o["specific_deductible"]]
    if o["pseudonymize_key"] is not None:
        args += ["--pseudonymize-key", o["pseudonymize_key"]]
    if o["employer_facing"]:
        args += ["--employer-facing"]
    if o["stop_loss_contract"] is not None:
        contract = work / f"{name}-contract.json"
        contract.write_text(json.dumps(o["stop_loss_contract"]))
        args += ["--stop-loss-contract", str(contract)]
    return args


def check_pdf(cli: str, out: pathlib.Path, name: str, args: list, golden: str) -> None:
    pdf = out / f"{name}.pdf"
    run([cli, "report", *args, "--format", "pdf", "--out", str(pdf)])
    info = run(["pdfinfo", str(pdf)], text=True).stdout
    assert re.search(r"^Pages:\s+2$", info, re.M), f"{name}: pdfinfo says\n{info}"
    with tempfile.TemporaryDirectory() as work:
        count = pages_not_blank(pdf, pathlib.Path(work))
    assert count == 2, f"{name}: pdftoppm rendered {count} pages"
    text = run(["pdftotext", "-layout", str(pdf), "-"], text=True).stdout.replace("$", "")
    report = json.loads((GOLDEN / f"{golden}.json").read_text(), parse_float=Decimal)
    missing = [f for f in key_figures(report) if f not in text]
    assert not missing, f"{name}: pdftotext does not find {missing}"
    print(f"print: {name}.pdf has 2 non-blank pages and all {len(key_figures(report))} key figures")


def check_html(cli: str, out: pathlib.Path) -> None:
    html = out / "sample-2025.html"
    run([cli, "report", "--demo", "--period", "2025", "--format", "html", "--out", str(html)])
    doc = html.read_text()
    assert "<script src" not in doc and "<link" not in doc and "url(http" not in doc, "the HTML must not load anything"
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        sys.exit("print: chromium is not installed (Debian: apt-get install chromium); .ci/run installs it")
    with tempfile.TemporaryDirectory() as profile:
        common = [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}"]
        shot = out / "sample-2025-html.png"
        run([*common, f"--screenshot={shot}", "--window-size=900,2300", html.as_uri()], timeout=120)
        assert shot.exists() and shot.stat().st_size > 20_000, "the screenshot is missing or empty"
        printed = out / "sample-2025-html-print.pdf"
        run([*common, "--no-pdf-header-footer", f"--print-to-pdf={printed}", html.as_uri()], timeout=120)
    info = run(["pdfinfo", str(printed)], text=True).stdout
    assert re.search(r"^Pages:\s+2$", info, re.M), f"Chromium prints the HTML as\n{info}"
    print(f"print: the HTML opens in Chromium (screenshot {shot}) and prints as 2 pages")


def main() -> None:
    cli, out = sys.argv[1], pathlib.Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    # The command a consultant runs, then golden cases on both papers, with
    # a stop-loss contract and with suppressed groups.
    check_pdf(cli, out, "report", ["--demo", "--period", "2025"], "sample-2025")
    for golden, paper in [("sample-2024-11..2025-04-paid", "a4"), ("contract-2025-12-15", "letter"),
                          ("contract-2025-min-cell-default", "letter")]:
        check_pdf(cli, out, f"{golden}-{paper}", [*case_args(golden, out), "--paper", paper], golden)
    check_html(cli, out)


if __name__ == "__main__":
    main()
