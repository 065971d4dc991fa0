import { useCallback, useEffect, useRef, useState } from "react";
import {
  commands,
  type IncomingRow,
  type ListPage,
  type ListQuery,
  type ListSort,
  type Urgency,
} from "../bindings";
import { errorMessage } from "../errors";
import { mark } from "../marks";

export interface IncomingFilter {
  search: string;
  urgency: Urgency | null;
  status: string | null;
  sort?: ListSort | null;
}

export const PAGE_SIZE = 200;

/** The list a clerk sees on opening the app: the whole register, newest first. */
const FIRST_QUERY: ListQuery = {
  search: "",
  urgency: null,
  status: null,
  sort: null,
  cursor: null,
  limit: PAGE_SIZE,
};

let prefetched: Promise<ListPage> | null = null;

/**
 * Asks for the first page of the default list at once, while the shell still waits for
 * its app info, so the page's first query is already answered when it mounts.
 */
export function prefetchFirstPage() {
  if (prefetched) return;
  mark("first-query");
  prefetched = commands.listIncoming(FIRST_QUERY);
  // Unused (another section opened first) or failed: the page asks again itself.
  prefetched.catch(() => undefined);
}

function listPage(query: ListQuery): Promise<ListPage> {
  const early = prefetched;
  prefetched = null;
  const isFirst = (Object.keys(FIRST_QUERY) as (keyof ListQuery)[]).every(
    (k) => (query[k] ?? null) === FIRST_QUERY[k],
  );
  return early && isFirst ? early : commands.listIncoming(query);
}
/**
 * The register's rows for a filter, fetched page by page (keyset cursors) as the list
 * scrolls. A new filter (or `reload`) starts a new generation so late answers to an older
 * query are dropped instead of mixing into the list.
 */
export function useIncomingRows(filter: IncomingFilter) {
  const [rows, setRows] = useState<IncomingRow[]>([]);
  const [hasMore, setHasMore] = useState(false);
  const [loaded, setLoaded] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [reloadToken, setReloadToken] = useState(0);
  const cursor = useRef<string | null>(null);
  const loading = useRef(false);
  const generation = useRef(0);
  const filterRef = useRef(filter);

  const fetchNext = useCallback((gen: number, first: boolean) => {
    if (loading.current || (!first && cursor.current === null)) return;
    loading.current = true;
    if (first) mark("first-query");
    listPage({
      ...filterRef.current,
      sort: filterRef.current.sort ?? null,
      cursor: first ? null : cursor.current,
      limit: PAGE_SIZE,
    })
      .then((page) => {
        if (gen !== generation.current) return;
        mark("first-page");
        cursor.current = page.nextCursor;
        setRows((old) => (first ? page.rows : [...old, ...page.rows]));
        setHasMore(page.nextCursor !== null);
        setLoaded(true);
        setError(null);
      })
      .catch((e: unknown) => {
        if (gen === generation.current) setError(errorMessage(e));
      })
      .finally(() => {
        if (gen === generation.current) loading.current = false;
      });
  }, []);

  const { search, urgency, status } = filter;
  const sortColumn = filter.sort?.column ?? null;
  const sortDescending = filter.sort?.descending ?? null;
  useEffect(() => {
    filterRef.current = {
      search,
      urgency,
      status,
      sort: sortColumn === null ? null : { column: sortColumn, descending: !!sortDescending },
    };
    generation.current += 1;
    cursor.current = null;
    loading.current = false;
    fetchNext(generation.current, true);
  }, [search, urgency, status, sortColumn, sortDescending, reloadToken, fetchNext]);

  const loadMore = useCallback(() => fetchNext(generation.current, false), [fetchNext]);
  const reload = useCallback(() => setReloadToken((t) => t + 1), []);

  return { rows, hasMore, loaded, error, loadMore, reload };
}
