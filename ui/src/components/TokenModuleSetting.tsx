import { useEffect, useState } from "react";
import { Alert, Button, Group, Stack, Text, TextInput } from "@mantine/core";
import { commands, type SigningSettingsDto } from "../bindings";
import { errorMessage } from "../errors";

/** Cài đặt → "Thiết bị ký số (token)": the PKCS#11 library of the leader's token. */
export function TokenModuleSetting() {
  const [path, setPath] = useState("");
  const [s, setS] = useState<SigningSettingsDto | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    commands.getSigningSettings().then(
      (v) => {
        setS(v);
        setPath(v.pkcs11Module ?? "");
      },
      (e) => setError(errorMessage(e)),
    );
  }, []);

  const save = async () => {
    setError(null);
    try {
      setS(await commands.setTokenModule(path.trim() || null));
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
    >
      <Stack gap="xs">
        <TextInput
          label="Thiết bị ký số (token)"
          description="Thư viện PKCS#11 của token (tệp .dll hoặc .so do nhà cung cấp cài). Để trống: tự tìm theo danh sách các token thông dụng (Ban Cơ yếu, Viettel-CA, VNPT-CA, BkavCA, FPT-CA…)."
          placeholder={s?.knownModules[0] ?? "C:\\Windows\\System32\\vnpt-ca_csp11.dll"}
          value={path}
          onChange={(e) => setPath(e.currentTarget.value)}
          name="pkcs11Module"
          data-testid="token-module"
        />
        <Group>
          <Button type="submit" variant="default" data-testid="save-token-module">
            Lưu
          </Button>
          <Text size="sm" c="dimmed" data-testid="token-module-status">
            {s?.effectiveModule
              ? `Đang dùng: ${s.effectiveModule}`
              : "Chưa tìm thấy thư viện token"}
            {s?.envOverride ? " (đặt bởi biến môi trường VANTHU_PKCS11_MODULE)" : ""}
          </Text>
        </Group>
        {error && (
          <Alert color="red" data-testid="token-module-error">
            {error}
          </Alert>
        )}
      </Stack>
    </form>
  );
}
