import { defineCommand } from "citty";
import { capSpec } from "../_tree.ts";

export default defineCommand({
  meta: capSpec.meta,
  subCommands: {
    search: () => import("./cap-search.ts").then((m) => m.default),
    install: () => import("./cap-install.ts").then((m) => m.default),
    import: () => import("./cap-import.ts").then((m) => m.default),
    validate: () => import("./cap-validate.ts").then((m) => m.default),
    pin: () => import("./cap-pin.ts").then((m) => m.default),
    list: () => import("./cap-list.ts").then((m) => m.default),
    test: () => import("./cap-test.ts").then((m) => m.default),
  },
});
