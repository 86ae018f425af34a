// Staff pages of Signalements — progressive enhancement only: every form works without it.
(function () {
  "use strict";

  // List: "select all the reports of this page".
  var all = document.querySelector("[data-select-all]");
  var table = document.querySelector("[data-reports-table]");
  if (all && table) {
    var boxes = Array.prototype.slice.call(
      table.querySelectorAll("tbody input[type=checkbox][name='bulk-reports']")
    );
    var label = document.querySelector("[data-select-all-label]");
    if (label) { label.hidden = false; }
    var sync = function () {
      var checked = boxes.filter(function (b) { return b.checked; }).length;
      all.checked = checked > 0 && checked === boxes.length;
      all.indeterminate = checked > 0 && checked < boxes.length;
    };
    all.addEventListener("change", function () {
      boxes.forEach(function (b) { b.checked = all.checked; });
      sync();
    });
    boxes.forEach(function (b) { b.addEventListener("change", sync); });
    sync();
  }

  // Detail: the public update proposed for the chosen state, while the agent has not
  // written their own text.
  var data = document.getElementById("state-suggestions");
  var form = document.querySelector("[data-state-form]");
  if (data && form) {
    var texts = JSON.parse(data.textContent || "{}");
    var select = form.querySelector("select[name='state-status']");
    var area = form.querySelector("textarea[name='state-text']");
    if (select && area) {
      var proposed = function (value) {
        if (!value.trim()) { return true; }
        return Object.keys(texts).some(function (k) { return texts[k] === value; });
      };
      select.addEventListener("change", function () {
        if (proposed(area.value) && texts[select.value]) { area.value = texts[select.value]; }
      });
    }
  }
})();
