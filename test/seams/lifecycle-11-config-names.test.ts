/**
 * `init` writes commented examples; `setup` and `add` write real entries under `backends:`.
 * Uncommenting an example whose name another entry already has is a YAML duplicate key: the
 * error names the key and both lines and says what to do, and the examples' names do not
 * collide with what `add` names servers. `lock` says "1 backend", not "1 backends".
 */
import { expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { ConfigEditor } from "../../src/config/edit.ts";
import { loadConfig } from "../../src/config/load.ts";
import { starterConfig } from "../../src/setup/starter.ts";
import { runCli } from "../cli/_run.ts";
import { BUN, FIXTURE_SERVER, tempDir } from "../helpers.ts";

const DUPLICATE = `backends:
  files:
    command: npx
    args: ["-y", "@modelcontextprotocol/server-filesystem", "/home"]
  # an example, uncommented:
  files:
    command: npx
    args: ["-y", "@modelcontextprotocol/server-filesystem", "/path/to/share"]
`;

test("a duplicated backend name is named with both lines and what to do", () => {
  const file = join(tempDir(), "gateway.yaml");
  writeFileSync(file, DUPLICATE);
  let error = "";
  try {
    loadConfig({ path: file, env: {} });
  } catch (caught) {
    error = (caught as Error).message;
  }
  expect(error).toContain('"files"');
  expect(error).toContain("line 6");
  expect(error).toContain("line 2");
  expect(error).toMatch(/rename|delete/);
});

test("the editor (add, remove) says the same", () => {
  const file = join(tempDir(), "gateway.yaml");
  writeFileSync(file, DUPLICATE);
  let message = "";
  try {
    ConfigEditor.open(file).backends();
  } catch (error) {
    message = (error as Error).message;
  }
  expect(message).toContain('"files"');
  expect(message).toContain("line 6");
});

test("init's commented examples do not carry names add and setup give servers", () => {
  const text = starterConfig({ withExamples: false });
  const names = [...text.matchAll(/^ {2}# ([a-z][\w-]*):$/gm)].map((match) => match[1]);
  expect(names.length).toBeGreaterThan(0);
  for (const name of names) expect(["files", "remote", "filesystem", "memory"]).not.toContain(name);
});

test("lock counts in the singular when there is one", () => {
  const dir = tempDir();
  const file = join(dir, "gateway.yaml");
  writeFileSync(
    file,
    `capabilities: { enabled: false }\nbackends:\n  fixture:\n    command: ${BUN}\n    args: ["${FIXTURE_SERVER}"]\n`,
  );
  const run = runCli(["lock", "--config", file], {
    env: { ...process.env, XDG_STATE_HOME: tempDir() },
  });
  expect(run.stderr).toMatch(/tools of 1 backend, 0 capability files/);
});
