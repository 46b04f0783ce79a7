// The portal's built-in page templates (eta, every `<%= %>` HTML-escaped). A file of the same name in the
// config's templatesDir replaces one (page-files.ts); docs/PORTAL.md lists what each page is given.
export const PAGE_NAMES = ['layout', 'sign-in', 'link-sent', 'continue', 'licenses', 'message'] as const;
export type PageName = (typeof PAGE_NAMES)[number];

export const pageFile = (name: PageName): string => `portal-${name}.eta`;

const layout = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title><%= it.title %> · <%= it.brand.productName %></title>
<link rel="stylesheet" href="/portal/static/portal.css">
<script src="/portal/static/portal.js" defer></script>
</head>
<body>
<header class="top">
<% if (it.brand.logoUrl) { %><img class="logo" src="<%= it.brand.logoUrl %>" alt="" width="32" height="32"><% } %>
<span class="brand"><%= it.brand.productName %></span>
<% if (it.signedInAs) { %>
<form method="post" action="/portal/sign-out" class="sign-out">
<input type="hidden" name="csrf" value="<%= it.csrf %>">
<button type="submit" class="link">Sign out</button>
</form>
<% } %>
</header>
<main>
<%~ it.body %>
</main>
<footer>
<% if (it.brand.supportEmail) { %><p>Questions? Write to <a href="mailto:<%= it.brand.supportEmail %>"><%= it.brand.supportEmail %></a>.</p><% } %>
</footer>
</body>
</html>
`;

const signIn = `<h1>Your licenses</h1>
<p>Enter the email address you bought with. We will send you a link that signs you in.</p>
<% if (it.error) { %><p class="error" role="alert"><%= it.error %></p><% } %>
<form method="post" action="/portal">
<input type="hidden" name="csrf" value="<%= it.csrf %>">
<label for="email">Email address</label>
<input id="email" name="email" type="email" autocomplete="email" required value="<%= it.email %>">
<button type="submit">Send me a sign-in link</button>
</form>
`;

const linkSent = `<h1>Check your email</h1>
<p role="status">If we have licenses for that address, we've sent a link to it. The link works once, for <%= it.minutes %> minutes.</p>
<p>Nothing arrived? Check your spam folder, or <a href="/portal">try again</a>.</p>
`;

const continuePage = `<h1>Sign in</h1>
<p>Press Continue to see your licenses.</p>
<form method="post" action="/portal/continue">
<input type="hidden" name="csrf" value="<%= it.csrf %>">
<input type="hidden" name="token" value="<%= it.token %>">
<button type="submit">Continue</button>
</form>
`;

const licenses = `<h1>Your licenses</h1>
<p class="who">Signed in as <strong><%= it.signedInAs %></strong>.</p>
<% if (it.notice) { %><p class="notice" role="status"><%= it.notice %></p><% } %>
<% if (it.licenses.length === 0) { %><p>There are no licenses for this address.</p><% } %>
<% it.licenses.forEach(function (l) { %>
<section class="license" aria-labelledby="h-<%= l.licenseKey %>">
<h2 id="h-<%= l.licenseKey %>"><%= l.productName %> <span class="tier"><%= l.tier %></span></h2>
<dl>
<dt>Status</dt><dd class="status status-<%= l.status %>"><%= l.statusText %></dd>
<dt>Valid until</dt><dd><%= l.expiry %></dd>
<dt>License key</dt><dd><code class="key"><%= l.licenseKey %></code></dd>
</dl>
<label for="blob-<%= l.licenseKey %>">License (paste it into <%= l.productName %>)</label>
<textarea id="blob-<%= l.licenseKey %>" class="blob" readonly rows="4"><%= l.blob %></textarea>
<div class="actions">
<button type="button" class="copy" data-copy="blob-<%= l.licenseKey %>" hidden>Copy license</button>
<a class="button" href="/portal/download?key=<%= encodeURIComponent(l.licenseKey) %>" download="<%= l.filename %>">Download <%= l.filename %></a>
<% if (l.canEmail) { %>
<form method="post" action="/portal/email">
<input type="hidden" name="csrf" value="<%= it.csrf %>">
<input type="hidden" name="key" value="<%= l.licenseKey %>">
<button type="submit">Email it to me</button>
</form>
<% } %>
<% if (l.renewal !== 'none') { %>
<form method="post" action="/portal/renew">
<input type="hidden" name="csrf" value="<%= it.csrf %>">
<input type="hidden" name="key" value="<%= l.licenseKey %>">
<button type="submit"><%= l.renewal === 'checkout' ? 'Renew (checkout)' : 'Renew' %></button>
</form>
<% } %>
</div>
</section>
<% }) %>
`;

const message = `<h1><%= it.heading %></h1>
<p><%= it.text %></p>
<p><a href="/portal">Back to the portal</a></p>
`;

export const DEFAULT_PAGES: Record<PageName, string> = {
  layout, 'sign-in': signIn, 'link-sent': linkSent, continue: continuePage, licenses, message,
};

export const PORTAL_JS = `// Copy buttons (the page works without this file: the license can be selected by hand or downloaded).
document.querySelectorAll('button[data-copy]').forEach(function (button) {
  var target = document.getElementById(button.getAttribute('data-copy'));
  if (!target || !navigator.clipboard) return;
  button.hidden = false;
  button.addEventListener('click', function () {
    navigator.clipboard.writeText(target.value).then(function () {
      button.textContent = 'Copied';
      setTimeout(function () { button.textContent = 'Copy license'; }, 2000);
    });
  });
});
`;

export function portalCss(accent: string): string {
  return `:root { --accent: ${accent}; --ink: #1d1d1f; --muted: #4a4a50; --line: #d9d9de; }
* { box-sizing: border-box; }
body { margin: 0; font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: var(--ink); background: #f5f5f7; line-height: 1.5; }
.top { display: flex; align-items: center; gap: 12px; padding: 12px 20px; background: #fff; border-bottom: 1px solid var(--line); }
.brand { font-weight: 600; flex: 1; }
main { max-width: 760px; margin: 24px auto; padding: 0 16px; }
footer { max-width: 760px; margin: 24px auto; padding: 0 16px; color: var(--muted); font-size: 14px; }
h1 { font-size: 28px; margin: 0 0 12px; }
h2 { font-size: 20px; margin: 0 0 8px; }
.tier { font-size: 14px; font-weight: 500; color: var(--muted); text-transform: uppercase; letter-spacing: .04em; }
label { display: block; font-weight: 600; margin: 12px 0 4px; }
input[type=email] { width: 100%; max-width: 420px; padding: 10px 12px; font-size: 16px; border: 1px solid #8a8a90; border-radius: 6px; }
button, .button { display: inline-block; padding: 9px 16px; font-size: 15px; border-radius: 6px; border: 1px solid var(--accent); background: var(--accent); color: #fff; cursor: pointer; text-decoration: none; margin: 12px 8px 0 0; }
.actions form { display: inline; }
.actions .button, .actions form button, .actions .copy { background: #fff; color: var(--accent); }
button.link { background: none; border: none; color: var(--accent); text-decoration: underline; padding: 0; margin: 0; }
.sign-out { margin: 0; }
.license { background: #fff; border: 1px solid var(--line); border-radius: 10px; padding: 18px; margin: 16px 0; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 0 0 8px; }
dt { color: var(--muted); }
dd { margin: 0; overflow-wrap: anywhere; }
.blob { width: 100%; font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 12px; padding: 8px; border: 1px solid var(--line); border-radius: 6px; background: #fafafa; resize: vertical; }
.status-active { color: #0b6b2f; font-weight: 600; }
.status-expired, .status-revoked { color: #a1261b; font-weight: 600; }
.notice { background: #eaf4ea; border: 1px solid #9cc79c; padding: 10px 12px; border-radius: 6px; }
.error { background: #fbeaea; border: 1px solid #d79a9a; padding: 10px 12px; border-radius: 6px; }
a { color: var(--accent); }
@media (max-width: 520px) { h1 { font-size: 24px; } dl { grid-template-columns: 1fr; } dt { margin-top: 6px; } }
`;
}
