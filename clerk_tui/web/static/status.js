/* 排队进度 (templates/status.html): one ticket's status on a phone, following the server's event
 * stream (live.js). The link's token is in the page's address and goes with every request. ES5. */
(function () {
  "use strict";
  var match = /[?&]t=([^&#]*)/.exec(window.location.search);
  var token = match ? match[1] : "";
  var query = "?t=" + token;
  // What the browser tests read: the statuses drawn.
  var state = window.clerkStatus = { updates: 0, status: null, window: null };

  function $(id) { return document.getElementById(id); }
  function text(id, value) { $(id).textContent = value; }

  function draw(s) {
    state.updates += 1;
    state.status = s.status;
    state.window = s.window;
    text("hall", s.hall);
    text("number", s.number);
    text("queue", s.queue + " " + s.queue_name + (s.transferred ? "（已转办）" : ""));
    text("headline", s.headline);
    text("detail", s.detail);
    text("ahead", s.ahead === null ? "—" : s.ahead + " 人");
    text("window", s.window === null ? (s.target_window ? s.target_window + " 号（转办）" : "—") : s.window + " 号");
    $("state").className = "state " + s.status;
    document.title = s.number + " " + s.headline;
  }

  function gone(status) {
    $("ticket").hidden = true;
    $("offline").hidden = true;
    $("gone").hidden = false;
    if (status === 410) {
      text("gone-title", "号票已过期");
    } else {
      text("gone-title", "链接无效或已过期");
      text("gone-text", "请扫描号票上的二维码。排队进度只在取号当天可查，如有疑问请到导办台询问。");
    }
    state.status = "gone";
  }

  window.ClerkLive.follow({
    events: "/status/events" + query,
    poll: "/status/data" + query,
    event: "status",
    onData: draw,
    onState: function (online) { $("offline").hidden = online; },
    onRefused: gone
  });
}());
