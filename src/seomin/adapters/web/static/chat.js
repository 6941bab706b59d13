// The 1397 chat, live: new lines arrive through server-sent events; a message is posted in the background
// (its line comes back through the stream). Without this script the forms post and the page reloads.
(function () {
  "use strict";
  var words = {
    visitor: [document.documentElement.lang === "en" ? "Customer" : "고객"],
    counselor: [document.documentElement.lang === "en" ? "Counselor" : "상담사"],
    system: [document.documentElement.lang === "en" ? "Notice" : "안내"],
  };

  function append(list, line) {
    if (document.getElementById("line-" + line.id)) return;
    var item = document.createElement("li");
    item.id = "line-" + line.id;
    item.dataset.id = String(line.id);
    item.className = "line line-" + line.sender + (line.sender === list.dataset.me ? " line-mine" : "");
    var who = document.createElement("span");
    who.className = "line-who";
    who.textContent = (words[line.sender] || [line.sender])[0];
    var body = document.createElement("span");
    body.className = "line-body";
    body.textContent = line.body;
    item.appendChild(who);
    item.appendChild(document.createTextNode(" "));
    item.appendChild(body);
    list.appendChild(item);
    list.scrollTop = list.scrollHeight;
  }

  function chat(box) {
    var list = box.querySelector("[data-transcript]");
    var last = list.lastElementChild ? list.lastElementChild.dataset.id : "0";
    var source = new EventSource(box.dataset.events + "?after=" + last);
    source.addEventListener("line", function (event) { append(list, JSON.parse(event.data)); });
    source.addEventListener("closed", function () {
      source.close();
      box.querySelectorAll("form").forEach(function (form) { form.hidden = true; });
      var ended = box.querySelector("[data-chat-ended]");
      if (ended) ended.hidden = false;
      box.dataset.closed = "true";
    });
    var form = box.querySelector("[data-chat-form]");
    if (!form) return;
    form.addEventListener("submit", function (event) {
      var field = form.querySelector("textarea");
      if (!field.value.trim()) return; // the server says what is missing
      event.preventDefault();
      var data = new URLSearchParams(new FormData(form));
      fetch(form.action, { method: "POST", body: data, headers: { "X-Requested-With": "fetch" }, credentials: "same-origin" })
        .then(function (response) {
          if (response.status === 204) { field.value = ""; field.focus(); } else { form.submit(); }
        })
        .catch(function () { form.submit(); });
    });
  }

  function queue(box) {
    var source = new EventSource(box.dataset.events);
    source.addEventListener("queue", function () {
      fetch(window.location.href, { credentials: "same-origin" })
        .then(function (response) { return response.text(); })
        .then(function (html) {
          var fresh = new DOMParser().parseFromString(html, "text/html").querySelector("[data-chat-queue]");
          if (fresh) box.innerHTML = fresh.innerHTML;
        });
    });
  }

  document.querySelectorAll("[data-chat]").forEach(chat);
  document.querySelectorAll("[data-chat-queue]").forEach(queue);
})();
