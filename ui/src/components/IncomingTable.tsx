import { memo, useEffect, useMemo, useRef } from "react";
import {
  createColumnHelper,
  flexRender,
  getCoreRowModel,
  useReactTable,
  type Column,
  type ColumnSizingState,
  type Row,
} from "@tanstack/react-table";
import { useVirtualizer } from "@tanstack/react-virtual";
import type { IncomingRow, ListSort, SortColumn } from "../bindings";
import { ariaSort, nextSort } from "../sort";
import { formatDate } from "../format";
import { useColumnWidths } from "../hooks/useColumnWidths";
import { SecrecyBadge, StatusChip, UrgencyBadge } from "./Badges";
import { ColumnResizer } from "./ColumnResizer";

/** Two lines of Trích yếu (the clerk reads the subject, not its first words). */
export const ROW_HEIGHT = 52;

/** Where the widths a clerk gave the columns are remembered (this desktop's webview). */
export const COLUMN_WIDTHS_KEY = "vanthu.incoming.columnWidths";

const col = createColumnHelper<IncomingRow>();

const columns = [
  col.accessor("arrivalNumber", {
    header: "Số đến",
    size: 72,
    // The label comes from the register: "M11" in the secret series, "Số tạm …".
    cell: ({ row: { original: r } }) => r.numberLabel,
    meta: { sort: "arrival_number" },
  }),
  col.accessor("arrivalDate", {
    header: "Ngày đến",
    size: 96,
    cell: (c) => formatDate(c.getValue()),
    meta: { sort: "arrival_date" },
  }),
  col.display({
    id: "marks",
    header: "Khẩn/mật",
    size: 88,
    cell: ({ row: { original: r } }) => (
      <>
        <UrgencyBadge urgency={r.urgency} label={r.urgencyLabel} />
        <SecrecyBadge secrecy={r.secrecy} label={r.secrecyLabel} />
      </>
    ),
  }),
  col.accessor("notation", {
    header: "Số, ký hiệu",
    size: 140,
    meta: { sort: "notation", shrinks: true },
  }),
  col.accessor("sender", { header: "Nơi gửi", size: 180, meta: { sort: "sender", shrinks: true } }),
  col.accessor("subject", {
    header: "Trích yếu",
    size: 0,
    enableResizing: false,
    cell: (c) => <span className="incoming-subject">{c.getValue()}</span>,
    meta: { sort: "subject" },
  }),
  col.accessor("deadline", {
    header: "Hạn xử lý",
    size: 96,
    cell: (c) => (c.getValue() ? formatDate(c.getValue()!) : ""),
    meta: { sort: "deadline" },
  }),
  col.display({
    id: "status",
    header: "Trạng thái",
    size: 112,
    cell: ({ row: { original: r } }) => <StatusChip status={r.status} label={r.statusLabel} />,
    meta: { sort: "status" },
  }),
];

interface ColumnMeta {
  /** The list order this column's header selects. */
  sort?: SortColumn;
  /** Free text that may narrow (with an ellipsis) on a small window. */
  shrinks?: boolean;
}

function cellStyle(column: Column<IncomingRow>, widths: ColumnSizingState): React.CSSProperties {
  const resized = column.id in widths;
  const meta = column.columnDef.meta as ColumnMeta | undefined;
  // size 0 = Trích yếu: it takes what is left and is the widest column whenever the window
  // allows. With the detail pane open on a 1280 px window it shares the squeeze with
  // Số/ký hiệu and Nơi gửi (down to 35 %) before the list scrolls sideways; numbers,
  // dates, badges and status keep their width, as does a column the clerk resized.
  if ((column.columnDef.size ?? 100) === 0) return { flex: "1 1 240px", minWidth: 136 };
  const size = column.getSize();
  return meta?.shrinks === true && !resized
    ? { flex: `0 1 ${size}px`, minWidth: Math.round(size * 0.35) }
    : { flex: `0 0 ${size}px` };
}

export interface IncomingTableProps {
  rows: IncomingRow[];
  hasMore: boolean;
  loadMore: () => void;
  selectedIndex: number | null;
  onSelect: (index: number) => void;
  /** Column order (none: the register's default, newest first). */
  sort?: ListSort | null;
  onSort?: (sort: ListSort | null) => void;
}

/** Rows from the end of the loaded part at which the next page is requested. */
const PREFETCH = 60;

export function IncomingTable(props: IncomingTableProps) {
  const { rows, hasMore, loadMore, selectedIndex, onSelect, sort = null, onSort } = props;
  const total = rows.length;
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: total + (hasMore ? 1 : 0),
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
    // Rows render on the first paint, before the scroll box has been measured.
    initialRect: { width: 1000, height: 600 },
  });
  const items = virtualizer.getVirtualItems();
  const last = items[items.length - 1]?.index ?? -1;

  useEffect(() => {
    if (hasMore && last >= total - PREFETCH) loadMore();
  }, [last, total, hasMore, loadMore]);

  useEffect(() => {
    if (selectedIndex !== null) virtualizer.scrollToIndex(selectedIndex, { align: "auto" });
  }, [selectedIndex, virtualizer]);

  // Only the rows in the window are materialised; the table provides columns and cells.
  const windowRows = items.map((it) => ({ index: it.index, start: it.start, row: rows[it.index] }));
  const loaded = windowRows.filter((w): w is typeof w & { row: IncomingRow } => !!w.row);
  const windowKey = loaded.map((w) => w.row.id).join(",");
  // A stable array while the window shows the same rows: a new `data` makes the table
  // recompute its row model.
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const data = useMemo(() => loaded.map((w) => w.row), [windowKey, rows]);
  const { widths, sizing } = useColumnWidths<IncomingRow>(COLUMN_WIDTHS_KEY);
  const table = useReactTable({
    data,
    columns,
    ...sizing,
    getCoreRowModel: getCoreRowModel(),
    getRowId: (r) => String(r.id),
    // The table neither paginates nor filters (the registry does, page by page). With the
    // automatic resets on, every change of `data` queued a resetPageIndex() microtask whose
    // state update re-rendered with new data again: an endless render loop. Inside a
    // discrete (input) event it ran synchronously in microtasks and froze the page; that
    // was the WebKitWebDriver "hang" after the first registration.
    manualPagination: true,
    manualFiltering: true,
    autoResetAll: false,
  });

  const onKeyDown = (e: React.KeyboardEvent) => {
    if (total === 0) return;
    const cur = selectedIndex ?? -1;
    let next: number | null = null;
    if (e.key === "ArrowDown") next = Math.min(total - 1, cur + 1);
    else if (e.key === "ArrowUp") next = Math.max(0, cur - 1);
    else if (e.key === "PageDown") next = Math.min(total - 1, cur + 15);
    else if (e.key === "PageUp") next = Math.max(0, cur - 15);
    else if (e.key === "Home") next = 0;
    else if (e.key === "End") next = total - 1;
    if (next !== null) {
      e.preventDefault();
      onSelect(next);
    }
  };

  const tableRows = new Map(table.getRowModel().rows.map((r) => [r.original, r]));
  return (
    <div
      role="grid"
      aria-label="Sổ văn bản đến"
      aria-rowcount={total}
      tabIndex={0}
      onKeyDown={onKeyDown}
      ref={scrollRef}
      data-testid="incoming-scroll"
      style={{ height: "100%", overflow: "auto", position: "relative", outline: "none" }}
    >
      <div className="incoming-header" role="row">
        {table.getFlatHeaders().map((h) => {
          const column = (h.column.columnDef.meta as ColumnMeta | undefined)?.sort;
          const order = column ? ariaSort(sort, column) : undefined;
          return (
            <div
              key={h.id}
              role="columnheader"
              aria-sort={order}
              className="incoming-header-cell"
              data-sortable={column ? "true" : undefined}
              data-sort-column={column}
              title={column ? "Bấm để sắp xếp" : undefined}
              onClick={column && onSort ? () => onSort(nextSort(sort, column)) : undefined}
              style={cellStyle(h.column, widths)}
            >
              {flexRender(h.column.columnDef.header, h.getContext())}
              {order === "ascending" ? " ▲" : order === "descending" ? " ▼" : ""}
              <ColumnResizer header={h} />
            </div>
          );
        })}
      </div>
      <div style={{ height: virtualizer.getTotalSize(), position: "relative" }}>
        {windowRows.map((w) => {
          const tr = w.row && tableRows.get(w.row);
          if (!tr) {
            return (
              <div
                key={`pending-${w.index}`}
                className="incoming-row incoming-pending"
                style={{ top: w.start, height: ROW_HEIGHT }}
              >
                Đang tải…
              </div>
            );
          }
          return (
            <IncomingRowView
              key={tr.id}
              tr={tr}
              index={w.index}
              start={w.start}
              selected={w.index === selectedIndex}
              onSelect={onSelect}
              widths={widths}
            />
          );
        })}
      </div>
    </div>
  );
}

interface RowViewProps {
  tr: Row<IncomingRow>;
  index: number;
  start: number;
  selected: boolean;
  onSelect: (index: number) => void;
  /** The column widths (a new object on every change), so a memoised row redraws. */
  widths: ColumnSizingState;
}

/**
 * One list row. Scrolling re-renders the table on every frame (and the table's row objects
 * are rebuilt whenever the window moves), so a row re-renders only when what it shows
 * changes — the same register row at the same place — otherwise a frame re-rendered every
 * visible row with its badges instead of the one or two rows that scrolled in.
 */
const IncomingRowView = memo(
  function IncomingRowView({ tr, index, start, selected, onSelect, widths }: RowViewProps) {
    const r = tr.original;
    return (
      <div
        role="row"
        aria-rowindex={index + 1}
        aria-selected={selected}
        data-flash={r.urgency === "flash"}
        data-id={r.id}
        className="incoming-row"
        style={{ top: start, height: ROW_HEIGHT }}
        onClick={() => onSelect(index)}
      >
        {tr.getVisibleCells().map((cell) => (
          <div
            key={cell.id}
            role="gridcell"
            className="incoming-cell"
            style={cellStyle(cell.column, widths)}
          >
            {flexRender(cell.column.columnDef.cell, cell.getContext())}
          </div>
        ))}
      </div>
    );
  },
  (a, b) =>
    a.tr.original === b.tr.original &&
    a.index === b.index &&
    a.start === b.start &&
    a.selected === b.selected &&
    a.onSelect === b.onSelect &&
    a.widths === b.widths,
);
