/* The service directory's filter, loaded only on /danh-ba/. Without it the
   page lists every service and each category has a page of its own; with
   it, the list narrows as one types (with or without Vietnamese marks:
   "tu van" finds "tư vấn") or picks a category, and the list's heading
   says what it shows ("Dịch vụ: Y tế và HIV (5)"). */
(function () {
  "use strict";

  var box = document.querySelector("[data-directory-filters]");
  var list = document.querySelector("[data-directory-list]");
  if (!box || !list || !"".normalize) return;
  var input = box.querySelector("[data-directory-query]");
  var select = box.querySelector("[data-directory-category]");
  var count = document.querySelector("[data-directory-count]");
  var empty = document.querySelector("[data-directory-empty]");
  var staticNav = document.querySelector(".filters-static");
  var heading = document.querySelector("[data-directory-heading]");
  var allTitle = heading ? heading.textContent : "";

  // fold removes Vietnamese marks and case: "Đường dây nóng" -> "duong day nong".
  function fold(s) {
    return s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/[đĐ]/g, "d")
      .toLowerCase().replace(/\s+/g, " ");
  }

  var items = Array.prototype.map.call(list.children, function (li) {
    return { el: li, text: fold(li.textContent), cats: (li.getAttribute("data-categories") || "").split(" ") };
  });

  function apply() {
    var words = fold(input.value).split(" ").filter(Boolean);
    var category = select.value;
    var shown = 0;
    items.forEach(function (it) {
      var ok = (!category || it.cats.indexOf(category) >= 0) &&
        words.every(function (w) { return it.text.indexOf(w) >= 0; });
      it.el.hidden = !ok;
      if (ok) shown++;
    });
    count.textContent = shown === items.length ? shown + " dịch vụ" : "Tìm thấy " + shown + " trong " + items.length + " dịch vụ";
    empty.hidden = shown > 0;
    if (heading) heading.textContent = title(category, input.value.trim(), shown);
  }

  // title names what the list shows: "Tất cả dịch vụ" unfiltered, else
  // e.g. "Dịch vụ: Y tế và HIV (5)" or "Dịch vụ khớp “tu van” (3)".
  function title(category, words, shown) {
    if (!category && !words) return allTitle;
    var t = "Dịch vụ";
    if (category) t += ": " + select.options[select.selectedIndex].text;
    if (words) t += (category ? ", " : " ") + "khớp “" + words + "”";
    return t + " (" + shown + ")";
  }

  input.addEventListener("input", apply);
  select.addEventListener("change", apply);
  box.hidden = false;
  if (staticNav) staticNav.hidden = true;
})();
