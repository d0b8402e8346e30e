/* consult-line: the operator's workspace (templates/workspace.html). Plain JavaScript.
 *
 * The live "operators" topic names, for this operator's phone (data-device), the call the
 * queue connected to it (linkedid); a new linkedid opens its card (GET /card/calls/{id}),
 * the end of the conversation (wrap-up) shows the farewell. Actions go through the JSON
 * routes of agent_console/routes/card.py and queue.py with csrfFetch (static/csrf.js); a
 * button is disabled while its request runs, so a double click sends one request.
 *
 * The time in the current state (ringing, conversation, wrap-up) ticks beside it, from the
 * picture's in_state_s. On the training line (#training-phone) the simulated phone's
 * «Ответить» shows while it rings and «Завершить» during the conversation
 * (POST /training/phone, agent_console/routes/training_phone.py).
 */
(function () {
  "use strict";

  var root = document.getElementById("workspace");
  if (!root) return;
  var device = root.getAttribute("data-device") || "";
  var STATE_LABELS = {
    ready: "готов(а) принимать звонки",
    paused: "на паузе",
    ringing: "звонит телефон",
    on_call: "разговор",
    wrap_up: "завершение звонка",
    unavailable: "телефон недоступен",
    signed_out: "вне очереди",
  };
  var current = null; // {linkedid, card, ended}
  var CARD_RETRIES = 20;
  var CARD_RETRY_MS = 250;
  var OWED_REFRESH_MS = 60000;
  var CARD_REFRESH_MS = 1500;
  var TICK_MS = 1000;
  var TIMED = { ringing: true, on_call: true, wrap_up: true };
  var lastEntry = "";
  var spokenShown = ""; // the spoken question the card shows, as JSON
  var stateStart = null; // Date.now() at the start of a timed state, null for the others

  function $(id) {
    return document.getElementById(id);
  }

  function text(id, value) {
    $(id).textContent = value == null ? "" : String(value);
  }

  function say(id, message, isError) {
    var box = $(id);
    box.textContent = message;
    box.className = message ? (isError ? "alert alert--error" : "alert alert--ok") : "";
    box.setAttribute("role", isError ? "alert" : "status");
  }

  function detail(body, status) {
    if (body && typeof body.detail === "string") return body.detail;
    if (body && Array.isArray(body.detail)) {
      return body.detail
        .map(function (d) {
          return String(d.msg || "").replace(/^Value error, /, "");
        })
        .join("; ");
    }
    return "Ошибка " + status + ": запрос не выполнен.";
  }

  // JSON request; resolves {ok, status, body}. The button stays disabled while it runs; a
  // disabled button loses the focus, which it gets back after (the keyboard user stays put).
  function call(method, url, payload, button) {
    var refocus = !!button && document.activeElement === button;
    if (button) button.disabled = true;
    var init = { method: method, headers: { Accept: "application/json" } };
    if (payload !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(payload);
    }
    var request = method === "GET" ? fetch(url, init) : window.csrfFetch(url, init);
    return request
      .then(function (response) {
        return response
          .json()
          .catch(function () {
            return null;
          })
          .then(function (body) {
            return { ok: response.ok, status: response.status, body: body };
          });
      })
      .catch(function () {
        return { ok: false, status: 0, body: { detail: "Нет связи с сервером." } };
      })
      .finally(function () {
        if (!button) return;
        button.disabled = false;
        var active = document.activeElement;
        if (refocus && (!active || active === document.body)) button.focus();
      });
  }

  // ------------------------------------------------------------------ queue state (C4)

  function setQueue(state, button) {
    var reason = $("pause-reason").value.trim();
    call("POST", "/queue/state", { state: state, reason: reason }, button).then(function (r) {
      if (r.ok) {
        text("queue-state", r.body.label + (r.body.reason ? " (" + r.body.reason + ")" : ""));
        say("queue-message", "", false);
      } else {
        say("queue-message", detail(r.body, r.status), true);
      }
    });
  }

  $("go-ready").addEventListener("click", function (e) {
    setQueue("ready", e.currentTarget);
  });
  $("go-pause").addEventListener("click", function (e) {
    setQueue("paused", e.currentTarget);
  });
  $("go-out").addEventListener("click", function (e) {
    setQueue("signed_out", e.currentTarget);
  });

  // ------------------------------------------------------------------ the card

  function fillList(id, items, render) {
    var list = $(id);
    list.textContent = "";
    if (!items.length) {
      var none = document.createElement("li");
      none.textContent = "нет";
      list.appendChild(none);
    }
    items.forEach(function (item) {
      var li = document.createElement("li");
      li.textContent = render(item);
      list.appendChild(li);
    });
  }

  function script(id, value, shown) {
    var box = $(id);
    box.hidden = !shown || !value;
    box.querySelector(".script__text").textContent = value ? value.text : "";
  }

  // The caller's question as the voice menu recognized it, and the KB entries it finds; the
  // transcript is the caller's text: set as text only. No question: no box.
  // Rebuilt only when it changed: a card refreshed under a keyboard user keeps their focus.
  function showSpoken(spoken) {
    var shown = JSON.stringify(spoken || null);
    if (shown === spokenShown) return;
    spokenShown = shown;
    $("card-spoken").hidden = !spoken;
    if (!spoken) return;
    text("spoken-text", spoken.text);
    text("spoken-hint", spoken.hint);
    $("spoken-hint").hidden = !spoken.hint;
    var list = $("spoken-kb");
    list.textContent = "";
    if (!spoken.kb_matches.length) {
      var none = document.createElement("li");
      none.textContent = "по этим словам ничего не найдено";
      list.appendChild(none);
    }
    spoken.kb_matches.forEach(function (match) {
      var li = document.createElement("li");
      var open = entryButton(match.id, match.title);
      var kind = document.createElement("span");
      kind.className = "spoken-question__kind";
      kind.textContent = " — " + match.kind_label;
      li.appendChild(open);
      li.appendChild(kind);
      list.appendChild(li);
    });
  }

  function transfersText(t) {
    return t.allowed ? "осталось " + t.left + " из " + (t.left + t.done + t.pending) : t.reason;
  }

  function showCard(data, over) {
    var card = data.card;
    var scripts = data.scripts;
    var ended = card.ended || !!over; // the queue said so before the call's row did
    current = { linkedid: card.linkedid, card: card, ended: ended };
    $("card-empty").hidden = true;
    $("card-body").hidden = false;
    $("card-actions").hidden = false;
    $("card-ended").hidden = !ended;
    text("card-number", card.caller_display || "номер скрыт");
    text("card-name", card.client_name || card.caller_id_name || "неизвестно");
    text("card-language", card.language_label);
    text("card-topic", card.topic_label);
    text("card-path", card.ivr_path || "—");
    text("card-transfers", transfersText(card.transfers));
    text("transfer-left", "Переводов осталось: " + card.transfers.left + ".");
    showSpoken(card.spoken_question);
    script("script-greeting", scripts.greeting, !ended);
    script("script-questions", scripts.questions, !ended);
    script("script-farewell", scripts.farewell, ended);
    fillList("card-history", card.history, function (h) {
      return new Date(h.occurred_at).toLocaleString("ru-RU") + " — " + h.status_label + ": " + h.summary;
    });
    fillList("card-callbacks", card.open_callbacks, function (c) {
      return c.phone_display + ", до " + c.promised_on + " — " + c.status_label + (c.question ? ": " + c.question : "");
    });
    if (!$("callback-phone").value) $("callback-phone").value = card.caller_display || "";
  }

  function loadCard(linkedid, fresh, over, attempt) {
    return call("GET", "/card/calls/" + encodeURIComponent(linkedid)).then(function (r) {
      if (r.status === 404 && (attempt || 0) < CARD_RETRIES) {
        // the queue told us before the call's row was written: ask again shortly
        window.setTimeout(function () {
          loadCard(linkedid, fresh, over, (attempt || 0) + 1);
        }, CARD_RETRY_MS);
        return;
      }
      if (!r.ok) {
        say("transfer-message", detail(r.body, r.status), true);
        return;
      }
      if (fresh) resetForms(); // the last call's inputs go before this card fills them in
      showCard(r.body, over);
      if (over && r.ok) {
        if (r.body.card.ended) {
          loadOwed(); // the call's row says it ended: it now owes its wrap-up
        } else if ((attempt || 0) < CARD_RETRIES) {
          window.setTimeout(function () {
            loadCard(linkedid, false, true, (attempt || 0) + 1);
          }, CARD_RETRY_MS * 2);
        }
      }
      if (fresh) {
        // the call's row may lag the queue's event by a moment (answer, operator): once more
        window.setTimeout(function () {
          if (current && current.linkedid === linkedid && !current.ended) loadCard(linkedid, false);
        }, CARD_REFRESH_MS);
        loadTargets();
        loadOffer();
        loadAgencies(r.body.card.topic);
        loadVisits(linkedid);
        if (r.body.card.topic) $("kb-query").setAttribute("data-topic", r.body.card.topic);
      }
    });
  }

  function resetForms() {
    $("card-visits").textContent = "";
    ["transfer-message", "callback-message", "remit-message", "wrapup-message"].forEach(function (id) {
      say(id, "", false);
    });
    $("callback-phone").value = "";
    $("callback-question").value = "";
    $("wrapup-question").value = "";
    $("wrapup-found").checked = false;
    $("wrapup-entry").value = "";
    $("dismiss-reason").value = "";
  }

  // ------------------------------------------------------------------ transfer (C9, C10)

  function loadTargets() {
    var select = $("transfer-target");
    call("GET", "/card/calls/" + encodeURIComponent(current.linkedid) + "/transfer-targets").then(
      function (r) {
        select.textContent = "";
        if (!r.ok) return;
        r.body.targets.forEach(function (t) {
          var option = document.createElement("option");
          option.value = t.internal_number;
          option.textContent = t.full_name + " (" + t.department + ", " + t.internal_number + ") — " + t.availability_label;
          select.appendChild(option);
        });
      }
    );
  }

  $("transfer-form").addEventListener("submit", function (e) {
    e.preventDefault();
    if (!current) return;
    var button = e.currentTarget.querySelector("button");
    var url = "/card/calls/" + encodeURIComponent(current.linkedid) + "/transfer";
    call("POST", url, { extension: $("transfer-target").value }, button).then(function (r) {
      if (r.ok) {
        var warning = r.body.warning ? " Скажите звонящему: «" + r.body.warning.text + "»" : "";
        // Asterisk's transfer guard records the attempt; the card counts it once it has
        say("transfer-message", "Перевод запрошен: " + r.body.target.full_name + ". После него переводов останется: " + r.body.left_after + "." + warning, false);
        loadCard(current.linkedid, false, current.ended);
      } else {
        say("transfer-message", detail(r.body, r.status), true);
      }
    });
  });

  // ------------------------------------------------------------------ callback (C11)

  function loadOffer() {
    call("GET", "/card/callback-offer").then(function (r) {
      var box = $("callback-windows");
      box.querySelectorAll("label").forEach(function (l) {
        l.remove();
      });
      if (!r.ok) return;
      text("callback-date", new Date(r.body.promised_on + "T12:00:00").toLocaleDateString("ru-RU"));
      r.body.windows.forEach(function (w, i) {
        var label = document.createElement("label");
        label.className = "checkbox";
        var input = document.createElement("input");
        input.type = "checkbox";
        input.id = "callback-window-" + i;
        input.value = JSON.stringify(w);
        label.appendChild(input);
        var from = new Date(w.starts_at).toLocaleTimeString("ru-RU", { hour: "2-digit", minute: "2-digit" });
        var to = new Date(w.ends_at).toLocaleTimeString("ru-RU", { hour: "2-digit", minute: "2-digit" });
        label.appendChild(document.createTextNode(" " + from + "–" + to));
        box.appendChild(label);
      });
    });
  }

  $("callback-form").addEventListener("submit", function (e) {
    e.preventDefault();
    if (!current) return;
    var windows = [];
    $("callback-windows").querySelectorAll("input:checked").forEach(function (input) {
      windows.push(JSON.parse(input.value));
    });
    var payload = { phone: $("callback-phone").value, windows: windows, question: $("callback-question").value };
    var url = "/card/calls/" + encodeURIComponent(current.linkedid) + "/callback";
    call("POST", url, payload, e.currentTarget.querySelector("button")).then(function (r) {
      if (r.ok) {
        var readBack = r.body.read_back ? " Прочитайте звонящему: «" + r.body.read_back.text + "»" : "";
        say("callback-message", "Задача обратного звонка №" + r.body.task_id + " создана (" + r.body.phone_display + ")." + readBack, false);
      } else {
        say("callback-message", detail(r.body, r.status), true);
      }
    });
  });

  // ------------------------------------------------------------------ out of remit (C14)

  var agencies = [];

  function loadAgencies(topic) {
    var url = "/card/agencies" + (topic ? "?topic=" + encodeURIComponent(topic) : "");
    call("GET", url).then(function (r) {
      var select = $("remit-agency");
      select.textContent = "";
      agencies = r.ok ? r.body : [];
      agencies.forEach(function (a) {
        var option = document.createElement("option");
        option.value = a.entry_id;
        option.textContent = a.title;
        select.appendChild(option);
      });
      showContacts();
    });
  }

  // the agency's whole name (a long one is cut in the list) and its contacts, to be read out
  function showContacts() {
    var chosen = $("remit-agency").value;
    var agency = agencies.filter(function (a) {
      return a.entry_id === chosen;
    })[0];
    var box = $("remit-contacts");
    box.textContent = "";
    if (!agency) return;
    var title = document.createElement("strong");
    title.textContent = agency.title;
    box.appendChild(title);
    box.appendChild(document.createTextNode("\n" + agency.contacts));
  }

  $("remit-agency").addEventListener("change", showContacts);

  $("remit-form").addEventListener("submit", function (e) {
    e.preventDefault();
    if (!current) return;
    var url = "/card/calls/" + encodeURIComponent(current.linkedid) + "/out-of-remit";
    call("POST", url, { agency_id: $("remit-agency").value }, e.currentTarget.querySelector("button")).then(function (r) {
      if (r.ok) say("remit-message", "Записано: " + r.body.agency_title + ". Контакты: " + r.body.contacts, false);
      else say("remit-message", detail(r.body, r.status), true);
    });
  });

  // ------------------------------------------------------------------ personal visits (V2, V5, V6)
  // The section is a piece of HTML from /card/calls/{id}/visits (templates/card_visits.html):
  // its forms are sent here with fetch and the answer replaces the section; the card's own
  // refreshes do not touch it, so nothing typed is lost. The focus goes to what to read out
  // (the confirmation), else to the first error, else stays on the day list.

  function showVisits(html, focusId) {
    var box = $("card-visits");
    box.innerHTML = html;
    var target = box.querySelector("#visit-confirmation") || box.querySelector("[role=alert]") || (focusId && box.querySelector("#" + focusId));
    if (target) {
      if (!target.hasAttribute("tabindex") && !/^(INPUT|SELECT|BUTTON)$/.test(target.tagName)) target.setAttribute("tabindex", "-1");
      target.focus();
    }
  }

  function visitsRequest(url, init, focusId) {
    init.headers = { Accept: "text/html" };
    var request = init.method === "POST" ? window.csrfFetch(url, init) : fetch(url, init);
    return request
      .then(function (response) {
        return response.text().then(function (html) {
          if ((response.headers.get("content-type") || "").indexOf("text/html") === 0) showVisits(html, focusId);
          else say("transfer-message", "Запись на приём: ошибка " + response.status + ".", true);
        });
      })
      .catch(function () {
        say("transfer-message", "Нет связи с сервером.", true);
      });
  }

  function loadVisits(linkedid) {
    visitsRequest("/card/calls/" + encodeURIComponent(linkedid) + "/visits", { method: "GET" });
  }

  $("card-visits").addEventListener("submit", function (e) {
    e.preventDefault();
    var form = e.target;
    var booking = $("visit-form");
    var data = new URLSearchParams(new FormData(booking));
    var submitter = e.submitter;
    if (submitter) submitter.disabled = true;
    if (form === booking) {
      if (submitter && submitter.name) data.append(submitter.name, submitter.value);
      visitsRequest(form.getAttribute("action"), { method: "POST", body: data }, submitter && submitter.value === "day" ? "visit-day" : "visit-book");
    } else {
      // a cancellation: what was typed in the booking form rides along and comes back
      visitsRequest(form.getAttribute("action") + "?" + data.toString(), { method: "POST" }, "card-visits-upcoming");
    }
  });

  // ------------------------------------------------------------------ wrap-up (K7)

  $("wrapup-form").addEventListener("submit", function (e) {
    e.preventDefault();
    if (!current) return;
    var found = $("wrapup-found").checked;
    var entry = $("wrapup-entry").value.trim();
    var payload = {
      kb_answer_found: found,
      kb_entry_id: found && entry ? entry : null,
      question: $("wrapup-question").value,
      topic: $("wrapup-topic").value || null,
    };
    var url = "/card/calls/" + encodeURIComponent(current.linkedid) + "/wrapup";
    call("POST", url, payload, e.currentTarget.querySelector("button[type=submit]")).then(function (r) {
      if (r.ok) say("wrapup-message", "Итог звонка сохранён.", false);
      else say("wrapup-message", detail(r.body, r.status), true);
      loadOwed();
    });
  });

  $("dismiss-button").addEventListener("click", function (e) {
    if (!current) return;
    var url = "/card/calls/" + encodeURIComponent(current.linkedid) + "/wrapup-dismissal";
    call("POST", url, { reason: $("dismiss-reason").value }, e.currentTarget).then(function (r) {
      if (r.ok) say("wrapup-message", "Отмечено: итог не нужен.", false);
      else say("wrapup-message", detail(r.body, r.status), true);
      loadOwed();
    });
  });

  function loadOwed() {
    call("GET", "/card/owed-wrapups").then(function (r) {
      if (!r.ok) return;
      $("owed").hidden = r.body.length === 0;
      fillList("owed-list", r.body, function (o) {
        return o.caller + ", " + new Date(o.arrived_at).toLocaleTimeString("ru-RU") + " — " + o.topic_label;
      });
    });
  }

  // ------------------------------------------------------------------ knowledge base

  function snippet(container, value) {
    // matched words come in [[…]]: shown as <mark>, everything else as text
    value.split(/(\[\[[^\]]*\]\])/).forEach(function (part) {
      if (part.indexOf("[[") === 0) {
        var mark = document.createElement("mark");
        mark.textContent = part.slice(2, -2);
        container.appendChild(mark);
      } else if (part) {
        container.appendChild(document.createTextNode(part));
      }
    });
  }

  $("kb-form").addEventListener("submit", function (e) {
    e.preventDefault();
    var q = $("kb-query").value.trim();
    var topic = $("kb-query").getAttribute("data-topic");
    var url = "/kb/search?q=" + encodeURIComponent(q) + (topic ? "&topic=" + encodeURIComponent(topic) : "");
    call("GET", url, undefined, e.currentTarget.querySelector("button")).then(function (r) {
      var list = $("kb-results");
      list.textContent = "";
      if (!r.ok) {
        say("kb-message", detail(r.body, r.status), true);
        return;
      }
      say("kb-message", r.body.length ? "Найдено: " + r.body.length : "Ничего не найдено.", false);
      r.body.forEach(function (hit) {
        var li = document.createElement("li");
        var open = entryButton(hit.id, hit.title);
        var p = document.createElement("p");
        p.className = "kb-snippet";
        snippet(p, hit.snippet);
        li.appendChild(open);
        li.appendChild(p);
        list.appendChild(li);
      });
    });
  });

  // a KB entry's title as a link-like button that opens the entry in the KB pane
  function entryButton(id, title) {
    var open = document.createElement("button");
    open.type = "button";
    open.className = "link-button";
    open.textContent = title;
    open.addEventListener("click", function () {
      openEntry(id);
    });
    return open;
  }

  function openEntry(id) {
    call("GET", "/kb/entries/" + encodeURIComponent(id)).then(function (r) {
      if (!r.ok) {
        say("kb-message", detail(r.body, r.status), true);
        return;
      }
      lastEntry = r.body.id;
      $("wrapup-entry").value = lastEntry;
      text("kb-entry-title", r.body.title);
      text("kb-entry-body", r.body.body);
      $("kb-entry").hidden = false;
      $("kb-entry").focus();
    });
  }

  // ------------------------------------------------------------------ time in the state

  function twoDigits(value) {
    return (value < 10 ? "0" : "") + value;
  }

  function tick() {
    var timer = $("queue-timer");
    timer.hidden = stateStart === null;
    if (stateStart === null) return;
    var seconds = Math.max(0, Math.floor((Date.now() - stateStart) / 1000));
    timer.textContent = twoDigits(Math.floor(seconds / 60)) + ":" + twoDigits(seconds % 60);
  }

  function timeState(mine) {
    stateStart = mine && TIMED[mine.activity] ? Date.now() - (mine.in_state_s || 0) * 1000 : null;
    tick();
  }

  // ------------------------------------------------------------------ the training phone

  var phone = $("training-phone");

  function showPhone(mine) {
    if (!phone) return;
    var activity = mine ? mine.activity : "";
    $("phone-answer").hidden = activity !== "ringing";
    $("phone-hangup").hidden = activity !== "on_call";
  }

  function pressPhone(key, button) {
    call("POST", "/training/phone", { key: key }, button).then(function (r) {
      if (r.ok) say("queue-message", r.body.label, false);
      else say("queue-message", detail(r.body, r.status), true);
    });
  }

  if (phone) {
    $("phone-answer").addEventListener("click", function (e) {
      pressPhone("answer", e.currentTarget);
    });
    $("phone-hangup").addEventListener("click", function (e) {
      pressPhone("hangup", e.currentTarget);
    });
  }

  // ------------------------------------------------------------------ live updates

  function onOperators(payload) {
    var mine = (payload.operators || []).filter(function (o) {
      return o.interface === device;
    })[0];
    timeState(mine);
    showPhone(mine);
    if (!mine) {
      text("queue-state", STATE_LABELS.signed_out);
      return;
    }
    text("queue-state", (STATE_LABELS[mine.activity] || mine.activity) + (mine.paused_reason ? " (" + mine.paused_reason + ")" : ""));
    if (mine.linkedid && (!current || current.linkedid !== mine.linkedid)) {
      loadCard(mine.linkedid, true);
    } else if (current && current.linkedid === mine.linkedid && !mine.channel && !current.ended) {
      loadCard(mine.linkedid, false, true); // the conversation is over: the farewell, the reminder
      loadOwed();
    }
  }

  function onTransfers(payload, info) {
    // Asterisk settled a transfer (done, not answered, cancelled): the card counts it anew
    if (current && (info.snapshot || payload.linkedid === current.linkedid)) {
      loadCard(current.linkedid, false, current.ended);
    }
  }

  if (window.ConsultLive) {
    window.ConsultLive.connect({ topics: { operators: onOperators, transfers: onTransfers } });
  }
  loadOwed();
  window.setInterval(loadOwed, OWED_REFRESH_MS);
  window.setInterval(tick, TICK_MS);
})();
