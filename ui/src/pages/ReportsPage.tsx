import { useCallback, useEffect, useState } from "react";
import {
  Alert,
  Button,
  Group,
  Paper,
  SegmentedControl,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import {
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts";
import {
  commands,
  type ExportFormat,
  type ReportChart,
  type ReportTable,
  type ReportView,
} from "../bindings";
import { errorMessage } from "../errors";
import { EMPTY_REPORT, REPORT_TABS, toReportForm, type ReportFields } from "../reportForm";
import { RegisterBookPanel } from "../components/RegisterBookPanel";

const EXPORTS: { format: ExportFormat; label: string }[] = [
  { format: "xlsx", label: "Xuất Excel" },
  { format: "pdf", label: "Xuất PDF" },
  { format: "csv", label: "Xuất CSV" },
];

const COLORS = ["#1c7ed6", "#e8590c", "#c92a2a", "#868e96", "#2f9e44", "#7048e8"];

/** One chart the core picked: bars per point, one colour per series. */
function ReportBars({ chart }: { chart: ReportChart }) {
  const data = chart.points.map((p) => {
    const row: Record<string, string | number> = { label: p.label };
    chart.series.forEach((s, i) => (row[s] = p.values[i] ?? 0));
    return row;
  });
  return (
    <Paper withBorder p="sm" data-testid="report-chart">
      <Text fw={600} size="sm" mb="xs">
        {chart.title}
      </Text>
      {data.length === 0 ? (
        <Text c="dimmed" size="sm">
          Không có số liệu
        </Text>
      ) : (
        <ResponsiveContainer width="100%" height={220}>
          <BarChart data={data} margin={{ top: 4, right: 8, bottom: 4, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" vertical={false} />
            <XAxis dataKey="label" tick={{ fontSize: 11 }} interval="preserveStartEnd" />
            <YAxis allowDecimals={false} tick={{ fontSize: 11 }} width={36} />
            <Tooltip />
            {chart.series.length > 1 && <Legend wrapperStyle={{ fontSize: 12 }} />}
            {chart.series.map((s, i) => (
              <Bar
                key={s}
                dataKey={s}
                stackId={chart.stacked ? "a" : undefined}
                fill={COLORS[i % COLORS.length]}
                isAnimationActive={false}
              />
            ))}
          </BarChart>
        </ResponsiveContainer>
      )}
    </Paper>
  );
}

function ReportTableView({ table }: { table: ReportTable }) {
  return (
    <Stack gap={4}>
      <Text fw={600}>{table.title}</Text>
      <Table withTableBorder withColumnBorders striped data-testid="report-table">
        <Table.Thead>
          <Table.Tr>
            {table.columns.map((c, i) => (
              <Table.Th key={i} style={{ textAlign: table.numeric[i] ? "right" : undefined }}>
                {c}
              </Table.Th>
            ))}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {table.rows.length === 0 ? (
            <Table.Tr>
              <Table.Td colSpan={table.columns.length}>
                <Text c="dimmed" size="sm">
                  Không có số liệu trong kỳ
                </Text>
              </Table.Td>
            </Table.Tr>
          ) : (
            table.rows.map((r, i) => (
              <Table.Tr key={i}>
                {r.map((v, j) => (
                  <Table.Td key={j} style={{ textAlign: table.numeric[j] ? "right" : undefined }}>
                    {v}
                  </Table.Td>
                ))}
              </Table.Tr>
            ))
          )}
        </Table.Tbody>
      </Table>
    </Stack>
  );
}

/**
 * "Báo cáo": the reports of the register for a period and a department, with charts, and
 * their export to Excel, PDF or CSV (saved in Documents). The figures come from the core.
 */
export function ReportsPage() {
  const [fields, setFields] = useState<ReportFields>(EMPTY_REPORT);
  const [view, setView] = useState<ReportView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  const run = useCallback(async (f: ReportFields) => {
    const built = toReportForm(f);
    if (!built.ok) {
      setError(built.error);
      return;
    }
    setError(null);
    setBusy("view");
    try {
      setView(await commands.reportView(built.form));
    } catch (e) {
      setError(errorMessage(e));
      setView(null);
    } finally {
      setBusy(null);
    }
  }, []);

  useEffect(() => {
    void run(EMPTY_REPORT);
  }, [run]);

  const exportAs = async (format: ExportFormat) => {
    const built = toReportForm(fields);
    if (!built.ok) {
      setError(built.error);
      return;
    }
    setBusy(format);
    setSaved(null);
    try {
      setSaved(await commands.exportReport(built.form, format));
      setError(null);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(null);
    }
  };

  const set = (key: "from" | "to" | "department") => (e: React.ChangeEvent<HTMLInputElement>) => {
    const value = e.currentTarget.value;
    setFields((f) => ({ ...f, [key]: value }));
  };

  return (
    <Stack gap="sm" pb="xl">
      <Title order={2}>Báo cáo</Title>
      <SegmentedControl
        data={REPORT_TABS}
        value={fields.kind}
        onChange={(v) => {
          const next = { ...fields, kind: v as ReportFields["kind"] };
          setFields(next);
          setSaved(null);
          void run(next);
        }}
        data-testid="report-kind"
      />
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void run(fields);
        }}
        data-testid="report-form"
      >
        <Group align="flex-end">
          <TextInput
            label="Từ ngày"
            placeholder="01/01 năm nay"
            value={fields.from}
            onChange={set("from")}
            name="from"
          />
          <TextInput
            label="Đến ngày"
            placeholder="hôm nay"
            value={fields.to}
            onChange={set("to")}
            name="to"
          />
          <TextInput
            label="Đơn vị, người xử lý"
            placeholder="Cả cơ quan"
            value={fields.department}
            onChange={set("department")}
            name="department"
          />
          <Button type="submit" loading={busy === "view"} data-testid="report-submit">
            Xem báo cáo
          </Button>
          {EXPORTS.map((x) => (
            <Button
              key={x.format}
              variant={x.format === "csv" ? "subtle" : "light"}
              loading={busy === x.format}
              onClick={() => void exportAs(x.format)}
              data-testid={`export-${x.format}`}
            >
              {x.label}
            </Button>
          ))}
        </Group>
      </form>
      {error && (
        <Alert color="red" data-testid="report-error">
          {error}
        </Alert>
      )}
      {saved && (
        <Alert color="green" data-testid="report-saved">
          Đã lưu: {saved}
        </Alert>
      )}
      <RegisterBookPanel />
      {view && (
        <Stack gap="sm" data-testid="report-view">
          <div>
            <Title order={3} data-testid="report-title">
              {view.title}
            </Title>
            {view.subtitle.map((s, i) => (
              <Text key={i} size="sm" c="dimmed">
                {s}
              </Text>
            ))}
          </div>
          {view.charts.length > 0 && (
            <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="sm">
              {view.charts.map((c, i) => (
                <ReportBars key={i} chart={c} />
              ))}
            </SimpleGrid>
          )}
          {view.tables.map((t, i) => (
            <ReportTableView key={i} table={t} />
          ))}
        </Stack>
      )}
    </Stack>
  );
}
