import { Alert, Button, Group } from "@mantine/core";

/** The end of a modal form: why saving failed, if it did, then "Hủy (Esc)" and the save button. */
export function FormFooter({
  error,
  errorTitle,
  errorTestId,
  onCancel,
  saving,
  submitLabel,
  submitTestId,
}: {
  error: string | null;
  errorTitle: string;
  errorTestId: string;
  onCancel: () => void;
  saving: boolean;
  submitLabel: string;
  submitTestId?: string;
}) {
  return (
    <>
      {error && (
        <Alert color="red" title={errorTitle} data-testid={errorTestId}>
          {error}
        </Alert>
      )}
      <Group justify="flex-end">
        <Button variant="default" onClick={onCancel}>
          Hủy (Esc)
        </Button>
        <Button type="submit" loading={saving} data-testid={submitTestId}>
          {submitLabel}
        </Button>
      </Group>
    </>
  );
}
