import { useEffect, useRef, useState, type ReactNode } from "react";
import { Alert, Button, Group, Paper, PasswordInput, Stack, Text, Title } from "@mantine/core";
import { acceptablePin } from "../signing";

interface Props {
  /** How many documents one PIN entry will sign. */
  count: number;
  holder: string;
  busy: boolean;
  /** The last error, already in Vietnamese (e.g. "Sai mã PIN — còn ít lần thử."). */
  error: string | null;
  onSubmit: (pin: string) => void;
  onCancel: () => void;
  /** What this PIN entry does, instead of "Ký N văn bản…" (e.g. the arrival stamp). */
  message?: ReactNode;
  /** The submit button's label; "Ký (Enter)" by default. */
  submitLabel?: string;
}

/**
 * PIN entry: masked, Enter signs, Esc cancels. A plain overlay (no portal or focus trap):
 * the PIN lives only in this component's state and is cleared after every submit.
 */
export function PinDialog({
  count,
  holder,
  busy,
  error,
  onSubmit,
  onCancel,
  message,
  submitLabel = "Ký (Enter)",
}: Props) {
  const [pin, setPin] = useState("");
  const input = useRef<HTMLInputElement>(null);

  useEffect(() => {
    input.current?.focus();
  }, [error]);

  const submit = () => {
    if (busy || !acceptablePin(pin)) return;
    const p = pin;
    setPin("");
    onSubmit(p);
  };

  return (
    <div
      style={{
        position: "fixed",
        inset: 0,
        background: "rgba(0,0,0,0.35)",
        display: "flex",
        alignItems: "center",
        justifyContent: "center",
        zIndex: 300,
      }}
    >
      <Paper
        role="dialog"
        aria-modal="true"
        aria-labelledby="pin-title"
        data-testid="pin-dialog"
        shadow="lg"
        p="lg"
        w={420}
        withBorder
      >
        <form
          onSubmit={(e) => {
            e.preventDefault();
            submit();
          }}
        >
          <Stack gap="sm">
            <Title order={4} id="pin-title">
              Nhập mã PIN của token
            </Title>
            <Text size="sm">
              {message ?? (
                <>
                  Ký {count} văn bản bằng chứng thư của <b>{holder}</b>.
                </>
              )}{" "}
              Mã PIN chỉ dùng cho lần ký này, không được lưu.
            </Text>
            <PasswordInput
              ref={input}
              label="Mã PIN"
              value={pin}
              onChange={(e) => setPin(e.currentTarget.value)}
              onKeyDown={(e) => {
                if (e.key === "Escape") {
                  e.preventDefault();
                  setPin("");
                  onCancel();
                }
              }}
              autoComplete="off"
              disabled={busy}
              data-testid="pin-input"
              name="pin"
            />
            {error && (
              <Alert color="red" data-testid="pin-error">
                {error}
              </Alert>
            )}
            <Group justify="flex-end">
              <Button
                variant="default"
                onClick={() => {
                  setPin("");
                  onCancel();
                }}
                disabled={busy}
                data-testid="pin-cancel"
              >
                Hủy (Esc)
              </Button>
              <Button
                type="submit"
                loading={busy}
                disabled={!acceptablePin(pin)}
                data-testid="pin-submit"
              >
                {submitLabel}
              </Button>
            </Group>
          </Stack>
        </form>
      </Paper>
    </div>
  );
}
