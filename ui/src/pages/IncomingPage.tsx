import { useCallback, useEffect, useRef, useState } from "react";
import {
  Alert,
  Badge,
  Button,
  Group,
  NativeSelect,
  Paper,
  Stack,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { commands, type Draft, type IncomingRow, type ListSort, type Urgency } from "../bindings";
import { IncomingTable } from "../components/IncomingTable";
import { DashboardStrip } from "../components/DashboardStrip";
import type { SectionId } from "../sections";
import { DetailPane } from "../components/DetailPane";
import { RegisterForm } from "../components/RegisterForm";
import { URGENCY_OPTIONS } from "../registerForm";
import { useIncomingRows, type IncomingFilter } from "../hooks/useIncomingRows";
import { onDraftsChanged, onIncomingChanged } from "../tauri";
import { flushMarks, mark } from "../marks";

const STATUS_OPTIONS = [
  { value: "", label: "Mọi trạng thái" },
  { value: "registered", label: "Đã vào sổ" },
  { value: "assigned", label: "Đã phân công" },
  { value: "in_progress", label: "Đang xử lý" },
  { value: "completed", label: "Hoàn thành" },
  { value: "rejected", label: "Từ chối" },
];

/** Once per page load: the moment the first rows of the register were painted. */
let firstRowMarked = false;

function markFirstRows() {
  if (firstRowMarked || typeof requestAnimationFrame === "undefined") return;
  firstRowMarked = true;
  // The frame after the commit is the one that shows the rows.
  requestAnimationFrame(() => {
    performance.mark("vanthu:first-row");
    mark("first-row");
    flushMarks("first-row");
  });
}

export function IncomingPage({
  onOpenSection,
  open,
}: {
  /** Chờ ký and Chưa phản hồi on the start page open their sections. */
  onOpenSection?: (s: SectionId) => void;
  /** A document to show at once (a notice of the header's bell); `nonce` repeats a request. */
  open?: { id: number; nonce: number } | null;
} = {}) {
  const [search, setSearch] = useState("");
  // Short enough to feel instant, long enough not to query on every keystroke of a word.
  const [debounced] = useDebouncedValue(search, 80);
  const [filter, setFilter] = useState<Omit<IncomingFilter, "search">>({
    urgency: null,
    status: null,
  });
  const [registerSize, setRegisterSize] = useState<number | null>(null);
  const [sort, setSort] = useState<ListSort | null>(null);
  const rows = useIncomingRows({ ...filter, search: debounced, sort });
  const [selected, setSelected] = useState<number | null>(null);
  // A document opened by id (a notice), shown until a row of the list is picked.
  const [opened, setOpened] = useState<number | null>(null);
  useEffect(() => {
    if (!open) return;
    setSelected(null);
    setOpened(open.id);
  }, [open]);
  const [formOpen, setFormOpen] = useState(false);
  const [draft, setDraft] = useState<Draft | null>(null);
  const [drafts, setDrafts] = useState<Draft[]>([]);
  const [notice, setNotice] = useState<string | null>(null);
  const searchRef = useRef<HTMLInputElement>(null);
  // Bumped whenever the register may have changed: the start page's numbers follow.
  const [version, setVersion] = useState(0);

  const selectedRow: IncomingRow | undefined = selected !== null ? rows.rows[selected] : undefined;
  const filtered = debounced.trim() !== "" || filter.urgency !== null || filter.status !== null;

  const loadCount = useCallback(() => {
    commands.countIncoming().then(setRegisterSize, () => setRegisterSize(null));
  }, []);
  // Counting a large register reads a whole index (~1 s with a cold disk cache at 1M
  // documents): asked only once the first rows are on screen, so it never delays them.
  const { loaded } = rows;
  useEffect(() => {
    if (loaded) loadCount();
  }, [loaded, loadCount]);

  const loadDrafts = useCallback(() => {
    commands.listDrafts().then(setDrafts, () => setDrafts([]));
  }, []);

  useEffect(() => {
    loadDrafts();
    let unlisten: (() => void) | undefined;
    onDraftsChanged(loadDrafts).then((u) => (unlisten = u));
    return () => unlisten?.();
  }, [loadDrafts]);

  useEffect(() => setSelected(null), [debounced, filter, sort]);

  const anyRows = rows.rows.length > 0;
  useEffect(() => {
    if (anyRows) markFirstRows();
  }, [anyRows]);

  // Packages the sync engine imported appear without leaving the page.
  const { reload } = rows;
  useEffect(() => {
    let unlisten: (() => void) | undefined;
    onIncomingChanged(() => {
      reload();
      loadCount();
      setVersion((v) => v + 1);
    }).then((u) => (unlisten = u));
    return () => unlisten?.();
  }, [reload, loadCount]);

  const openForm = useCallback((d: Draft | null) => {
    setDraft(d);
    setFormOpen(true);
  }, []);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.ctrlKey && !e.altKey && (e.key === "n" || e.key === "N")) {
        e.preventDefault();
        openForm(null);
      } else if (e.ctrlKey && (e.key === "f" || e.key === "F")) {
        e.preventDefault();
        searchRef.current?.focus();
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [openForm]);

  const onRegistered = (row: IncomingRow, stampedFile?: string) => {
    setFormOpen(false);
    setDraft(null);
    setNotice(
      `Đã vào sổ: số đến ${row.arrivalNumber} — ${row.notation}` +
        (stampedFile ? ` — đã đóng dấu đến (${stampedFile})` : ""),
    );
    rows.reload();
    loadCount();
    loadDrafts();
    setVersion((v) => v + 1);
  };

  return (
    <Stack h="calc(100vh - 48px - 2 * var(--mantine-spacing-md))" gap="sm">
      <Group justify="space-between">
        <Title order={2}>Văn bản đến</Title>
        <Button onClick={() => openForm(null)} data-testid="new-incoming">
          Vào sổ mới (Ctrl+N)
        </Button>
      </Group>
      <DashboardStrip version={version} onFind={setSearch} onOpenSection={onOpenSection} />
      {notice && (
        <Alert color="green" withCloseButton onClose={() => setNotice(null)} data-testid="notice">
          {notice}
        </Alert>
      )}
      {drafts.length > 0 && (
        <Paper withBorder p="xs" data-testid="drafts">
          <Group gap="xs">
            <Badge color="yellow" variant="filled">
              Chờ vào sổ: {drafts.length}
            </Badge>
            {drafts.map((d) => (
              <Button
                key={d.id}
                size="compact-sm"
                variant="light"
                onClick={() => openForm(d)}
                data-draft={d.fileName}
              >
                {d.fileName}
              </Button>
            ))}
          </Group>
        </Paper>
      )}
      <Group gap="sm" align="flex-end">
        <TextInput
          ref={searchRef}
          style={{ flex: 1 }}
          placeholder="Tìm theo số, ký hiệu, trích yếu, nơi gửi… (gõ không dấu cũng được, Ctrl+F)"
          aria-label="Tìm kiếm văn bản đến"
          value={search}
          onChange={(e) => setSearch(e.currentTarget.value)}
          data-testid="search"
        />
        <NativeSelect
          aria-label="Lọc độ khẩn"
          data={[{ value: "", label: "Mọi độ khẩn" }, ...URGENCY_OPTIONS]}
          value={filter.urgency ?? ""}
          onChange={(e) =>
            setFilter((f) => ({ ...f, urgency: (e.currentTarget.value || null) as Urgency | null }))
          }
        />
        <NativeSelect
          aria-label="Lọc trạng thái"
          data={STATUS_OPTIONS}
          value={filter.status ?? ""}
          onChange={(e) => setFilter((f) => ({ ...f, status: e.currentTarget.value || null }))}
        />
        <Text size="sm" c="dimmed" data-testid="total">
          {!rows.loaded
            ? "…"
            : filtered
              ? `${rows.rows.length.toLocaleString("vi-VN")}${rows.hasMore ? "+" : ""} kết quả`
              : registerSize !== null || !rows.hasMore
                ? `${(registerSize ?? rows.rows.length).toLocaleString("vi-VN")} văn bản`
                : "… văn bản"}
        </Text>
      </Group>
      {rows.error && <Alert color="red">{rows.error}</Alert>}
      <Group align="stretch" gap="sm" style={{ flex: 1, minHeight: 0 }} wrap="nowrap">
        <Paper withBorder style={{ flex: 1, minWidth: 0 }}>
          {rows.loaded && rows.rows.length === 0 ? (
            <Text c="dimmed" p="md" data-testid="empty">
              {debounced ? "Không tìm thấy văn bản phù hợp." : "Sổ chưa có văn bản đến nào."}
            </Text>
          ) : (
            <IncomingTable
              rows={rows.rows}
              hasMore={rows.hasMore}
              loadMore={rows.loadMore}
              selectedIndex={selected}
              onSelect={(i) => {
                setOpened(null);
                setSelected(i);
              }}
              sort={sort}
              onSort={setSort}
            />
          )}
        </Paper>
        {/* Only a selected document takes room from the list. */}
        {(selectedRow || opened !== null) && (
          <Paper withBorder p="sm" w={300} style={{ overflow: "auto", flexShrink: 0 }}>
            <DetailPane id={selectedRow?.id ?? (opened as number)} />
          </Paper>
        )}
      </Group>
      <RegisterForm
        opened={formOpen}
        draft={draft}
        onClose={() => setFormOpen(false)}
        onRegistered={onRegistered}
      />
    </Stack>
  );
}
