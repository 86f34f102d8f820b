"""Splink (Fellegi-Sunter, EM, DuckDB) on FEBRL4, link-only, with the
standard configuration the issue names; one-to-one best first like
claimscope. Prints wall seconds, matched pairs and precision / recall / F1.

usage: splink_febrl4.py DATASET4A.csv DATASET4B.csv
"""

import sys
import time

import pandas as pd
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on


def read(path):
    df = pd.read_csv(path, dtype=str, skipinitialspace=True).fillna("")
    df.columns = [c.strip() for c in df.columns]
    df = df.apply(lambda s: s.str.strip())
    return df.replace("", None)


def main(a_path, b_path):
    started = time.perf_counter()
    a, b = read(a_path), read(b_path)
    settings = SettingsCreator(
        link_type="link_only",
        unique_id_column_name="rec_id",
        comparisons=[
            cl.NameComparison("given_name").configure(term_frequency_adjustments=True),
            cl.NameComparison("surname").configure(term_frequency_adjustments=True),
            cl.DateOfBirthComparison("date_of_birth", input_is_string=True, datetime_format="%Y%m%d"),
            cl.DamerauLevenshteinAtThresholds("soc_sec_id", [1, 2]),
            cl.ExactMatch("street_number").configure(term_frequency_adjustments=True),
            cl.ExactMatch("postcode").configure(term_frequency_adjustments=True),
            cl.JaroWinklerAtThresholds("address_1", [0.9, 0.7]),
            cl.JaroWinklerAtThresholds("suburb", [0.9, 0.7]),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("given_name"),
            block_on("surname"),
            block_on("date_of_birth"),
            block_on("soc_sec_id"),
            block_on("postcode"),
            block_on("address_1"),
        ],
    )
    db = DuckDBAPI()
    frames = [db.register(a, dataset_display_name="a"), db.register(b, dataset_display_name="b")]
    linker = Linker(frames, settings, log_level=30)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("given_name", "surname"), block_on("date_of_birth")], recall=0.8
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("given_name", "surname"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("date_of_birth"))
    pairs = linker.inference.predict(threshold_match_probability=0.9).as_pandas_dataframe()
    pairs = pairs.sort_values(["match_weight", "rec_id_l", "rec_id_r"], ascending=[False, True, True])
    left_taken, right_taken, chosen = set(), set(), []
    for l, r in zip(pairs["rec_id_l"], pairs["rec_id_r"]):
        if l not in left_taken and r not in right_taken:
            left_taken.add(l)
            right_taken.add(r)
            chosen.append((l, r))
    seconds = time.perf_counter() - started
    number = lambda rec: rec.split("-")[1]
    correct = sum(1 for l, r in chosen if number(l) == number(r))
    true_pairs = len(set(map(number, a["rec_id"])) & set(map(number, b["rec_id"])))
    precision = correct / len(chosen) if chosen else 0.0
    recall = correct / true_pairs
    f1 = 2 * precision * recall / (precision + recall) if correct else 0.0
    print(f"splink {seconds:.2f} s: {len(chosen)} matched, {correct} correct, {true_pairs} true pairs; "
          f"precision {precision:.4f} recall {recall:.4f} F1 {f1:.4f}")


if __name__ == "__main__":
    main(*sys.argv[1:3])
