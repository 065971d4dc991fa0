import { useCallback, useEffect, useState } from "react";
import { Alert, Button, Group, Stack, Text, Title } from "@mantine/core";
import { commands, type OutgoingRow } from "../bindings";
import { OutgoingForm } from "../components/OutgoingForm";
import { OutgoingTable } from "../components/OutgoingTable";
import { todayIso } from "../format";
import { onIncomingChanged } from "../tauri";
import { errorMessage } from "../errors";

export function OutgoingPage() {
  const [rows, setRows] = useState<OutgoingRow[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<number | null>(null);
  const [composing, setComposing] = useState(false);

  const load = useCallback(() => {
    commands.listOutgoing(500).then(setRows, (e) => setError(errorMessage(e)));
  }, []);
  useEffect(load, [load]);
  // A sync round applied something from another desktop (a signed copy, a return, a mirror).
  useEffect(() => {
    let unlisten: (() => void) | undefined;
    onIncomingChanged(load).then((u) => (unlisten = u));
    return () => unlisten?.();
  }, [load]);

  const replace = (updated: OutgoingRow) =>
    setRows((all) => all.map((x) => (x.id === updated.id ? updated : x)));

  const act = async (r: OutgoingRow, action: "issue" | "send") => {
    setBusy(r.id);
    setError(null);
    try {
      const updated =
        action === "issue"
          ? await commands.issueOutgoing(r.id, todayIso())
          : await commands.sendOutgoing(r.id);
      replace(updated);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(null);
    }
  };

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>Văn bản đi</Title>
        <Button onClick={() => setComposing(true)} data-testid="new-draft">
          Soạn dự thảo
        </Button>
      </Group>
      <OutgoingForm
        opened={composing}
        onClose={() => setComposing(false)}
        onCreated={(row) => {
          setComposing(false);
          setRows((all) => [row, ...all.filter((x) => x.id !== row.id)]);
        }}
      />
      {error && (
        <Alert
          color="red"
          title="Không thực hiện được"
          withCloseButton
          onClose={() => setError(null)}
        >
          {error}
        </Alert>
      )}
      {rows.length === 0 ? (
        <Text c="dimmed">Chưa có văn bản đi.</Text>
      ) : (
        <OutgoingTable
          rows={rows}
          busy={busy}
          onAct={(r, action) => void act(r, action)}
          onChanged={replace}
        />
      )}
    </Stack>
  );
}
