/* consult-line: the shared worker behind live.js. Every tab of the console in one browser
 * talks to this one worker, and the worker holds one EventSource for all of them, subscribed to
 * every topic some tab wants; each event goes to the tabs that want its topic.
 *
 * Messages from a tab: {type: "subscribe", url, topics} (also to start over), {type: "bye"}.
 * To a tab: {type: "state", state} ("connecting", "online", "offline") and
 * {type: "event", topic, data, id} (data: the event's JSON text as the server sent it).
 *
 * A tab that subscribes needs the snapshots, so the stream is reopened then: every tab gets
 * them and redraws (cheap, and only when a tab opens).
 */
"use strict";

var RETRY_MS = 3000;
var MAX_RETRY_MS = 30000;

var tabs = new Map(); // MessagePort -> {url, topics}
var source = null;
var timer = null;
var delay = 0;
var state = "connecting";

self.onconnect = function (event) {
  var port = event.ports[0];
  port.onmessage = function (message) {
    receive(port, message.data);
  };
  port.start();
};

function receive(port, data) {
  if (data.type === "subscribe") {
    tabs.set(port, { url: data.url, topics: data.topics });
    port.postMessage({ type: "state", state: state });
    reopen();
  } else if (data.type === "bye") {
    tabs.delete(port);
    if (!tabs.size) stop();
  }
}

function setState(next) {
  state = next;
  tabs.forEach(function (_tab, port) {
    port.postMessage({ type: "state", state: next });
  });
}

function wanted() {
  var topics = new Set();
  var url = null;
  tabs.forEach(function (tab) {
    url = url || tab.url;
    tab.topics.forEach(function (topic) {
      topics.add(topic);
    });
  });
  return { url: url, topics: Array.from(topics).sort() };
}

function stop() {
  if (timer !== null) clearTimeout(timer);
  timer = null;
  if (source !== null) source.close();
  source = null;
}

function reopen() {
  stop();
  delay = 0;
  open();
}

function open() {
  timer = null;
  if (!tabs.size) return;
  var want = wanted();
  var url = new URL(want.url);
  url.searchParams.set("topics", want.topics.join(","));
  var opened = new EventSource(url.href);
  source = opened;
  opened.onopen = function () {
    delay = 0;
    setState("online");
  };
  opened.onerror = function () {
    if (source !== opened) return;
    setState("offline");
    if (opened.readyState === EventSource.CLOSED) {
      source = null;
      delay = Math.min(delay ? delay * 2 : RETRY_MS, MAX_RETRY_MS);
      timer = setTimeout(open, delay);
    }
  };
  want.topics.forEach(function (topic) {
    opened.addEventListener(topic, function (event) {
      var message = { type: "event", topic: topic, data: event.data, id: event.lastEventId };
      tabs.forEach(function (tab, port) {
        if (tab.topics.indexOf(topic) >= 0) port.postMessage(message);
      });
    });
  });
}
