import { describe, expect, test } from "bun:test";
import { expandQuery, type Vocabulary } from "../../src/search/expand.ts";
import { lift, nameFeatures, querySignals } from "../../src/search/signals.ts";
import { toTerm } from "../../src/search/tokenize.ts";
import { bareTool, first, indexOf } from "./fixtures.ts";

// Servers without hints: what these rules are for is ranking tools nobody wrote requests for.
const tool = bareTool;

describe("what is asked for by its content searches", () => {
  const index = indexOf({
    sheets: [
      tool("list_records", "List the records of a table."),
      tool("search_records", "Search the records of a table for text."),
      tool("get_record", "Get one record of a table by its id."),
    ],
  });

  test.each([
    "which records in the Leads table mention Berlin?",
    "records about the Berlin office",
    "records containing Berlin",
  ])("%s", (query) => {
    expect(first(index, query)).toBe("sheets:search_records");
  });

  test("without such a word, listing is still listing", () => {
    expect(first(index, "list the records in the Leads table")).toBe("sheets:list_records");
  });
});

describe("a name word of the query word's inflection", () => {
  const words = "field property deal list get pipeline run merge request mergerequest".split(" ");
  const terms = new Set(words.map(toTerm));
  const vocabulary: Vocabulary = { has: (term) => terms.has(term), terms: () => [...terms].sort() };
  const liftFor = (name: string, query: string) =>
    lift(nameFeatures("crm", tool(name, "")), querySignals(expandQuery(query, vocabulary), query));

  test('"fields" (plural, a synonym) counts "properties" fully and "property" as a stem', () => {
    const query = "what fields do deals have?";
    expect(liftFor("list_properties", query)).toBeGreaterThan(liftFor("get_property", query));
    // The singular reaches both through a synonym; "properties" is in the other number too.
    const one = "what is the deal field called amount?";
    expect(liftFor("get_property", one)).toBeGreaterThan(liftFor("list_properties", one));
  });

  test("two query words a tool writes as one keep their own words too", () => {
    const query = "which pipelines ran for merge request 204?";
    const { words } = querySignals(expandQuery(query, vocabulary), query);
    expect(words.has("merge")).toBe(true);
    expect(words.has("request")).toBe(true);
  });
});

describe("a tool's verb of the kind the request asks for", () => {
  const index = indexOf({
    forum: [
      tool("create_thread", "Create a thread in a forum channel."),
      tool("delete_thread", "Delete a thread from a forum channel."),
      tool("get_thread", "Get a thread of a forum channel."),
    ],
    jobs: [tool("start_job", "Start a job."), tool("cancel_job", "Cancel a job.")],
  });
  const scores = (query: string) =>
    Object.fromEntries(index.search(query, { server: "forum" }).map((h) => [h.tool.name, h.score]));

  test('"start" a thread creates one; "cancel" one deletes it', () => {
    const started = scores("start a forum thread");
    expect(started.create_thread).toBeGreaterThan(started.delete_thread!);
    expect(started.create_thread).toBeGreaterThan(started.get_thread!);
    const cancelled = scores("cancel my forum thread");
    expect(cancelled.delete_thread).toBeGreaterThan(cancelled.create_thread!);
  });

  test('"write" something new creates it', () => {
    const docs = indexOf({
      docs: [
        tool("create_document", "Create a document."),
        tool("update_document", "Update a document."),
      ],
    });
    const [top, next] = docs.search('write a doc titled "On-call runbook"');
    expect(top?.tool.name).toBe("create_document");
    expect(top!.score).toBeGreaterThan(next!.score);
  });
});

describe("phrasal verbs", () => {
  const index = indexOf({
    tracker: [
      tool("create_issue", "Create an issue in a team."),
      tool("update_issue", "Update an issue's title, state or team."),
      tool("transfer_issue", "Transfer an issue to another team."),
      tool("subscribe_to_issue", "Subscribe to an issue's changes."),
      tool("search_issues", "Search issues by text."),
    ],
  });

  test.each([
    ["hand this issue over to the platform team", "tracker:transfer_issue"],
    ["keep me posted on every change to issue 300", "tracker:subscribe_to_issue"],
    ["let me know whenever issue 300 changes", "tracker:subscribe_to_issue"],
  ])("%s", (query, expected) => {
    expect(first(index, query)).toBe(expected);
  });

  test('"look up" still searches, the phrase standing for its words', () => {
    expect(first(index, "look up the issue about the login page")).toBe("tracker:search_issues");
  });
});

describe("a capitalised word inside a request is a name", () => {
  const index = indexOf({
    git: [tool("git_status", "Show the working tree status.")],
    sheets: [
      tool("update_field", "Update a field of a table: rename it or change its type."),
      tool("list_records", "List the records of a table."),
    ],
  });
  const score = (query: string, name: string) =>
    index.search(query).find((hit) => hit.tool.name === name)?.score ?? 0;

  test("it weighs less than the words that say what to do", () => {
    const named = score("rename the Status column to Stage", "git_status");
    expect(named).toBeGreaterThan(0);
    expect(named).toBeLessThan(score("rename the status column to stage", "git_status"));
    expect(first(index, "rename the Status column to Stage")).toBe("sheets:update_field");
  });

  test("a server's name keeps its weight, capitalised or not", () => {
    expect(score("what is the status in Git", "git_status")).toBe(
      score("what is the status in git", "git_status"),
    );
  });
});
