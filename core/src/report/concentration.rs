//! Concentration: the share of gross claims held by the top 1, 5, 10 and 20
//! percent of claimants (k = ceil(p x claimant_count), signed totals).

use rust_decimal::Decimal;

use super::common::ClaimantTotal;
use super::document::{ConcentrationRow, Num};
use crate::model::money::divide_round;

pub(crate) const TOP_PERCENTS: [u32; 4] = [1, 5, 10, 20];

/// `ranked` is ordered by total desc, then claimant_id.
pub(crate) fn concentration(ranked: &[ClaimantTotal], gross: Decimal) -> Vec<ConcentrationRow> {
    let n = ranked.len() as i64;
    TOP_PERCENTS
        .iter()
        .map(|&p| {
            // ceil(p * n / 100) in integers
            let k = (i64::from(p) * n + 99) / 100;
            let top: Decimal = ranked.iter().take(k as usize).map(|c| c.total).sum();
            ConcentrationRow { top_pct: p, claimants: k, share: divide_round(top, gross, 4).map(Num) }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::money::dec;

    fn claimant(id: &str, total: &str) -> ClaimantTotal {
        ClaimantTotal {
            key: 0,
            claimant_id: id.into(),
            medical: dec(total),
            pharmacy: Decimal::ZERO,
            total: dec(total),
            claim_count: 1,
        }
    }

    #[test]
    fn k_is_the_ceiling_and_shares_use_signed_totals() {
        // 21 claimants: k = ceil(0.21)=1, ceil(1.05)=2, ceil(2.1)=3, ceil(4.2)=5
        let mut ranked: Vec<ClaimantTotal> = (0..20).map(|i| claimant(&format!("C{i:02}"), "100.00")).collect();
        ranked.insert(0, claimant("BIG", "1000.00"));
        ranked.push(claimant("NEG", "-50.00"));
        ranked.truncate(21);
        // gross = 1000 + 20*100 = 3000.00
        let rows = concentration(&ranked, dec("3000.00"));
        let ks: Vec<i64> = rows.iter().map(|r| r.claimants).collect();
        assert_eq!(ks, vec![1, 2, 3, 5]);
        // top 1: 1000/3000 = 0.33333 -> 0.3333; top 5: 1400/3000 = 0.46666 -> 0.4667
        assert_eq!(rows[0].share, Some(Num(dec("0.3333"))));
        assert_eq!(rows[3].share, Some(Num(dec("0.4667"))));
        assert_eq!(concentration(&[], Decimal::ZERO)[0].share, None);
    }
}
