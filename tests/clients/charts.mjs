// Browser gate of tests/charts.rs: an agency page with many years in Debian's headless chromium
// (playwright-core) at 390, 1280 and 1700 px. In every chart the shown year labels do not overlap
// (their boxes as laid out, in the SVG's units), the first and last year are labelled, and the
// figures table stays inside its frame: it scrolls in its region, and when it does the region shows
// the scroll cue. Each width's trend charts are saved as a screenshot.
//
// Usage: node charts.mjs CONFIG.json. CONFIG: { url, years: [first, last], screenshotDir, name }.
// Prints what it checked; exits 1 after listing every failure.
import { readFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

import { chromium } from 'playwright-core';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const WIDTHS = [390, 1280, 1700];
const failures = [];
const fail = (where, what) => failures.push(`${where}: ${what}`);

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--font-render-hinting=none'],
});
let charts = 0;
try {
  for (const width of WIDTHS) {
    const context = await browser.newContext({ viewport: { width, height: 900 }, locale: 'zh-CN', deviceScaleFactor: 1 });
    const page = await context.newPage();
    const response = await page.goto(config.url, { waitUntil: 'load' });
    if (!response || response.status() !== 200) fail(`${width}px`, `status ${response && response.status()}`);
    const found = await page.$$eval('figure.chart', (figures) =>
      figures.map((figure) => {
        const labels = Array.from(figure.querySelectorAll('svg text.year')).map((t) => {
          const b = t.getBBox();
          return { text: t.textContent, left: b.x, right: b.x + b.width };
        });
        const frame = figure.getBoundingClientRect();
        const scroll = figure.querySelector('.table-scroll');
        const box = scroll.getBoundingClientRect();
        const cue = getComputedStyle(scroll, '::before').content;
        return {
          id: figure.id,
          labels,
          frameRight: frame.right,
          scrollRight: box.right,
          overflows: scroll.scrollWidth > scroll.clientWidth + 1,
          cue: cue && cue !== 'none' && cue !== 'normal' ? cue : '',
          pageOverflow: document.documentElement.scrollWidth - window.innerWidth,
        };
      }),
    );
    if (!found.length) fail(`${width}px`, 'no chart on the page');
    for (const c of found) {
      charts++;
      const where = `${width}px #${c.id}`;
      const [first, last] = config.years.map((y) => `${y}年`);
      if (c.labels[0]?.text !== first) fail(where, `first label is ${c.labels[0]?.text}, not ${first}`);
      if (c.labels.at(-1)?.text !== last) fail(where, `last label is ${c.labels.at(-1)?.text}, not ${last}`);
      for (let i = 1; i < c.labels.length; i++) {
        if (c.labels[i - 1].right > c.labels[i].left) {
          fail(where, `labels ${c.labels[i - 1].text} and ${c.labels[i].text} overlap`);
        }
      }
      if (c.scrollRight > c.frameRight + 1) fail(where, `the figures table ends ${c.scrollRight - c.frameRight}px past its chart`);
      if (c.pageOverflow > 0) fail(where, `the page is ${c.pageOverflow}px wider than the viewport`);
      if (c.overflows && !c.cue) fail(where, 'the figures table scrolls without a cue');
      console.log(`${where}: ${c.labels.length} labels, table ${c.overflows ? `scrolls (cue ${c.cue})` : 'fits'}`);
    }
    if (config.screenshotDir) {
      mkdirSync(config.screenshotDir, { recursive: true });
      await page.locator('.trends').screenshot({ path: join(config.screenshotDir, `${config.name}-${width}.png`) });
    }
    await context.close();
  }
} finally {
  await browser.close();
}
if (failures.length) {
  console.error(failures.join('\n'));
  process.exit(1);
}
console.log(`${charts} charts at ${WIDTHS.length} widths: labels apart, tables in their frames`);
