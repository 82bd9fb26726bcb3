/**
 * A server's product word when only some of its tools say it (issue #21, session 12): a large
 * server names its product in a few descriptions ("... in a Codeup repository" on 13 of 203
 * tools), too few for the share `PRODUCT.share` asks of a word, but written capitalised inside a
 * sentence, as names are. Such a word, held by that server's tools alone, names the server.
 */
import { describe, expect, test } from "bun:test";
import { ToolIndex } from "../../src/search/index.ts";
import { tokenize, toTerm } from "../../src/search/tokenize.ts";
import { properTerms } from "../../src/search/words.ts";
import { tool } from "./fixtures.ts";

const top = (index: ToolIndex, query: string, scope?: string) =>
  index
    .search(query, scope ? { scope, allow: () => true } : {})
    .map((hit) => `${hit.server}:${hit.tool.name}`);

function catalog(): ToolIndex {
  const index = new ToolIndex();
  index.upsert("devops", [
    tool("create_file", "Create a file in a Codeup repository"),
    tool("list_files", "List the files of a Codeup repository"),
    tool("get_repository", "Get the details of a Codeup repository"),
    tool("compare", "Compare two refs and show the commits and diffs between them"),
    tool("create_sprint", "Create a sprint in a project"),
    tool("list_sprints", "List the sprints of a project"),
    tool("create_work_item", "Create a work item in a project"),
    tool("update_work_item", "Update a work item"),
    tool("list_pipelines", "List the pipelines of an organization"),
    tool("run_pipeline", "Run a pipeline"),
    tool("list_members", "List the members of an organization"),
    tool("get_user", "Get the current user"),
  ]);
  index.upsert("gitlab", [
    tool("get_compare", "Compare branches, tags or commits of a project's repository"),
    tool("get_file", "Get a file from a repository"),
    tool("list_issues", "List issues"),
  ]);
  index.upsert("slack", [
    tool("post_message", "Post a message to a channel", { channel: { type: "string" } }),
    tool("list_channels", "List the channels of the workspace"),
  ]);
  index.upsert("grafana", [
    tool("list_oncall_teams", "List the teams of Grafana OnCall"),
    tool("list_oncall_schedules", "List the schedules of Grafana OnCall"),
    tool("post_incident_note", "Post a note on an incident of Grafana OnCall"),
    tool("search_dashboards", "Search dashboards"),
    tool("list_datasources", "List data sources"),
    tool("query_prometheus", "Query Prometheus"),
    tool("list_alert_rules", "List alert rules"),
  ]);
  return index;
}

describe("a word a few of a large server's tools write capitalised names the server", () => {
  test("the capitalised words of a sentence are found, not its first word", () => {
    expect([
      ...properTerms(tool("x", "Create a file in a Codeup repository. Returns its id")),
    ]).toEqual(["codeup"]);
  });

  test("'codeup' (3 of 12 tools say it, all capitalised) stands for devops", () => {
    const index = catalog();
    expect(index.productOf("codeup")).toEqual(tokenize("devops"));
    // Said by one tool of each of two servers: no server's.
    expect(index.productOf(toTerm("repository"))).toBeUndefined();
  });

  test("a request that names it ranks that server's tool first, unscoped and in a scope's view", () => {
    const index = catalog();
    const query = "compare two tags in our codeup repo";
    expect(top(index, query)[0]).toBe("devops:compare");
    expect(top(index, query, "some-key")[0]).toBe("devops:compare");
    expect(top(index, "compare two tags of the repo")[0]).toBe("gitlab:get_compare");
  });

  test("a handle ('#oncall') names a channel, not the product", () => {
    const index = catalog();
    expect(index.productOf("oncall")).toEqual(tokenize("grafana"));
    expect(top(index, "post in the #oncall channel that I am taking over")[0]).toBe(
      "slack:post_message",
    );
  });
});
