// The field page's waiting items, kept in IndexedDB (they survive closing the page, the
// phone's restart and a day without network). One object store "items", keyed by the
// item's idempotency key (crypto.randomUUID()); photos are kept as Blobs inside the item.
// Item: {id, type: "report"|"voice", fields: {name: value|[values]}, photos: [Blob],
//        title, state: "waiting"|"sending"|"sent"|"error", reference, url, errors,
//        message, captured_at, updated_at}
(function () {
  "use strict";
  var DB_NAME = "cocon-field";
  var STORE = "items";
  var opening = null;

  function open() {
    if (!opening) {
      opening = new Promise(function (resolve, reject) {
        var request = indexedDB.open(DB_NAME, 1);
        request.onupgradeneeded = function () {
          var db = request.result;
          if (!db.objectStoreNames.contains(STORE)) {
            db.createObjectStore(STORE, { keyPath: "id" }).createIndex("state", "state");
          }
        };
        request.onsuccess = function () { resolve(request.result); };
        request.onerror = function () { opening = null; reject(request.error); };
      });
    }
    return opening;
  }

  function run(mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(STORE, mode);
        var result;
        tx.oncomplete = function () { resolve(result); };
        tx.onerror = function () { reject(tx.error); };
        tx.onabort = function () { reject(tx.error); };
        work(tx.objectStore(STORE), function (value) { result = value; });
      });
    });
  }

  function newKey() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") {
      return window.crypto.randomUUID();
    }
    // randomUUID needs a secure context (https or localhost): same format otherwise
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) {
      return (b + 0x100).toString(16).slice(1);
    }).join("");
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20),
      hex.slice(20)].join("-");
  }

  window.CoconFieldStore = {
    newKey: newKey,
    all: function () {
      return run("readonly", function (store, done) {
        var request = store.getAll();
        request.onsuccess = function () {
          done(request.result.sort(function (a, b) {
            return a.captured_at < b.captured_at ? -1 : a.captured_at > b.captured_at ? 1 : 0;
          }));
        };
      });
    },
    get: function (id) {
      return run("readonly", function (store, done) {
        var request = store.get(id);
        request.onsuccess = function () { done(request.result); };
      });
    },
    put: function (item) {
      item.updated_at = new Date().toISOString();
      return run("readwrite", function (store, done) {
        store.put(item);
        done(item);
      });
    },
    // Change some fields of a stored item (read and write in one transaction).
    update: function (id, changes) {
      return run("readwrite", function (store, done) {
        var request = store.get(id);
        request.onsuccess = function () {
          var item = request.result;
          if (!item) { done(null); return; }
          Object.keys(changes).forEach(function (name) { item[name] = changes[name]; });
          item.updated_at = new Date().toISOString();
          store.put(item);
          done(item);
        };
      });
    },
    remove: function (id) {
      return run("readwrite", function (store) { store.delete(id); });
    }
  };
})();
