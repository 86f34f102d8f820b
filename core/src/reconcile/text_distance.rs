//! Distances between two texts (rapidfuzz), bounded by a cut-off so that
//! far-apart pairs cost little.

use rapidfuzz::common::WithScoreCutoff;
use rapidfuzz::distance::jaro_winkler::{self, Args, BatchComparator};

/// A Jaro-Winkler similarity when it is at least `cutoff`; `similarity`
/// asks rapidfuzz with the arguments given. rapidfuzz is asked with a hair
/// less: its cut-off arithmetic puts some similarities of exactly the
/// cut-off (0.8 for "anna" / "anthea") under it.
fn jaro_winkler_cut(
    cutoff: f64,
    similarity: impl FnOnce(&Args<f64, WithScoreCutoff<f64>>) -> Option<f64>,
) -> Option<f64> {
    similarity(&Args::default().score_cutoff((cutoff - 1e-9).max(0.0))).filter(|s| *s >= cutoff)
}

/// Jaro-Winkler similarity (rapidfuzz) when it is at least `cutoff`; ASCII
/// text is compared as bytes (the same letters, without decoding).
pub(crate) fn jaro_winkler_at_least(a: &str, b: &str, cutoff: f64) -> Option<f64> {
    jaro_winkler_cut(cutoff, |args| {
        if a.is_ascii() && b.is_ascii() {
            jaro_winkler::similarity_with_args(a.bytes(), b.bytes(), args)
        } else {
            jaro_winkler::similarity_with_args(a.chars(), b.chars(), args)
        }
    })
}

/// Jaro-Winkler similarities of one text with many: rapidfuzz's batch
/// comparator builds the text's letter table once, not per pair.
pub(crate) struct JaroWinklerFrom<'a> {
    text: &'a str,
    ascii: Option<BatchComparator<u8>>,
}

impl<'a> JaroWinklerFrom<'a> {
    pub(crate) fn new(text: &'a str) -> JaroWinklerFrom<'a> {
        let ascii = text.is_ascii().then(|| BatchComparator::new(text.bytes()));
        JaroWinklerFrom { text, ascii }
    }

    /// `jaro_winkler_at_least(text, other, cutoff)`, the same number.
    pub(crate) fn at_least(&self, other: &str, cutoff: f64) -> Option<f64> {
        match &self.ascii {
            Some(batch) if other.is_ascii() => {
                jaro_winkler_cut(cutoff, |args| batch.similarity_with_args(other.bytes(), args))
            }
            _ => jaro_winkler_at_least(self.text, other, cutoff),
        }
    }
}

/// Damerau-Levenshtein distance (rapidfuzz) when it is at most `cutoff`.
pub(crate) fn edits_at_most(a: &str, b: &str, cutoff: usize) -> Option<usize> {
    use rapidfuzz::distance::damerau_levenshtein::{distance_with_args, Args};
    let args = Args::default().score_cutoff(cutoff);
    if a.is_ascii() && b.is_ascii() {
        if a.len().abs_diff(b.len()) > cutoff || (cutoff == 1 && a.len() == b.len() && mismatches(a, b) > 2) {
            return None;
        }
        if bag_distance(a.as_bytes(), b.as_bytes()) > cutoff {
            return None;
        }
        distance_with_args(a.bytes(), b.bytes(), &args)
    } else {
        distance_with_args(a.chars(), b.chars(), &args)
    }
}

/// Positions where two texts of one length differ. One edit between texts
/// of one length is a substitution (1) or a swap of neighbours (2).
fn mismatches(a: &str, b: &str) -> usize {
    a.bytes().zip(b.bytes()).filter(|(x, y)| x != y).count()
}

/// The letters one ASCII text has more of than the other, whichever side
/// has more: no edit script is shorter (a swap moves no letter in or out).
fn bag_distance(a: &[u8], b: &[u8]) -> usize {
    let mut balance = [0i32; 128];
    for &c in a {
        balance[usize::from(c & 0x7f)] += 1;
    }
    for &c in b {
        balance[usize::from(c & 0x7f)] -= 1;
    }
    let (more, fewer) = balance.iter().fold((0i32, 0i32), |(p, n), &x| if x > 0 { (p + x, n) } else { (p, n - x) });
    more.max(fewer) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bag_distance_is_a_lower_bound_of_edits() {
        assert_eq!(bag_distance(b"5304218", b"5302418"), 0);
        assert_eq!(bag_distance(b"martha", b"marhta"), 0);
        assert_eq!(bag_distance(b"dwayne", b"duane"), 2);
        assert_eq!(bag_distance(b"abc", b""), 3);
        assert_eq!(edits_at_most("dwayne", "duane", 2), Some(2));
        assert_eq!(edits_at_most("dwayne", "duane", 1), None);
        assert_eq!(edits_at_most("café", "cafe", 1), Some(1));
        // One edit: a swap of neighbours (two positions), a substitution, an insertion.
        assert_eq!(edits_at_most("19450312", "19453012", 1), Some(1));
        assert_eq!(edits_at_most("19450312", "19450313", 1), Some(1));
        assert_eq!(edits_at_most("1945031", "19450312", 1), Some(1));
        // Three positions differ, a rotation: two edits, never one.
        assert_eq!(edits_at_most("abcd", "bcda", 1), None);
        assert_eq!(edits_at_most("abcd", "bcda", 2), Some(2));
        assert_eq!(edits_at_most("abc", "abcde", 1), None);
    }

    proptest::proptest! {
        /// The batch comparator gives the one-off comparison's number, bit for bit.
        #[test]
        fn jaro_winkler_from_one_text_is_the_pairwise_number(
            a in "[a-e ]{0,12}|[a-zé]{1,8}",
            b in "[a-e ]{0,12}|[a-z]{1,8}",
            cutoff in 0.0f64..1.0,
        ) {
            let one_off = jaro_winkler_at_least(&a, &b, cutoff);
            let batch = JaroWinklerFrom::new(&a).at_least(&b, cutoff);
            proptest::prop_assert_eq!(one_off.map(f64::to_bits), batch.map(f64::to_bits));
        }
    }

    #[test]
    fn a_similarity_of_exactly_the_cutoff_is_at_least_it() {
        // By hand: window 2; a, n and the last a match (3); no transposition;
        // Jaro (3/4 + 3/6 + 3/3) / 3 = 0.75; prefix "an": 0.75 + 2 * 0.1 * 0.25 = 0.8.
        let at = jaro_winkler_at_least("anna", "anthea", 0.8).expect("0.8 is at least 0.8");
        assert!((at - 0.8).abs() < 1e-12, "{at}");
        assert_eq!(jaro_winkler_at_least("anna", "anthea", 0.0), Some(at));
        assert_eq!(jaro_winkler_at_least("anna", "anthea", 0.81), None);
    }
}
