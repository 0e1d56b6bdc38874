/* 评价器 (pad.html), ES5 only: follows /pad/events; asks for a rating when the window finishes a
 * service; records 未评价 after the timeout; thanks, then back to idle. All text set literally. */
(function () {
  "use strict";
  var body = document.body;
  var TIMEOUT_MS = parseInt(body.getAttribute("data-timeout"), 10) * 1000;
  var THANKS_MS = parseInt(body.getAttribute("data-thanks"), 10) * 1000;
  var BAD = parseInt(body.getAttribute("data-bad"), 10);
  var pad = window.clerkPad = { states: 0, asked: [], rated: [], visit: null, level: null };
  var timer = null, thanksUntil = 0, sending = false, lastState = null;

  function $(id) { return document.getElementById(id); }
  function setText(id, text) { $(id).textContent = text; }
  function show(id) {
    var ids = ["idle", "ask", "reasons-box", "thanks"];
    for (var i = 0; i < ids.length; i++) { $(ids[i]).hidden = ids[i] !== id; }
  }
  function status(text, error) {
    var el = $("pad-status");
    el.textContent = text || "";
    el.className = error ? "pad-status error" : "pad-status";
  }
  function restartTimer() {
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(function () { timer = null; submit(null); }, TIMEOUT_MS);
  }
  function stopTimer() { if (timer) { clearTimeout(timer); timer = null; } }

  function idle() {
    pad.visit = null; pad.level = null;
    stopTimer();
    show("idle");
    status("");
    if (lastState) {
      draw(lastState);
      if (lastState.visit && !wasRated(lastState.visit.ticket)) { ask(lastState.visit); }
    }
  }

  function wasRated(ticket) {
    for (var i = 0; i < pad.rated.length; i++) { if (pad.rated[i].ticket === ticket) { return true; } }
    return false;
  }

  function ask(visit) {
    pad.visit = visit; pad.level = null;
    pad.asked.push(visit.ticket);
    setText("visit-ticket", visit.ticket);
    var chosen = document.querySelectorAll(".reason");
    for (var i = 0; i < chosen.length; i++) { chosen[i].className = "reason"; }
    $("note").value = "";
    show("ask");
    status(Math.round(TIMEOUT_MS / 1000) + " 秒内未评价将记为“未评价”");
    restartTimer();
  }

  function choose(level) {
    if (!pad.visit || sending) { return; }
    pad.level = level;
    if (level <= BAD) {
      show("reasons-box");
      status("");
      restartTimer();  // time to choose the reasons
      return;
    }
    submit(level);
  }

  function chosenReasons() {
    var out = [], nodes = document.querySelectorAll(".reason.chosen");
    for (var i = 0; i < nodes.length; i++) { out.push(nodes[i].getAttribute("data-reason")); }
    return out;
  }

  function submit(level) {
    var visit = pad.visit;
    if (!visit || sending) { return; }
    var reasons = level !== null && level <= BAD ? chosenReasons() : [];
    var note = level !== null && level <= BAD ? $("note").value : "";
    if (level !== null && level <= BAD && !reasons.length && !/\S/.test(note)) {
      status("请点选不满意的原因，或写下意见，再提交", true);
      return;
    }
    sending = true;
    stopTimer();
    var xhr = new XMLHttpRequest();
    xhr.open("POST", "/pad/rate", true);
    xhr.setRequestHeader("Content-Type", "application/json");
    xhr.setRequestHeader("Accept", "application/json");
    xhr.timeout = 10000;
    xhr.onreadystatechange = function () {
      if (xhr.readyState !== 4) { return; }
      sending = false;
      var data = null;
      try { data = JSON.parse(xhr.responseText); } catch (e) { data = null; }
      if (xhr.status === 200) {
        pad.rated.push({ ticket: visit.ticket, level: level });
        thanks(level);
      } else if (level === null) {
        idle();  // the visit was rated or closed elsewhere: nothing to keep asking
      } else {
        status((data && data.error) || "评价未能提交，请再试一次", true);
        restartTimer();
      }
    };
    xhr.send(JSON.stringify({ ticket: visit.ticket, level: level, reasons: reasons, text: note }));
  }

  function thanks(level) {
    pad.visit = null;
    setText("thanks-text", level === null ? "已记为未评价，欢迎下次为我们评价。" :
      (level <= BAD ? "感谢您的评价！我们会认真核实整改，由带班领导跟进处理。" : "感谢您的评价！"));
    show("thanks");
    status("");
    thanksUntil = new Date().getTime() + THANKS_MS;
    setTimeout(idle, THANKS_MS);
  }

  function draw(state) {
    setText("window-name", state.window_name || "");
    setText("clerk-name", state.clerk || "—");
    setText("clerk-number", state.clerk_number || "—");
    $("badge").className = state.clerk ? "badge" : "badge empty";
    $("serving-line").hidden = !state.serving;
    setText("serving", state.serving || "");
  }

  function onState(state) {
    pad.states += 1;
    lastState = state;
    draw(state);
    if (new Date().getTime() < thanksUntil) { return; }
    if (state.visit && !pad.visit && !wasRated(state.visit.ticket)) { ask(state.visit); }
    else if (pad.visit && !sending && (!state.visit || state.visit.ticket !== pad.visit.ticket)) { idle(); }
  }

  var levels = document.querySelectorAll(".level");
  for (var i = 0; i < levels.length; i++) {
    levels[i].onclick = function () { choose(parseInt(this.getAttribute("data-level"), 10)); };
  }
  var reasons = document.querySelectorAll(".reason");
  for (var j = 0; j < reasons.length; j++) {
    reasons[j].onclick = function () {
      this.className = this.className.indexOf("chosen") >= 0 ? "reason" : "reason chosen";
      restartTimer();
    };
  }
  $("note").oninput = restartTimer;
  $("submit").onclick = function () { submit(pad.level); };
  $("back").onclick = function () { pad.level = null; show("ask"); status(""); restartTimer(); };

  window.ClerkLive.follow({
    events: "/pad/events",
    poll: "/pad/state",
    event: "pad",
    onData: onState,
    onState: function (online) { $("offline").hidden = online; },
    onRefused: function () { window.location.reload(); }
  });
}());
