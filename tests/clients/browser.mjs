// Browser gates of tests/clients.rs, run by that test against the site served by nginx:
// Debian's headless chromium (driven by playwright-core) loads pages, axe-core audits them,
// the section 三 table's headers are checked cell by cell, screenshots are written, and the
// report page is printed to an A4 PDF in which no table row may be cut by a page break.
//
// Pages of the other formats are checked for their own shape (`named`): a 2019-format report's
// tables and section 三 grid, a free-form report's contents from its own headings and its
// attachment.
//
// Usage: node browser.mjs CONFIG.json. CONFIG: { base, pages: [path], screenshots: [{ name, path }],
// screenshotDir, report, pdf, named: [{ path, tables, text?, section3Rows?, toc?, attachment? }] }.
// Prints what it checked; exits 1 after listing every failure.
import { execFileSync } from 'node:child_process';
import { readFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const WIDTHS = [
  { name: '1280', width: 1280, height: 900 },
  { name: '390', width: 390, height: 844 },
];
// axe-core's rules for WCAG 2.1 levels A and AA.
const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

const failures = [];
const fail = (where, what) => failures.push(`${where}: ${what}`);

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  // --no-sandbox: CI runs as root. The rest keep chromium off the (closed) network.
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
  for (const size of WIDTHS) {
    const context = await browser.newContext({
      viewport: { width: size.width, height: size.height },
      locale: 'zh-CN',
      deviceScaleFactor: 1,
    });
    for (const path of config.pages) {
      await checkPage(context, path, size);
    }
    await context.close();
  }
  await checkPrint();
} finally {
  await browser.close();
}

if (failures.length) {
  console.error(`${failures.length} failure(s):\n${failures.join('\n')}`);
  process.exit(1);
}
console.log('browser gates: all passed');

async function checkPage(context, path, size) {
  const url = new URL(path, config.base).href;
  const where = `${new URL(url).pathname} @${size.name}px`;
  const page = await context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error') fail(where, `console error: ${m.text()} (${m.location().url})`);
  });
  page.on('pageerror', (e) => fail(where, `script error: ${e.message}`));
  page.on('requestfailed', (r) => fail(where, `request failed: ${r.url()} (${r.failure()?.errorText})`));
  page.on('response', (r) => {
    if (r.status() >= 400) fail(where, `HTTP ${r.status()} for ${r.url()}`);
  });
  const response = await page.goto(url, { waitUntil: 'load' });
  if (!response || response.status() !== 200) fail(where, `status ${response?.status()}`);

  // The layout fits the viewport: no sideways scrolling of the whole page (tables scroll in their region).
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  if (overflow > 0) fail(where, `page is ${overflow}px wider than the viewport`);

  // The report's tables are visible: laid out, not hidden, with every number cell shown.
  const tables = await page.evaluate(() =>
    [...document.querySelectorAll('table.stats')].map((t) => {
      const r = t.getBoundingClientRect();
      const s = getComputedStyle(t);
      const hiddenCells = [...t.querySelectorAll('tbody td')].filter((td) => {
        const b = td.getBoundingClientRect();
        return b.width === 0 || b.height === 0 || getComputedStyle(td).visibility !== 'visible';
      }).length;
      // Header cells wide enough for their label: on one line when it has up to four characters,
      // at least four characters a line otherwise, so that no term becomes a column of characters.
      const cramped = [...t.querySelectorAll('th')]
        .filter((th) => {
          const range = document.createRange();
          range.selectNodeContents(th);
          const lines = new Set([...range.getClientRects()].filter((q) => q.width > 0).map((q) => Math.round(q.top)));
          return lines.size > Math.max(1, Math.ceil([...th.textContent.trim()].length / 4));
        })
        .map((th) => th.textContent.trim());
      return { id: t.id, width: r.width, height: r.height, display: s.display, visibility: s.visibility, hiddenCells, cramped };
    }),
  );
  for (const t of tables) {
    if (t.width < 100 || t.height < 20 || t.display === 'none' || t.visibility !== 'visible' || t.hiddenCells) {
      fail(where, `table ${t.id} not visible: ${JSON.stringify(t)}`);
    }
    if (t.cramped.length) fail(where, `table ${t.id}: headers too narrow for their labels: ${t.cramped.join(', ')}`);
  }
  if (path === config.report) {
    if (tables.length < 6) fail(where, `expected the report's 6 statistics tables, found ${tables.length}`);
    await checkSection3Headers(page, where, 25);
  }
  const named = (config.named || []).find((n) => n.path === path);
  if (named) await checkNamed(page, where, named, tables.length);

  // axe-core, WCAG 2.1 A and AA: no serious or critical violation.
  await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate(
    async (tags) =>
      await window.axe.run(document, {
        runOnly: { type: 'tag', values: tags },
        rules: { 'td-headers-attr': { enabled: true }, 'th-has-data-cells': { enabled: true } },
      }),
    WCAG_TAGS,
  );
  for (const v of result.violations) {
    const targets = v.nodes.slice(0, 5).map((n) => n.target.join(' ')).join(', ');
    const line = `axe ${v.id} (${v.impact}): ${v.help} [${v.nodes.length} node(s): ${targets}]`;
    if (v.impact === 'serious' || v.impact === 'critical') fail(where, line);
    else console.log(`${where}: note: ${line}`);
  }
  // What axe leaves for review: contrast it cannot measure (one-digit cells, cells under a rowspan
  // header). Measured here from computed colours: text against the first opaque background behind it.
  const unsure = result.incomplete.filter((v) => v.id === 'color-contrast').flatMap((v) => v.nodes.map((n) => n.target[0]));
  const lowContrast = await page.evaluate((selectors) => {
    const rgb = (c) => c.match(/[\d.]+/g).map(Number);
    const lum = ([r, g, b]) =>
      [r, g, b].map((v) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4)).reduce((a, v, i) => a + v * [0.2126, 0.7152, 0.0722][i], 0);
    const out = [];
    for (const sel of selectors) {
      const el = document.querySelector(sel);
      let bg = el;
      while (bg && rgb(getComputedStyle(bg).backgroundColor)[3] === 0) bg = bg.parentElement;
      const back = bg ? rgb(getComputedStyle(bg).backgroundColor) : [255, 255, 255];
      const style = getComputedStyle(el);
      const [a, b] = [lum(rgb(style.color)), lum(back)].sort((x, y) => y - x);
      const ratio = (a + 0.05) / (b + 0.05);
      const large = parseFloat(style.fontSize) >= 24 || (parseFloat(style.fontSize) >= 18.66 && Number(style.fontWeight) >= 700);
      if (ratio < (large ? 3 : 4.5)) out.push(`${sel}: contrast ${ratio.toFixed(2)}`);
    }
    return out;
  }, unsure);
  for (const l of lowContrast) fail(where, `colour contrast below WCAG AA: ${l}`);
  const ran = new Set([...result.passes, ...result.violations, ...result.incomplete, ...result.inapplicable].map((r) => r.id));
  for (const rule of ['td-headers-attr', 'th-has-data-cells', 'color-contrast', 'html-has-lang']) {
    if (!ran.has(rule)) fail(where, `axe did not run rule ${rule}`);
  }

  for (const shot of config.screenshots.filter((s) => s.path === path)) {
    mkdirSync(config.screenshotDir, { recursive: true });
    await page.screenshot({ path: join(config.screenshotDir, `${shot.name}-${size.name}.png`) });
  }
  if (path === config.report) {
    mkdirSync(config.screenshotDir, { recursive: true });
    await page.locator('#section-3 .table-scroll').first().screenshot({
      path: join(config.screenshotDir, `report-table3-${size.name}.png`),
    });
  }
  console.log(
    `${where}: loaded, ${tables.length} table(s), axe ${result.passes.length} rules passed, ${unsure.length} contrast(s) axe left measured here`,
  );
  await page.close();
}

// Every data cell of the section 三 table names, in `headers`, exactly the header cells that
// stand above it (column headers, merged ones included) and to its left (row headers), as laid
// out by rowspan/colspan; and each of those is a `th` of the same table.
async function checkSection3Headers(page, where, rows) {
  const problems = await page.evaluate((rows) => {
    const out = [];
    const table = document.querySelector('#section-3 table.stats');
    if (!table) return ['no table in #section-3'];
    // Lay the table out on a grid: grid[row][col] = cell.
    const grid = [];
    [...table.rows].forEach((tr, r) => {
      grid[r] ??= [];
      let c = 0;
      for (const cell of tr.cells) {
        while (grid[r][c]) c++;
        for (let dr = 0; dr < cell.rowSpan; dr++) {
          grid[r + dr] ??= [];
          for (let dc = 0; dc < cell.colSpan; dc++) grid[r + dr][c + dc] = cell;
        }
        c += cell.colSpan;
      }
    });
    const headRows = table.tHead.rows.length;
    let dataCells = 0;
    grid.forEach((row, r) => {
      if (r < headRows) return;
      row.forEach((cell, c) => {
        if (cell.tagName !== 'TD' || cell.parentElement.parentElement.tagName !== 'TBODY') return;
        if (cell.parentElement.rowIndex !== r) return; // only the cell's own position
        dataCells++;
        const expected = new Set();
        for (let rr = 0; rr < headRows; rr++) if (grid[rr][c].tagName === 'TH') expected.add(grid[rr][c]);
        for (let cc = 0; cc < c; cc++) if (grid[r][cc].tagName === 'TH') expected.add(grid[r][cc]);
        const ids = (cell.getAttribute('headers') || '').split(/\s+/).filter(Boolean);
        const named = ids.map((id) => document.getElementById(id));
        const label = `row ${r + 1}, column ${c + 1}`;
        if (named.some((h) => !h || h.tagName !== 'TH' || h.closest('table') !== table)) {
          out.push(`${label}: headers="${ids.join(' ')}" names something that is not a th of this table`);
          return;
        }
        const hasRow = named.some((h) => h.scope === 'row' || h.scope === 'rowgroup');
        const hasCol = named.some((h) => h.scope === 'col' || h.scope === 'colgroup');
        const same = named.length === expected.size && named.every((h) => expected.has(h));
        if (!hasRow || !hasCol || !same) {
          const text = (hs) => [...hs].map((h) => h.textContent.trim()).join(' › ');
          out.push(`${label}: headers name [${text(named)}], layout says [${text(expected)}]`);
        }
      });
    });
    if (dataCells !== rows * 7) out.push(`expected ${rows * 7} data cells in the section 三 table, found ${dataCells}`);
    return out;
  }, rows);
  for (const p of problems) fail(where, `section 三 table: ${p}`);
}

// A page of another format has its own shape: as many statistics tables as its format has (none
// for a free-form report), a text its tables must show (a row only that format has), its section
// 三 grid, its contents made of its own headings, each leading to its section, and its attachment
// served.
async function checkNamed(page, where, named, tables) {
  const before = failures.length;
  if (tables !== named.tables) fail(where, `expected ${named.tables} statistics table(s), found ${tables}`);
  if (named.text) {
    const found = await page.evaluate((t) => [...document.querySelectorAll('table.stats')].some((x) => x.textContent.includes(t)), named.text);
    if (!found) fail(where, `no statistics table shows ${named.text}`);
  }
  if (named.section3Rows) await checkSection3Headers(page, where, named.section3Rows);
  if (named.toc) {
    const toc = await page.evaluate(() =>
      [...document.querySelectorAll('nav.toc a')].map((a) => {
        const target = document.getElementById(decodeURIComponent(a.hash.slice(1)));
        return { text: a.textContent.trim(), heading: target?.querySelector('h2')?.textContent.trim() ?? null };
      }),
    );
    const texts = toc.map((t) => t.text);
    if (JSON.stringify(texts) !== JSON.stringify(named.toc)) fail(where, `contents ${JSON.stringify(texts)}, expected ${JSON.stringify(named.toc)}`);
    for (const t of toc.filter((t) => t.heading !== t.text)) fail(where, `contents entry ${t.text} leads to ${t.heading}`);
  }
  if (named.attachment) {
    const hrefs = await page.evaluate(() => [...document.querySelectorAll('section.attachments a')].map((a) => a.href));
    if (hrefs.length !== 1) fail(where, `expected one attachment link, found ${hrefs.length}`);
    for (const href of hrefs) {
      const r = await page.request.get(href);
      const body = await r.body();
      if (r.status() !== 200 || !body.subarray(0, 5).equals(Buffer.from('%PDF-'))) {
        fail(where, `attachment ${href}: HTTP ${r.status()}, ${body.length} bytes, not a PDF`);
      }
    }
  }
  if (failures.length === before) console.log(`${where}: named ${named.path} passed (${tables} table(s))`);
}

// Print the report page to A4: every page is A4, every table row has `break-inside: avoid` in
// print, and no row is cut: the text of each row (its own cells) stands whole on one page of the
// PDF, in order.
async function checkPrint() {
  const where = `${new URL(config.report, config.base).pathname} printed`;
  const context = await browser.newContext({ locale: 'zh-CN' });
  const page = await context.newPage();
  await page.goto(new URL(config.report, config.base).href, { waitUntil: 'load' });
  await page.emulateMedia({ media: 'print' });
  const rows = await page.evaluate(() =>
    [...document.querySelectorAll('table.stats tbody tr')].map((tr) => ({
      table: tr.closest('table').id,
      breakInside: getComputedStyle(tr).breakInside,
      text: [...tr.cells]
        .filter((c) => c.rowSpan === 1)
        .map((c) => c.textContent)
        .join('')
        .replace(/\s+/g, ''),
    })),
  );
  if (rows.length < 30) fail(where, `only ${rows.length} table rows found`);
  for (const r of rows.filter((r) => r.breakInside !== 'avoid')) {
    fail(where, `a row of ${r.table} may break across pages (break-inside: ${r.breakInside})`);
  }
  await page.pdf({ path: config.pdf, format: 'A4', preferCSSPageSize: true, printBackground: true });
  await context.close();

  const info = execFileSync('pdfinfo', ['-f', '1', '-l', '1000', config.pdf], { encoding: 'utf8' });
  const sizes = [...info.matchAll(/^Page\s+(\d+) size:\s+([\d.]+) x ([\d.]+) pts/gm)];
  if (sizes.length < 2) fail(where, `expected several pages, pdfinfo says:\n${info}`);
  for (const [, n, w, h] of sizes) {
    // A4 is 595.28 x 841.89 pt; chromium rounds to whole CSS pixels.
    if (Math.abs(w - 595.3) > 1.5 || Math.abs(h - 841.9) > 1.5) fail(where, `page ${n} is ${w} x ${h} pt, not A4`);
  }

  // pdftotext -raw keeps the order in which chromium drew the text, cell by cell; pages are
  // separated by form feeds. A row cut by a page break has the page's end (and the next page's
  // repeated header) inside its text, so it is not found whole.
  const pages = execFileSync('pdftotext', ['-raw', '-enc', 'UTF-8', config.pdf, '-'], { encoding: 'utf8' })
    .split('\f')
    .map((p) => p.replace(/\s+/g, ''));
  let page_ = 0;
  let at = 0;
  for (const row of rows) {
    let found = false;
    for (let p = page_; p < pages.length; p++) {
      const i = pages[p].indexOf(row.text, p === page_ ? at : 0);
      if (i >= 0) {
        page_ = p;
        at = i + row.text.length;
        found = true;
        break;
      }
    }
    if (!found) fail(where, `a row of ${row.table} is not whole on one page: ${row.text}`);
  }
  console.log(`${where}: ${sizes.length} A4 page(s), ${rows.length} table rows each whole on one page`);
}
