import { useEffect, useState } from "react";
import { Badge, Button, Popover, Stack, Text, UnstyledButton } from "@mantine/core";
import { commands, type NoticeView } from "../bindings";
import { onNoticeGiven } from "../tauri";

/**
 * "Thông báo": the notices this desktop gave (new documents, drafts to sign, work assigned,
 * deadlines), newest first; a click opens the notice's document (or Chờ ký). The OS
 * notification cannot do that itself on Linux and Windows desktops.
 */
export function NoticeBell({ onOpen }: { onOpen: (n: NoticeView) => void }) {
  const [notices, setNotices] = useState<NoticeView[]>([]);
  const [seen, setSeen] = useState(0);
  const [opened, setOpened] = useState(false);

  useEffect(() => {
    let live = true;
    Promise.resolve()
      .then(() => commands.recentNotices())
      .then(
        (n) => live && setNotices(n),
        () => {},
      );
    let unlisten: (() => void) | undefined;
    void onNoticeGiven((n) => setNotices((all) => [n, ...all.filter((x) => x.seq !== n.seq)])).then(
      (u) => (live ? (unlisten = u) : u()),
    );
    return () => {
      live = false;
      unlisten?.();
    };
  }, []);

  const newest = notices[0]?.seq ?? 0;
  const unseen = notices.filter((n) => n.seq > seen).length;
  return (
    <Popover opened={opened} onChange={setOpened} position="bottom-end" width={360} shadow="md">
      <Popover.Target>
        <Button
          size="xs"
          variant="subtle"
          data-testid="notice-bell"
          onClick={() => {
            setOpened((o) => !o);
            setSeen(newest);
          }}
        >
          Thông báo
          {unseen > 0 && (
            <Badge size="xs" color="red" ml={4} data-testid="notice-count">
              {unseen}
            </Badge>
          )}
        </Button>
      </Popover.Target>
      <Popover.Dropdown>
        {notices.length === 0 ? (
          <Text size="sm" c="dimmed">
            Chưa có thông báo.
          </Text>
        ) : (
          <Stack gap={6} data-testid="notice-list">
            {notices.map((n) => (
              <UnstyledButton
                key={n.seq}
                data-testid="notice-item"
                onClick={() => {
                  setOpened(false);
                  onOpen(n);
                }}
              >
                <Text size="sm" fw={500}>
                  {n.title}
                </Text>
                <Text size="xs" c="dimmed">
                  {n.at} · {n.body}
                </Text>
              </UnstyledButton>
            ))}
          </Stack>
        )}
      </Popover.Dropdown>
    </Popover>
  );
}
