import { useEffect, useState } from "react";
import { Alert, Button, Group, Stack, Text, TextInput, Title } from "@mantine/core";
import { commands, type AppInfo } from "../bindings";
import { TokenModuleSetting } from "../components/TokenModuleSetting";
import { NumberingDesktopSetting, SyncSettings } from "../components/SyncSettings";
import { BackupSettings } from "../components/BackupSettings";
import { YearClosingSetting } from "../components/YearClosingSetting";
import { PeopleSettings } from "../components/PeopleSettings";
import { UnitSealSetting } from "../components/UnitSealSetting";
import { errorMessage } from "../errors";

export function SettingsPage() {
  const [folder, setFolder] = useState("");
  const [saved, setSaved] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [info, setInfo] = useState<AppInfo | null>(null);

  useEffect(() => {
    commands.getSettings().then(
      (s) => {
        setFolder(s.scanFolder ?? "");
        setSaved(s.scanFolder);
      },
      (e) => setError(errorMessage(e)),
    );
    commands.appInfo().then(setInfo, () => setInfo(null));
  }, []);

  const save = async () => {
    setError(null);
    try {
      const s = await commands.setScanFolder(folder.trim() || null);
      setSaved(s.scanFolder);
    } catch (e) {
      setError(errorMessage(e));
    }
  };

  return (
    <Stack maw={720}>
      <Title order={2}>Cài đặt</Title>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <Stack gap="xs">
          <TextInput
            label="Thư mục quét"
            description="Mỗi tệp PDF máy quét lưu vào thư mục này sẽ hiện ở mục “Chờ vào sổ”. Tệp chỉ được chuyển khỏi thư mục sau khi đã lưu an toàn."
            placeholder="/home/vanthu/Scans"
            value={folder}
            onChange={(e) => setFolder(e.currentTarget.value)}
            name="scanFolder"
          />
          <Group>
            <Button type="submit" data-testid="save-settings">
              Lưu
            </Button>
            <Text size="sm" c="dimmed" data-testid="scan-status">
              {saved ? `Đang theo dõi: ${saved}` : "Chưa đặt thư mục quét"}
            </Text>
          </Group>
          {error && (
            <Alert color="red" data-testid="settings-error">
              {error}
            </Alert>
          )}
        </Stack>
      </form>
      <PeopleSettings />
      <UnitSealSetting />
      <TokenModuleSetting />
      <SyncSettings />
      <NumberingDesktopSetting />
      <YearClosingSetting />
      <BackupSettings />
      {info && (
        <Text size="sm" c="dimmed">
          Phiên bản {info.version} · Dữ liệu: {info.dataDir}
        </Text>
      )}
    </Stack>
  );
}
