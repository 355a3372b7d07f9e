//! The search tokenizer, shared by the index and (in `search.js`) the query:
//! text is normalised character by character (NFKC, which folds full-width
//! forms to half-width, then ASCII lower case); runs of Han characters give
//! every character and every overlapping pair, runs of ASCII letters and
//! digits give one word each, and where such a run mixes letters and digits
//! (`XK7391`, `GB2024`) each run of letters or of digits in it too, so that a
//! query for the number alone finds it. `search.js` implements the same rules
//! (a query word is looked up whole, which the index always holds); the unit
//! tests below pin them with examples the browser gate checks it against.

use unicode_normalization::UnicodeNormalization;

/// A token as a number: a Han character (below 2²¹), a pair of Han
/// characters (first << 21 | second), or an ASCII word of up to
/// [`WORD_MAX`] letters and digits in base 37 with the top bit set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Token(pub(crate) u64);

/// ASCII words are cut to this many characters (the query's the same way), so
/// that every word fits a [`Token`]; the phrase check in the browser then
/// compares the whole word.
pub(crate) const WORD_MAX: usize = 12;

const WORD_BIT: u64 = 1 << 63;

impl Token {
    fn han(c: char) -> Self {
        Token(u64::from(u32::from(c)))
    }

    fn pair(a: char, b: char) -> Self {
        Token(u64::from(u32::from(a)) << 21 | u64::from(u32::from(b)))
    }

    fn word(w: &[u8]) -> Self {
        let n = w.iter().take(WORD_MAX).fold(0u64, |n, &b| n * 37 + digit37(b));
        Token(WORD_BIT | n)
    }

    /// The token's code points, without allocating.
    fn chars(self) -> ([u32; WORD_MAX], usize) {
        let mut out = [0u32; WORD_MAX];
        if self.0 & WORD_BIT != 0 {
            let mut n = self.0 & !WORD_BIT;
            let mut len = 0;
            while n > 0 {
                let d = (n % 37) as u32;
                out[len] = if d <= 10 { u32::from(b'0') + d - 1 } else { u32::from(b'a') + d - 11 };
                len += 1;
                n /= 37;
            }
            out[..len].reverse();
            (out, len)
        } else {
            let (a, b) = ((self.0 >> 21) as u32, (self.0 & 0x1F_FFFF) as u32);
            if a == 0 {
                out[0] = b;
                (out, 1)
            } else {
                out[..2].copy_from_slice(&[a, b]);
                (out, 2)
            }
        }
    }

    /// The token as text: what the shard files hold and the browser looks up.
    pub(crate) fn text(self) -> String {
        let (chars, len) = self.chars();
        chars[..len].iter().filter_map(|&c| char::from_u32(c)).collect()
    }

    /// Which of `shards` shard files holds the token: [`shard_of`] its text.
    pub(crate) fn shard(self, shards: u32) -> u32 {
        // Han characters and pairs, nearly every token, are hashed without spelling them out.
        let (a, b) = ((self.0 >> 21) as u32, (self.0 & 0x1F_FFFF) as u32);
        let hash = match (self.0 & WORD_BIT != 0, a) {
            (true, _) => {
                let (chars, len) = self.chars();
                fnv(chars[..len].iter().copied())
            }
            (false, 0) => fnv([b].into_iter()),
            (false, _) => fnv([a, b].into_iter()),
        };
        hash % shards.max(1)
    }
}

/// FNV-1a (32 bits) over code points.
fn fnv(chars: impl Iterator<Item = u32>) -> u32 {
    let mut h: u32 = 0x811C_9DC5;
    for c in chars {
        h ^= c;
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

/// FNV-1a (32 bits) over the code points of `token`, modulo `shards`.
#[cfg(test)]
pub(crate) fn shard_of(token: &str, shards: u32) -> u32 {
    fnv(token.chars().map(u32::from)) % shards.max(1)
}

/// Base-37 digit of an ASCII letter or digit: `0`..`9` → 1..10, `a`..`z` → 11..36
/// (no digit is 0, so that leading zeros count).
fn digit37(b: u8) -> u64 {
    u64::from(if b.is_ascii_digit() { b - b'0' + 1 } else { b - b'a' + 11 })
}

/// Han ideographs: the unified blocks and their extensions (the same ranges as `search.js`).
pub(crate) fn is_han(c: char) -> bool {
    // The block nearly every character of a report is in, first.
    matches!(u32::from(c), 0x4E00..=0x9FFF | 0x3400..=0x4DBF | 0x2_0000..=0x3_134F)
}

/// Punctuation of Chinese text that NFKC leaves as it is (、。《》「」【】〔〕
/// and the curly quotes): the test below checks each against the table.
const NFKC_UNCHANGED: [std::ops::RangeInclusive<char>; 2] = ['\u{3001}'..='\u{3035}', '\u{2018}'..='\u{201F}'];

/// Feeds `out` the characters of `text` normalised: NFKC per character,
/// ASCII letters lower-cased. Han and ASCII need no table look-up.
#[cfg(test)]
pub(crate) fn normalized(text: &str, mut out: impl FnMut(char)) {
    classified(text, |c, _| out(c));
}

/// [`normalized`], each character with whether it [`is_han`], which the
/// tokenizer asks of each and the normalisation knows for most.
fn classified(text: &str, mut out: impl FnMut(char, bool)) {
    for c in text.chars() {
        if c.is_ascii() {
            out(c.to_ascii_lowercase(), false);
        } else if is_han(c) {
            out(c, true);
        } else if let '\u{FF01}'..='\u{FF5E}' = c {
            // Full-width ASCII: what NFKC makes of it, without the table.
            out(char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c).to_ascii_lowercase(), false);
        } else if NFKC_UNCHANGED.iter().any(|r| r.contains(&c)) {
            // Chinese punctuation and quotes, which NFKC keeps: no table either.
            out(c, false);
        } else {
            std::iter::once(c).nfkc().for_each(|n| out(n.to_ascii_lowercase(), is_han(n)));
        }
    }
}

/// `text` normalised as the tokenizer sees it.
#[cfg(test)]
pub(crate) fn normalize(text: &str) -> String {
    let mut s = String::with_capacity(text.len());
    normalized(text, |c| s.push(c));
    s
}

/// Feeds `out` the tokens of one ASCII word: the word, then, if it mixes
/// letters and digits, each of its runs of letters or of digits.
fn word_tokens(word: &[u8], out: &mut impl FnMut(Token)) {
    out(Token::word(word));
    let splits = word.windows(2).filter(|w| w[0].is_ascii_digit() != w[1].is_ascii_digit()).count();
    if splits == 0 {
        return;
    }
    for run in word.chunk_by(|a, b| a.is_ascii_digit() == b.is_ascii_digit()) {
        out(Token::word(run));
    }
}

/// Feeds `out` every token of `text`, in order, with repeats.
pub(crate) fn tokens(text: &str, mut out: impl FnMut(Token)) {
    let mut word: Vec<u8> = Vec::new();
    let mut prev: Option<char> = None;
    classified(text, |c, han| {
        if c.is_ascii_alphanumeric() {
            word.push(c as u8);
            prev = None;
            return;
        }
        if !word.is_empty() {
            word_tokens(&word, &mut out);
            word.clear();
        }
        if han {
            out(Token::han(c));
            if let Some(p) = prev {
                out(Token::pair(p, c));
            }
            prev = Some(c);
        } else {
            prev = None;
        }
    });
    if !word.is_empty() {
        word_tokens(&word, &mut out);
    }
}

/// The tokens a query word must find, as `search.js` looks them up: a Han
/// run of one character is that character, a longer one its pairs; ASCII
/// words as in [`tokens`].
#[cfg(test)]
pub(crate) fn query_tokens(word: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut run: Vec<char> = Vec::new();
    let flush = |run: &mut Vec<char>, out: &mut Vec<Token>| {
        match run.as_slice() {
            [] => {}
            [c] => out.push(Token::han(*c)),
            more => out.extend(more.windows(2).map(|w| Token::pair(w[0], w[1]))),
        }
        run.clear();
    };
    let mut word_chars: Vec<u8> = Vec::new();
    normalized(word, |c| {
        if c.is_ascii_alphanumeric() {
            flush(&mut run, &mut out);
            word_chars.push(c as u8);
            return;
        }
        if !word_chars.is_empty() {
            out.push(Token::word(&word_chars));
            word_chars.clear();
        }
        if is_han(c) {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
        }
    });
    flush(&mut run, &mut out);
    if !word_chars.is_empty() {
        out.push(Token::word(&word_chars));
    }
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(text: &str) -> Vec<String> {
        let mut out = Vec::new();
        tokens(text, |t| out.push(t.text()));
        out
    }

    #[test]
    fn han_runs_give_characters_and_overlapping_pairs() {
        assert_eq!(texts("政务公开"), ["政", "务", "政务", "公", "务公", "开", "公开"]);
        assert_eq!(texts("年"), ["年"]);
        // Punctuation and spaces end a run: no pair across them.
        assert_eq!(texts("公开，复议"), ["公", "开", "公开", "复", "议", "复议"]);
    }

    #[test]
    fn ascii_words_and_numbers_are_tokens_of_their_own() {
        assert_eq!(texts("2024年GB/T 37668"), ["2024", "年", "gb", "t", "37668"]);
        assert_eq!(texts("收到46件"), ["收", "到", "收到", "46", "件"]);
        assert_eq!(texts("PDF版"), ["pdf", "版"]);
    }

    #[test]
    fn a_word_mixing_letters_and_digits_also_gives_its_runs() {
        assert_eq!(texts("XK7391号"), ["xk7391", "xk", "7391", "号"]);
        assert_eq!(texts("a1b22c"), ["a1b22c", "a", "1", "b", "22", "c"]);
        // A word of one kind is one token, not two.
        assert_eq!(texts("pdf 2024"), ["pdf", "2024"]);
        // Each run is cut to WORD_MAX on its own.
        assert_eq!(texts("abcdefghijklmn7391"), ["abcdefghijkl", "abcdefghijkl", "7391"]);
        // Every query word's tokens are among the text's: the number alone, the whole word, the letters.
        let mut doc = Vec::new();
        tokens("编号为ＸＫ７３９１的申请", |t| doc.push(t));
        for q in ["7391", "XK7391", "xk", "ｘｋ7391", "编号"] {
            for t in query_tokens(q) {
                assert!(doc.contains(&t), "{q}: {}", t.text());
            }
        }
        // Not a substring of a run: "391" is neither a run nor the word.
        assert!(query_tokens("391").iter().all(|t| !doc.contains(t)));
    }

    #[test]
    fn full_width_forms_fold_to_ascii_and_case_to_lower() {
        assert_eq!(texts("２０２４ＧＢ"), ["2024gb", "2024", "gb"]);
        assert_eq!(normalize("ＡＢｃ（１）"), "abc(1)");
        // Compatibility forms NFKC folds: a circled digit, a Roman numeral, an ideographic space.
        assert_eq!(texts("①Ⅻ"), ["1xii", "1", "xii"]);
        assert_eq!(texts("公\u{3000}开"), ["公", "开"]);
        // A compatibility ideograph is its unified one.
        assert_eq!(texts("\u{F900}"), ["\u{8C48}"]);
    }

    #[test]
    fn the_punctuation_passed_without_the_table_is_what_nfkc_keeps() {
        for c in NFKC_UNCHANGED.iter().flat_map(|r| r.clone()) {
            assert_eq!(std::iter::once(c).nfkc().collect::<String>(), c.to_string(), "U+{:04X}", u32::from(c));
            assert!(!is_han(c));
        }
        assert_eq!(normalize("“公开”、《条例》。"), "“公开”、《条例》。");
    }

    #[test]
    fn words_round_trip_through_their_number() {
        for w in ["a", "0", "00", "007", "gb", "z9", "abcdefghijkl"] {
            assert_eq!(Token::word(w.as_bytes()).text(), w, "{w}");
        }
        // Cut to WORD_MAX characters, the query's word the same way.
        assert_eq!(Token::word(b"abcdefghijklmnop").text(), "abcdefghijkl");
        assert_ne!(Token::word(b"0"), Token::word(b"00"));
        assert_ne!(Token::word(b"1"), Token::han('1'));
    }

    #[test]
    fn a_query_word_looks_up_pairs_or_its_one_character() {
        let q = |w: &str| query_tokens(w).into_iter().map(Token::text).collect::<Vec<_>>();
        assert_eq!(q("公开"), ["公开"]);
        assert_eq!(q("年"), ["年"]);
        let mut three = q("行政复议");
        three.sort();
        assert_eq!(three, ["复议", "政复", "行政"]);
        let mut mixed = q("GB公开");
        mixed.sort();
        assert_eq!(mixed, ["gb", "公开"]);
    }

    #[test]
    fn shards_are_fnv1a_over_code_points() {
        // The values search.js computes (pinned: both sides must agree).
        assert_eq!(shard_of("", 1 << 31), 0x811C_9DC5 % (1 << 31));
        assert_eq!(shard_of("a", u32::MAX), 0xE40C_292C);
        assert_eq!(shard_of("公开", 1024), shard_of("公开", 1024));
        for t in [Token::han('公'), Token::pair('公', '开'), Token::word(b"gb2024")] {
            assert_eq!(t.shard(64), shard_of(&t.text(), 64));
        }
        assert_ne!(shard_of("公开", 1 << 20), shard_of("开公", 1 << 20));
    }
}
