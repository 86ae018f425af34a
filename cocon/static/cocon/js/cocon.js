// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  // Move focus to the error summary so screen-reader and keyboard users hear it first.
  var summary = document.querySelector("[data-error-summary]");
  if (summary) { summary.focus(); }
  // Confirm destructive actions.
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) { event.preventDefault(); }
    });
  });

  var french = (document.documentElement.lang || "fr").toLowerCase().indexOf("fr") === 0;
  function t(fr, en) { return french ? fr : en; }

  // An error summary link to a group of radios goes to its first choice (the group
  // itself cannot take the focus).
  document.querySelectorAll("[data-error-summary] a[href^='#']").forEach(function (link) {
    link.addEventListener("click", function (event) {
      var target = document.getElementById(link.getAttribute("href").slice(1));
      if (!target || target.matches("input, select, textarea, button")) { return; }
      var first = target.querySelector("input:checked, input, select, textarea");
      if (!first) { return; }
      event.preventDefault();
      (target.closest("fieldset") || target).scrollIntoView();
      first.focus();
    });
  });

  // Print buttons (hidden until this script shows them: without it they could do nothing).
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });

  // Suggest the competent service while the person types (forms with data-suggest="url"):
  // only while the service is still "let Cocon route it"; one click selects it.
  document.querySelectorAll("form[data-suggest]").forEach(function (form) {
    var endpoint = form.getAttribute("data-suggest");
    var text = form.querySelector("textarea[name=text]");
    var select = form.querySelector("select[name=service]");
    var output = form.querySelector("[data-suggestion]");
    if (!endpoint || !text || !select || !output || !window.fetch) { return; }
    var timer = null;
    var controller = null;
    var asked = 0;

    function kind() {
      var checked = form.querySelector("input[name=kind]:checked");
      return checked ? checked.value : "";
    }
    function clear() { output.textContent = ""; }
    function show(service) {
      clear();
      var message = document.createElement("span");
      message.textContent = t("Service suggéré : ", "Suggested service: ")
        + service.name + " (" + service.organization + ")";
      var choose = document.createElement("button");
      choose.type = "button";
      choose.className = "button button--secondary";
      choose.setAttribute("data-choose-service", String(service.id));
      choose.textContent = t("Choisir ce service", "Choose this service");
      choose.addEventListener("click", function () {
        select.value = String(service.id);
        select.dispatchEvent(new Event("change", { bubbles: true }));
        output.textContent = t("Service choisi : ", "Service chosen: ") + service.name
          + " (" + service.organization + ")";
        select.focus();
      });
      output.append(message, " ", choose);
    }
    function ask() {
      if (select.value !== "") { clear(); return; }
      var params = new URLSearchParams({ text: text.value, kind: kind() });
      if (controller) { controller.abort(); }
      controller = window.AbortController ? new AbortController() : null;
      var number = ++asked;
      fetch(endpoint + "?" + params.toString(), {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
        signal: controller ? controller.signal : undefined,
      })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) {
          if (number !== asked) { return; } // an older answer arriving late
          if (data && data.service && select.value === "") { show(data.service); } else { clear(); }
        })
        .catch(function () { /* offline or aborted: no suggestion, the form still works */ });
    }
    function later() {
      window.clearTimeout(timer);
      timer = window.setTimeout(ask, 500);
    }
    text.addEventListener("input", later);
    form.querySelectorAll("input[name=kind]").forEach(function (radio) {
      radio.addEventListener("change", later);
    });
    select.addEventListener("change", function () {
      if (select.value === "") { later(); return; }
      window.clearTimeout(timer);
      if (output.querySelector("[data-choose-service]")) { clear(); } // chosen by hand
    });
  });
})();
