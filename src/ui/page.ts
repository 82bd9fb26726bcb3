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
<script src="/ui/charts.js" defer></script>
<script src="/ui/views.js" defer></script>
<script src="/ui/app.js" defer></script>
<script src="/ui/actions.js" defer></script>
</head>
<body>
<header>
  <h1>mcp-gateway</h1>
  <span id="summary" class="muted">loading…</span>
  <span class="spacer"></span>
  <span id="live" class="muted" role="status" aria-live="polite"></span>
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
    <nav id="tabs" role="tablist" aria-label="Dashboard sections">
      <a href="#overview" role="tab" id="tab-overview" aria-controls="overview">Overview</a>
      <a href="#activity" role="tab" id="tab-activity" aria-controls="activity">Activity</a>
      <a href="#tools-tab" role="tab" id="tab-tools-tab" aria-controls="tools-tab">Tools</a>
      <a href="#usage-tab" role="tab" id="tab-usage-tab" aria-controls="usage-tab">Usage</a>
      <a href="#security" role="tab" id="tab-security" aria-controls="security" class="admin">Security</a>
      <a href="#config" role="tab" id="tab-config" aria-controls="config" class="admin">Config</a>
    </nav>
    <div id="overview" class="tab" role="tabpanel" aria-labelledby="tab-overview">
      <section id="traffic">
        <h2>Traffic per backend
          <select id="chart-window" aria-label="Chart window"><option value="1h">last hour</option><option value="24h">last day</option></select>
          <span id="chart-note" class="muted"></span></h2>
        <div id="charts" class="chart-grid"></div>
      </section>
      <section id="backends">
        <h2>Backends</h2>
        <div class="scroll"><table><thead><tr><th>Name</th><th>State</th><th>Transport</th><th>Tools</th><th>Breaker</th>
          <th>Calls</th><th>Errors</th><th>Detail</th></tr></thead><tbody></tbody></table></div>
      </section>
      <div class="chart-grid">
        <section id="savings">
          <h2>Tokens saved by the meta tools <span class="muted">(24h)</span></h2>
          <div id="savings-body"></div>
        </section>
        <section id="hit-rate">
          <h2>Search hit rate on your traffic</h2>
          <div id="hit-rate-body"></div>
        </section>
        <section id="budgets">
          <h2>Budgets</h2>
          <div id="budgets-body"></div>
        </section>
      </div>
    </div>
    <div id="activity" class="tab" role="tabpanel" aria-labelledby="tab-activity" hidden>
      <section id="calls">
        <h2>Recent calls</h2>
        <div class="scroll"><table><thead><tr><th>Time</th><th>Tool</th><th>Caller</th><th>Latency</th><th>Result</th></tr></thead>
          <tbody></tbody></table></div>
      </section>
      <section id="audit">
        <h2>Activity log</h2>
        <form id="audit-filters" class="filters">
          <label>Caller <input id="audit-caller" type="search" placeholder="key name" autocomplete="off"></label>
          <label>Server <select id="audit-server"><option value="">any</option></select></label>
          <label>Tool <input id="audit-tool" type="search" placeholder="tool or server:tool" autocomplete="off"></label>
          <label>Outcome <select id="audit-outcome"><option value="">any</option><option>ok</option><option>error</option><option>failed</option><option>refused</option></select></label>
          <label>Since <select id="audit-since"><option value="">any time</option><option value="15m">15 min</option><option value="1h">1 hour</option><option value="24h" selected>24 hours</option><option value="7d">7 days</option></select></label>
          <label>Until <input id="audit-until" type="search" placeholder="now (or 1h, 2026-12-07T10:00)" autocomplete="off"></label>
        </form>
        <p id="audit-count" class="muted"></p>
        <div class="scroll"><table><thead><tr><th>Time</th><th>Caller</th><th>Kind</th><th>What</th><th>Outcome</th>
          <th>Latency</th><th>Bytes</th><th>Cost</th></tr></thead><tbody></tbody></table></div>
      </section>
    </div>
    <div id="tools-tab" class="tab" role="tabpanel" aria-labelledby="tab-tools-tab" hidden>
      <section id="explain">
        <h2>Search as the model would</h2>
        <p class="muted">The search <code>gateway_search_tools</code> runs, with your key's scopes and history: rank, score and why.</p>
        <form id="explain-form" class="filters">
          <input id="explain-query" type="search" placeholder="e.g. read a file" autocomplete="off" aria-label="Search">
          <select id="explain-server" aria-label="Server"><option value="">every server</option></select>
          <button type="submit">Search</button>
        </form>
        <div class="scroll"><table><thead><tr><th>Rank</th><th>Tool</th><th>Score</th><th>Why</th></tr></thead>
          <tbody></tbody></table></div>
      </section>
      <section id="tools">
        <h2>Tools <span id="tool-count" class="muted"></span></h2>
        <input id="search" type="search" placeholder="Filter tools (e.g. read a file)" autocomplete="off" aria-label="Filter tools">
        <ul id="tool-list"></ul>
      </section>
    </div>
    <div id="usage-tab" class="tab" role="tabpanel" aria-labelledby="tab-usage-tab" hidden>
      <section id="usage">
        <h2>Usage per tool</h2>
        <div class="scroll"><table><thead><tr><th>Tool</th><th>Calls</th><th>Errors</th><th>Mean</th><th>Last used</th>
          <th>Last error</th></tr></thead><tbody></tbody></table></div>
      </section>
      <section id="search-quality">
        <h2>Search on your traffic</h2>
        <p id="search-summary" class="muted"></p>
        <div class="scroll"><table><thead><tr><th>Search</th><th>Called</th><th>Times</th><th>Ranks now</th>
          <th>First now</th></tr></thead><tbody></tbody></table></div>
      </section>
      <section id="insights">
        <h2>Usage questions
          <select id="insights-window" aria-label="Window"><option>24h</option><option>7d</option><option>30d</option></select></h2>
        <p id="tokens-saved" class="muted"></p>
        <div class="scroll"><table id="top-tools"><thead><tr><th>Caller</th><th>Most called</th><th>Most errors</th>
          <th>Slowest (mean)</th></tr></thead><tbody></tbody></table></div>
        <div class="scroll"><table id="empty-searches"><thead><tr><th>Search that found nothing</th><th>Times</th>
          <th>Last</th><th>Callers</th></tr></thead><tbody></tbody></table></div>
      </section>
      <section id="costs">
        <h2>Costs <span id="costs-summary" class="muted"></span></h2>
        <div class="scroll"><table><thead><tr><th>Budget</th><th>Spent</th><th>Limit</th><th>Used</th><th>Resets</th></tr></thead>
          <tbody></tbody></table></div>
        <ul id="cost-alerts"></ul>
      </section>
      <section id="webhooks">
        <h2>Webhooks</h2>
        <div class="scroll"><table><thead><tr><th>Endpoint</th><th>Path</th><th>Provider</th><th>Deliveries</th>
          <th>Failures</th><th>Last failure</th></tr></thead><tbody></tbody></table></div>
      </section>
    </div>
    <section id="security" class="tab admin" role="tabpanel" aria-labelledby="tab-security" hidden>
      <h2>Security</h2>
      <div id="security-body"></div>
    </section>
    <section id="config" class="tab admin" role="tabpanel" aria-labelledby="tab-config" hidden>
      <h2>Effective config <span id="config-file" class="muted"></span></h2>
      <pre id="config-body"></pre>
    </section>
  </div>
</main>
</body>
</html>
`;
