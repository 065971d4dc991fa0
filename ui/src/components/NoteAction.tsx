import { useState } from "react";
import { Button, Textarea } from "@mantine/core";
import { InlineForm } from "./InlineForm";
import { errorMessage } from "../errors";

/**
 * A button that opens an inline form with one reason or note (Trả lại, Thu hồi): `act` does the
 * action with the text as typed; the registry refuses an empty one, and its refusal is shown as
 * it comes.
 */
export function NoteAction({
  label,
  color,
  noteLabel,
  placeholder,
  submitLabel,
  testIds,
  act,
}: {
  label: string;
  color: string;
  noteLabel: string;
  placeholder: string;
  submitLabel: string;
  testIds: { open: string; form: string; error: string; confirm: string; note: string };
  act: (note: string) => Promise<void>;
}) {
  const [open, setOpen] = useState(false);
  const [note, setNote] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const send = async () => {
    setError(null);
    setBusy(true);
    try {
      await act(note);
      setOpen(false);
      setNote("");
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
        color={color}
        onClick={() => {
          setError(null);
          setOpen(true);
        }}
        data-testid={testIds.open}
      >
        {label}
      </Button>
    );
  return (
    <InlineForm
      testIds={testIds}
      error={error}
      busy={busy}
      submitLabel={submitLabel}
      submitColor={color}
      onSubmit={() => void send()}
      onCancel={() => setOpen(false)}
    >
      <Textarea
        label={noteLabel}
        placeholder={placeholder}
        value={note}
        onChange={(e) => setNote(e.currentTarget.value)}
        data-testid={testIds.note}
        autosize
        minRows={2}
        size="xs"
      />
    </InlineForm>
  );
}
