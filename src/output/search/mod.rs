//! The static full-text search index (`search/`), read by the theme's
//! `search.js`; see [`docs/search.md`](../../../docs/search.md).
//!
//! - `meta.json`: what every search needs: the number of documents and of
//!   shards, the years, the regions, per agency its region and years, and a
//!   hash of the agencies' order.
//! - `labels.txt`: the formats' table labels, for a query with a token of
//!   them.
//! - `s/<n>.bin`: the postings of the tokens whose [`token::shard_of`] is `n`,
//!   so that a query fetches only the shards of its tokens.
//! - `d/<year>/<group>.txt`: the titles, agencies, addresses and plain texts
//!   (UTF-16) of a pack of documents, one year of [`PACK`] agencies, for the
//!   phrase check, the snippet and the result's line, fetched for the results
//!   shown.
//!
//! Documents are the reports in site order (agency by agency, oldest first).
//! A token's postings are two lists of documents: where it is in the title
//! (the report's title, its agency's name and region) and where it is only in
//! the narrative; a token of the format's table labels is marked as in every
//! document's tables, the lowest rank.

pub(crate) mod token;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use rayon::prelude::*;
use serde::Serialize;

use crate::format::Header;
use crate::layout::url;
use crate::markdown::ReaderText;
use crate::model::{ReportIx, Site};
use token::Token;

/// The folder of the index, under the site root.
pub(crate) const DIR: &str = "search/";

/// The file every search reads first.
pub(crate) const META: &str = "search/meta.json";

/// The table labels, for the phrase check of a word found only there.
pub(crate) const LABELS: &str = "search/labels.txt";

/// Shard `n`'s file.
pub(crate) fn shard_path(n: u32) -> String {
    format!("{DIR}s/{n}.bin")
}

/// Agencies per text pack: a pack holds one year's reports of this many
/// consecutive agencies. Results that tie rank by year, then in site order, so
/// a page of results often shares packs; at most ten packs of about 17 KB are
/// fetched for ten results, and a site has a quarter of the files.
pub(crate) const PACK: usize = 4;

/// A pack of document texts: the reports of `year` of the agencies
/// `group * PACK ..` up to `PACK` of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PackId {
    /// The year of its reports.
    pub year: u16,
    /// Its agencies' indexes divided by [`PACK`].
    pub group: u32,
}

/// Pack `p`'s file.
pub(crate) fn pack_path(p: PackId) -> String {
    format!("{DIR}d/{}/{}.txt", p.year, p.group)
}

/// The pack that holds report `r`'s text.
pub(crate) fn pack_of(site: &Site, r: ReportIx) -> PackId {
    PackId { year: site.report(r).year, group: (r.agency.index() / PACK) as u32 }
}

/// Every pack of `site`, in path order.
pub(crate) fn packs(site: &Site) -> Vec<PackId> {
    let packs: std::collections::BTreeSet<PackId> = site.reports().map(|(r, _)| pack_of(site, r)).collect();
    packs.into_iter().collect()
}

/// Pack `p`'s reports, in site order, each with its document id.
pub(crate) fn pack_members(site: &Site, p: PackId) -> Vec<(u32, ReportIx)> {
    let first = p.group as usize * PACK;
    let mut before: usize = site.agencies[..first.min(site.agencies.len())].iter().map(|a| a.reports.len()).sum();
    let mut out = Vec::with_capacity(PACK);
    for (a, agency) in site.agencies.iter().enumerate().skip(first).take(PACK) {
        if let Some(r) = site.report_of(crate::model::AgencyIx::new(a), p.year) {
            out.push(((before + r.index) as u32, r));
        }
        before += agency.reports.len();
    }
    out
}

/// A pack file: in UTF-16LE after its byte-order mark, a first line of each
/// document's id and length (in UTF-16 units) as decimal pairs, then each
/// document's [`DocText::record`].
pub(crate) fn pack_file(docs: &[(u32, DocText)]) -> Vec<u8> {
    // The records in UTF-16 first, which counts their units for the head. No text takes more
    // UTF-16 units than UTF-8 bytes.
    let mut units: Vec<u16> = Vec::new();
    let mut head: Vec<String> = Vec::with_capacity(docs.len());
    for (id, doc) in docs {
        let start = units.len();
        for piece in doc.record() {
            let at = units.len();
            units.resize(at + piece.len(), 0);
            let written = encoding_rs::mem::convert_str_to_utf16(piece, &mut units[at..]);
            units.truncate(at + written);
        }
        head.push(format!("{id} {}", units.len() - start));
    }
    let head: Vec<u16> = (head.join(" ") + "\n").encode_utf16().collect();
    let mut out = Vec::with_capacity(2 + 2 * (head.len() + units.len()));
    out.extend_from_slice(&UTF16LE_BOM);
    for part in [head, units] {
        let at = out.len();
        out.resize(at + 2 * part.len(), 0);
        for (bytes, unit) in out[at..].chunks_exact_mut(2).zip(&part) {
            bytes.copy_from_slice(&unit.to_le_bytes());
        }
    }
    out
}

/// Document `doc`'s fields from a [`pack_file`]'s bytes; `None` if they are
/// not such a file or it does not hold the document.
pub(crate) fn from_pack(bytes: &[u8], doc: u32) -> Option<DocText> {
    let units = bytes.strip_prefix(&UTF16LE_BOM)?;
    if units.len() % 2 != 0 {
        return None;
    }
    let units: Vec<u16> = units.chunks_exact(2).map(|u| u16::from_le_bytes([u[0], u[1]])).collect();
    let end = units.iter().position(|&u| u == u16::from(b'\n'))?;
    let head = String::from_utf16(&units[..end]).ok()?;
    let numbers: Vec<usize> = head.split(' ').map(str::parse).collect::<Result<_, _>>().ok()?;
    let mut at = end + 1;
    for pair in numbers.chunks(2) {
        let [id, len] = *pair else { return None };
        let record = units.get(at..at.checked_add(len)?)?;
        if id == doc as usize {
            return DocText::from_record(&String::from_utf16(record).ok()?);
        }
        at += len;
    }
    None
}

/// How many shards a site of `docs` documents has: about one per eight
/// documents, a power of two from 16 to 16,384, so that a shard stays a few
/// kilobytes at any size and a query's few shards stay small.
pub(crate) fn shard_count(docs: usize) -> u32 {
    (docs / 8).next_power_of_two().clamp(16, 16_384) as u32
}

/// Report `r`'s document id: its place in site order.
pub(crate) fn doc_id(site: &Site, r: ReportIx) -> u32 {
    let before: usize = site.agencies[..r.agency.index()].iter().map(|a| a.reports.len()).sum();
    (before + r.index) as u32
}

/// Where a token is in one document: title, or narrative only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Title,
    Text,
}

/// A token's documents, each list as delta-encoded LEB128 varints.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Postings {
    /// In every document's table labels.
    table: bool,
    title: List,
    text: List,
}

/// Increasing document ids, delta-encoded.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct List {
    bytes: Vec<u8>,
    /// The last id plus one (0: empty).
    next: u32,
    len: u32,
}

impl List {
    fn push(&mut self, doc: u32) {
        debug_assert!(doc + 1 > self.next || self.len == 0);
        let delta = if self.len == 0 { doc } else { doc - (self.next - 1) };
        varint(&mut self.bytes, delta);
        self.next = doc + 1;
        self.len += 1;
    }

    fn ids(&self) -> Vec<u32> {
        let mut out = Vec::with_capacity(self.len as usize);
        let mut at = 0;
        let mut doc = 0u32;
        while at < self.bytes.len() {
            let (delta, used) = read_varint(&self.bytes[at..]);
            at += used;
            doc = if out.is_empty() { delta } else { doc + delta };
            out.push(doc);
        }
        out
    }

    fn from_ids(ids: &[u32]) -> Self {
        let mut list = List::default();
        ids.iter().for_each(|&d| list.push(d));
        list
    }

    /// The list as the shard file has it: empty, delta varints (kind 0), or a
    /// bitmap of every document (kind 1) where that is shorter.
    fn encode(&self, docs: u32, out: &mut Vec<u8>) {
        if self.len == 0 {
            varint(out, 0);
            return;
        }
        let bitmap = (docs as usize).div_ceil(8);
        if bitmap < self.bytes.len() {
            let mut bits = vec![0u8; bitmap];
            for d in self.ids() {
                bits[d as usize / 8] |= 1 << (d % 8);
            }
            varint(out, bitmap as u32 + 1);
            out.push(1);
            out.extend_from_slice(&bits);
        } else {
            varint(out, self.bytes.len() as u32 + 1);
            out.push(0);
            out.extend_from_slice(&self.bytes);
        }
    }
}

fn varint(out: &mut Vec<u8>, mut v: u32) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn read_varint(bytes: &[u8]) -> (u32, usize) {
    let mut v = 0u32;
    for (i, &b) in bytes.iter().enumerate().take(5) {
        v |= u32::from(b & 0x7F) << (7 * i);
        if b & 0x80 == 0 {
            return (v, i + 1);
        }
    }
    (v, bytes.len())
}

/// A map keyed by tokens, with a hash of one multiply: SipHash, the default,
/// showed in the profile of a build, and the keys come from the site, not an adversary
/// who could choose collisions (the file order does not depend on the hash).
type TokenMap<V> = HashMap<Token, V, std::hash::BuildHasherDefault<TokenHasher>>;

#[derive(Default)]
struct TokenHasher(u64);

impl std::hash::Hasher for TokenHasher {
    fn finish(&self) -> u64 {
        self.0 ^ (self.0 >> 32)
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0 ^ n).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

/// The tokens of one shard, by their text (the order of the file).
pub(crate) type Shard = BTreeMap<String, Postings>;

/// The whole index in memory: each shard's postings. Shared between the
/// previews of `portal serve`, which copy only the shards an edit touches.
#[derive(Debug, Clone)]
pub(crate) struct Index {
    docs: u32,
    shards: Vec<Arc<Shard>>,
}

/// What is indexed of one report: its title field (the title, then its
/// agency's name and region where the title does not hold them) and its
/// narrative as plain text; and what a result shows of it beside them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct DocText {
    pub title: String,
    pub extra: String,
    pub text: String,
    /// The agency's name, shown under the title (not searched: the title
    /// field has it).
    pub agency: String,
    /// The report page's address from the site's root (`2024/slug/`).
    pub link: String,
}

impl DocText {
    /// Report `r`'s fields, from its `report.md` as loaded (`markdown`).
    pub(crate) fn of(site: &Site, r: ReportIx, markdown: &str) -> Self {
        let (agency, report) = (site.agency(r.agency), site.report(r));
        // The stretches the page shows, each parsed for its text alone.
        let mut reader = ReaderText::default();
        for stretch in report.stretches(markdown) {
            if let Some(heading) = stretch.heading {
                reader.heading(heading);
            }
            reader.markdown(stretch.markdown);
        }
        let text = reader.into_string();
        let title = report.title.clone();
        let mut extra = String::new();
        for more in [Some(&agency.info.name), agency.info.region.as_ref()].into_iter().flatten() {
            if !title.contains(more.as_str()) {
                extra.push_str(if extra.is_empty() { "" } else { " " });
                extra.push_str(more);
            }
        }
        let base = &site.config.base_url;
        let link = base.link(&url::report(report.year, &agency.slug));
        let link = link.strip_prefix(&base.link("")).unwrap_or_default().to_owned();
        Self { title, extra, text, agency: agency.info.name.clone(), link }
    }

    /// The fields back from a [`DocText::record`]; `None` if it is not one.
    fn from_record(record: &str) -> Option<Self> {
        let text = record.strip_suffix('\n')?;
        let mut lines = text.splitn(5, '\n');
        let mut line = || lines.next().map(str::to_owned);
        let (title, extra, agency, link) = (line()?, line()?, line()?, line()?);
        Some(Self { title, extra, agency, link, text: line().unwrap_or_default() })
    }

    /// Whether [`from_pack`] gives these fields back: each but the text is
    /// one line.
    pub(crate) fn round_trips(&self) -> bool {
        [&self.title, &self.extra, &self.agency, &self.link].iter().all(|f| !f.contains('\n'))
    }

    /// The document as its pack holds it, a field a line: the title, the
    /// agency and region where the title lacks them, the agency's name, the
    /// page's address, then the text.
    fn record(&self) -> [&str; 10] {
        let line = "\n";
        [&self.title, line, &self.extra, line, &self.agency, line, &self.link, line, self.text.trim_end(), line]
    }
}

/// The byte-order mark of UTF-16LE, which starts a pack file: a browser that
/// opens one directly reads it right. UTF-16, not UTF-8: a Han character takes
/// two bytes instead of three, and the texts are most of the index.
const UTF16LE_BOM: [u8; 2] = [0xFF, 0xFE];

/// A token whose place in a document changed, with the field it is in now
/// (`None`: gone).
type Change = (Token, Option<Field>);

/// The tokens whose place in a document differs between its `old` and `new`
/// text.
fn changes(old: &DocText, new: &DocText) -> Vec<Change> {
    let before: HashMap<Token, Field> = doc_tokens(old).into_iter().collect();
    let after: HashMap<Token, Field> = doc_tokens(new).into_iter().collect();
    let mut out: Vec<Change> =
        before.iter().filter(|(t, f)| after.get(t) != Some(f)).map(|(&t, _)| (t, after.get(&t).copied())).collect();
    out.extend(after.iter().filter(|(t, _)| !before.contains_key(t)).map(|(&t, &f)| (t, Some(f))));
    out
}

/// A shard file read back (the layout of [`Index::shard_file`]) over `docs`
/// documents; `None` if it is not one.
fn read_shard(bytes: &[u8], docs: u32) -> Option<Shard> {
    fn list(bytes: &[u8], at: &mut usize, docs: u32) -> Option<List> {
        let (n, used) = read_varint(bytes.get(*at..)?);
        *at += used;
        if n == 0 {
            return Some(List::default());
        }
        let (kind, data) = (*bytes.get(*at)?, bytes.get(*at + 1..*at + n as usize)?);
        *at += n as usize;
        let ids: Vec<u32> = match kind {
            1 => (0..docs).filter(|&d| data.get(d as usize / 8).is_some_and(|b| b & (1 << (d % 8)) != 0)).collect(),
            0 => {
                let (mut ids, mut p, mut doc) = (Vec::new(), 0, 0u32);
                while p < data.len() {
                    let (delta, used) = read_varint(&data[p..]);
                    p += used;
                    doc = if ids.is_empty() { delta } else { doc.checked_add(delta)? };
                    ids.push(doc);
                }
                ids
            }
            _ => return None,
        };
        Some(List::from_ids(&ids))
    }
    let mut shard = Shard::new();
    let mut at = 0;
    while at < bytes.len() {
        let (len, used) = read_varint(&bytes[at..]);
        at += used;
        let text = std::str::from_utf8(bytes.get(at..at + len as usize)?).ok()?.to_owned();
        at += len as usize;
        let table = *bytes.get(at)? == 1;
        at += 1;
        let (title, text_list) = (list(bytes, &mut at, docs)?, list(bytes, &mut at, docs)?);
        shard.insert(text, Postings { table, title, text: text_list });
    }
    Some(shard)
}

/// One document's tokens, each once, with its best field (the title's,
/// where a token is in both), in the order they first occur. Sets per
/// thread, emptied per document, drop the repeats in one pass, without
/// sorting: a bitmap of code points for single characters, half the tokens,
/// and a [`Seen`] table for the rest.
fn doc_tokens(doc: &DocText) -> Vec<(Token, Field)> {
    thread_local! {
        static SEEN: std::cell::RefCell<(Vec<u64>, Seen)> = std::cell::RefCell::default();
    }
    SEEN.with_borrow_mut(|(chars, seen)| {
        const CHARS: usize = 1 << 21;
        if chars.is_empty() {
            chars.resize(CHARS / 64, 0);
        }
        seen.clear();
        let mut out: Vec<(Token, Field)> = Vec::with_capacity(doc.text.len() / 4);
        let mut add = |t: Token, field| {
            let new = match usize::try_from(t.0).ok().filter(|&c| c < CHARS) {
                Some(c) => {
                    let (word, bit) = (&mut chars[c / 64], 1u64 << (c % 64));
                    let new = *word & bit == 0;
                    *word |= bit;
                    new
                }
                None => seen.insert(t.0),
            };
            if new {
                out.push((t, field));
            }
        };
        token::tokens(&doc.title, |t| add(t, Field::Title));
        token::tokens(&doc.extra, |t| add(t, Field::Title));
        token::tokens(&doc.text, |t| add(t, Field::Text));
        // Emptied for the next document by the characters this one set.
        for (t, _) in &out {
            if let Some(c) = usize::try_from(t.0).ok().filter(|&c| c < CHARS) {
                chars[c / 64] = 0;
            }
        }
        out
    })
}

/// A set of numbers kept from one document to the next and emptied at once:
/// open addressing, each slot marked with the generation that filled it, so
/// that [`Seen::clear`] only starts a new one. A document's pairs are
/// inserted with a multiply and, mostly, one probe; a hash set, cleared per
/// document, cost more and showed in the profile of a build.
#[derive(Default)]
struct Seen {
    keys: Vec<u64>,
    marks: Vec<u32>,
    /// The generation of the present document: a slot of another is empty.
    generation: u32,
    len: usize,
    /// 64 less the number of bits of the table's size: the hash's top bits index it.
    shift: u32,
}

impl Seen {
    fn clear(&mut self) {
        self.len = 0;
        self.generation = self.generation.wrapping_add(1);
        if self.generation == 0 {
            self.marks.fill(0);
            self.generation = 1;
        }
    }

    /// Whether `key` was not in the set yet.
    #[inline]
    fn insert(&mut self, key: u64) -> bool {
        if (self.len + 1) * 2 > self.keys.len() {
            self.grow();
        }
        let mask = self.keys.len() - 1;
        let mut i = (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> self.shift) as usize;
        loop {
            if self.marks[i] != self.generation {
                self.marks[i] = self.generation;
                self.keys[i] = key;
                self.len += 1;
                return true;
            }
            if self.keys[i] == key {
                return false;
            }
            i = (i + 1) & mask;
        }
    }

    /// Doubles the table, keeping the present generation's keys.
    #[cold]
    #[inline(never)]
    fn grow(&mut self) {
        let size = (self.keys.len() * 2).max(1024);
        let keys = std::mem::replace(&mut self.keys, vec![0; size]);
        let marks = std::mem::replace(&mut self.marks, vec![0; size]);
        self.shift = 64 - size.trailing_zeros();
        let generation = std::mem::replace(&mut self.generation, 1);
        self.len = 0;
        for (key, mark) in keys.into_iter().zip(marks) {
            if mark == generation {
                self.insert(key);
            }
        }
    }
}

/// [`table_labels`], the file `labels.txt`: fetched only by a query with a
/// token of the labels.
pub(crate) fn labels_file(site: &Site) -> Vec<u8> {
    let mut labels = table_labels(site);
    labels.push('\n');
    labels.into_bytes()
}

/// Every label of the tables of the formats the site holds, one a line.
pub(crate) fn table_labels(site: &Site) -> String {
    fn walk(headers: &[Header], out: &mut Vec<&'static str>) {
        for h in headers {
            out.push(h.label);
            walk(h.children, out);
        }
    }
    let mut labels = Vec::new();
    let present = |f: &crate::format::FormatId| site.reports().any(|(_, r)| r.format == *f);
    for format in crate::format::FormatId::ALL.iter().filter(|f| present(f)).map(|f| f.format()) {
        for table in format.tables {
            for block in table.blocks {
                labels.extend(block.caption);
                walk(block.columns, &mut labels);
                walk(block.rows, &mut labels);
            }
        }
    }
    let mut seen = std::collections::HashSet::new();
    labels.retain(|l| !l.is_empty() && seen.insert(*l));
    labels.join("\n")
}

/// Each report's [`DocText`], for [`Index::build`]; `None` where its
/// `report.md` could not be read.
pub(crate) type DocOf<'a> = dyn Fn(ReportIx) -> Option<DocText> + Sync + 'a;

/// Where [`Index::build`] hands each pack file it makes.
pub(crate) type PackSink<'a> = dyn Fn(PackId, Vec<u8>) + Sync + 'a;

/// The reports of `site`, by their places in site order, in chunks of a few
/// hundred that end where a group of [`PACK`] agencies does: a chunk holds
/// every report of each pack it has one of.
fn chunks(site: &Site) -> Vec<std::ops::Range<usize>> {
    const CHUNK: usize = 512;
    let (mut out, mut start, mut end) = (Vec::new(), 0, 0);
    for group in site.agencies.chunks(PACK) {
        end += group.iter().map(|a| a.reports.len()).sum::<usize>();
        if end - start >= CHUNK {
            out.push(start..end);
            start = end;
        }
    }
    if end > start {
        out.push(start..end);
    }
    out
}

/// Makes the packs of one chunk of reports (`reports`, the first of which is
/// document `base`) from their texts, and hands them to `sink`.
fn chunk_packs(site: &Site, base: u32, reports: &[ReportIx], texts: Vec<Option<DocText>>, sink: &PackSink<'_>) {
    // In site order, which is the order of a pack's members.
    let mut packs: BTreeMap<PackId, Option<Vec<(u32, DocText)>>> = BTreeMap::new();
    for (i, (&r, text)) in reports.iter().zip(texts).enumerate() {
        let docs = packs.entry(pack_of(site, r)).or_insert_with(|| Some(Vec::new()));
        match (docs.as_mut(), text) {
            (Some(docs), Some(text)) => docs.push((base + i as u32, text)),
            _ => *docs = None,
        }
    }
    let packs: Vec<(PackId, Vec<(u32, DocText)>)> = packs.into_iter().filter_map(|(p, d)| Some((p, d?))).collect();
    packs.into_par_iter().for_each(|(p, docs)| sink(p, pack_file(&docs)));
}

impl Index {
    /// The index of `site`, from each report's [`DocText`] (`doc`: `None`
    /// where its `report.md` could not be read, which the page reports),
    /// asked for a few hundred reports at a time, in parallel. `packs`, if
    /// given, is handed each [`pack_file`] as soon as its reports are read,
    /// so that a build reads each text once for both; a pack with a report
    /// that could not be read is not.
    pub(crate) fn build(site: &Site, doc: &DocOf<'_>, packs: Option<&PackSink<'_>>) -> Self {
        let reports: Vec<ReportIx> = site.reports().map(|(r, _)| r).collect();
        let docs = reports.len() as u32;
        let shards = shard_count(reports.len());
        // Tokenized in parallel, chunk by chunk so that only a chunk's tokens are
        // held at once; merged in document order into GROUPS maps at once, each
        // taking the tokens of its shards.
        const GROUPS: u32 = 8;
        let mut groups: Vec<TokenMap<Postings>> = (0..GROUPS).map(|_| TokenMap::default()).collect();
        for chunk in chunks(site) {
            let chunk_reports = &reports[chunk.clone()];
            // Each report's tokens, ordered by group, and where each group starts.
            type Grouped = (Vec<(Token, Field)>, [usize; GROUPS as usize + 1]);
            let (tokens, texts): (Vec<Grouped>, Vec<Option<DocText>>) = chunk_reports
                .par_iter()
                .map(|&r| {
                    let doc = doc(r);
                    let all = doc.as_ref().map(doc_tokens).unwrap_or_default();
                    // A counting sort by group: each token's shard is hashed once, and nothing is compared.
                    let group: Vec<u8> = all.iter().map(|(t, _)| (t.shard(shards) % GROUPS) as u8).collect();
                    let mut bounds = [0usize; GROUPS as usize + 1];
                    for &g in &group {
                        bounds[g as usize + 1] += 1;
                    }
                    for g in 0..GROUPS as usize {
                        bounds[g + 1] += bounds[g];
                    }
                    let mut next = bounds;
                    let mut sorted = vec![(Token(0), Field::Text); all.len()];
                    for (&g, &token) in group.iter().zip(&all) {
                        sorted[next[g as usize]] = token;
                        next[g as usize] += 1;
                    }
                    ((sorted, bounds), doc.filter(|_| packs.is_some()))
                })
                .unzip();
            let base = chunk.start as u32;
            let mut merge = || {
                groups.par_iter_mut().enumerate().for_each(|(g, map)| {
                    for (i, (doc, bounds)) in tokens.iter().enumerate() {
                        for &(t, field) in &doc[bounds[g]..bounds[g + 1]] {
                            let p = map.entry(t).or_default();
                            match field {
                                Field::Title => p.title.push(base + i as u32),
                                Field::Text => p.text.push(base + i as u32),
                            }
                        }
                    }
                });
            };
            match packs {
                Some(sink) => rayon::join(merge, || chunk_packs(site, base, chunk_reports, texts, sink)).0,
                None => merge(),
            }
        }
        let mut maps: Vec<Shard> = (0..shards).map(|_| Shard::new()).collect();
        for map in groups {
            for (t, p) in map {
                maps[t.shard(shards) as usize].insert(t.text(), p);
            }
        }
        let mut index = Index { docs, shards: maps.into_iter().map(Arc::new).collect() };
        index.mark_labels(&table_labels(site));
        index
    }

    /// Marks every token of `labels` (the format's table labels) as in every
    /// document's tables: the lowest rank, below the title and the narrative.
    fn mark_labels(&mut self, labels: &str) {
        let shards = self.shards.len() as u32;
        token::tokens(labels, |t| {
            let shard = Arc::make_mut(&mut self.shards[t.shard(shards) as usize]);
            shard.entry(t.text()).or_default().table = true;
        });
    }

    /// The index with document `doc` indexed from `new` instead of `old`:
    /// only the shards of tokens that changed are copied.
    pub(crate) fn with_edit(&self, doc: u32, old: &DocText, new: &DocText) -> Self {
        self.with_changes(doc, &changes(old, new))
    }

    /// The index with the [`changes`] of document `doc`'s tokens.
    fn with_changes(&self, doc: u32, changes: &[Change]) -> Self {
        let shards = self.shards.len() as u32;
        let mut index = self.clone();
        for &(t, to) in changes {
            let shard = Arc::make_mut(&mut index.shards[t.shard(shards) as usize]);
            let p = shard.entry(t.text()).or_default();
            for (field, list) in [(Field::Title, &mut p.title), (Field::Text, &mut p.text)] {
                let mut ids = list.ids();
                let at = ids.binary_search(&doc);
                match (at, to == Some(field)) {
                    (Ok(i), false) => _ = ids.remove(i),
                    (Err(i), true) => ids.insert(i, doc),
                    _ => continue,
                }
                *list = List::from_ids(&ids);
            }
            if *p == Postings::default() {
                shard.remove(&t.text());
            }
        }
        index
    }

    /// The files of the shards that change when each document `doc` of
    /// `edits` is indexed from its new text instead of its old, of an index of
    /// `docs` documents: each shard read back from `previous` (its file as the
    /// last build wrote it) and patched. `None` when a shard cannot be read:
    /// then only a whole index will do.
    pub(crate) fn patched_shards(
        docs: u32,
        edits: &[(u32, DocText, DocText)],
        previous: impl Fn(u32) -> Option<Vec<u8>>,
    ) -> Option<BTreeMap<u32, Vec<u8>>> {
        let shards = shard_count(docs as usize);
        let changed: Vec<(u32, Vec<Change>)> = edits.iter().map(|(doc, old, new)| (*doc, changes(old, new))).collect();
        let touched: std::collections::BTreeSet<u32> =
            changed.iter().flat_map(|(_, c)| c).map(|(t, _)| t.shard(shards)).collect();
        let mut index = Index { docs, shards: (0..shards).map(|_| Arc::default()).collect() };
        for &n in &touched {
            index.shards[n as usize] = Arc::new(read_shard(&previous(n)?, docs)?);
        }
        for (doc, c) in &changed {
            index = index.with_changes(*doc, c);
        }
        Some(touched.into_iter().map(|n| (n, index.shard_file(n))).collect())
    }

    /// The number of shards.
    #[cfg(test)]
    pub(crate) fn shards(&self) -> u32 {
        self.shards.len() as u32
    }

    /// Whether shard `n` is the same (shared) in both indexes.
    #[cfg(test)]
    pub(crate) fn shares_shard(&self, other: &Index, n: u32) -> bool {
        match (self.shards.get(n as usize), other.shards.get(n as usize)) {
            (Some(a), Some(b)) => Arc::ptr_eq(a, b),
            _ => false,
        }
    }

    /// Shard `n`'s file: per token, its text (length-prefixed UTF-8), a flag
    /// byte (1: in the table labels), and its title and narrative lists.
    pub(crate) fn shard_file(&self, n: u32) -> Vec<u8> {
        let mut out = Vec::new();
        for (text, p) in self.shards.get(n as usize).map(|s| s.iter()).into_iter().flatten() {
            varint(&mut out, text.len() as u32);
            out.extend_from_slice(text.as_bytes());
            out.push(u8::from(p.table));
            p.title.encode(self.docs, &mut out);
            p.text.encode(self.docs, &mut out);
        }
        out
    }
}

/// `meta.json`: what every search reads first.
#[derive(Serialize)]
struct Meta<'a> {
    /// The index layout's version.
    v: u32,
    docs: u32,
    shards: u32,
    /// Agencies per text pack ([`PACK`]).
    pack: usize,
    /// The years, newest first.
    years: Vec<u16>,
    /// The regions as a tree, in site order: per level its name and its
    /// parent (an index into `regions`, before it, or -1 at the top), so that
    /// a province or city is written once, not in every county's name.
    regions: Vec<(&'a str, i64)>,
    /// Per agency: its region (the index of its deepest level in `regions`,
    /// or -1) and its years as runs `[first, count, …]`; its first document
    /// is the count of those before it. Names and addresses are in the text
    /// packs, fetched for the results shown: this file is a few bytes an
    /// agency.
    agencies: Vec<(i64, Vec<u16>)>,
    /// A hash of the agencies' folders in site order: what the documents'
    /// numbers mean. A build patches the previous build's index only when it
    /// is the same (the rest of this file can be the same for another order).
    order: String,
}

/// `meta.json` of `site`.
pub(crate) fn meta(site: &Site) -> Vec<u8> {
    let mut regions: Vec<(&str, i64)> = Vec::new();
    let mut nodes: HashMap<(i64, &str), i64> = HashMap::new();
    let mut docs = 0u32;
    let agencies = site
        .agencies
        .iter()
        .map(|a| {
            let mut r = -1;
            for level in a.info.region_levels() {
                r = *nodes.entry((r, level)).or_insert_with(|| {
                    regions.push((level, r));
                    regions.len() as i64 - 1
                });
            }
            let mut runs: Vec<u16> = Vec::new();
            for r in &a.reports {
                match runs.len() {
                    n if n >= 2 && runs[n - 2] + runs[n - 1] == r.year => runs[n - 1] += 1,
                    _ => runs.extend([r.year, 1]),
                }
            }
            docs += a.reports.len() as u32;
            (r, runs)
        })
        .collect();
    let shards = shard_count(docs as usize);
    let slugs: Vec<&str> = site.agencies.iter().map(|a| a.slug.as_str()).collect();
    let order = format!("{:016x}", xxhash_rust::xxh3::xxh3_64(slugs.join("/").as_bytes()));
    let meta = Meta { v: 3, docs, shards, pack: PACK, years: site.years(), regions, agencies, order };
    serde_json::to_vec(&meta).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Decodes a shard file back into (token, table, title ids, text ids), as search.js does.
    fn decode(bytes: &[u8], docs: u32) -> Vec<(String, bool, Vec<u32>, Vec<u32>)> {
        let mut out = Vec::new();
        let mut at = 0;
        let list = |at: &mut usize| {
            let (n, used) = read_varint(&bytes[*at..]);
            *at += used;
            if n == 0 {
                return Vec::new();
            }
            let (kind, body) = (bytes[*at], &bytes[*at + 1..*at + n as usize]);
            *at += n as usize;
            if kind == 1 {
                (0..docs).filter(|&d| body[d as usize / 8] & (1 << (d % 8)) != 0).collect()
            } else {
                List { bytes: body.to_vec(), next: 0, len: 1 }.ids()
            }
        };
        while at < bytes.len() {
            let (len, used) = read_varint(&bytes[at..]);
            at += used;
            let text = String::from_utf8(bytes[at..at + len as usize].to_vec()).unwrap();
            at += len as usize;
            let table = bytes[at] == 1;
            at += 1;
            let title = list(&mut at);
            let text_ids = list(&mut at);
            out.push((text, table, title, text_ids));
        }
        out
    }

    fn doc(title: &str, text: &str) -> DocText {
        DocText { title: title.to_owned(), text: text.to_owned(), ..DocText::default() }
    }

    /// An index of `docs` built by hand, as `build` merges them.
    fn index_of(docs: &[DocText]) -> Index {
        let shards = shard_count(docs.len());
        let mut maps: Vec<Shard> = (0..shards).map(|_| Shard::new()).collect();
        for (d, doc) in docs.iter().enumerate() {
            for (t, f) in doc_tokens(doc) {
                let p = maps[t.shard(shards) as usize].entry(t.text()).or_default();
                match f {
                    Field::Title => p.title.push(d as u32),
                    Field::Text => p.text.push(d as u32),
                }
            }
        }
        Index { docs: docs.len() as u32, shards: maps.into_iter().map(Arc::new).collect() }
    }

    fn lookup(index: &Index, token: &str) -> Option<(bool, Vec<u32>, Vec<u32>)> {
        let n = token::shard_of(token, index.shards());
        decode(&index.shard_file(n), index.docs).into_iter().find(|e| e.0 == token).map(|e| (e.1, e.2, e.3))
    }

    #[test]
    fn varints_and_lists_round_trip() {
        for ids in [vec![], vec![0], vec![5], vec![0, 1, 2, 127, 128, 300, 16_384, 2_000_000]] {
            let list = List::from_ids(&ids);
            assert_eq!(list.ids(), ids);
            let mut out = Vec::new();
            list.encode(3_000_000, &mut out);
            let mut again = Vec::new();
            list.encode(3_000_000, &mut again);
            assert_eq!(out, again, "deterministic");
        }
        let mut v = Vec::new();
        varint(&mut v, 300);
        assert_eq!(v, [0xAC, 0x02]);
        assert_eq!(read_varint(&v), (300, 2));
    }

    #[test]
    fn a_dense_list_is_a_bitmap_a_sparse_one_varints() {
        let dense: Vec<u32> = (0..1000).filter(|d| d % 3 != 0).collect();
        let mut out = Vec::new();
        List::from_ids(&dense).encode(1000, &mut out);
        let (n, used) = read_varint(&out);
        assert_eq!((n as usize, out[used]), (125 + 1, 1), "a bitmap of 1,000 documents");
        let mut sparse = Vec::new();
        List::from_ids(&[3, 900]).encode(1000, &mut sparse);
        assert_eq!(sparse, [4, 0, 3, 0x81, 0x07]);
    }

    #[test]
    fn postings_keep_the_best_field_per_document() {
        let index = index_of(&[
            doc("冶源街道2024年度报告", "本年度收到政府信息公开申请46件。"),
            doc("柳山镇2024年度报告", "冶源街道的经验。PDF 文件。"),
            doc("教育局", "没有相关内容"),
        ]);
        assert_eq!(lookup(&index, "冶源"), Some((false, vec![0], vec![1])));
        assert_eq!(lookup(&index, "2024"), Some((false, vec![0, 1], vec![])));
        assert_eq!(lookup(&index, "46"), Some((false, vec![], vec![0])));
        assert_eq!(lookup(&index, "pdf"), Some((false, vec![], vec![1])));
        assert_eq!(lookup(&index, "容"), Some((false, vec![], vec![2])));
        assert_eq!(lookup(&index, "不在"), None);
    }

    #[test]
    fn a_number_in_a_code_is_found_alone_and_whole() {
        let index = index_of(&[doc("甲", "受理编号XK7391的申请"), doc("乙", "编号7391"), doc("丙", "XK-7391")]);
        assert_eq!(lookup(&index, "7391"), Some((false, vec![], vec![0, 1, 2])));
        assert_eq!(lookup(&index, "xk7391"), Some((false, vec![], vec![0])));
        assert_eq!(lookup(&index, "xk"), Some((false, vec![], vec![0, 2])));
    }

    /// What search.js ranks by: the title list (3), the narrative list (2),
    /// the table flag (1); a document is in one list only, its best.
    #[test]
    fn the_encoding_carries_the_three_ranks() {
        let mut index = index_of(&[
            doc("行政复议工作报告", "本年度无行政复议。"),
            doc("年度报告", "收到行政复议申请2件。"),
            doc("年度报告", "无"),
        ]);
        index.mark_labels("行政复议\n结果");
        // In the title and the narrative of document 0: only its title counts.
        assert_eq!(lookup(&index, "复议"), Some((true, vec![0], vec![1])));
        // A label's token that no document has is still there, flagged.
        assert_eq!(lookup(&index, "结果"), Some((true, vec![], vec![])));
        assert_eq!(lookup(&index, "申请"), Some((false, vec![], vec![1])));
        // The labels make no pair across their lines.
        assert_eq!(lookup(&index, "议结"), None);
        // Document 2 has none of it: found only through the table flag, the lowest rank.
        let rank = |d: u32, t: &str| match lookup(&index, t) {
            Some((_, title, _)) if title.contains(&d) => 3,
            Some((_, _, text)) if text.contains(&d) => 2,
            Some((true, _, _)) => 1,
            _ => 0,
        };
        assert_eq!([rank(0, "复议"), rank(1, "复议"), rank(2, "复议")], [3, 2, 1]);
        assert_eq!([rank(0, "申请"), rank(1, "申请"), rank(2, "申请")], [0, 2, 0]);
    }

    #[test]
    fn an_edit_changes_only_the_shards_of_changed_tokens() {
        let docs = vec![doc("甲", "政府信息公开"), doc("乙", "依申请公开")];
        let index = index_of(&docs);
        let edited = index.with_edit(1, &docs[1], &doc("乙", "依申请公开行政复议"));
        let fresh = index_of(&[doc("甲", "政府信息公开"), doc("乙", "依申请公开行政复议")]);
        for n in 0..index.shards() {
            assert_eq!(edited.shard_file(n), fresh.shard_file(n), "shard {n}");
        }
        let changed: Vec<u32> = (0..index.shards()).filter(|&n| !edited.shares_shard(&index, n)).collect();
        let mut expected: Vec<u32> = ["行", "政", "复", "议", "开行", "行政", "政复", "复议"]
            .iter()
            .map(|t| token::shard_of(t, index.shards()))
            .filter(|&n| index.shard_file(n) != fresh.shard_file(n))
            .collect();
        expected.sort();
        expected.dedup();
        assert_eq!(changed, expected);
        // And back: the edit undone is the first index.
        let undone = edited.with_edit(1, &doc("乙", "依申请公开行政复议"), &docs[1]);
        for n in 0..index.shards() {
            assert_eq!(undone.shard_file(n), index.shard_file(n), "shard {n}");
        }
    }

    #[test]
    fn shards_read_back_and_patched_are_a_fresh_index() {
        let mut docs: Vec<DocText> =
            (0..40).map(|i| doc(&format!("机构{i}年度报告"), &format!("依申请公开{i}件，政府信息公开。"))).collect();
        let index = index_of(&docs);
        for n in 0..index.shards() {
            let read = read_shard(&index.shard_file(n), index.docs).expect("a shard file");
            assert_eq!(**index.shards.get(n as usize).unwrap(), read, "shard {n}");
        }
        assert!(read_shard(&[5, b'a'], 40).is_none(), "a cut file");
        // Two documents edited: the patched shards are a fresh index's, and only they change.
        let edits = vec![
            (3, docs[3].clone(), doc("机构3年度报告", "依申请公开3件，行政复议1件。")),
            (17, docs[17].clone(), doc("机构十七年度报告", "依申请公开17件。")),
        ];
        let patched =
            Index::patched_shards(40, &edits, |n| Some(index.shard_file(n))).expect("every shard is readable");
        for (d, _, new) in &edits {
            docs[*d as usize] = new.clone();
        }
        let fresh = index_of(&docs);
        for n in 0..index.shards() {
            match patched.get(&n) {
                Some(bytes) => assert_eq!(*bytes, fresh.shard_file(n), "shard {n}"),
                None => assert_eq!(index.shard_file(n), fresh.shard_file(n), "shard {n} left as it was"),
            }
        }
        assert!(!patched.is_empty() && patched.len() < index.shards() as usize, "{} shards", patched.len());
        assert!(Index::patched_shards(40, &edits, |_| None).is_none(), "a shard that cannot be read");
        let file = pack_file(&[(edits[0].0, edits[0].2.clone())]);
        let back = from_pack(&file, edits[0].0).unwrap();
        assert_eq!((back.title.as_str(), back.text.as_str()), ("机构3年度报告", "依申请公开3件，行政复议1件。"));
    }

    #[test]
    fn a_document_gives_each_token_once_with_its_best_field() {
        // Enough distinct pairs to grow the set several times, with repeats across the fields.
        let text: String = (0..6000u32).map(|i| char::from_u32(0x4E00 + (i * 7919) % 20_000).unwrap()).collect();
        let doc = DocText {
            title: "行政复议年度报告".to_owned(),
            extra: "示例县".to_owned(),
            text: format!("{text}行政复议 GB2024\n{text}"),
            ..DocText::default()
        };
        let mut expected: BTreeMap<Token, Field> = BTreeMap::new();
        for (s, field) in [(&doc.title, Field::Title), (&doc.extra, Field::Title), (&doc.text, Field::Text)] {
            token::tokens(s, |t| _ = expected.entry(t).or_insert(field));
        }
        for _ in 0..3 {
            // The same each time: the set is emptied between documents.
            let got = doc_tokens(&doc);
            assert_eq!(got.len(), expected.len(), "each token once");
            assert_eq!(got.iter().copied().collect::<BTreeMap<_, _>>(), expected);
            assert!(doc_tokens(&DocText { text: "复议".to_owned(), ..DocText::default() }).len() == 3);
        }
    }

    #[test]
    fn the_seen_set_forgets_each_document_and_survives_its_generations_wrapping() {
        let mut seen = Seen::default();
        let keys: Vec<u64> = (0..5000u64).map(|k| k.wrapping_mul(0x1_0000_0001) ^ (k << 40)).collect();
        for round in 0..3 {
            if round == 2 {
                // The next generation is 0: every mark is wiped instead.
                seen.generation = u32::MAX;
            }
            seen.clear();
            assert!(keys.iter().all(|&k| seen.insert(k)), "round {round}: new after clear");
            assert!(keys.iter().all(|&k| !seen.insert(k)), "round {round}: a repeat is seen");
            assert_eq!(seen.len, keys.len());
        }
    }

    #[test]
    fn a_pack_is_utf16_and_reads_back() {
        let doc = |title: &str, text: &str| DocText {
            title: title.to_owned(),
            extra: "示例县 / 𠀀镇".to_owned(),
            text: text.to_owned(),
            agency: "𠀀县民政局".to_owned(),
            link: "2024/min%20zheng/".to_owned(),
        };
        let docs = [
            (7, doc("𠀀县（ＸＫ）2024年度报告", "第一行，OFD格式\n第二行 2024\n\n")),
            (9, doc("乙局2024年度报告", "")),
            (12, doc("丙局2024年度报告", "一 2 三")),
        ];
        let file = pack_file(&docs);
        assert_eq!(file[..2], [0xFF, 0xFE], "starts with the byte-order mark");
        let units: Vec<u16> = file[2..].chunks(2).map(|u| u16::from_le_bytes([u[0], u[1]])).collect();
        let text = String::from_utf16(&units).unwrap();
        let first =
            "𠀀县（ＸＫ）2024年度报告\n示例县 / 𠀀镇\n𠀀县民政局\n2024/min%20zheng/\n第一行，OFD格式\n第二行 2024\n";
        assert!(text.starts_with(&format!("7 {} 9 ", first.encode_utf16().count())), "{text}");
        assert!(text.contains(&format!("\n{first}乙局")), "{text}");
        // Two bytes a Han character (four outside the basic plane), where UTF-8 takes three.
        assert_eq!(file.len(), 2 + 2 * text.encode_utf16().count());
        for (id, d) in &docs {
            let back = from_pack(&file, *id).unwrap();
            assert_eq!(back, DocText { text: d.text.trim_end().to_owned(), ..d.clone() });
        }
        assert!(from_pack(&file, 8).is_none(), "a document the pack does not hold");
        // Not a pack: no mark, an odd length, a lone surrogate, a length past the end, no head.
        let lone = [0xFF, 0xFE, b'7', 0, b' ', 0, b'1', 0, b'\n', 0, 0x00, 0xD8];
        let short = [0xFF, 0xFE, b'7', 0, b' ', 0, b'9', 0, b'\n', 0, b'a', 0];
        for bad in [&file[2..], &file[..file.len() - 1], &lone[..], &short[..], &[0xFF, 0xFE, b'x', 0][..]] {
            assert!(from_pack(bad, 7).is_none(), "{bad:?}");
        }
    }

    #[test]
    fn shards_grow_with_the_documents() {
        assert_eq!(shard_count(0), 16);
        assert_eq!(shard_count(1000), 128);
        assert_eq!(shard_count(10_000), 2048);
        assert_eq!(shard_count(100_000), 16_384);
    }
}
