import type { ListSort, SortColumn } from "./bindings";

/** Columns whose natural first order is newest/highest first. */
const DESCENDING_FIRST: SortColumn[] = ["arrival_number", "arrival_date", "deadline"];

/**
 * The order after a click on a column header: a new column starts in its natural
 * direction (numbers and dates newest first, text A→Z); the same column flips; a third
 * click returns to the register's default order (newest first).
 */
export function nextSort(current: ListSort | null, column: SortColumn): ListSort | null {
  const first = DESCENDING_FIRST.includes(column);
  if (current === null || current.column !== column) return { column, descending: first };
  if (current.descending === first) return { column, descending: !first };
  return null;
}

export function ariaSort(
  current: ListSort | null,
  column: SortColumn,
): "ascending" | "descending" | "none" {
  if (current === null || current.column !== column) return "none";
  return current.descending ? "descending" : "ascending";
}
