// Signalements: maps added to pages that work without them (progressive enhancement).
// - [data-reports-map]: the public map (markers or clusters from carte.json, per view);
// - [data-report-picker]: the report form's map (click, drag, "use my position",
//   "already reported nearby" from proches.json, the category's extra questions);
// - [data-report-point]: the small map of one report.
// Without Leaflet, without tiles (offline, blocked), or without this file, the list,
// the filters and the commune/address fields do the same work.
(function () {
  "use strict";

  var french = (document.documentElement.lang || "fr").toLowerCase().indexOf("fr") === 0;
  function t(fr, en) { return french ? fr : en; }
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  // --- the category's extra questions (no map needed) -------------------------------
  document.querySelectorAll("form[data-report-form]").forEach(function (form) {
    var select = form.querySelector("select[name=category]");
    var groups = form.querySelectorAll("[data-questions-for]");
    if (!select || !groups.length) { return; }
    function toggle() {
      groups.forEach(function (group) {
        group.hidden = group.getAttribute("data-questions-for") !== select.value;
        var note = group.querySelector("[data-questions-note]");
        if (note) { note.hidden = true; }
      });
    }
    select.addEventListener("change", toggle);
    toggle();
  });

  if (!window.L) { return; } // Leaflet did not load: the pages work without the map

  function bounds(text) {
    var p = (text || "").split(",").map(Number);
    if (p.length !== 4 || p.some(isNaN)) { return null; }
    return L.latLngBounds([p[0], p[1]], [p[2], p[3]]);
  }

  // A Leaflet map with the tiles of the settings; `notice` is shown when they cannot load
  // (after an error, or 8 seconds without any tile).
  function baseMap(node, notice, options) {
    node.setAttribute("role", "region");
    // the marker images by their static URLs (hashed in production, where Leaflet's
    // guess from its stylesheet would miss them)
    if (node.getAttribute("data-icon")) {
      L.Marker.prototype.options.icon = L.icon({
        iconUrl: node.getAttribute("data-icon"),
        iconRetinaUrl: node.getAttribute("data-icon-2x"),
        shadowUrl: node.getAttribute("data-icon-shadow"),
        iconSize: [25, 41],
        iconAnchor: [12, 41],
        popupAnchor: [1, -34],
        tooltipAnchor: [16, -28],
        shadowSize: [41, 41],
      });
    }
    var map = L.map(node, Object.assign({ scrollWheelZoom: false }, options || {}));
    map.attributionControl.setPrefix('<a href="https://leafletjs.com">Leaflet</a>');
    var url = node.getAttribute("data-tile-url");
    function show() { if (notice) { notice.hidden = false; } }
    if (!url) { show(); return map; }
    var loaded = false;
    var layer = L.tileLayer(url, {
      maxZoom: Number(node.getAttribute("data-tile-max-zoom")) || 19,
      attribution: node.getAttribute("data-tile-attribution") || "",
    });
    layer.on("tileload", function () { loaded = true; if (notice) { notice.hidden = true; } });
    layer.on("tileerror", function () { if (!loaded) { show(); } });
    window.setTimeout(function () { if (!loaded) { show(); } }, 8000);
    layer.addTo(map);
    return map;
  }

  function territoryView(map, node) {
    var area = bounds(node.getAttribute("data-bounds"));
    if (area) { map.fitBounds(area); } else { map.setView([46.6, 2.5], 6); }
  }

  // --- the public map ------------------------------------------------------------------
  document.querySelectorAll("[data-reports-map]").forEach(function (node) {
    var section = node.closest("[data-map-section]");
    if (section) { section.hidden = false; }
    var map = baseMap(node, section && section.querySelector("[data-map-notice]"));
    territoryView(map, node);
    var layer = L.layerGroup().addTo(map);
    var source = node.getAttribute("data-source");
    var query = node.getAttribute("data-query") || "";
    var asked = 0;
    var timer = null;

    function clamp(v, low, high) { return Math.min(high, Math.max(low, v)); }
    function popup(m) {
      var box = el("div");
      var link = el("a", { href: m.url });
      link.append(el("strong", {}, m.category), " " + m.ref);
      box.append(link, el("br"), m.status_label);
      return box;
    }
    function draw(data) {
      layer.clearLayers();
      if (data.mode === "markers") {
        data.markers.forEach(function (m) {
          var label = m.category + " " + m.ref + ", " + m.status_label;
          L.marker([m.lat, m.lon], { alt: label, title: label, keyboard: true })
            .bindPopup(popup(m))
            .addTo(layer);
        });
      } else {
        data.clusters.forEach(function (c) {
          var size = c.count < 10 ? 30 : c.count < 100 ? 38 : 46;
          var label = c.count + " " + t("signalements : zoomer", "reports: zoom in");
          L.marker([c.lat, c.lon], {
            icon: L.divIcon({ className: "report-cluster", html: String(c.count), iconSize: [size, size] }),
            title: label,
            keyboard: true,
          })
            .on("click keypress", function () { map.setView([c.lat, c.lon], map.getZoom() + 2); })
            .addTo(layer);
        });
      }
    }
    function load() {
      var b = map.getBounds();
      var south = clamp(b.getSouth(), -90, 90);
      var north = clamp(b.getNorth(), -90, 90);
      var west = clamp(b.getWest(), -180, 180);
      var east = clamp(b.getEast(), -180, 180);
      if (!(south < north && west < east)) { return; }
      var bbox = [west, south, east, north].map(function (v) { return v.toFixed(6); }).join(",");
      var number = ++asked;
      fetch(source + "?bbox=" + bbox + (query ? "&" + query : ""), {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) { if (data && number === asked) { draw(data); } })
        .catch(function () { /* offline: the list still shows the reports */ });
    }
    map.on("moveend", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(load, 250);
    });
    load();
  });

  // --- the report form's map ----------------------------------------------------------
  document.querySelectorAll("[data-report-picker]").forEach(function (picker) {
    var form = picker.closest("form");
    var lat = form.querySelector("input[name=latitude]");
    var lon = form.querySelector("input[name=longitude]");
    var category = form.querySelector("select[name=category]");
    var status = picker.querySelector("[data-point-status]");
    var clearButton = picker.querySelector("[data-clear-point]");
    var locateButton = picker.querySelector("[data-locate]");
    var nearby = form.querySelector("[data-nearby]");
    var csrf = form.querySelector("input[name=csrfmiddlewaretoken]");
    picker.hidden = false;
    var mapNode = picker.querySelector(".report-map");
    var map = baseMap(mapNode, picker.querySelector("[data-map-notice]"));
    territoryView(map, mapNode);
    var marker = null;
    var asked = 0;

    function say(text) { status.textContent = text; }
    function set(point) {
      lat.value = point.lat.toFixed(6);
      lon.value = point.lng.toFixed(6);
      clearButton.hidden = false;
      say(t("Point placé : ", "Point placed: ") + lat.value + ", " + lon.value
        + t(". Vous pouvez le déplacer.", ". You can move it."));
      checkNearby();
    }
    function place(point) {
      if (!marker) {
        marker = L.marker(point, {
          draggable: true,
          keyboard: true,
          alt: t("Point du signalement (déplaçable)", "Report point (can be moved)"),
        }).addTo(map);
        marker.on("dragend", function () { set(marker.getLatLng()); });
      } else {
        marker.setLatLng(point);
      }
      set(marker.getLatLng());
    }
    function clear() {
      if (marker) { map.removeLayer(marker); marker = null; }
      lat.value = "";
      lon.value = "";
      clearButton.hidden = true;
      say(t("Aucun point placé.", "No point placed."));
      nearby.textContent = "";
    }

    // support forms live outside the report form (forms cannot nest); the buttons in
    // the suggestion point at them with their `form` attribute
    function supportForm(ref, action) {
      var id = "support-" + ref;
      var existing = document.getElementById(id);
      if (existing) { return id; }
      var f = el("form", { id: id, method: "post", action: action, hidden: "" });
      f.append(el("input", { type: "hidden", name: "csrfmiddlewaretoken", value: csrf ? csrf.value : "" }));
      document.body.append(f);
      return id;
    }
    function showNearby(reports) {
      nearby.textContent = "";
      if (!reports.length) { return; }
      nearby.append(
        el("h3", {}, t("Déjà signalé à proximité ?", "Already reported nearby?")),
        el("p", {}, t(
          "Un signalement ouvert du même type est à moins de 30 m. Si c'est le même problème, soutenez-le plutôt que d'en envoyer un nouveau.",
          "An open report of the same kind is less than 30 m away. If it is the same problem, support it instead of sending a new one."
        ))
      );
      var list = el("ul");
      reports.forEach(function (r) {
        var item = el("li", { "data-nearby-report": r.ref });
        var link = el("a", { href: r.url });
        link.append(el("strong", {}, r.category), " " + r.ref);
        item.append(link, " — " + r.status_label + ", " + t("à ", "") + r.distance_m + " m" + t("", " away"));
        var button = el("button", {
          type: "submit",
          class: "button button--secondary",
          form: supportForm(r.ref, r.support_url),
          "data-support": r.ref,
        }, t("Je soutiens ce signalement", "I support this report"));
        item.append(" ", button);
        list.append(item);
      });
      nearby.append(list);
    }
    function checkNearby() {
      var number = ++asked;
      if (!category || !category.value || !lat.value || !lon.value) { nearby.textContent = ""; return; }
      var params = new URLSearchParams({ category: category.value, lat: lat.value, lon: lon.value });
      fetch(nearby.getAttribute("data-nearby-url") + "?" + params.toString(), {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) { if (number === asked) { showNearby(data ? data.reports : []); } })
        .catch(function () { /* offline: the server checks again when the form is sent */ });
    }

    map.on("click", function (event) { place(event.latlng); });
    picker.querySelector("[data-center-point]").addEventListener("click", function () {
      place(map.getCenter());
    });
    clearButton.addEventListener("click", clear);
    if (category) { category.addEventListener("change", checkNearby); }
    if (!navigator.geolocation) {
      locateButton.hidden = true;
    } else {
      locateButton.addEventListener("click", function () {
        say(t("Recherche de votre position…", "Finding your position…"));
        navigator.geolocation.getCurrentPosition(
          function (position) {
            var point = L.latLng(position.coords.latitude, position.coords.longitude);
            map.setView(point, 18);
            place(point);
          },
          function () {
            say(t(
              "Votre position n'est pas disponible : placez le point sur la carte, ou choisissez la commune.",
              "Your position is not available: place the point on the map, or choose the commune."
            ));
          },
          { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
        );
      });
    }
    // the form came back (an error, or the "already reported" step): show its point
    if (lat.value && lon.value && !isNaN(Number(lat.value)) && !isNaN(Number(lon.value))) {
      var point = L.latLng(Number(lat.value), Number(lon.value));
      map.setView(point, 17);
      place(point);
    }
  });

  // --- one report's place ----------------------------------------------------------------
  document.querySelectorAll("[data-report-point]").forEach(function (node) {
    node.hidden = false;
    var map = baseMap(node, node.parentNode.querySelector("[data-map-notice]"));
    var point = L.latLng(Number(node.getAttribute("data-lat")), Number(node.getAttribute("data-lon")));
    if (node.getAttribute("data-approximate")) {
      L.circle(point, { radius: 100, interactive: false }).addTo(map);
      map.setView(point, 15);
    } else {
      L.marker(point, { alt: node.getAttribute("data-label") || "", keyboard: false, interactive: false })
        .addTo(map);
      map.setView(point, 17);
    }
  });
})();
