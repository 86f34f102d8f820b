"""An independent reference of docs/completion.md (the `completion` and
`projection` sections), written from that page alone: Python fractions for
the exact parts, Python's decimal module at 50 digits for Mack's standard
error and the trend's power. Used by report_ref.py when a case asks for
completion."""
from decimal import Decimal, ROUND_HALF_UP, localcontext
from fractions import Fraction

from report_ref import div, label, money, rnd, date_month


def r10(fr):
    return Fraction(Decimal(rnd(fr, 10)))


def r2(fr):
    return Fraction(Decimal(rnd(fr, 2)))


def dec(fr):
    return Decimal(fr.numerator) / Decimal(fr.denominator)


def trend_factor(trend, twice_months):
    if trend == 0 or twice_months == 0:
        return Fraction(1)
    with localcontext() as ctx:
        ctx.prec = 50
        value = (1 + dec(trend)) ** (Decimal(twice_months) / Decimal(24))
        return Fraction(value.quantize(Decimal("1e-10"), rounding=ROUND_HALF_UP))


def expected(base_amount, base_members, b1, b12, t, members, trend):
    return r2(base_amount * trend_factor(trend, 2 * t - b1 - b12) * members / base_members)


def mack(rows, factors, used, tail, subset):
    """sigma, std_err per age; std_err per origin; total over `subset`."""
    with localcontext() as ctx:
        ctx.prec = 50
        ages = len(factors)
        sigma, se_ = [None] * ages, [Decimal(0)] * ages
        from_sums = [Decimal(0)] * ages
        for a in range(ages):
            pairs = [(rows[i][a], rows[i][a + 1]) for i in used[a] if rows[i][a] > 0]
            from_sums[a] = sum((dec(x) for x, _ in pairs), Decimal(0))
            if len(pairs) >= 2:
                f = dec(factors[a])
                s2 = sum(((dec(y) - f * dec(x)) ** 2 / dec(x) for x, y in pairs), Decimal(0)) / (len(pairs) - 1)
                sigma[a] = s2.sqrt()
        estimated = [s is not None for s in sigma]
        known = [(Decimal(a), s.ln()) for a, s in enumerate(sigma) if s is not None and s > 0]
        for a in range(ages):
            if sigma[a] is None:
                if len(known) >= 2:
                    mx = sum(k[0] for k in known) / len(known)
                    my = sum(k[1] for k in known) / len(known)
                    slope = sum((x - mx) * (y - my) for x, y in known) / sum((x - mx) ** 2 for x, _ in known)
                    sigma[a] = (my - slope * mx + slope * a).exp()
                else:
                    sigma[a] = Decimal(0)
        for a in range(ages):
            se_[a] = (sigma[a] ** 2 / from_sums[a]).sqrt() if from_sums[a] > 0 else Decimal(0)
        f = [dec(x) for x in factors]
        t2 = dec(tail) ** 2
        paths = []
        for row in rows:
            d = len(row) - 1
            path, c = {d: row[d]}, row[d]
            for a in range(d, ages):
                c = r10(c * factors[a])
                path[a + 1] = c
            paths.append(path)
        per_origin, total_process = [], Decimal(0)
        for i, row in enumerate(rows):
            d = len(row) - 1
            process = parameter = Decimal(0)
            for a in range(d, ages):
                c = dec(paths[i][a])
                process = sigma[a] ** 2 * c + f[a] ** 2 * process
                parameter = (c * se_[a]) ** 2 + f[a] ** 2 * parameter
            process, parameter = process * t2, parameter * t2
            per_origin.append((process + parameter).sqrt())
            if subset(i):
                total_process += process
        total_parameter = Decimal(0)
        for a in range(ages):
            developing = sum((dec(paths[i][a]) for i, row in enumerate(rows) if len(row) - 1 <= a and subset(i)), Decimal(0))
            total_parameter = (developing * se_[a]) ** 2 + f[a] ** 2 * total_parameter
        total = (total_process + total_parameter * t2).sqrt()
        return sigma, se_, estimated, per_origin, total


def cents(d):
    return money(Fraction(d.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)))


def six(d):
    return rnd(Fraction(d), 6)


def completion(claims, enr, month_fig, first, last, summary, options, budget, period_members):
    """claims: dicts with claim_date, paid (ISO dates), med, rx (fractions)."""
    k = options.get("completion_months", 12)
    m_proj = options.get("projection_months", 2)
    trend = Fraction(Decimal(str(options.get("trend", "0"))))
    blend = options.get("blend", False)
    tail = Fraction(Decimal(str(options.get("tail", "1"))))
    as_of = options.get("as_of") or max(c["paid"] for c in claims)
    valuation = date_month(as_of)
    cells = {}
    for c in claims:
        if c["paid"] > as_of:
            continue
        inc = date_month(c["claim_date"])
        if inc > valuation or inc <= valuation - 120:  # after the valuation month, or over 120 months before it
            continue
        age = max(date_month(c["paid"]) - inc, 0)
        cells[(inc, age)] = cells.get((inc, age), Fraction(0)) + c["med"] + c["rx"]
    o1 = min(i for i, _ in cells)
    origins = list(range(o1, valuation + 1))
    rows = []
    for o in origins:
        run, row = Fraction(0), []
        for a in range(valuation - o + 1):
            run += cells.get((o, a), Fraction(0))
            row.append(run)
        rows.append(row)
    ages = len(rows[0])
    factors, used, used_n = [], [], []
    for a in range(ages - 1):
        obs = [i for i in range(len(rows)) if len(rows[i]) > a + 1][-k:]
        obs = [i for i in obs if rows[i][a] != 0 and rows[i][a + 1] != 0]
        frm = sum((rows[i][a] for i in obs), Fraction(0))
        to = sum((rows[i][a + 1] for i in obs), Fraction(0))
        factors.append(r10(to / frm) if frm > 0 else Fraction(1))
        used.append(obs)
        used_n.append(len(obs) if frm > 0 else 0)
    cdf = [Fraction(0)] * ages
    cdf[ages - 1] = r10(tail)
    for a in range(ages - 2, -1, -1):
        cdf[a] = r10(factors[a] * cdf[a + 1])
    cl = [r2(row[-1] * cdf[len(row) - 1]) for row in rows]
    cf = [r10(1 / cdf[len(row) - 1]) if cdf[len(row) - 1] != 0 else None for row in rows]
    members = lambda m: enr[m][0] if m in enr else None
    proj = [None] * len(rows)
    n = len(rows)
    start = n - m_proj
    if m_proj > 0 and start - 12 >= 0:
        base = list(range(start - 12, start))
        bm = [members(origins[i]) for i in base]
        if all(x is not None for x in bm) and sum(bm) > 0:
            ba = sum((cl[i] for i in base), Fraction(0))
            for i in range(start, n):
                if members(origins[i]) is not None:
                    proj[i] = expected(ba, sum(bm), origins[base[0]], origins[base[-1]], origins[i], members(origins[i]), trend)
    completed, method = [], []
    for i in range(n):
        if proj[i] is None:
            completed.append(cl[i]); method.append("chain_ladder")
        elif not blend:
            completed.append(proj[i]); method.append("projection")
        else:
            z = cf[i] if cf[i] is not None else Fraction(0)
            completed.append(r2(z * cl[i] + (1 - z) * proj[i])); method.append("blend")
    in_period = lambda i: first <= origins[i] <= last
    sigma, se_, estimated, per_origin, total = mack(rows, factors, used, tail, lambda i: True)
    period_total = mack(rows, factors, used, tail, in_period)[4]

    paid = adj = comp = Fraction(0)
    variance = None
    for m in range(first, last + 1):
        i = m - o1
        p, c = (rows[i][-1], completed[i]) if 0 <= i < n else (Fraction(0), Fraction(0))
        paid += p
        comp += c
        f = month_fig(m)
        a = c - f["gross_claims"]
        adj += a
        if f["variance"] is not None:
            variance = (variance or Fraction(0)) + f["variance"] - a
    total_cost = frac_of(summary["total_cost"]) + adj
    mm = summary["member_months"]
    period = {
        "paid": money(paid), "ibnr": money(comp - paid), "completed_gross_claims": money(comp),
        "completed_net_claims": money(frac_of(summary["net_claims"]) + adj), "completed_total_cost": money(total_cost),
        "completed_gross_pmpm": money(div(comp, mm)) if summary["gross_pmpm"] is not None else None,
        "completed_total_cost_pmpm": money(div(total_cost, mm)) if summary["total_cost_pmpm"] is not None else None,
        "completed_loss_ratio": rnd(div(total_cost, frac_of(summary["total_budget"])), 4) if summary["loss_ratio"] is not None else None,
        "completed_variance": money(variance) if variance is not None else None,
        "std_err": cents(period_total),
    }
    section = {
        "as_of": as_of, "valuation_month": label(valuation),
        "method": "chain_ladder" if all(p is None for p in proj) else ("chain_ladder+blend" if blend else "chain_ladder+projection"),
        "triangle": {"incurred": [label(o) for o in origins], "cumulative": {"total": [[money(v) for v in row] for row in rows]}},
        "factors": [{"age": a, "factor": rnd(factors[a], 10), "months_used": used_n[a], "to_ultimate": rnd(cdf[a], 10),
                     "completion_factor": rnd(r10(1 / cdf[a]), 10) if cdf[a] != 0 else None, "sigma": six(sigma[a]), "std_err": six(se_[a]),
                     "sigma_estimated": estimated[a]} for a in range(ages - 1)],
        "months": [{"month": label(origins[i]), "age": len(rows[i]) - 1, "paid": money(rows[i][-1]), "completion_factor": rnd(cf[i], 10) if cf[i] is not None else None,
                    "chain_ladder": money(cl[i]), "projection": money(proj[i]) if proj[i] is not None else None,
                    "method": method[i], "completed": money(completed[i]), "ibnr": money(completed[i] - rows[i][-1]),
                    "member_months": members(origins[i]),
                    "completed_pmpm": money(div(completed[i], members(origins[i]))) if members(origins[i]) else None,
                    "std_err": cents(per_origin[i])} for i in range(n)],
        "totals": {"paid": money(sum((r[-1] for r in rows), Fraction(0))), "ibnr": money(sum(completed, Fraction(0)) - sum((r[-1] for r in rows), Fraction(0))),
                   "completed": money(sum(completed, Fraction(0))), "std_err": cents(total)},
        "period": period,
    }
    return section, (total_cost, period_total)


def frac_of(text):
    return Fraction(Decimal(text)) if text is not None else None


def projection(first, last, summary, completed_total_cost, period_std_err, enr, budget, trend):
    trend = Fraction(Decimal(str(trend)))
    plan_last = first + 11
    ytd_members = summary["member_months"]
    months, total, ok, scale = [], Fraction(0), ytd_members is not None and ytd_members > 0, Fraction(1)
    last_members = enr[last][0] if last in enr else None
    for t in range(last + 1, plan_last + 1):
        mem, src = (enr[t][0], "enrollment") if t in enr else (last_members, "carried_forward")
        amount = expected(completed_total_cost, ytd_members, first, last, t, mem, trend) if (ok and mem is not None) else None
        if amount is None:
            ok = False
        else:
            total += amount
            scale += trend_factor(trend, 2 * t - first - last) * mem / ytd_members
        months.append({"month": label(t), "member_months": mem, "members_from": src,
                       "pmpm": money(div(amount, mem)) if amount is not None else None,
                       "total_cost": money(amount) if amount is not None else None,
                       "total_budget": money(budget[t][3]) if t in budget else None})
    missing_budget = any(t not in budget for t in range(last + 1, plan_last + 1))
    annual = None
    if summary["loss_ratio"] is not None and not missing_budget:
        annual = frac_of(summary["total_budget"]) + sum((budget[t][3] for t in range(last + 1, plan_last + 1)), Fraction(0))
    projected = completed_total_cost + total if ok else None
    with localcontext() as ctx:
        ctx.prec = 50
        se = Fraction((period_std_err * dec(scale)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
    low = projected - se if projected is not None else None
    high = projected + se if projected is not None else None
    ratio = lambda x: rnd(div(x, annual), 4) if (x is not None and annual) else None
    return {
        "months_actual": last - first + 1, "months_projected": plan_last - last,
        "completed_ytd_total_cost": money(completed_total_cost), "ytd_member_months": ytd_members,
        "projected_months": months, "projected_total_cost": money(projected) if projected is not None else None,
        "annual_budget": money(annual) if annual is not None else None, "projected_loss_ratio": ratio(projected),
        "projected_variance": money(annual - projected) if (annual is not None and projected is not None) else None,
        "std_err": money(se), "low": money(low) if low is not None else None, "high": money(high) if high is not None else None,
        "low_loss_ratio": ratio(low), "high_loss_ratio": ratio(high),
    }
