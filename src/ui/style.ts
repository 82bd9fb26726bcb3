/** The dashboard's stylesheet: system fonts, light and dark, no external resources. */
export const STYLE_CSS = `
:root { color-scheme: light dark; --fg: #1d1f23; --muted: #6a7079; --line: #d9dce1;
  --bg: #fff; --panel: #f6f7f9; --ok: #1a7f37; --warn: #9a6700; --bad: #cf222e; --accent: #0969da; }
@media (prefers-color-scheme: dark) {
  :root { --fg: #e6e8eb; --muted: #9198a1; --line: #30363d; --bg: #0d1117; --panel: #161b22;
    --ok: #3fb950; --warn: #d29922; --bad: #f85149; --accent: #58a6ff; }
}
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif;
  color: var(--fg); background: var(--bg); }
header { display: flex; gap: 12px; align-items: center; padding: 10px 20px;
  border-bottom: 1px solid var(--line); background: var(--panel); position: sticky; top: 0; }
header h1 { font-size: 16px; margin: 0; }
header form { margin: 0; }
.spacer { flex: 1; }
main { padding: 0 20px 40px; max-width: 1200px; }
nav { margin: 12px 0; display: flex; gap: 14px; }
nav a { color: var(--accent); text-decoration: none; }
h2 { font-size: 15px; margin: 26px 0 8px; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-weight: 600; color: var(--muted); font-size: 12px; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.muted { color: var(--muted); }
.error { color: var(--bad); }
.badge { display: inline-block; padding: 0 7px; border-radius: 9px; font-size: 12px;
  border: 1px solid currentColor; }
.state-ready, .state-ok, .state-closed { color: var(--ok); }
.state-idle, .state-starting, .state-needs_login, .state-half-open, .state-degraded, .state-error { color: var(--warn); }
.state-failed, .state-open, .state-quarantined { color: var(--bad); }
button { font: inherit; padding: 4px 12px; border: 1px solid var(--line); border-radius: 6px;
  background: var(--bg); color: var(--fg); cursor: pointer; }
button:disabled { opacity: .5; cursor: not-allowed; }
input[type=search], input[type=password] { font: inherit; padding: 6px 10px; width: 100%;
  max-width: 520px; border: 1px solid var(--line); border-radius: 6px; background: var(--bg);
  color: var(--fg); }
#login form { display: flex; gap: 8px; }
#notice { padding: 8px 12px; border-radius: 6px; background: var(--panel); border: 1px solid var(--line); }
#tool-list { list-style: none; padding: 0; margin: 10px 0; }
#tool-list li { border-bottom: 1px solid var(--line); }
#tool-list li > button { all: unset; display: block; width: 100%; padding: 6px 4px; cursor: pointer; }
#tool-list li > button:hover { background: var(--panel); }
.tool-name { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-weight: 600; }
.tool-detail { padding: 4px 10px 12px; }
.description { white-space: pre-wrap; }
pre { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: 10px;
  overflow: auto; font: 12px/1.4 ui-monospace, SFMono-Regular, Menlo, monospace; max-height: 480px; }
body:not(.is-admin) .admin { display: none; }
`;
