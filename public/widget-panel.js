/* Parley widget panel: runs inside the iframe the loader (widget.js) opens,
 * on Parley's own origin. Talks to /widget/{token}/config, /messages and
 * /conversation; keeps the visitor token in this origin's storage so the
 * chat survives a reload; replies arrive live on /events (Server-Sent
 * Events), with a read every 3 s only while that stream is down. */
(function () {
  var root = document.querySelector('main.panel');
  var token = root.getAttribute('data-channel');
  var api = '/widget/' + encodeURIComponent(token);
  var key = 'parley:visitor:' + token;
  var ctx = {};
  try { ctx = JSON.parse(decodeURIComponent(location.hash.slice(1)) || '{}'); } catch (e) { ctx = {}; }
  var $ = function (sel) { return root.querySelector(sel); };
  var list = $('.messages'), form = $('form.send'), err = $('.error'), prechat = $('.prechat');
  var seen = {};
  var visitor = null, started = false, config = null;
  var live = null, liveFor = null;
  try { visitor = localStorage.getItem(key); } catch (e) { visitor = null; }

  function newToken() {
    var b = new Uint8Array(18);
    crypto.getRandomValues(b);
    return btoa(String.fromCharCode.apply(null, b)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }
  function show(m) {
    if (seen[m.id]) return;
    seen[m.id] = true;
    var li = document.createElement('li');
    li.className = 'msg ' + (m.direction === 'inbound' ? 'mine' : 'theirs');
    li.setAttribute('data-id', m.id);
    if (m.direction !== 'inbound' && m.senderName) {
      var who = document.createElement('span');
      who.className = 'who';
      who.textContent = m.senderName;
      li.appendChild(who);
    }
    var p = document.createElement('p');
    p.textContent = m.body;
    li.appendChild(p);
    list.appendChild(li);
    list.scrollTop = list.scrollHeight;
  }
  function fail(text) { err.textContent = text; err.hidden = !text; }
  function json(res) {
    return res.json().catch(function () { return {}; }).then(function (b) { return { ok: res.ok, status: res.status, body: b }; });
  }
  function streaming() { return live !== null && live.readyState === 1; }
  function refresh() {
    if (!visitor || !started || document.hidden) return;
    read();
  }
  function poll() { if (!streaming()) refresh(); }
  /* Follows the visitor's conversation live; reconnects (EventSource does)
   * and re-reads the thread on each (re)connect and on a resync, so a reply
   * sent while the stream was down is not missed. */
  function listen(conversation) {
    if (!window.EventSource || !visitor || liveFor === conversation) return;
    if (live) live.close();
    liveFor = conversation;
    live = new EventSource(api + '/events?visitor=' + encodeURIComponent(visitor));
    live.onmessage = function (e) { try { show(JSON.parse(e.data)); } catch (x) { /* not ours */ } };
    live.addEventListener('resync', read);
    live.onopen = read;
  }
  function read() {
    fetch(api + '/conversation?visitor=' + encodeURIComponent(visitor)).then(json).then(function (r) {
      if (r.ok && r.body.data) r.body.data.messages.forEach(show);
    }).catch(function () {});
  }
  function begin() {
    started = true;
    prechat.hidden = true;
    prechat.querySelectorAll('input').forEach(function (i) { i.required = false; });
  }

  fetch(api + '/config').then(json).then(function (r) {
    if (!r.ok) { fail('This chat is not available.'); return; }
    config = r.body.data;
    if (config.greeting) $('.greeting').textContent = config.greeting;
    if (!config.withinWorkingHours) {
      var h = $('.hours');
      h.textContent = config.outsideHoursMessage;
      h.hidden = false;
    }
    (config.preChatFields || []).forEach(function (f) {
      var label = document.createElement('label');
      label.textContent = f === 'name' ? 'Your name' : f === 'email' ? 'Your email' : f === 'phone' ? 'Your phone' : f;
      var input = document.createElement('input');
      input.name = f;
      input.required = true;
      if (f === 'email') input.type = 'email';
      if (f === 'phone') input.type = 'tel';
      label.appendChild(input);
      prechat.appendChild(label);
    });
    if (visitor) {
      fetch(api + '/conversation?visitor=' + encodeURIComponent(visitor)).then(json).then(function (c) {
        if (c.ok && c.body.data) { begin(); c.body.data.messages.forEach(show); listen(c.body.data.id); }
      });
    }
  });

  form.addEventListener('submit', function (ev) {
    ev.preventDefault();
    var text = form.elements.message.value.trim();
    if (!text) { fail('Please write a message.'); return; }
    if (!visitor) {
      visitor = newToken();
      try { localStorage.setItem(key, visitor); } catch (e) { /* private mode: this page only */ }
    }
    var body = {
      message: text, visitor: visitor, clientMessageId: newToken(), website: form.elements.website.value,
      pageUrl: ctx.pageUrl || null, attributes: ctx.attributes || {}, fields: {},
    };
    if (ctx.identifier) { body.identifier = ctx.identifier; body.identifierHash = ctx.identifierHash; }
    if (!started) {
      prechat.querySelectorAll('input').forEach(function (i) {
        if (i.name === 'name' || i.name === 'email' || i.name === 'phone') body[i.name] = i.value;
        else body.fields[i.name] = i.value;
      });
    }
    var button = form.querySelector('button[type="submit"]');
    button.disabled = true;
    fetch(api + '/messages', {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body),
    }).then(json).then(function (r) {
      button.disabled = false;
      if (!r.ok) {
        var e = r.body.error || {};
        fail((e.field ? e.field + ': ' : '') + (e.message || 'Could not send; please try again.'));
        return;
      }
      fail('');
      form.elements.message.value = '';
      if (r.body.data && r.body.data.visitorToken) {
        visitor = r.body.data.visitorToken;
        try { localStorage.setItem(key, visitor); } catch (e2) { /* ignore */ }
      }
      begin();
      if (r.body.data && r.body.data.message) show(r.body.data.message);
      if (r.body.data && r.body.data.conversation) listen(r.body.data.conversation.id);
    }).catch(function () { button.disabled = false; fail('Could not reach us; please try again.'); });
  });

  $('.close').addEventListener('click', function () { parent.postMessage({ parley: 'close' }, '*'); });
  setInterval(poll, 3000);
  document.addEventListener('visibilitychange', refresh);
})();
