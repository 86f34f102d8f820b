"""The bad-input catalogue (tests/bad-inputs/*.json) through the Python
door: the same rejections, with the record, line, column, value and reason
as the CLI prints them, and the error class of the CLI's exit code."""
import json
import os

import pytest

import claimscope

CASES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "bad-inputs")
# The CLI's exit codes and the exception classes that mean the same.
CLASSES = {2: (claimscope.PeriodError, claimscope.ArgumentError), 3: (claimscope.InputError, claimscope.MappingError)}


def cases():
    for name in sorted(os.listdir(CASES)):
        if name.endswith(".json"):
            with open(os.path.join(CASES, name), encoding="utf-8") as f:
                yield json.load(f)


def file_bytes(text):
    if text.startswith("UTF16LE:"):
        return text[len("UTF16LE:"):].encode("utf-16-le")
    return text.encode("utf-8")


def error_text(e):
    rows = ["record %d (line %d), column %s: '%s' %s" % (r["record"], r["line"], r["column"], r["value"], r["reason"])
            for r in getattr(e, "errors", [])]
    return "\n".join([str(e)] + rows)


def attempt(case):
    if case["kind"] == "file":
        ds = claimscope.Dataset()
        ds.load(case["table"], file_bytes(case["file"]), mapping=case["profile"], name=case["name"] + ".csv")
    elif case["kind"] == "period":
        claimscope.Dataset.demo().report(None, case["label"])
    else:
        claimscope.Dataset.demo().report(None, "2025", stop_loss_contract=case["contract"])


@pytest.mark.parametrize("case", list(cases()), ids=lambda c: c["name"])
def test_bad_input(case):
    expect = case["expect"]
    if expect["exit"] == 0:
        attempt(case)
        return
    with pytest.raises(CLASSES[expect["exit"]]) as caught:
        attempt(case)
    assert expect["error"] in error_text(caught.value)


def test_the_catalogue_has_at_least_60_cases():
    assert len(list(cases())) >= 60
