import { useEffect, useState } from "react";
import type { ColumnSizingState, TableOptions } from "@tanstack/react-table";

/** Narrower cuts every title; wider than a window is a slip of the mouse. */
const MIN_WIDTH = 40;
const MAX_WIDTH = 800;

/**
 * The widths stored under `key`, without anything a hand edit, an older version or a broken
 * write left there: a bad value would otherwise collapse or blow up a column on every start.
 */
export function loadColumnWidths(key: string): ColumnSizingState {
  try {
    const saved: unknown = JSON.parse(localStorage.getItem(key) ?? "{}");
    if (!saved || typeof saved !== "object") return {};
    return Object.fromEntries(
      Object.entries(saved).filter(
        ([, v]) => typeof v === "number" && v >= MIN_WIDTH && v <= MAX_WIDTH,
      ),
    ) as ColumnSizingState;
  } catch {
    return {};
  }
}

/** The part of a table's options that makes its columns resizable. */
export type ColumnSizingOptions<T> = Pick<
  TableOptions<T>,
  "state" | "onColumnSizingChange" | "columnResizeMode" | "defaultColumn"
>;

/**
 * Column widths the clerk sets by dragging, remembered on this desktop under `key` (one key
 * per list: the registers have different columns). `widths` holds only the resized columns,
 * so a reset column goes back to its default and a changed default reaches everyone who
 * never touched it.
 */
export function useColumnWidths<T>(key: string): {
  widths: ColumnSizingState;
  sizing: ColumnSizingOptions<T>;
} {
  const [widths, setWidths] = useState<ColumnSizingState>(() => loadColumnWidths(key));
  useEffect(() => {
    localStorage.setItem(key, JSON.stringify(widths));
  }, [key, widths]);
  return {
    widths,
    sizing: {
      state: { columnSizing: widths },
      onColumnSizingChange: setWidths,
      // The column follows the mouse, so the clerk sees the titles and subjects rewrap
      // while dragging instead of guessing where to let go.
      columnResizeMode: "onChange",
      defaultColumn: { minSize: MIN_WIDTH, maxSize: MAX_WIDTH },
    },
  };
}
