/* Parley website widget loader. Embed with:
 *   <script src="https://parley.example/widget.js" data-channel="TOKEN" async></script>
 * Optional: data-attr-plan="pro" (any data-attr-* becomes a visitor attribute),
 * data-identifier + data-identifier-hash (signed-in visitors, see README).
 * It adds a launcher button; the chat itself is a panel page from Parley in
 * an iframe, so nothing here touches the host page beyond the button. */
(function () {
  var s = document.currentScript;
  if (!s || !s.getAttribute('data-channel') || window.__parleyWidget) return;
  window.__parleyWidget = true;
  var base = new URL(s.src, location.href).origin;
  var token = s.getAttribute('data-channel');
  var ctx = { pageUrl: location.href, attributes: {} };
  for (var i = 0; i < s.attributes.length; i++) {
    var a = s.attributes[i];
    if (a.name.indexOf('data-attr-') === 0) ctx.attributes[a.name.slice(10)] = a.value;
  }
  if (s.getAttribute('data-identifier')) {
    ctx.identifier = s.getAttribute('data-identifier');
    ctx.identifierHash = s.getAttribute('data-identifier-hash') || '';
  }
  var host = document.createElement('div');
  host.setAttribute('data-parley-widget', '');
  var root = host.attachShadow ? host.attachShadow({ mode: 'open' }) : host;
  root.innerHTML =
    '<style>' +
    '.l{position:fixed;right:20px;bottom:20px;width:56px;height:56px;border-radius:50%;border:0;' +
    'background:#2563eb;color:#fff;font:600 24px/1 system-ui,sans-serif;cursor:pointer;' +
    'box-shadow:0 4px 14px rgba(0,0,0,.25);z-index:2147483646}' +
    'iframe{position:fixed;right:20px;bottom:88px;width:370px;height:560px;max-height:calc(100vh - 108px);' +
    'border:0;border-radius:12px;box-shadow:0 8px 30px rgba(0,0,0,.25);background:#fff;z-index:2147483647}' +
    'iframe[hidden]{display:none}' +
    '@media (max-width:480px){iframe{right:0;bottom:0;width:100vw;height:100vh;max-height:none;border-radius:0}}' +
    '</style>' +
    '<button class="l" type="button" aria-label="Chat with us" aria-expanded="false">&#128172;</button>' +
    '<iframe title="Chat with us" hidden></iframe>';
  var button = root.querySelector('button');
  var frame = root.querySelector('iframe');
  function toggle(open) {
    if (open && !frame.src) {
      // The context rides in the fragment: it never reaches a server log.
      frame.src = base + '/widget/' + encodeURIComponent(token) + '/panel#' + encodeURIComponent(JSON.stringify(ctx));
    }
    frame.hidden = !open;
    button.setAttribute('aria-expanded', String(open));
    button.innerHTML = open ? '&#215;' : '&#128172;';
  }
  button.addEventListener('click', function () { toggle(frame.hidden); });
  // The panel's own close button.
  window.addEventListener('message', function (e) {
    if (e.origin === base && e.data && e.data.parley === 'close') toggle(false);
  });
  function mount() { document.body.appendChild(host); }
  if (document.body) mount(); else document.addEventListener('DOMContentLoaded', mount);
})();
