import { useEffect, useState } from "react";
import { Badge, Group, Paper, Table, Text, UnstyledButton } from "@mantine/core";
import { commands, type DashboardView, type IncomingRow } from "../bindings";
import { formatDate } from "../format";
import type { SectionId } from "../sections";

type Listed = "mine" | "dueSoon" | "overdue";

const LISTS: { id: Listed; label: string; color: string }[] = [
  { id: "mine", label: "Việc của tôi", color: "blue" },
  { id: "dueSoon", label: "Sắp đến hạn", color: "orange" },
  { id: "overdue", label: "Quá hạn", color: "red" },
];

function rowsOf(v: DashboardView, id: Listed): IncomingRow[] {
  if (id === "mine") return v.mineRows;
  if (id === "dueSoon") return v.dueSoonRows;
  return v.overdueRows;
}

function Tile({
  label,
  value,
  color,
  active,
  onClick,
  testId,
}: {
  label: string;
  value: number;
  color: string;
  active?: boolean;
  onClick: () => void;
  testId: string;
}) {
  return (
    <UnstyledButton onClick={onClick} data-testid={testId} aria-pressed={active}>
      <Paper withBorder px="sm" py={4} bg={active ? "var(--mantine-color-gray-1)" : undefined}>
        <Group gap={6} wrap="nowrap">
          <Text size="sm">{label}</Text>
          <Badge color={value > 0 ? color : "gray"} variant={value > 0 ? "filled" : "light"}>
            {value}
          </Badge>
        </Group>
      </Paper>
    </UnstyledButton>
  );
}

/**
 * The start page's numbers above the incoming list: Việc của tôi, Sắp đến hạn, Quá hạn (a
 * click lists the documents; a document opens it in the list), Chờ ký and Chưa phản hồi (a
 * click opens that section). `version` changes whenever the register may have changed.
 */
export function DashboardStrip({
  version,
  onFind,
  onOpenSection,
}: {
  version: number;
  onFind: (notation: string) => void;
  onOpenSection?: (s: SectionId) => void;
}) {
  const [view, setView] = useState<DashboardView | null>(null);
  const [open, setOpen] = useState<Listed | null>(null);

  useEffect(() => {
    Promise.resolve()
      .then(() => commands.dashboard())
      .then(setView, () => setView(null));
  }, [version]);

  if (!view) return null;
  const listed = open ? rowsOf(view, open) : [];
  return (
    <>
      <Group gap="xs" data-testid="dashboard">
        {LISTS.map((l) => (
          <Tile
            key={l.id}
            label={l.label}
            value={view[l.id]}
            color={l.color}
            active={open === l.id}
            onClick={() => setOpen(open === l.id ? null : l.id)}
            testId={`dashboard-${l.id}`}
          />
        ))}
        <Tile
          label="Chờ ký"
          value={view.toSign}
          color="grape"
          onClick={() => onOpenSection?.("signing")}
          testId="dashboard-toSign"
        />
        <Tile
          label="Chưa phản hồi"
          value={view.unanswered}
          color="red"
          onClick={() => onOpenSection?.("outgoing")}
          testId="dashboard-unanswered"
        />
      </Group>
      {open && (
        <Paper
          withBorder
          p="xs"
          mah={220}
          style={{ overflow: "auto" }}
          data-testid="dashboard-list"
        >
          {listed.length === 0 ? (
            <Text size="sm" c="dimmed">
              Không có văn bản nào
            </Text>
          ) : (
            <Table fz="sm" highlightOnHover aria-label={LISTS.find((l) => l.id === open)?.label}>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Số đến</Table.Th>
                  <Table.Th>Số, ký hiệu</Table.Th>
                  <Table.Th>Trích yếu</Table.Th>
                  <Table.Th>Hạn xử lý</Table.Th>
                  <Table.Th>Nơi gửi</Table.Th>
                  <Table.Th>Trạng thái</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {listed.map((r) => (
                  <Table.Tr
                    key={r.id}
                    style={{ cursor: "pointer" }}
                    onClick={() => onFind(r.notation)}
                    data-dashboard-id={r.id}
                  >
                    <Table.Td>{r.numberLabel}</Table.Td>
                    <Table.Td>{r.notation}</Table.Td>
                    <Table.Td>{r.subject}</Table.Td>
                    <Table.Td>{formatDate(r.deadline)}</Table.Td>
                    <Table.Td>{r.sender}</Table.Td>
                    <Table.Td>{r.statusLabel}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )}
        </Paper>
      )}
    </>
  );
}
