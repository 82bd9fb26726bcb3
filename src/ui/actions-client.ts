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
  /** How long a call may wait for its answer, and the setting that says so. */
  timeout?: { ms: number; setting: string };
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
  /** `90 s`, `5 min`: a timeout as its setting reads, or time spent waiting. */
  const span = (ms: number) =>
    ms >= 60_000 && ms % 60_000 === 0 ? `${ms / 60_000} min` : `${Math.round(ms / 1000)} s`;

  /** Throws when no answer arrives (the network, the gateway gone, `signal` aborted). */
  async function call(
    method: string,
    path: string,
    body?: unknown,
    signal?: AbortSignal,
  ): Promise<Answer> {
    const response = await fetch(path, {
      method,
      signal,
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

  /**
   * A tool's route, `action` included, with its names in the query: a tool named `.` or `..`
   * in the path would be a dot segment the browser removes before sending.
   */
  /** What the tool picker knows to suggest: every tool and backend there is. */
  let toolNames: { server: string; tool: string }[] = [];
  let backendNames: string[] = [];

  const toolPath = (server: string, tool: string, action = "") =>
    `/api/tool${action && `/${action}`}?${new URLSearchParams({ server, tool })}`;

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
    backendNames = rows.map((row) => row.name);
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

  async function openTool(
    server: string,
    tool: string,
    refused = (error: string) => say(error, true),
  ): Promise<void> {
    const answer = await call("GET", toolPath(server, tool));
    if (!answer.ok) return refused(answer.body.error);
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
        const answer = await call("POST", toolPath(detail.server, detail.tool, "approve"), {
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
      const answer = await call("POST", toolPath(detail.server, detail.tool, "trust"), {
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
    if (detail.timeout) {
      form.append(
        el(
          "p",
          `The gateway gives up after ${span(detail.timeout.ms)} (${detail.timeout.setting}) without an answer; progress from the tool restarts the wait.`,
          { class: "muted" },
        ),
      );
    }
    const result = el("div", undefined, { id: "act-result" });
    const runButton = el("button", "Run", { type: "submit", id: "act-run" }) as HTMLButtonElement;
    form.append(runButton, result);

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

    /**
     * Sends the call and shows how long it has run, with Cancel: closing the request makes the
     * gateway cancel the call at the backend. No answer at all (the network, a restart) is said.
     */
    let running: AbortController | undefined;
    const run = async (args: Record<string, unknown>, confirm?: string) => {
      if (running) return;
      const controller = new AbortController();
      running = controller;
      runButton.disabled = true;
      const started = Date.now();
      const waited = () => span(Date.now() - started);
      const clock = el("span", "Running… 0 s", { "data-running": "" });
      const status = el("p", undefined, { class: "muted" });
      status.append(
        clock,
        " ",
        button("Cancel", { id: "act-cancel" }, () => controller.abort()),
      );
      result.replaceChildren(status);
      const tick = setInterval(() => (clock.textContent = `Running… ${waited()}`), 1000);
      let answer: Answer;
      try {
        answer = await call(
          "POST",
          toolPath(detail.server, detail.tool, "invoke"),
          { arguments: args, ...(confirm ? { confirm } : {}) },
          controller.signal,
        );
      } catch (error) {
        result.replaceChildren(
          controller.signal.aborted
            ? el(
                "p",
                `Cancelled after ${waited()}: the gateway cancelled the call at the backend (a call with side effects may have done part of its work).`,
                { class: "muted", "data-cancelled": "" },
              )
            : el(
                "p",
                `The gateway did not answer (${(error as Error).message}) after ${waited()}: it may have restarted or the connection dropped. The call may still have run: see Activity.`,
                { class: "error" },
              ),
        );
        return;
      } finally {
        clearInterval(tick);
        running = undefined;
        runButton.disabled = false;
      }
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

  /** Media the page draws from a tool's result; anything else (SVG: it can hold script) is text. */
  const MEDIA_TYPES: Record<"image" | "audio", string[]> = {
    image: ["image/png", "image/jpeg", "image/gif", "image/webp", "image/avif", "image/bmp"],
    audio: [
      "audio/wav",
      "audio/x-wav",
      "audio/wave",
      "audio/mpeg",
      "audio/ogg",
      "audio/webm",
      "audio/flac",
      "audio/aac",
      "audio/mp4",
    ],
  };

  /**
   * An image or a player for base64 `data` of `mimeType`, from a `data:` URL built here, when the
   * type is on the list above and the data is base64; otherwise a line saying what was not shown.
   */
  function media(kind: "image" | "audio", mimeType: unknown, data: unknown): HTMLElement[] {
    const type = typeof mimeType === "string" ? mimeType.trim().toLowerCase() : "";
    const base64 = typeof data === "string" ? data.replace(/\s+/g, "") : "";
    const valid = /^[A-Za-z0-9+/]*={0,2}$/.test(base64) && base64.length % 4 === 0;
    const bytes = Math.floor((base64.length * 3) / 4) - (base64.match(/=+$/)?.[0].length ?? 0);
    const named = typeof mimeType === "string" && mimeType ? mimeType : "no type";
    if (!valid || !base64 || !MEDIA_TYPES[kind].includes(type)) {
      const why = !MEDIA_TYPES[kind].includes(type)
        ? `the dashboard draws ${MEDIA_TYPES[kind].join(", ")}`
        : "its data is not base64";
      return [
        el("p", `[${kind} of ${named}, ${base64.length} base64 characters: not shown; ${why}]`, {
          class: "muted",
        }),
      ];
    }
    const source = `data:${type};base64,${base64}`;
    const player =
      kind === "image"
        ? el("img", undefined, { src: source, alt: `${kind} (${type})` })
        : el("audio", undefined, { src: source, controls: "", preload: "metadata" });
    return [player, el("p", `${type}, ${bytes.toLocaleString()} bytes`, { class: "muted" })];
  }

  /** One content block of a tool's result, as what it is; the backend's strings stay text. */
  function contentBlock(block: Record<string, unknown>): HTMLElement {
    const type = typeof block.type === "string" ? block.type : "unknown";
    const box = el("div", undefined, { class: "act-block", "data-block": type });
    const str = (value: unknown) => (typeof value === "string" ? value : "");
    if (type === "text") {
      box.append(el("pre", str(block.text), { class: "act-text" }));
    } else if (type === "image" || type === "audio") {
      box.append(...media(type, block.mimeType, block.data));
    } else if (type === "resource_link") {
      const head = el("p", "Resource link: ");
      head.append(
        el("strong", str(block.title) || str(block.name) || "(no name)"),
        " ",
        el("code", str(block.uri)),
      );
      if (block.mimeType) head.append(` (${str(block.mimeType)})`);
      box.append(head);
      if (block.description) box.append(el("p", str(block.description), { class: "muted" }));
    } else if (type === "resource" && block.resource && typeof block.resource === "object") {
      const resource = block.resource as Record<string, unknown>;
      const head = el("p", "Embedded resource ");
      head.append(el("code", str(resource.uri)));
      if (resource.mimeType) head.append(` (${str(resource.mimeType)})`);
      box.append(head);
      if (typeof resource.text === "string") box.append(el("pre", resource.text));
      else if (typeof resource.blob === "string") {
        const type = str(resource.mimeType).toLowerCase();
        const kind = type.startsWith("audio/") ? "audio" : type.startsWith("image/") ? "image" : "";
        if (kind) box.append(...media(kind, resource.mimeType, resource.blob));
        else {
          const size = Math.floor((resource.blob.replace(/\s+/g, "").length * 3) / 4);
          box.append(
            el(
              "p",
              `[${type || "untyped"} data, about ${size.toLocaleString()} bytes: not shown]`,
              {
                class: "muted",
              },
            ),
          );
        }
      }
    } else {
      box.append(el("pre", pretty(block)));
    }
    return box;
  }

  function showResult(
    into: HTMLElement,
    result: {
      content?: Record<string, unknown>[];
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
      parts.push(contentBlock(block && typeof block === "object" ? block : { type: "unknown" }));
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
      "aria-label": "Tool to open, as server:tool",
      "aria-describedby": "act-pick-problem",
    }) as HTMLInputElement;
    const problemBox = el("div", undefined, { id: "act-pick-problem", role: "alert", hidden: "" });
    /** Says beside the box what is wrong with the name, and offers names to open instead. */
    const problem = (text?: string, offers: string[] = []) => {
      if (text === undefined) {
        picker.removeAttribute("aria-invalid");
        problemBox.hidden = true;
        problemBox.replaceChildren();
        return;
      }
      picker.setAttribute("aria-invalid", "true");
      const parts: (HTMLElement | string)[] = [el("span", text, { class: "error" })];
      if (offers.length) parts.push(offers.length === 1 ? " Did you mean " : " Open one: ");
      for (const key of offers) {
        parts.push(
          button(key, { class: "tool-name" }, () => {
            picker.value = key;
            return open();
          }),
          " ",
        );
      }
      problemBox.replaceChildren(...parts);
      problemBox.hidden = false;
    };
    const open = async () => {
      const key = picker.value.trim();
      if (!key) return problem("Type a tool as server:tool; the box offers names as you type.");
      const colon = key.indexOf(":");
      let server = key.slice(0, Math.max(colon, 0));
      let tool = key.slice(colon + 1);
      if (!backendNames.includes(server)) {
        // A bare tool name (it may hold ':' itself): the backends that have it.
        const owners = toolNames.filter((t) => t.tool === key).map((t) => t.server);
        if (owners.length > 1) {
          return problem(
            `${key} is on ${owners.slice(0, -1).join(", ")} and ${owners.at(-1)}: open one.`,
            owners.map((owner) => `${owner}:${key}`),
          );
        }
        if (owners.length === 1) [server, tool] = [owners[0]!, key];
        else if (server) {
          return problem(
            `There is no backend named ${server}; the backends are ${backendNames.join(", ")}.`,
            nearest(key),
          );
        } else return problem(`No tool is named ${key}.`, nearest(key));
      }
      const known = toolNames.filter((t) => t.server === server);
      if (known.length && !known.some((t) => t.tool === tool)) {
        return problem(`${server} has no tool named ${tool}.`, nearest(`${server}:${tool}`));
      }
      problem();
      await openTool(server, tool, (error) => problem(error));
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
      problemBox,
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

  /** Up to five tools whose `server:tool` is nearest `key` (edits apart, or holding it). */
  function nearest(key: string): string[] {
    const wanted = key.toLowerCase();
    const tail = wanted.slice(wanted.indexOf(":") + 1);
    const scored = toolNames.map((t) => {
      const name = `${t.server}:${t.tool}`;
      const lower = name.toLowerCase();
      const apart = Math.min(edits(wanted, lower), edits(tail, t.tool.toLowerCase()));
      return { name, apart: lower.includes(tail) ? Math.min(apart, 1) : apart };
    });
    const within = Math.max(2, Math.floor(tail.length / 3));
    return scored
      .filter((s) => s.apart <= within)
      .sort((a, b) => a.apart - b.apart || a.name.localeCompare(b.name))
      .slice(0, 5)
      .map((s) => s.name);
  }

  /** Levenshtein distance: how many one-character edits turn `a` into `b`. */
  function edits(a: string, b: string): number {
    let row = Array.from({ length: b.length + 1 }, (_, i) => i);
    for (let i = 1; i <= a.length; i++) {
      const next = [i];
      for (let j = 1; j <= b.length; j++) {
        next[j] = Math.min(
          row[j]! + 1,
          next[j - 1]! + 1,
          row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
        );
      }
      row = next;
    }
    return row[b.length]!;
  }

  async function loadToolNames(): Promise<void> {
    const answer = await call("GET", "/api/tools");
    if (!answer.ok) return;
    toolNames = answer.body.tools as { server: string; tool: string }[];
    const options = toolNames.map((t) =>
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
      // A poisoning finding in the Security tab: Review opens its tool (why, findings, Release).
      for (const finding of document.querySelectorAll("#security-body tr[data-tool]")) {
        if (finding.querySelector("[data-act-open]")) continue;
        const key = finding.getAttribute("data-tool") ?? "";
        const colon = key.indexOf(":");
        if (colon < 1) continue;
        const cell = el("td");
        cell.append(
          button("Review", { "data-act-open": key }, () =>
            openTool(key.slice(0, colon), key.slice(colon + 1)),
          ),
        );
        finding.append(cell);
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
