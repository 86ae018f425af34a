// Offline field capture (/espace/terrain/): record reports and voices without network,
// keep them in IndexedDB (reports-field-store.js), send them one by one when the network
// is back, each with its own Idempotency-Key so that a retried send is stored once.
// The page itself, its files and reference.json are kept by the service worker
// (field-sw.js), so the page opens without network after one visit online.
(function () {
  "use strict";
  var app = document.querySelector("[data-field-app]");
  var store = window.CoconFieldStore;
  if (!app || !store) { return; }
  var S = JSON.parse(document.getElementById("field-strings").textContent);
  var urls = {
    sw: app.getAttribute("data-sw"),
    scope: app.getAttribute("data-scope"),
    reference: app.getAttribute("data-reference"),
    send: app.getAttribute("data-send"),
    login: app.getAttribute("data-login")
  };
  var forms = {
    report: document.querySelector("form[data-form='report']"),
    voice: document.querySelector("form[data-form='voice']")
  };
  var networkLine = app.querySelector("[data-network]");
  var syncLine = app.querySelector("[data-sync-message]");
  var list = document.querySelector("[data-items]");
  var empty = document.querySelector("[data-empty]");
  var REFERENCE_COPY = "cocon-field-reference";
  var reference = null;
  var editing = { report: null, voice: null }; // id of the item being fixed, per form
  var syncing = null;
  // other tabs of the field page re-read the list when this one changes it
  var channel = "BroadcastChannel" in window ? new BroadcastChannel("cocon-field") : null;
  function tell() { if (channel) { channel.postMessage("changed"); } }
  if (channel) { channel.onmessage = function () { render(); }; }

  function format(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (_m, name) {
      return values[name] === undefined ? "" : String(values[name]);
    });
  }
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) { node.setAttribute(name, attrs[name]); });
    if (text !== undefined) { node.textContent = text; }
    return node;
  }
  function say(text, link) {
    syncLine.textContent = text || "";
    if (link) {
      syncLine.append(" ");
      syncLine.append(el("a", { href: link.href }, link.label));
    }
  }

  // --- network --------------------------------------------------------------------------
  function showNetwork() {
    networkLine.textContent = navigator.onLine ? S.online : S.offline;
    app.classList.toggle("is-offline", !navigator.onLine);
  }

  // --- reference data (categories, services, communes…) ---------------------------------
  function fillSelect(select, options, keepFirst) {
    var current = select.value;
    while (select.options.length > (keepFirst ? 1 : 0)) { select.remove(select.options.length - 1); }
    Array.prototype.slice.call(select.querySelectorAll("optgroup")).forEach(function (g) { g.remove(); });
    options.forEach(function (option) {
      if (option.group) {
        var group = el("optgroup", { label: option.group });
        option.options.forEach(function (o) { group.append(el("option", { value: o.value }, o.label)); });
        select.append(group);
      } else {
        select.append(el("option", { value: option.value }, option.label));
      }
    });
    select.value = current;
    if (select.value !== current) { select.value = keepFirst ? "" : (select.options[0] || {}).value || ""; }
  }

  function applyReference(data) {
    reference = data;
    var groups = [];
    var byGroup = {};
    data.categories.forEach(function (c) {
      var option = { value: c.code, label: c.name };
      if (!c.group) { groups.push(option); return; }
      if (!byGroup[c.group]) { byGroup[c.group] = { group: c.group, options: [] }; groups.push(byGroup[c.group]); }
      byGroup[c.group].options.push(option);
    });
    fillSelect(forms.report.querySelector("[name=category]"), groups, true);
    var communes = data.communes.map(function (c) { return { value: String(c.id), label: c.name }; });
    fillSelect(forms.report.querySelector("[name=commune]"), communes, true);
    fillSelect(forms.voice.querySelector("[name=commune]"), communes, true);
    fillSelect(forms.voice.querySelector("[name=kind]"), data.kinds, true);
    fillSelect(forms.voice.querySelector("[name=channel]"), data.voice_channels, false);
    fillSelect(forms.voice.querySelector("[name=service]"), data.services.map(function (g) {
      return { group: g.organization, options: g.services.map(function (s) { return { value: String(s.id), label: s.name }; }) };
    }), true);
    if (!forms.report.querySelector("[data-attributes]").children.length) { renderAttributes(); }
  }

  // Fetch reference.json (the service worker answers with its copy when offline).
  // Resolves to the HTTP status, so that sync() can tell an expired session.
  function loadReference(fresh) {
    return fetch(urls.reference, {
      credentials: "same-origin",
      cache: fresh ? "no-store" : "default",
      headers: { Accept: "application/json" }
    }).then(function (response) {
      if (!response.ok || response.redirected) { return response.redirected ? 401 : response.status; }
      return response.json().then(function (data) {
        applyReference(data);
        try { localStorage.setItem(REFERENCE_COPY, JSON.stringify(data)); } catch (e) { /* full */ }
        return 200;
      });
    });
  }

  function category(code) {
    return (reference ? reference.categories : []).filter(function (c) { return c.code === code; })[0];
  }

  // --- extra questions of the chosen category -----------------------------------------
  function renderAttributes() {
    var box = forms.report.querySelector("[data-attributes]");
    box.textContent = "";
    var chosen = category(forms.report.querySelector("[name=category]").value);
    if (!chosen) { return; }
    (chosen.attributes || []).forEach(function (attr) {
      var id = "report-attribute-" + attr.code;
      var name = "attribute[" + attr.code + "]";
      var multi = attr.datatype === "multivaluelist";
      var wrap = el(multi ? "fieldset" : "div", { class: "field" + (multi ? " field--radios" : "") });
      var label = el(multi ? "legend" : "label", multi ? {} : { for: id }, attr.description || attr.code);
      if (attr.required) {
        label.append(" ");
        label.append(el("span", { class: "required-mark", "aria-hidden": "true" }, "*"));
      }
      wrap.append(label);
      var error = el("div", { class: "field-error", id: id + "-error", hidden: "" });
      wrap.append(error);
      var input;
      if (attr.datatype === "singlevaluelist") {
        input = el("select", { id: id, name: name });
        input.append(el("option", { value: "" }, S.choose));
        (attr.values || []).forEach(function (v) { input.append(el("option", { value: String(v.key) }, v.name)); });
      } else if (multi) {
        input = el("div", { class: "choice-buttons" });
        (attr.values || []).forEach(function (v, index) {
          var boxId = id + "-" + index;
          var choice = el("label", { class: "choice-button", for: boxId });
          choice.append(el("input", { type: "checkbox", id: boxId, name: name, value: String(v.key) }));
          choice.append(el("span", {}, v.name));
          input.append(choice);
        });
      } else if (attr.datatype === "text") {
        input = el("textarea", { id: id, name: name, rows: "3" });
      } else if (attr.datatype === "number") {
        input = el("input", { id: id, name: name, type: "text", inputmode: "decimal" });
      } else if (attr.datatype === "datetime") {
        input = el("input", { id: id, name: name, type: "datetime-local" });
      } else {
        input = el("input", { id: id, name: name, type: "text", maxlength: "300" });
      }
      if (attr.required && !multi) { input.setAttribute("required", ""); }
      if (!multi) { input.setAttribute("aria-describedby", id + "-error"); }
      wrap.append(input);
      box.append(wrap);
    });
  }

  // --- position ----------------------------------------------------------------------
  function setPosition(lat, lon, accuracy) {
    var form = forms.report;
    form.querySelector("[data-latitude]").value = lat === null ? "" : String(lat);
    form.querySelector("[data-longitude]").value = lon === null ? "" : String(lon);
    form.querySelector("[data-position]").textContent = lat === null ? S.no_position
      : format(S.position, { lat: lat.toFixed(5), lon: lon.toFixed(5), accuracy: Math.round(accuracy || 0) });
  }
  function locate() {
    var line = forms.report.querySelector("[data-position]");
    if (!navigator.geolocation) { line.textContent = S.position_failed; return; }
    line.textContent = S.locating;
    navigator.geolocation.getCurrentPosition(function (position) {
      setPosition(position.coords.latitude, position.coords.longitude, position.coords.accuracy);
    }, function () {
      line.textContent = S.position_failed;
      forms.report.querySelector("[name=commune]").focus();
    }, { enableHighAccuracy: true, timeout: 20000, maximumAge: 60000 });
  }

  // --- photos ------------------------------------------------------------------------
  function showThumbs(form, blobs) {
    var thumbs = form.querySelector("[data-thumbs]");
    thumbs.textContent = "";
    blobs.forEach(function (blob, index) {
      var item = el("li");
      var img = el("img", { alt: format(S.photos, { count: index + 1 }), width: "96", height: "96" });
      var reader = new FileReader(); // a data: URL (the CSP allows data: images, not blob:)
      reader.onload = function () { img.src = reader.result; };
      reader.readAsDataURL(blob);
      item.append(img);
      thumbs.append(item);
    });
  }

  // --- forms ↔ items -----------------------------------------------------------------
  function readFields(form) {
    var fields = {};
    Array.prototype.forEach.call(form.elements, function (input) {
      if (!input.name || input.type === "file" || input.disabled) { return; }
      if ((input.type === "radio" || input.type === "checkbox") && !input.checked) { return; }
      if (input.value === "") { return; }
      if (input.type === "checkbox" && input.name.indexOf("attribute[") === 0) {
        fields[input.name] = (fields[input.name] || []).concat([input.value]);
      } else {
        fields[input.name] = input.value;
      }
    });
    return fields;
  }

  function writeFields(form, fields) {
    form.reset();
    if (form === forms.report) {
      form.querySelector("[name=category]").value = fields.category || "";
      renderAttributes();
      setPosition(fields.latitude ? Number(fields.latitude) : null,
        fields.longitude ? Number(fields.longitude) : null, 0);
    }
    Array.prototype.forEach.call(form.elements, function (input) {
      if (!input.name || input.type === "file") { return; }
      var value = fields[input.name];
      var values = Array.isArray(value) ? value : (value === undefined ? [] : [value]);
      if (input.type === "radio" || input.type === "checkbox") {
        input.checked = values.indexOf(input.value) >= 0;
      } else if (input.type !== "hidden") {
        input.value = values.length ? values[0] : "";
      }
    });
    syncMode();
  }

  function errorBox(form, name) {
    var type = form.getAttribute("data-form");
    var match = /^attribute\[(.+)\]$/.exec(name);
    var id = match ? type + "-attribute-" + match[1] + "-error" : type + "-" + name + "-error";
    return document.getElementById(id);
  }

  function showErrors(form, errors) {
    form.querySelectorAll(".field-error[id]").forEach(function (box) { box.hidden = true; box.textContent = ""; });
    form.querySelectorAll("[aria-invalid]").forEach(function (input) { input.removeAttribute("aria-invalid"); });
    var summary = form.querySelector("[data-form-errors]");
    summary.hidden = true;
    summary.textContent = "";
    var names = Object.keys(errors || {});
    if (!names.length) { return; }
    var loose = [];
    names.forEach(function (name) {
      var box = errorBox(form, name);
      if (!box) { loose = loose.concat(errors[name]); return; }
      errors[name].forEach(function (message) { box.append(el("p", {}, message)); });
      box.hidden = false;
      form.querySelectorAll("[name='" + name + "']").forEach(function (input) { input.setAttribute("aria-invalid", "true"); });
      if (box.closest("details")) { box.closest("details").open = true; }
    });
    summary.textContent = [S.fix_intro].concat(loose).join(" ");
    summary.hidden = false;
    summary.focus();
  }

  function check(type, fields) {
    var errors = {};
    if (type === "report") {
      if (!fields.category) { errors.category = [S.need_category]; }
      if (!fields.description || !fields.description.trim()) { errors.description = [S.need_description]; }
      if (!fields.latitude && !fields.commune) { errors.location = [S.need_place]; }
      var chosen = category(fields.category);
      ((chosen && chosen.attributes) || []).forEach(function (attr) {
        var name = "attribute[" + attr.code + "]";
        if (attr.required && !fields[name]) { errors[name] = [S.need_answer]; }
      });
    } else {
      if (fields.capture_mode !== "observation" && !fields.kind) { errors.kind = [S.need_kind]; }
      if (!fields.text || !fields.text.trim()) { errors.text = [S.need_text]; }
    }
    return errors;
  }

  function titleOf(item) {
    var f = item.fields;
    if (item.type === "report") {
      var c = category(f.category);
      return S.report + " · " + (c ? c.name : f.category || "") + " — " + (f.description || "").slice(0, 80);
    }
    var kind = (reference ? reference.kinds : []).filter(function (k) { return k.value === f.kind; })[0];
    return S.voice + (kind ? " · " + kind.label : "") + " — " + (f.text || "").slice(0, 80);
  }

  function syncMode() {
    var observation = forms.voice.querySelector("[name=capture_mode]:checked");
    var own = observation && observation.value === "observation";
    forms.voice.querySelector("[data-kind-field]").hidden = own;
    forms.voice.querySelector("[name=kind]").disabled = own;
  }

  function save(event) {
    event.preventDefault();
    var form = event.target;
    var type = form.getAttribute("data-form");
    var fields = readFields(form);
    if (type === "voice" && fields.capture_mode === "observation") { fields.kind = "observation"; }
    var errors = check(type, fields);
    if (Object.keys(errors).length) { showErrors(form, errors); return; }
    var chosen = Array.prototype.slice.call(form.querySelector("input[type=file]").files);
    var done;
    if (editing[type]) {
      var changes = { fields: fields, state: "waiting", errors: null, message: "" };
      if (chosen.length) { changes.photos = chosen; }
      done = store.update(editing[type], changes).then(function (item) {
        item.title = titleOf(item);
        return store.put(item);
      }).then(function () { say(S.changed); });
    } else {
      var item = {
        id: store.newKey(), type: type, fields: fields, photos: chosen, state: "waiting",
        account: reference ? reference.user_id : null,
        errors: null, message: "", reference: "", url: "", captured_at: new Date().toISOString()
      };
      item.title = titleOf(item);
      done = store.put(item).then(function () { say(S.kept); });
    }
    done.then(function () {
      stopEditing(type);
      tell();
      return render();
    }).then(function () { sync(); });
  }

  function stopEditing(type) {
    var form = forms[type];
    editing[type] = null;
    form.reset();
    showErrors(form, {});
    showThumbs(form, []);
    form.querySelector("[data-cancel]").hidden = true;
    if (type === "report") { renderAttributes(); setPosition(null, null, 0); }
    syncMode();
  }

  function edit(item) {
    var form = forms[item.type];
    document.getElementById("field-type-" + item.type).checked = true;
    showForm();
    editing[item.type] = item.id;
    writeFields(form, item.fields);
    showThumbs(form, item.photos || []);
    form.querySelector("[data-cancel]").hidden = false;
    showErrors(form, item.errors || {});
    if (!item.errors) { form.querySelector("input, select, textarea").focus(); }
  }

  function showForm() {
    var type = document.querySelector("[name=field-type]:checked").value;
    forms.report.hidden = type !== "report";
    forms.voice.hidden = type !== "voice";
  }

  // --- the list of items on this phone -------------------------------------------------
  function render() {
    return store.all().then(function (items) {
      list.textContent = "";
      empty.hidden = items.length > 0;
      items.forEach(function (item) {
        var li = el("li", { class: "field-item field-item--" + item.state, "data-item": item.id, "data-state": item.state });
        var head = el("p", { class: "field-item-title" });
        head.append(el("span", { class: "badge field-badge" }, S[item.state] || item.state));
        head.append(" ");
        head.append(el("span", { "data-title": "" }, item.title || titleOf(item)));
        li.append(head);
        if ((item.photos || []).length) { li.append(el("p", { class: "muted" }, format(S.photos, { count: item.photos.length }))); }
        if (item.state === "sent") {
          var ref = el("p", { "data-reference": item.reference });
          ref.append(S.reference + " : ");
          ref.append(el("a", { href: item.url }, item.reference));
          li.append(ref);
        }
        if (item.state === "error") {
          var box = el("div", { class: "field-error", "data-errors": "" });
          box.append(el("p", {}, S.item_errors));
          Object.keys(item.errors || {}).forEach(function (name) {
            item.errors[name].forEach(function (message) { box.append(el("p", {}, message)); });
          });
          li.append(box);
        }
        if (item.message) { li.append(el("p", { class: "muted", "data-message": "" }, item.message)); }
        var actions = el("div", { class: "actions" });
        function button(label, action, extra) {
          var b = el("button", { type: "button", class: "button button--secondary" + (extra || ""), "data-action": action }, label);
          b.addEventListener("click", function () { act(action, item.id); });
          actions.append(b);
        }
        if (item.state === "error") { button(S.fix, "fix"); button(S.resend, "resend"); }
        if (item.state === "sent") { button(S.remove, "remove"); }
        else if (item.state !== "sending") { button(S.delete, "delete", " button--danger"); }
        li.append(actions);
        list.append(li);
      });
    });
  }

  function act(action, id) {
    store.get(id).then(function (item) {
      if (!item) { return render(); }
      if (action === "fix") { edit(item); return null; }
      if (action === "resend") {
        return store.update(id, { state: "waiting", errors: null }).then(render).then(sync);
      }
      if (action === "delete" && !window.confirm(S.confirm_delete)) { return null; }
      return store.remove(id).then(render);
    });
  }

  // --- sending -----------------------------------------------------------------------
  function body(item) {
    var data = new FormData();
    data.append("type", item.type);
    data.append("captured_at", item.captured_at);
    Object.keys(item.fields).forEach(function (name) {
      var value = item.fields[name];
      (Array.isArray(value) ? value : [value]).forEach(function (v) { data.append(name, v); });
    });
    (item.photos || []).forEach(function (blob, index) {
      data.append("photos", blob, blob.name || "photo-" + (index + 1) + ".jpg");
    });
    return data;
  }

  // Send one item. Resolves to "sent", "next" (go on), "login" or "stop" (network or
  // server problem: the item stays waiting).
  function sendOne(item, token) {
    return store.get(item.id).then(function (current) {
      // sent or deleted meanwhile (another tab, the agent)
      if (!current || (current.state !== "waiting" && current.state !== "sending")) { return "skip"; }
      return store.update(item.id, { state: "sending", message: "" }).then(render).then(function () {
        return post(current, token);
      });
    });
  }

  function post(item, token) {
    return Promise.resolve().then(function () {
      return fetch(urls.send, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Idempotency-Key": item.id, "X-CSRFToken": token, Accept: "application/json" },
        body: body(item)
      });
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (answer) {
        if (response.status === 200 || response.status === 201) {
          return store.update(item.id, {
            state: "sent", reference: answer.reference, url: answer.url, errors: null, message: ""
          }).then(function () { return "sent"; });
        }
        if (response.status === 422 || response.status === 400) {
          var errors = answer.errors || { __all__: [answer.message || S.server] };
          return store.update(item.id, { state: "error", errors: errors }).then(function () { return "next"; });
        }
        var login = response.status === 401 || response.status === 403;
        return store.update(item.id, { state: "waiting", message: login ? S.login : S.server })
          .then(function () { return login ? "login" : "stop"; });
      });
    }, function () {
      return store.update(item.id, { state: "waiting" }).then(function () { return "stop"; });
    });
  }

  // One sync at a time for the whole phone: two open tabs do not send the same items
  // together (if they did, the Idempotency-Key would still store each item once).
  function exclusive(work) {
    if (navigator.locks && navigator.locks.request) {
      return navigator.locks.request("cocon-field-sync", work);
    }
    return work();
  }

  function sync() {
    if (syncing) { return syncing; }
    showNetwork();
    if (!navigator.onLine) { return Promise.resolve(); }
    syncing = exclusive(function () { return store.all().then(function (items) {
      var waiting = items.filter(function (i) { return i.state === "waiting" || i.state === "sending"; });
      if (!waiting.length) { return null; }
      say(S.sending);
      return loadReference(true).then(function (status) {
        if (status === 401 || status === 403) { say(S.login, { href: urls.login, label: S.login_link }); return null; }
        if (status !== 200) { say(S.server); return null; }
        var token = reference.csrf_token;
        var sent = 0;
        var outcome = "next";
        // a shared phone: only the account that recorded an item sends it
        var others = waiting.filter(function (i) { return i.account && i.account !== reference.user_id; });
        waiting = waiting.filter(function (i) { return others.indexOf(i) < 0; });
        return Promise.all(others.map(function (i) {
          return store.update(i.id, { state: "waiting", message: S.other_account });
        })).then(function () { return waiting.reduce(function (chain, item) {
          return chain.then(function () {
            if (outcome === "stop" || outcome === "login") { return null; }
            return sendOne(item, token).then(function (result) {
              if (result === "sent") { sent += 1; } else if (result !== "skip") { outcome = result; }
            });
          });
        }, Promise.resolve()); }).then(function () {
          if (outcome === "login") { say(S.login, { href: urls.login, label: S.login_link }); }
          else if (outcome === "stop") { say(S.server); }
          else { say(format(S.sent_count, { count: sent })); }
        });
      }, function () { say(S.server); });
    }); }).then(render).then(function () { syncing = null; tell(); }, function () { syncing = null; return render(); });
    return syncing;
  }

  // --- start -------------------------------------------------------------------------
  forms.report.addEventListener("submit", save);
  forms.voice.addEventListener("submit", save);
  forms.report.querySelector("[name=category]").addEventListener("change", renderAttributes);
  forms.report.querySelector("[data-locate]").addEventListener("click", locate);
  ["report", "voice"].forEach(function (type) {
    var form = forms[type];
    form.querySelector("input[type=file]").addEventListener("change", function (event) {
      showThumbs(form, Array.prototype.slice.call(event.target.files));
    });
    form.querySelector("[data-cancel]").addEventListener("click", function () { stopEditing(type); });
  });
  forms.voice.querySelectorAll("[name=capture_mode]").forEach(function (r) { r.addEventListener("change", syncMode); });
  document.querySelectorAll("[name=field-type]").forEach(function (r) { r.addEventListener("change", showForm); });
  app.querySelector("[data-send-now]").addEventListener("click", function () { sync(); });
  window.addEventListener("online", function () { showNetwork(); sync(); });
  window.addEventListener("offline", showNetwork);
  showNetwork();
  showForm();
  syncMode();

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(urls.sw, { scope: urls.scope }).catch(function () { /* the page still works online */ });
    navigator.serviceWorker.ready.then(function () {
      app.querySelector("[data-offline-ready]").hidden = false;
    });
  }
  var copy = null;
  try { copy = JSON.parse(localStorage.getItem(REFERENCE_COPY) || "null"); } catch (e) { copy = null; }
  if (copy) { applyReference(copy); }
  loadReference(false).catch(function () { /* offline without a copy yet */ })
    .then(function () { return render(); })
    .then(function () {
      // an item left "sending" by a closed page is sent again (same key: stored once)
      return sync();
    })
    .then(function () { app.setAttribute("data-ready", "true"); });
})();
