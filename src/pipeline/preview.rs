//! `portal serve`'s checks: the whole site, then each edited report alone.

use std::collections::HashSet;
use std::path::Path;
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use rayon::prelude::*;

use super::plan::Texts;
use super::{
    BuildError, Discard, Kind, Links, Outcome, Prepared, Reused, check_restoring, keep_state, link_diagnostics, plan,
    prepare_checked, site_file_error, state, timing,
};
use crate::diagnostics::Diagnostics;
use crate::layout::source;
use crate::linkcheck::PageLinks;
use crate::markdown::html::RawHtml;
use crate::output::search;
use crate::publish::Publish;
use crate::sources::{FileId, Sources};
use crate::validate::Review;
use crate::{load, summary, validate};

/// A checked site kept by `portal serve`, with what checking one edited
/// report again needs: the diagnostics of the data (links apart) and what
/// each page left for the link inspection.
pub struct Live {
    /// The checked site, ready to produce any file; the same one the outcome holds.
    pub prepared: Arc<Prepared>,
    sources: Sources,
    data: Diagnostics,
    /// Per file; shared, so that an edit copies only what it changes.
    links: Vec<Arc<PageLinks>>,
    /// The day and drafts the site was checked for.
    publish: Publish,
}

/// Checks the site at `root` as [`super::inspect`] does and keeps it ready to
/// produce any of its files; with it, when the site has no errors, what
/// [`preview_edit`] needs. Like a build, it starts from the state the
/// previous run kept when that applies, and keeps one.
pub fn preview(root: &Path, publish: &Publish) -> (Outcome<Arc<Prepared>>, Option<Live>) {
    let (checked, restored, stamps) = check_restoring(root, publish);
    let (prepared, loaded) = prepare_checked(root, checked);
    let (sources, mut diagnostics) = (prepared.sources, prepared.diagnostics);
    let base_path = prepared.base_path;
    // The narratives are kept: a page asked for while its file is being edited shows the checked version.
    let p = prepared.result.and_then(|mut p| {
        p.texts = Arc::new(Texts::Kept(p.read_texts()?));
        Ok(p)
    });
    let p = match p {
        Ok(p) => p,
        Err(e) => {
            let result = Err(site_file_error(e, &mut diagnostics));
            return (Outcome { sources, diagnostics, base_path, links: None, result }, None);
        }
    };
    let data = diagnostics.clone();
    let entries = p.entries_hash();
    let (mut reused, keep) = Reused::of(&p, restored, entries, false);
    let (links, hashes): (Vec<_>, Vec<_>) =
        match p.produce_all(&Discard, false, reused.as_mut().map(Reused::prior), &super::NoProgress) {
            Ok(made) => made.into_iter().map(|m| (m.links, m.hash)).unzip(),
            Err(e) => {
                let result = Err(site_file_error(e, &mut diagnostics));
                return (Outcome { sources, diagnostics, base_path, links: None, result }, None);
            }
        };
    if keep {
        let (site, sources, loaded, links, hashes, external) = (&p.site, &sources, &loaded, &links, &hashes, false);
        let (day, drafts) = (publish.day_key(), publish.drafts_key(site, &diagnostics));
        keep_state(root, state::Kept { stamps, site, sources, loaded, entries, links, hashes, external, day, drafts });
    }
    let links = links.into_iter().map(Arc::new).collect();
    finish_preview(root, Arc::new(p), sources, data, links, base_path, publish.clone())
}

/// Checks the site again after an edit of `content/<slug>/<year>/` (its
/// `report.md` or `data.toml`) only: that report is read again, its agency
/// and the summaries that count it are validated again, and the pages that
/// show it are inspected again. `None` when the edit needs a full
/// [`preview`]: the report is new or gone, or its files have errors. An edit
/// that breaks a rule or a link gives the failed outcome and no [`Live`], so
/// the next save checks the whole site.
pub fn preview_edit(root: &Path, live: &Live, slug: &str, year: u16) -> Option<(Outcome<Arc<Prepared>>, Option<Live>)> {
    let t = Instant::now();
    let old = &live.prepared;
    let r = old.site.report_of(old.site.find_agency(slug)?, year)?;
    let mut sources = live.sources.clone();
    let summary = old.site.agency(r.agency).info.summary.is_some();
    let (report, loaded) = load::reload_report(root, &mut sources, slug, year, summary, RawHtml::of(&old.site.config));
    // A report that changed format changes what its neighbours' rules, charts and sums see: check all.
    let mut report = report.filter(|n| !loaded.has_errors() && n.format == old.site.report(r).format)?;
    // A report that became a draft, or stopped being one, changes which files the site has.
    let status = live.publish.status(report.status, report.date);
    if status != old.site.report(r).status || live.publish.holds(status) {
        return None;
    }
    report.status = status;
    let text: Arc<str> = Arc::from(load::narrative_text(&report).ok()?);
    let old_text = old.text(r).ok();

    timing("edit: report read", t);
    let mut site = old.site.clone();
    site.agency_mut(r.agency).reports[r.index] = Arc::new(report);
    // Membership comes from agency.toml, which did not change: nor did what summing says about it.
    let (summaries, _) = summary::summarize(&mut site, &sources);
    let affected = plan::counting(&summaries, r.agency);
    // What the checks said about the affected agencies' reports goes; what they say now comes.
    let files: HashSet<FileId> = affected
        .iter()
        .flat_map(|&x| &old.site.agency(x).reports)
        .flat_map(|r| std::iter::once(r.markdown_file).chain(r.data_file))
        .collect();
    let folder = source::report_dir(slug, year);
    let mut data = live.data.clone();
    data.forget(&files, &folder);
    let validation = validate::validate_agencies(&site, &summaries, &sources, &affected);
    data.extend(loaded);
    data.extend(validation.diagnostics);
    let mut review = Review {
        waived: old.review.waived.iter().filter(|w| !affected.contains(&w.agency)).copied().collect(),
        summaries,
        warnings: Default::default(),
    };
    review.waived.extend(validation.waived);
    review.file_warnings(&site, &data);
    data.sort(&sources);
    timing("edit: summed and validated", t);

    let prepared = Prepared {
        site,
        review,
        theme: Arc::clone(&old.theme),
        shared: Arc::clone(&old.shared),
        open: Arc::clone(&old.open),
        entries: Arc::clone(&old.entries),
        decoded: Arc::clone(&old.decoded),
        decoded_set: Arc::clone(&old.decoded_set),
        texts: Arc::new(match &*old.texts {
            Texts::Kept(texts) => {
                let mut texts = texts.clone();
                texts[r.agency.index()][r.index] = text;
                Texts::Kept(texts)
            }
            Texts::Disk => Texts::Disk,
        }),
        report_prints: OnceLock::new(),
        search: OnceLock::new(),
        patched: OnceLock::new(),
    };
    // The index, if made, follows the edit: only the shards of the tokens that changed are copied.
    if let (Some(index), Some(old_text)) = (old.search.get(), old_text) {
        let (before, after) = (
            search::DocText::of(&old.site, r, &old_text),
            search::DocText::of(&prepared.site, r, &prepared.text(r).ok()?),
        );
        let doc = search::doc_id(&prepared.site, r);
        let _ = prepared.search.set(Arc::new(index.with_edit(doc, &before, &after)));
    }
    timing("edit: search index", t);
    let pages = plan::pages_showing(&prepared.site, &prepared.review.summaries, r);
    let inspector = prepared.inspector(false);
    let mut links = live.links.clone();
    let again: Vec<usize> = (0..prepared.entries.len())
        .filter(|&n| match &prepared.entries[n].kind {
            Kind::Page(kind) => pages.contains(kind),
            Kind::Feed => true,
            _ => false,
        })
        .collect();
    let fresh: Vec<Option<PageLinks>> = again
        .par_iter()
        .map(|&n| prepared.produce_inspected(&inspector, &prepared.entries[n], None).ok().and_then(|(_, l)| l))
        .collect();
    for (n, found) in again.into_iter().zip(fresh) {
        links[n] = Arc::new(found?);
    }
    drop(inspector);
    timing("edit: pages inspected", t);
    let base_path = Some(prepared.site.config.base_url.path().to_owned());
    Some(finish_preview(root, Arc::new(prepared), sources, data, links, base_path, live.publish.clone()))
}

/// The outcome of a preview from its parts, and what the next edit needs.
fn finish_preview(
    root: &Path,
    prepared: Arc<Prepared>,
    mut sources: Sources,
    data: Diagnostics,
    links: Vec<Arc<PageLinks>>,
    base_path: Option<String>,
    publish: Publish,
) -> (Outcome<Arc<Prepared>>, Option<Live>) {
    let t = Instant::now();
    let inspection = prepared.inspection(&links);
    let mut diagnostics = data.clone();
    diagnostics.extend(link_diagnostics(&prepared, &inspection, &mut sources, root));
    diagnostics.sort(&sources);
    let found = Some(Links {
        inspection,
        exclude: prepared.site.config.links.exclude.clone(),
        origin: prepared.site.config.base_url.origin().to_owned(),
    });
    if diagnostics.has_errors() {
        let outcome = Outcome { sources, diagnostics, base_path, links: found, result: Err(BuildError::Invalid) };
        return (outcome, None);
    }
    let live = Live { prepared: Arc::clone(&prepared), sources: sources.clone(), data, links, publish };
    timing("preview: links across pages", t);
    (Outcome { sources, diagnostics, base_path, links: found, result: Ok(prepared) }, Some(live))
}
