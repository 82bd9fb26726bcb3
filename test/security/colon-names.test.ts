/**
 * A backend tool whose own name holds `:` (no conforming name does: the spec's characters are
 * letters, digits, `_`, `-` and `.`). A glob's `*` stops at `:`, so `denied_tools: ["*delete*"]`
 * and `security.tool_policy.deny` globs passed `delete:all`, and `require_confirmation` never
 * asked for it: restrictions that matched nothing. They cover such names now; allows stay as
 * narrow as before.
 */
import { describe, expect, test } from "bun:test";
import { ToolPolicySchema } from "../../src/security/schema.ts";
import { compilePattern, createScopedCaller, restricts } from "../../src/security/scopes.ts";
import { createToolPolicy } from "../../src/security/tool-policy.ts";

describe("a tool name with a colon", () => {
  test("is denied by a key's denied_tools glob", () => {
    const caller = createScopedCaller({
      id: "k",
      admin: false,
      label: 'key "k"',
      grants: [{ backends: [], allowed_tools: [], denied_tools: ["*delete*"] }],
    });
    expect(caller.allows("gh", "delete:all")).toBe(false);
    expect(caller.allows("gh", "repo:delete_branch")).toBe(false);
    expect(caller.allows("gh", "list:repos")).toBe(true);
  });

  test("is denied by a tool_policy.deny glob", () => {
    const policy = createToolPolicy(ToolPolicySchema.parse({ deny: ["gh:*drop*"] }))!;
    expect(policy("gh", "db:drop_table")).toBe('security.tool_policy deny "gh:*drop*"');
    expect(policy("gh", "db:read_table")).toBeUndefined();
  });

  test("is covered by a restriction's glob, not by an allow's", () => {
    const pattern = compilePattern("*delete*");
    expect(restricts(pattern, "gh", "delete:all")).toBe(true);
    const allow = createScopedCaller({
      id: "k",
      admin: false,
      label: 'key "k"',
      grants: [{ backends: [], allowed_tools: ["*read*"], denied_tools: [] }],
    });
    expect(allow.allows("gh", "read_file")).toBe(true);
    expect(allow.allows("gh", "read:secrets")).toBe(false);
  });
});
