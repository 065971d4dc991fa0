import { useState } from "react";
import { Badge, Button, Paper, Stack, Table, Text, Textarea } from "@mantine/core";
import { commands, type OutgoingRow, type SyncAlert } from "../bindings";
import { errorMessage } from "../errors";
import { formatSyncTime } from "../syncFormat";
import { InlineForm } from "./InlineForm";
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

/**
 * "Cập nhật" / "Thay thế": sends the recipients the corrected document — the same number with
 * corrected details (cập nhật) or a new version replacing it (thay thế) — with the reason they
 * will read and the corrected file(s) to attach first (paths, one per line). The registry
 * decides when it is offered and refuses without a reason; the recipients' answers (15/16)
 * bring it back to Đã gửi.
 */
export function ReviseButton({
  row,
  onChanged,
}: {
  row: OutgoingRow;
  onChanged: (r: OutgoingRow) => void;
}) {
  const [kind, setKind] = useState<"update" | "replace" | null>(null);
  const [reason, setReason] = useState("");
  const [files, setFiles] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  if (kind === null)
    return (
      <>
        <Button
          size="xs"
          variant="light"
          data-testid={`update-${row.id}`}
          onClick={() => setKind("update")}
        >
          Cập nhật
        </Button>
        <Button
          size="xs"
          variant="light"
          data-testid={`replace-${row.id}`}
          onClick={() => setKind("replace")}
        >
          Thay thế
        </Button>
      </>
    );
  const send = async () => {
    setError(null);
    setBusy(true);
    try {
      const paths = files
        .split("\n")
        .map((f) => f.trim())
        .filter((f) => f);
      onChanged(await commands.reviseOutgoing(row.id, kind, reason.trim(), paths));
      setKind(null);
      setReason("");
      setFiles("");
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <InlineForm
      testIds={{ form: "revise-form", error: "revise-error", confirm: "revise-confirm" }}
      error={error}
      busy={busy}
      submitLabel={kind === "update" ? "Gửi bản cập nhật" : "Gửi bản thay thế"}
      onSubmit={() => void send()}
      onCancel={() => setKind(null)}
    >
      <Textarea
        label={kind === "update" ? "Lý do cập nhật" : "Lý do thay thế"}
        value={reason}
        onChange={(e) => setReason(e.currentTarget.value)}
        data-testid="revise-reason"
        autosize
        minRows={2}
        size="xs"
      />
      <Textarea
        label="Tệp đính kèm mới (đường dẫn, mỗi dòng một tệp)"
        value={files}
        onChange={(e) => setFiles(e.currentTarget.value)}
        data-testid="revise-files"
        autosize
        minRows={1}
        size="xs"
      />
    </InlineForm>
  );
}
