import { useState } from "react";
import { Badge, Button, Paper, Stack, Table, Text } from "@mantine/core";
import { commands, type OutgoingRow, type SyncAlert } from "../bindings";
import { errorMessage } from "../errors";
import { formatSyncTime } from "../syncFormat";
import { NoteAction } from "./NoteAction";

/** The colour of a recipient's latest status: refused/recall answers stand out. */
function codeColor(code: string | null): string {
  if (code === null) return "gray";
  if (code === "02" || code === "16") return "red";
  if (code === "06" || code === "15") return "green";
  return "blue";
}

/**
 * "Nơi nhận": where a sent document stands with each recipient — the latest status (01 Đã đến …
 * 06 Hoàn thành, 15/16 the answer to a recall) with its time and what it says (a 02's reason),
 * and the overdue alert.
 */
export function RecipientStatuses({ id }: { id: number }) {
  const [rows, setRows] = useState<SyncAlert[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [open, setOpen] = useState(false);

  const toggle = async () => {
    if (open) {
      setOpen(false);
      return;
    }
    setOpen(true);
    setError(null);
    try {
      setRows(await commands.outgoingRecipients(id));
    } catch (e) {
      setError(errorMessage(e));
    }
  };

  return (
    <Stack gap={4}>
      <Button
        size="xs"
        variant="subtle"
        onClick={() => void toggle()}
        data-testid={`recipients-${id}`}
      >
        {open ? "Ẩn nơi nhận" : "Nơi nhận"}
      </Button>
      {open && (
        <Paper withBorder p="xs" data-testid={`recipient-statuses-${id}`}>
          {error && (
            <Text size="xs" c="red">
              {error}
            </Text>
          )}
          {rows !== null && rows.length === 0 && (
            <Text size="xs" c="dimmed">
              Chưa có thông tin từ trục (văn bản chưa được trục nhận)
            </Text>
          )}
          {rows !== null && rows.length > 0 && (
            <Table fz="xs" aria-label="Tình trạng ở nơi nhận">
              <Table.Tbody>
                {rows.map((r) => (
                  <Table.Tr key={r.recipient} data-recipient={r.recipient}>
                    <Table.Td>{r.recipientName ?? r.recipient}</Table.Td>
                    <Table.Td>
                      <Badge size="xs" color={codeColor(r.latestCode)} variant="light">
                        {r.latestCode
                          ? `${r.latestCode} ${r.latestLabel ?? ""}`
                          : "Chưa có phản hồi"}
                      </Badge>
                      {r.latestNote && (
                        <Text size="xs" c="dimmed" data-testid={`note-${r.recipient}`}>
                          {r.latestNote}
                        </Text>
                      )}
                      {r.alert && (
                        <Text size="xs" c="red">
                          Quá hạn: {r.alert}
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td>{r.latestMs !== null ? formatSyncTime(r.latestMs) : ""}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )}
        </Paper>
      )}
    </Stack>
  );
}

/**
 * "Thu hồi": recalls a sent document from its recipients, with the reason they will read; the
 * registry decides when it is offered and refuses without a reason.
 */
export function RecallButton({
  row,
  onChanged,
}: {
  row: OutgoingRow;
  onChanged: (r: OutgoingRow) => void;
}) {
  return (
    <NoteAction
      label="Thu hồi"
      color="red"
      noteLabel="Lý do thu hồi"
      placeholder="Văn bản gửi nhầm nơi nhận…"
      submitLabel="Thu hồi"
      testIds={{
        open: `recall-${row.id}`,
        form: "recall-form",
        error: "recall-error",
        confirm: "recall-confirm",
        note: "recall-reason",
      }}
      act={async (reason) => onChanged(await commands.recallOutgoing(row.id, reason.trim()))}
    />
  );
}
