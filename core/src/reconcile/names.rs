//! Person names as two exports spell them: "SMITH, JONATHAN", "Jon Smith",
//! "J. A. Smith Jr". A name is reduced to its sorted words (case,
//! punctuation, titles and suffixes dropped) and two names compare word by
//! word: equal, a nickname of the other (a licensed table, `data/`), an
//! initial of the other, or by Jaro-Winkler.

use std::sync::OnceLock;

use rustc_hash::FxHashMap;

/// Given names and their nicknames (`data/README.md` says where from).
const NICKNAME_CSV: &str = include_str!("data/nicknames.csv");

/// Each name with the names it is a nickname of or has as a nickname.
fn nickname_table() -> &'static FxHashMap<&'static str, Vec<&'static str>> {
    static TABLE: OnceLock<FxHashMap<&'static str, Vec<&'static str>>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table: FxHashMap<&str, Vec<&str>> = FxHashMap::default();
        for (name, nickname) in nickname_pairs() {
            table.entry(name).or_default().push(nickname);
            table.entry(nickname).or_default().push(name);
        }
        for related in table.values_mut() {
            related.sort_unstable();
            related.dedup();
        }
        table
    })
}

/// The table's (name, nickname) rows.
fn nickname_pairs() -> impl Iterator<Item = (&'static str, &'static str)> {
    NICKNAME_CSV.lines().skip(1).filter_map(|line| {
        let mut cells = line.split(',');
        let (name, _, nickname) = (cells.next()?, cells.next()?, cells.next()?);
        Some((name.trim(), nickname.trim()))
    })
}

/// Whether one given name is a nickname of the other (lower case).
pub fn are_nicknames(a: &str, b: &str) -> bool {
    nickname_table().get(a).is_some_and(|related| related.binary_search(&b).is_ok())
}

/// The nicknames the table gives a name (lower case).
pub fn nicknames_of(name: &str) -> impl Iterator<Item = &'static str> + '_ {
    nickname_pairs().filter(move |(n, _)| *n == name).map(|(_, nickname)| nickname)
}

/// Words that say nothing about who a person is.
const NOISE: &[&str] = &["mr", "mrs", "ms", "miss", "dr", "jr", "sr", "ii", "iii", "iv", "md", "phd"];

/// How similar two words are, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum WordMatch {
    /// The same word.
    Exact,
    /// One is a nickname of the other ("tina" / "christina").
    Nickname,
    /// Jaro-Winkler similarity of the letters.
    Fuzzy,
    /// A one-letter word and a word starting with it ("p" / "priya").
    Initial,
}

/// The similarity an initial gets with a word starting with it: below a
/// spelling slip, at the rules' default minimum.
pub const INITIAL_SIMILARITY: f64 = 0.85;

/// The similarity of a nickname with its name, unless the letters say more.
pub const NICKNAME_SIMILARITY: f64 = 0.95;

/// The words of every name read, each stored once; names hold word ids.
#[derive(Debug, Default)]
pub struct Vocabulary {
    ids: FxHashMap<Box<str>, u32>,
    words: Vec<Box<str>>,
    /// Each word's names and nicknames in the table (looked up once).
    related: Vec<&'static [&'static str]>,
}

impl Vocabulary {
    pub(crate) fn id(&mut self, word: &str) -> u32 {
        if let Some(&id) = self.ids.get(word) {
            return id;
        }
        let id = self.words.len() as u32;
        self.words.push(word.into());
        self.related.push(nickname_table().get(word).map_or(&[], Vec::as_slice));
        self.ids.insert(word.into(), id);
        id
    }

    pub fn word(&self, id: u32) -> &str {
        self.words.get(id as usize).map_or("", |w| w)
    }

    /// Whether one word is a nickname of the other (`are_nicknames`).
    fn are_nicknames(&self, a: u32, b: u32) -> bool {
        self.related.get(a as usize).is_some_and(|related| related.binary_search(&self.word(b)).is_ok())
    }

    /// A key's words joined by one space.
    pub fn text(&self, key: &[u32]) -> String {
        key.iter().map(|&id| self.word(id)).collect::<Vec<_>>().join(" ")
    }

    /// Orders keys by their words (for sorted neighbourhoods).
    pub fn compare(&self, a: &[u32], b: &[u32]) -> std::cmp::Ordering {
        a.iter().map(|&id| self.word(id)).cmp(b.iter().map(|&id| self.word(id)))
    }
}

/// A name as compared: its words sorted, lower case, titles and suffixes
/// dropped ("SMITH, Jon A." -> "a jon smith").
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct NameKey {
    pub words: Box<[u32]>,
}

fn tokens(lower: &str) -> impl Iterator<Item = &str> {
    lower
        .split(|c: char| !c.is_alphanumeric() && c != '\'')
        .map(|t| t.trim_matches('\''))
        .filter(|t| !t.is_empty() && !NOISE.contains(t))
}

/// The comparable form of a name.
pub fn name_key(raw: &str, vocabulary: &mut Vocabulary) -> NameKey {
    let lower = raw.to_lowercase();
    let mut words: Vec<&str> = tokens(&lower).collect();
    words.sort_unstable();
    NameKey { words: words.into_iter().map(|w| vocabulary.id(w)).collect() }
}

/// Two names' similarity: the weakest of their paired words, and its kind.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NameMatch {
    pub score: f64,
    pub kind: WordMatch,
}

/// Words compared at most per name (a bound on the work per pair).
const MAX_TOKENS: usize = 6;

/// Word pairs remembered between name pairs (names repeat their words):
/// a fixed table where a new pair replaces the one in its slot, so the
/// memory neither grows nor is rebuilt however many pairs are compared.
const CACHE_SLOTS_LOG2: u32 = 16;

/// Name similarity with a memory of word pairs; one per thread.
pub struct Similarity<'v> {
    vocabulary: &'v Vocabulary,
    /// (word pair key, similarity); key 0 marks an empty slot (no pair of
    /// different words has it). Allocated on first use.
    cache: Vec<(u64, (f64, WordMatch))>,
    /// Letter similarities under this are 0 (`with_floor`).
    floor: f64,
}

/// Whether a word is one letter (an initial).
fn one_letter(word: &str) -> bool {
    let mut letters = word.chars();
    letters.next().is_some() && letters.next().is_none()
}

/// How two different words compare; letter similarities under `floor` are 0.
fn compare_words(vocabulary: &Vocabulary, a: u32, b: u32, floor: f64) -> (f64, WordMatch) {
    let (wa, wb) = (vocabulary.word(a), vocabulary.word(b));
    let initial_of = |initial: &str, word: &str| one_letter(initial) && word.starts_with(initial);
    if initial_of(wa, wb) || initial_of(wb, wa) {
        return (INITIAL_SIMILARITY, WordMatch::Initial);
    }
    if one_letter(wa) || one_letter(wb) {
        // Letters of an initial say nothing beyond the first.
        return (0.0, WordMatch::Fuzzy);
    }
    let letters = super::text_distance::jaro_winkler_at_least(wa, wb, floor).unwrap_or(0.0);
    if vocabulary.are_nicknames(a, b) {
        return (letters.max(NICKNAME_SIMILARITY), WordMatch::Nickname);
    }
    (letters, WordMatch::Fuzzy)
}

impl<'v> Similarity<'v> {
    pub fn new(vocabulary: &'v Vocabulary) -> Similarity<'v> {
        Similarity { vocabulary, cache: Vec::new(), floor: 0.0 }
    }

    /// A similarity that cuts letter comparisons short under `floor` (they
    /// count 0): where only the levels matter and no level lies under
    /// `floor`, the cut-off costs nothing. Below INITIAL_SIMILARITY and
    /// NICKNAME_SIMILARITY the level of every pair is unchanged: a zeroed
    /// pair is the weakest either way (`name_match`).
    pub fn with_floor(vocabulary: &'v Vocabulary, floor: f64) -> Similarity<'v> {
        let floor = floor.clamp(0.0, INITIAL_SIMILARITY.min(NICKNAME_SIMILARITY));
        Similarity { vocabulary, cache: Vec::new(), floor }
    }

    pub fn vocabulary(&self) -> &'v Vocabulary {
        self.vocabulary
    }

    fn words(&mut self, a: u32, b: u32) -> (f64, WordMatch) {
        if a == b {
            return (1.0, WordMatch::Exact);
        }
        let key = (u64::from(a.min(b)) << 32) | u64::from(a.max(b));
        if self.cache.is_empty() {
            self.cache = vec![(0, (0.0, WordMatch::Fuzzy)); 1 << CACHE_SLOTS_LOG2];
        }
        // Fibonacci hashing: the top bits of key times 2^64/phi.
        let slot = (key.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> (64 - CACHE_SLOTS_LOG2)) as usize;
        if self.cache[slot].0 == key {
            return self.cache[slot].1;
        }
        let s = compare_words(self.vocabulary, a.min(b), a.max(b), self.floor);
        self.cache[slot] = (key, s);
        s
    }

    /// Words paired best first (each used once); the weakest pair of the
    /// shorter name's words is the names' similarity. Every word must be
    /// close: a shared first name does not make "austin king" like "austin
    /// hill" (0.5), one slip in a word does (0.95).
    pub fn name_match(&mut self, left: &NameKey, right: &NameKey) -> NameMatch {
        let (a, b) =
            (&left.words[..left.words.len().min(MAX_TOKENS)], &right.words[..right.words.len().min(MAX_TOKENS)]);
        let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
        if short.is_empty() {
            return NameMatch { score: 0.0, kind: WordMatch::Fuzzy };
        }
        if let [word] = short {
            // One word: its best partner, the first of equals (as below).
            let mut best = (-1.0, WordMatch::Fuzzy);
            for &l in long {
                let s = self.words(*word, l);
                if s.0 > best.0 {
                    best = s;
                }
            }
            return NameMatch { score: best.0, kind: best.1 };
        }
        let mut scores = [[(0.0f64, WordMatch::Fuzzy); MAX_TOKENS]; MAX_TOKENS];
        for (i, &s) in short.iter().enumerate() {
            for (j, &l) in long.iter().enumerate() {
                scores[i][j] = self.words(s, l);
            }
        }
        let (mut used_short, mut used_long) = ([false; MAX_TOKENS], [false; MAX_TOKENS]);
        let mut weakest = NameMatch { score: 1.0, kind: WordMatch::Exact };
        for _ in 0..short.len() {
            let mut best = ((-1.0, WordMatch::Fuzzy), 0, 0);
            for i in (0..short.len()).filter(|i| !used_short[*i]) {
                for j in (0..long.len()).filter(|j| !used_long[*j]) {
                    if scores[i][j].0 > best.0 .0 {
                        best = (scores[i][j], i, j);
                    }
                }
            }
            used_short[best.1] = true;
            used_long[best.2] = true;
            let (score, kind) = best.0;
            if score < weakest.score || (score == weakest.score && kind > weakest.kind) {
                weakest = NameMatch { score, kind };
            }
        }
        weakest
    }

    /// Similarity of two names in [0, 1]; 0 when either name is empty.
    pub fn names(&mut self, left: &NameKey, right: &NameKey) -> f64 {
        self.name_match(left, right).score
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(raw: &str, v: &mut Vocabulary) -> String {
        let k = name_key(raw, v);
        v.text(&k.words)
    }

    #[test]
    fn name_keys_ignore_order_case_punctuation_and_titles() {
        let mut v = Vocabulary::default();
        assert_eq!(words("SMITH, JONATHAN", &mut v), "jonathan smith");
        assert_eq!(words("  Dr. Jonathan A. Smith Jr ", &mut v), "a jonathan smith");
        assert_eq!(words("Bill O'Brien", &mut v), "bill o'brien");
        assert_eq!(words("Van der Berg, Anna", &mut v), "anna berg der van");
        assert_eq!(words("  ,. ", &mut v), "");
    }

    #[test]
    fn the_nickname_table_reads_both_ways_from_the_licensed_file() {
        // Rows of data/nicknames.csv: christina,has_nickname,tina and rebecca,has_nickname,becky.
        assert!(are_nicknames("tina", "christina") && are_nicknames("christina", "tina"));
        assert!(are_nicknames("becky", "rebecca"));
        assert!(!are_nicknames("tina", "rebecca"));
        assert!(nicknames_of("rebecca").any(|n| n == "becky"));
        assert_eq!(nickname_pairs().count(), 2691);
    }

    #[test]
    fn similarity_is_the_weakest_word_pair() {
        let mut v = Vocabulary::default();
        let pairs = [
            ("Jon Smith", "SMITH, JON"),
            ("", "Jon Smith"),
            ("Martha Smith", "Smith Marhta"),
            ("Austin King", "HILL, AUSTIN"),
            ("Christina Young", "YOUNG, TINA"),
            ("Priya Williams", "P. Williams"),
            ("Mary Ann Smith", "Smith, Mary"),
            ("Mary Smith", "J. Smith"),
            // One word against two: its best partner.
            ("Tina", "Young, Christina"),
            ("Smyth", "J Smith"),
            ("P", "Young, Priya"),
        ];
        let keys: Vec<(NameKey, NameKey)> =
            pairs.iter().map(|(a, b)| (name_key(a, &mut v), name_key(b, &mut v))).collect();
        let mut sim = Similarity::new(&v);
        let m: Vec<NameMatch> = keys.iter().map(|(a, b)| sim.name_match(a, b)).collect();
        assert_eq!(m[0], NameMatch { score: 1.0, kind: WordMatch::Exact });
        assert_eq!(m[1].score, 0.0);
        // "martha" / "marhta": the textbook Jaro-Winkler example, 0.961111.
        assert!((m[2].score - 0.961_111).abs() < 1e-6 && m[2].kind == WordMatch::Fuzzy);
        // A shared first name is not enough: king / hill score 0.5 (one letter in place).
        assert_eq!(m[3].score, 0.5);
        assert_eq!(m[4], NameMatch { score: NICKNAME_SIMILARITY, kind: WordMatch::Nickname });
        assert_eq!(m[5], NameMatch { score: INITIAL_SIMILARITY, kind: WordMatch::Initial });
        // Extra words of the longer name do not count against it.
        assert_eq!(m[6].score, 1.0);
        // An initial of another letter agrees with nothing.
        assert_eq!(m[7].score, 0.0);
        assert_eq!(m[8], NameMatch { score: NICKNAME_SIMILARITY, kind: WordMatch::Nickname });
        // "smyth" / "smith": 4 letters match, none swapped: Jaro (4/5 + 4/5 + 4/4) / 3 = 13/15;
        // prefix "sm": 13/15 + 2 * 0.1 * 2/15 = 0.893333.
        assert!((m[9].score - 0.893_333).abs() < 1e-6 && m[9].kind == WordMatch::Fuzzy, "{:?}", m[9]);
        assert_eq!(m[10], NameMatch { score: INITIAL_SIMILARITY, kind: WordMatch::Initial });
        // The cache answers the same.
        assert_eq!(sim.name_match(&keys[4].0, &keys[4].1), m[4]);
    }

    mod floored {
        use super::super::*;
        use proptest::prelude::*;

        /// Names of 1-3 words from a few letters (near misses are common),
        /// with initials and nicknames of the licensed table among them.
        fn name() -> impl Strategy<Value = String> {
            let word = prop_oneof![
                "[aeinrst]{1,7}",
                Just("christina".to_string()),
                Just("tina".to_string()),
                Just("t".to_string()),
                Just("rebecca".to_string()),
                Just("becky".to_string()),
            ];
            proptest::collection::vec(word, 1..4).prop_map(|w| w.join(" "))
        }

        proptest! {
            /// A floored similarity gives every pair scoring at least the
            /// floor the same score and kind, and leaves the rest under it
            /// as letters only (a pair's level never changes).
            #[test]
            fn a_floor_changes_no_level(
                left in name(),
                right in name(),
                // The bands themselves: similarities of exactly a band are common.
                floor in prop_oneof![Just(0.8), Just(0.7), Just(0.75), 0.0f64..0.85],
            ) {
                let mut vocabulary = Vocabulary::default();
                let (l, r) = (name_key(&left, &mut vocabulary), name_key(&right, &mut vocabulary));
                let full = Similarity::new(&vocabulary).name_match(&l, &r);
                let cut = Similarity::with_floor(&vocabulary, floor).name_match(&l, &r);
                if full.score >= floor {
                    prop_assert_eq!(cut, full);
                } else {
                    prop_assert!(cut.score < floor);
                    prop_assert_eq!(cut.kind, WordMatch::Fuzzy);
                    prop_assert_eq!(full.kind, WordMatch::Fuzzy);
                }
            }
        }
    }
}
