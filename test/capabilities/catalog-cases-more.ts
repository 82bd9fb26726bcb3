import type { CatalogCase } from "./catalog-cases.ts";

/** Cases for built-ins beyond catalog-cases.ts (same shape); catalog.test.ts runs both. */
export const MORE_CATALOG_CASES: Record<string, CatalogCase> = {};
