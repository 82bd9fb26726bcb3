/**
 * The gateway's own pagination cursors (an offset, opaque to clients), shared by every list it
 * serves: the flat tool list, gateway_list_tools, and the merged resources and prompts.
 */
export function paginate<T>(
  items: T[],
  cursor: string | undefined,
  pageSize: number,
): { items: T[]; nextCursor?: string } {
  const offset = cursor ? decodeCursor(cursor) : 0;
  const end = offset + pageSize;
  const nextCursor = end < items.length ? btoa(JSON.stringify({ o: end })) : undefined;
  return { items: items.slice(offset, end), ...(nextCursor ? { nextCursor } : {}) };
}

/** Thrown for a cursor this gateway did not issue; each caller says so in its own terms. */
export class InvalidCursorError extends Error {
  constructor() {
    super("Invalid cursor");
    this.name = "InvalidCursorError";
  }
}

function decodeCursor(cursor: string): number {
  let offset: unknown;
  try {
    offset = JSON.parse(atob(cursor)).o;
  } catch {}
  if (typeof offset === "number" && Number.isInteger(offset) && offset >= 0) return offset;
  throw new InvalidCursorError();
}
