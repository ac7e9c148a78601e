/* The site's one script. Everything works without it; with it:
   1. "Thoát nhanh" hides the page at once and leaves it without a history
      entry; pressing Shift three times does the same.
   2. Forms post in the background and show errors or the receipt without
      a reload, filling the same slots the service fills on a plain post. */
(function () {
  "use strict";

  // 1. Exit this page.
  var exitLink = document.querySelector("[data-exit]");
  function leave() {
    if (!exitLink) return;
    document.documentElement.style.display = "none";
    document.title = "Tìm kiếm";
    window.location.replace(exitLink.href);
  }
  if (exitLink) {
    exitLink.addEventListener("click", function (e) { e.preventDefault(); leave(); });
  }
  var shifts = [];
  document.addEventListener("keydown", function (e) {
    if (e.key !== "Shift" || e.repeat) return;
    var now = Date.now();
    shifts = shifts.filter(function (t) { return now - t < 2000; });
    shifts.push(now);
    if (shifts.length >= 3) leave();
  });

  // Dates that may not be in the future get today's date as their maximum.
  var d = new Date();
  var today = d.getFullYear() + "-" + String(d.getMonth() + 1).padStart(2, "0") + "-" + String(d.getDate()).padStart(2, "0");
  document.querySelectorAll("input[data-not-future]").forEach(function (el) { el.max = today; });

  // 2. Forms.
  document.querySelectorAll("form[data-form]").forEach(enhance);

  function enhance(form) {
    var summary = form.querySelector("[data-error-summary]");
    var sending = form.querySelector("[data-sending]");
    var button = form.querySelector("[data-submit]");
    var baseTitle = document.title.replace(/^Lỗi: /, "");

    form.addEventListener("submit", function (e) {
      if (!window.fetch || !window.FormData) return; // plain post
      e.preventDefault();
      var data = new FormData(form);
      var body = form.enctype === "multipart/form-data" ? data : new URLSearchParams(data);
      button.disabled = true;
      sending.hidden = false;
      fetch(form.action, { method: "POST", body: body, headers: { "Accept": "application/json" }, credentials: "omit" })
        .then(function (res) {
          return res.json().then(function (json) { return { status: res.status, json: json }; });
        })
        .then(function (r) {
          button.disabled = false;
          sending.hidden = true;
          if (r.status === 201 || r.status === 200) {
            done(r.json);
          } else {
            showErrors(r.json.fields || {}, r.json.message);
          }
        })
        .catch(function () {
          // The network or the answer failed: fall back to a plain post.
          button.disabled = false;
          sending.hidden = true;
          form.submit();
        });
    });

    function clearErrors() {
      form.querySelectorAll(".field--error").forEach(function (el) { el.classList.remove("field--error"); });
      form.querySelectorAll("[data-error-for]").forEach(function (el) { el.hidden = true; });
      form.querySelectorAll("[aria-invalid]").forEach(function (el) { el.removeAttribute("aria-invalid"); });
      summary.querySelector("ul").textContent = "";
      summary.hidden = true;
    }

    function showErrors(fields, message) {
      clearErrors();
      var list = summary.querySelector("ul");
      var names = Object.keys(fields);
      // Keep the order of the fields on the page.
      var ordered = Array.prototype.map.call(form.querySelectorAll("[data-field]"), function (el) {
        return el.getAttribute("data-field");
      }).filter(function (n) { return names.indexOf(n) >= 0; });
      if (ordered.length === 0) {
        var li = document.createElement("li");
        li.textContent = message || "Chưa gửi được. Vui lòng thử lại.";
        list.appendChild(li);
      }
      ordered.forEach(function (name) {
        var wrap = form.querySelector('[data-field="' + name + '"]');
        var control = wrap.querySelector("input, select, textarea");
        var slot = wrap.querySelector("[data-error-for]");
        wrap.classList.add("field--error");
        slot.querySelector("[data-error-text]").textContent = fields[name];
        slot.hidden = false;
        wrap.querySelectorAll("input, select, textarea").forEach(function (c) { c.setAttribute("aria-invalid", "true"); });
        var li = document.createElement("li");
        var a = document.createElement("a");
        a.href = "#" + control.id;
        a.textContent = fields[name];
        a.addEventListener("click", function (ev) { ev.preventDefault(); control.focus(); });
        li.appendChild(a);
        list.appendChild(li);
      });
      summary.hidden = false;
      document.title = "Lỗi: " + baseTitle;
      summary.focus();
    }

    function done(json) {
      var tpl = document.querySelector("template[data-confirmation-template]");
      var main = document.getElementById("main");
      if (!tpl || !json.receipt) { window.location.reload(); return; }
      var panel = document.createElement("div");
      panel.className = "prose";
      panel.appendChild(tpl.content.cloneNode(true));
      panel.querySelector("[data-receipt]").textContent = json.receipt;
      main.textContent = "";
      main.appendChild(panel);
      var title = panel.querySelector("h1");
      document.title = (title ? title.textContent : "Đã gửi") + " | " + baseTitle.split(" | ").pop();
      title.setAttribute("tabindex", "-1");
      title.focus();
      window.scrollTo(0, 0);
    }
  }
})();
