"""The figures every peer computes, in one shape, so they can be compared
with claimscope's report digit for digit: the period summary, the monthly
table, the service categories and the high-cost claimants (incurred basis:
a claim falls in the month of its claim_date; money to the cent; gross PMPM
rounded once, half away from zero)."""

from decimal import Decimal, ROUND_HALF_UP

CENT = Decimal("0.01")
THRESHOLD = Decimal("50000.00")


def money(value) -> str:
    """A sum as exact cents text. Floats (pandas) are rounded to the cent."""
    if isinstance(value, float):
        value = Decimal(str(float(value)))
    return str(Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP))


def pmpm(total, members) -> str:
    if not members:
        return None
    return str((Decimal(money(total)) / Decimal(int(members))).quantize(CENT, rounding=ROUND_HALF_UP))


def shape(summary, monthly, categories, claimants) -> dict:
    """summary: (medical, pharmacy, gross, claim_count, claimant_count, member_months);
    monthly: [(month, medical, pharmacy, gross, claim_count, claimant_count, member_months)];
    categories: [(name, medical, pharmacy, total, claimant_count, claim_count)];
    claimants: [(claimant_id, medical, pharmacy, total, claim_count)] at or over the threshold."""
    med, rx, gross, claims, people, members = summary
    return {
        "summary": {"medical_claims": money(med), "pharmacy_claims": money(rx), "gross_claims": money(gross),
                    "claim_count": int(claims), "claimant_count": int(people), "member_months": int(members),
                    "gross_pmpm": pmpm(gross, members)},
        "monthly": [{"month": m, "medical_claims": money(a), "pharmacy_claims": money(b), "gross_claims": money(g),
                     "claim_count": int(n), "claimant_count": int(k), "member_months": int(mm)}
                    for m, a, b, g, n, k, mm in sorted(monthly)],
        "service_categories": sorted(
            ({"name": name, "medical": money(a), "pharmacy": money(b), "total": money(t),
              "claimant_count": int(k), "claim_count": int(n)} for name, a, b, t, k, n in categories),
            key=lambda c: (-Decimal(c["total"]), c["name"])),
        "high_cost_claimants": sorted(
            ({"claimant_id": cid, "medical": money(a), "pharmacy": money(b), "total": money(t), "claim_count": int(n)}
             for cid, a, b, t, n in claimants),
            key=lambda c: (-Decimal(c["total"]), c["claimant_id"])),
    }


def from_report(report: dict) -> dict:
    """The same figures read from claimscope's report JSON (parsed with Decimal)."""
    s = report["summary"]
    return {
        "summary": {"medical_claims": money(s["medical_claims"]), "pharmacy_claims": money(s["pharmacy_claims"]),
                    "gross_claims": money(s["gross_claims"]), "claim_count": s["claim_count"],
                    "claimant_count": s["claimant_count"], "member_months": s["member_months"],
                    "gross_pmpm": None if s["gross_pmpm"] is None else money(s["gross_pmpm"])},
        "monthly": [{"month": m["month"], "medical_claims": money(m["medical_claims"]),
                     "pharmacy_claims": money(m["pharmacy_claims"]), "gross_claims": money(m["gross_claims"]),
                     "claim_count": m["claim_count"], "claimant_count": m["claimant_count"],
                     "member_months": m["member_months"]} for m in report["monthly"]],
        "service_categories": [{"name": c["name"], "medical": money(c["medical"]), "pharmacy": money(c["pharmacy"]),
                                "total": money(c["total"]), "claimant_count": c["claimant_count"],
                                "claim_count": c["claim_count"]} for c in report["service_categories"]],
        "high_cost_claimants": [{"claimant_id": c["claimant_id"], "medical": money(c["medical"]),
                                 "pharmacy": money(c["pharmacy"]), "total": money(c["total"]),
                                 "claim_count": c["claim_count"]} for c in report["high_cost_claimants"]["claimants"]],
    }
