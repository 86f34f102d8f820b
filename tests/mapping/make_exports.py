"""Writes three carrier-style exports of the bundled sample plan
(core/data/sample), each with its own header vocabulary and date and
amount forms, for the `mapping suggest DIR` test: the same plan, so a report
on an export through the suggested profiles must equal the report on the
sample itself.

  python3 tests/mapping/make_exports.py     (rewrites tests/mapping/carrier-*)
"""

import csv
import datetime
import io
import os

HERE = os.path.dirname(os.path.abspath(__file__))
SAMPLE = os.path.join(HERE, "..", "..", "core", "data", "sample")


def read(name):
    with open(os.path.join(SAMPLE, name), newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def day(iso):
    return datetime.date.fromisoformat(iso)


def write(folder, name, header, rows, delimiter=","):
    os.makedirs(os.path.join(HERE, folder), exist_ok=True)
    out = io.StringIO()
    w = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    w.writerow(header)
    w.writerows(rows)
    with open(os.path.join(HERE, folder, name), "w", newline="", encoding="utf-8") as f:
        f.write(out.getvalue())


def dollars(text):
    """1234.5 -> "$1,234.50", negatives in parentheses."""
    cents = round(float(text) * 100)
    body = f"${abs(cents) // 100:,}.{abs(cents) % 100:02d}"
    return f"({body})" if cents < 0 else body


claims, budgets, enrollment = read("claims.csv"), read("budgets.csv"), read("enrollment.csv")
fees, rebates, stop_loss = read("admin_fees.csv"), read("rebates.csv"), read("stop_loss.csv")
CODES = {"medical": "MED", "pharmacy": "RX"}

# Carrier A: month-first slash dates (the first rows fit both orders), one
# amount column with MED/RX types, "Rebate Amt", "Reimbursement" and
# "Diagnosis (Plain Language)".
us = lambda iso: day(iso).strftime("%m/%d/%Y")
write("carrier-a", "Claims Detail.csv",
      ["Group Number", "Claim Number", "Member ID", "Incurred Date", "Paid Date", "Type", "Service",
       "Svc Category", "Dx Code", "Dx Description", "Diagnosis (Plain Language)", "Paid Amt"],
      [[c["client_id"], c["claim_id"], c["claimant_id"], us(c["claim_date"]), us(c["paid_date"]),
        CODES[c["claim_type"]], c["service_type"], c["service_category"], c["icd_code"], c["medical_desc"],
        c["layman_term"], c["total_amount"]] for c in claims])
write("carrier-a", "Budget.csv", ["Group Number", "Plan Year", "Month", "Medical Budget", "Rx Budget",
                                  "Admin Budget", "Total Budget"],
      [[b["client_id"], b["year"], b["month"], b["budget_medical"], b["budget_pharmacy"], b["budget_admin"],
        b["total_budget"]] for b in budgets])
write("carrier-a", "Enrollment.csv", ["Group Number", "Year", "Month", "Members", "Subscribers"],
      [[e["client_id"], e["year"], e["month"], e["member_count"], e["employee_count"]] for e in enrollment])
write("carrier-a", "Admin Fees.csv", ["Group Number", "Year", "Month", "Fee Amount", "Fee Type"],
      [[f["client_id"], f["year"], f["month"], f["amount"], f["fee_type"]] for f in fees])
write("carrier-a", "Rebates.csv", ["Group Number", "Rebate Period", "Rebate Amt", "Rebate Type"],
      [[r["client_id"], r["period"], r["amount"], {"pharmacy": "Rx", "medical": "Medical", "admin": "Admin"}[r["rebate_type"]]]
       for r in rebates])
write("carrier-a", "Stop Loss.csv", ["Group Number", "Claim Number", "Member ID", "Reimbursement", "Check Date",
                                     "Carrier"],
      [[s["client_id"], s["claim_id"], s["claimant_id"], s["amount"], us(s["paid_date"]), s["carrier"]]
       for s in stop_loss])

# Carrier B: day-first dates, dollar-formatted amounts in separate medical
# and pharmacy columns, a tab-separated claims file.
eu = lambda iso: day(iso).strftime("%d/%m/%Y")
write("carrier-b", "claims_export.tsv",
      ["Employer ID", "Claim #", "Patient ID", "Date of Service", "Date Paid", "Benefit Type",
       "Service Description", "Category", "ICD-10", "Diagnosis Description", "Plain Language Diagnosis",
       "Medical Paid", "Rx Paid"],
      [[c["client_id"], c["claim_id"], c["claimant_id"], eu(c["claim_date"]), eu(c["paid_date"]),
        {"medical": "Medical", "pharmacy": "Pharmacy"}[c["claim_type"]], c["service_type"],
        c["service_category"], c["icd_code"], c["medical_desc"], c["layman_term"],
        dollars(c["medical_amount"]), dollars(c["pharmacy_amount"])] for c in claims], delimiter="\t")
write("carrier-b", "budget_export.csv", ["Employer ID", "Yr", "Mo", "Med Budget", "Pharmacy Budget",
                                         "Admin Budget", "Budget Total"],
      [[b["client_id"], b["year"], b["month"], dollars(b["budget_medical"]), dollars(b["budget_pharmacy"]),
        dollars(b["budget_admin"]), dollars(b["total_budget"])] for b in budgets])
write("carrier-b", "lives_export.csv", ["Employer ID", "Yr", "Mo", "Lives", "Employees"],
      [[e["client_id"], e["year"], e["month"], e["member_count"], e["employee_count"]] for e in enrollment])
write("carrier-b", "fees_export.csv", ["Employer ID", "Yr", "Mo", "Amount Billed", "Fee Description"],
      [[f["client_id"], f["year"], f["month"], dollars(f["amount"]), f["fee_type"]] for f in fees])
write("carrier-b", "rebate_export.csv", ["Employer ID", "Quarter", "Check Amount", "Rebate Source"],
      [[r["client_id"], r["period"], dollars(r["amount"]), {"pharmacy": "Pharmacy", "medical": "Med", "admin": "ADM"}[r["rebate_type"]]]
       for r in rebates])
write("carrier-b", "stoploss_export.csv", ["Employer ID", "Claim #", "Patient ID", "Check Amount", "Check Date",
                                           "Insurer"],
      [[s["client_id"], s["claim_id"], s["claimant_id"], dollars(s["amount"]), eu(s["paid_date"]), s["carrier"]]
       for s in stop_loss])

# Carrier C: compact yyyymmdd dates, M/P types, "Net Paid", a stop-loss file
# whose "Paid" column is the amount beside a "Paid Date".
compact = lambda iso: day(iso).strftime("%Y%m%d")
write("carrier-c", "MEDRX_CLAIMS.csv",
      ["Account ID", "Claim Nbr", "Unique ID", "DOS", "Process Date", "Med/Rx", "Place of Service",
       "Benefit Category", "Primary Dx", "ICD Description", "Layman", "Net Paid"],
      [[c["client_id"], c["claim_id"], c["claimant_id"], compact(c["claim_date"]), compact(c["paid_date"]),
        {"medical": "M", "pharmacy": "P"}[c["claim_type"]], c["service_type"], c["service_category"],
        c["icd_code"], c["medical_desc"], c["layman_term"], c["total_amount"]] for c in claims])
write("carrier-c", "BUDGET.csv", ["Account ID", "Year", "Month", "Budget Medical", "Budget Pharmacy",
                                  "Budget Admin", "Budget"],
      [[b["client_id"], b["year"], b["month"], b["budget_medical"], b["budget_pharmacy"], b["budget_admin"],
        b["total_budget"]] for b in budgets])
write("carrier-c", "ELIGIBILITY_COUNTS.csv", ["Account ID", "Year", "Month", "Member Count", "EE Count"],
      [[e["client_id"], e["year"], e["month"], e["member_count"], e["employee_count"]] for e in enrollment])
write("carrier-c", "ADMIN.csv", ["Account ID", "Year", "Month", "Amount", "Admin Type"],
      [[f["client_id"], f["year"], f["month"], f["amount"], f["fee_type"]] for f in fees])
write("carrier-c", "REBATE.csv", ["Account ID", "Period", "Rebate Amount", "Rebate Type"],
      [[r["client_id"], r["period"], r["amount"], {"pharmacy": "RX", "medical": "MED", "admin": "ADMIN"}[r["rebate_type"]]]
       for r in rebates])
write("carrier-c", "STOPLOSS.csv", ["Account ID", "Claim Nbr", "Unique ID", "Paid", "Paid Date",
                                    "Stop Loss Carrier"],
      [[s["client_id"], s["claim_id"], s["claimant_id"], s["amount"], compact(s["paid_date"]), s["carrier"]]
       for s in stop_loss])
