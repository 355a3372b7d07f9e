// The search and elder-mode gate of tests/clients.rs, run by that test against a generated site
// served by nginx under its subpath: Debian's headless chromium (driven by playwright-core) types
// queries as a visitor does, and axe-core audits the pages in both modes.
//
// Usage: node search.mjs CONFIG.json. CONFIG: { base, queries: [{ name, q, first?, only?, marks?, none? }],
// ranked: { q, first, second }, yearFilter: { q, year }, regionFilter: { q, region, options, agencies },
// pages: [path], screenshotDir, gates? }. With `gates` (names of the gates below), only those run: the
// bench (benches/portal.rs) runs `queries` alone on a large site to time them.
// `first` and `second` are report paths under base. Prints what it checked; exits 1 after listing
// every failure.
import { readFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const base = new URL(config.base);
const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const TIMEOUT = 15000;

const failures = [];
const fail = (where, what) => failures.push(`${where}: ${what}`);

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--font-render-hinting=none',
  ],
});

try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
  const gates = { queries: typedQueries, ranking, yearFilter, regionFilter, sharedUrl, keyboardOnly, composition };
  for (const [name, gate] of Object.entries(gates)) if (!config.gates || config.gates.includes(name)) await gate(context);
  await context.close();
  if (!config.gates || config.gates.includes('elderMode')) await elderMode();
} finally {
  await browser.close();
}

if (failures.length) {
  console.error(`${failures.length} failure(s):\n${failures.join('\n')}`);
  process.exit(1);
}
console.log('search gates: all passed');

// A page that fails on any script error, failed request, HTTP error, or request that leaves the
// site's subpath on its host.
async function open(context, path, where) {
  const page = await context.newPage();
  page.on('pageerror', (e) => fail(where, `script error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') fail(where, `console error: ${m.text()}`);
  });
  // A request the page dropped as it navigated on (the favicon of a page left at once) is aborted,
  // not failed; a file the server lacks still fails below, by its status.
  page.on('requestfailed', (r) => {
    if (r.failure()?.errorText !== 'net::ERR_ABORTED') fail(where, `request failed: ${r.url()} (${r.failure()?.errorText})`);
  });
  page.on('request', (r) => {
    const u = new URL(r.url());
    if (u.origin !== base.origin || !u.pathname.startsWith(base.pathname)) fail(where, `request outside ${base.href}: ${r.url()}`);
  });
  page.on('response', (r) => {
    if (r.status() >= 400) fail(where, `HTTP ${r.status()} for ${r.url()}`);
  });
  const response = await page.goto(new URL(path, base).href, { waitUntil: 'load' });
  if (!response || response.status() !== 200) fail(where, `status ${response?.status()}`);
  return page;
}

// The status line once the search has settled, and the results shown.
async function settled(page) {
  await page.waitForFunction(
    () => {
      const s = document.getElementById('search-status').textContent;
      return s && s !== '正在搜索……';
    },
    null,
    { timeout: TIMEOUT },
  );
  return page.evaluate(() => ({
    status: document.getElementById('search-status').textContent,
    results: [...document.querySelectorAll('#search-results > li')].map((li) => ({
      href: li.querySelector('h2 a').getAttribute('href'),
      path: new URL(li.querySelector('h2 a').href).pathname,
      title: li.querySelector('h2').textContent,
      meta: li.querySelector('.result-meta').textContent,
      snippet: li.querySelector('.snippet').textContent,
      marks: [...li.querySelectorAll('mark')].map((m) => m.textContent),
    })),
  }));
}

function path(report) {
  return base.pathname + report;
}

// Types q as a visitor does; the results, and the time from the last key until they settled
// (which includes the script's 100 ms pause after typing). Printed, not a gate: the speed target is
// for a large site, and a test is not a benchmark.
async function typeQuery(page, q) {
  await page.locator('#search-q').fill('');
  await page.locator('#search-q').pressSequentially(q);
  const t0 = Date.now();
  // Results come as one types (after a pause); the status then settles.
  await page.waitForFunction(
    (q) => {
      const s = document.getElementById('search-status').textContent;
      return new URL(location.href).searchParams.get('q') === q && s && s !== '正在搜索……';
    },
    q,
    { timeout: TIMEOUT },
  );
  const ms = Date.now() - t0;
  const got = await settled(page);
  got.ms = ms;
  return got;
}

async function typedQueries(context) {
  const page = await open(context, 'search/', 'search/');
  for (const c of config.queries) {
    const where = `search/ query ${c.name} “${c.q}”`;
    const got = await typeQuery(page, c.q);
    const ms = got.ms;
    if (c.none) {
      if (got.results.length) fail(where, `expected no result, got ${got.results.map((r) => r.path).join(', ')}`);
      if (!got.status.startsWith('未找到包含“') || !got.status.includes(c.q)) fail(where, `no clear message: “${got.status}”`);
      console.log(`${where}: no result, “${got.status}”`);
      continue;
    }
    if (!got.results.length) {
      fail(where, `no result (status “${got.status}”)`);
      continue;
    }
    if (c.first && got.results[0].path !== path(c.first)) {
      fail(where, `expected ${path(c.first)} first, got ${got.results.map((r) => r.path).join(', ')}`);
    }
    if (c.only && got.results.length !== 1) fail(where, `expected one result, got ${got.results.length}`);
    // Every result shows a snippet with the query's words marked; the first, each word whole.
    for (const r of got.results) {
      if (!r.marks.length) fail(where, `result ${r.path} has no marked match`);
      if (c.marks && r === got.results[0] && !c.marks.every((m) => r.marks.includes(m))) {
        fail(where, `first result marks ${JSON.stringify(r.marks)}, expected ${JSON.stringify(c.marks)} among them`);
      }
      if (!/^.+ · \d{4}年$/.test(r.meta)) fail(where, `result ${r.path}: meta “${r.meta}” is not “agency · year”`);
    }
    console.log(`${where}: ${got.results.length} shown, first ${got.results[0].path}, marks ${JSON.stringify(got.results[0].marks)} (${ms} ms after the last key)`);
  }
  await page.close();
}

// A word in a report's title ranks above the same word in a newer report's narrative.
async function ranking(context) {
  const where = `search/ ranking “${config.ranked.q}”`;
  const page = await open(context, 'search/', where);
  const got = await typeQuery(page, config.ranked.q);
  const paths = got.results.map((r) => r.path);
  if (paths[0] !== path(config.ranked.first) || paths[1] !== path(config.ranked.second)) {
    fail(where, `expected ${path(config.ranked.first)} (title) then ${path(config.ranked.second)} (narrative), got ${paths.join(', ')}`);
  }
  console.log(`${where}: title match first, then the narrative match`);
  await page.close();
}

async function yearFilter(context) {
  const { q, year } = config.yearFilter;
  const where = `search/ “${q}” filtered to ${year}`;
  const page = await open(context, 'search/', where);
  const all = await typeQuery(page, q);
  if (all.results.every((r) => r.meta.endsWith(`${year}年`))) fail(where, `the unfiltered query should show other years than ${year}`);
  await page.selectOption('#search-year', String(year));
  await page.waitForTimeout(50);
  const got = await settled(page);
  if (!got.results.length) fail(where, `no result (status “${got.status}”)`);
  for (const r of got.results) if (!r.meta.endsWith(`${year}年`)) fail(where, `result of another year: ${r.path} (${r.meta})`);
  const url = new URL(page.url());
  if (url.searchParams.get('year') !== String(year) || url.searchParams.get('q') !== q) fail(where, `URL does not follow: ${page.url()}`);
  console.log(`${where}: ${got.results.length} result(s), all ${year}; URL ${url.pathname}${url.search}`);
  await page.close();
}

// The region filter: its options are the levels of the regions, each indented under its parent;
// choosing a city keeps the results of its agencies only, and the URL follows.
async function regionFilter(context) {
  const { q, region, options, agencies } = config.regionFilter;
  const where = `search/ “${q}” filtered to ${region}`;
  const page = await open(context, 'search/', where);
  const all = await typeQuery(page, q);
  const mine = (r) => agencies.some((a) => r.path.endsWith(`/${a}/`));
  if (all.results.every(mine)) fail(where, `the unfiltered query should show agencies outside ${region}`);
  const shown = await page.evaluate(() => [...document.querySelectorAll('#search-region option')].map((o) => [o.value, o.textContent]));
  for (const [value, text] of options) {
    if (!shown.some(([v, t]) => v === value && t === text)) fail(where, `no option ${JSON.stringify([value, text])} among ${JSON.stringify(shown.slice(0, 8))}`);
  }
  await page.selectOption('#search-region', region);
  await page.waitForTimeout(50);
  const got = await settled(page);
  if (!got.results.length) fail(where, `no result (status “${got.status}”)`);
  for (const r of got.results) if (!mine(r)) fail(where, `result of another region: ${r.path} (${r.meta})`);
  const url = new URL(page.url());
  if (url.searchParams.get('region') !== region || url.searchParams.get('q') !== q) fail(where, `URL does not follow: ${page.url()}`);
  // The shared URL opens filtered.
  await page.goto(url.href, { waitUntil: 'load' });
  const again = await settled(page);
  if ((await page.inputValue('#search-region')) !== region) fail(where, 'the shared URL does not choose the region');
  if (again.results.map((r) => r.path).join() !== got.results.map((r) => r.path).join()) fail(where, 'the shared URL shows other results');
  console.log(`${where}: ${got.results.length} result(s), all of ${agencies.length} agencies; URL ${url.pathname}${url.search}`);
  await page.close();
}

// `search/?q=…` opens with its results, without typing.
async function sharedUrl(context) {
  const c = config.queries.find((q) => q.first);
  const where = `search/?q=${c.q}`;
  const page = await open(context, `search/?q=${encodeURIComponent(c.q)}`, where);
  const got = await settled(page);
  if ((await page.inputValue('#search-q')) !== c.q) fail(where, 'the box does not hold the query');
  if (!got.results.length || got.results[0].path !== path(c.first)) fail(where, `expected ${path(c.first)} first, got ${got.results.map((r) => r.path)}`);
  console.log(`${where}: opens with ${got.results.length} result(s)`);
  await page.close();
}

// Typing through an input method: nothing is searched while it composes (the letters of the pinyin
// are not the query), and the words are searched once they are chosen.
async function composition(context) {
  const c = config.queries.find((q) => q.first);
  const where = 'input method';
  const page = await open(context, 'search/', where);
  await page.evaluate(() => {
    const q = document.getElementById('search-q');
    q.focus();
    q.dispatchEvent(new CompositionEvent('compositionstart', { data: '' }));
    for (const letters of ['zh', 'zheng', 'zhengwu']) {
      q.value = letters;
      q.dispatchEvent(new InputEvent('input', { data: letters, isComposing: true, inputType: 'insertCompositionText' }));
    }
  });
  await page.waitForTimeout(500);
  const composing = await page.evaluate(() => new URL(location.href).searchParams.get('q'));
  if (composing !== null) fail(where, `searched for “${composing}” while the input method was composing`);
  await page.evaluate((words) => {
    const q = document.getElementById('search-q');
    q.value = words;
    q.dispatchEvent(new InputEvent('input', { data: words, isComposing: true, inputType: 'insertCompositionText' }));
    q.dispatchEvent(new CompositionEvent('compositionend', { data: words }));
  }, c.q);
  await page.waitForFunction((q) => new URL(location.href).searchParams.get('q') === q, c.q, { timeout: TIMEOUT });
  const got = await settled(page);
  if (!got.results.length || got.results[0].path !== path(c.first)) {
    fail(where, `after the words were chosen: expected ${path(c.first)} first, got ${got.results.map((r) => r.path)}`);
  }
  console.log(`${where}: nothing searched while composing; “${c.q}” found ${got.results.length} once chosen`);
  await page.close();
}

// From the home page with the keyboard alone: Tab to the header's search box, type, Enter; Tab to
// the first result and follow it with Enter. Every focused control shows a visible focus.
async function keyboardOnly(context) {
  const c = config.queries.find((q) => q.first);
  const where = 'keyboard only';
  const page = await open(context, '', where);
  let reached = false;
  for (let i = 0; i < 30 && !reached; i++) {
    await page.keyboard.press('Tab');
    const focus = await page.evaluate(() => {
      const el = document.activeElement;
      const s = getComputedStyle(el);
      return { id: el.id, tag: el.tagName, outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0, shadow: s.boxShadow !== 'none' };
    });
    if (!focus.outline && !focus.shadow) fail(where, `no visible focus on ${focus.tag}#${focus.id}`);
    reached = focus.id === 'site-search-q';
  }
  if (!reached) {
    fail(where, 'Tab never reached the header search box');
    await page.close();
    return;
  }
  await page.keyboard.type(c.q);
  await Promise.all([page.waitForURL(/\/search\/\?q=/), page.keyboard.press('Enter')]);
  const got = await settled(page);
  if (!got.results.length || got.results[0].path !== path(c.first)) {
    fail(where, `after Enter: expected ${path(c.first)} first, got ${got.results.map((r) => r.path)}`);
    await page.close();
    return;
  }
  let onResult = false;
  for (let i = 0; i < 20 && !onResult; i++) {
    await page.keyboard.press('Tab');
    onResult = await page.evaluate(() => !!document.activeElement.closest('#search-results'));
  }
  if (!onResult) fail(where, 'Tab never reached a result');
  else {
    await Promise.all([page.waitForURL((u) => new URL(u).pathname === path(c.first)), page.keyboard.press('Enter')]);
    console.log(`${where}: home → header box → search/?q= → first result ${new URL(page.url()).pathname}`);
  }
  await page.close();
}

// The elder mode: toggled by its button, remembered on the next pages (localStorage), larger text;
// axe clean in both modes on every page of config.pages (the search page with results among them).
async function elderMode() {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
  const where = 'elder mode';
  const page = await open(context, config.pages[0], where);
  const size = () => page.evaluate(() => parseFloat(getComputedStyle(document.querySelector('main')).fontSize));
  const before = await size();
  for (const mode of ['base', 'elder']) {
    if (mode === 'elder') {
      await page.locator('#elder-toggle').focus();
      await page.keyboard.press('Enter');
      const state = await page.evaluate(() => [document.documentElement.classList.contains('elder'), document.getElementById('elder-toggle').getAttribute('aria-pressed')]);
      if (!state[0] || state[1] !== 'true') fail(where, `the toggle did not switch the mode on: ${state}`);
      const after = await size();
      if (!(after >= before * 1.2)) fail(where, `text is not larger: ${before}px → ${after}px`);
    }
    for (const p of config.pages) {
      await page.goto(new URL(p, base).href, { waitUntil: 'load' });
      if (p.startsWith('search/?')) await settled(page);
      const on = await page.evaluate(() => document.documentElement.classList.contains('elder'));
      if (on !== (mode === 'elder')) fail(`${p} (${mode})`, `elder mode ${on ? 'on' : 'off'}, expected ${mode === 'elder' ? 'on, remembered' : 'off'}`);
      const pressed = await page.getAttribute('#elder-toggle', 'aria-pressed');
      if (pressed !== String(mode === 'elder')) fail(`${p} (${mode})`, `toggle aria-pressed=${pressed}`);
      await axe(page, `${p} (${mode})`);
      if (config.screenshotDir && p.startsWith('search/?')) {
        mkdirSync(config.screenshotDir, { recursive: true });
        await page.screenshot({ path: join(config.screenshotDir, `search-${mode}-1280.png`) });
      }
    }
  }
  // Switched off again, and remembered off.
  await page.locator('#elder-toggle').click();
  await page.goto(new URL(config.pages[0], base).href, { waitUntil: 'load' });
  if (await page.evaluate(() => document.documentElement.classList.contains('elder'))) fail(where, 'switched off, but on again on the next page');
  console.log(`${where}: toggled, remembered across ${config.pages.length} pages, text ${before}px → larger; axe in both modes`);
  await context.close();
}

async function axe(page, where) {
  await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate(async (tags) => await window.axe.run(document, { runOnly: { type: 'tag', values: tags } }), WCAG_TAGS);
  let serious = 0;
  for (const v of result.violations) {
    const targets = v.nodes.slice(0, 5).map((n) => n.target.join(' ')).join(', ');
    const line = `axe ${v.id} (${v.impact}): ${v.help} [${v.nodes.length} node(s): ${targets}]`;
    if (v.impact === 'serious' || v.impact === 'critical') {
      serious++;
      fail(where, line);
    } else console.log(`${where}: note: ${line}`);
  }
  console.log(`${where}: axe ${result.passes.length} rules passed, ${serious} serious or critical`);
}
