"""An independent reference of metrics.md, written from the spec alone in
plain Python (fractions, no claimscope code), used to check the engine's
report field by field.

Usage: python3 report_ref.py DIR PERIOD [--basis paid] [--client ID] [--hcc-threshold N]
prints the reference figures as JSON. Inputs are canonical CSV files in DIR.
"""
import csv
import json
import math
import os
import sys
from collections import defaultdict
from decimal import Decimal
from fractions import Fraction

HERE = os.path.dirname(os.path.abspath(__file__))
# The spec's own table (../shared beside the repository), not the engine's copy.
CHAPTERS = json.load(open(os.path.join(HERE, "..", "..", "..", "shared", "spec", "icd10cm-chapters.json")))["chapters"]


def rnd(fr, dp):
    """Exact fraction -> string rounded half away from zero to dp decimals."""
    if fr is None:
        return None
    scaled = fr * (10 ** dp)
    sign = -1 if scaled < 0 else 1
    a = abs(scaled)
    whole = a.numerator // a.denominator
    if (a - whole) * 2 >= 1:
        whole += 1
    units = sign * whole
    s = str(abs(units)).rjust(dp + 1, "0")
    text = s[:-dp] + "." + s[-dp:]
    return ("-" if units < 0 else "") + text


def money(fr):
    return rnd(fr, 2)


def div(a, b):
    if a is None or b is None or b == 0:
        return None
    return Fraction(a) / Fraction(b)


def read(dirpath, name):
    path = os.path.join(dirpath, name)
    if not os.path.exists(path):
        return []
    with open(path, newline="", encoding="utf-8-sig") as f:
        return list(csv.DictReader(f))


def frac(s):
    return Fraction(Decimal(s.strip() or "0"))


def mi(y, m):
    return y * 12 + m - 1


def label(m):
    return "%04d-%02d" % (m // 12, m % 12 + 1)


def date_month(d):
    y, m, _ = d.split("-")
    return mi(int(y), int(m))


def chapter(code):
    if not code or len(code) < 3:
        return "Unknown"
    c = code[:3]
    if not (c[0].isupper() and c[0].isalpha() and c[1].isdigit() and (c[2].isdigit() or (c[2].isalpha() and c[2].isupper()))):
        return "Unknown"
    for ch in CHAPTERS:
        if ch["first"] <= c <= ch["last"]:
            return ch["chapter"]
    return "Unknown"


def chapter_name(ch):
    for c in CHAPTERS:
        if c["chapter"] == ch:
            return c["name"]
    return "Unknown"


def parse_period(lbl, ytd_end):
    if ".." in lbl:
        a, b = lbl.split("..")
        return mi(int(a[:4]), int(a[5:])), mi(int(b[:4]), int(b[5:]))
    if lbl.startswith("R12-"):
        last = mi(int(lbl[4:8]), int(lbl[9:]))
        return last - 11, last
    parts = lbl.split("-")
    y = int(parts[0])
    if len(parts) == 1:
        return mi(y, 1), mi(y, 12)
    if parts[1] == "YTD":
        if len(parts) == 3:
            return mi(y, 1), mi(y, int(parts[2]))
        return mi(y, 1), mi(y, ytd_end(y))
    if parts[1].startswith("Q"):
        q = int(parts[1][1])
        return mi(y, 3 * q - 2), mi(y, 3 * q)
    return mi(y, int(parts[1])), mi(y, int(parts[1]))


def norm_icd(s):
    s = (s or "").strip().replace(".", "").upper()
    return s or None


def split(cents, n):
    mag = abs(cents)
    base, left = divmod(mag, n)
    sign = -1 if cents < 0 else 1
    return [sign * (base + (1 if i < left else 0)) for i in range(n)]


def rebate_months(p):
    y = int(p[:4])
    if len(p) == 4:
        return [mi(y, m) for m in range(1, 13)]
    if p[5] == "Q":
        q = int(p[6])
        return [mi(y, 3 * q - 2 + i) for i in range(3)]
    return [mi(y, int(p[5:7]))]


def span_counts(spans, client, counting):
    """(members, employees) per month from eligibility spans, day by day."""
    import datetime
    members, employees = defaultdict(set), defaultdict(set)
    for s in spans:
        if s["client_id"] != client:
            continue
        d = datetime.date.fromisoformat(s["start_date"])
        end = datetime.date.fromisoformat(s["end_date"])
        while d <= end:
            ok = counting == "any_day" or (counting == "first_of_month" and d.day == 1) or (counting == "mid_month" and d.day == 15)
            if ok:
                m = mi(d.year, d.month)
                members[m].add(s["member_id"])
                employees[m].add(s["subscriber_id"])
            d += datetime.timedelta(days=1)
    return {m: (len(v), len(employees[m])) for m, v in members.items()}


def pseudonym(key, cid):
    import hashlib, hmac
    return hmac.new(key.encode(), cid.encode(), hashlib.sha256).hexdigest()[:12]


def reference(dirpath, period_label, basis="incurred", client=None, threshold="50000.00", top_n=10, options=None, contract=None):
    options = options or {}
    claims = read(dirpath, "claims.csv")
    budgets = read(dirpath, "budgets.csv")
    enroll = read(dirpath, "enrollment.csv")
    fees = read(dirpath, "admin_fees.csv")
    rebates = read(dirpath, "rebates.csv")
    stoploss = read(dirpath, "stop_loss.csv")
    claims = [c for c in claims if c["client_id"] == client]
    for c in claims:
        c["icd"] = norm_icd(c.get("icd_code"))
        c["paid"] = c.get("paid_date") or c["claim_date"]
        c["m"] = date_month(c["claim_date"] if basis == "incurred" else c["paid"])
        c["med"], c["rx"], c["tot"] = frac(c["medical_amount"]), frac(c["pharmacy_amount"]), frac(c["total_amount"])
        c["cat"] = c.get("service_category") or "Uncategorized"
    enr = {mi(int(e["year"]), int(e["month"])): (int(e["member_count"]), int(e["employee_count"])) for e in enroll if e["client_id"] == client}
    if not enr:
        enr = span_counts(read(dirpath, "eligibility.csv"), client, options.get("eligibility_counting", "any_day"))
    if budgets and "budget_medical_pepm" in budgets[0]:
        budget = {}
        for b in budgets:
            m = mi(int(b["year"]), int(b["month"]))
            if b["client_id"] == client and m in enr:
                rates = [frac(b[k]) for k in ("budget_medical_pepm", "budget_pharmacy_pepm", "budget_admin_pepm")]
                budget[m] = [r * enr[m][1] for r in rates] + [sum(rates) * enr[m][1]]
    else:
        budget = {mi(int(b["year"]), int(b["month"])): [frac(b[k]) for k in ("budget_medical", "budget_pharmacy", "budget_admin", "total_budget")] for b in budgets if b["client_id"] == client}
    fee = defaultdict(Fraction)
    for f in fees:
        if f["client_id"] == client:
            fee[mi(int(f["year"]), int(f["month"]))] += frac(f["amount"])
    reb = defaultdict(Fraction)
    for r in rebates:
        if r["client_id"] == client:
            ms = rebate_months(r["period"])
            for m, c in zip(ms, split(int(frac(r["amount"]) * 100), len(ms))):
                reb[m] += Fraction(c, 100)
    sl = [s for s in stoploss if s["client_id"] == client]
    slm = defaultdict(Fraction)
    for s in sl:
        slm[date_month(s["paid_date"])] += frac(s["amount"])

    def ytd_end(y):
        ms = [c["m"] for c in claims if c["m"] // 12 == y] + [m for m in enr if m // 12 == y]
        return max(ms) % 12 + 1

    first, last = parse_period(period_label, ytd_end)

    def month_fig(m):
        rows = [c for c in claims if c["m"] == m]
        med = sum((c["med"] for c in rows), Fraction(0))
        rx = sum((c["rx"] for c in rows), Fraction(0))
        gross = med + rx
        net = gross - reb[m] - slm[m]
        tc = net + fee[m]
        b = budget.get(m)
        e = enr.get(m)
        return {
            "medical_claims": med, "pharmacy_claims": rx, "gross_claims": gross, "rebates": reb[m],
            "stop_loss_reimbursements": slm[m], "net_claims": net, "admin_fees": fee[m], "total_cost": tc,
            "budget_medical": b and b[0], "budget_pharmacy": b and b[1], "budget_admin": b and b[2],
            "total_budget": b and b[3], "variance": (b[3] - tc) if b else None,
            "member_months": e and e[0], "employee_months": e and e[1],
            "claim_count": len(rows), "claimant_count": len({c["claimant_id"] for c in rows}),
        }

    def fmt_month(f):
        out = {}
        for k, v in f.items():
            if k in ("member_months", "employee_months", "claim_count", "claimant_count"):
                out[k] = v
            else:
                out[k] = money(v) if v is not None else None
        return out

    def period_figs(a, b):
        months = [month_fig(m) for m in range(a, b + 1)]
        s = {}
        for k in months[0]:
            vals = [f[k] for f in months if f[k] is not None]
            s[k] = sum(vals, Fraction(0) if k not in ("member_months", "employee_months") else 0) if vals else None
        rows = [c for c in claims if a <= c["m"] <= b]
        s["claimant_count"] = len({c["claimant_id"] for c in rows})
        s["claim_count"] = len(rows)
        with_claims = [a + i for i, f in enumerate(months) if f["claim_count"] > 0]
        miss_e = [m for m in with_claims if m not in enr]
        miss_b = [m for m in with_claims if m not in budget]
        mm = s["member_months"] if not miss_e else None
        em = s["employee_months"] if not miss_e else None
        tb = s["total_budget"] if not miss_b else None
        out = fmt_month(s)
        for x, k in (("medical", "medical_claims"), ("pharmacy", "pharmacy_claims"), ("gross", "gross_claims"), ("net", "net_claims"), ("total_cost", "total_cost")):
            out[x + "_pmpm"] = money(div(s[k], mm))
        for x, k in (("medical", "medical_claims"), ("pharmacy", "pharmacy_claims"), ("gross", "gross_claims"), ("net", "net_claims"), ("total_cost", "total_cost")):
            out[x + "_pepm"] = money(div(s[k], em))
        out["budget_pepm"] = money(div(tb, em))
        out["loss_ratio"] = rnd(div(s["total_cost"], tb), 4)
        cb = (s["budget_medical"] + s["budget_pharmacy"]) if (not miss_b and s["budget_medical"] is not None) else None
        out["claims_loss_ratio"] = rnd(div(s["net_claims"], cb), 4)
        out["variance_pct"] = rnd(div(s["variance"], tb), 4) if s["variance"] is not None else None
        out["members_per_employee"] = rnd(div(mm, em), 4)
        exact = {k: div(s[k + "_claims" if k != "total_cost" else k], mm) for k in ("gross", "net", "total_cost")}
        has = bool(with_claims) or any(m in enr for m in range(a, b + 1))
        return out, exact, has, miss_e, miss_b

    def trends(cur, prev, prev_has):
        out = {}
        for k in ("gross", "net", "total_cost"):
            c, p = cur[k], prev[k] if prev_has else None
            out["trend_%s_pmpm" % k] = rnd(c / p - 1, 4) if (c is not None and p not in (None, 0)) else None
        return out

    cur, cur_x, _, me, mb = period_figs(first, last)
    pri, pri_x, pri_has, pme, pmb = period_figs(first - 12, last - 12)
    _, base_x, base_has, _, _ = period_figs(first - 24, last - 24)
    cur.update(trends(cur_x, pri_x, pri_has))
    prior = None
    if pri_has:
        pri.update(trends(pri_x, base_x, base_has))
        prior = pri

    rows = [c for c in claims if first <= c["m"] <= last]
    gross = sum((c["med"] + c["rx"] for c in rows), Fraction(0))
    mm = None if me else cur["member_months"]
    n_claimants = len({c["claimant_id"] for c in rows})

    def groups(key):
        g = defaultdict(lambda: [Fraction(0), Fraction(0), Fraction(0), set(), 0])
        for c in rows:
            x = g[key(c)]
            x[0] += c["med"]; x[1] += c["rx"]; x[2] += c["tot"]; x[3].add(c["claimant_id"]); x[4] += 1
        items = sorted(g.items(), key=lambda kv: (-kv[1][2], kv[0].encode()))
        return [(k, v[0], v[1], v[2], len(v[3]), v[4]) for k, v in items]

    def bd(k, med, rx, tot, cl, n):
        return {"medical": money(med), "pharmacy": money(rx), "total": money(tot),
                "share_of_gross": rnd(div(tot, gross), 4), "pmpm": money(div(tot, mm)) if mm else None,
                "claimant_count": cl, "claim_count": n}

    min_cell = options.get("min_cell")
    if min_cell is True:
        min_cell = 11

    def suppressed(key):
        g = groups(key)
        if not min_cell:
            return [(r, None) for r in g]
        small = {r[0] for r in g if r[4] < min_cell}
        def fold_size():
            return len({c["claimant_id"] for c in rows if key(c) in small})
        while small and fold_size() < min_cell and len(small) < len(g):
            rest = sorted((r for r in g if r[0] not in small), key=lambda r: (r[4], r[3], r[0].encode()))
            small.add(rest[0][0])
        if not small:
            return [(r, False) for r in g]
        kept = [(r, False) for r in g if r[0] not in small]
        hidden = sorted((r for r in g if r[0] in small), key=lambda r: r[0].encode())
        other = ("Other (suppressed)", sum((r[1] for r in hidden), Fraction(0)), sum((r[2] for r in hidden), Fraction(0)),
                 sum((r[3] for r in hidden), Fraction(0)), fold_size(), sum(r[5] for r in hidden))
        return kept + [(r, True) for r in hidden] + [(other, False)]

    def bd_row(r, flag):
        out = bd(*r)
        if flag:
            out = {k: None for k in out}
        if flag is not None:
            out["suppressed"] = flag
        return out

    svc = [dict(name=r[0], **bd_row(r, flag)) for r, flag in suppressed(lambda c: c["cat"])]
    dx = [dict(chapter=r[0], name=chapter_name(r[0]) if r[0] != "Other (suppressed)" else r[0], **bd_row(r, flag))
          for r, flag in suppressed(lambda c: chapter(c["icd"]))]

    terms = defaultdict(lambda: defaultdict(int))
    for c in rows:
        if c["icd"] and c.get("layman_term"):
            terms[c["icd"]][c["layman_term"]] += 1
    def term(code):
        t = terms.get(code)
        if not t:
            return None
        return sorted(t.items(), key=lambda kv: (-kv[1], kv[0].encode()))[0][0]
    codes = defaultdict(lambda: [Fraction(0), set()])
    for c in rows:
        if c["icd"]:
            codes[c["icd"]][0] += c["tot"]; codes[c["icd"]][1].add(c["claimant_id"])
    top = sorted((kv for kv in codes.items() if not min_cell or len(kv[1][1]) >= min_cell), key=lambda kv: (-kv[1][0], kv[0].encode()))[:top_n]
    top = [{"icd_code": k, "layman_term": term(k), "total": money(v[0]), "claimant_count": len(v[1])} for k, v in top]

    per = defaultdict(lambda: [Fraction(0), Fraction(0), Fraction(0), 0, defaultdict(Fraction)])
    for c in rows:
        p = per[c["claimant_id"]]
        p[0] += c["med"]; p[1] += c["rx"]; p[2] += c["tot"]; p[3] += 1
        if c["icd"]:
            p[4][c["icd"]] += c["tot"]
    ranked = sorted(per.items(), key=lambda kv: (-kv[1][2], kv[0].encode()))
    claim_owner = defaultdict(set)
    for c in claims:
        claim_owner[c["claim_id"]].add(c["claimant_id"])
    reimb = defaultdict(Fraction)
    for s in sl:
        if not (first <= date_month(s["paid_date"]) <= last):
            continue
        who = s.get("claimant_id") or (min(claim_owner[s["claim_id"]]) if claim_owner.get(s.get("claim_id")) else None)
        if who:
            reimb[who] += frac(s["amount"])
    thr = frac(threshold)
    key = options.get("pseudonymize_key")
    shown = (lambda cid: pseudonym(key, cid)) if key else (lambda cid: cid)
    lasers = {l["claimant_id"]: frac(str(l["specific_deductible"])) for l in (contract or {}).get("lasers", [])}
    if contract:
        ded = lambda cid: lasers.get(cid, frac(str(contract["specific_deductible"])))
    elif options.get("specific_deductible") is not None:
        ded = lambda cid: frac(str(options["specific_deductible"]))
    else:
        ded = None
    employer = options.get("employer_facing", False)
    hcc = []
    for cid, p in ranked:
        if p[2] >= thr:
            prim = sorted(p[4].items(), key=lambda kv: (-kv[1], kv[0].encode()))[0][0] if p[4] else None
            hcc.append({"claimant_id": shown(cid), "medical": money(p[0]), "pharmacy": money(p[1]), "total": money(p[2]),
                        "claim_count": p[3], "primary_icd": None if employer else prim, "chapter": chapter(prim),
                        "layman_term": None if employer or not prim else term(prim),
                        "stop_loss_reimbursed": money(reimb[cid]),
                        "excess_over_specific": money(max(p[2] - ded(cid), Fraction(0))) if ded else None})
    hcc.sort(key=lambda h: (-frac(h["total"]), h["claimant_id"].encode()))
    htot = sum((frac(h["total"]) for h in hcc), Fraction(0))
    conc = []
    for pct in (1, 5, 10, 20):
        k = math.ceil(pct * n_claimants / 100)
        conc.append({"top_pct": pct, "claimants": k, "share": rnd(div(sum((p[2] for _, p in ranked[:k]), Fraction(0)), gross), 4)})
    stop_loss = None
    if contract:
        start = date_month(contract["start_month"] + "-01")
        b = str(contract.get("basis", "12/12"))
        if b == "paid":
            inc, paid = None, (start, start + 11)
        else:
            i_m, p_m = (int(x) for x in b.split("/"))
            inc, paid = (start + 12 - i_m, start + 11), (start, start + p_m - 1)
        elig = defaultdict(Fraction)
        for c in claims:
            pm, im = date_month(c["paid"]), date_month(c["claim_date"])
            if paid[0] <= pm <= paid[1] and (inc is None or inc[0] <= im <= inc[1]):
                elig[c["claimant_id"]] += c["tot"]
        got = defaultdict(Fraction)
        in_window = Fraction(0)
        for s_ in sl:
            if not (paid[0] <= date_month(s_["paid_date"]) <= paid[1]):
                continue
            in_window += frac(s_["amount"])
            who = s_.get("claimant_id") or (min(claim_owner[s_["claim_id"]]) if claim_owner.get(s_.get("claim_id")) else None)
            if who:
                got[who] += frac(s_["amount"])
        rows_sl, excess = [], Fraction(0)
        for cid in sorted(set(elig) | set(got) | set(lasers)):
            d = ded(cid)
            e = max(elig[cid] - d, Fraction(0))
            excess += e
            if e > 0 or got[cid] != 0 or cid in lasers:
                rows_sl.append({"claimant_id": shown(cid), "eligible_total": money(elig[cid]), "deductible": money(d),
                                "lasered": cid in lasers, "deductible_used": money(min(max(elig[cid], Fraction(0)), d)),
                                "expected_specific": money(e), "received": money(got[cid]), "outstanding": money(e - got[cid])})
        rows_sl.sort(key=lambda r: (-frac(r["expected_specific"]), -frac(r["eligible_total"]), r["claimant_id"].encode()))
        total_elig = sum(elig.values(), Fraction(0))
        agg = total_elig - excess
        expected_claims, attach = None, None
        if contract.get("aggregate_attachment") is not None:
            attach = frac(str(contract["aggregate_attachment"]))
        elif contract.get("aggregate_factor") is not None:
            cm = range(start, start + 12)
            if all(m in budget for m in cm):
                expected_claims = sum((budget[m][0] + budget[m][1] for m in cm), Fraction(0))
                attach = rnd(Fraction(Decimal(str(contract["aggregate_factor"]))) * expected_claims, 2)
                attach = frac(attach)
        received = sum(got.values(), Fraction(0))
        stop_loss = {
            "claimants": rows_sl,
            "specific": {"claimants_over_deductible": sum(1 for cid in elig if elig[cid] > ded(cid)), "expected_specific": money(excess),
                         "received": money(received), "unlinked_received": money(in_window - received), "outstanding": money(excess - received)},
            "aggregate": {"eligible_claims": money(total_elig), "specific_excess": money(excess), "aggregate_claims": money(agg),
                          "expected_claims": money(expected_claims) if expected_claims is not None else None,
                          "attachment_point": money(attach) if attach is not None else None,
                          "aggregate_ratio": rnd(div(agg, attach), 4) if attach else None},
        }
    extra = {}
    wanted = options.get("completion")
    if wanted or options.get("project_year"):
        from completion_ref import completion, projection
        settings = wanted if isinstance(wanted, dict) else {}
        extra["completion"], (completed_cost, period_se) = completion(
            claims, enr, month_fig, first, last, cur, settings, budget, None)
        if options.get("project_year"):
            extra["projection"] = projection(first, last, cur, completed_cost, period_se, enr, budget, settings.get("trend", "0"))
    return {
        **extra,
        "stop_loss": stop_loss,
        "period": {"start": "%s-01" % label(first), "months": [label(m) for m in range(first, last + 1)]},
        "summary": cur, "prior": prior,
        "trends": {k[6:]: cur[k] for k in ("trend_gross_pmpm", "trend_net_pmpm", "trend_total_cost_pmpm")},
        "monthly": [dict(month=label(m), **fmt_month(month_fig(m))) for m in range(first, last + 1)],
        "service_categories": svc, "diagnosis_groups": dx, "top_diagnoses": top,
        "high_cost_claimants": {"threshold": money(thr), "count": len(hcc), "total": money(htot),
                                "share_of_gross": rnd(div(htot, gross), 4), "share_of_claimants": rnd(div(len(hcc), n_claimants), 4),
                                "claimants": hcc},
        "concentration": conc,
        "warning_codes": sorted(set((["missing_enrollment"] if me else []) + (["missing_budget"] if mb else []))),
    }


def main():
    args = sys.argv[1:]
    opts = {"basis": "incurred", "client": None, "threshold": "50000.00"}
    pos = []
    i = 0
    while i < len(args):
        if args[i] == "--basis":
            opts["basis"] = args[i + 1]; i += 2
        elif args[i] == "--client":
            opts["client"] = args[i + 1]; i += 2
        elif args[i] == "--hcc-threshold":
            opts["threshold"] = args[i + 1]; i += 2
        else:
            pos.append(args[i]); i += 1
    print(json.dumps(reference(pos[0], pos[1], opts["basis"], opts["client"], opts["threshold"]), indent=1))


if __name__ == "__main__":
    main()
