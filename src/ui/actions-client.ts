/**
 * The dashboard's operator panel (`/ui/actions.js`), for admins: backend actions and stderr,
 * and a tool's detail with "try it", lock drift approval and quarantine release. Like
 * `client.ts`, `operate` runs in the page and is sent as its own source text, so it refers to
 * nothing outside its body; it builds its own section (`#operate`) and writes every value from
 * the gateway with `textContent`: tool descriptions and backend output are untrusted.
 */

interface BackendRow {
  name: string;
  state: string;
  error?: string;
  disabled?: boolean;
}

interface Schema {
  type?: string | string[];
  enum?: unknown[];
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
  description?: string;
}

interface ToolDetail {
  server: string;
  tool: string;
  title?: string;
  description: string;
  inputSchema: Schema;
  outputSchema?: unknown;
  annotations?: unknown;
  quarantined?: string;
  quarantine?: "poisoning" | "lock";
  findings: { rule: string; where: string; excerpt: string; severity: string }[];
  confirmation?: string;
  /** The definition shown: what a release is bound to. */
  digest?: string;
  lock: {
    state: "none" | "locked" | "changed" | "new";
    file?: string;
    patch?: string;
    note?: string;
    now?: string;
    /** The definition shown (changed, new): what Approve sends back. */
    digest?: string;
  };
}

interface Answer {
  ok: boolean;
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: JSON from the gateway, read field by field
  body: any;
}

function operate(): void {
  const POLL_MS = 3000;
  const byId = (id: string) => document.getElementById(id) as HTMLElement;

  function el(tag: string, text?: string | number, attrs: Record<string, string> = {}) {
    const node = document.createElement(tag);
    if (text !== undefined) node.textContent = String(text);
    for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
    return node;
  }

  function button(text: string, attrs: Record<string, string>, onClick: () => unknown) {
    const node = el("button", text, { type: "button", ...attrs }) as HTMLButtonElement;
    node.addEventListener("click", async () => {
      node.disabled = true;
      try {
        await onClick();
      } finally {
        node.disabled = false;
      }
    });
    return node;
  }

  const badge = (state: string) => el("span", state, { class: `badge state-${state}` });
  const pretty = (value: unknown) => JSON.stringify(value, null, 2);

  async function call(method: string, path: string, body?: unknown): Promise<Answer> {
    const response = await fetch(path, {
      method,
      headers: {
        accept: "application/json",
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const parsed = await response.json().catch(() => ({ error: `HTTP ${response.status}` }));
    return { ok: response.ok, status: response.status, body: parsed };
  }

  function say(text: string, isError = false): void {
    const box = byId("act-notice");
    box.textContent = text;
    box.className = isError ? "error" : "";
    box.hidden = false;
  }

  const toolPath = (server: string, tool: string) =>
    `/api/tools/${encodeURIComponent(server)}/${encodeURIComponent(tool)}`;

  // ---- backends ----

  async function act(name: string, action: string): Promise<void> {
    const state = document.querySelector(`[data-act-backend="${CSS.escape(name)}"] .act-state`);
    if (action !== "disable") state?.replaceChildren(badge("starting"));
    const answer = await call("POST", `/api/backends/${encodeURIComponent(name)}/${action}`);
    if (answer.ok && action === "login") {
      window.open(answer.body.url, "_blank", "noopener");
      say(`Finish the login to ${name} in the new tab; the backend reconnects when it is done.`);
    } else if (answer.ok) {
      const done = {
        restart: "restarted",
        disable: "disabled",
        enable: "enabled",
        revive: "revived",
      };
      const tools = answer.body.tools === undefined ? "" : `, ${answer.body.tools} tools`;
      say(`${name} ${done[action as keyof typeof done]}: ${answer.body.state}${tools}`);
    } else {
      say(`${name}: ${action} failed: ${answer.body.error}`, true);
    }
    await loadBackends();
  }

  async function showStderr(name: string): Promise<void> {
    const answer = await call("GET", `/api/backends/${encodeURIComponent(name)}/stderr`);
    if (!answer.ok) return say(`${name}: ${answer.body.error}`, true);
    const lines: string[] = answer.body.lines;
    byId("act-stderr").replaceChildren(
      el("h3", `stderr of ${name} (last ${lines.length} line${lines.length === 1 ? "" : "s"})`),
      el("pre", lines.length ? lines.join("\n") : "(nothing written to stderr since it started)", {
        "data-stderr": name,
      }),
    );
  }

  function backendRow(backend: BackendRow): HTMLElement {
    const tr = el("tr", undefined, { "data-act-backend": backend.name });
    const state = el("td", undefined, { class: "act-state" });
    state.append(badge(backend.disabled ? "disabled" : backend.state));
    if (backend.error) state.append(" ", el("span", backend.error, { class: "error" }));
    const buttons = el("td");
    const row = el("div", undefined, { class: "actions" });
    const action = (label: string, name: string) =>
      button(label, { "data-action": name }, () => act(backend.name, name));
    row.append(action("Restart", "restart"));
    const disable = button("Disable", { "data-action": "disable" }, () =>
      ask(
        [
          el("h3", `Disable ${backend.name}?`),
          el(
            "p",
            "Its connections close, calls in flight on it fail, and its calls are refused until it is enabled (a restart of the gateway enables it too).",
          ),
        ],
        "Disable",
        () => act(backend.name, "disable"),
      ),
    );
    row.append(backend.disabled ? action("Enable", "enable") : disable);
    if (!backend.disabled && backend.state === "failed") row.append(action("Revive", "revive"));
    if (backend.state === "needs_login") row.append(action("Log in", "login"));
    row.append(button("Stderr", { "data-action": "stderr" }, () => showStderr(backend.name)));
    buttons.append(row);
    tr.append(el("td", backend.name), state, buttons);
    return tr;
  }

  /** Redraws the backends and the tools needing attention; returns how many tools there are. */
  async function loadBackends(): Promise<number | undefined> {
    const answer = await call("GET", "/api/status");
    if (!answer.ok) return undefined;
    const rows: BackendRow[] = answer.body.backends;
    byId("act-backends")
      .querySelector("tbody")!
      .replaceChildren(...rows.map(backendRow));
    const security = await call("GET", "/api/security");
    if (security.ok) renderAttention(security.body);
    return answer.body.tools;
  }

  // ---- tools needing attention ----

  function renderAttention(security: {
    quarantined?: string[];
    lock?: { changes: Record<string, { changed: string[]; added: string[] }> };
  }): void {
    const items = new Map<string, string>();
    const unlocked: string[] = [];
    for (const key of security.quarantined ?? []) items.set(key, "quarantined");
    /** Prompts, resources, templates and app pages held by the lock: no tool to open. */
    const listed: [string, string][] = [];
    for (const [server, changes] of Object.entries(security.lock?.changes ?? {})) {
      for (const tool of changes.changed) {
        if (/^(prompt|resource|template|app):/.test(tool)) {
          listed.push([
            `${server}:${tool}`,
            `changed, held back: review with mcp-gateway lock diff, approve with mcp-gateway lock update ${server}`,
          ]);
        } else items.set(`${server}:${tool}`, "definition changed");
      }
      if (changes.added.length) unlocked.push(`${server} (${changes.added.length})`);
    }
    const list = [...items].map(([key, why]) => {
      const li = el("li", undefined, { "data-attention": key });
      const colon = key.indexOf(":");
      li.append(
        button(key, { class: "tool-name" }, () =>
          openTool(key.slice(0, colon), key.slice(colon + 1)),
        ),
        ` ${why}`,
      );
      return li;
    });
    for (const [key, why] of listed) {
      const li = el("li", undefined, { "data-attention": key });
      li.append(el("code", key), ` ${why}`);
      list.push(li);
    }
    if (!list.length)
      list.push(el("li", "Nothing: no tool is quarantined or drifted.", { class: "muted" }));
    // New tools are reported, not held back: one line; each one's detail approves it.
    if (unlocked.length) {
      const text = `Not in gateway.lock yet (open one to approve it): ${unlocked.join(", ")}`;
      list.push(el("li", text, { class: "muted" }));
    }
    byId("act-attention").replaceChildren(...list);
  }

  // ---- one tool ----

  async function openTool(server: string, tool: string): Promise<void> {
    const answer = await call("GET", toolPath(server, tool));
    if (!answer.ok) return say(answer.body.error, true);
    renderTool(answer.body as ToolDetail);
    // The panel sits in the Overview tab: show that tab first when another one is open.
    const panel = byId("act-tool").closest("[role=tabpanel]");
    if (panel instanceof HTMLElement && panel.hidden) {
      document.getElementById(`tab-${panel.id}`)?.click();
    }
    byId("act-tool").scrollIntoView({ block: "start" });
  }

  function renderTool(detail: ToolDetail): void {
    const key = `${detail.server}:${detail.tool}`;
    const parts: HTMLElement[] = [el("h3", key, { class: "tool-name" })];
    if (detail.title) parts.push(el("p", detail.title));
    parts.push(el("p", detail.description || "(no description)", { class: "description" }));
    const state = el("p", undefined, { "data-quarantine": detail.quarantined ? "yes" : "no" });
    if (detail.quarantined) state.append(badge("quarantined"), ` ${detail.quarantined}`);
    else state.append(badge("ok"), " not quarantined");
    parts.push(state);
    for (const finding of detail.findings) {
      parts.push(
        el("p", `${finding.severity}: ${finding.rule} in ${finding.where}: "${finding.excerpt}"`, {
          class: finding.severity === "high" ? "error" : "muted",
        }),
      );
    }
    if (detail.quarantine === "poisoning") {
      parts.push(
        button("Release into trusted_tools…", { id: "act-release" }, () => askRelease(detail)),
      );
    }
    parts.push(...lockPart(detail));
    parts.push(
      el("h4", "Input schema"),
      el("pre", pretty(detail.inputSchema), { class: "schema" }),
    );
    if (detail.outputSchema)
      parts.push(el("h4", "Output schema"), el("pre", pretty(detail.outputSchema)));
    if (detail.annotations)
      parts.push(el("h4", "Annotations"), el("pre", pretty(detail.annotations)));
    parts.push(el("h4", "Try it"), tryForm(detail));
    byId("act-tool").replaceChildren(...parts);
  }

  function lockPart(detail: ToolDetail): HTMLElement[] {
    const lock = detail.lock;
    if (lock.state === "none" || lock.state === "locked") {
      return [
        el("p", lock.state === "none" ? "No gateway.lock." : `Matches ${lock.file}.`, {
          class: "muted",
        }),
      ];
    }
    const title =
      lock.state === "changed"
        ? `Lock drift: the definition differs from ${lock.file}`
        : `New: not in ${lock.file}`;
    const out = [el("h4", title)];
    if (lock.note) out.push(el("p", lock.note, { class: "muted" }));
    const diff = el("pre", undefined, { class: "act-diff", id: "act-diff" });
    for (const line of (lock.patch ?? lock.now ?? "").split("\n")) {
      const kind = line.startsWith("@@")
        ? "hunk"
        : line.startsWith("+") && !line.startsWith("+++")
          ? "add"
          : line.startsWith("-") && !line.startsWith("---")
            ? "del"
            : "";
      diff.append(el("span", `${line}\n`, kind ? { class: kind } : {}));
    }
    out.push(diff);
    out.push(
      button("Approve this definition", { id: "act-approve" }, async () => {
        // The definition shown: one the backend changed since is refused, not approved unseen.
        const answer = await call("POST", `${toolPath(detail.server, detail.tool)}/approve`, {
          digest: lock.digest,
        });
        if (!answer.ok) return say(`Approve refused: ${answer.body.error}`, true);
        say(
          `Approved ${detail.server}:${detail.tool} into ${answer.body.file}${answer.body.released === false ? " (the gateway has not re-read it yet)" : ""}.`,
        );
        await openTool(detail.server, detail.tool);
        await loadBackends();
      }),
    );
    return out;
  }

  /**
   * Asks in the page's dialog before an action that cannot be taken back by a click: `parts`
   * say what happens; `go` runs once the operator confirms (ids `act-dialog-ok`/`-cancel`).
   */
  function ask(parts: HTMLElement[], label: string, go: () => Promise<unknown>): void {
    const dialog = byId("act-dialog") as HTMLDialogElement;
    const actions = el("div", undefined, { class: "actions" });
    actions.append(
      button("Cancel", { id: "act-dialog-cancel" }, () => dialog.close()),
      button(label, { id: "act-dialog-ok" }, async () => {
        dialog.close();
        await go();
      }),
    );
    dialog.replaceChildren(...parts, actions);
    dialog.showModal();
  }

  function askRelease(detail: ToolDetail): void {
    const key = `${detail.server}:${detail.tool}`;
    const parts = [
      el("h3", `Release ${key} from quarantine?`),
      el("p", "It was quarantined because:"),
      el("pre", detail.quarantined ?? ""),
      ...detail.findings.map((f) =>
        el("p", `${f.severity}: ${f.rule} in ${f.where}: "${f.excerpt}"`, { class: "error" }),
      ),
      el(
        "p",
        `"${key}" with this definition's digest is added to security.trusted_tools in the config file, which is reloaded: clients can call it again. A different definition under the same name is quarantined again. Findings stay on record.`,
      ),
    ];
    ask(parts, "Release", async () => {
      // The definition shown: one the backend changed since is refused, not released unseen.
      const answer = await call("POST", `${toolPath(detail.server, detail.tool)}/trust`, {
        digest: detail.digest,
      });
      if (!answer.ok) return say(`Release refused: ${answer.body.error}`, true);
      say(
        `${key} added to security.trusted_tools in ${answer.body.file}${answer.body.released ? "; released" : ""}.`,
      );
      await openTool(detail.server, detail.tool);
      await loadBackends();
    });
  }

  // ---- try it ----

  /** One input per property the form knows how to build; `read` says what to send or what is wrong. */
  interface Field {
    name: string;
    read(): { value?: unknown; error?: string };
    set(value: unknown): void;
  }

  function typeOf(schema: Schema): string | undefined {
    const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== "null") : schema.type;
    if (Array.isArray(schema.enum) && schema.enum.length) return "enum";
    if (type === "array" && schema.items?.type === "string" && !schema.items.enum) return "strings";
    return type;
  }

  function field(name: string, schema: Schema, required: boolean, into: HTMLElement): Field {
    const id = `act-arg-${name.replace(/[^A-Za-z0-9_-]/g, "_")}`;
    const row = el("div", undefined, { class: "act-field" });
    row.append(el("label", `${name}${required ? " *" : ""}`, { for: id }));
    const type = typeOf(schema);
    let input: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;
    let read: () => { value?: unknown; error?: string };
    let set: (value: unknown) => void;
    if (type === "enum") {
      const select = el("select", undefined, { id, "data-arg": name }) as HTMLSelectElement;
      select.append(el("option", "(unset)", { value: "" }));
      for (const option of schema.enum!)
        select.append(el("option", String(option), { value: JSON.stringify(option) }));
      input = select;
      read = () => (select.value ? { value: JSON.parse(select.value) } : {});
      set = (value) => (select.value = value === undefined ? "" : JSON.stringify(value));
    } else if (type === "boolean") {
      const box = el("input", undefined, {
        id,
        type: "checkbox",
        "data-arg": name,
      }) as HTMLInputElement;
      box.addEventListener("change", () => box.setAttribute("data-touched", ""));
      input = box;
      read = () => (required || box.hasAttribute("data-touched") ? { value: box.checked } : {});
      set = (value) => (box.checked = value === true);
    } else if (type === "string" || type === "number" || type === "integer") {
      const text = el("input", undefined, {
        id,
        "data-arg": name,
        type: type === "string" ? "text" : "number",
        ...(type === "integer" ? { step: "1" } : type === "number" ? { step: "any" } : {}),
      }) as HTMLInputElement;
      input = text;
      read = () => {
        if (text.value === "") return {};
        if (type === "string") return { value: text.value };
        const number = Number(text.value);
        if (!Number.isFinite(number)) return { error: "not a number" };
        if (type === "integer" && !Number.isInteger(number))
          return { error: "must be a whole number" };
        return { value: number };
      };
      set = (value) => (text.value = value === undefined ? "" : String(value));
    } else if (type === "strings") {
      const area = el("textarea", undefined, {
        id,
        "data-arg": name,
        placeholder: "one item per line",
      }) as HTMLTextAreaElement;
      input = area;
      read = () =>
        area.value.trim() ? { value: area.value.split("\n").filter((line) => line !== "") } : {};
      set = (value) => (area.value = Array.isArray(value) ? value.join("\n") : "");
    } else {
      const area = el("textarea", undefined, {
        id,
        "data-arg": name,
        placeholder: "JSON",
      }) as HTMLTextAreaElement;
      input = area;
      read = () => {
        if (!area.value.trim()) return {};
        try {
          return { value: JSON.parse(area.value) };
        } catch {
          return { error: "not valid JSON" };
        }
      };
      set = (value) => (area.value = value === undefined ? "" : pretty(value));
    }
    row.append(input);
    if (schema.description) row.append(el("span", schema.description, { class: "act-hint muted" }));
    const error = el("span", undefined, { class: "act-hint error", "data-error": name });
    row.append(error);
    into.append(row);
    return {
      name,
      read() {
        const answer = read();
        const problem = answer.error ?? (required && answer.value === undefined ? "required" : "");
        error.textContent = problem;
        return problem ? { error: problem } : answer;
      },
      set,
    };
  }

  function tryForm(detail: ToolDetail): HTMLElement {
    const form = el("form", undefined, { id: "act-try", novalidate: "" }) as HTMLFormElement;
    const schema = detail.inputSchema ?? {};
    const properties = schema.properties ?? {};
    const required = new Set(schema.required ?? []);
    const fieldsBox = el("div");
    const fields = Object.entries(properties).map(([name, prop]) =>
      field(name, prop ?? {}, required.has(name), fieldsBox),
    );
    // Raw JSON: for schemas the fields cannot express, or to send exactly what is typed.
    const rawToggle = el("input", undefined, {
      type: "checkbox",
      id: "act-raw",
    }) as HTMLInputElement;
    const raw = el("textarea", "{}", { id: "act-raw-json", hidden: "" }) as HTMLTextAreaElement;
    const rawLabel = el("label", " Edit the arguments as raw JSON", { for: "act-raw" });
    rawLabel.prepend(rawToggle);
    const useRaw = (on: boolean) => {
      rawToggle.checked = on;
      raw.hidden = !on;
      fieldsBox.hidden = on;
    };
    rawToggle.addEventListener("change", () => {
      if (rawToggle.checked) {
        const args: Record<string, unknown> = {};
        for (const f of fields) {
          const { value } = f.read();
          if (value !== undefined) args[f.name] = value;
        }
        raw.value = pretty(args);
      } else {
        let args: Record<string, unknown> = {};
        try {
          args = JSON.parse(raw.value) ?? {};
        } catch {}
        for (const f of fields) f.set(args[f.name]);
      }
      useRaw(rawToggle.checked);
    });
    form.append(fieldsBox, el("p"), raw);
    form.lastElementChild!.previousElementSibling!.append(rawLabel);
    if (!fields.length && Object.keys(schema).some((k) => k !== "type" && k !== "properties"))
      useRaw(true);
    if (detail.confirmation) {
      form.append(
        el(
          "p",
          `This tool needs the operator's confirmation (${detail.confirmation}): the gateway asks before it is sent.`,
          { class: "muted" },
        ),
      );
    }
    const result = el("div", undefined, { id: "act-result" });
    form.append(el("button", "Run", { type: "submit", id: "act-run" }), result);

    const collect = (): Record<string, unknown> | undefined => {
      if (rawToggle.checked) {
        try {
          const value = JSON.parse(raw.value || "{}");
          if (value && typeof value === "object" && !Array.isArray(value)) return value;
        } catch {}
        result.replaceChildren(
          el("p", "The raw arguments must be a JSON object.", { class: "error" }),
        );
        return undefined;
      }
      const args: Record<string, unknown> = {};
      let ok = true;
      for (const f of fields) {
        const { value, error } = f.read();
        if (error) ok = false;
        else if (value !== undefined) args[f.name] = value;
      }
      if (!ok) result.replaceChildren(el("p", "Fix the fields marked above.", { class: "error" }));
      return ok ? args : undefined;
    };

    const run = async (args: Record<string, unknown>, confirm?: string) => {
      result.replaceChildren(el("p", "Running…", { class: "muted" }));
      const answer = await call("POST", `${toolPath(detail.server, detail.tool)}/invoke`, {
        arguments: args,
        ...(confirm ? { confirm } : {}),
      });
      if (answer.ok) return showResult(result, answer.body.result);
      const parts = [
        el("p", answer.body.error, { class: "error", "data-refusal": answer.body.code ?? "" }),
      ];
      const asked = answer.body.confirm;
      if (asked?.token) parts.push(confirmBox(asked, () => run(args, asked.token)));
      result.replaceChildren(...parts);
    };

    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const args = collect();
      if (args) void run(args);
    });
    return form;
  }

  /** The gateway's question, and a box the operator must tick before the call is sent again. */
  function confirmBox(asked: { message: string }, again: () => Promise<void>): HTMLElement {
    const box = el("div", undefined, { id: "act-confirm" });
    const tick = el("input", undefined, {
      type: "checkbox",
      id: "act-confirm-tick",
    }) as HTMLInputElement;
    const label = el("label", ` I confirm: ${asked.message}`, { for: "act-confirm-tick" });
    label.prepend(tick);
    const send = button("Run confirmed", { id: "act-run-confirmed" }, again) as HTMLButtonElement;
    send.disabled = true;
    tick.addEventListener("change", () => (send.disabled = !tick.checked));
    box.append(el("p", "The gateway asks before sending this call."), label, el("p"), send);
    return box;
  }

  function showResult(
    into: HTMLElement,
    result: {
      content?: { type: string; text?: string; mimeType?: string; data?: string }[];
      structuredContent?: unknown;
      isError?: boolean;
    },
  ): void {
    const parts: HTMLElement[] = [];
    const head = el("p");
    head.append(
      result.isError ? badge("error") : badge("ok"),
      result.isError ? " isError: true" : " result",
    );
    parts.push(head);
    for (const block of result.content ?? []) {
      if (block.type === "text") parts.push(el("pre", block.text ?? "", { class: "act-text" }));
      else if (block.type === "image" || block.type === "audio") {
        parts.push(
          el(
            "p",
            `[${block.type} ${block.mimeType ?? ""}, ${(block.data ?? "").length} base64 characters]`,
            { class: "muted" },
          ),
        );
      } else parts.push(el("pre", pretty(block)));
    }
    if (result.structuredContent !== undefined) {
      parts.push(
        el("h4", "structuredContent"),
        el("pre", pretty(result.structuredContent), { class: "act-structured" }),
      );
    }
    into.replaceChildren(...parts);
  }

  // ---- the panel ----

  function build(): void {
    const section = el("section", undefined, { id: "operate" });
    const table = el("table", undefined, { id: "act-backends" });
    table.append(el("thead"), el("tbody"));
    const head = el("tr");
    head.append(el("th", "Backend"), el("th", "State"), el("th", "Actions"));
    table.firstElementChild!.append(head);
    const picker = el("input", undefined, {
      id: "act-tool-name",
      list: "act-tool-names",
      placeholder: "server:tool",
      autocomplete: "off",
    }) as HTMLInputElement;
    const open = () => {
      const key = picker.value.trim();
      const colon = key.indexOf(":");
      if (colon < 1) return say("Name a tool as server:tool.", true);
      return openTool(key.slice(0, colon), key.slice(colon + 1));
    };
    picker.addEventListener("keydown", (event) => {
      if (event.key === "Enter") void open();
    });
    const pick = el("p");
    pick.append(picker, " ", button("Open", { id: "act-open" }, open));
    section.append(
      el("h2", "Operate"),
      el("p", undefined, { id: "act-notice", role: "status", hidden: "" }),
      table,
      el("div", undefined, { id: "act-stderr" }),
      el("h3", "Tools needing attention"),
      el("ul", undefined, { id: "act-attention" }),
      el("h3", "Tool detail and try it"),
      pick,
      el("datalist", undefined, { id: "act-tool-names" }),
      el("div", undefined, { id: "act-tool" }),
      el("dialog", undefined, { id: "act-dialog" }),
    );
    const backends = document.getElementById("backends");
    if (backends) backends.after(section);
    else (document.getElementById("app") ?? document.body).append(section);
    // A plain page lists it in its navigation; the tabbed one shows it under Backends.
    const nav = document.querySelector("#app nav");
    if (nav && nav.getAttribute("role") !== "tablist") {
      nav.append(" ", el("a", "Operate", { href: "#operate" }));
    }
  }

  async function loadToolNames(): Promise<void> {
    const answer = await call("GET", "/api/tools");
    if (!answer.ok) return;
    const options = (answer.body.tools as { server: string; tool: string }[]).map((t) =>
      el("option", undefined, { value: `${t.server}:${t.tool}` }),
    );
    byId("act-tool-names").replaceChildren(...options);
  }

  /**
   * A tool opened in the dashboard's Tools list (an element with `data-tool="server:tool"` that
   * shows a `.tool-detail`) gets a "Try it" button that opens it here.
   */
  function linkToolList(): void {
    const offer = () => {
      for (const detail of document.querySelectorAll("[data-tool] .tool-detail")) {
        if (detail.querySelector("[data-act-open]")) continue;
        const key = detail.closest("[data-tool]")!.getAttribute("data-tool") ?? "";
        const colon = key.indexOf(":");
        if (colon < 1) continue;
        detail.append(
          button("Try it / act", { "data-act-open": key }, () =>
            openTool(key.slice(0, colon), key.slice(colon + 1)),
          ),
        );
      }
    };
    new MutationObserver(offer).observe(document.getElementById("app") ?? document.body, {
      childList: true,
      subtree: true,
    });
    offer();
  }

  async function start(): Promise<void> {
    const status = await call("GET", "/api/status");
    // Not logged in, or not an admin: the panel is not for this caller.
    if (!status.ok || !status.body.caller?.admin) return;
    build();
    linkToolList();
    let tools = await loadBackends();
    await loadToolNames();
    setInterval(async () => {
      try {
        const now = await loadBackends();
        if (now !== undefined && now !== tools) {
          tools = now;
          await loadToolNames();
        }
      } catch {}
    }, POLL_MS);
  }

  void start();
}

/** The script `/ui/actions.js` serves: the function above, called once. */
export const ACTIONS_JS = `"use strict";\n(${operate.toString()})();\n`;
