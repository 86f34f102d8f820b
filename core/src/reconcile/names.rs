//! Person names as two exports spell them: "SMITH, JONATHAN", "Jon Smith",
//! "Jonathan A. Smith Jr". A name is reduced to its sorted tokens (case,
//! punctuation, initials, titles and suffixes dropped; common nicknames read
//! as the formal name) and two names compare by Jaro-Winkler on those.

use rustc_hash::FxHashMap;

/// Nicknames and the formal first name they stand for. A nickname shared by
/// several names (Chris: Christopher / Christine) maps to the commonest.
const NICKNAMES: &[(&str, &str)] = &[
    ("abby", "abigail"),
    ("al", "albert"),
    ("alex", "alexander"),
    ("andy", "andrew"),
    ("ben", "benjamin"),
    ("beth", "elizabeth"),
    ("betty", "elizabeth"),
    ("bill", "william"),
    ("billy", "william"),
    ("bob", "robert"),
    ("bobby", "robert"),
    ("cathy", "catherine"),
    ("charlie", "charles"),
    ("chris", "christopher"),
    ("chuck", "charles"),
    ("cindy", "cynthia"),
    ("dan", "daniel"),
    ("danny", "daniel"),
    ("dave", "david"),
    ("deb", "deborah"),
    ("debbie", "deborah"),
    ("dick", "richard"),
    ("don", "donald"),
    ("ed", "edward"),
    ("eddie", "edward"),
    ("frank", "francis"),
    ("fred", "frederick"),
    ("greg", "gregory"),
    ("hank", "henry"),
    ("jack", "john"),
    ("jake", "jacob"),
    ("jen", "jennifer"),
    ("jenny", "jennifer"),
    ("jerry", "gerald"),
    ("jim", "james"),
    ("jimmy", "james"),
    ("joe", "joseph"),
    ("joey", "joseph"),
    ("johnny", "john"),
    ("jon", "jonathan"),
    ("kate", "katherine"),
    ("kathy", "katherine"),
    ("katie", "katherine"),
    ("ken", "kenneth"),
    ("kim", "kimberly"),
    ("larry", "lawrence"),
    ("liz", "elizabeth"),
    ("maggie", "margaret"),
    ("mandy", "amanda"),
    ("matt", "matthew"),
    ("meg", "margaret"),
    ("mike", "michael"),
    ("nancy", "ann"),
    ("nate", "nathan"),
    ("nick", "nicholas"),
    ("pat", "patricia"),
    ("patty", "patricia"),
    ("peggy", "margaret"),
    ("pete", "peter"),
    ("phil", "philip"),
    ("ray", "raymond"),
    ("rich", "richard"),
    ("rick", "richard"),
    ("rob", "robert"),
    ("ron", "ronald"),
    ("sam", "samuel"),
    ("sandy", "sandra"),
    ("steve", "steven"),
    ("sue", "susan"),
    ("susie", "susan"),
    ("ted", "edward"),
    ("tim", "timothy"),
    ("tom", "thomas"),
    ("tommy", "thomas"),
    ("tony", "anthony"),
    ("vicky", "victoria"),
    ("will", "william"),
];

/// Words that say nothing about who a person is.
const NOISE: &[&str] = &["mr", "mrs", "ms", "miss", "dr", "jr", "sr", "ii", "iii", "iv", "md", "phd"];

/// The formal name a nickname stands for, or None.
pub fn formal_name(token: &str) -> Option<&'static str> {
    NICKNAMES.binary_search_by(|(nick, _)| (*nick).cmp(token)).ok().map(|i| NICKNAMES[i].1)
}

/// The nicknames the table reads as this formal name.
pub fn nicknames_of(formal: &str) -> impl Iterator<Item = &'static str> + '_ {
    NICKNAMES.iter().filter(move |(_, f)| *f == formal).map(|(nick, _)| *nick)
}

/// The words of every name read, each stored once; names hold word ids.
#[derive(Debug, Default)]
pub struct Vocabulary {
    ids: FxHashMap<Box<str>, u32>,
    words: Vec<Box<str>>,
}

impl Vocabulary {
    fn id(&mut self, word: &str) -> u32 {
        if let Some(&id) = self.ids.get(word) {
            return id;
        }
        let id = self.words.len() as u32;
        self.words.push(word.into());
        self.ids.insert(word.into(), id);
        id
    }

    pub fn word(&self, id: u32) -> &str {
        self.words.get(id as usize).map_or("", |w| w)
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

/// A name as compared: its sorted words with nicknames made formal, and as
/// written (a misspelled nickname is closer to itself than to the formal name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameKey {
    pub formal: Box<[u32]>,
    pub literal: Box<[u32]>,
}

fn tokens(lower: &str) -> impl Iterator<Item = &str> {
    lower
        .split(|c: char| !c.is_alphanumeric() && c != '\'')
        .map(|t| t.trim_matches('\''))
        .filter(|t| t.chars().count() > 1 && !NOISE.contains(t))
}

fn sorted_ids(mut words: Vec<&str>, vocabulary: &mut Vocabulary) -> Box<[u32]> {
    words.sort_unstable();
    words.into_iter().map(|w| vocabulary.id(w)).collect()
}

/// The comparable form of a name: lower-case letter and digit words, one
/// letter initials, titles and suffixes dropped, sorted ("SMITH, Jon A." ->
/// formal "jonathan smith", literal "jon smith").
pub fn name_key(raw: &str, vocabulary: &mut Vocabulary) -> NameKey {
    let lower = raw.to_lowercase();
    let literal: Vec<&str> = tokens(&lower).collect();
    let formal = sorted_ids(literal.iter().map(|t| formal_name(t).unwrap_or(t)).collect(), vocabulary);
    NameKey { formal, literal: sorted_ids(literal, vocabulary) }
}

/// Words compared at most per name (a bound on the work per pair).
const MAX_TOKENS: usize = 6;

/// Word similarities remembered between pairs (names repeat their words).
const CACHE_LIMIT: usize = 1 << 22;

/// Name similarity with a memory of word pairs; one per thread.
pub struct Similarity<'v> {
    vocabulary: &'v Vocabulary,
    cache: FxHashMap<u64, f64>,
}

impl<'v> Similarity<'v> {
    pub fn new(vocabulary: &'v Vocabulary) -> Similarity<'v> {
        Similarity { vocabulary, cache: FxHashMap::default() }
    }

    pub fn vocabulary(&self) -> &'v Vocabulary {
        self.vocabulary
    }

    fn words(&mut self, a: u32, b: u32) -> f64 {
        if a == b {
            return 1.0;
        }
        let key = (u64::from(a.min(b)) << 32) | u64::from(a.max(b));
        if let Some(&s) = self.cache.get(&key) {
            return s;
        }
        let s = strsim::jaro_winkler(self.vocabulary.word(a.min(b)), self.vocabulary.word(a.max(b)));
        if self.cache.len() >= CACHE_LIMIT {
            self.cache.clear();
        }
        self.cache.insert(key, s);
        s
    }

    /// Jaro-Winkler per word, words paired best first (each used once); the
    /// weakest pair of the shorter name's words is the name's similarity.
    /// Every word must be close: a shared first name does not make "austin
    /// king" like "austin hill" (0.5), one slip in a word does (0.95).
    fn keys(&mut self, a: &[u32], b: &[u32]) -> f64 {
        let (a, b) = (&a[..a.len().min(MAX_TOKENS)], &b[..b.len().min(MAX_TOKENS)]);
        let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
        if short.is_empty() {
            return 0.0;
        }
        let mut scores = [[0.0f64; MAX_TOKENS]; MAX_TOKENS];
        for (i, &s) in short.iter().enumerate() {
            for (j, &l) in long.iter().enumerate() {
                scores[i][j] = self.words(s, l);
            }
        }
        let (mut used_short, mut used_long) = ([false; MAX_TOKENS], [false; MAX_TOKENS]);
        let mut weakest = 1.0f64;
        for _ in 0..short.len() {
            let mut best = (-1.0, 0, 0);
            for i in (0..short.len()).filter(|i| !used_short[*i]) {
                for j in (0..long.len()).filter(|j| !used_long[*j]) {
                    if scores[i][j] > best.0 {
                        best = (scores[i][j], i, j);
                    }
                }
            }
            used_short[best.1] = true;
            used_long[best.2] = true;
            weakest = weakest.min(best.0);
        }
        weakest
    }

    /// Similarity of two names in [0, 1]: the better of the formal and the
    /// literal comparison; 0 when either name is empty.
    pub fn names(&mut self, left: &NameKey, right: &NameKey) -> f64 {
        let formal = self.keys(&left.formal, &right.formal);
        if formal == 1.0 || (left.literal == left.formal && right.literal == right.formal) {
            return formal;
        }
        formal.max(self.keys(&left.literal, &right.literal))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_nickname_table_is_sorted_for_binary_search() {
        assert!(NICKNAMES.windows(2).all(|w| w[0].0 < w[1].0));
    }

    fn key(raw: &str, v: &mut Vocabulary) -> NameKey {
        name_key(raw, v)
    }

    #[test]
    fn name_keys_ignore_order_case_punctuation_initials_and_nicknames() {
        let mut v = Vocabulary::default();
        let mut formal = |raw: &str| {
            let k = key(raw, &mut v);
            v.text(&k.formal)
        };
        assert_eq!(formal("SMITH, JONATHAN"), "jonathan smith");
        assert_eq!(formal("Jon Smith"), "jonathan smith");
        assert_eq!(formal("  Dr. Jonathan A. Smith Jr "), "jonathan smith");
        assert_eq!(formal("Bill O'Brien"), "o'brien william");
        assert_eq!(formal("  ,. "), "");
        let k = key("Jon Smith", &mut v);
        assert_eq!(v.text(&k.literal), "jon smith");
    }

    #[test]
    fn similarity_is_the_weakest_word_pair_by_jaro_winkler() {
        let mut v = Vocabulary::default();
        let pairs = [
            ("Jon Smith", "SMITH, JONATHAN"),
            ("", "Jon Smith"),
            ("Martha Smith", "Smith Marhta"),
            ("Austin King", "HILL, AUSTIN"),
            ("Jerry Lopez", "Jerrry Lopez"),
            ("Mary Ann Smith", "Smith, Mary"),
        ];
        let keys: Vec<(NameKey, NameKey)> = pairs.iter().map(|(a, b)| (key(a, &mut v), key(b, &mut v))).collect();
        let mut sim = Similarity::new(&v);
        let s: Vec<f64> = keys.iter().map(|(a, b)| sim.names(a, b)).collect();
        assert_eq!(s[0], 1.0);
        assert_eq!(s[1], 0.0);
        // "martha" / "marhta": the textbook Jaro-Winkler example, 0.961111.
        assert!((s[2] - 0.961_111).abs() < 1e-6);
        // A shared first name is not enough: king / hill score 0.5 (one letter in place).
        assert_eq!(s[3], 0.5);
        // A misspelled nickname compares as written: jerry / jerrry 0.9667.
        assert!((s[4] - 0.966_667).abs() < 1e-6);
        // Extra words of the longer name do not count against it.
        assert_eq!(s[5], 1.0);
        // The cache answers the same.
        assert_eq!(sim.names(&keys[4].0, &keys[4].1), s[4]);
    }
}
