/* consult-line: live updates for the console's pages, read from GET /live/events (server-sent
 * events, agent_console/live_stream.py). Plain JavaScript, no build step.
 *
 *   <script src="/live/live.js"></script>
 *   <script>
 *     const live = ConsultLive.connect({
 *       topics: {
 *         queue(payload, info) { ... },  // info.snapshot: the whole picture, redraw from it
 *         ami(payload, info) { ... },
 *       },
 *       onstate(state) { ... },  // optional: "connecting", "online", "offline"
 *     });
 *     // live.close() stops it, live.restart() reconnects (e.g. after signing in again).
 *   </script>
 *
 * On connect, and again after every reconnect, each topic's handler is first called with a
 * snapshot (info.snapshot === true): redraw from scratch. A snapshot {reload: true} means the
 * topic has no picture in memory (callbacks, transfers): re-read it through the HTTP API.
 * Then the handlers get each update as it comes.
 *
 * While the connection is lost, the page shows "Нет связи с сервером, переподключение…" (the
 * element #live-offline, created if the page has none; or options.banner) and
 * <html data-live="offline">; the browser reconnects by itself and the snapshots redraw the
 * page. Tabs of one browser share one connection through a shared worker (live-worker.js,
 * beside this file): a browser opens only a few connections per server (six over HTTP/1.1),
 * and a stream per tab would use them up. Where shared workers are missing, each page opens
 * its own EventSource.
 */
(function (global) {
  "use strict";

  var OFFLINE_TEXT = "Нет связи с сервером, переподключение…";
  var EVENTS_URL = "/live/events";
  var WORKER_NAME = "consult-line-live";
  var RETRY_MS = 3000; // before reopening a stream the browser gave up on (an HTTP error)
  var MAX_RETRY_MS = 30000;
  var script = document.currentScript;
  var WORKER_URL = new URL("live-worker.js", script && script.src ? script.src : location.href)
    .href;

  function streamUrl(url, topics) {
    var absolute = new URL(url, location.href);
    absolute.searchParams.set("topics", topics.join(","));
    return absolute.href;
  }

  /* One EventSource of this page; reopened with a growing pause if the browser gives up. */
  function DirectSource(url, topics, sink) {
    var source = null;
    var timer = null;
    var delay = 0;
    var closed = false;

    function open() {
      timer = null;
      var opened = new EventSource(streamUrl(url, topics));
      source = opened;
      opened.onopen = function () {
        delay = 0;
        sink.state("online");
      };
      opened.onerror = function () {
        if (source !== opened) return; // closed by restart()
        sink.state("offline");
        if (opened.readyState === EventSource.CLOSED) {
          // An HTTP error or a wrong reply: EventSource does not retry those by itself.
          source = null;
          delay = Math.min(delay ? delay * 2 : RETRY_MS, MAX_RETRY_MS);
          timer = setTimeout(open, delay);
        }
      };
      topics.forEach(function (topic) {
        opened.addEventListener(topic, function (event) {
          sink.event(topic, event.data, event.lastEventId);
        });
      });
    }

    function stop() {
      if (timer !== null) clearTimeout(timer);
      timer = null;
      if (source !== null) source.close();
      source = null;
    }

    open();
    return {
      close: function () {
        closed = true;
        stop();
      },
      restart: function () {
        if (closed) return;
        stop();
        delay = 0;
        open();
      },
    };
  }

  /* The tabs' shared connection: the worker holds one EventSource for all of them. */
  function SharedSource(url, topics, sink) {
    var worker = new SharedWorker(WORKER_URL, { name: WORKER_NAME });
    var port = worker.port;
    var subscribe = { type: "subscribe", url: new URL(url, location.href).href, topics: topics };
    port.onmessage = function (message) {
      var data = message.data;
      if (data.type === "state") sink.state(data.state);
      else if (data.type === "event") sink.event(data.topic, data.data, data.id);
    };
    port.start();
    port.postMessage(subscribe);

    function bye() {
      port.postMessage({ type: "bye" });
    }
    function back(event) {
      if (event.persisted) port.postMessage(subscribe); // restored from the back-forward cache
    }
    global.addEventListener("pagehide", bye);
    global.addEventListener("pageshow", back);
    return {
      close: function () {
        global.removeEventListener("pagehide", bye);
        global.removeEventListener("pageshow", back);
        bye();
        port.close();
      },
      restart: function () {
        port.postMessage(subscribe);
      },
    };
  }

  function banner(option) {
    if (option instanceof Element) return option;
    var found = document.querySelector(option || "#live-offline");
    if (found) return found;
    var made = document.createElement("div");
    made.id = "live-offline";
    made.setAttribute("role", "alert");
    made.hidden = true;
    made.style.cssText =
      "position:fixed;top:0;left:0;right:0;z-index:1000;padding:.5em 1em;" +
      "background:#b3261e;color:#fff;font:inherit;text-align:center";
    document.body.appendChild(made);
    return made;
  }

  function connect(options) {
    var handlers = options.topics || {};
    var topics = Object.keys(handlers);
    if (!topics.length) throw new Error("ConsultLive.connect: no topics");
    var offline = banner(options.banner);
    if (!offline.textContent.trim()) offline.textContent = OFFLINE_TEXT;
    var current = null;

    var sink = {
      state: function (state) {
        if (state === current) return;
        current = state;
        offline.hidden = state !== "offline";
        document.documentElement.dataset.live = state;
        if (options.onstate) options.onstate(state);
      },
      event: function (topic, text, id) {
        var handler = handlers[topic];
        if (!handler) return; // another tab's topic, sent along by the shared worker
        var message = JSON.parse(text);
        try {
          handler(message.payload, { snapshot: message.snapshot, id: id, topic: topic });
        } catch (error) {
          // One page's broken handler must not stop the others; still reported.
          setTimeout(function () {
            throw error;
          });
        }
      },
    };

    sink.state("connecting");
    var url = options.url || EVENTS_URL;
    var shared = options.shared !== false && typeof SharedWorker === "function";
    if (shared) {
      try {
        return SharedSource(url, topics, sink);
      } catch (error) {
        // e.g. a worker forbidden by the browser's settings: a connection of this page's own
      }
    }
    return DirectSource(url, topics, sink);
  }

  global.ConsultLive = { connect: connect, OFFLINE_TEXT: OFFLINE_TEXT };
})(window);
