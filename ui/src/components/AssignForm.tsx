import { useState } from "react";
import { Button, Textarea, TextInput } from "@mantine/core";
import { InlineForm } from "./InlineForm";
import { commands, type DeskInfo } from "../bindings";

/** "Phân công" on the leader's desktop: who handles the document and the leader's note. */
export function AssignForm({
  documentId,
  onAssigned,
}: {
  documentId: number;
  onAssigned: (info: DeskInfo) => void;
}) {
  const [open, setOpen] = useState(false);
  const [handler, setHandler] = useState("");
  const [note, setNote] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const assign = async () => {
    setError(null);
    setBusy(true);
    try {
      const info = await commands.assignIncoming(documentId, handler, note.trim() || null);
      setOpen(false);
      onAssigned(info);
    } catch (e) {
      setError(String(e));
    } finally {
      setBusy(false);
    }
  };

  if (!open)
    return (
      <Button size="xs" onClick={() => setOpen(true)} data-testid="assign">
        Phân công
      </Button>
    );
  return (
    <InlineForm
      testIds={{ form: "assign-form", error: "assign-error", confirm: "assign-confirm" }}
      error={error}
      busy={busy}
      submitLabel="Phân công"
      onSubmit={() => {
        void assign();
      }}
      onCancel={() => setOpen(false)}
    >
      <TextInput
        label="Người/đơn vị xử lý"
        placeholder="Phòng Tổ chức cán bộ"
        value={handler}
        onChange={(e) => setHandler(e.currentTarget.value)}
        data-testid="assign-handler"
        required
        size="xs"
      />
      <Textarea
        label="Ý kiến chỉ đạo"
        placeholder="Giao … chủ trì, tham mưu …"
        value={note}
        onChange={(e) => setNote(e.currentTarget.value)}
        data-testid="assign-note"
        autosize
        minRows={2}
        size="xs"
      />
    </InlineForm>
  );
}
