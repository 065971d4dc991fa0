import { Alert, Badge, Group, List, Paper, Stack, Text } from "@mantine/core";
import type { DocSignResult } from "../bindings";
import { formatDateTime } from "../format";
import { summarizeResult } from "../signing";

/** One panel per document of the batch: signed and verified, or why not. */
export function SignResults({ results }: { results: DocSignResult[] }) {
  return (
    <Stack gap="xs" data-testid="sign-results">
      {results.map((r) => {
        const s = summarizeResult(r);
        return (
          <Paper key={r.id} withBorder p="sm" data-testid="sign-result" data-doc-id={r.id}>
            <Group justify="space-between" wrap="nowrap">
              <Text size="sm" fw={500} lineClamp={1}>
                {r.notation} — {r.subject}
              </Text>
              <Badge color={s.ok ? "green" : "red"} data-testid="sign-result-status">
                {s.headline}
              </Badge>
            </Group>
            {r.signatures.map((sig) => (
              <Text size="xs" c="dimmed" key={sig.field}>
                {sig.signer} · {formatDateTime(sig.signingTime)} · {sig.level}
              </Text>
            ))}
            {s.problems.length > 0 && (
              <Alert color="red" mt="xs" p="xs">
                <List size="sm">
                  {s.problems.map((p) => (
                    <List.Item key={p}>{p}</List.Item>
                  ))}
                </List>
              </Alert>
            )}
            {s.notes.map((n) => (
              <Text size="xs" c="orange.8" key={n}>
                {n}
              </Text>
            ))}
          </Paper>
        );
      })}
    </Stack>
  );
}
