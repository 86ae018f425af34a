// Service worker of the offline field page (/espace/terrain/). Served by
// cocon.reports.views_field.service_worker, which writes FIELD_VERSION, FIELD_SCOPE,
// FIELD_PAGE and FIELD_PRECACHE (the page, reference.json, the manifest and the static
// files with their real URLs) in front of this file.
//
// - install: keep every file of FIELD_PRECACHE (only real answers: a redirect to the
//   login page is never kept in place of the field page);
// - the page and reference.json: network first (fresh data and CSRF token when online),
//   the kept copy when the network fails;
// - static files: the kept copy first (their URLs change with their content in
//   production);
// - everything else, and every POST (the sends), goes to the network untouched: the
//   items themselves live in IndexedDB, not here.
/* global FIELD_VERSION, FIELD_SCOPE, FIELD_PAGE, FIELD_PRECACHE */
"use strict";

var CACHE = "cocon-field-" + FIELD_VERSION;
var NETWORK_FIRST = [FIELD_PAGE, FIELD_SCOPE + "reference.json"];

function keep(cache, url) {
  return fetch(new Request(url, { credentials: "same-origin", cache: "no-store" })).then(
    function (response) {
      if (!response.ok || response.redirected) {
        throw new Error("not kept (HTTP " + response.status + "): " + url);
      }
      return cache.put(url, response);
    }
  );
}

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CACHE).then(function (cache) {
      return Promise.all(FIELD_PRECACHE.map(function (url) { return keep(cache, url); }));
    }).then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) {
        return name.indexOf("cocon-field-") === 0 && name !== CACHE;
      }).map(function (name) { return caches.delete(name); }));
    }).then(function () { return self.clients.claim(); })
  );
});

function networkFirst(request, key) {
  return fetch(request).then(function (response) {
    if (response.ok && !response.redirected) {
      var copy = response.clone();
      caches.open(CACHE).then(function (cache) { cache.put(key, copy); });
    }
    return response;
  }).catch(function () {
    return caches.open(CACHE).then(function (cache) { return cache.match(key); }).then(
      function (kept) { return kept || Response.error(); }
    );
  });
}

function cacheFirst(request) {
  return caches.open(CACHE).then(function (cache) {
    return cache.match(request, { ignoreSearch: false }).then(function (kept) {
      return kept || fetch(request);
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (request.mode === "navigate" && url.pathname === FIELD_PAGE) {
    event.respondWith(networkFirst(request, FIELD_PAGE));
    return;
  }
  if (NETWORK_FIRST.indexOf(url.pathname) >= 0) {
    event.respondWith(networkFirst(request, url.pathname));
    return;
  }
  if (FIELD_PRECACHE.indexOf(url.pathname) >= 0) {
    event.respondWith(cacheFirst(request));
  }
});
