import { Button, Group, Text } from "@mantine/core";

/** The files attached to a form, each with "Bỏ" to take it off again. */
export function AttachmentList({
  files,
  onRemove,
}: {
  files: string[];
  onRemove: (path: string) => void;
}) {
  return (
    <>
      {files.map((f) => (
        <Group key={f} justify="space-between">
          <Text size="sm">📎 {f.split(/[\\/]/).pop()}</Text>
          <Button size="compact-xs" variant="subtle" onClick={() => onRemove(f)}>
            Bỏ
          </Button>
        </Group>
      ))}
    </>
  );
}
