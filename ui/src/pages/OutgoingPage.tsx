import { useCallback, useEffect, useState } from "react";
import { Alert, Button, Group, Stack, Table, Text, Title } from "@mantine/core";
import { commands, type OutgoingRow } from "../bindings";
import { SecrecyBadge, StatusChip } from "../components/Badges";
import { OutgoingForm } from "../components/OutgoingForm";
import { formatDate, todayIso } from "../format";
import { canSubmitForSigning, deskLine, nextAction } from "../outgoingActions";
import { SubmitToLeader } from "../components/SubmitToLeader";
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

  const act = async (r: OutgoingRow, action: "issue" | "send") => {
    setBusy(r.id);
    setError(null);
    try {
      const updated =
        action === "issue"
          ? await commands.issueOutgoing(r.id, todayIso())
          : await commands.sendOutgoing(r.id);
      setRows((all) => all.map((x) => (x.id === updated.id ? updated : x)));
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
        <Table striped highlightOnHover aria-label="Sổ văn bản đi">
          <Table.Thead>
            <Table.Tr>
              <Table.Th w={130}>Số, ký hiệu</Table.Th>
              <Table.Th w={110}>Ngày ban hành</Table.Th>
              <Table.Th>Trích yếu</Table.Th>
              <Table.Th w={220}>Nơi nhận</Table.Th>
              <Table.Th w={170}>Trạng thái</Table.Th>
              <Table.Th w={220} />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((r) => {
              const action = nextAction(r);
              return (
                <Table.Tr key={r.id} data-id={r.id}>
                  <Table.Td>
                    {r.notation}
                    {r.actions.provisionalNumber && (
                      <Text size="xs" c="orange">
                        {r.numberLabel}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>{formatDate(r.documentDate)}</Table.Td>
                  <Table.Td>
                    {r.subject}{" "}
                    {r.secrecy !== "normal" && (
                      <SecrecyBadge secrecy={r.secrecy} label={r.secrecyLabel} />
                    )}
                  </Table.Td>
                  <Table.Td>{r.recipients.join("; ")}</Table.Td>
                  <Table.Td>
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
                  </Table.Td>
                  <Table.Td>
                    <Group gap="xs">
                      {canSubmitForSigning(r) && (
                        <SubmitToLeader
                          label="Trình ký"
                          send={async (to, note) => {
                            const updated = await commands.submitForSigning(r.id, to, note);
                            setRows((all) => all.map((x) => (x.id === updated.id ? updated : x)));
                          }}
                        />
                      )}
                      {action && (
                        <Button
                          data-testid={`action-${r.id}`}
                          size="xs"
                          variant={action === "send" ? "filled" : "light"}
                          loading={busy === r.id}
                          onClick={() => void act(r, action)}
                        >
                          {action === "send" ? "Gửi qua trục" : "Cấp số"}
                        </Button>
                      )}
                    </Group>
                  </Table.Td>
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}
