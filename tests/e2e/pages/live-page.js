"use strict";
// What a test reads: when each message was drawn (epoch ms, as Python's time.time()).
window.renders = [];
const ACTIVITY = {
  ready: "свободен",
  paused: "на паузе",
  ringing: "звонок",
  on_call: "разговор",
  wrap_up: "постобработка",
  unavailable: "недоступен",
};
const counts = { snapshots: 0, updates: 0 };

function list(id, items, line) {
  const target = document.getElementById(id);
  target.replaceChildren(
    ...items.map((item) => {
      const li = document.createElement("li");
      li.textContent = line(item);
      return li;
    }),
  );
}

function drawn(topic, info, extra) {
  counts[info.snapshot ? "snapshots" : "updates"] += 1;
  document.getElementById("snapshots").textContent = counts.snapshots;
  document.getElementById("updates").textContent = counts.updates;
  window.renders.push({
    at: performance.timeOrigin + performance.now(),
    topic: topic,
    snapshot: info.snapshot,
    ...extra,
  });
}

function queue(payload, info) {
  document.getElementById("waiting-count").textContent = payload.waiting.length;
  list("waiting", payload.waiting, (call) => `${call.caller_num} ${call.caller_name}`.trim());
  list(
    "operators",
    payload.operators,
    (op) => `${op.member_name}: ${ACTIVITY[op.activity] || op.activity}`,
  );
  drawn("queue", info, { waiting: payload.waiting.map((call) => call.caller_num) });
}

function ami(payload, info) {
  const link = document.getElementById("ami");
  link.textContent = payload.label;
  link.dataset.state = payload.state;
  drawn("ami", info, {});
}

const shared = !new URLSearchParams(location.search).has("direct");
ConsultLive.connect({ topics: { queue: queue, ami: ami }, shared: shared });
