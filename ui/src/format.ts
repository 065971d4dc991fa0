// Date and document-number helpers. Users see dd/mm/yyyy; commands exchange ISO yyyy-mm-dd.

/** "2026-11-25" → "25/11/2026"; anything else is returned unchanged. */
export function formatDate(iso: string | null | undefined): string {
  if (!iso) return "";
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso);
  return m ? `${m[3]}/${m[2]}/${m[1]}` : iso;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

/** Parses a clerk-typed date ("5/3/2026", "05/03/2026", "05-03-2026", "05.03.2026"). */
export function parseDate(text: string): Parsed<string> {
  const t = text.trim();
  if (!t) return { ok: false, error: "Chưa nhập ngày" };
  const m = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(t);
  if (!m) return { ok: false, error: "Ngày phải có dạng dd/mm/yyyy" };
  const [d, mo, y] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (mo < 1 || mo > 12) return { ok: false, error: "Tháng không hợp lệ" };
  const daysInMonth = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  if (d < 1 || d > daysInMonth) return { ok: false, error: `Tháng ${mo}/${y} không có ngày ${d}` };
  if (y < 1945) return { ok: false, error: "Năm không hợp lệ" };
  const iso = `${y}-${String(mo).padStart(2, "0")}-${String(d).padStart(2, "0")}`;
  return { ok: true, value: iso };
}

/** Today's date as ISO in local time. */
export function todayIso(now: Date = new Date()): string {
  const y = now.getFullYear();
  return `${y}-${String(now.getMonth() + 1).padStart(2, "0")}-${String(now.getDate()).padStart(2, "0")}`;
}

/**
 * Checks the shape of "Số, ký hiệu" (NĐ 30: number/notation, e.g. "986/UBND-HCTC",
 * "12/2020/NĐ-CP"). The register re-validates on save; this gives instant feedback.
 */
export function validateNotation(text: string): string | null {
  const t = text.trim().normalize("NFC");
  if (!t) return "Chưa nhập số, ký hiệu văn bản";
  const m = /^(\d+)\s*\/\s*(?:(\d{4})\s*\/\s*)?([^/\s].*)$/u.exec(t);
  if (!m) return "Số, ký hiệu phải có dạng số/ký hiệu, ví dụ 986/UBND-HCTC";
  if (Number(m[1]) === 0) return "Số văn bản phải lớn hơn 0";
  if (!/^[\p{L}\p{N}][\p{L}\p{N}\-.&/]*$/u.test(m[3].trim()))
    return "Ký hiệu chỉ gồm chữ, chữ số và dấu gạch nối, không có khoảng trắng, ví dụ UBND-HCTC";
  return null;
}

const PENDING_ACTIONS: Record<string, string> = {
  recall: "Bên gửi đề nghị thu hồi",
  update: "Bên gửi gửi bản cập nhật",
  replace: "Bên gửi gửi bản thay thế",
};

/** The clerk-facing label of a sender's pending recall/update/replace, or null. */
export function pendingActionLabel(action: string | null): string | null {
  if (!action) return null;
  return PENDING_ACTIONS[action] ?? `Bên gửi có đề nghị: ${action}`;
}

/** "2026-11-26T00:15:21+07:00" → "26/11/2026 00:15:21" (the wall time as signed, offset kept
 *  off screen); anything else is returned unchanged. */
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return "";
  const m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}:\d{2}(?::\d{2})?)/.exec(iso);
  return m ? `${m[3]}/${m[2]}/${m[1]} ${m[4]}` : iso;
}

/** File sizes as a clerk reads them: "512 B", "48 KB", "12.5 MB", "1.2 GB". */
export function formatSize(bytes: number | null): string {
  if (bytes === null) return "";
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  if (bytes < 1024 * 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  return `${(bytes / 1024 / 1024 / 1024).toFixed(1)} GB`;
}

/** "Phạm Văn Dũng, Phòng Tổ chức" → each name once, trimmed, NFC (a list typed in one field). */
export function parseList(text: string): string[] {
  const out: string[] = [];
  for (const s of text.split(/[,;\n]/)) {
    const t = s.trim().normalize("NFC");
    if (t && !out.includes(t)) out.push(t);
  }
  return out;
}
