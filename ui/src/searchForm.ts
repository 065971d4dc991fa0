// The Tra cứu form as the clerk types it, and the command's form built from it.
import type { RegisterKind, SearchForm, Secrecy, Urgency } from "./bindings";
import { parseDate } from "./format";

/** Rows per page of results. */
export const PAGE = 50;

/** The form as typed: dates as the clerk writes them (dd/mm/yyyy). */
export type SearchFields = {
  text: string;
  register: RegisterKind | "";
  sender: string;
  docType: string;
  dateFrom: string;
  dateTo: string;
  state: string;
  urgency: Urgency | "";
  secrecy: Secrecy | "";
  handler: string;
};

export const EMPTY_FIELDS: SearchFields = {
  text: "",
  register: "",
  sender: "",
  docType: "",
  dateFrom: "",
  dateTo: "",
  state: "",
  urgency: "",
  secrecy: "",
  handler: "",
};

/** The command's form from the typed fields, or the first date the clerk mistyped. */
export function toSearchForm(
  f: SearchFields,
  cursor: string | null = null,
): { ok: true; form: SearchForm } | { ok: false; error: string } {
  const date = (label: string, text: string): string | null | { error: string } => {
    if (!text.trim()) return null;
    const p = parseDate(text);
    return p.ok ? p.value : { error: `${label}: ${p.error}` };
  };
  const from = date("Từ ngày", f.dateFrom);
  const to = date("Đến ngày", f.dateTo);
  for (const d of [from, to]) if (d && typeof d === "object") return { ok: false, error: d.error };
  const opt = (s: string) => (s.trim() ? s.trim() : null);
  return {
    ok: true,
    form: {
      text: f.text,
      register: f.register || null,
      sender: opt(f.sender),
      docType: opt(f.docType),
      dateFrom: from as string | null,
      dateTo: to as string | null,
      state: opt(f.state),
      urgency: f.urgency || null,
      secrecy: f.secrecy || null,
      handler: opt(f.handler),
      cursor,
      limit: PAGE,
    },
  };
}
