//! Employer-facing privacy (metrics.md, "Privacy"): claimant pseudonyms and
//! small-cell suppression. Knows the rules, not the report: the report
//! applies them to its breakdowns and claimant lists.

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::model::error::Result;

/// The name of the group that suppressed groups are folded into.
pub const SUPPRESSED_GROUP: &str = "Other (suppressed)";

/// min_cell when suppression is asked for without a number.
pub const DEFAULT_MIN_CELL: i64 = 11;

/// Privacy options of a report. The key is never written to any output.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Privacy {
    /// Replace claimant_ids by HMAC-SHA256(key, claimant_id), first 12 hex chars.
    pub pseudonymize_key: Option<String>,
    /// Suppress breakdown groups with fewer claimants than this.
    pub min_cell: Option<i64>,
    /// High-cost claimants show the diagnosis chapter only.
    pub employer_facing: bool,
}

impl std::fmt::Debug for Privacy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Privacy")
            .field("pseudonymize_key", &self.pseudonymize_key.as_ref().map(|_| "<hidden>"))
            .field("min_cell", &self.min_cell)
            .field("employer_facing", &self.employer_facing)
            .finish()
    }
}

impl Privacy {
    /// The id as shown: its pseudonym when a key is given.
    pub fn claimant(&self, claimant_id: &str) -> String {
        match &self.pseudonymize_key {
            Some(key) => pseudonym(key, claimant_id),
            None => claimant_id.to_string(),
        }
    }
}

/// HMAC-SHA256(key, claimant_id) as lower-case hex, first 12 characters.
pub fn pseudonym(key: &str, claimant_id: &str) -> String {
    // HMAC accepts keys of any length, so this cannot fail.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key.as_bytes()) else { return String::new() };
    mac.update(claimant_id.as_bytes());
    mac.finalize().into_bytes().iter().take(6).map(|b| format!("{b:02x}")).collect()
}

/// A breakdown group as suppression sees it.
pub struct GroupSize<'a> {
    pub name: &'a str,
    pub claimants: i64,
    pub total: rust_decimal::Decimal,
}

/// The groups to suppress (indexes, ascending): every group with fewer than
/// `min_cell` claimants; then, while the suppressed groups together have
/// fewer than `min_cell` distinct claimants (so "Other (suppressed)" would
/// itself reveal a small group), the smallest remaining group too (fewest
/// claimants, then smallest total, then name). `distinct` counts the distinct
/// claimants of a set of groups.
pub fn groups_to_suppress(
    groups: &[GroupSize],
    min_cell: i64,
    mut distinct: impl FnMut(&[usize]) -> Result<i64>,
) -> Result<Vec<usize>> {
    let mut chosen: Vec<usize> = (0..groups.len()).filter(|&i| groups[i].claimants < min_cell).collect();
    if chosen.is_empty() {
        return Ok(chosen);
    }
    while distinct(&chosen)? < min_cell {
        let next = (0..groups.len()).filter(|i| !chosen.contains(i)).min_by(|&a, &b| {
            let (ga, gb) = (&groups[a], &groups[b]);
            ga.claimants
                .cmp(&gb.claimants)
                .then(ga.total.cmp(&gb.total))
                .then(ga.name.as_bytes().cmp(gb.name.as_bytes()))
        });
        match next {
            Some(i) => chosen.push(i),
            None => break,
        }
    }
    chosen.sort_unstable();
    Ok(chosen)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;

    #[test]
    fn pseudonyms_are_hmac_sha256_truncated() {
        // RFC 4231 test case 2: HMAC-SHA256("Jefe", "what do ya want for nothing?")
        // = 5bdcc146bf60754e6a042426089575c7...; the first 12 hex chars:
        assert_eq!(pseudonym("Jefe", "what do ya want for nothing?"), "5bdcc146bf60");
        assert_eq!(pseudonym("k", "M001"), pseudonym("k", "M001"));
        assert_ne!(pseudonym("k", "M001"), pseudonym("k2", "M001"));
        let p = Privacy { pseudonymize_key: Some("secret".into()), ..Privacy::default() };
        assert!(!format!("{p:?}").contains("secret"));
    }

    fn g(name: &str, claimants: i64, total: i64) -> GroupSize<'_> {
        GroupSize { name, claimants, total: Decimal::from(total) }
    }

    #[test]
    fn small_groups_are_suppressed_and_a_small_fold_takes_the_next_smallest() {
        // Claimants: A 20, B 12, C 4, D 3 (C and D share one claimant, so the
        // fold C+D holds 6 distinct). 6 < 11 pushes B (12, the smallest left)
        // into the fold too: C+D+B = 18 distinct >= 11.
        let groups = [g("A", 20, 900), g("B", 12, 500), g("C", 4, 90), g("D", 3, 80)];
        let distinct = |set: &[usize]| -> Result<i64> {
            let sizes = [20, 12, 4, 3];
            let sum: i64 = set.iter().map(|&i| sizes[i]).sum();
            Ok(if set.contains(&2) && set.contains(&3) { sum - 1 } else { sum })
        };
        assert_eq!(groups_to_suppress(&groups, 11, distinct).unwrap(), vec![1, 2, 3]);
        // With min_cell 5, C (4) and D (3) are small; together 6 >= 5: no more.
        assert_eq!(groups_to_suppress(&groups, 5, distinct).unwrap(), vec![2, 3]);
        // With min_cell 4 only D (3) is small; alone it would show 3 < 4, so
        // C (4, the smallest left) joins: C+D = 6 distinct >= 4.
        assert_eq!(groups_to_suppress(&groups, 4, distinct).unwrap(), vec![2, 3]);
        // Nothing small, nothing suppressed.
        assert!(groups_to_suppress(&groups, 3, distinct).unwrap().is_empty());
        // Everything folded and still small: stops when no group is left.
        assert_eq!(groups_to_suppress(&groups, 100, distinct).unwrap(), vec![0, 1, 2, 3]);
    }
}
