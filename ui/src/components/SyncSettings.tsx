import { useEffect, useState } from "react";
import {
  Alert,
  Button,
  Group,
  NumberInput,
  PasswordInput,
  Stack,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { errorMessage } from "../errors";
import { commands, type SyncStatus } from "../bindings";

/**
 * "Đồng bộ trục liên thông" in Cài đặt: hub URL, agency code, secret (OS keyring), and the
 * systemId when the hub is a national axis's VXP API.
 */
export function SyncSettings() {
  const [hubUrl, setHubUrl] = useState("");
  const [agency, setAgency] = useState("");
  const [agencyName, setAgencyName] = useState("");
  const [systemId, setSystemId] = useState("");
  const [secret, setSecret] = useState("");
  const [hours, setHours] = useState<number>(24);
  const [status, setStatus] = useState<SyncStatus | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);

  useEffect(() => {
    Promise.resolve()
      .then(() => commands.syncStatus())
      .then(
        (s) => {
          setStatus(s);
          setHubUrl(s.hubUrl ?? "");
          setAgency(s.agency ?? "");
          setAgencyName(s.agencyName ?? "");
          setSystemId(s.vxpSystemId ?? "");
          setHours(s.overdueHours || 24);
        },
        () => setStatus(null),
      );
  }, []);

  const save = async () => {
    setError(null);
    setSaving(true);
    try {
      const s = await commands.syncSetup({
        hubUrl: hubUrl.trim(),
        agency: agency.trim(),
        agencyName: agencyName.trim(),
        secret,
        overdueHours: hours,
        vxpSystemId: systemId.trim() || null,
      });
      setStatus(s);
      setSecret("");
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setSaving(false);
    }
  };

  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
      data-testid="sync-settings"
    >
      <Stack gap="xs">
        <Title order={3}>Đồng bộ trục liên thông</Title>
        <TextInput
          label="Địa chỉ trục"
          placeholder="https://truc.example.gov.vn"
          value={hubUrl}
          onChange={(e) => setHubUrl(e.currentTarget.value)}
          name="hubUrl"
          required
        />
        <Group grow align="flex-end">
          <TextInput
            label="Mã định danh đơn vị (hoặc MÃ/MÁY)"
            description="Mã đơn vị, hoặc MÃ/MÁY khi đơn vị dùng nhiều máy, ví dụ 000.00.00.H34/LD cho máy của lãnh đạo…"
            placeholder="000.00.00.H34"
            value={agency}
            onChange={(e) => setAgency(e.currentTarget.value)}
            name="hubAgency"
            required
          />
          <TextInput
            label="Tên đơn vị"
            value={agencyName}
            onChange={(e) => setAgencyName(e.currentTarget.value)}
            name="hubAgencyName"
          />
        </Group>
        <TextInput
          label="Mã hệ thống trục VXP (systemId)"
          description="Chỉ điền khi đơn vị kết nối trục liên thông quốc gia theo giao thức VXP (như bộ SDK của Văn phòng Chính phủ): địa chỉ trục là điểm cuối …/vxp, mã định danh là mã đơn vị và khóa bí mật là khóa cấp cho systemId này. Để trống khi dùng trục vanthu."
          placeholder="để trống với trục vanthu"
          value={systemId}
          onChange={(e) => setSystemId(e.currentTarget.value)}
          name="vxpSystemId"
          w={420}
        />
        <PasswordInput
          label="Khóa bí mật"
          description={
            status?.configured
              ? "Để trống nếu giữ khóa đã lưu. Khóa được cất trong kho khóa của hệ điều hành."
              : "Khóa do trục cấp cho đơn vị; được cất trong kho khóa của hệ điều hành."
          }
          value={secret}
          onChange={(e) => setSecret(e.currentTarget.value)}
          name="hubSecret"
          autoComplete="off"
        />
        <NumberInput
          label="Cảnh báo khi đơn vị nhận chưa phản hồi sau (giờ)"
          min={1}
          max={24 * 30}
          value={hours}
          onChange={(v) => setHours(typeof v === "number" ? v : 24)}
          name="overdueHours"
          w={320}
        />
        <Group>
          <Button type="submit" loading={saving} data-testid="save-sync-settings">
            Lưu và kết nối
          </Button>
          <Text size="sm" c="dimmed" data-testid="sync-settings-status">
            {status?.configured
              ? `Đang dùng trục ${status.hubUrl ?? ""}${status.vxpSystemId ? ` (VXP, systemId ${status.vxpSystemId})` : ""}`
              : "Chưa cấu hình"}
          </Text>
        </Group>
        {error && (
          <Alert color="red" data-testid="sync-settings-error">
            {error}
          </Alert>
        )}
      </Stack>
    </form>
  );
}

/**
 * "Cấp số theo khối" (docs/sync.md, numbering while offline): the desktop id under which this
 * machine takes blocks of numbers from the hub; empty = this machine numbers alone.
 */
export function NumberingDesktopSetting() {
  const [desktop, setDesktop] = useState("");
  const [saved, setSaved] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    Promise.resolve()
      .then(() => commands.numberingDesktop())
      .then(
        (d) => {
          setSaved(d);
          setDesktop(d ?? "");
        },
        () => {},
      );
  }, []);

  const save = async () => {
    setError(null);
    try {
      const d = await commands.setNumberingDesktop(desktop.trim() || null);
      setSaved(d);
      setDesktop(d ?? "");
    } catch (e) {
      setError(errorMessage(e));
    }
  };

  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
      data-testid="numbering-settings"
    >
      <Stack gap="xs">
        <Group align="flex-end">
          <TextInput
            label="Mã máy cấp số theo khối"
            description="Khi nhiều máy cùng vào sổ của đơn vị (ví dụ VT1); để trống nếu chỉ một máy cấp số."
            placeholder="VT1"
            value={desktop}
            onChange={(e) => setDesktop(e.currentTarget.value)}
            name="numberingDesktop"
            w={420}
          />
          <Button type="submit" variant="light" data-testid="save-numbering">
            Lưu
          </Button>
        </Group>
        <Text size="sm" c="dimmed" data-testid="numbering-status">
          {saved ? `Cấp số theo khối, máy ${saved}` : "Cấp số tại máy (một máy)"}
        </Text>
        {error && (
          <Alert color="red" data-testid="numbering-error">
            {error}
          </Alert>
        )}
      </Stack>
    </form>
  );
}
