import { defineCommand } from "citty";

export default defineCommand({
  meta: {
    name: "cap",
    description: "Capabilities (REST APIs as tools): import an OpenAPI spec, validate, list, test",
  },
  subCommands: {
    import: () => import("./cap-import.ts").then((m) => m.default),
    validate: () => import("./cap-validate.ts").then((m) => m.default),
    list: () => import("./cap-list.ts").then((m) => m.default),
    test: () => import("./cap-test.ts").then((m) => m.default),
  },
});
