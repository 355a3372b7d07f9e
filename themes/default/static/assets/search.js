// portal default theme: full-text search over the static index in search/ (docs/search.md).
// The query is tokenized as the index was (src/output/search/token.rs): NFKC per character,
// ASCII lower case; a Han run of one character is that character, a longer one its overlapping
// pairs; ASCII letters and digits are words, cut to 12 characters (the index also holds the
// runs of letters and of digits of a word that mixes them, so that 7391 finds XK7391; a query
// word is looked up whole, which the index always holds). Words separated by spaces
// must all match. Only the shards of the query's tokens are fetched, then the packs of texts of
// the results shown, in which every word is confirmed before it is shown. Data is written into the
// page as text, never as HTML.
(function () {
  'use strict';
  var form = document.getElementById('search-form');
  if (!form) return;
  var indexUrl = form.getAttribute('data-index');
  var siteRoot = indexUrl.replace(/search\/$/, '');
  var input = document.getElementById('search-q');
  var yearSelect = document.getElementById('search-year');
  var regionSelect = document.getElementById('search-region');
  var status = document.getElementById('search-status');
  var list = document.getElementById('search-results');
  var moreButton = document.getElementById('search-more');
  var PAGE = 10;
  var WORD_MAX = 12;

  var metaPromise = null;
  var shards = new Map();
  var packs = new Map(); // pack path → promise of Map(document → { title, extra, text })
  var current = null; // the search being shown: { found, next, shown, words, generation }
  var generation = 0;
  var pendingRegion = ''; // a region from the URL, until its option exists

  function get(path, as) {
    return fetch(indexUrl + path).then(function (r) {
      if (!r.ok) throw new Error(path + ': HTTP ' + r.status);
      return as === 'json' ? r.json() : r.arrayBuffer();
    });
  }

  function meta() {
    if (!metaPromise) metaPromise = get('meta.json', 'json').then(prepareMeta);
    return metaPromise;
  }

  function prepareMeta(m) {
    // Documents are in site order, agency by agency: an agency's first is the count before it.
    m.first = [];
    var count = 0;
    m.agencies.forEach(function (a) {
      m.first.push(count);
      for (var r = 1; r < a[1].length; r += 2) count += a[1][r];
    });
    m.labelsFolded = null; // labels.txt, once a query has a token of the table labels
    // Region options: the levels of the tree (each after its parent), indented by depth; the
    // value of each is its path, its levels joined by ' / '.
    m.regionPaths = [];
    m.regions.forEach(function (r, i) {
      var parent = r[1];
      var depth = 0;
      for (var p = parent; p >= 0; p = m.regions[p][1]) depth++;
      m.regionPaths.push(parent >= 0 ? m.regionPaths[parent] + ' / ' + r[0] : r[0]);
      var option = document.createElement('option');
      option.value = m.regionPaths[i];
      option.textContent = '\u3000'.repeat(depth) + r[0];
      regionSelect.appendChild(option);
    });
    return m;
  }

  // --- text ---------------------------------------------------------------------------

  function isHan(cp) {
    return (cp >= 0x3400 && cp <= 0x4dbf) || (cp >= 0x4e00 && cp <= 0x9fff) || (cp >= 0x20000 && cp <= 0x3134f);
  }

  function isWordChar(ch) {
    return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z');
  }

  // Normalised text, and for each of its UTF-16 units the index of the original's unit it came from.
  function fold(text) {
    var out = '';
    var from = [];
    var i = 0;
    for (var ch of text) {
      var cp = ch.codePointAt(0);
      var n;
      if (cp >= 65 && cp <= 90) n = String.fromCharCode(cp + 32);
      else if (cp < 128 || isHan(cp)) n = ch;
      else n = ch.normalize('NFKC').replace(/[A-Z]/g, function (c) { return c.toLowerCase(); });
      for (var k = 0; k < n.length; k++) from.push(i);
      out += n;
      i += ch.length;
    }
    from.push(i);
    return { text: out, from: from };
  }

  // The words of a query; each word's tokens and the runs (phrases) that must appear in the text.
  function parse(query) {
    var words = [];
    fold(query).text.split(/\s+/).forEach(function (w) {
      if (!w) return;
      var tokens = [];
      var phrases = [];
      var run = '';
      var han = [];
      var flushHan = function () {
        if (han.length === 1) tokens.push(han[0]);
        for (var j = 0; j + 1 < han.length; j++) tokens.push(han[j] + han[j + 1]);
        if (han.length) phrases.push(han.join(''));
        han = [];
      };
      var flushWord = function () {
        if (run) {
          tokens.push(run.slice(0, WORD_MAX));
          phrases.push(run);
        }
        run = '';
      };
      for (var ch of w) {
        if (isWordChar(ch)) {
          flushHan();
          run += ch;
        } else if (isHan(ch.codePointAt(0))) {
          flushWord();
          han.push(ch);
        } else {
          flushWord();
          flushHan();
        }
      }
      flushWord();
      flushHan();
      // A word of letters, digits and Han characters alone must be found whole (OFD格式), not
      // only its parts somewhere in the text.
      var whole = phrases.length > 1 && phrases.join('') === w ? w : null;
      if (tokens.length) words.push({ tokens: Array.from(new Set(tokens)), phrases: phrases, whole: whole });
    });
    return words;
  }

  // FNV-1a over code points, as token.rs's shard_of.
  function shardOf(token, n) {
    var h = 0x811c9dc5;
    for (var ch of token) {
      h = Math.imul((h ^ ch.codePointAt(0)) >>> 0, 0x01000193) >>> 0;
    }
    return h % n;
  }

  // --- the index ----------------------------------------------------------------------

  function varint(bytes, at) {
    var v = 0;
    var shift = 0;
    for (;;) {
      var b = bytes[at.i++];
      v += (b & 0x7f) * Math.pow(2, shift);
      if (b < 0x80) return v;
      shift += 7;
    }
  }

  // A list of the shard file: its documents as an array of ids.
  function readList(bytes, at, docCount) {
    var n = varint(bytes, at);
    if (n === 0) return [];
    var kind = bytes[at.i];
    var start = at.i + 1;
    var end = at.i + n;
    at.i = end;
    var ids = [];
    if (kind === 1) {
      for (var d = 0; d < docCount; d++) if (bytes[start + (d >> 3)] & (1 << (d & 7))) ids.push(d);
    } else {
      var p = { i: start };
      var doc = 0;
      while (p.i < end) {
        doc = ids.length ? doc + varint(bytes, p) : varint(bytes, p);
        ids.push(doc);
      }
    }
    return ids;
  }

  var decoder = new TextDecoder('utf-8');
  var textDecoder = new TextDecoder('utf-16le'); // the text packs (it drops their byte-order mark)

  // A list's length prefix and bytes, skipped: a shard holds many tokens, a query needs few.
  function skipList(bytes, at) {
    var n = varint(bytes, at);
    at.i += n;
  }

  // A shard file as a map of its tokens to where their lists start; a token's lists are read
  // when a query asks for it.
  function shard(n) {
    if (!shards.has(n)) {
      shards.set(
        n,
        get('s/' + n + '.bin').then(function (buffer) {
          var bytes = new Uint8Array(buffer);
          var at = { i: 0 };
          var tokens = new Map();
          while (at.i < bytes.length) {
            var len = varint(bytes, at);
            var text = decoder.decode(bytes.subarray(at.i, at.i + len));
            at.i += len;
            tokens.set(text, at.i);
            at.i++;
            skipList(bytes, at);
            skipList(bytes, at);
          }
          return { bytes: bytes, tokens: tokens };
        }),
      );
    }
    return shards.get(n);
  }

  function postings(token, m) {
    return shard(shardOf(token, m.shards)).then(function (s) {
      var start = s.tokens.get(token);
      if (start === undefined) return null;
      var at = { i: start + 1 };
      var title = readList(s.bytes, at, m.docs);
      return { table: s.bytes[start] === 1, title: title, text: readList(s.bytes, at, m.docs) };
    });
  }

  // The agency and year of document d.
  function docInfo(d, m) {
    var lo = 0;
    var hi = m.agencies.length - 1;
    while (lo < hi) {
      var mid = (lo + hi + 1) >> 1;
      if (m.first[mid] <= d) lo = mid;
      else hi = mid - 1;
    }
    var a = m.agencies[lo];
    var k = d - m.first[lo];
    var runs = a[1];
    for (var r = 0; r < runs.length; r += 2) {
      if (k < runs[r + 1]) return { agency: a, index: lo, year: runs[r] + k };
      k -= runs[r + 1];
    }
    return { agency: a, index: lo, year: 0 };
  }

  // The text of candidate f, from its pack: one year's documents of m.pack consecutive agencies,
  // after a first line of each one's id and length.
  function docText(f, m) {
    var path = 'd/' + f.info.year + '/' + Math.floor(f.info.index / m.pack) + '.txt';
    if (!packs.has(path)) {
      packs.set(
        path,
        get(path).then(function (buffer) {
          var all = textDecoder.decode(buffer);
          var end = all.indexOf('\n');
          var head = all.slice(0, end).split(' ');
          var byDoc = new Map();
          var at = end + 1;
          for (var i = 0; i + 1 < head.length; i += 2) {
            var len = parseInt(head[i + 1], 10);
            var lines = all.slice(at, at + len).replace(/\n$/, '').split('\n');
            byDoc.set(parseInt(head[i], 10), {
              title: lines[0],
              extra: lines[1] || '',
              agency: lines[2] || '',
              link: lines[3] || '',
              text: lines.slice(4).join('\n'),
            });
            at += len;
          }
          return byDoc;
        }),
      );
    }
    return packs.get(path).then(function (byDoc) {
      var doc = byDoc.get(f.doc);
      if (!doc) throw new Error(path + ': no document ' + f.doc);
      return doc;
    });
  }

  // --- searching ----------------------------------------------------------------------

  // Candidates, best first: documents with every token (in the title 3, the narrative 2, the
  // table labels 1), within the filters.
  function candidates(words, m, year, region) {
    var tokens = [];
    words.forEach(function (w) {
      w.tokens.forEach(function (t) {
        if (tokens.indexOf(t) < 0) tokens.push(t);
      });
    });
    return Promise.all(tokens.map(function (t) { return postings(t, m); })).then(function (found) {
      if (found.some(function (p) { return !p; })) return [];
      // Per token, each document's field (title 3, narrative 2, 0 where absent), and its documents.
      var lists = found.map(function (p) {
        var field = new Uint8Array(m.docs);
        var ids = p.text.slice();
        p.text.forEach(function (d) { field[d] = 2; });
        p.title.forEach(function (d) {
          if (!field[d]) ids.push(d);
          field[d] = 3;
        });
        return { field: field, ids: ids, fallback: p.table ? 1 : 0 };
      });
      // Fetched beside the first texts: only the confirmation needs them.
      if (lists.some(function (l) { return l.fallback; })) tableLabels(m);
      var strict = lists.filter(function (l) { return l.fallback === 0; });
      strict.sort(function (a, b) { return a.ids.length - b.ids.length; });
      var base;
      if (strict.length) base = strict[0].ids;
      else {
        base = [];
        for (var d = 0; d < m.docs; d++) base.push(d);
      }
      var out = [];
      base.forEach(function (d) {
        var score = 0;
        for (var i = 0; i < lists.length; i++) {
          var s = lists[i].field[d] || lists[i].fallback;
          if (!s) return;
          score += s;
        }
        var info = docInfo(d, m);
        if (year && info.year !== year) return;
        if (region) {
          var r = info.agency[0] >= 0 ? m.regionPaths[info.agency[0]] : '';
          if (r !== region && r.indexOf(region + ' / ') !== 0) return;
        }
        out.push({ doc: d, score: score, info: info });
      });
      out.sort(function (a, b) { return b.score - a.score || b.info.year - a.info.year || a.doc - b.doc; });
      return out;
    });
  }

  // The table labels, folded, fetched the first time a query has a token marked as in them:
  // only such a word can be confirmed there.
  function tableLabels(m) {
    if (!m.labelsPromise) {
      m.labelsPromise = get('labels.txt').then(function (buffer) {
        m.labelsFolded = fold(decoder.decode(buffer)).text;
      });
      // Not awaited by a search with no candidate: its failure is shown by a search that awaits it.
      m.labelsPromise.catch(function () {});
    }
    return m.labelsPromise;
  }

  // Whether every word's phrases are in the document (or, for a word the index found in the
  // table labels, in the labels): a coincidence of pairs is not a match.
  function confirmed(words, folded, m) {
    return words.every(function (w) {
      var inDoc = w.whole
        ? folded.indexOf(w.whole) >= 0
        : w.phrases.every(function (p) { return folded.indexOf(p) >= 0; });
      var labels = m.labelsFolded || '';
      return inDoc || w.phrases.every(function (p) { return labels.indexOf(p) >= 0; });
    });
  }

  function run() {
    var query = input.value.trim();
    var year = parseInt(yearSelect.value, 10) || 0;
    var region = regionSelect.value || pendingRegion;
    var mine = ++generation;
    list.textContent = '';
    moreButton.hidden = true;
    if (!query) {
      status.textContent = '请输入要查找的词语。';
      return;
    }
    var words = parse(query);
    if (!words.length) {
      noResults(query);
      return;
    }
    status.textContent = '正在搜索……';
    meta()
      .then(function (m) {
        if (pendingRegion) {
          regionSelect.value = pendingRegion;
          pendingRegion = '';
        }
        return candidates(words, m, year, region).then(function (found) {
          if (mine !== generation) return;
          current = { found: found, next: 0, shown: 0, words: words, query: query, m: m, generation: mine };
          return showMore();
        });
      })
      .catch(function (e) {
        if (mine === generation) status.textContent = '搜索出错，请稍后再试。（' + e.message + '）';
      });
  }

  // Confirms candidates in batches until a page of results is shown or none are left.
  function showMore() {
    var c = current;
    var target = c.shown + PAGE;
    var step = function () {
      if (c.generation !== generation) return;
      if (c.shown >= target || c.next >= c.found.length) return finish(c);
      var batch = c.found.slice(c.next, c.next + PAGE);
      c.next += batch.length;
      var texts = batch.map(function (f) { return docText(f, c.m); });
      return Promise.all(texts.concat([c.m.labelsPromise])).then(function (texts) {
        if (c.generation !== generation) return;
        batch.forEach(function (f, i) {
          if (c.shown >= target) {
            c.next = Math.min(c.next, c.found.indexOf(f));
            return;
          }
          var doc = texts[i];
          var folded = fold(doc.title + '\n' + doc.extra + '\n' + doc.text);
          if (!confirmed(c.words, folded.text, c.m)) {
            f.rejected = true;
            return;
          }
          c.shown++;
          list.appendChild(result(f, doc, c));
        });
        return step();
      });
    };
    return step();
  }

  function finish(c) {
    var left = c.found.slice(c.next).length;
    if (!c.shown) {
      noResults(c.query);
      return;
    }
    moreButton.hidden = left === 0;
    status.textContent = left ? '找到约 ' + (c.shown + left) + ' 份年度报告，显示前 ' + c.shown + ' 份。' : '共找到 ' + c.shown + ' 份年度报告。';
  }

  function noResults(query) {
    status.textContent = '未找到包含“' + query + '”的年度报告。请检查用字，或减少关键词、取消年度和地区筛选后再试。';
  }

  // --- results ------------------------------------------------------------------------

  // `text` with every phrase marked, as text nodes and <mark> elements.
  function marked(parent, text, words) {
    var f = fold(text);
    var ranges = [];
    words.forEach(function (w) {
      (w.whole ? [w.whole] : []).concat(w.phrases).forEach(function (p) {
        for (var at = f.text.indexOf(p); at >= 0; at = f.text.indexOf(p, at + p.length)) {
          ranges.push([f.from[at], f.from[at + p.length]]);
        }
      });
    });
    // Longest first where two start together: a whole word over its parts.
    ranges.sort(function (a, b) { return a[0] - b[0] || b[1] - a[1]; });
    var pos = 0;
    ranges.forEach(function (r) {
      if (r[0] < pos) return;
      parent.appendChild(document.createTextNode(text.slice(pos, r[0])));
      var m = document.createElement('mark');
      m.textContent = text.slice(r[0], r[1]);
      parent.appendChild(m);
      pos = r[1];
    });
    parent.appendChild(document.createTextNode(text.slice(pos)));
  }

  // Some 100 characters of the text from a little before the first place of the word found last
  // (each word at its first place, whole if it must be whole), so that the rarest word shows.
  function snippet(text, words) {
    var f = fold(text);
    var first = -1;
    words.forEach(function (w) {
      var at = -1;
      (w.whole ? [w.whole] : w.phrases).forEach(function (p) {
        var i = f.text.indexOf(p);
        if (i >= 0 && (at < 0 || i < at)) at = i;
      });
      if (at > first) first = at;
    });
    var start = first < 0 ? 0 : Math.max(0, f.from[first] - 30);
    var end = Math.min(text.length, start + 100);
    var s = text.slice(start, end).replace(/\s+/g, ' ');
    return (start > 0 ? '…' : '') + s + (end < text.length ? '…' : '');
  }

  function result(f, doc, c) {
    var li = document.createElement('li');
    var h = document.createElement('h2');
    var link = document.createElement('a');
    link.href = siteRoot + doc.link;
    marked(link, doc.title, c.words);
    h.appendChild(link);
    li.appendChild(h);
    var info = document.createElement('p');
    info.className = 'result-meta';
    info.textContent = doc.agency + ' · ' + f.info.year + '年';
    li.appendChild(info);
    var p = document.createElement('p');
    p.className = 'snippet';
    marked(p, snippet(doc.text, c.words), c.words);
    li.appendChild(p);
    return li;
  }

  // --- the page -----------------------------------------------------------------------

  function fromUrl() {
    var params = new URLSearchParams(window.location.search);
    input.value = params.get('q') || '';
    yearSelect.value = params.get('year') || '';
    pendingRegion = params.get('region') || '';
  }

  function toUrl() {
    var params = new URLSearchParams();
    if (input.value.trim()) params.set('q', input.value.trim());
    if (yearSelect.value) params.set('year', yearSelect.value);
    if (regionSelect.value) params.set('region', regionSelect.value);
    var s = params.toString();
    window.history.replaceState(null, '', s ? '?' + s : window.location.pathname);
  }

  var typing = 0;
  form.addEventListener('submit', function (e) {
    e.preventDefault();
    toUrl();
    run();
  });
  // Searches a moment after the last key; not while an input method composes (the pinyin of
  // 政务 is not a query), but once its characters are chosen.
  var later = function () {
    window.clearTimeout(typing);
    typing = window.setTimeout(function () {
      toUrl();
      run();
    }, 100);
  };
  input.addEventListener('input', function (e) {
    if (!e.isComposing) later();
  });
  input.addEventListener('compositionend', later);
  [yearSelect, regionSelect].forEach(function (s) {
    s.addEventListener('change', function () {
      toUrl();
      run();
    });
  });
  moreButton.addEventListener('click', function () {
    if (current) showMore();
  });

  fromUrl();
  // The metadata is fetched at once: the first search then needs only its shards.
  meta().then(function () {
    if (pendingRegion && !input.value.trim()) regionSelect.value = pendingRegion;
  }, function () {});
  if (input.value.trim()) run();
})();
