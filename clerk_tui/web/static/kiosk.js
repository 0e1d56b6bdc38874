/* 自助取号机 (kiosk.html), ES5 only. Screens: home (common items, departments), a department's
 * items, the pinyin-initials search, an item's materials, the ID keypad, the priority notice and
 * the ticket. Everything the server sends is set as text, never as markup. */
(function () {
  "use strict";
  var IDLE_MS = 90000, TICKET_MS = 30000, ALIVE_MS = 30000, SCREENS = ["home", "department", "search", "item", "id-entry", "priority", "ticket"];
  var kiosk = window.clerkKiosk = { menus: 0, screen: "home", tickets: [] };
  var history = [], item = null, idMode = "ticket", idValue = "", query = "", idleTimer = null, busy = false;

  function $(id) { return document.getElementById(id); }
  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }
  function clear(node) { while (node.firstChild) { node.removeChild(node.firstChild); } }
  function error(text) { $("k-error").textContent = text || ""; $("k-error").hidden = !text; }

  function show(name, remember) {
    if (remember !== false && kiosk.screen !== name) { history.push(kiosk.screen); }
    kiosk.screen = name;
    for (var i = 0; i < SCREENS.length; i++) { $(SCREENS[i]).hidden = SCREENS[i] !== name; }
    $("back").hidden = name === "home" || name === "ticket";
    $("home-button").hidden = name === "home" || name === "ticket";
    error("");
    touched();
  }
  function home() { history = []; item = null; show("home", false); }
  function back() { show(history.length ? history.pop() : "home", false); }
  function touched() {
    if (idleTimer) { clearTimeout(idleTimer); }
    idleTimer = setTimeout(home, kiosk.screen === "ticket" ? TICKET_MS : IDLE_MS);
  }

  function request(method, url, body, done) {
    var xhr = new XMLHttpRequest();
    xhr.open(method, url, true);
    xhr.setRequestHeader("Accept", "application/json");
    if (body) { xhr.setRequestHeader("Content-Type", "application/json"); }
    xhr.timeout = 30000;  // a slow printer answers within its status timeout
    xhr.onreadystatechange = function () {
      if (xhr.readyState !== 4) { return; }
      busy = false;
      var data = null;
      try { data = JSON.parse(xhr.responseText); } catch (e) { data = null; }
      if (xhr.status === 401 || xhr.status === 403 && data && /令牌|网址/.test(data.error || "")) {
        window.location.reload();
        return;
      }
      if (xhr.status === 200) { done(data); }
      else { error((data && data.error) || "暂时无法办理，请稍后再试或到导办台咨询"); }
    };
    xhr.onerror = xhr.ontimeout = function () { busy = false; error("与服务器的连接中断，请稍后再试或到导办台咨询"); };
    xhr.send(body ? JSON.stringify(body) : null);
  }

  function itemButtons(container, items) {
    clear(container);
    for (var i = 0; i < items.length; i++) {
      var b = el("button", null, items[i].name);
      b.type = "button";
      b.setAttribute("data-code", items[i].code);
      b.appendChild(el("small", null, items[i].department));
      b.onclick = function () { openItem(this.getAttribute("data-code")); };
      container.appendChild(b);
    }
  }

  function drawMenu(data) {
    kiosk.menus += 1;
    $("hall-name").textContent = data.hall;
    itemButtons($("common"), data.common);
    var deps = $("departments");
    clear(deps);
    for (var i = 0; i < data.departments.length; i++) {
      (function (dep) {
        var b = el("button", null, dep.name);
        b.type = "button";
        b.appendChild(el("small", null, dep.items.length + " 个事项"));
        b.onclick = function () {
          $("department-name").textContent = dep.name;
          itemButtons($("department-items"), dep.items);
          show("department");
        };
        deps.appendChild(b);
      }(data.departments[i]));
    }
  }

  function openItem(code) {
    request("GET", "/kiosk/item?code=" + encodeURIComponent(code), null, function (guide) {
      item = guide;
      $("item-name").textContent = guide.name;
      $("item-where").textContent = guide.department + " · " + guide.queue +
        (guide.windows.length ? " · " + guide.windows.join("、") + "号窗口" : "") +
        (guide.promised_days ? " · 承诺" + guide.promised_days + "个工作日办结" : "");
      var list = $("item-materials");
      clear(list);
      for (var i = 0; i < guide.materials.length; i++) {
        var m = guide.materials[i], li = el("li", null, m.name);
        li.appendChild(el("small", null, "（" + (m.required ? "必需" : "如有") + "，" + m.form +
          (m.copies > 1 ? m.copies + "份" : "") + (m.notes ? "，" + m.notes : "") + "）"));
        list.appendChild(li);
      }
      if (!guide.materials.length) { list.appendChild(el("li", null, "本事项无需另带材料")); }
      show("item");
    });
  }

  function drawSearch() {
    $("search-text").textContent = query || "\u00a0";
    if (!query) { clear($("search-results")); return; }
    request("GET", "/kiosk/search?q=" + encodeURIComponent(query), null, function (data) {
      itemButtons($("search-results"), data.items);
      if (!data.items.length) { $("search-results").appendChild(el("p", "k-where", "没有找到，请换几个字母，或到导办台咨询")); }
    });
  }

  function keys(container, labels, press) {
    for (var i = 0; i < labels.length; i++) {
      var b = el("button", labels[i].length > 1 ? "k-key-wide" : null, labels[i]);
      b.type = "button";
      b.setAttribute("data-key", labels[i]);
      b.onclick = function () { press(this.getAttribute("data-key")); touched(); };
      container.appendChild(b);
    }
  }

  function typeLetter(key) {
    if (key === "退格") { query = query.slice(0, -1); }
    else if (key === "清空") { query = ""; }
    else if (query.length < 12) { query += key; }
    drawSearch();
  }

  function typeDigit(key) {
    if (key === "退格") { idValue = idValue.slice(0, -1); }
    else if (idValue.length < 18 && (key !== "X" || idValue.length === 17)) { idValue += key; }
    $("id-text").textContent = idValue || "\u00a0";
  }

  function askId(mode) {
    idMode = mode; idValue = "";
    $("id-text").textContent = "\u00a0";
    $("id-title").textContent = mode === "checkin" ? "预约签到：请输入预约时的身份证号" : "请输入身份证号（每个身份证号当天取号有上限）";
    show("id-entry");
  }

  function take(idNumber) {
    if (busy || !item) { return; }
    busy = true;
    request("POST", "/kiosk/ticket", { item: item.code, id: idNumber || "" }, showTicket);
  }

  function showTicket(t) {
    kiosk.tickets.push(t);
    $("ticket-number").textContent = t.number;
    $("ticket-what").textContent = t.queue + (t.item ? " · " + t.item : "");
    $("ticket-ahead").textContent = "前面还有 " + t.ahead + " 人等候，请留意叫号屏和语音";
    $("ticket-message").textContent = t.message || "";
    var p = $("ticket-print");
    if (t.printed) {
      p.className = "k-print";
      p.textContent = "号票已打印，请从出票口取走";
    } else {
      p.className = "k-print failed";
      p.textContent = "号票未能打印（" + t.print_message + "）。请记下您的号码 " + t.number + "，号码已有效，可照常等候叫号";
    }
    var qr = $("ticket-qr");
    if (t.qr) { $("ticket-qr-image").src = t.qr; qr.hidden = false; } else { qr.hidden = true; }
    history = [];
    show("ticket", false);
  }

  keys($("letters"), "ABCDEFGHJKLMNOPQRSTWXYZ".split("").concat(["退格", "清空"]), typeLetter);
  keys($("id-keys"), ["1", "2", "3", "4", "5", "6", "7", "8", "9", "X", "0", "退格"], typeDigit);
  $("open-search").onclick = function () { query = ""; drawSearch(); show("search"); };
  $("open-checkin").onclick = function () { askId("checkin"); };
  $("open-priority").onclick = function () { show("priority"); };
  $("take").onclick = function () { take(""); };
  $("take-with-id").onclick = function () { askId("ticket"); };
  $("id-ok").onclick = function () {
    if (!/^[0-9]{17}[0-9X]$/.test(idValue)) { error("身份证号应为18位（最后一位可能是X），请核对后再按确定"); return; }
    if (idMode === "checkin") {
      if (busy) { return; }
      busy = true;
      request("POST", "/kiosk/checkin", { id: idValue }, showTicket);
    } else { take(idValue); }
  };
  $("done").onclick = home;
  $("back").onclick = back;
  $("home-button").onclick = home;
  document.body.addEventListener("click", touched, false);

  function loadMenu() {
    request("GET", "/kiosk/menu", null, drawMenu);
  }
  function heartbeat() {
    window.ClerkLive.getJson("/kiosk/alive", function (status, data) {
      if (status === 401 || status === 403) { window.location.reload(); return; }
      var online = !!(data && data.ok);
      $("offline").hidden = online;
      if (online && !kiosk.menus) { loadMenu(); }
    });
  }
  loadMenu();
  heartbeat();
  setInterval(heartbeat, ALIVE_MS);
  setInterval(function () { if (kiosk.screen === "home") { loadMenu(); } }, 600000);
  home();
}());
