"""The report's figures written the way an analyst would in pandas (float64
money, rounded to the cent at the end, as notebooks usually do).
Usage: python3 peer_pandas.py PLAN_DIR YEAR"""

import json
import sys

import pandas as pd

from figures import THRESHOLD, shape

plan, year = sys.argv[1], int(sys.argv[2])
claims = pd.read_csv(f"{plan}/claims.csv", usecols=["claimant_id", "claim_date", "service_category",
                                                    "medical_amount", "pharmacy_amount", "total_amount"],
                     dtype={"claimant_id": str, "service_category": str, "claim_date": str})
claims = claims[claims["claim_date"].str[:4] == str(year)]
claims["month"] = claims["claim_date"].str[:7]
claims["category"] = claims["service_category"].fillna("Uncategorized").replace("", "Uncategorized")
enrollment = pd.read_csv(f"{plan}/enrollment.csv")
enrollment = enrollment[enrollment["year"] == year]
members = {f"{y:04d}-{m:02d}": int(n) for (y, m), n in enrollment.groupby(["year", "month"])["member_count"].sum().items()}
agg = {"med": ("medical_amount", "sum"), "rx": ("pharmacy_amount", "sum"), "n": ("claimant_id", "size"),
       "k": ("claimant_id", "nunique")}
by_month = claims.groupby("month").agg(**agg)
monthly = [(m, r.med, r.rx, r.med + r.rx, r.n, r.k, members.get(m, 0)) for m, r in by_month.iterrows()]
med, rx = claims["medical_amount"].sum(), claims["pharmacy_amount"].sum()
summary = (med, rx, med + rx, len(claims), claims["claimant_id"].nunique(), sum(members.values()))
by_cat = claims.groupby("category").agg(med=("medical_amount", "sum"), rx=("pharmacy_amount", "sum"),
                                        tot=("total_amount", "sum"), k=("claimant_id", "nunique"), n=("claimant_id", "size"))
categories = [(c, r.med, r.rx, r.tot, r.k, r.n) for c, r in by_cat.iterrows()]
by_person = claims.groupby("claimant_id").agg(med=("medical_amount", "sum"), rx=("pharmacy_amount", "sum"),
                                              tot=("total_amount", "sum"), n=("claimant_id", "size"))
by_person = by_person[by_person["tot"].round(2) >= float(THRESHOLD)]
claimants = [(c, r.med, r.rx, r.tot, r.n) for c, r in by_person.iterrows()]
print(json.dumps(shape(summary, monthly, categories, claimants)))
