import { useState } from "react";
import { Button, Textarea } from "@mantine/core";
import { commands } from "../bindings";
import { InlineForm } from "./InlineForm";
import { errorMessage } from "../errors";

/**
 * "Trả lại" on the leader's desktop: a draft the clerk submitted goes back unsigned with a
 * note saying what to change (the registry refuses an empty note).
 */
export function ReturnToClerk({
  documentId,
  origin,
  onReturned,
}: {
  documentId: number;
  origin: string;
  onReturned: () => void;
}) {
  const [open, setOpen] = useState(false);
  const [note, setNote] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const send = async () => {
    setError(null);
    setBusy(true);
    try {
      await commands.returnForChanges(documentId, note);
      setOpen(false);
      setNote("");
      onReturned();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  if (!open)
    return (
      <Button
        size="xs"
        variant="light"
        color="orange"
        onClick={() => setOpen(true)}
        data-testid="return-open"
      >
        Trả lại văn thư ({origin})
      </Button>
    );
  return (
    <InlineForm
      testIds={{ form: "return-form", error: "return-error", confirm: "return-confirm" }}
      error={error}
      busy={busy}
      submitLabel="Trả lại"
      submitColor="orange"
      onSubmit={() => void send()}
      onCancel={() => setOpen(false)}
    >
      <Textarea
        label="Lý do trả lại"
        placeholder="Đề nghị sửa …"
        value={note}
        onChange={(e) => setNote(e.currentTarget.value)}
        data-testid="return-note"
        autosize
        minRows={2}
        size="xs"
      />
    </InlineForm>
  );
}
