/* Search, loaded only on /tim-kiem/. Without it the page lists every page
   of the site. With it, the box searches the index built with the site,
   fetched from this site on the first search, with or without Vietnamese
   marks: "duong day nong" finds "Đường dây nóng". The index comes in parts
   (data-index, then each of data-index-parts: the service directory, so
   many services a part): results show from the first part and grow as the
   others arrive. The words typed never go into the address, the history or
   a request. A link to /tim-kiem/?q=… runs that search on load and then
   drops ?q= from the address. */
(function () {
  "use strict";

  var form = document.querySelector("[data-search-form]");
  if (!form || !window.fetch || !window.Promise || !"".normalize) return;
  var input = form.querySelector("[data-search-input]");
  var all = document.querySelector("[data-search-all]");
  var results = document.querySelector("[data-search-results]");
  var status = document.querySelector("[data-search-status]");
  var pending = [form.getAttribute("data-index")].concat(
    (form.getAttribute("data-index-parts") || "").split(" ").filter(Boolean));
  var parts = pending.length;
  var index = [];
  var loading = null;

  // fold removes Vietnamese marks and case: "Đường dây nóng" -> "duong day nong".
  function fold(s) {
    return (s || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/[đĐ]/g, "d")
      .toLowerCase().replace(/\s+/g, " ").trim();
  }

  // loadNext fetches the next part of the index into index; it resolves
  // to false once every part is in.
  function loadNext() {
    if (!pending.length) return Promise.resolve(false);
    if (!loading) {
      loading = fetch(pending[0], { credentials: "omit" })
        .then(function (r) {
          if (!r.ok) throw new Error(r.status);
          return r.json();
        })
        .then(function (items) {
          pending.shift();
          index = index.concat(items.map(function (it) {
            return { it: it, title: fold(it.t), all: fold([it.t, it.s, it.d, it.x].join(" ")) };
          }));
          loading = null;
          return true;
        }, function (e) {
          loading = null;
          throw e;
        });
    }
    return loading;
  }

  // score ranks a page: the whole query in the title first, then every
  // word in the title, then the whole query in the text.
  function score(p, q, words) {
    if (!words.every(function (w) { return p.all.indexOf(w) >= 0; })) return 0;
    var s = 1;
    if (p.title === q) s += 100;
    if (p.title.indexOf(q) >= 0) s += 50;
    if (words.every(function (w) { return p.title.indexOf(w) >= 0; })) s += 20;
    if (p.all.indexOf(q) >= 0) s += 10;
    return s;
  }

  // show lists what the parts loaded so far hold for q.
  function show(q) {
    var words = q.split(" ");
    var hits = index.map(function (p) { return { p: p, s: score(p, q, words) }; })
      .filter(function (h) { return h.s > 0; })
      .sort(function (a, b) { return b.s - a.s; });
    results.textContent = "";
    hits.forEach(function (h) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = h.p.it.u;
      a.textContent = h.p.it.t;
      li.appendChild(a);
      var meta = document.createElement("span");
      meta.className = "meta";
      meta.textContent = (h.p.it.s ? h.p.it.s + ": " : "") + h.p.it.d;
      li.appendChild(meta);
      results.appendChild(li);
    });
    results.hidden = false;
    all.hidden = true;
    if (pending.length) {
      status.textContent = (hits.length ? "Tìm thấy " + hits.length + " trang, " : "") +
        "đang tìm tiếp (đã xem " + (parts - pending.length) + " trên " + parts + " phần)…";
    } else {
      status.textContent = hits.length ?
        "Tìm thấy " + hits.length + " trang." :
        "Không tìm thấy trang nào. Hãy thử từ khác, ví dụ: hỗ trợ, pháp luật, 111.";
    }
  }

  function search() {
    var q = fold(input.value);
    if (!q) {
      results.hidden = true;
      all.hidden = false;
      status.textContent = "";
      return;
    }
    if (index.length) show(q);
    (function more() {
      loadNext().then(function (loaded) {
        if (fold(input.value) !== q) return; // a newer search is on its way
        show(q);
        if (loaded) more();
      }, function () {
        if (fold(input.value) !== q) return;
        status.textContent = "Chưa tải được dữ liệu tìm kiếm. Danh sách mọi trang vẫn ở dưới đây.";
        results.hidden = true;
        all.hidden = false;
      });
    })();
  }

  form.addEventListener("submit", function (e) { e.preventDefault(); search(); });
  input.addEventListener("input", search);
  input.disabled = false;
  var button = form.querySelector("[data-search-button]");
  if (button) button.disabled = false;
  // A link to /tim-kiem/?q=… runs that search; the words then leave the
  // address, so the history keeps only /tim-kiem/.
  var asked = window.URLSearchParams ? new URLSearchParams(window.location.search).get("q") : null;
  if (asked) {
    input.value = asked;
    if (window.history && window.history.replaceState) {
      window.history.replaceState(null, "", window.location.pathname + window.location.hash);
    }
    search();
  }
  var hint = form.querySelector("[data-search-hint]");
  if (hint) hint.textContent = "Gõ có dấu hay không dấu đều được, ví dụ: đường dây nóng, duong day nong, PrEP, 111.";
})();
