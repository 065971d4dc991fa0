import { useState } from "react";
import { Button, Textarea, TextInput } from "@mantine/core";
import { InlineForm } from "./InlineForm";
import { commands } from "../bindings";
import { initialDesktop, LAST_DESKTOP_KEY } from "../desks";
import { errorMessage } from "../errors";

function remembered(): string | null {
  try {
    return localStorage.getItem(LAST_DESKTOP_KEY);
  } catch {
    return null;
  }
}

/**
 * "Trình lãnh đạo" / "Trình ký": an inline form (no modal: nothing to trap focus in a narrow
 * pane) with the leader's desktop, prefilled "UNIT/" or the desktop used last, and the
 * clerk's note. `send` does the submission; its error is shown as it comes.
 */
export function SubmitToLeader({
  label = "Trình lãnh đạo",
  send,
}: {
  label?: string;
  send: (to: string, note: string | null) => Promise<void>;
}) {
  const [open, setOpen] = useState(false);
  const [desktop, setDesktop] = useState("");
  const [note, setNote] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const start = () => {
    setError(null);
    setNote("");
    setDesktop(initialDesktop("", remembered()));
    setOpen(true);
    commands.appInfo().then(
      (i) => setDesktop(initialDesktop(i.unit?.code ?? "", remembered())),
      () => {},
    );
  };

  const submit = async () => {
    setError(null);
    setBusy(true);
    try {
      const to = desktop.trim();
      await send(to, note.trim() || null);
      try {
        localStorage.setItem(LAST_DESKTOP_KEY, to);
      } catch {
        // Private mode or a full storage: only the prefill is lost.
      }
      setOpen(false);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  if (!open)
    return (
      <Button size="xs" variant="light" onClick={start} data-testid="submit-leader">
        {label}
      </Button>
    );
  return (
    <InlineForm
      testIds={{ form: "submit-leader-form", error: "submit-error", confirm: "submit-confirm" }}
      error={error}
      busy={busy}
      submitLabel="Trình"
      onSubmit={() => {
        void submit();
      }}
      onCancel={() => setOpen(false)}
    >
      <TextInput
        label="Máy của lãnh đạo"
        description="MÃ-ĐƠN-VỊ/MÁY, ví dụ 000.00.00.H34/LD"
        value={desktop}
        onChange={(e) => setDesktop(e.currentTarget.value)}
        data-testid="submit-desktop"
        required
        size="xs"
      />
      <Textarea
        label="Ý kiến trình"
        placeholder="Kính trình đồng chí …"
        value={note}
        onChange={(e) => setNote(e.currentTarget.value)}
        data-testid="submit-note"
        autosize
        minRows={2}
        size="xs"
      />
    </InlineForm>
  );
}
