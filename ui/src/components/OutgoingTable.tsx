import { RecallButton, RecipientStatuses, ReviseButton } from "./SentTracking";
import {
  createColumnHelper,
  flexRender,
  getCoreRowModel,
  useReactTable,
  type Column,
} from "@tanstack/react-table";
import { Button, Group, Table, Text } from "@mantine/core";
import { commands, type OutgoingRow } from "../bindings";
import { formatDate } from "../format";
import { useColumnWidths } from "../hooks/useColumnWidths";
import { canSubmitForSigning, deskLine, nextAction } from "../outgoingActions";
import { SecrecyBadge, StatusChip } from "./Badges";
import { ColumnResizer } from "./ColumnResizer";
import { SubmitToLeader } from "./SubmitToLeader";

/** Where the widths a clerk gave the outgoing columns are remembered (this desktop's webview). */
export const OUTGOING_COLUMN_WIDTHS_KEY = "vanthu.outgoing.columnWidths";

/**
 * Trích yếu never gets narrower than this: with the default widths the list still fits a
 * 1280 px window beside the menu, and a clerk who widens other columns scrolls sideways
 * rather than losing the subject.
 */
const SUBJECT_MIN_WIDTH = 150;

/** What the action buttons do; the page owns the rows and the calls' errors. */
interface OutgoingActions {
  busy: number | null;
  onAct: (row: OutgoingRow, action: "issue" | "send") => void;
  onChanged: (row: OutgoingRow) => void;
}

interface ColumnMeta {
  /** The handle's name for a column without a title. */
  label?: string;
}

const col = createColumnHelper<OutgoingRow>();

const columns = [
  col.accessor("notation", {
    header: "Số, ký hiệu",
    size: 130,
    cell: ({ row: { original: r } }) => (
      <>
        {r.notation}
        {r.actions.provisionalNumber && (
          <Text size="xs" c="orange">
            {r.numberLabel}
          </Text>
        )}
      </>
    ),
  }),
  col.accessor("documentDate", {
    header: "Ngày ban hành",
    size: 110,
    cell: (c) => formatDate(c.getValue()),
  }),
  col.accessor("subject", {
    header: "Trích yếu",
    enableResizing: false,
    cell: ({ row: { original: r } }) => (
      <>
        {/* Cut to two lines like the incoming list; the tooltip keeps the rest in reach, as
            this list has no detail pane. */}
        <span className="list-subject" title={r.subject}>
          {r.subject}
        </span>
        {r.secrecy !== "normal" && <SecrecyBadge secrecy={r.secrecy} label={r.secrecyLabel} />}
      </>
    ),
  }),
  col.accessor("recipients", {
    header: "Nơi nhận",
    size: 220,
    cell: (c) => c.getValue().join("; "),
  }),
  col.display({
    id: "status",
    header: "Trạng thái",
    size: 170,
    cell: ({ row: { original: r } }) => (
      <>
        <StatusChip status={r.status} label={r.statusLabel} />
        {deskLine(r) && (
          <Text size="xs" c="dimmed" data-testid={`desk-${r.id}`}>
            {deskLine(r)}
          </Text>
        )}
        {r.dispatchedDate && (
          <Text size="xs" c="dimmed">
            {formatDate(r.dispatchedDate)}
          </Text>
        )}
      </>
    ),
  }),
  col.display({
    id: "actions",
    header: "",
    size: 220,
    meta: { label: "Thao tác" },
    cell: ({ row: { original: r }, table }) => {
      const { busy, onAct, onChanged } = table.options.meta as OutgoingActions;
      const action = nextAction(r);
      return (
        <Group gap="xs">
          {canSubmitForSigning(r) && (
            <SubmitToLeader
              label="Trình ký"
              send={async (to, note) => onChanged(await commands.submitForSigning(r.id, to, note))}
            />
          )}
          {r.actions.recall && <RecallButton row={r} onChanged={onChanged} />}
          {r.actions.revise && <ReviseButton row={r} onChanged={onChanged} />}
          {r.dispatchedDate && <RecipientStatuses id={r.id} />}
          {action && (
            <Button
              data-testid={`action-${r.id}`}
              size="xs"
              variant={action === "send" ? "filled" : "light"}
              loading={busy === r.id}
              onClick={() => onAct(r, action)}
            >
              {action === "send" ? "Gửi qua trục" : "Cấp số"}
            </Button>
          )}
        </Group>
      );
    },
  }),
];

/** The one column without a handle takes whatever width the others leave. */
function isFlexible(column: Column<OutgoingRow>): boolean {
  return column.columnDef.enableResizing === false;
}

export interface OutgoingTableProps extends OutgoingActions {
  rows: OutgoingRow[];
}

/**
 * The outgoing register as a table with a fixed layout: the widths the clerk dragged hold
 * whatever the cells contain, long text wraps inside its column.
 */
export function OutgoingTable({ rows, busy, onAct, onChanged }: OutgoingTableProps) {
  const { sizing } = useColumnWidths<OutgoingRow>(OUTGOING_COLUMN_WIDTHS_KEY);
  const table = useReactTable({
    data: rows,
    columns,
    ...sizing,
    meta: { busy, onAct, onChanged } satisfies OutgoingActions,
    getCoreRowModel: getCoreRowModel(),
    getRowId: (r) => String(r.id),
    // Nothing here pages or filters; the automatic resets would only cost a second render
    // after every change of the rows (see IncomingTable for where they looped).
    autoResetAll: false,
  });
  const minWidth =
    SUBJECT_MIN_WIDTH +
    table
      .getVisibleLeafColumns()
      .filter((c) => !isFlexible(c))
      .reduce((sum, c) => sum + c.getSize(), 0);

  return (
    <Table.ScrollContainer minWidth={minWidth} type="native">
      <Table striped highlightOnHover layout="fixed" aria-label="Sổ văn bản đi">
        <Table.Thead>
          <Table.Tr>
            {table.getFlatHeaders().map((h) => (
              <Table.Th
                key={h.id}
                className="register-header-cell"
                style={isFlexible(h.column) ? undefined : { width: h.getSize() }}
              >
                {flexRender(h.column.columnDef.header, h.getContext())}
                <ColumnResizer
                  header={h}
                  label={(h.column.columnDef.meta as ColumnMeta | undefined)?.label}
                />
              </Table.Th>
            ))}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {table.getRowModel().rows.map((tr) => (
            <Table.Tr key={tr.id} data-id={tr.original.id}>
              {tr.getVisibleCells().map((cell) => (
                <Table.Td key={cell.id} className="register-cell">
                  {flexRender(cell.column.columnDef.cell, cell.getContext())}
                </Table.Td>
              ))}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
