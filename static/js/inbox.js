// The inbox: "choose all" ticks every report on the page; a filter applies as it changes
// (the "Show" button does the same without JavaScript).
(function () {
  "use strict";
  var all = document.getElementById("choose-all");
  if (all) {
    all.addEventListener("change", function () {
      document.querySelectorAll(".inbox-choice").forEach(function (box) {
        box.checked = all.checked;
      });
    });
  }
  var filters = document.getElementById("inbox-filters");
  if (filters) {
    filters.addEventListener("change", function (event) {
      if (event.target.tagName === "SELECT") filters.requestSubmit();
    });
  }
})();
