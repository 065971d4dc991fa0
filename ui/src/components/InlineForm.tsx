import type { ReactNode } from "react";
import { Alert, Button, Group, Paper, Stack } from "@mantine/core";

/**
 * A small form inside a pane (no modal: nothing to trap focus in a narrow pane): the fields,
 * why the last try failed, then the action and "Hủy".
 */
export function InlineForm({
  testIds,
  error,
  busy,
  submitLabel,
  submitColor,
  onSubmit,
  onCancel,
  children,
}: {
  testIds: { form: string; error: string; confirm: string };
  error: string | null;
  busy: boolean;
  submitLabel: string;
  submitColor?: string;
  onSubmit: () => void;
  onCancel: () => void;
  children: ReactNode;
}) {
  return (
    <Paper withBorder p="xs" data-testid={testIds.form}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          onSubmit();
        }}
      >
        <Stack gap={6}>
          {children}
          {error && (
            <Alert color="red" p="xs" data-testid={testIds.error}>
              {error}
            </Alert>
          )}
          <Group gap="xs">
            <Button
              type="submit"
              size="xs"
              color={submitColor}
              loading={busy}
              data-testid={testIds.confirm}
            >
              {submitLabel}
            </Button>
            <Button size="xs" variant="subtle" onClick={onCancel}>
              Hủy
            </Button>
          </Group>
        </Stack>
      </form>
    </Paper>
  );
}
