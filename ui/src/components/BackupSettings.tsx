import { useCallback, useEffect, useState } from "react";
import {
  Alert,
  Button,
  Group,
  NumberInput,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { errorMessage } from "../errors";
import { commands, type BackupSettings as Settings } from "../bindings";
import { formatDateTime, formatSize } from "../format";
import { nextBackupLine } from "../backup";
import { onBackupsChanged } from "../tauri";

/**
 * "Sao lưu dữ liệu" in Cài đặt: the folder, how often and how many to keep (the rules are
 * in vanthu_core::backup_schedule), "Sao lưu ngay" and the backups in the folder.
 */
export function BackupSettings() {
  const [settings, setSettings] = useState<Settings | null>(null);
  const [folder, setFolder] = useState("");
  const [hours, setHours] = useState<number>(24);
  const [keep, setKeep] = useState<number>(7);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const show = useCallback((s: Settings) => {
    setSettings(s);
    setFolder(s.folder ?? "");
    setHours(s.everyHours);
    setKeep(s.keep);
  }, []);

  const reload = useCallback(() => {
    commands.backupSettings().then(show, (e) => setError(errorMessage(e)));
  }, [show]);

  useEffect(() => {
    reload();
    const off = onBackupsChanged(reload);
    return () => {
      void off.then((f) => f());
    };
  }, [reload]);

  const act = async (f: () => Promise<Settings>) => {
    setError(null);
    setBusy(true);
    try {
      show(await f());
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  const save = () =>
    act(() =>
      commands.setBackupSchedule({
        folder: folder.trim() || null,
        everyHours: hours,
        keep,
      }),
    );

  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
      data-testid="backup-settings"
    >
      <Stack gap="xs">
        <Title order={3}>Sao lưu dữ liệu</Title>
        <TextInput
          label="Thư mục sao lưu"
          description="Nên là ổ đĩa khác hoặc thư mục mạng. Bản sao lưu gồm sổ văn bản, tệp đính kèm và cài đặt; không gồm mật khẩu trục và mã PIN."
          placeholder="D:\SaoLuu hoặc /media/usb/saoluu"
          value={folder}
          onChange={(e) => setFolder(e.currentTarget.value)}
          name="backupFolder"
        />
        <Group grow>
          <NumberInput
            label="Sao lưu mỗi (giờ)"
            min={1}
            max={720}
            value={hours}
            onChange={(v) => setHours(typeof v === "number" ? v : Number(v) || 24)}
            name="backupEveryHours"
          />
          <NumberInput
            label="Giữ lại (bản)"
            min={1}
            max={400}
            value={keep}
            onChange={(v) => setKeep(typeof v === "number" ? v : Number(v) || 7)}
            name="backupKeep"
          />
        </Group>
        <Group>
          <Button type="submit" loading={busy} data-testid="save-backup-settings">
            Lưu lịch
          </Button>
          <Button
            variant="light"
            disabled={busy || !settings?.folder}
            onClick={() => void act(() => commands.backupNow())}
            data-testid="backup-now"
          >
            Sao lưu ngay
          </Button>
          {settings && (
            <Text size="sm" c="dimmed" data-testid="backup-next">
              {nextBackupLine(settings)}
            </Text>
          )}
        </Group>
        {error && (
          <Alert color="red" data-testid="backup-error">
            {error}
          </Alert>
        )}
        {settings?.lastError && !error && (
          <Alert color="orange" data-testid="backup-last-error">
            Lần sao lưu tự động gần nhất không thành công: {settings.lastError}
          </Alert>
        )}
        {settings && settings.backups.length > 0 && (
          <Table data-testid="backup-list" striped>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Thời điểm</Table.Th>
                <Table.Th>Dung lượng</Table.Th>
                <Table.Th>Tệp</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {settings.backups.map((b) => (
                <Table.Tr key={b.path}>
                  <Table.Td>{formatDateTime(b.takenAt)}</Table.Td>
                  <Table.Td>{formatSize(b.size)}</Table.Td>
                  <Table.Td>
                    <Text size="xs" ff="monospace">
                      {b.path}
                    </Text>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
        <Text size="xs" c="dimmed">
          Khôi phục trên máy mới: cài vanthu, rồi chạy “vanthu restore TỆP_SAO_LƯU” khi thư mục dữ
          liệu còn trống; sổ được kiểm tra toàn vẹn trước khi dùng.
        </Text>
      </Stack>
    </form>
  );
}
