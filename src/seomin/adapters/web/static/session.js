// The applicant's session ends 30 minutes after sign-in. Five minutes before, say so and offer more time:
// people leave the documents step to fetch papers from 정부24 and 홈택스 and come back later.
// The server gives the seconds left (not a clock time), so a wrong clock on the phone does not matter.
(function () {
  var box = document.getElementById("session-warning");
  if (!box) return;
  var warnAt = parseInt(box.getAttribute("data-warn-seconds"), 10) || 300;
  var endsAt = Date.now() + (parseInt(box.getAttribute("data-seconds-left"), 10) || 0) * 1000;
  var countdown = box.querySelector("[data-countdown]");
  var button = box.querySelector("[data-extend]");
  var expired = box.querySelector("[data-expired]");
  var shown = false;

  function tick() {
    var left = Math.max(0, Math.round((endsAt - Date.now()) / 1000));
    if (left <= warnAt && !shown) {
      box.hidden = false;
      shown = true;
      button.focus();
    }
    countdown.textContent = Math.floor(left / 60) + ":" + String(left % 60).padStart(2, "0");
    if (left === 0) {
      button.hidden = true;
      expired.hidden = false;
    }
  }

  button.addEventListener("click", function () {
    button.disabled = true;
    fetch("/session/extend", { method: "POST", credentials: "same-origin" })
      .then(function (answer) { return answer.ok ? answer.json() : Promise.reject(answer.status); })
      .then(function (body) {
        endsAt = Date.now() + body.seconds_left * 1000;
        box.hidden = true;
        shown = false;
      })
      .catch(function () {
        button.hidden = true;
        expired.hidden = false;
      })
      .finally(function () { button.disabled = false; });
  });

  tick();
  setInterval(tick, 1000);
})();
