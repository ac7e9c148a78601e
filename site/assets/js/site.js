/* The site's one script. Everything works without it; with it:
   1. "Thoát nhanh" hides the page at once and leaves it without a history
      entry; pressing Shift three times does the same.
   2. Forms post in the background and show errors or the receipt without
      a reload, filling the same slots the service fills on a plain post.
      While the service is under pressure it asks for a small proof of
      work (an ALTCHA-style SHA-256 puzzle, solved here with Web Crypto,
      no third party, no cookie); it is solved in the background while the
      person writes. */
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
  // Three presses of Shift alone within 2 seconds; any other key starts the
  // count again, so typing capitals in a form never leaves the page.
  var shifts = [];
  document.addEventListener("keydown", function (e) {
    if (e.key !== "Shift") {
      shifts = [];
      return;
    }
    if (e.repeat) return;
    var now = Date.now();
    shifts = shifts.filter(function (t) { return now - t < 2000; });
    shifts.push(now);
    if (shifts.length >= 3) leave();
  });

  // 2. Forms.
  var result = document.querySelector("[data-follow-up-result]");
  document.querySelectorAll("form[data-form]").forEach(function (form) {
    var key = form.getAttribute("data-form");
    if (key === "follow_up") {
      enhance(form, function (json) { showFollowUp(json, form, false); });
    } else if (key === "follow_up_message") {
      enhance(form, function () {
        // Read the thread again so the new message shows, with a notice.
        var lookup = document.querySelector('form[data-form="follow_up"]');
        var body = new URLSearchParams();
        body.set("receipt", form.querySelector('[name="receipt"]').value);
        post(lookup.action, body).then(function (r) {
          if (r.status === 200) showFollowUp(r.json, lookup, true);
        });
        form.querySelector('[name="message"]').value = "";
      });
    } else {
      enhance(form, confirm);
    }
  });

  // post sends a form in the background. answer is the proof of work to
  // send (or ""); a 428 answer carries a challenge: solve it, send again.
  function post(action, body, key, answer) {
    var headers = { "Accept": "application/json" };
    if (key) headers["Idempotency-Key"] = key;
    if (answer) headers["X-Formsvc-Pow"] = answer;
    return fetch(action, { method: "POST", body: body, headers: headers, credentials: "omit" })
      .then(function (res) {
        return res.json().then(function (json) { return { status: res.status, json: json }; });
      })
      .then(function (r) {
        if (r.status !== 428 || !r.json.challenge || answer === "retried") return r;
        return solve(r.json.challenge).then(function (a) { return post(action, body, key, a || "retried"); });
      });
  }

  // challengeFor asks once, when the person starts on a form, whether a
  // proof of work is needed now, and if so starts solving it.
  function challengeFor(action) {
    if (!window.fetch || !window.crypto || !window.crypto.subtle) return Promise.resolve("");
    return fetch(new URL("/api/v1/challenge", action).href, { credentials: "omit" })
      .then(function (res) { return res.json(); })
      .then(function (json) { return json.required ? solve(json.challenge) : ""; })
      .catch(function () { return ""; });
  }

  // solve finds n with SHA-256(salt + n) = challenge, 200 tries at a time,
  // and resolves to the answer the service reads ("" if it cannot).
  function solve(c) {
    if (!window.crypto || !window.crypto.subtle || !window.TextEncoder) return Promise.resolve("");
    var enc = new TextEncoder();
    function hex(buf) {
      return Array.prototype.map.call(new Uint8Array(buf), function (x) { return (x + 256).toString(16).slice(1); }).join("");
    }
    function from(start) {
      if (start > c.maxnumber) return Promise.resolve("");
      var tries = [];
      for (var n = start; n < start + 200 && n <= c.maxnumber; n++) {
        tries.push(window.crypto.subtle.digest("SHA-256", enc.encode(c.salt + n)));
      }
      return Promise.all(tries).then(function (hashes) {
        for (var i = 0; i < hashes.length; i++) {
          if (hex(hashes[i]) === c.challenge) {
            return btoa(JSON.stringify({ algorithm: c.algorithm, challenge: c.challenge, number: start + i, salt: c.salt, signature: c.signature }));
          }
        }
        return from(start + 200);
      });
    }
    return from(0).catch(function () { return ""; });
  }

  // dateTime writes a moment as the service does everywhere a person reads
  // one: dd/mm/yyyy HH:mm in Vietnam's time (UTC+7 all year), whatever the
  // phone's own zone and language.
  function dateTime(iso) {
    var d = new Date(Date.parse(iso) + 7 * 3600 * 1000);
    function two(n) { return (n < 10 ? "0" : "") + n; }
    return two(d.getUTCDate()) + "/" + two(d.getUTCMonth() + 1) + "/" + d.getUTCFullYear() +
      " " + two(d.getUTCHours()) + ":" + two(d.getUTCMinutes());
  }

  // showFollowUp fills the result section the way the service does.
  function showFollowUp(json, lookup, sent) {
    if (!result) return;
    result.querySelector("[data-fu-kind]").textContent = json.kind_label;
    result.querySelector("[data-fu-status]").textContent = json.status_label;
    result.querySelector("[data-fu-notice]").hidden = !sent;
    var list = result.querySelector("[data-fu-messages]");
    var tpl = result.querySelector("template[data-fu-message]");
    list.textContent = "";
    result.querySelector("[data-fu-empty]").hidden = json.messages.length > 0;
    json.messages.forEach(function (m) {
      var item = tpl.content.firstElementChild.cloneNode(true);
      item.classList.add("msg-" + m.from);
      item.querySelector("[data-fu-from]").textContent = m.from === "officer" ? "Cán bộ xã" : "Bạn";
      item.querySelector("[data-fu-at]").setAttribute("datetime", m.at);
      item.querySelector("[data-fu-at]").textContent = dateTime(m.at);
      item.querySelector("[data-fu-body]").textContent = m.body;
      list.appendChild(item);
    });
    var receipt = lookup.querySelector('[name="receipt"]').value;
    result.querySelectorAll('[name="receipt"]').forEach(function (el) { el.value = receipt; });
    result.hidden = false;
    var title = result.querySelector("[data-fu-title]");
    title.focus();
  }

  // newKey: 32 random hexadecimal digits, or "" without crypto.
  function newKey() {
    if (!window.crypto || !window.crypto.getRandomValues) return "";
    var b = new Uint8Array(16);
    window.crypto.getRandomValues(b);
    return Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
  }

  function enhance(form, onDone) {
    var summary = form.querySelector("[data-error-summary]");
    var sending = form.querySelector("[data-sending]");
    var button = form.querySelector("[data-submit]");
    var baseTitle = document.title.replace(/^Lỗi: /, "");
    // A tip or a request sent twice (a retry after the network failed, or
    // the plain post this falls back to) is stored once: both carry the
    // same random key, and the service answers the same receipt.
    var sends = form.hasAttribute("data-idempotent");
    var key = sends ? newKey() : "";
    var work = null; // the proof of work, started when the person starts
    form.addEventListener("input", function () {
      if (!work) work = challengeFor(form.action);
    });

    form.addEventListener("submit", function (e) {
      if (!window.fetch || !window.FormData) return; // plain post
      e.preventDefault();
      var data = new FormData(form);
      var body = form.enctype === "multipart/form-data" ? data : new URLSearchParams(data);
      button.disabled = true;
      sending.hidden = false;
      (work || Promise.resolve(""))
        .then(function (answer) {
          work = null; // an answer is good once
          return post(form.action, body, key, answer);
        })
        .then(function (r) {
          // No proof of work could be made here: the plain post has a
          // share of its own.
          if (r.status === 428) throw new Error("challenge");
          button.disabled = false;
          sending.hidden = true;
          if (r.status === 201 || r.status === 200) {
            clearErrors();
            document.title = baseTitle;
            if (sends) key = newKey(); // what comes next is a new report
            onDone(r.json);
          } else {
            showErrors(r.json.fields || {}, r.json.message);
          }
        })
        .catch(function () {
          // The network or the answer failed: fall back to a plain post,
          // with the same key in case the first one was stored.
          button.disabled = false;
          sending.hidden = true;
          if (key) {
            var hidden = form.querySelector('input[name="idempotency_key"]') || document.createElement("input");
            hidden.type = "hidden";
            hidden.name = "idempotency_key";
            hidden.value = key;
            form.appendChild(hidden);
          }
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
  }

  // copyButton shows the button that copies the receipt in root, where
  // the browser lets a page write to the clipboard.
  function copyButton(root) {
    var button = root.querySelector("[data-copy-receipt]");
    var receipt = root.querySelector("[data-receipt]");
    var status = root.querySelector("[data-copy-status]");
    if (!button || !receipt || !navigator.clipboard || !navigator.clipboard.writeText) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(receipt.textContent.trim()).then(function () {
        button.textContent = "Đã chép";
        if (status) status.textContent = "Đã chép mã vào bộ nhớ tạm.";
      }, function () {
        if (status) status.textContent = "Không chép được. Hãy ghi mã ra giấy, hoặc in hay lưu trang này.";
      });
    });
  }
  // A confirmation the service filled (a plain post) has its receipt shown.
  var shown = document.querySelector("[data-confirmation]");
  if (shown && shown.querySelector("[data-receipt-block]:not([hidden])")) copyButton(shown);

  // confirm replaces the page's content with the confirmation panel.
  function confirm(json) {
    var tpl = document.querySelector("template[data-confirmation-template]");
    var main = document.getElementById("main");
    var panel = document.createElement("div");
    panel.className = "prose";
    if (tpl) {
      panel.appendChild(tpl.content.cloneNode(true));
    } else {
      panel.innerHTML = '<h1>Đã gửi</h1><p>Mã biên nhận của bạn:</p><p class="receipt" data-receipt></p>';
    }
    panel.querySelector("[data-receipt]").textContent = json.receipt;
    var block = panel.querySelector("[data-receipt-block]");
    if (block) block.hidden = false;
    var note = panel.querySelector("[data-receipt-missing]");
    if (note) note.parentNode.removeChild(note);
    copyButton(panel);
    main.textContent = "";
    main.appendChild(panel);
    var title = panel.querySelector("h1");
    document.title = title.textContent + " | " + document.title.replace(/^Lỗi: /, "").split(" | ").pop();
    title.setAttribute("tabindex", "-1");
    title.focus();
    window.scrollTo(0, 0);
  }
})();
