/* 叫号大屏 (templates/display.html): draws the board, flashes a new call or a recall, and announces
 * each call from the server's audio, one after another (never two at once). ES5 only. */
(function () {
  "use strict";
  var voiceOn = document.body.getAttribute("data-voice") === "1";
  var audio = document.getElementById("voice");
  var gate = document.getElementById("voice-gate");
  var topEvent = null, newestEvent = null, queue = [], playing = false;
  var clockOffset = 0, dateText = "";
  var RECENT_ROWS = 6;  // what the list's box holds at 1080 lines
  // What the browser tests read: the calls played and the last board drawn.
  var state = window.clerkDisplay = { played: [], announced: [], boards: 0 };

  function $(id) { return document.getElementById(id); }
  function text(el, value) { el.textContent = value; }
  function cell(row, value, cls) {
    var td = document.createElement("td");
    td.textContent = value;
    if (cls) { td.className = cls; }
    row.appendChild(td);
    return td;
  }

  function flash() {
    var el = $("now");
    el.className = "now";
    void el.offsetWidth;  // restart the animation
    el.className = "now flash";
  }

  function drawClock() {
    // The server's wall time (board.seconds: its seconds of the day), carried on as time goes by:
    // the TV's own clock and time zone are often wrong.
    var day = 86400000, ms = ((new Date().getTime() + clockOffset) % day + day) % day;
    var s = Math.floor(ms / 1000);
    function two(n) { return (n < 10 ? "0" : "") + n; }
    text($("time"), two(Math.floor(s / 3600)) + ":" + two(Math.floor(s / 60) % 60) + ":" + two(s % 60));
    text($("date"), dateText);
  }

  function setClock(board) {
    clockOffset = board.seconds * 1000 - new Date().getTime() % 86400000;
    dateText = board.date;
    drawClock();
  }

  function shown(el, value) {  // a line that is hidden when it has nothing to say
    text(el, value);
    el.hidden = !value;
  }

  function draw(board) {
    state.boards += 1;
    text($("hall-name"), board.hall);
    shown($("on-duty"), board.on_duty ? "今日带班领导：" + board.on_duty : "");
    shown($("awards"), board.awards ? "本月" + board.awards : "");
    setClock(board);
    var calls = board.calls, latest = calls[0];
    if (latest) {
      text($("now-number"), latest.number);
      text($("now-window"), String(latest.window));
      text($("now-phrase"), latest.phrase + (latest.recall ? "（重呼）" : ""));
      if (topEvent !== null && latest.event !== topEvent) { flash(); }
      topEvent = latest.event;
    } else {
      text($("now-number"), "—");
      text($("now-window"), "—");
      text($("now-phrase"), "请留意叫号");
    }
    var body = $("recent");
    while (body.firstChild) { body.removeChild(body.firstChild); }
    for (var i = 1; i < calls.length && i <= RECENT_ROWS; i++) {
      var row = document.createElement("tr");
      var num = cell(row, calls[i].number);
      if (calls[i].recall) {
        var tag = document.createElement("span");
        tag.className = "recall";
        tag.textContent = "重呼";
        num.appendChild(tag);
      }
      cell(row, calls[i].window + "号");
      cell(row, calls[i].at);
      body.appendChild(row);
    }
    var list = $("queues");
    while (list.firstChild) { list.removeChild(list.firstChild); }
    // The queues with people waiting (a county hall has twenty queues: all of them do not fit).
    var idle = 0;
    for (var j = 0; j < board.queues.length; j++) {
      var q = board.queues[j];
      if (!q.waiting) { idle += 1; continue; }
      var li = document.createElement("li");
      li.textContent = q.prefix + " " + q.name;
      var count = document.createElement("span");
      count.className = "count";
      count.textContent = q.waiting + "人";
      li.appendChild(count);
      list.appendChild(li);
    }
    if (idle) {
      var rest = document.createElement("li");
      rest.className = "none";
      rest.textContent = idle === board.queues.length ? "目前各队列均无人等候" : "其余 " + idle + " 个队列无人等候";
      list.appendChild(rest);
    }
    announce(calls);
  }

  function announce(calls) {
    // Calls newer than the newest already seen, oldest first; the first board only sets the mark.
    var fresh = [];
    for (var i = calls.length - 1; i >= 0; i--) {
      if (newestEvent !== null && calls[i].event > newestEvent) { fresh.push(calls[i]); }
    }
    for (var k = 0; k < calls.length; k++) {
      if (newestEvent === null || calls[k].event > newestEvent) { newestEvent = calls[k].event; }
    }
    if (newestEvent === null) { newestEvent = 0; }
    for (var j = 0; j < fresh.length; j++) {
      state.announced.push(fresh[j].number);
      if (voiceOn) { queue.push(fresh[j]); }
    }
    if (queue.length > 10) { queue.splice(0, queue.length - 10); }  // a backlog: the board shows them
    next();
  }

  function next() {
    if (playing || !queue.length) { return; }
    var call = queue.shift();
    playing = true;
    audio.src = call.voice;
    var started = audio.play();
    if (started && started["catch"]) {
      started["catch"](function (err) {
        if (err && err.name === "NotAllowedError") {  // the browser wants a touch before sound
          gate.hidden = false;
          queue.unshift(call);
        }
        done();
      });
    }
  }

  function done() {
    playing = false;
    setTimeout(next, 400);
  }

  audio.addEventListener("playing", function () { state.played.push(audio.currentSrc || audio.src); }, false);
  audio.addEventListener("ended", done, false);
  audio.addEventListener("error", done, false);
  gate.addEventListener("click", function () { gate.hidden = true; next(); }, false);
  document.body.addEventListener("click", function () { if (!gate.hidden) { gate.hidden = true; next(); } }, false);

  setInterval(drawClock, 1000);
  ClerkLive.follow({
    events: "/display/events",
    poll: "/display/board",
    event: "board",
    onData: draw,
    onState: function (online) { $("offline").hidden = online; },
    onRefused: function () {
      $("offline").hidden = false;
      text($("offline"), "此屏的设备令牌已失效：请向带班领导索取新的网址");
    }
  });
}());
