/* «Мои обратные звонки» (C11): the page's actions sent with fetch (csrf.js), the lists
 * re-read from GET /callbacks/list after each action and whenever the live "callbacks" topic
 * says an attempt has its result. Plain JavaScript, no build step.
 *
 * A button or form is disabled while its request runs, so a double click sends once; the
 * server refuses a second click-to-call or close anyway. Refusals come back as the server's
 * Russian reason and are shown beside the task. While the operator is typing in a form, a
 * live re-read waits until the form is left, so that nothing typed is lost. Focus survives a
 * re-read: it goes back to the same control of the same task, or to the page's status line
 * when the task has left the list (a keyboard user is never thrown back to the page's top).
 */
(function () {
  "use strict";

  var LIST_URL = "/callbacks/list";
  var RINGING_TEXT = "Звонит ваш телефон… Снимите трубку: затем наберём клиента.";
  var GENERIC_ERROR = "Не удалось выполнить действие: нет связи с сервером. Повторите.";
  var lists = document.getElementById("callbacks-lists");
  var status = document.getElementById("callbacks-status");
  var pending = false; // a re-read is owed (came while a form was being filled in)
  var busy = 0; // requests in flight
  var messages = {}; // task id -> last message, kept across re-reads
  var focusBack = null; // where focus goes after the next re-read, when the page lost it

  function say(text) {
    status.textContent = text;
  }

  function taskOf(element) {
    return element.closest("[data-task-id]");
  }

  function showFor(taskId, text, isError) {
    messages[taskId] = { text: text, error: !!isError };
    paintMessage(taskId);
  }

  function paintMessage(taskId) {
    var box = document.getElementById("task-" + taskId + "-message");
    var message = messages[taskId];
    if (!box || !message) {
      return;
    }
    box.textContent = message.text;
    box.classList.toggle("task__message--error", message.error);
  }

  function editing() {
    var active = document.activeElement;
    return !!(active && lists.contains(active) && active.closest("form"));
  }

  // The focused control as {task, selector}: its like is found again in the re-read lists.
  function focusKey(element) {
    var task = element && lists.contains(element) ? taskOf(element) : null;
    if (!task) {
      return null;
    }
    var selector = null;
    if (element.id) {
      selector = "#" + element.id;
    } else if (element.matches("button[data-action]")) {
      selector = 'button[data-action="' + element.dataset.action + '"]';
    } else if (element.matches("form[data-action] button[type=submit]")) {
      selector = 'form[data-action="' + element.form.dataset.action + '"] button[type=submit]';
    } else if (element.tagName === "SUMMARY") {
      var all = Array.prototype.slice.call(task.querySelectorAll("summary"));
      selector = "details:nth-of-type(" + (all.indexOf(element) + 1) + ") > summary";
    }
    return selector ? { task: task.dataset.taskId, selector: selector } : null;
  }

  function restoreFocus(key) {
    var active = document.activeElement;
    if (!key || (active && active !== document.body)) {
      return;
    }
    var task = lists.querySelector('[data-task-id="' + key.task + '"]');
    var control = task ? task.querySelector(key.selector) : null;
    if (control && !control.disabled) {
      control.focus();
    } else {
      status.focus();
    }
  }

  function reload() {
    if (editing() || busy > 0) {
      pending = true;
      return Promise.resolve();
    }
    pending = false;
    return fetch(LIST_URL, { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        return response.text();
      })
      .then(function (html) {
        var open = openForms();
        var key = focusKey(document.activeElement) || focusBack;
        focusBack = null;
        lists.innerHTML = html;
        restoreForms(open);
        restoreFocus(key);
        Object.keys(messages).forEach(paintMessage);
        lists.dataset.reads = String(Number(lists.dataset.reads || "0") + 1); // for tests
      })
      .catch(function () {
        say("Не удалось обновить список: нет связи с сервером.");
        restoreFocus(focusBack);
        focusBack = null;
      });
  }

  function openForms() {
    return Array.prototype.map.call(lists.querySelectorAll("details[open]"), function (details) {
      var task = taskOf(details);
      return task ? task.dataset.taskId + ":" + details.querySelector("summary").textContent : "";
    });
  }

  function restoreForms(open) {
    lists.querySelectorAll("details").forEach(function (details) {
      var task = taskOf(details);
      var key = task ? task.dataset.taskId + ":" + details.querySelector("summary").textContent : "";
      if (open.indexOf(key) !== -1) {
        details.open = true;
      }
    });
  }

  function reasonOf(response) {
    return response
      .json()
      .then(function (body) {
        if (body && typeof body.detail === "string") {
          return body.detail;
        }
        if (body && typeof body.message === "string") {
          return body.message;
        }
        return "Запрос отклонён: проверьте заполненные поля.";
      })
      .catch(function () {
        return "Сервер ответил ошибкой " + response.status + ".";
      });
  }

  // ``back``: where focus belongs once the lists are re-read (by default, where it is now: a
  // disabled button loses it).
  function send(taskId, action, body, controls, back) {
    back = back || focusKey(document.activeElement);
    controls.forEach(function (control) {
      control.disabled = true;
    });
    busy += 1;
    var init = { method: "POST", headers: { "Content-Type": "application/json" } };
    init.body = JSON.stringify(body || {});
    return csrfFetch("/callbacks/" + taskId + "/" + action, init)
      .then(function (response) {
        if (response.ok) {
          return response.json().then(function (done) {
            return { ok: true, text: done.message };
          });
        }
        return reasonOf(response).then(function (reason) {
          return { ok: false, text: reason };
        });
      })
      .catch(function () {
        return { ok: false, text: GENERIC_ERROR };
      })
      .then(function (outcome) {
        busy -= 1;
        showFor(taskId, outcome.text, !outcome.ok);
        controls.forEach(function (control) {
          control.disabled = false;
        });
        if (outcome.ok) {
          say(outcome.text);
        }
        focusBack = back;
        return reload().then(function () {
          return outcome;
        });
      });
  }

  lists.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-action]");
    if (!button || button.disabled) {
      return;
    }
    var task = taskOf(button);
    var taskId = task.dataset.taskId;
    var action = button.dataset.action;
    if (action === "call") {
      showFor(taskId, RINGING_TEXT, false);
      say(RINGING_TEXT);
    }
    send(taskId, action, {}, [button]);
  });

  lists.addEventListener("submit", function (event) {
    var form = event.target.closest("form[data-action]");
    if (!form) {
      return;
    }
    event.preventDefault();
    var submit = form.querySelector("button[type=submit]");
    if (submit.disabled) {
      return;
    }
    var data = {};
    new FormData(form).forEach(function (value, name) {
      data[name] = String(value);
    });
    var taskId = taskOf(form).dataset.taskId;
    var back = focusKey(form.closest("details").querySelector("summary"));
    submit.blur(); // leaving the form lets the re-read replace it
    send(taskId, form.dataset.action, data, [submit], back);
  });

  lists.addEventListener("focusout", function () {
    window.setTimeout(function () {
      if (pending && !editing()) {
        reload();
      }
    }, 0);
  });

  function describe(result) {
    var labels = {
      answered: "клиент ответил",
      no_answer: "клиент не ответил",
      busy: "занято",
      failed: "не дозвонились",
    };
    return labels[result] || result;
  }

  if (window.ConsultLive) {
    window.ConsultLive.connect({
      topics: {
        callbacks: function (payload, info) {
          if (!info.snapshot && payload && payload.kind === "attempt") {
            var text = "Результат звонка: " + describe(payload.result) + ".";
            messages[String(payload.task_id)] = { text: text, error: false };
            say("Заявка № " + payload.task_id + ". " + text);
          }
          reload();
        },
      },
    });
  }
})();
