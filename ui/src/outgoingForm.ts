// "Soạn dự thảo" rules, kept out of the component so they can be unit tested directly.
import type { Agency } from "./bindings";

export interface DraftValues {
  notation: string;
  docType: string;
  subject: string;
  signer: string;
  /** Each entry: an agency's label from the directory ("Sở Nội vụ (000.01.20.H34)") or free text. */
  recipients: string[];
  notes: string;
  /** Absolute paths (dropped on the window or typed). */
  files: string[];
}

export type DraftErrors = Partial<Record<keyof DraftValues, string>>;

/** Field checks with the messages clerks see; the register validates again on save. */
export function validateDraft(v: DraftValues): DraftErrors {
  const errors: DraftErrors = {};
  const notation = v.notation.trim().normalize("NFC");
  if (!notation) errors.notation = "Chưa nhập ký hiệu, ví dụ UBND-VP";
  else if (/^\d+\s*\//u.test(notation))
    errors.notation = "Dự thảo chưa có số: chỉ nhập ký hiệu (số được cấp khi ban hành)";
  else if (!/^[\p{L}\p{N}][\p{L}\p{N}\-.&/]*$/u.test(notation))
    errors.notation = "Ký hiệu chỉ gồm chữ, chữ số và dấu gạch nối, không có khoảng trắng";
  if (!v.docType) errors.docType = "Chưa chọn loại văn bản";
  if (!v.subject.trim()) errors.subject = "Chưa nhập trích yếu";
  if (v.recipients.every((r) => !r.trim())) errors.recipients = "Chưa có nơi nhận";
  // A pre-check for the form only: the register decides (vanthu_registry::soft_copy) and
  // refuses the old editable formats with what to save them as.
  if (v.files.some((f) => !/\.(pdf|docx|odt|xlsx|ods)$/iu.test(f.trim())))
    errors.files =
      "Dự thảo để trình ký là tệp PDF; bản mềm kèm theo là tệp .docx, .odt, .xlsx hoặc .ods";
  return errors;
}

/**
 * What the register receives for one recipient entry: the agency code when the entry is a
 * directory label (so the document can travel over the hub), else the text as typed.
 */
export function recipientValue(entry: string, directory: Agency[]): string {
  const t = entry.trim().normalize("NFC");
  const found = directory.find((a) => `${a.name} (${a.code})` === t || a.code === t);
  if (found) return found.code;
  const m = /\(([0-9A-Z.]+)\)$/u.exec(t);
  return m ? m[1] : t;
}

/**
 * "Thêm cả nhóm": the recipients with every member of a directory group added after them, as
 * directory labels, each once (an agency already there, by label or by code, is not repeated).
 */
export function addGroup(recipients: string[], members: Agency[]): string[] {
  const out = [...recipients];
  const have = new Set(recipients.map((r) => recipientValue(r, members)));
  for (const a of members) {
    if (have.has(a.code)) continue;
    have.add(a.code);
    out.push(`${a.name} (${a.code})`);
  }
  return out;
}
