// The Báo cáo filters as the clerk types them, and the command's form built from them.
import type { ReportForm, ReportType } from "./bindings";
import { parseDate } from "./format";

export type ReportFields = {
  kind: ReportType;
  from: string;
  to: string;
  department: string;
};

export const REPORT_TABS: { value: ReportType; label: string }[] = [
  { value: "issuing", label: "Phát hành văn bản" },
  { value: "statuses", label: "Phản hồi trạng thái" },
  { value: "processing", label: "Giải quyết văn bản đến" },
  { value: "survey", label: "Phụ lục III (2887/VPCP-KSTT)" },
];

export const EMPTY_REPORT: ReportFields = { kind: "issuing", from: "", to: "", department: "" };

/** The command's form, or the first date the clerk mistyped. Empty dates: the year so far. */
export function toReportForm(
  f: ReportFields,
): { ok: true; form: ReportForm } | { ok: false; error: string } {
  const dates: (string | null)[] = [];
  for (const [label, text] of [
    ["Từ ngày", f.from],
    ["Đến ngày", f.to],
  ] as const) {
    if (!text.trim()) {
      dates.push(null);
      continue;
    }
    const p = parseDate(text);
    if (!p.ok) return { ok: false, error: `${label}: ${p.error}` };
    dates.push(p.value);
  }
  return {
    ok: true,
    form: {
      kind: f.kind,
      from: dates[0],
      to: dates[1],
      department: f.department.trim() || null,
    },
  };
}
