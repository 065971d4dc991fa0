import { useState } from "react";
import { Alert, Button, Group, Paper, Stack, Textarea } from "@mantine/core";
import { commands } from "../bindings";

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
      setError(String(e));
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
    <Paper withBorder p="xs" data-testid="return-form">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void send();
        }}
      >
        <Stack gap={6}>
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
          {error && (
            <Alert color="red" p="xs" data-testid="return-error">
              {error}
            </Alert>
          )}
          <Group gap="xs">
            <Button
              type="submit"
              size="xs"
              color="orange"
              loading={busy}
              data-testid="return-confirm"
            >
              Trả lại
            </Button>
            <Button size="xs" variant="subtle" onClick={() => setOpen(false)}>
              Hủy
            </Button>
          </Group>
        </Stack>
      </form>
    </Paper>
  );
}
