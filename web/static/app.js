// A progressive touch only: the page works the same without it.
// Changing a version or language filter or the translation box re-runs the search at once (it starts again at
// page 1).
document.addEventListener("DOMContentLoaded", function () {
  var form = document.querySelector("form.search");
  if (!form) return;
  // On a phone the filters fold away once there are results, so the first hit is above the fold; a tap on
  // "Filters" opens them.
  var panel = form.querySelector("details.filters-panel");
  if (panel && document.querySelector("ol.hits li.hit, table.kwic") && window.matchMedia("(max-width: 40rem)").matches) {
    panel.open = false;
  }
  form.querySelectorAll(".versions input, .langs input, .translate-filter input[type=checkbox]").forEach(function (input) {
    input.addEventListener("change", function () { form.submit(); });
  });
  // "/" focuses the search box, as on many search sites.
  document.addEventListener("keydown", function (e) {
    var q = form.querySelector("#q");
    if (e.key === "/" && q && document.activeElement !== q && !/^(INPUT|TEXTAREA)$/.test(document.activeElement.tagName)) {
      e.preventDefault();
      q.focus();
    }
  });
});
