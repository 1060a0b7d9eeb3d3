// The library page's search box: filters window.EPAPER_LIBRARY (library/search.js) by paper, date and
// article titles. Without JavaScript the box stays hidden and the calendars and links still work.
(function () {
  "use strict";
  var books = window.EPAPER_LIBRARY || [];
  var form = document.getElementById("search-form");
  var input = document.getElementById("search");
  var results = document.getElementById("results");
  var papers = document.querySelectorAll("main > section.paper");
  if (!form || !input || !results) return;
  form.hidden = false;

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // 2026-03-02 is also found as 20260302, 2026年3月2日 and 3月2日.
  function dateWords(stem) {
    var m = /^(\d{4})-(\d{2})(?:-(\d{2}))?/.exec(stem);
    if (!m) return stem;
    var month = String(Number(m[2]));
    var words = [stem, stem.replace(/-/g, ""), m[1] + "年" + month + "月"];
    if (m[3]) words.push(m[1] + "年" + month + "月" + Number(m[3]) + "日", month + "月" + Number(m[3]) + "日");
    return words.join(" ");
  }

  var haystacks = books.map(function (b) {
    return { book: b, head: (b.p + " " + b.t + " " + dateWords(b.d)).toLowerCase() };
  });

  function search(query) {
    var terms = query.toLowerCase().split(/\s+/).filter(Boolean);
    var found = [];
    haystacks.forEach(function (h) {
      var hits = [];
      var ok = terms.every(function (term) {
        if (h.head.indexOf(term) >= 0) return true;
        var articles = h.book.a.filter(function (a) { return a.toLowerCase().indexOf(term) >= 0; });
        hits = hits.concat(articles);
        return articles.length > 0;
      });
      if (ok) found.push({ book: h.book, hits: hits.filter(function (a, i) { return hits.indexOf(a) === i; }) });
    });
    return found;
  }

  function show(query) {
    results.textContent = "";
    if (!query.trim()) {
      results.hidden = true;
      papers.forEach(function (p) { p.hidden = false; });
      return;
    }
    var found = search(query);
    results.hidden = false;
    papers.forEach(function (p) { p.hidden = true; });
    results.appendChild(el("h2", "", found.length ? "找到 " + found.length + " 本" : "没有找到“" + query + "”"));
    var list = el("ul", "hits");
    found.slice(0, 100).forEach(function (f) {
      var b = f.book;
      var item = el("li", "hit");
      var title = el("a", "title", b.t);
      title.href = b.epub || b.pdf;
      item.appendChild(title);
      if (f.hits.length) {
        var arts = el("ul", "matched");
        f.hits.slice(0, 5).forEach(function (a) { arts.appendChild(el("li", "", a)); });
        item.appendChild(arts);
      }
      var files = el("p", "files");
      ["epub", "pdf"].forEach(function (fmt) {
        if (!b[fmt]) return;
        var link = el("a", "file " + fmt, fmt.toUpperCase() + " ");
        link.href = b[fmt];
        link.appendChild(el("span", "size", b[fmt + "_size"]));
        files.appendChild(link);
      });
      item.appendChild(files);
      list.appendChild(item);
    });
    results.appendChild(list);
  }

  input.addEventListener("input", function () { show(input.value); });
  var initial = new URLSearchParams(location.search).get("q");
  if (initial) { input.value = initial; show(initial); }
})();
