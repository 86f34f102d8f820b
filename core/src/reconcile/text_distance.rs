//! Distances between two texts (rapidfuzz), bounded by a cut-off so that
//! far-apart pairs cost little.

/// Jaro-Winkler similarity (rapidfuzz) when it is at least `cutoff`; ASCII
/// text is compared as bytes (the same letters, without decoding).
pub(crate) fn jaro_winkler_at_least(a: &str, b: &str, cutoff: f64) -> Option<f64> {
    use rapidfuzz::distance::jaro_winkler::{similarity_with_args, Args};
    // rapidfuzz is asked with a hair less: its cut-off arithmetic puts some
    // similarities of exactly the cut-off (0.8 for "anna" / "anthea") under it.
    let args = Args::default().score_cutoff((cutoff - 1e-9).max(0.0));
    let score = if a.is_ascii() && b.is_ascii() {
        similarity_with_args(a.bytes(), b.bytes(), &args)
    } else {
        similarity_with_args(a.chars(), b.chars(), &args)
    };
    score.filter(|s| *s >= cutoff)
}

/// Damerau-Levenshtein distance (rapidfuzz) when it is at most `cutoff`.
pub(crate) fn edits_at_most(a: &str, b: &str, cutoff: usize) -> Option<usize> {
    use rapidfuzz::distance::damerau_levenshtein::{distance_with_args, Args};
    let args = Args::default().score_cutoff(cutoff);
    if a.is_ascii() && b.is_ascii() {
        if bag_distance(a.as_bytes(), b.as_bytes()) > cutoff {
            return None;
        }
        distance_with_args(a.bytes(), b.bytes(), &args)
    } else {
        distance_with_args(a.chars(), b.chars(), &args)
    }
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
