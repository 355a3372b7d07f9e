//! What a visitor's browser downloads for a search, replayed over a built
//! site's `search/` files as `themes/default/static/assets/search.js` fetches
//! them (docs/search.md): the page, its script and `meta.json` once (the
//! fixed payload), then per query the shard of each of its tokens, the table
//! labels if a token is marked as in them, and the text packs of the
//! candidates, best first, in batches of ten, until ten are confirmed (every
//! word's runs found in the text or the table labels) or none are left; a
//! pack is fetched once. Byte counts are file lengths (what a server sends without
//! compression); the browser gate runs the script itself, this only counts.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

use unicode_normalization::UnicodeNormalization;

/// Bytes fetched for one query.
pub struct QueryBytes {
    pub query: String,
    pub shards: u64,
    /// `labels.txt`, fetched when a token of the query is in the table labels.
    pub labels: u64,
    /// The text packs fetched.
    pub documents: u64,
    /// Candidates whose text was read, and the packs fetched for them.
    pub documents_fetched: usize,
    pub packs_fetched: usize,
    pub results: usize,
}

impl QueryBytes {
    pub fn total(&self) -> u64 {
        self.shards + self.labels + self.documents
    }
}

/// A built site's index, read as the browser reads it.
pub struct Index<'a> {
    dir: &'a Path,
    docs: u32,
    shards: u32,
    /// Agencies per text pack.
    pack: u32,
    labels: String,
    /// Per agency its first document and years as runs: a document's year, which breaks ties.
    /// (meta.json has the runs; the first document is the count before, as search.js sums it.)
    agencies: Vec<(u32, Vec<u16>)>,
}

impl<'a> Index<'a> {
    /// `out/search/`'s meta, and the fixed payload: `search.js` and `meta.json` (the script and
    /// metadata), then the search page.
    pub fn open(out: &'a Path, search: &'a Path) -> (Self, [u64; 3]) {
        let meta_bytes = fs::read(search.join("meta.json")).expect("search/meta.json");
        let meta: serde_json::Value = serde_json::from_slice(&meta_bytes).expect("meta.json is JSON");
        let number = |k: &str| meta[k].as_u64().unwrap_or_else(|| panic!("meta.json: {k}")) as u32;
        let agencies = meta["agencies"]
            .as_array()
            .expect("meta.json: agencies")
            .iter()
            .scan(0u32, |first, a| {
                let runs: Vec<u16> =
                    a[1].as_array().expect("runs").iter().map(|v| v.as_u64().expect("year") as u16).collect();
                let start = *first;
                *first += runs.chunks(2).map(|r| u32::from(r[1])).sum::<u32>();
                Some((start, runs))
            })
            .collect();
        let labels = fs::read_to_string(search.join("labels.txt")).expect("search/labels.txt");
        let index = Index {
            dir: search,
            docs: number("docs"),
            shards: number("shards"),
            pack: number("pack"),
            labels: fold(&labels),
            agencies,
        };
        let len = |p: &Path| fs::metadata(p).unwrap_or_else(|e| panic!("{}: {e}", p.display())).len();
        let fixed =
            [len(&out.join("assets").join("search.js")), meta_bytes.len() as u64, len(&search.join("index.html"))];
        (index, fixed)
    }

    /// Replays one query with no filter.
    pub fn query(&self, query: &str) -> QueryBytes {
        let words = parse(query);
        let mut shard_files: BTreeSet<u32> = BTreeSet::new();
        let mut postings = Vec::new();
        let mut missing = false;
        let tokens: BTreeSet<&String> = words.iter().flat_map(|w| &w.tokens).collect();
        let mut cache: BTreeMap<u32, BTreeMap<String, Postings>> = BTreeMap::new();
        for token in tokens {
            let n = shard_of(token, self.shards);
            shard_files.insert(n);
            let shard = cache.entry(n).or_insert_with(|| self.read_shard(n));
            match shard.get(token.as_str()) {
                Some(p) => postings.push(p.clone()),
                None => missing = true,
            }
        }
        let shards = shard_files.iter().map(|n| self.file_len(&format!("s/{n}.bin"))).sum();
        let labels = if postings.iter().any(|p| p.table) { self.file_len("labels.txt") } else { 0 };
        let found = if missing { Vec::new() } else { self.candidates(&postings) };
        let (mut documents, mut fetched, mut results) = (0, 0, 0);
        let mut packs: BTreeMap<String, BTreeMap<u32, String>> = BTreeMap::new();
        for batch in found.chunks(10) {
            if results >= 10 {
                break;
            }
            for &d in batch {
                let (agency, year) = self.info(d);
                let file = format!("d/{year}/{}.txt", agency as u32 / self.pack);
                if !packs.contains_key(&file) {
                    documents += self.file_len(&file);
                    packs.insert(file.clone(), read_pack(&fs::read(self.dir.join(&file)).expect("text pack")));
                }
                fetched += 1;
                let text = fold(packs[&file].get(&d).expect("the pack holds the document"));
                if results < 10 && confirmed(&words, &text, &self.labels) {
                    results += 1;
                }
            }
        }
        QueryBytes {
            query: query.to_owned(),
            shards,
            labels,
            documents,
            documents_fetched: fetched,
            packs_fetched: packs.len(),
            results,
        }
    }

    fn file_len(&self, name: &str) -> u64 {
        fs::metadata(self.dir.join(name)).map(|m| m.len()).unwrap_or(0)
    }

    fn read_shard(&self, n: u32) -> BTreeMap<String, Postings> {
        let bytes = fs::read(self.dir.join(format!("s/{n}.bin"))).unwrap_or_default();
        let mut at = 0;
        let mut tokens = BTreeMap::new();
        while at < bytes.len() {
            let len = varint(&bytes, &mut at) as usize;
            let text = String::from_utf8(bytes[at..at + len].to_vec()).expect("UTF-8 token");
            at += len;
            let table = bytes[at] == 1;
            at += 1;
            let title = read_list(&bytes, &mut at, self.docs);
            let body = read_list(&bytes, &mut at, self.docs);
            tokens.insert(text, Postings { table, title, body });
        }
        tokens
    }

    /// Documents with every token, best first: score 3 a title, 2 the narrative, 1 the table
    /// labels; then the newer year; then site order (as search.js).
    fn candidates(&self, lists: &[Postings]) -> Vec<u32> {
        let fields: Vec<(BTreeMap<u32, u32>, u32)> = lists
            .iter()
            .map(|p| {
                let mut field: BTreeMap<u32, u32> = p.body.iter().map(|&d| (d, 2)).collect();
                field.extend(p.title.iter().map(|&d| (d, 3)));
                (field, u32::from(p.table))
            })
            .collect();
        let strict = fields.iter().filter(|(_, fallback)| *fallback == 0).min_by_key(|(f, _)| f.len());
        let base: Vec<u32> = match strict {
            Some((field, _)) => field.keys().copied().collect(),
            None => (0..self.docs).collect(),
        };
        let mut out: Vec<(u32, u16, u32)> = base
            .into_iter()
            .filter_map(|d| {
                let score = fields.iter().try_fold(0, |sum, (field, fallback)| {
                    let s = field.get(&d).copied().unwrap_or(*fallback);
                    (s > 0).then_some(sum + s)
                })?;
                Some((score, self.info(d).1, d))
            })
            .collect();
        out.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.cmp(&a.1)).then(a.2.cmp(&b.2)));
        out.into_iter().map(|(_, _, d)| d).collect()
    }

    /// Document `d`'s agency (its index) and year.
    fn info(&self, d: u32) -> (usize, u16) {
        let i = self.agencies.partition_point(|(first, _)| *first <= d).saturating_sub(1);
        let (first, runs) = &self.agencies[i];
        let mut k = d - first;
        for run in runs.chunks(2) {
            if k < u32::from(run[1]) {
                return (i, run[0] + k as u16);
            }
            k -= u32::from(run[1]);
        }
        (i, 0)
    }
}

#[derive(Clone)]
struct Postings {
    table: bool,
    title: Vec<u32>,
    body: Vec<u32>,
}

struct Word {
    tokens: Vec<String>,
    phrases: Vec<String>,
    whole: Option<String>,
}

/// A text pack's documents by id: UTF-16LE after its byte-order mark, a first line of ids and
/// lengths (in UTF-16 units), then the documents.
fn read_pack(bytes: &[u8]) -> BTreeMap<u32, String> {
    let units: Vec<u16> = bytes.chunks_exact(2).skip(1).map(|u| u16::from_le_bytes([u[0], u[1]])).collect();
    let end = units.iter().position(|&u| u == u16::from(b'\n')).expect("the pack's first line");
    let head: Vec<usize> =
        String::from_utf16(&units[..end]).expect("UTF-16").split(' ').map(|n| n.parse().expect("a number")).collect();
    let mut at = end + 1;
    let mut out = BTreeMap::new();
    for pair in head.chunks(2) {
        out.insert(pair[0] as u32, String::from_utf16(&units[at..at + pair[1]]).expect("UTF-16"));
        at += pair[1];
    }
    out
}

fn is_han(c: char) -> bool {
    matches!(u32::from(c), 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0x2_0000..=0x3_134F)
}

fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii() || is_han(c) {
            out.push(c.to_ascii_lowercase());
        } else {
            out.extend(c.nfkc().map(|c| c.to_ascii_lowercase()));
        }
    }
    out
}

fn parse(query: &str) -> Vec<Word> {
    let mut words = Vec::new();
    for w in fold(query).split_whitespace() {
        let (mut tokens, mut phrases) = (Vec::new(), Vec::new());
        let (mut run, mut han) = (String::new(), Vec::<char>::new());
        let flush_han = |han: &mut Vec<char>, tokens: &mut Vec<String>, phrases: &mut Vec<String>| {
            if han.len() == 1 {
                tokens.push(han[0].to_string());
            }
            for pair in han.windows(2) {
                tokens.push(pair.iter().collect());
            }
            if !han.is_empty() {
                phrases.push(han.iter().collect());
            }
            han.clear();
        };
        let flush_word = |run: &mut String, tokens: &mut Vec<String>, phrases: &mut Vec<String>| {
            if !run.is_empty() {
                tokens.push(run.chars().take(12).collect());
                phrases.push(std::mem::take(run));
            }
        };
        for c in w.chars() {
            if c.is_ascii_digit() || c.is_ascii_lowercase() {
                flush_han(&mut han, &mut tokens, &mut phrases);
                run.push(c);
            } else if is_han(c) {
                flush_word(&mut run, &mut tokens, &mut phrases);
                han.push(c);
            } else {
                flush_word(&mut run, &mut tokens, &mut phrases);
                flush_han(&mut han, &mut tokens, &mut phrases);
            }
        }
        flush_word(&mut run, &mut tokens, &mut phrases);
        flush_han(&mut han, &mut tokens, &mut phrases);
        let whole = (phrases.len() > 1 && phrases.concat() == w).then(|| w.to_owned());
        if !tokens.is_empty() {
            words.push(Word { tokens, phrases, whole });
        }
    }
    words
}

fn confirmed(words: &[Word], text: &str, labels: &str) -> bool {
    words.iter().all(|w| {
        let in_doc = match &w.whole {
            Some(whole) => text.contains(whole.as_str()),
            None => w.phrases.iter().all(|p| text.contains(p.as_str())),
        };
        in_doc || w.phrases.iter().all(|p| labels.contains(p.as_str()))
    })
}

/// The shard file that holds `token` (FNV-1a over code points, as token.rs and search.js).
pub fn shard_of(token: &str, shards: u32) -> u32 {
    let h = token.chars().fold(0x811c_9dc5u32, |h, c| (h ^ u32::from(c)).wrapping_mul(0x0100_0193));
    h % shards.max(1)
}

fn varint(bytes: &[u8], at: &mut usize) -> u64 {
    let (mut v, mut shift) = (0u64, 0);
    loop {
        let b = bytes[*at];
        *at += 1;
        v |= u64::from(b & 0x7f) << shift;
        if b < 0x80 {
            return v;
        }
        shift += 7;
    }
}

fn read_list(bytes: &[u8], at: &mut usize, docs: u32) -> Vec<u32> {
    let n = varint(bytes, at) as usize;
    if n == 0 {
        return Vec::new();
    }
    let (kind, start, end) = (bytes[*at], *at + 1, *at + n);
    *at = end;
    if kind == 1 {
        (0..docs).filter(|&d| bytes[start + (d as usize >> 3)] & (1 << (d & 7)) != 0).collect()
    } else {
        let mut p = start;
        let mut ids = Vec::new();
        let mut doc = 0u32;
        while p < end {
            let v = varint(bytes, &mut p) as u32;
            doc = if ids.is_empty() { v } else { doc + v };
            ids.push(doc);
        }
        ids
    }
}
