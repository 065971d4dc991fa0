import { Stack, Text, Title } from "@mantine/core";

/** Sections whose back-end has not landed yet show their title and an honest empty state. */
export function PlaceholderPage({ title }: { title: string }) {
  return (
    <Stack>
      <Title order={2}>{title}</Title>
      <Text c="dimmed">Chức năng này đang được xây dựng.</Text>
    </Stack>
  );
}
