import { useState } from "react";
import { Alert, Button, Center, Paper, Stack, Text, TextInput, Title } from "@mantine/core";
import { commands, type Agency } from "../bindings";
import { errorMessage } from "../errors";

/** First run: the register must know which unit it belongs to before anything is numbered. */
export function SetupUnit({ onDone }: { onDone: (unit: Agency) => void }) {
  const [code, setCode] = useState("");
  const [name, setName] = useState("");
  const [error, setError] = useState<string | null>(null);

  const submit = async () => {
    setError(null);
    if (!code.trim() || !name.trim()) {
      setError("Nhập đủ mã định danh và tên đơn vị");
      return;
    }
    try {
      onDone(await commands.initUnit(code.trim(), name.trim()));
    } catch (e) {
      setError(errorMessage(e));
    }
  };

  return (
    <Center h="100vh">
      <Paper withBorder p="xl" w={520}>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void submit();
          }}
          aria-label="Khởi tạo đơn vị"
        >
          <Stack>
            <Title order={2}>Khởi tạo sổ văn bản</Title>
            <Text size="sm" c="dimmed">
              Nhập mã định danh (theo Thông tư 10/2016/TT-BTTTT) và tên đơn vị sử dụng sổ này.
            </Text>
            <TextInput
              label="Mã định danh đơn vị"
              placeholder="000.00.00.H40"
              value={code}
              onChange={(e) => setCode(e.currentTarget.value)}
              name="unitCode"
              data-autofocus
              autoFocus
            />
            <TextInput
              label="Tên đơn vị"
              placeholder="Ủy ban nhân dân tỉnh Nghệ An"
              value={name}
              onChange={(e) => setName(e.currentTarget.value)}
              name="unitName"
            />
            {error && (
              <Alert color="red" data-testid="setup-error">
                {error}
              </Alert>
            )}
            <Button type="submit">Bắt đầu</Button>
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}
