import { useCallback, useEffect, useRef, useState } from "react";
import { commands, type IncomingRow, type IncomingSort, type Urgency } from "../bindings";

export interface IncomingFilter {
  search: string;
  sort: IncomingSort;
  descending: boolean;
  urgency: Urgency | null;
  status: string | null;
}

export const PAGE_SIZE = 200;

/**
 * A window onto a register of any size: rows are fetched page by page as the list scrolls
 * and cached; a new filter (or `reload`) starts a new generation so late answers to an
 * older query are dropped instead of mixing into the list.
 */
export function useIncomingRows(filter: IncomingFilter) {
  const [total, setTotal] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [version, setVersion] = useState(0);
  const [reloadToken, setReloadToken] = useState(0);
  const pages = useRef(new Map<number, IncomingRow[]>());
  const inflight = useRef(new Set<number>());
  const generation = useRef(0);
  const filterRef = useRef(filter);

  const fetchPage = useCallback((page: number, gen: number) => {
    if (pages.current.has(page) || inflight.current.has(page)) return;
    inflight.current.add(page);
    const f = filterRef.current;
    commands
      .listIncoming({ ...f, offset: page * PAGE_SIZE, limit: PAGE_SIZE })
      .then((result) => {
        if (gen !== generation.current) return;
        pages.current.set(page, result.rows);
        setTotal(result.total);
        setError(null);
        setVersion((v) => v + 1);
      })
      .catch((e: unknown) => {
        if (gen !== generation.current) return;
        setError(String(e));
      })
      .finally(() => {
        if (gen === generation.current) inflight.current.delete(page);
      });
  }, []);

  const { search, sort, descending, urgency, status } = filter;
  useEffect(() => {
    filterRef.current = { search, sort, descending, urgency, status };
    generation.current += 1;
    pages.current = new Map();
    inflight.current = new Set();
    fetchPage(0, generation.current);
  }, [search, sort, descending, urgency, status, reloadToken, fetchPage]);

  const ensureRange = useCallback(
    (start: number, end: number) => {
      if (end < start) return;
      for (let p = Math.floor(start / PAGE_SIZE); p <= Math.floor(end / PAGE_SIZE); p++) {
        fetchPage(p, generation.current);
      }
    },
    [fetchPage],
  );

  const getRow = useCallback(
    (index: number): IncomingRow | undefined =>
      pages.current.get(Math.floor(index / PAGE_SIZE))?.[index % PAGE_SIZE],
    // `version` changes whenever a page arrives, so consumers re-render with the new rows.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [version],
  );

  const reload = useCallback(() => setReloadToken((t) => t + 1), []);

  return { total, error, getRow, ensureRange, reload, version };
}
