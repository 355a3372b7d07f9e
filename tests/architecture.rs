//! The library's floors, checked over the source: every module uses only
//! modules on its own floor or below, and no two modules use each other,
//! directly or round a circle. `docs/architecture.md` shows the same table.
//!
//! A use is any path through `crate::` (in `use` lines and inline) or `super::`
//! that reaches another top-level module, outside comments and unit tests
//! (`#[cfg(test)]`), which may reach anything.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Top-level modules of `src/lib.rs`, floor by floor, lowest first.
const FLOORS: &[&[&str]] = &[
    // Ground: words and the format as data.
    &["text", "format"],
    // What every stage speaks: files read, where things are, settings.
    &["sources", "layout", "config", "markdown"],
    // The site as data, and problems found in it.
    &["diagnostics", "model"],
    // The stages, in the order data flows through them.
    &["load", "publish", "summary", "validate", "compliance", "rank"],
    &["render", "linkcheck", "output"],
    // The pipeline that runs the stages.
    &["pipeline"],
    // What is built on the pipeline: preview, authoring, import.
    &["serve", "author", "scaffold", "import"],
];

fn floor_of(module: &str) -> Option<usize> {
    FLOORS.iter().position(|floor| floor.contains(&module))
}

/// Every `.rs` file under `dir`.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir).expect("src/ is readable").flatten().map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The module path of a file under `src/`: `render/tables.rs` → `[render, tables]`.
fn module_path(rel: &Path) -> Vec<String> {
    let mut parts: Vec<String> = rel.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    if let Some(last) = parts.last_mut() {
        *last = last.trim_end_matches(".rs").to_owned();
    }
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    parts
}

/// The code of a file without comments and without its unit tests.
fn code(text: &str) -> String {
    let text = match text.find("#[cfg(test)]") {
        Some(at) => &text[..at],
        None => text,
    };
    text.lines().map(|line| line.find("//").map_or(line, |at| &line[..at])).collect::<Vec<_>>().join("\n")
}

/// The top-level modules a file's code names, through `crate::` or `super::`.
fn uses(code: &str, module: &[String]) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let ident = |s: &str| -> String { s.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect() };
    // `crate::a`, and each name of a group `crate::{a, b::c}` at its first level.
    for (at, _) in code.match_indices("crate::") {
        let rest = &code[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 0;
            let mut start = true;
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => start = true,
                    c if start && !c.is_whitespace() => {
                        start = false;
                        let name = ident(&group[i..]);
                        if !name.is_empty() {
                            out.insert(name);
                        }
                    }
                    _ => {}
                }
            }
        } else {
            let name = ident(rest);
            if !name.is_empty() {
                out.insert(name);
            }
        }
    }
    // `super::x` from a file whose parent is the crate root names module `x`.
    if module.len() == 1 {
        for (at, _) in code.match_indices("super::") {
            let name = ident(&code[at + "super::".len()..]);
            if !name.is_empty() {
                out.insert(name);
            }
        }
    }
    out
}

/// Top-level module → the other top-level modules it uses.
fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let lib = std::fs::read_to_string(src.join("lib.rs")).expect("src/lib.rs");
    let declared: BTreeSet<String> = lib
        .lines()
        .filter_map(|l| l.trim().split_once("mod ").filter(|(vis, _)| vis.is_empty() || vis.starts_with("pub")))
        .filter_map(|(_, name)| name.strip_suffix(';'))
        .map(str::to_owned)
        .collect();
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut graph: BTreeMap<String, BTreeSet<String>> = declared.iter().map(|m| (m.clone(), BTreeSet::new())).collect();
    for file in files {
        let module = module_path(file.strip_prefix(&src).expect("under src/"));
        let Some(top) = module.first().filter(|m| declared.contains(*m)) else { continue };
        let text = std::fs::read_to_string(&file).expect("readable source");
        for used in uses(&code(&text), &module) {
            if &used != top && declared.contains(&used) {
                graph.get_mut(top).expect("declared").insert(used);
            }
        }
    }
    graph
}

#[test]
fn every_module_has_a_floor() {
    let unplaced: Vec<String> = graph().into_keys().filter(|m| floor_of(m).is_none()).collect();
    assert!(unplaced.is_empty(), "modules of src/lib.rs without a floor in tests/architecture.rs: {unplaced:?}");
}

#[test]
fn no_module_uses_a_higher_floor() {
    let mut upward = Vec::new();
    for (module, used) in graph() {
        let Some(floor) = floor_of(&module) else { continue };
        for other in used {
            if floor_of(&other).is_some_and(|f| f > floor) {
                upward.push(format!("{module} (floor {floor}) uses {other} (floor {:?})", floor_of(&other)));
            }
        }
    }
    assert!(upward.is_empty(), "uses that go up a floor:\n{}", upward.join("\n"));
}

#[test]
fn no_modules_use_each_other() {
    let graph = graph();
    // Depth-first search for a back edge; the path to it is the circle.
    fn visit<'g>(
        module: &'g str,
        graph: &'g BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<&'g str>,
        done: &mut BTreeSet<&'g str>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|m| *m == module) {
            let mut circle: Vec<String> = path[at..].iter().map(|m| (*m).to_owned()).collect();
            circle.push(module.to_owned());
            return Some(circle);
        }
        if !done.insert(module) {
            return None;
        }
        path.push(module);
        for next in graph.get(module).into_iter().flatten() {
            if let Some(circle) = visit(next, graph, path, done) {
                return Some(circle);
            }
        }
        path.pop();
        None
    }
    let mut done = BTreeSet::new();
    for module in graph.keys() {
        if let Some(circle) = visit(module, &graph, &mut Vec::new(), &mut done) {
            panic!("modules that use each other: {}", circle.join(" → "));
        }
    }
}

#[test]
fn the_scanner_sees_uses_and_groups() {
    let code =
        code("use crate::{format::{self, Axis}, model::Site};\nlet x = crate::text::escape(s); // crate::load\n");
    let found: Vec<String> = uses(&code, &["render".to_owned()]).into_iter().collect();
    assert_eq!(found, ["format", "model", "text"]);
    let found: Vec<String> = uses("use super::layout::url;", &["render".to_owned()]).into_iter().collect();
    assert_eq!(found, ["layout"]);
    assert!(uses("use super::tables;", &["render".to_owned(), "page".to_owned()]).is_empty());
}
