//! The search index and the pages that must scale (issue #21), on generated sites: a build after
//! one edit rewrites only the index files the edit touches; the year and home pages grow per
//! agency within what the size targets allow.

mod common;
#[path = "../benches/gen_site.rs"]
mod gen_site;

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::time::SystemTime;

use common::TempSite;

fn generated(reports: usize) -> TempSite {
    let dir = tempfile::tempdir().unwrap();
    gen_site::generate(dir.path(), reports);
    TempSite { dir }
}

/// Every file under `dir`: relative path → (modification time, bytes).
fn files(dir: &Path) -> BTreeMap<String, (SystemTime, Vec<u8>)> {
    common::snapshot(dir)
        .into_iter()
        .map(|(rel, bytes)| {
            let modified = fs::metadata(dir.join(&rel)).unwrap().modified().unwrap();
            (rel.replace('\\', "/"), (modified, bytes))
        })
        .collect()
}

#[test]
fn one_edit_rewrites_only_the_index_files_it_touches() {
    let site = generated(200);
    site.build_ok();
    let before = files(&site.path("public"));
    let shards = before.keys().filter(|p| p.starts_with("search/s/")).count();
    assert!(shards >= 16, "{shards} shards");
    // File times have a granularity: let a rewrite show.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    site.edit(
        "content/agency-00004/2015/report.md",
        "## 一、总体情况\n\n",
        "## 一、总体情况\n\n本年度开展了鹳雀楼修缮公开。\n\n",
    );
    site.build_ok();
    let after = files(&site.path("public"));
    assert_eq!(before.keys().collect::<Vec<_>>(), after.keys().collect::<Vec<_>>(), "the same files");
    let rewritten: Vec<&String> = after.keys().filter(|p| after[*p].0 != before[*p].0).collect();
    let changed: Vec<&String> = after.keys().filter(|p| after[*p].1 != before[*p].1).collect();
    // Only what changed was written again: no index file rewritten with the same bytes.
    let index = |p: &&&String| p.starts_with("search/");
    assert_eq!(
        rewritten.iter().filter(index).collect::<Vec<_>>(),
        changed.iter().filter(index).collect::<Vec<_>>(),
        "index files rewritten vs changed"
    );
    // The pack of the edited report's text, and the shards of its new tokens: a few, not all.
    let packs: Vec<&&String> = changed.iter().filter(|p| p.starts_with("search/d/")).collect();
    assert!(packs.len() == 1 && packs[0].starts_with("search/d/2015/"), "one pack, of 2015: {packs:?}");
    assert!(common::search_pack(&after[*packs[0]].1).contains("鹳雀楼修缮"), "{packs:?}");
    let shards_changed = changed.iter().filter(|p| p.starts_with("search/s/")).count();
    assert!((1..shards / 2).contains(&shards_changed), "{shards_changed} of {shards} shards changed");
    assert!(!changed.iter().any(|p| *p == "search/meta.json"), "meta.json changed");

    // The shards were patched from the previous build's files, not made again: after more edits,
    // one of which takes a word back out, they are what a fresh build makes of the same sources.
    site.edit("content/agency-00004/2015/report.md", "本年度开展了鹳雀楼修缮公开。\n\n", "");
    site.edit(
        "content/agency-00007/2020/report.md",
        "## 一、总体情况\n\n",
        "## 一、总体情况\n\n鹳雀楼与黄鹤楼。XK7391\n\n",
    );
    site.build_ok();
    site.build_ok();
    let patched = files(&site.path("public"));
    let fresh = site.path("fresh");
    let run = site.run(&["build", "--out", fresh.to_str().unwrap()]);
    assert!(run.success, "{}", run.stderr);
    let fresh = files(&fresh);
    let index = |files: &BTreeMap<String, (SystemTime, Vec<u8>)>| -> Vec<(String, Vec<u8>)> {
        files.iter().filter(|(p, _)| p.starts_with("search/")).map(|(p, (_, b))| (p.clone(), b.clone())).collect()
    };
    assert!(index(&patched) == index(&fresh), "the patched index differs from a fresh build's");
}

#[test]
fn an_output_of_another_numbering_is_not_patched() {
    let site = generated(60);
    let (a, b) = (site.path("a"), site.path("b"));
    let build = |out: &Path| {
        let run = site.run(&["build", "--out", out.to_str().unwrap()]);
        assert!(run.success, "{}", run.stderr);
    };
    build(&a);
    // Weighed to the end of the site's order, the agency's reports are numbered last: `b` and the
    // kept state number the documents otherwise than `a` does, with as many documents.
    site.edit("content/agency-00000/agency.toml", "weight = 10", "weight = 99");
    build(&b);
    site.edit("content/agency-00001/2015/report.md", "## 一、总体情况\n\n", "## 一、总体情况\n\n鹳雀楼修缮。\n\n");
    build(&a);
    let fresh = site.path("fresh");
    fs::remove_file(site.path(".portal-cache/state.bin")).unwrap();
    build(&fresh);
    let index = |dir: &Path| -> Vec<(String, Vec<u8>)> {
        files(dir).into_iter().filter(|(p, _)| p.starts_with("search/")).map(|(p, (_, b))| (p, b)).collect()
    };
    assert!(index(&a) == index(&fresh), "the index of `a` differs from a fresh build's");
}

#[test]
fn packs_made_beside_the_index_are_the_packs_made_one_by_one() {
    // 30 agencies of 20 years: the index reads them in two chunks, the first ending with a group of
    // agencies, and makes every pack from its own reading of the texts.
    let site = generated(600);
    site.build_ok();
    // More packs edited than a patch takes: the next build makes each edited pack on its own, as it
    // makes any file, and the index from every text.
    let mut edited = 0;
    for agency in (0..30).step_by(4) {
        for year in 2005..2014 {
            let path = site.path(&format!("content/agency-{agency:05}/{year}/report.md"));
            let text = fs::read_to_string(&path).unwrap();
            fs::write(&path, format!("{text}\n本年度开展了鹳雀楼修缮公开（{agency}，{year}）。\n")).unwrap();
            edited += 1;
        }
    }
    assert!(edited > 64, "{edited} packs edited");
    site.build_ok();
    let one_by_one = files(&site.path("public"));
    fs::remove_file(site.path(".portal-cache/state.bin")).unwrap();
    let fresh = site.path("fresh");
    let run = site.run(&["build", "--out", fresh.to_str().unwrap()]);
    assert!(run.success, "{}", run.stderr);
    let beside = files(&fresh);
    let packs = |files: &BTreeMap<String, (SystemTime, Vec<u8>)>| -> BTreeMap<String, Vec<u8>> {
        files.iter().filter(|(p, _)| p.starts_with("search/")).map(|(p, (_, b))| (p.clone(), b.clone())).collect()
    };
    let (one_by_one, beside) = (packs(&one_by_one), packs(&beside));
    assert_eq!(one_by_one.keys().collect::<Vec<_>>(), beside.keys().collect::<Vec<_>>(), "the same files");
    let differ: Vec<&String> = one_by_one.keys().filter(|p| one_by_one[*p] != beside[*p]).collect();
    assert!(differ.is_empty(), "made otherwise beside the index: {differ:?}");
    let found =
        beside.iter().filter(|(p, b)| p.starts_with("search/d/") && common::search_pack(b).contains("鹳雀楼修缮公开"));
    assert_eq!(found.count(), edited, "packs with an edit");
}
