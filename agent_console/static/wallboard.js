/* consult-line: «Табло» (templates/wallboard.html). Plain JavaScript, no build step.
 *
 * The live topics "queue" and "operators" (both carry the whole picture, ami/live_state.py)
 * draw the waiting callers and the operators; their times tick here, from the wait_s and
 * in_state_s of the picture plus the time since it came. Today's figures are re-read from
 * GET /wallboard/today shortly after the picture changes (a call came, was answered or ended:
 * once soon, once more a little later for the call log's write to land) and once a minute.
 * The topic "ami" says when the link to Asterisk is down: the picture may then be stale.
 */
(function () {
  "use strict";

  var root = document.getElementById("wallboard");
  if (!root) return;
  var labels = JSON.parse(root.getAttribute("data-labels"));
  var threshold = Number(root.getAttribute("data-threshold"));
  var TODAY_URL = "/wallboard/today";
  var SOON_MS = 1500;
  var LATER_MS = 6000;
  var EVERY_MS = 60000;
  var TICK_MS = 1000;
  var WAITING_SHOWN = 8;
  var OPERATORS_IN_ONE_COLUMN = 6;
  var picture = { waiting: [], operators: [] };
  var receivedAt = Date.now();
  var soon = null;
  var later = null;
  var reads = 0;

  function $(id) {
    return document.getElementById(id);
  }

  function pad(n) {
    return n < 10 ? "0" + n : String(n);
  }

  // 83 -> "1:23", 3725 -> "1:02:05" (as clock_text in routes/wallboard.py)
  function clock(seconds) {
    var s = Math.max(0, Math.floor(seconds));
    var hours = Math.floor(s / 3600);
    var minutes = Math.floor((s % 3600) / 60);
    var rest = pad(s % 60);
    return hours ? hours + ":" + pad(minutes) + ":" + rest : minutes + ":" + rest;
  }

  function since(base) {
    return base + (Date.now() - receivedAt) / 1000;
  }

  function element(tag, className, text) {
    var made = document.createElement(tag);
    made.className = className;
    if (text !== undefined) made.textContent = text;
    return made;
  }

  function ticking(className, base) {
    var made = element("span", className + " wb-ticking");
    made.setAttribute("data-base", String(base));
    return made;
  }

  // ------------------------------------------------------------------ the live picture

  function drawWaiting() {
    var list = $("wb-waiting");
    var waiting = picture.waiting;
    list.textContent = "";
    waiting.slice(0, WAITING_SHOWN).forEach(function (call, index) {
      var item = element("li", "wb-caller");
      item.setAttribute("data-uniqueid", call.uniqueid);
      item.appendChild(element("span", "wb-caller__place", String(index + 1)));
      item.appendChild(ticking("wb-caller__wait", call.wait_s));
      var topic = labels.topics[call.topic] || call.topic || labels.no_topic;
      item.appendChild(element("span", "wb-caller__topic", topic));
      list.appendChild(item);
    });
    var more = waiting.length - WAITING_SHOWN;
    $("wb-waiting-more").hidden = more <= 0;
    $("wb-waiting-more").textContent = more > 0 ? "и ещё " + more : "";
    $("wb-waiting-none").hidden = waiting.length > 0;
    $("wb-waiting-count").textContent = String(waiting.length);
    var longest = $("wb-longest");
    longest.textContent = "—";
    longest.classList.toggle("wb-ticking", waiting.length > 0);
    if (waiting.length) longest.setAttribute("data-base", String(waiting[0].wait_s));
  }

  function stateText(operator) {
    var label = labels.activities[operator.activity] || operator.activity;
    return operator.activity === "paused" && operator.paused_reason
      ? label + ": " + operator.paused_reason
      : label;
  }

  function drawOperators() {
    var list = $("wb-operators");
    var operators = picture.operators.slice().sort(function (a, b) {
      return (a.member_name || a.interface).localeCompare(b.member_name || b.interface, "ru");
    });
    var counts = {};
    list.textContent = "";
    operators.forEach(function (operator) {
      counts[operator.activity] = (counts[operator.activity] || 0) + 1;
      var item = element("li", "wb-operator wb-operator--" + operator.activity);
      item.setAttribute("data-interface", operator.interface);
      item.setAttribute("data-activity", operator.activity);
      item.appendChild(
        element("span", "wb-operator__name", operator.member_name || operator.interface),
      );
      item.appendChild(element("span", "wb-operator__state", stateText(operator)));
      item.appendChild(ticking("wb-operator__time", operator.in_state_s || 0));
      list.appendChild(item);
    });
    list.classList.toggle("wb-list--many", operators.length > OPERATORS_IN_ONE_COLUMN);
    $("wb-operators-none").hidden = operators.length > 0;
    $("wb-operators-summary").textContent = Object.keys(labels.activities)
      .filter(function (activity) {
        return counts[activity];
      })
      .map(function (activity) {
        return labels.activities[activity].toLowerCase() + ": " + counts[activity];
      })
      .join(", ");
  }

  function tick() {
    document.querySelectorAll("#wallboard .wb-ticking").forEach(function (shown) {
      var seconds = since(Number(shown.getAttribute("data-base")));
      shown.textContent = clock(seconds);
      var caller = shown.closest(".wb-caller");
      if (caller) caller.classList.toggle("wb-caller--late", seconds > threshold);
    });
    var longest = picture.waiting.length ? since(picture.waiting[0].wait_s) : 0;
    $("wb-tile-waiting").classList.toggle("wb-tile--alarm", longest > threshold);
  }

  function onPicture(payload, info) {
    picture = {
      waiting: payload.waiting || [],
      operators: payload.operators || [],
    };
    receivedAt = Date.now();
    drawWaiting();
    drawOperators();
    tick();
    if (!info.snapshot) owe();
  }

  function onLink(payload) {
    var box = $("wb-link");
    var down = payload.state !== "logged_in";
    box.hidden = !down;
    box.textContent = down ? payload.label + ": очередь и операторы могут быть не видны." : "";
  }

  // ------------------------------------------------------------------ today's figures

  function owe() {
    if (soon === null) {
      soon = setTimeout(function () {
        soon = null;
        readToday();
      }, SOON_MS);
    }
    if (later !== null) clearTimeout(later);
    later = setTimeout(function () {
      later = null;
      readToday();
    }, LATER_MS);
  }

  function setField(name, value) {
    root.querySelectorAll('[data-field="' + name + '"]').forEach(function (shown) {
      shown.textContent = String(value);
    });
  }

  function dayText(today) {
    var parts = today.day.split("-");
    var kind = today.working_hours
      ? "рабочий день " + today.working_hours
      : "нерабочий день";
    return "Сегодня " + parts[2] + "." + parts[1] + "." + parts[0] + ", " + kind;
  }

  function drawToday(today) {
    [
      "arrived_in_hours",
      "answered",
      "missed",
      "after_hours",
      "in_progress",
      "callbacks_due",
      "callbacks_overdue",
    ].forEach(function (name) {
      setField(name, today[name]);
    });
    var level = today.service_level;
    $("wb-sl").textContent = level.percent === null ? "—" : level.percent + " %";
    $("wb-sl-bar").setAttribute("width", String(level.percent || 0));
    $("wb-sl-detail").textContent =
      "ответ за " + level.threshold_s + " с: " + level.within + " из " + level.offered;
    $("wb-average-wait").textContent =
      today.average_wait_s === null ? "—" : clock(today.average_wait_s);
    $("wb-day").textContent = dayText(today);
    $("wb-tile-callbacks").classList.toggle("wb-tile--alarm", today.callbacks_overdue > 0);
    var reasons = $("wb-missed-reasons");
    reasons.textContent = "";
    today.missed_by_reason.forEach(function (item) {
      if (!item.count) return;
      var line = document.createElement("li");
      line.appendChild(element("span", "", item.label));
      line.appendChild(document.createTextNode(" "));
      line.appendChild(element("strong", "", String(item.count)));
      reasons.appendChild(line);
    });
    reads += 1;
    root.setAttribute("data-today-reads", String(reads)); // for tests
  }

  function readToday() {
    return fetch(TODAY_URL, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      })
      .then(drawToday)
      .catch(function () {
        // The next change or the next minute tries again; the live banner says if offline.
      });
  }

  // ------------------------------------------------------------------ wiring

  var fullscreen = $("wb-fullscreen");
  if (document.documentElement.requestFullscreen) {
    fullscreen.hidden = false;
    fullscreen.addEventListener("click", function () {
      var asked = document.fullscreenElement
        ? document.exitFullscreen()
        : document.documentElement.requestFullscreen();
      if (asked && asked.catch) asked.catch(function () {}); // refused: the page stays as is
    });
  }

  setInterval(tick, TICK_MS);
  setInterval(readToday, EVERY_MS);
  if (window.ConsultLive) {
    window.ConsultLive.connect({
      topics: {
        queue: onPicture,
        operators: onPicture,
        ami: onLink,
        supervisor: function (payload, info) {
          if (!info.snapshot) owe(); // overdue callbacks, operators' state changes
        },
      },
    });
  }
})();
