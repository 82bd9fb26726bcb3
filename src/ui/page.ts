/**
 * The dashboard's only HTML: a shell with empty sections that `client.ts` fills from `/api/*`,
 * and a login form shown when the gateway asks for a key. Nothing here depends on data, so it is
 * safe to serve to anyone.
 */
export const PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>mcp-gateway</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/ui/style.css">
<script src="/ui/app.js" defer></script>
<script src="/ui/actions.js" defer></script>
</head>
<body>
<header>
  <h1>mcp-gateway</h1>
  <span id="summary" class="muted">loading…</span>
  <span class="spacer"></span>
  <span id="who" class="muted"></span>
  <button id="reload" type="button" hidden>Reload config</button>
  <form id="logout" method="post" action="/ui/logout" hidden><button type="submit">Log out</button></form>
</header>
<main>
  <section id="login" hidden>
    <h2>Log in</h2>
    <p>This gateway needs a key. Paste one made with <code>mcp-gateway keys create NAME</code>.</p>
    <form method="post" action="/ui/login">
      <input name="username" value="mcp-gateway" autocomplete="username" hidden>
      <input id="key" name="key" type="password" autocomplete="current-password" placeholder="mgw_…" required>
      <button type="submit">Log in</button>
    </form>
    <p id="login-error" class="error" hidden>That key was not accepted.</p>
  </section>
  <div id="app" hidden>
    <p id="notice" role="status" hidden></p>
    <nav>
      <a href="#backends">Backends</a> <a href="#tools">Tools</a> <a href="#calls">Recent calls</a>
      <a href="#usage">Usage</a> <a href="#search-quality">Search</a>
      <a href="#insights">Questions</a> <a href="#costs">Costs</a> <a href="#webhooks">Webhooks</a> <a href="#audit">Audit</a>
      <a href="#security" class="admin">Security</a>
      <a href="#config" class="admin">Config</a>
    </nav>
    <section id="backends">
      <h2>Backends</h2>
      <table><thead><tr><th>Name</th><th>State</th><th>Transport</th><th>Tools</th><th>Breaker</th>
        <th>Calls</th><th>Errors</th><th>Detail</th></tr></thead><tbody></tbody></table>
    </section>
    <section id="tools">
      <h2>Tools <span id="tool-count" class="muted"></span></h2>
      <input id="search" type="search" placeholder="Search tools (e.g. read a file)" autocomplete="off">
      <ul id="tool-list"></ul>
    </section>
    <section id="calls">
      <h2>Recent calls</h2>
      <table><thead><tr><th>Time</th><th>Tool</th><th>Caller</th><th>Latency</th><th>Result</th></tr></thead>
        <tbody></tbody></table>
    </section>
    <section id="usage">
      <h2>Usage per tool</h2>
      <table><thead><tr><th>Tool</th><th>Calls</th><th>Errors</th><th>Mean</th><th>Last used</th>
        <th>Last error</th></tr></thead><tbody></tbody></table>
    </section>
    <section id="search-quality">
      <h2>Search on your traffic</h2>
      <p id="search-summary" class="muted"></p>
      <table><thead><tr><th>Search</th><th>Called</th><th>Times</th><th>Ranks now</th>
        <th>First now</th></tr></thead><tbody></tbody></table>
    </section>
    <section id="insights">
      <h2>Usage questions
        <select id="insights-window"><option>24h</option><option>7d</option><option>30d</option></select></h2>
      <p id="tokens-saved" class="muted"></p>
      <table id="top-tools"><thead><tr><th>Caller</th><th>Most called</th><th>Most errors</th>
        <th>Slowest (mean)</th></tr></thead><tbody></tbody></table>
      <table id="empty-searches"><thead><tr><th>Search that found nothing</th><th>Times</th>
        <th>Last</th><th>Callers</th></tr></thead><tbody></tbody></table>
    </section>
    <section id="costs">
      <h2>Costs <span id="costs-summary" class="muted"></span></h2>
      <table><thead><tr><th>Budget</th><th>Spent</th><th>Limit</th><th>Used</th><th>Resets</th></tr></thead>
        <tbody></tbody></table>
      <ul id="cost-alerts"></ul>
    </section>
    <section id="webhooks">
      <h2>Webhooks</h2>
      <table><thead><tr><th>Endpoint</th><th>Path</th><th>Provider</th><th>Deliveries</th>
        <th>Failures</th><th>Last failure</th></tr></thead><tbody></tbody></table>
    </section>
    <section id="audit">
      <h2>Audit log</h2>
      <input id="audit-caller" type="search" placeholder="Caller (key name)" autocomplete="off">
      <input id="audit-tool" type="search" placeholder="Tool or server:tool" autocomplete="off">
      <table><thead><tr><th>Time</th><th>Caller</th><th>Kind</th><th>What</th><th>Outcome</th>
        <th>Latency</th><th>Bytes</th><th>Cost</th></tr></thead><tbody></tbody></table>
    </section>
    <section id="security" class="admin">
      <h2>Security</h2>
      <div id="security-body"></div>
    </section>
    <section id="config" class="admin">
      <h2>Effective config <span id="config-file" class="muted"></span></h2>
      <pre id="config-body"></pre>
    </section>
  </div>
</main>
</body>
</html>
`;
