import { describe, expect, test } from "bun:test";
import { expandQuery, type Vocabulary } from "../../src/search/expand.ts";
import { lift, nameFeatures, placeWords, querySignals } from "../../src/search/signals.ts";
import { toTerm } from "../../src/search/tokenize.ts";
import { bareTool, first, indexOf } from "./fixtures.ts";

// Servers without hints: these rules read the request itself, whatever the tools are called.
const tool = bareTool;

describe("what an action acts on, not where", () => {
  test("the words of a place phrase, not an infinitive's verb", () => {
    expect([...placeWords("add a new column to the customers table")]).toEqual([
      "customers",
      "table",
    ]);
    expect([...placeWords("leave a comment on the intro paragraph, saying it needs work")]).toEqual(
      ["intro", "paragraph"],
    );
    expect([...placeWords("I want to create an issue")]).toEqual([]);
    expect([...placeWords("I need to list my repos, then to delete a branch")]).toEqual([]);
  });

  const words = "create table field column list base comment task note".split(" ");
  const terms = new Set(words.map(toTerm));
  const vocabulary: Vocabulary = { has: (term) => terms.has(term), terms: () => [...terms].sort() };
  const liftFor = (name: string, query: string) =>
    lift(nameFeatures("base", tool(name, "")), querySignals(expandQuery(query, vocabulary), query));

  test.each([
    ["add a new column to the customers table", "create_field", "create_table"],
    ["add a note to my tax return task", "create_comments", "create_tasks"],
  ])("%s: %s above %s", (query, acted, place) => {
    expect(liftFor(acted, query)).toBeGreaterThan(liftFor(place, query));
  });

  test("the same word as what is acted on keeps its whole weight", () => {
    expect(liftFor("create_table", "create a table in the base")).toBeGreaterThan(
      liftFor("create_field", "create a table in the base"),
    );
  });

  test("a read names what it reads by its container: no place there", () => {
    expect([...placeWords("what tables are in the base")]).toEqual(["base"]);
    const index = indexOf({
      base: [
        tool("list_tables", "List the tables of a base."),
        tool("list_bases", "List the bases."),
      ],
    });
    expect(first(index, "what tables are in the sales base")).toBe("base:list_tables");
  });
});
