// The console's CSRF token for fetch: read from <meta name="csrf-token"> and sent in the
// X-CSRF-Token header of every same-origin request that changes something.
//
//   csrfFetch("/kb/entries/faq-1", {method: "PATCH", headers: {"Content-Type": "application/json"},
//             body: JSON.stringify({title: "..."})})
//
// Forms need no script: they carry the token in the hidden field csrf_token.
(function () {
  "use strict";

  var SAFE_METHODS = ["GET", "HEAD", "OPTIONS", "TRACE"];

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") || "" : "";
  }

  function sameOrigin(url) {
    return new URL(url, window.location.href).origin === window.location.origin;
  }

  function csrfFetch(input, init) {
    var options = Object.assign({}, init || {});
    var isRequest = typeof Request !== "undefined" && input instanceof Request;
    var method = (options.method || (isRequest ? input.method : "GET")).toUpperCase();
    var url = isRequest ? input.url : String(input);
    if (SAFE_METHODS.indexOf(method) === -1 && sameOrigin(url)) {
      var headers = new Headers(options.headers || (isRequest ? input.headers : undefined));
      headers.set("X-CSRF-Token", csrfToken());
      options.headers = headers;
    }
    options.credentials = options.credentials || "same-origin";
    return window.fetch(input, options);
  }

  window.csrfToken = csrfToken;
  window.csrfFetch = csrfFetch;
})();
