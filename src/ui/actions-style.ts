/** The operator panel's few rules (`actions-client.ts`), served after the dashboard's own. */
export const ACTIONS_CSS = `
#operate .actions { display: flex; gap: 6px; flex-wrap: wrap; }
#operate .state-disabled { color: var(--bad); }
#operate .actions button { padding: 2px 10px; font-size: 13px; }
#act-attention { padding-left: 18px; }
#act-tool { margin-top: 10px; padding: 4px 12px 12px; border: 1px solid var(--line); border-radius: 6px; }
#act-tool:empty { display: none; }
#act-tool h4 { margin: 14px 0 6px; font-size: 13px; }
.act-field { display: grid; grid-template-columns: 200px 1fr; gap: 8px; align-items: start; margin: 6px 0; }
.act-field label { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 13px; }
.act-field input[type=text], .act-field input[type=number], .act-field select, #operate textarea {
  font: inherit; padding: 4px 8px; border: 1px solid var(--line); border-radius: 6px;
  background: var(--bg); color: var(--fg); width: 100%; max-width: 520px; }
#operate textarea { display: block; font: 12px/1.4 ui-monospace, SFMono-Regular, Menlo, monospace; min-height: 70px; }
.act-hint { grid-column: 2; font-size: 12px; }
pre.act-diff .add { color: var(--ok); }
pre.act-diff .del { color: var(--bad); }
pre.act-diff .hunk { color: var(--accent); }
#act-confirm { padding: 8px 12px; border: 1px solid var(--warn); border-radius: 6px; margin: 8px 0; }
dialog#act-dialog { max-width: 640px; border: 1px solid var(--line); border-radius: 8px;
  background: var(--bg); color: var(--fg); }
dialog#act-dialog pre { white-space: pre-wrap; }
#act-tool-name { font: inherit; padding: 5px 10px; width: 320px; border: 1px solid var(--line);
  border-radius: 6px; background: var(--bg); color: var(--fg); }
#act-result .act-block img { display: block; max-width: 100%; max-height: 480px; border: 1px solid var(--line); }
#act-result .act-block audio { display: block; max-width: 100%; }
dialog#act-dialog::backdrop { background: rgb(0 0 0 / 40%); }
`;
