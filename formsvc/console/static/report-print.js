// The report page's print button. The page says "bấm Ctrl+P để in" to a
// browser without JavaScript; when this script runs, the button takes
// that line's place. A file, not inline: the page's CSP allows no inline
// script.
(function () {
  var button = document.getElementById("print-report");
  var hint = document.getElementById("print-hint");
  if (!button || typeof window.print !== "function") {
    return;
  }
  button.hidden = false;
  if (hint) {
    hint.hidden = true;
  }
  button.addEventListener("click", function () {
    window.print();
  });
})();
