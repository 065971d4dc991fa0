import { useCallback, useEffect, useMemo, useState } from "react";
import {
  Alert,
  Badge,
  Button,
  Checkbox,
  Group,
  NativeSelect,
  NumberInput,
  Paper,
  Progress,
  SegmentedControl,
  Stack,
  Table,
  Text,
  Title,
} from "@mantine/core";
import { errorMessage } from "../errors";
import {
  commands,
  type DocSignResult,
  type PlacementInput,
  type PlacementPreviewDto,
  type SignRole,
  type SigningQueueRow,
  type SignProgress,
  type TokenStatus,
} from "../bindings";
import { formatDate } from "../format";
import { onIncomingChanged, onSigningProgress, onTokenChanged } from "../tauri";
import { defaultCert, describeSignError, summarizeToken, toggle } from "../signing";
import { ReturnToClerk } from "../components/ReturnToClerk";
import { PinDialog } from "../components/PinDialog";
import { SignPreview } from "../components/SignPreview";
import { SignResults } from "../components/SignResults";

const PREVIEW_PX = 360;

export function SigningPage() {
  const [queue, setQueue] = useState<SigningQueueRow[]>([]);
  const [queueError, setQueueError] = useState<string | null>(null);
  const [selected, setSelected] = useState<number[]>([]);
  const [focused, setFocused] = useState<number | null>(null);
  const [token, setToken] = useState<TokenStatus | null>(null);
  const [role, setRole] = useState<SignRole>("leader");
  const [mode, setMode] = useState<"auto" | "rect">("auto");
  const [rect, setRect] = useState({ page: 1, x: 360, y: 160, width: 170, height: 70 });
  const [keyLabel, setKeyLabel] = useState<string | null>(null);
  const [preview, setPreview] = useState<PlacementPreviewDto | null>(null);
  const [previewError, setPreviewError] = useState<string | null>(null);
  const [pinOpen, setPinOpen] = useState(false);
  const [pinError, setPinError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [progress, setProgress] = useState<SignProgress | null>(null);
  const [results, setResults] = useState<DocSignResult[] | null>(null);

  const loadQueue = useCallback(() => {
    commands.signingQueue().then(
      (q) => {
        setQueue(q);
        setQueueError(null);
        const ids = q.map((r) => r.id);
        setSelected((s) => s.filter((id) => ids.includes(id)));
        setFocused((f) => (f !== null && ids.includes(f) ? f : (ids[0] ?? null)));
      },
      (e) => setQueueError(errorMessage(e)),
    );
  }, []);
  // A sync round stored a draft the clerk submitted from another desktop.
  useEffect(() => {
    let unlisten: (() => void) | undefined;
    onIncomingChanged(loadQueue).then((u) => (unlisten = u));
    return () => unlisten?.();
  }, [loadQueue]);

  useEffect(loadQueue, [loadQueue]);

  useEffect(() => {
    commands.tokenStatus().then(setToken, () => setToken(null));
    const offs = [onTokenChanged(setToken), onSigningProgress(setProgress)];
    return () => {
      offs.forEach((p) => void p.then((off) => off()));
    };
  }, []);

  const tok = summarizeToken(token);
  const certs = useMemo(
    () => token?.tokens.flatMap((t) => t.certificates.map((c) => ({ ...c, token: t.label }))) ?? [],
    [token],
  );
  const chosenKey = keyLabel ?? defaultCert(certs, role)?.label ?? null;
  const chosenCert = certs.find((c) => c.label === chosenKey);

  const placement: PlacementInput = useMemo(
    () =>
      mode === "auto"
        ? { page: null, rect: null }
        : {
            page: rect.page,
            rect: { x: rect.x, y: rect.y, width: rect.width, height: rect.height },
          },
    [mode, rect],
  );

  useEffect(() => {
    if (focused === null) {
      setPreview(null);
      return;
    }
    let live = true;
    commands.previewPlacement(focused, role, placement).then(
      (p) => {
        if (!live) return;
        setPreview(p);
        setPreviewError(null);
      },
      (e) => {
        if (!live) return;
        setPreview(null);
        setPreviewError(errorMessage(e));
      },
    );
    return () => {
      live = false;
    };
  }, [focused, role, placement]);

  const sign = async (pin: string) => {
    setBusy(true);
    setPinError(null);
    setProgress(null);
    try {
      const out = await commands.signDocuments(selected, pin, role, placement, chosenKey);
      setPinOpen(false);
      setResults(out);
      loadQueue();
    } catch (e) {
      setPinError(describeSignError(e).text);
    } finally {
      setBusy(false);
      setProgress(null);
      commands.tokenStatus().then(setToken, () => undefined);
    }
  };

  const allIds = queue.map((r) => r.id);
  const focusedRow = queue.find((r) => r.id === focused);
  const allChecked = selected.length > 0 && selected.length === queue.length;

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>Chờ ký</Title>
        <Badge
          size="lg"
          variant="light"
          color={tok.present ? "green" : "gray"}
          data-testid="token-state"
        >
          {tok.text}
        </Badge>
      </Group>
      {tok.warning && (
        <Alert color="orange" data-testid="token-warning">
          {tok.warning}
        </Alert>
      )}
      {token?.problem && !tok.present && (
        <Text size="xs" c="dimmed">
          {token.problem}
        </Text>
      )}
      {queueError && <Alert color="red">{queueError}</Alert>}
      <Group align="flex-start" wrap="nowrap" gap="lg">
        <Stack style={{ flex: 1, minWidth: 0 }}>
          <Paper withBorder>
            <Table highlightOnHover data-testid="signing-queue">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th w={36}>
                    <Checkbox
                      aria-label="Chọn tất cả"
                      checked={allChecked}
                      indeterminate={selected.length > 0 && !allChecked}
                      onChange={() => setSelected(allChecked ? [] : allIds)}
                      data-testid="select-all"
                    />
                  </Table.Th>
                  <Table.Th>Số, ký hiệu</Table.Th>
                  <Table.Th>Trích yếu</Table.Th>
                  <Table.Th>Người soạn</Table.Th>
                  <Table.Th>Ngày</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {queue.map((r) => (
                  <Table.Tr
                    key={r.id}
                    data-testid="queue-row"
                    data-doc-id={r.id}
                    bg={r.id === focused ? "var(--mantine-color-blue-light)" : undefined}
                    onClick={() => setFocused(r.id)}
                    style={{ cursor: "pointer" }}
                  >
                    <Table.Td onClick={(e) => e.stopPropagation()}>
                      <Checkbox
                        aria-label={`Chọn ${r.notation}`}
                        checked={selected.includes(r.id)}
                        onChange={() => setSelected((s) => toggle(s, r.id, allIds))}
                        data-testid="queue-check"
                      />
                    </Table.Td>
                    <Table.Td>{r.notation}</Table.Td>
                    <Table.Td>
                      {r.subject}
                      {r.state === "issued" && (
                        <Text size="xs" c="red.8" data-testid="queue-seal">
                          Chờ đóng dấu ({r.stateLabel.toLowerCase()})
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td>
                      {r.mirrorOrigin ? `Văn thư trình từ ${r.mirrorOrigin}` : (r.draftedBy ?? "")}
                    </Table.Td>
                    <Table.Td>{formatDate(r.draftedOn)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
            {queue.length === 0 && !queueError && (
              <Text p="md" c="dimmed" data-testid="queue-empty">
                Không có văn bản nào chờ ký.
              </Text>
            )}
          </Paper>
          {focusedRow?.mirrorOrigin && (
            <ReturnToClerk
              key={focusedRow.id}
              documentId={focusedRow.id}
              origin={focusedRow.mirrorOrigin}
              onReturned={() => {
                setSelected((sel) => sel.filter((id) => id !== focusedRow.id));
                loadQueue();
              }}
            />
          )}
          <Group align="flex-end">
            <NativeSelect
              label="Ký với vai trò"
              value={role}
              onChange={(e) => setRole(e.currentTarget.value as SignRole)}
              data={[
                { value: "leader", label: "Lãnh đạo ký" },
                { value: "organization", label: "Ký số của cơ quan (dấu)" },
              ]}
              data-testid="sign-role"
            />
            <NativeSelect
              label="Chứng thư số"
              value={chosenKey ?? ""}
              onChange={(e) => setKeyLabel(e.currentTarget.value || null)}
              data={
                certs.length
                  ? certs.map((c) => ({ value: c.label, label: `${c.holder} (${c.label})` }))
                  : [{ value: "", label: "Chưa cắm token" }]
              }
              disabled={certs.length === 0}
              data-testid="sign-cert"
            />
            <Button
              disabled={selected.length === 0 || !tok.present || busy}
              onClick={() => {
                setPinError(null);
                setResults(null);
                setPinOpen(true);
              }}
              data-testid="sign-selected"
            >
              Ký {selected.length > 0 ? `${selected.length} văn bản` : ""}
            </Button>
          </Group>
          {busy && progress && (
            <Stack gap={4} data-testid="sign-progress">
              <Text size="sm">
                Đang ký văn bản {progress.index + 1}/{progress.total}…
              </Text>
              <Progress value={((progress.index + 1) / progress.total) * 100} />
            </Stack>
          )}
          {results && <SignResults results={results} />}
        </Stack>
        <Stack w={PREVIEW_PX + 4} gap="xs">
          <SegmentedControl
            value={mode}
            onChange={(v) => setMode(v as "auto" | "rect")}
            data={[
              { value: "auto", label: "Vị trí tự động" },
              { value: "rect", label: "Chọn vị trí" },
            ]}
            data-testid="placement-mode"
          />
          {mode === "rect" && (
            <Group gap="xs" grow>
              {(["page", "x", "y", "width", "height"] as const).map((k) => (
                <NumberInput
                  key={k}
                  size="xs"
                  label={{ page: "Trang", x: "x", y: "y", width: "Rộng", height: "Cao" }[k]}
                  value={rect[k]}
                  min={k === "page" ? 1 : 0}
                  onChange={(v) => setRect((r) => ({ ...r, [k]: Number(v) || 0 }))}
                />
              ))}
            </Group>
          )}
          {preview && <SignPreview preview={preview} width={PREVIEW_PX} />}
          {previewError && (
            <Alert color="red" data-testid="preview-error">
              {previewError}
            </Alert>
          )}
        </Stack>
      </Group>
      {pinOpen && (
        <PinDialog
          count={selected.length}
          holder={chosenCert?.holder ?? tok.text}
          busy={busy}
          error={pinError}
          onSubmit={(pin) => void sign(pin)}
          onCancel={() => setPinOpen(false)}
        />
      )}
    </Stack>
  );
}
