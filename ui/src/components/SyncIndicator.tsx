import { useCallback, useEffect, useState } from "react";
import {
  Badge,
  Button,
  Group,
  Popover,
  Progress,
  Stack,
  Table,
  Text,
  Tooltip,
} from "@mantine/core";
import { errorMessage } from "../errors";
import { commands, type SyncAlert, type SyncStatus } from "../bindings";
import { onSyncStatus } from "../tauri";
import { formatSyncTime, syncLabel } from "../syncFormat";

/** Header indicator: progress, last sync time, offline badge, alerts and "Đồng bộ ngay". */
export function SyncIndicator() {
  const [status, setStatus] = useState<SyncStatus | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [alerts, setAlerts] = useState<SyncAlert[]>([]);

  const refresh = useCallback(() => {
    // Outside the app (or in tests without the command) there is simply no indicator.
    Promise.resolve()
      .then(() => commands.syncStatus())
      .then(setStatus, () => setStatus(null));
  }, []);

  useEffect(() => {
    refresh();
    let unlisten: (() => void) | undefined;
    onSyncStatus(setStatus).then((u) => (unlisten = u));
    // Alerts depend on elapsed time too, not only on engine events.
    const timer = window.setInterval(refresh, 60_000);
    return () => {
      unlisten?.();
      window.clearInterval(timer);
    };
  }, [refresh]);

  const syncNow = async () => {
    setError(null);
    try {
      await commands.syncNow();
    } catch (e) {
      setError(errorMessage(e));
    }
  };

  const loadAlerts = () => {
    commands.syncAlerts().then(setAlerts, (e) => setError(errorMessage(e)));
  };

  if (!status || !status.configured) return null;
  const label = syncLabel(status);
  return (
    <Group gap="xs" wrap="nowrap" data-testid="sync-indicator">
      {status.online === false && (
        <Tooltip label={status.lastError ?? "Không kết nối được trục liên thông"} withArrow>
          <Badge color="red" variant="filled" data-testid="sync-offline">
            Mất kết nối
          </Badge>
        </Tooltip>
      )}
      <Stack gap={0}>
        <Text size="xs" data-testid="sync-label" title={status.lastError ?? undefined}>
          {label}
        </Text>
        {status.running && status.total > 0 && (
          <Progress
            value={(100 * status.done) / Math.max(status.total, 1)}
            size="xs"
            w={120}
            data-testid="sync-progress"
            aria-label={label}
          />
        )}
      </Stack>
      {status.pendingOut > 0 && (
        <Tooltip label="Gói tin chờ gửi" withArrow>
          <Badge variant="light" color="gray" data-testid="sync-pending-out">
            Chờ gửi {status.pendingOut}
          </Badge>
        </Tooltip>
      )}
      {status.alerts > 0 && (
        <Popover width={560} position="bottom-end" withArrow shadow="md" onOpen={loadAlerts}>
          <Popover.Target>
            <Badge
              color="orange"
              variant="filled"
              style={{ cursor: "pointer" }}
              data-testid="sync-alerts"
            >
              Cảnh báo {status.alerts}
            </Badge>
          </Popover.Target>
          <Popover.Dropdown>
            <Text size="sm" fw={600} mb="xs">
              Đơn vị nhận chưa phản hồi sau {status.overdueHours} giờ
            </Text>
            <Table striped fz="xs" data-testid="sync-alert-list">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Gửi lúc</Table.Th>
                  <Table.Th>Đơn vị nhận</Table.Th>
                  <Table.Th>Trạng thái</Table.Th>
                  <Table.Th>Cảnh báo</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {alerts.map((a) => (
                  <Table.Tr key={`${a.messageId}|${a.recipient}`}>
                    <Table.Td>{formatSyncTime(a.sentMs ?? 0)}</Table.Td>
                    <Table.Td title={a.recipient}>{a.recipientName ?? a.recipient}</Table.Td>
                    <Table.Td>{a.latestLabel ?? "—"}</Table.Td>
                    <Table.Td>{a.alert}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Popover.Dropdown>
        </Popover>
      )}
      <Button
        size="compact-xs"
        variant="light"
        onClick={() => void syncNow()}
        loading={status.running}
        data-testid="sync-now"
        title={error ?? undefined}
      >
        Đồng bộ ngay
      </Button>
    </Group>
  );
}
