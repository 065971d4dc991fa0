import { lazy, Suspense, useEffect, useState } from "react";
import { Alert, AppShell, Center, Group, Loader, NavLink, Stack, Text, Title } from "@mantine/core";
import { commands, type AppInfo } from "./bindings";
import { SetupUnit } from "./pages/SetupUnit";
import { SECTIONS, type SectionId } from "./sections";
import { IncomingPage } from "./pages/IncomingPage";
import { SyncIndicator } from "./components/SyncIndicator";
import { NoticeBell } from "./components/NoticeBell";
import { mark } from "./marks";
import { errorMessage } from "./errors";

// Loaded when first opened: the start-up bundle carries only what the incoming list needs.
const SigningPage = lazy(() =>
  import("./pages/SigningPage").then((m) => ({ default: m.SigningPage })),
);
const SettingsPage = lazy(() =>
  import("./pages/SettingsPage").then((m) => ({ default: m.SettingsPage })),
);
const OutgoingPage = lazy(() =>
  import("./pages/OutgoingPage").then((m) => ({ default: m.OutgoingPage })),
);
const SearchPage = lazy(() =>
  import("./pages/SearchPage").then((m) => ({ default: m.SearchPage })),
);
const ReportsPage = lazy(() =>
  import("./pages/ReportsPage").then((m) => ({ default: m.ReportsPage })),
);
const AgenciesPage = lazy(() =>
  import("./pages/AgenciesPage").then((m) => ({ default: m.AgenciesPage })),
);

export function App() {
  const [section, setSection] = useState<SectionId>("incoming");
  const [openDoc, setOpenDoc] = useState<{ id: number; nonce: number } | null>(null);
  const [info, setInfo] = useState<AppInfo | null>(null);
  const [infoError, setInfoError] = useState<string | null>(null);

  useEffect(() => {
    commands.appInfo().then(
      (i) => {
        mark("app-info");
        setInfo(i);
      },
      (e) => setInfoError(errorMessage(e)),
    );
  }, []);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!e.altKey || e.ctrlKey || e.metaKey) return;
      const target = SECTIONS.find((s) => s.hotkey === e.key);
      if (target) {
        e.preventDefault();
        setSection(target.id);
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);

  if (infoError) {
    return (
      <Center h="100vh">
        <Alert color="red" title="Không mở được sổ văn bản">
          {infoError}
        </Alert>
      </Center>
    );
  }
  if (!info) {
    return (
      <Center h="100vh">
        <Loader />
      </Center>
    );
  }
  if (!info.unit) {
    return <SetupUnit onDone={(unit) => setInfo({ ...info, unit })} />;
  }
  return (
    <AppShell navbar={{ width: 220, breakpoint: 0 }} header={{ height: 48 }} padding="md">
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between">
          <Title order={4} c="red.8">
            Văn thư
          </Title>
          <SyncIndicator />
          <Group gap="xs">
            <NoticeBell
              onOpen={(n) => {
                if (n.section === "signing" || n.documentIds.length !== 1) {
                  setSection(n.section === "signing" ? "signing" : "incoming");
                  return;
                }
                setSection("incoming");
                setOpenDoc({ id: n.documentIds[0], nonce: n.seq });
              }}
            />
            <Text size="sm" c="dimmed" data-testid="unit">
              {info.unit.name}
            </Text>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs">
        <Stack gap={2} component="nav" aria-label="Điều hướng chính">
          {SECTIONS.map((s) => (
            <NavLink
              key={s.id}
              label={s.label}
              active={s.id === section}
              onClick={() => setSection(s.id)}
              data-section={s.id}
              aria-current={s.id === section ? "page" : undefined}
              rightSection={
                <Text size="xs" c="dimmed">
                  Alt+{s.hotkey}
                </Text>
              }
            />
          ))}
        </Stack>
      </AppShell.Navbar>
      <AppShell.Main>
        <Suspense fallback={<Loader />}>
          {section === "incoming" ? (
            <IncomingPage onOpenSection={setSection} open={openDoc} />
          ) : section === "settings" ? (
            <SettingsPage />
          ) : section === "signing" ? (
            <SigningPage />
          ) : section === "agencies" ? (
            <AgenciesPage />
          ) : section === "outgoing" ? (
            <OutgoingPage />
          ) : section === "search" ? (
            <SearchPage onOpenOutgoing={() => setSection("outgoing")} />
          ) : (
            <ReportsPage />
          )}
        </Suspense>
      </AppShell.Main>
    </AppShell>
  );
}
