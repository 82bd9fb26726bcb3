/**
 * Multi-step tasks over local servers (server-filesystem on a generated folder, server-memory with
 * a generated graph, server-everything), each with a reference solution written once as a script
 * body. The bench runs it two ways: step by step (every call a gateway_invoke round trip whose
 * result the model reads) and as one gateway_execute.
 */

export interface Task {
  name: string;
  /** The tools a model must find first: [server, tool, search query]. */
  find: [string, string, string][];
  /** The reference solution: an async function body over `tools` (and `DIR`, the data folder). */
  script: string;
}

/** Helpers every script starts with (counted: the model writes them too). */
export const PREAMBLE = `const text = (r) => (typeof r === "string" ? r : r.content ?? JSON.stringify(r));
const ls = async (dir) => text(await tools.files.list_directory({ path: dir })).split("\\n")
  .filter((l) => l.startsWith("[FILE]")).map((l) => dir + "/" + l.slice(7));
const size = async (path) => Number(/size: (\\d+)/.exec(text(await tools.files.get_file_info({ path })))[1]);
const read = async (path) => text(await tools.files.read_text_file({ path }));
`;

const LIST: [string, string, string] = ["files", "list_directory", "list files in a directory"];
const INFO: [string, string, string] = ["files", "get_file_info", "file size and metadata"];
const READ: [string, string, string] = ["files", "read_text_file", "read a text file"];
const SUM: [string, string, string] = ["everything", "get-sum", "add two numbers"];
const SEARCH_NODES: [string, string, string] = ["memory", "search_nodes", "search knowledge graph"];
const OPEN_NODES: [string, string, string] = ["memory", "open_nodes", "open graph nodes by name"];
const READ_GRAPH: [string, string, string] = ["memory", "read_graph", "read the knowledge graph"];

const largest = (dir: string, n: number): Task => ({
  name: `the ${n} largest files in ${dir}/ and their first lines`,
  find: [LIST, INFO, READ],
  script: `const files = await ls(DIR + "/${dir}");
const sized = [];
for (const f of files) sized.push({ f, size: await size(f) });
sized.sort((a, b) => b.size - a.size);
const out = [];
for (const { f, size } of sized.slice(0, ${n})) {
  out.push({ file: f.split("/").pop(), size, first: text(await tools.files.read_text_file({ path: f, head: 1 })) });
}
return out;`,
});

const countLines = (dir: string, word: string): Task => ({
  name: `lines containing ${word} across ${dir}/, per file`,
  find: [LIST, READ],
  script: `const counts = {};
for (const f of await ls(DIR + "/${dir}")) {
  const n = (await read(f)).split("\\n").filter((l) => l.includes(${JSON.stringify(word)})).length;
  if (n) counts[f.split("/").pop()] = n;
}
return counts;`,
});

const mentions = (dir: string, word: string): Task => ({
  name: `files in ${dir}/ that mention "${word}"`,
  find: [LIST, READ],
  script: `const hits = [];
for (const f of await ls(DIR + "/${dir}")) if ((await read(f)).includes(${JSON.stringify(word)})) hits.push(f.split("/").pop());
return hits;`,
});

const totalLines = (dir: string): Task => ({
  name: `total lines and the longest file in ${dir}/`,
  find: [LIST, READ],
  script: `let total = 0, longest = null;
for (const f of await ls(DIR + "/${dir}")) {
  const n = (await read(f)).split("\\n").length;
  total += n;
  if (!longest || n > longest.n) longest = { file: f.split("/").pop(), n };
}
return { total, longest };`,
});

const orders = (what: string, reduce: string): Task => ({
  name: `orders: ${what}`,
  find: [LIST, READ],
  script: `const rows = [];
for (const f of await ls(DIR + "/orders")) rows.push(...JSON.parse(await read(f)));
${reduce}`,
});

const sumVia = (n: number): Task => ({
  name: `add ${n} numbers with get-sum, one pair at a time`,
  find: [SUM],
  script: `let total = 0;
for (let i = 1; i <= ${n}; i++) {
  const r = text(await tools.everything["get-sum"]({ a: total, b: i * 7 }));
  total = Number(/is (-?[\\d.]+)/.exec(r)[1]);
}
return total;`,
});

export const TASKS: Task[] = [
  largest("logs", 3),
  largest("notes", 3),
  largest("src", 3),
  largest("logs", 5),
  countLines("notes", "TODO"),
  countLines("logs", "ERROR"),
  countLines("logs", "WARN"),
  countLines("src", "export"),
  mentions("src", "fetch("),
  mentions("notes", "deadline"),
  mentions("logs", "timeout"),
  totalLines("logs"),
  totalLines("notes"),
  totalLines("src"),
  orders("total revenue", "return rows.reduce((sum, r) => sum + r.price * r.qty, 0);"),
  orders(
    "the most expensive item",
    "return rows.reduce((a, b) => (b.price > a.price ? b : a)).item;",
  ),
  orders("orders with more than 5 units", "return rows.filter((r) => r.qty > 5).length;"),
  orders(
    "revenue per customer, top 3",
    `const per = {};
for (const r of rows) per[r.customer] = (per[r.customer] ?? 0) + r.price * r.qty;
return Object.entries(per).sort((a, b) => b[1] - a[1]).slice(0, 3);`,
  ),
  {
    name: "the smallest file in notes/ and its size",
    find: [LIST, INFO],
    script: `let best = null;
for (const f of await ls(DIR + "/notes")) { const s = await size(f); if (!best || s < best.s) best = { f: f.split("/").pop(), s }; }
return best;`,
  },
  {
    name: "bytes per folder",
    find: [LIST, INFO],
    script: `const out = {};
for (const d of ["logs", "notes", "src", "orders"]) { out[d] = 0; for (const f of await ls(DIR + "/" + d)) out[d] += await size(f); }
return out;`,
  },
  {
    name: "the first line of every note",
    find: [LIST, ["files", "read_multiple_files", "read several files at once"]],
    script: `const paths = await ls(DIR + "/notes");
const all = text(await tools.files.read_multiple_files({ paths }));
return all.split("\\n---\\n").map((block) => block.split("\\n").slice(0, 2).join(" ").trim());`,
  },
  {
    name: "open issues labelled bug in repos I starred",
    find: [SEARCH_NODES, OPEN_NODES],
    script: `const me = (await tools.memory.open_nodes({ names: ["me"] }));
const starred = me.relations.filter((r) => r.from === "me" && r.relationType === "starred").map((r) => r.to);
const out = [];
for (const repo of starred) {
  const found = await tools.memory.search_nodes({ query: repo });
  for (const e of found.entities) {
    if (e.entityType === "issue" && e.observations.includes("state: open") && e.observations.includes("label: bug")
      && e.observations.includes("repo: " + repo)) out.push(e.name);
  }
}
return out.sort();`,
  },
  {
    name: "repos I starred that have no open issue",
    find: [OPEN_NODES, SEARCH_NODES],
    script: `const me = await tools.memory.open_nodes({ names: ["me"] });
const starred = me.relations.filter((r) => r.relationType === "starred").map((r) => r.to);
const quiet = [];
for (const repo of starred) {
  const found = await tools.memory.search_nodes({ query: "repo: " + repo });
  if (!found.entities.some((e) => e.observations.includes("state: open"))) quiet.push(repo);
}
return quiet;`,
  },
  {
    name: "people who know rust and work on a starred repo",
    find: [READ_GRAPH],
    script: `const g = await tools.memory.read_graph({});
const starred = new Set(g.relations.filter((r) => r.from === "me" && r.relationType === "starred").map((r) => r.to));
return g.entities.filter((e) => e.entityType === "person" && e.observations.includes("skill: rust")
  && g.relations.some((r) => r.from === e.name && r.relationType === "works_on" && starred.has(r.to))).map((e) => e.name);`,
  },
  {
    name: "open issues per label",
    find: [READ_GRAPH],
    script: `const g = await tools.memory.read_graph({});
const per = {};
for (const e of g.entities) if (e.entityType === "issue" && e.observations.includes("state: open"))
  for (const o of e.observations) if (o.startsWith("label: ")) per[o.slice(7)] = (per[o.slice(7)] ?? 0) + 1;
return per;`,
  },
  {
    name: "the oldest open bug of each starred repo",
    find: [OPEN_NODES, SEARCH_NODES],
    script: `const me = await tools.memory.open_nodes({ names: ["me"] });
const out = {};
for (const r of me.relations.filter((r) => r.relationType === "starred")) {
  const found = await tools.memory.search_nodes({ query: "repo: " + r.to });
  const bugs = found.entities.filter((e) => e.observations.includes("label: bug") && e.observations.includes("state: open"));
  bugs.sort((a, b) => Number(a.name.split("#")[1]) - Number(b.name.split("#")[1]));
  if (bugs.length) out[r.to] = bugs[0].name;
}
return out;`,
  },
  sumVia(5),
  sumVia(12),
  {
    name: "echo five words and return the longest echo",
    find: [["everything", "echo", "echo a message"]],
    script: `const words = ["gateway", "sandbox", "quickjs", "context", "round-trip"];
const echoes = [];
for (const w of words) echoes.push(text(await tools.everything.echo({ message: w })));
return echoes.sort((a, b) => b.length - a.length)[0];`,
  },
  {
    name: "sum the quantities of one order file with get-sum",
    find: [READ, SUM],
    script: `const rows = JSON.parse(await read(DIR + "/orders/orders-1.json"));
let total = 0;
for (const r of rows) total = Number(/is (-?[\\d.]+)/.exec(text(await tools.everything["get-sum"]({ a: total, b: r.qty })))[1]);
return total;`,
  },
  {
    name: "for each starred repo, the first line of its source file",
    find: [OPEN_NODES, READ],
    script: `const me = await tools.memory.open_nodes({ names: ["me"] });
const out = {};
for (const r of me.relations.filter((r) => r.relationType === "starred")) {
  out[r.to] = text(await tools.files.read_text_file({ path: DIR + "/src/" + r.to + ".ts", head: 1 }));
}
return out;`,
  },
  {
    name: "record the ERROR count of each log in the graph, then read it back",
    find: [LIST, READ, ["memory", "create_entities", "create graph entities"], OPEN_NODES],
    script: `const entities = [];
for (const f of await ls(DIR + "/logs")) {
  const n = (await read(f)).split("\\n").filter((l) => l.includes("ERROR")).length;
  entities.push({ name: "log:" + f.split("/").pop(), entityType: "log", observations: ["errors: " + n] });
}
await tools.memory.create_entities({ entities });
const back = await tools.memory.open_nodes({ names: entities.map((e) => e.name) });
return back.entities.map((e) => e.name + " " + e.observations[0]);`,
  },
  {
    name: "write a report of the 3 largest logs and read its size",
    find: [LIST, INFO, ["files", "write_file", "write a file"]],
    script: `const sized = [];
for (const f of await ls(DIR + "/logs")) sized.push([f.split("/").pop(), await size(f)]);
sized.sort((a, b) => b[1] - a[1]);
const report = sized.slice(0, 3).map(([f, s]) => f + " " + s).join("\\n");
await tools.files.write_file({ path: DIR + "/report.txt", content: report });
return { report, size: await size(DIR + "/report.txt") };`,
  },
];
