/* Live data for every public page, ES5 only (old TV browsers, cheap tablets).
 *
 *   ClerkLive.follow({
 *     events: "/display/events",   // the server-sent event stream (feed.py)
 *     poll: "/display/board",      // the same data as JSON: used where EventSource is missing
 *     event: "board",              // the stream's event name carrying the data
 *     onData: function (data) {},  // each new data
 *     onState: function (online) {},  // false when the server has not been heard from for 10 s
 *     onRefused: function (status) {} // the token is no longer good (401/403, revoked; 410 expired)
 *   });
 *
 * The stream sends a "ping" event every few seconds; hearing nothing for SILENT_MS means the server
 * (or the network) is gone: the page says so and keeps reconnecting by itself.
 */
(function (global) {
  "use strict";
  var SILENT_MS = 9000, RETRY_MS = 3000, POLL_MS = 1000;

  function now() { return new Date().getTime(); }
  // The page's token is not (or no longer) good: 401/403, or 410 for a ticket link of an earlier day.
  function isRefusal(status) { return status === 401 || status === 403 || status === 410; }

  function getJson(url, done) {
    var xhr = new XMLHttpRequest();
    xhr.open("GET", url, true);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.timeout = 8000;
    xhr.onreadystatechange = function () {
      if (xhr.readyState !== 4) { return; }
      var data = null;
      if (xhr.status === 200) {
        try { data = JSON.parse(xhr.responseText); } catch (e) { data = null; }
      }
      done(xhr.status, data);
    };
    xhr.send(null);
  }

  function follow(opts) {
    var lastHeard = 0, online = null, source = null, stopped = false;

    function state(value) {
      if (value !== online) {
        online = value;
        if (opts.onState) { opts.onState(value); }
      }
    }
    function heard() { lastHeard = now(); state(true); }
    function refused(status) {
      stopped = true;
      if (source) { source.close(); source = null; }
      if (opts.onRefused) { opts.onRefused(status); }
    }

    function fetchOnce(then) {
      // The data once by XHR: a refused token stops everything, otherwise ``then`` goes on.
      getJson(opts.poll, function (status, data) {
        if (isRefusal(status)) { refused(status); return; }
        if (data) { heard(); opts.onData(data); }
        then();
      });
    }

    function poll() {  // where EventSource is missing
      if (!stopped) { fetchOnce(function () { setTimeout(poll, POLL_MS); }); }
    }

    function check() {  // the stream closed: the token (stop) or the server (open again)?
      fetchOnce(function () { setTimeout(open, RETRY_MS); });
    }

    function open() {
      if (stopped) { return; }
      if (source) { source.close(); }
      lastHeard = now();
      source = new global.EventSource(opts.events);
      source.addEventListener(opts.event, function (e) {
        heard();
        var data;
        try { data = JSON.parse(e.data); } catch (err) { return; }
        opts.onData(data);
      }, false);
      source.addEventListener("ping", heard, false);
      source.addEventListener("revoked", function () { refused(403); }, false);
      source.onerror = function () {
        if (source && source.readyState === 2) {  // CLOSED: the browser will not retry by itself
          source = null;
          state(false);
          check();
        }
      };
    }

    if (global.EventSource) {
      open();
      setInterval(function () {
        if (!stopped && now() - lastHeard > SILENT_MS) {
          state(false);
          open();
        }
      }, 1000);
    } else {
      poll();
      setInterval(function () {
        if (!stopped && now() - lastHeard > SILENT_MS) { state(false); }
      }, 1000);
    }
  }

  global.ClerkLive = { follow: follow, getJson: getJson };
}(window));
