/** The operator pages' HTML and their one script (served as /ui/page.js: the pages allow no inline script). */

const escape = (text: string) => text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);

function layout(title: string, body: string, withScript = true): string {
	return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(title)}</title>
<style>
body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#1f2328}
h1{font-size:1.4rem}.muted{color:#59636e}.error{color:#b42318}nav a{margin-right:1rem}
#qr{width:264px;height:264px;image-rendering:pixelated;border:1px solid #d0d7de}
table{border-collapse:collapse}td,th{padding:.3rem .8rem;border-bottom:1px solid #d0d7de;text-align:left}
.ready{color:#1a7f37;font-weight:600}
</style></head>
<body><nav><a href="/whatsapp-login">WhatsApp login</a><a href="/status">Status</a></nav>
${body}${withScript ? '\n<script src="/ui/page.js"></script>' : ''}
</body></html>`;
}

export function loginForm(next: string, error?: string): string {
	return layout(
		'Log in — WhatsApp Lite gateway',
		`<h1>WhatsApp Lite gateway</h1>
<p>Enter the gateway's API key (its <code>API_KEY</code>) to see the WhatsApp login and status pages.</p>
${error ? `<p class="error" role="alert">${escape(error)}</p>` : ''}
<form method="post" action="/ui/login">
<input type="hidden" name="next" value="${escape(next)}">
<label>API key <input type="password" name="apiKey" autocomplete="current-password" required autofocus></label>
<button type="submit">Log in</button>
</form>`,
		false,
	);
}

export function qrPage(suitId: string, sandbox: boolean): string {
	return layout(
		'WhatsApp login — Lite gateway',
		`<h1>Link WhatsApp to suit <code>${escape(suitId)}</code></h1>
${sandbox ? '<p class="muted">Sandbox mode: no phone and no real WhatsApp.</p>' : ''}
<p id="state" data-status="starting">Waiting for the gateway…</p>
<div id="qr-box" hidden>
<img id="qr" alt="WhatsApp login QR code">
<p class="muted">On the phone: WhatsApp → Settings → Linked devices → Link a device, then scan this code. It changes every
few seconds, as WhatsApp rotates it; this page follows.</p>
${sandbox ? '<form method="post" action="/ui/sandbox-scan"><button type="submit" id="sandbox-scan">Scan with the sandbox phone</button></form>' : ''}
</div>`,
	);
}

export function statusPage(suitId: string): string {
	return layout(
		'Status — WhatsApp Lite gateway',
		`<h1>Status of suit <code>${escape(suitId)}</code></h1>
<table>
<tr><th>WhatsApp session</th><td id="state" data-status="starting">…</td></tr>
<tr><th>Messages sent today (UTC)</th><td id="quota">…</td></tr>
<tr><th>Campaign messages waiting</th><td id="queued">…</td></tr>
<tr><th>Cloud webhook relay</th><td id="relay">…</td></tr>
</table>
<p class="muted">The daily quota counts every message of the suit, sent directly or by a campaign; it resets at 00:00 UTC.</p>`,
	);
}

/** Polls /ui/state every 2 s and fills in whichever of the elements the page has. */
export const pageScript = `'use strict';
(function () {
  var describe = {
    starting: 'Starting WhatsApp…',
    waiting_for_scan: 'Waiting for the QR code to be scanned',
    authenticated: 'Scanned: connecting…',
    disconnected: 'Disconnected: a new QR code follows',
  };
  function show(state) {
    var label = document.getElementById('state');
    label.dataset.status = state.status;
    label.className = state.status === 'ready' ? 'ready' : '';
    label.textContent = state.status === 'ready' ? 'Connected' + (state.account ? ' as +' + state.account : '') : describe[state.status] || state.status;
    var box = document.getElementById('qr-box');
    if (box) {
      box.hidden = !state.qrImage;
      var image = document.getElementById('qr');
      if (state.qrImage && image.getAttribute('src') !== state.qrImage) image.setAttribute('src', state.qrImage);
    }
    var quota = document.getElementById('quota');
    if (quota) quota.textContent = state.quota.used + ' of ' + state.quota.limit;
    var queued = document.getElementById('queued');
    if (queued) queued.textContent = String(state.queuedCampaignMessages);
    var relay = document.getElementById('relay');
    if (relay) relay.textContent = !state.relay ? 'Off (no RELAY_APPS)' :
      state.relay.accepted + ' Meta deliveries accepted, ' + state.relay.refused + ' refused; ' + state.relay.subscribers.length + ' subscribers, waiting: ' +
      (state.relay.subscribers.map(function (s) { return s.id + ' ' + s.backlog; }).join(', ') || 'none') + '; ' + state.relay.dropped + ' dropped';
  }
  function poll() {
    fetch('/ui/state', { credentials: 'same-origin', headers: { accept: 'application/json' } })
      .then(function (response) {
        if (response.status === 401) { location.reload(); return; }
        return response.json().then(show);
      })
      .catch(function () { document.getElementById('state').textContent = 'The gateway does not answer'; })
      .finally(function () { setTimeout(poll, 2000); });
  }
  poll();
})();
`;
