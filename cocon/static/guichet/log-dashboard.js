// Guichet — counters and bus dashboard: a map of the communes served, drawn from the
// table of communes (the table stays the source; without Leaflet or tiles, nothing is
// lost). Cells hidden as "< N" are not drawn.
(function () {
  "use strict";
  var node = document.querySelector("[data-log-map]");
  if (!node || !window.L) { return; }
  var rows = document.querySelectorAll("table[data-breakdown=residences] tr[data-lat]");
  var points = [];
  rows.forEach(function (row) {
    var n = parseInt(row.getAttribute("data-n"), 10);
    var lat = parseFloat(row.getAttribute("data-lat"));
    var lon = parseFloat(row.getAttribute("data-lon"));
    if (isNaN(n) || isNaN(lat) || isNaN(lon)) { return; }
    var name = row.querySelector("th") ? row.querySelector("th").textContent : "";
    points.push({ lat: lat, lon: lon, n: n, name: name });
  });
  if (!points.length) { return; }
  node.hidden = false;
  node.setAttribute("role", "region");
  var map = L.map(node, { scrollWheelZoom: false });
  L.tileLayer(node.getAttribute("data-tile-url"), {
    attribution: node.getAttribute("data-tile-attribution") || "",
    maxZoom: parseInt(node.getAttribute("data-tile-max-zoom"), 10) || 19,
  }).addTo(map);
  var top = Math.max.apply(null, points.map(function (p) { return p.n; }));
  var layer = L.featureGroup();
  points.forEach(function (p) {
    L.circleMarker([p.lat, p.lon], {
      radius: 6 + 18 * Math.sqrt(p.n / top),
      weight: 1,
      fillOpacity: 0.5,
    }).bindTooltip(p.name + " : " + p.n).addTo(layer);
  });
  layer.addTo(map);
  map.fitBounds(layer.getBounds(), { maxZoom: 12, padding: [20, 20] });
})();
