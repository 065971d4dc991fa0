import { useState } from "react";
import {
  Alert,
  Button,
  Checkbox,
  Group,
  NativeSelect,
  Paper,
  Text,
  TextInput,
} from "@mantine/core";
import { commands, type ExportFormat } from "../bindings";
import { errorMessage } from "../errors";

/** "In sổ đăng ký": the NĐ 30 register book of a year, as PDF (with a cover) or Excel. */
export function RegisterBookPanel() {
  const [incoming, setIncoming] = useState(true);
  const [year, setYear] = useState(String(new Date().getFullYear()));
  const [secret, setSecret] = useState(false);
  const [saved, setSaved] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<ExportFormat | null>(null);

  const print = async (format: ExportFormat) => {
    const y = Number(year.trim());
    if (!Number.isInteger(y) || y < 1945 || y > 9999) {
      setError("Năm không hợp lệ");
      return;
    }
    setBusy(format);
    setSaved(null);
    try {
      setSaved(await commands.exportRegisterBook({ incoming, year: y, secret }, format));
      setError(null);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(null);
    }
  };

  return (
    <Paper withBorder p="sm" data-testid="register-book">
      <Text fw={600} mb="xs">
        In sổ đăng ký văn bản (mẫu Nghị định 30/2020/NĐ-CP)
      </Text>
      <Group align="flex-end">
        <NativeSelect
          label="Sổ"
          data={[
            { value: "incoming", label: "Sổ đăng ký văn bản đến" },
            { value: "outgoing", label: "Sổ đăng ký văn bản đi" },
          ]}
          value={incoming ? "incoming" : "outgoing"}
          onChange={(e) => setIncoming(e.currentTarget.value === "incoming")}
          name="bookRegister"
        />
        <TextInput
          label="Năm"
          value={year}
          onChange={(e) => setYear(e.currentTarget.value)}
          name="bookYear"
          w={90}
        />
        <Checkbox
          label="Sổ văn bản mật"
          checked={secret}
          onChange={(e) => setSecret(e.currentTarget.checked)}
          mb={8}
        />
        <Button loading={busy === "pdf"} onClick={() => void print("pdf")} data-testid="book-pdf">
          In sổ (PDF)
        </Button>
        <Button
          variant="light"
          loading={busy === "xlsx"}
          onClick={() => void print("xlsx")}
          data-testid="book-xlsx"
        >
          Xuất Excel
        </Button>
      </Group>
      {error && (
        <Alert color="red" mt="xs" data-testid="book-error">
          {error}
        </Alert>
      )}
      {saved && (
        <Alert color="green" mt="xs" data-testid="book-saved">
          Đã lưu: {saved}
        </Alert>
      )}
    </Paper>
  );
}
