"""Splink (DuckDB) on the generated POS sales / rewards redemptions, for the
ratio to claimscope's probabilistic mode on the same files: names reduced
to sorted lower-case words and dates parsed first (Splink compares columns
as given), comparisons and blocking as in
tests/reconcile/pos-probabilistic/rules.json, one-to-one best first.
Prints wall seconds and precision / recall against truth.csv.

usage: splink_pos.py DIR [--equality-blocking | --bucket-blocking]   (DIR: generate-recon's output folder)

The date-window-and-amount-range rule is a range join, which DuckDB runs as
a nested loop: 100k x 100k did not finish in 10 minutes. Two stand-ins:
--equality-blocking: one rule per day offset -2..2 (`l.day = r.day + INTERVAL`;
  not planned as a hash join either: 20k did not finish in 10 minutes).
--bucket-blocking: 15 rules, each an equality of plain columns that DuckDB
  hash-joins: the day number against the other side's day shifted by -2..2,
  and the amount's 5% log bucket against the other side's bucket -1..+1. Every
  pair the range rule finds (amounts >= 45 here, so 0.40 + 3.5% is under 5%)
  is among them, plus some within 10%.
"""

import math
import os
import re
import sys
import time

import pandas as pd
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on


def name_key(name):
    words = [w for w in re.split(r"[^a-z0-9']+", str(name).lower()) if w and w not in ("mr", "mrs", "ms", "dr", "jr", "sr")]
    return " ".join(sorted(words))


def add_bucket_columns(frame):
    """Integer day and amount-bucket columns, shifted, so each blocking rule is a column equality."""
    day = (frame["day"] - pd.Timestamp("1970-01-01")).dt.days
    bucket = frame["amount"].map(lambda a: math.floor(math.log(a) / math.log(1.05)) if a > 0 else -1)
    for k in range(-2, 3):
        frame[f"day_{k + 2}"] = day + k
    for k in range(-1, 2):
        frame[f"amount_bucket_{k + 1}"] = bucket + k


def bucket_rules():
    """l.day = r.day + k (k -2..2) and l.bucket = r.bucket + j (j -1..1), as plain column equalities."""
    return [f"l.day_2 = r.day_{k} AND l.amount_bucket_1 = r.amount_bucket_{j}" for k in range(5) for j in range(3)]


def main(folder, blocking):
    started = time.perf_counter()
    left = pd.read_csv(os.path.join(folder, "pos_transactions.csv"), dtype=str)
    right = pd.read_csv(os.path.join(folder, "rewards_redemptions.csv"), dtype=str)
    a = pd.DataFrame({
        "unique_id": left["Transaction ID"],
        "day": pd.to_datetime(left["Date"], format="%Y-%m-%d"),
        "amount": left["Amount"].str.replace("$", "", regex=False).astype(float),
        "name": left["Customer Name"].map(name_key),
    })
    b = pd.DataFrame({
        "unique_id": right["redemption_id"],
        "day": pd.to_datetime(right["redeemed_on"], format="%m/%d/%Y"),
        "amount": right["net_amount"].astype(float),
        "name": right["member_name"].map(name_key),
    })
    if blocking == "bucket":
        add_bucket_columns(a)
        add_bucket_columns(b)
    amount = cl.CustomComparison(
        output_column_name="amount",
        comparison_levels=[
            {"sql_condition": "amount_l IS NULL OR amount_r IS NULL", "label_for_charts": "null", "is_null_level": True},
            {"sql_condition": "amount_l = amount_r", "label_for_charts": "exact"},
            {"sql_condition": "abs(amount_l - amount_r) <= 0.04 * abs(amount_l)", "label_for_charts": "within 4%"},
            {"sql_condition": "abs(amount_l - amount_r) <= 0.10 * abs(amount_l)", "label_for_charts": "within 10%"},
            {"sql_condition": "ELSE", "label_for_charts": "else"},
        ],
    )
    settings = SettingsCreator(
        link_type="link_only",
        comparisons=[
            cl.AbsoluteDateDifferenceAtThresholds("day", input_is_string=False, metrics=["day", "day", "day"], thresholds=[1, 2, 7]),
            amount,
            cl.NameComparison("name").configure(term_frequency_adjustments=True),
        ],
        blocking_rules_to_generate_predictions=(
            [f"l.day = r.day + INTERVAL ({d}) DAY" for d in range(-2, 3)]
            if blocking == "equality"
            else bucket_rules()
            if blocking == "bucket"
            else ["abs(date_diff('day', l.day, r.day)) <= 2 AND abs(l.amount - r.amount) <= 0.40 + 0.035 * abs(l.amount)"]
        )
        + [block_on("name")],
    )
    db = DuckDBAPI()
    linker = Linker([db.register(a, dataset_display_name="a"), db.register(b, dataset_display_name="b")], settings, log_level=30)
    linker.training.estimate_probability_two_random_records_match([block_on("name", "day")], recall=0.6)
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("name"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("day"))
    pairs = linker.inference.predict(threshold_match_probability=0.5).as_pandas_dataframe()
    pairs = pairs.sort_values(["match_weight", "unique_id_l", "unique_id_r"], ascending=[False, True, True])
    taken_l, taken_r, chosen = set(), set(), []
    for l, r in zip(pairs["unique_id_l"], pairs["unique_id_r"]):
        if l not in taken_l and r not in taken_r:
            taken_l.add(l)
            taken_r.add(r)
            chosen.append((l, r))
    seconds = time.perf_counter() - started
    truth = pd.read_csv(os.path.join(folder, "truth.csv"), dtype=str)
    correct_pairs = set(zip(truth["transaction_id"], truth["redemption_id"]))
    true_pairs = int((truth["kind"] == "pair").sum())
    correct = sum(1 for p in chosen if p in correct_pairs)
    pair_rows = truth["kind"] == "pair"
    true_pair_set = set(zip(truth.loc[pair_rows, "transaction_id"], truth.loc[pair_rows, "redemption_id"]))
    found_pairs = sum(1 for p in chosen if p in true_pair_set)
    print(f"splink {seconds:.2f} s: {len(chosen)} matched, {correct} correct; "
          f"precision {correct / max(len(chosen), 1):.4f} recall {found_pairs / true_pairs:.4f}")


if __name__ == "__main__":
    flags = sys.argv[2:]
    main(sys.argv[1], "equality" if "--equality-blocking" in flags else "bucket" if "--bucket-blocking" in flags else "range")
