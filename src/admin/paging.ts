// Paging for the admin API's lists (dialogs, registrations, calls), so a node holding 100,000 records answers a page
// at once: keys in a stable order, `limit` records per page from after `cursor` (the last key of the page before,
// opaque to the client), and a filter that reads at most `scanLimit` records per page, so a rare match costs pages,
// not one long answer. `next` is the cursor of the following page, absent on the last.
import { HttpError } from "./admin-server.ts";

export interface PageRequest {
  cursor?: string;
  limit: number;
}

export interface Page<T> {
  items: T[];
  next?: string;
  /** Records read for this page (more than `items` when a filter passed some over). */
  scanned: number;
}

const encode = (key: string) => Buffer.from(key, "utf8").toString("base64url");
const decode = (cursor: string) => Buffer.from(cursor, "base64url").toString("utf8");

/** `?cursor=…&limit=N` (default and maximum given), checked: a bad value is a 400 naming it. */
export function pageRequest(query: URLSearchParams, defaultLimit = 1000, maxLimit = 10_000): PageRequest {
  const raw = query.get("limit");
  const limit = raw === null ? defaultLimit : Number(raw);
  if (!Number.isInteger(limit) || limit < 0 || limit > maxLimit)
    throw new HttpError(400, `limit: expected an integer from 0 to ${maxLimit}, found ${raw}`);
  const cursor = query.get("cursor") ?? undefined;
  if (cursor !== undefined && !/^[A-Za-z0-9_-]*$/.test(cursor))
    throw new HttpError(400, "cursor: expected the next value of the page before");
  return { limit, ...(cursor ? { cursor } : {}) };
}

/** One page of `keys` (any order: sorted here), each loaded and kept when `keep` says so. */
export async function pageOf<R, T>(
  keys: string[],
  page: PageRequest,
  load: (key: string) => Promise<R | undefined>,
  view: (key: string, record: R) => T | undefined,
  scanLimit = Math.max(5000, page.limit * 10),
): Promise<Page<T>> {
  const sorted = keys.slice().sort();
  let i = 0;
  if (page.cursor !== undefined) {
    const after = decode(page.cursor);
    // The first key after the cursor (binary search: the page is found without reading the keys before it).
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (sorted[mid] <= after) lo = mid + 1;
      else hi = mid;
    }
    i = lo;
  }
  const items: T[] = [];
  let scanned = 0;
  for (; i < sorted.length && items.length < page.limit && scanned < scanLimit; i++) {
    scanned++;
    const record = await load(sorted[i]);
    if (record === undefined) continue;
    const item = view(sorted[i], record);
    if (item !== undefined) items.push(item);
  }
  return { items, scanned, ...(i < sorted.length && page.limit > 0 ? { next: encode(sorted[i - 1]) } : {}) };
}

/** Epoch milliseconds as ISO 8601 (UTC), for an operator to match against logs. */
export function isoTime(ms: number | undefined): string | undefined {
  return ms === undefined ? undefined : new Date(ms).toISOString();
}
