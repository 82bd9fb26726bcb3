/** The dashboard's stylesheet: system fonts, light and dark, no external resources. */
export const STYLE_CSS = `
:root { color-scheme: light dark; --fg: #1d1f23; --muted: #5f6670; --line: #d9dce1;
  --bg: #fff; --panel: #f6f7f9; --ok: #1a7f37; --warn: #9a6700; --bad: #cf222e; --accent: #0969da;
  --c0: #0969da; --c1: #bf3989; --c2: #1a7f37; --c3: #9a6700; --c4: #8250df; --c5: #cf222e; }
@media (prefers-color-scheme: dark) {
  :root { --fg: #e6e8eb; --muted: #9198a1; --line: #30363d; --bg: #0d1117; --panel: #161b22;
    --ok: #3fb950; --warn: #d29922; --bad: #f85149; --accent: #58a6ff;
    --c0: #58a6ff; --c1: #f778ba; --c2: #3fb950; --c3: #d29922; --c4: #bc8cff; --c5: #ff7b72; }
}
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif;
  color: var(--fg); background: var(--bg); }
header { display: flex; flex-wrap: wrap; gap: 6px 12px; align-items: center; padding: 10px 20px;
  border-bottom: 1px solid var(--line); background: var(--panel); position: sticky; top: 0; z-index: 2; }
header h1 { font-size: 16px; margin: 0; }
header form { margin: 0; }
.spacer { flex: 1; }
main { padding: 0 20px 40px; max-width: 1400px; }
a { color: var(--accent); }
:focus-visible { outline: 2px solid var(--accent); outline-offset: 2px; border-radius: 3px; }
nav[role=tablist] { margin: 12px 0 4px; display: flex; flex-wrap: wrap; gap: 4px;
  border-bottom: 1px solid var(--line); }
nav a[role=tab] { color: var(--fg); text-decoration: none; padding: 6px 12px;
  border: 1px solid transparent; border-bottom: 0; border-radius: 6px 6px 0 0; margin-bottom: -1px; }
nav a[role=tab]:hover { background: var(--panel); }
nav a[role=tab][aria-selected=true] { border-color: var(--line); background: var(--bg);
  color: var(--accent); font-weight: 600; }
h2 { font-size: 15px; margin: 22px 0 8px; }
h2 select { font: inherit; font-weight: 400; margin-left: 8px; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-weight: 600; color: var(--muted); font-size: 12px; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
#calls td:first-child, #audit td:first-child { white-space: nowrap; }
tr.live td { animation: arrive 2s ease-out; }
@keyframes arrive { from { background: color-mix(in srgb, var(--accent) 18%, transparent); } }
.muted { color: var(--muted); }
.error { color: var(--bad); }
.badge { display: inline-block; padding: 0 7px; border-radius: 9px; font-size: 12px;
  border: 1px solid currentColor; }
.state-ready, .state-ok, .state-closed { color: var(--ok); }
.state-idle, .state-starting, .state-needs_login, .state-half-open, .state-degraded, .state-error { color: var(--warn); }
.state-failed, .state-open, .state-quarantined { color: var(--bad); }
button, select { font: inherit; padding: 4px 10px; border: 1px solid var(--line); border-radius: 6px;
  background: var(--bg); color: var(--fg); }
button { cursor: pointer; }
button:disabled { opacity: .5; cursor: not-allowed; }
input[type=search], input[type=password] { font: inherit; padding: 5px 10px; width: 100%;
  max-width: 520px; border: 1px solid var(--line); border-radius: 6px; background: var(--bg);
  color: var(--fg); }
.filters { display: flex; flex-wrap: wrap; gap: 8px 12px; align-items: end; margin: 6px 0 10px; }
.filters label { display: flex; flex-direction: column; font-size: 12px; color: var(--muted); gap: 2px; }
.filters input[type=search] { width: 180px; }
#explain-form input[type=search] { width: 320px; max-width: 100%; }
#login form { display: flex; gap: 8px; }
#notice { padding: 8px 12px; border-radius: 6px; background: var(--panel); border: 1px solid var(--line); }
#live.on { color: var(--ok); }
#tool-list { list-style: none; padding: 0; margin: 10px 0; }
#tool-list li { border-bottom: 1px solid var(--line); }
#tool-list li > button { all: unset; display: block; width: 100%; padding: 6px 4px; cursor: pointer; }
#tool-list li > button:hover { background: var(--panel); }
#tool-list li > button:focus-visible { outline: 2px solid var(--accent); }
.tool-name { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-weight: 600; }
.tool-detail { padding: 4px 10px 12px; }
.description { white-space: pre-wrap; }
.why { font-size: 12px; margin: 0; padding-left: 16px; }
pre { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: 10px;
  overflow: auto; font: 12px/1.4 ui-monospace, SFMono-Regular, Menlo, monospace; max-height: 480px; }
.chart-grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(300px, 1fr)); gap: 4px 20px; }
.chart { margin: 0; padding: 8px 10px; border: 1px solid var(--line); border-radius: 6px; background: var(--panel); }
.chart figcaption { font-weight: 600; font-size: 13px; margin-bottom: 4px; }
.chart .plot { display: flex; gap: 6px; }
.chart .plot svg { flex: 1 1 0; min-width: 0; width: 0; height: 120px; display: block; }
.axis-y { display: flex; flex-direction: column; justify-content: space-between; font-size: 11px;
  color: var(--muted); text-align: right; min-width: 44px; }
.axis-x { display: flex; justify-content: space-between; font-size: 11px; padding-left: 50px; }
.chart, .chart-grid > section { min-width: 0; }
.grid { stroke: var(--line); stroke-width: 1; vector-effect: non-scaling-stroke; }
.line { fill: none; stroke-width: 1.5; vector-effect: non-scaling-stroke; stroke-linejoin: round; }
.point { stroke: none; }
.legend { list-style: none; display: flex; flex-wrap: wrap; gap: 2px 12px; padding: 0; margin: 4px 0 0;
  font-size: 12px; }
.swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 4px;
  background: currentColor; vertical-align: -1px; }
.series-0 { color: var(--c0); stroke: var(--c0); fill: var(--c0); }
.series-1 { color: var(--c1); stroke: var(--c1); fill: var(--c1); }
.series-2 { color: var(--c2); stroke: var(--c2); fill: var(--c2); }
.series-3 { color: var(--c3); stroke: var(--c3); fill: var(--c3); }
.series-4 { color: var(--c4); stroke: var(--c4); fill: var(--c4); }
.series-5 { color: var(--c5); stroke: var(--c5); fill: var(--c5); }
.legend li { color: var(--fg); }
.legend li .swatch { color: inherit; }
.legend li.series-0 .swatch { background: var(--c0); } .legend li.series-1 .swatch { background: var(--c1); }
.legend li.series-2 .swatch { background: var(--c2); } .legend li.series-3 .swatch { background: var(--c3); }
.legend li.series-4 .swatch { background: var(--c4); } .legend li.series-5 .swatch { background: var(--c5); }
polyline.line { fill: none; }
.gauge { display: grid; grid-template-columns: minmax(90px, 30%) 1fr auto; gap: 8px; align-items: center;
  margin: 4px 0; font-size: 13px; }
.gauge svg { width: 100%; height: 10px; }
.gauge-label { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.gauge-text { font-variant-numeric: tabular-nums; color: var(--muted); white-space: nowrap; }
.track { fill: var(--line); }
.gauge-ok .fill { fill: var(--ok); }
.gauge-warn .fill { fill: var(--warn); }
.gauge-bad .fill { fill: var(--bad); }
.bars .gauge .fill { fill: var(--accent); }
.empty { margin: 4px 0; }
body:not(.is-admin) .admin { display: none; }
@media (max-width: 760px) {
  header { padding: 8px 12px; }
  main { padding: 0 12px 30px; }
  th, td { padding: 4px 6px; }
  .filters input[type=search] { width: 140px; }
}
`;
