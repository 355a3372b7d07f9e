// portal default theme: the elder-friendly mode (长者模式: large text, high contrast), remembered
// across pages, the filter of the agency list, and the cue on tables that scroll sideways. The page works without this script, at its
// base size and with the full list.
(function () {
  'use strict';
  var KEY = 'portal-elder';
  var root = document.documentElement;
  try {
    if (window.localStorage.getItem(KEY) === '1') root.classList.add('elder');
  } catch (e) {
    // Storage refused (private mode, policy): the mode is not remembered.
  }

  function setUpToggle() {
    var button = document.getElementById('elder-toggle');
    if (!button) return;
    var sync = function () {
      button.setAttribute('aria-pressed', root.classList.contains('elder') ? 'true' : 'false');
    };
    sync();
    button.hidden = false;
    button.addEventListener('click', function () {
      root.classList.toggle('elder');
      try {
        window.localStorage.setItem(KEY, root.classList.contains('elder') ? '1' : '0');
      } catch (e) {
        // Not remembered; the mode still applies to this page.
      }
      sync();
    });
  }

  // Search-style folding, as search.js does: NFKC, ASCII lower case, no spaces.
  function fold(s) {
    return s.normalize('NFKC').replace(/[A-Z]/g, function (c) { return c.toLowerCase(); }).replace(/\s+/g, '');
  }

  function setUpFilter() {
    var input = document.querySelector('input[data-filter]');
    if (!input) return;
    var list = document.getElementById(input.getAttribute('data-filter'));
    var status = document.getElementById(input.getAttribute('aria-describedby'));
    if (!list) return;
    var items = Array.prototype.slice.call(list.querySelectorAll('li')).map(function (li) {
      return { li: li, text: fold(li.textContent + ' ' + (li.closest('.region') || li).querySelector('h2, h3').textContent) };
    });
    var groups = list.querySelectorAll('.group, .region');
    var apply = function () {
      var q = fold(input.value);
      var shown = 0;
      items.forEach(function (it) {
        var on = !q || it.text.indexOf(q) >= 0;
        it.li.hidden = !on;
        if (on) shown++;
      });
      Array.prototype.forEach.call(groups, function (g) {
        g.hidden = !g.querySelector('li:not([hidden])');
      });
      if (status) status.textContent = q ? (shown ? '找到 ' + shown + ' 个机构。' : '没有名称或地区包含“' + input.value.trim() + '”的机构。') : '';
    };
    input.addEventListener('input', apply);
    input.closest('[hidden]') && (input.closest('[hidden]').hidden = false);
    if (input.value) apply();
  }

  // A table wider than its region scrolls in it: the region then says so (the cue of the
  // elder mode, in style.css), on load, on resize and when the mode changes the text size.
  function markScrolling() {
    Array.prototype.forEach.call(document.querySelectorAll('.table-scroll'), function (region) {
      region.classList.remove('scrolls');
      region.classList.toggle('scrolls', region.scrollWidth > region.clientWidth + 1);
    });
  }

  function setUpScrollCue() {
    var pending = false;
    var later = function () {
      if (pending) return;
      pending = true;
      window.requestAnimationFrame(function () {
        pending = false;
        markScrolling();
      });
    };
    markScrolling();
    window.addEventListener('resize', later);
    var button = document.getElementById('elder-toggle');
    if (button) button.addEventListener('click', later);
  }

  document.addEventListener('DOMContentLoaded', function () {
    setUpToggle();
    setUpFilter();
    setUpScrollCue();
  });
})();
