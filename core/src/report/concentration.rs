//! Concentration: the share of gross claims held by the top 1, 5, 10 and 20
//! percent of claimants (k = ceil(p x claimant_count), signed totals).

use rust_decimal::Decimal;

use super::claim_figures::{top_counts, ClaimFigures};
use super::document::{ConcentrationRow, Num};
use crate::model::error::Result;
use crate::model::money::divide_round;

pub(crate) const TOP_PERCENTS: [u32; 4] = [1, 5, 10, 20];

/// The concentration rows of a period's claims whose gross is `gross`.
pub(crate) fn concentration(claims: &dyn ClaimFigures, gross: Decimal) -> Result<Vec<ConcentrationRow>> {
    let ks = top_counts(&TOP_PERCENTS, claims.claimant_count()?);
    let tops = claims.top_totals(&ks)?;
    Ok(rows(&ks, &tops, gross))
}

/// One row a percent: `ks[i]` claimants hold `tops[i]` of `gross`.
fn rows(ks: &[i64], tops: &[Decimal], gross: Decimal) -> Vec<ConcentrationRow> {
    TOP_PERCENTS
        .iter()
        .zip(ks.iter().zip(tops))
        .map(|(&p, (&k, &top))| ConcentrationRow {
            top_pct: p,
            claimants: k,
            share: divide_round(top, gross, 4).map(Num),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::money::dec;

    #[test]
    fn shares_divide_the_top_totals_by_gross_rounded_once() {
        // 21 claimants (k = 1, 2, 3, 5) of gross 3000.00: BIG 1000.00, then 100.00 each.
        let ks = top_counts(&TOP_PERCENTS, 21);
        let tops = [dec("1000.00"), dec("1100.00"), dec("1200.00"), dec("1400.00")];
        let got = rows(&ks, &tops, dec("3000.00"));
        assert_eq!(got.iter().map(|r| r.claimants).collect::<Vec<_>>(), vec![1, 2, 3, 5]);
        // 1000/3000 = 0.33333 -> 0.3333; 1400/3000 = 0.46666 -> 0.4667
        assert_eq!(got[0].share, Some(Num(dec("0.3333"))));
        assert_eq!(got[3].share, Some(Num(dec("0.4667"))));
        // No gross: no share.
        assert_eq!(rows(&[0; 4], &[Decimal::ZERO; 4], Decimal::ZERO)[0].share, None);
    }
}
