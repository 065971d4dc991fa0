import { useCallback, useEffect, useState } from "react";
import {
  Alert,
  Button,
  Group,
  NativeSelect,
  Paper,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { commands, type Piece, type SearchRow, type StateOption } from "../bindings";
import { errorMessage } from "../errors";
import { formatDate } from "../format";
import { EMPTY_FIELDS, toSearchForm, type SearchFields } from "../searchForm";
import { SECRECY_OPTIONS, URGENCY_OPTIONS } from "../registerForm";
import { DetailPane } from "../components/DetailPane";

/** Trích yếu with the words the search matched in bold on a highlight. */
export function MarkedText({ pieces }: { pieces: Piece[] }) {
  return (
    <>
      {pieces.map((p, i) =>
        p.hit ? (
          <mark key={i} data-hit="">
            {p.text}
          </mark>
        ) : (
          <span key={i}>{p.text}</span>
        ),
      )}
    </>
  );
}

/**
 * "Tra cứu": both registers with every filter of `vanthu search`; a row opens the document
 * (an incoming one beside the list, an outgoing one in "Văn bản đi").
 */
export function SearchPage({ onOpenOutgoing }: { onOpenOutgoing?: (id: number) => void }) {
  const [fields, setFields] = useState<SearchFields>(EMPTY_FIELDS);
  const [states, setStates] = useState<StateOption[]>([]);
  const [rows, setRows] = useState<SearchRow[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [selected, setSelected] = useState<number | null>(null);

  useEffect(() => {
    commands.searchStates().then(setStates, () => setStates([]));
  }, []);

  const run = useCallback(
    async (cursor: string | null) => {
      const built = toSearchForm(fields, cursor);
      if (!built.ok) {
        setError(built.error);
        return;
      }
      setError(null);
      setBusy(true);
      try {
        const page = await commands.searchDocuments(built.form);
        setRows((old) => (cursor && old ? [...old, ...page.rows] : page.rows));
        setNext(page.nextCursor);
        if (!cursor) setSelected(null);
      } catch (e) {
        setError(errorMessage(e));
      } finally {
        setBusy(false);
      }
    },
    [fields],
  );

  const set =
    (key: keyof SearchFields) => (e: React.ChangeEvent<HTMLInputElement | HTMLSelectElement>) => {
      // Read now: React clears currentTarget before the updater runs.
      const value = e.currentTarget.value;
      setFields((f) => ({ ...f, [key]: value }));
    };

  const stateOptions = [
    { value: "", label: "Mọi trạng thái" },
    ...states
      .filter((s) => !fields.register || s.register === fields.register)
      .map((s) => ({
        value: s.value,
        label: fields.register
          ? s.label
          : `${s.label} (${s.register === "incoming" ? "đến" : "đi"})`,
      })),
  ];

  const open = (r: SearchRow) => {
    if (r.register === "outgoing") onOpenOutgoing?.(r.id);
    else setSelected(r.id);
  };

  return (
    <Stack h="calc(100vh - 90px)" gap="sm">
      <Title order={2}>Tra cứu</Title>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void run(null);
        }}
        data-testid="search-form"
      >
        <Stack gap="xs">
          <Group align="flex-end">
            <TextInput
              style={{ flex: 1 }}
              label="Từ khóa"
              placeholder="Số, ký hiệu, trích yếu, nội dung tệp PDF… (gõ không dấu cũng được)"
              value={fields.text}
              onChange={set("text")}
              name="text"
            />
            <NativeSelect
              label="Sổ"
              data={[
                { value: "", label: "Cả văn bản đến và đi" },
                { value: "incoming", label: "Văn bản đến" },
                { value: "outgoing", label: "Văn bản đi" },
              ]}
              value={fields.register}
              onChange={set("register")}
              name="register"
            />
            <Button type="submit" loading={busy} data-testid="search-submit">
              Tìm
            </Button>
            <Button
              variant="subtle"
              onClick={() => {
                setFields(EMPTY_FIELDS);
                setRows(null);
                setError(null);
              }}
            >
              Xóa điều kiện
            </Button>
          </Group>
          <SimpleGrid cols={4} spacing="xs">
            <TextInput
              label="Cơ quan ban hành"
              placeholder="Mã định danh hoặc tên"
              value={fields.sender}
              onChange={set("sender")}
              name="sender"
            />
            <TextInput
              label="Loại văn bản"
              placeholder="Công văn, QĐ…"
              value={fields.docType}
              onChange={set("docType")}
              name="docType"
            />
            <TextInput
              label="Từ ngày"
              placeholder="dd/mm/yyyy"
              value={fields.dateFrom}
              onChange={set("dateFrom")}
              name="dateFrom"
            />
            <TextInput
              label="Đến ngày"
              placeholder="dd/mm/yyyy"
              value={fields.dateTo}
              onChange={set("dateTo")}
              name="dateTo"
            />
            <NativeSelect
              label="Trạng thái"
              data={stateOptions}
              value={fields.state}
              onChange={set("state")}
              name="state"
            />
            <NativeSelect
              label="Độ khẩn"
              data={[{ value: "", label: "Mọi độ khẩn" }, ...URGENCY_OPTIONS]}
              value={fields.urgency}
              onChange={set("urgency")}
              name="urgency"
            />
            <NativeSelect
              label="Độ mật"
              data={[{ value: "", label: "Mọi độ mật" }, ...SECRECY_OPTIONS]}
              value={fields.secrecy}
              onChange={set("secrecy")}
              name="secrecy"
            />
            <TextInput
              label="Đơn vị, người xử lý"
              value={fields.handler}
              onChange={set("handler")}
              name="handler"
            />
          </SimpleGrid>
        </Stack>
      </form>
      {error && (
        <Alert color="red" data-testid="search-error">
          {error}
        </Alert>
      )}
      <Group align="stretch" gap="sm" style={{ flex: 1, minHeight: 0 }} wrap="nowrap">
        <Paper withBorder style={{ flex: 1, minWidth: 0, overflow: "auto" }}>
          {rows === null ? (
            <Text c="dimmed" p="md">
              Nhập từ khóa hoặc chọn điều kiện rồi bấm “Tìm”.
            </Text>
          ) : rows.length === 0 ? (
            <Text c="dimmed" p="md" data-testid="search-empty">
              Không tìm thấy văn bản phù hợp.
            </Text>
          ) : (
            <Table highlightOnHover data-testid="search-results">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Sổ</Table.Th>
                  <Table.Th>Số</Table.Th>
                  <Table.Th>Ngày</Table.Th>
                  <Table.Th>Số, ký hiệu</Table.Th>
                  <Table.Th>Trích yếu</Table.Th>
                  <Table.Th>Cơ quan</Table.Th>
                  <Table.Th>Trạng thái</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {rows.map((r) => (
                  <Table.Tr
                    key={`${r.register}-${r.id}`}
                    onClick={() => open(r)}
                    style={{ cursor: "pointer" }}
                    bg={r.register === "incoming" && r.id === selected ? "blue.0" : undefined}
                    data-result={r.id}
                  >
                    <Table.Td>{r.register === "incoming" ? "Đến" : "Đi"}</Table.Td>
                    <Table.Td>{r.numberLabel}</Table.Td>
                    <Table.Td>{formatDate(r.date)}</Table.Td>
                    <Table.Td>{r.notation}</Table.Td>
                    <Table.Td>
                      <MarkedText pieces={r.subject} />
                      {r.excerpt && (
                        <Text size="xs" c="dimmed" data-testid="excerpt">
                          Trong tệp: <MarkedText pieces={r.excerpt} />
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td>{r.sender ?? ""}</Table.Td>
                    <Table.Td>{r.stateLabel}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )}
          {next && (
            <Group justify="center" p="xs">
              <Button variant="light" loading={busy} onClick={() => void run(next)}>
                Xem thêm
              </Button>
            </Group>
          )}
        </Paper>
        {selected !== null && (
          <Paper withBorder p="sm" w={300} style={{ overflow: "auto", flexShrink: 0 }}>
            <DetailPane id={selected} />
          </Paper>
        )}
      </Group>
    </Stack>
  );
}
