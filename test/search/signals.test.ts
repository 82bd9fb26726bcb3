import { describe, expect, test } from "bun:test";
import { expandQuery, type Vocabulary } from "../../src/search/expand.ts";
import { ToolIndex } from "../../src/search/index.ts";
import { lift, nameFeatures, querySignals } from "../../src/search/signals.ts";

const tool = (name: string, description = "") => ({
  name,
  description,
  inputSchema: { type: "object" as const },
});
const ANY: Vocabulary = { has: () => true, terms: () => [] };
const signals = (query: string) => querySignals(expandQuery(query, ANY), query);

describe("what a tool's name says", () => {
  test.each([
    ["list_issues", "list"],
    ["volume-attach", "attach"],
    ["invoice-list", "list"],
    ["db-cluster-create", "creat"],
    ["browser_snapshot", undefined],
  ])("%s acts by %p", (name, verb) => {
    expect(nameFeatures("cloud", tool(name)).verb).toBe(verb);
  });

  test("the description's first word is its action", () => {
    expect(nameFeatures("git", tool("git_add", "Stage files for commit.")).action).toBe("stag");
    expect(nameFeatures("git", tool("git_log", "The commit log.")).action).toBeUndefined();
  });
});

describe("what a request asks for", () => {
  test.each([
    ["who still has to approve MR 88?", true],
    ["which pipelines ran for this merge request", true],
    ["how many tasks are open", true],
    ["is my crawl finished", true],
    ["approve MR 88", false],
    ["how do I create a webhook", false],
    ["can you create a webhook", false],
    ["is there a way to create a webhook", false],
    ["is it possible to delete a branch", false],
    ["are there tools that send email", false],
    ["which tool can create a webhook", false],
    ["what should I use to send email", false],
    ["which issues did I create", true],
  ])("%p is a question: %p", (query, question) => {
    expect(signals(query).question).toBe(question);
    if (question) expect(signals(query).writeVerbs).toEqual([]);
  });

  test("a question is answered by a tool that reads, not one that acts", () => {
    const index = new ToolIndex();
    index.upsert("repo", [
      tool("approve_merge_request", "Approve a merge request."),
      tool(
        "get_merge_request_approval_state",
        "Get the approval state of a merge request: its rules and who has approved it.",
      ),
    ]);
    const top = (query: string) => index.search(query)[0]?.tool.name;
    expect(top("who still has to approve merge request 88?")).toBe(
      "get_merge_request_approval_state",
    );
    expect(top("approve merge request 88")).toBe("approve_merge_request");
  });
});

describe("a name word in the query's other number", () => {
  // `create_item` and `create_items` side by side, their texts alike (as on a boards server).
  const one = nameFeatures("boards", tool("create_item"));
  const many = nameFeatures("boards", tool("create_items"));

  test("counts less than a word of the same number: the request's number picks one", () => {
    const single = signals("add an item to the board");
    const plural = signals("add three items to the board");
    expect(lift(one, single) / lift(many, single)).toBeGreaterThan(1.06);
    expect(lift(many, plural) / lift(one, plural)).toBeGreaterThan(1.06);
  });
});
