// Registration form rules, kept out of the component so they can be unit tested directly.
import type { Agency, Secrecy, Urgency } from "./bindings";
import { parseDate, validateNotation } from "./format";

export const URGENCY_OPTIONS: { value: Urgency; label: string }[] = [
  { value: "normal", label: "Thường" },
  { value: "urgent", label: "Khẩn" },
  { value: "very_urgent", label: "Thượng khẩn" },
  { value: "flash", label: "Hỏa tốc" },
];

export const SECRECY_OPTIONS: { value: Secrecy; label: string }[] = [
  { value: "normal", label: "Thường" },
  { value: "confidential", label: "Mật" },
  { value: "secret", label: "Tối mật" },
  { value: "top_secret", label: "Tuyệt mật" },
];

export const agencyLabel = (a: Agency) => `${a.name} (${a.code})`;

export interface FormValues {
  sender: string;
  notation: string;
  documentDate: string;
  arrivalDate: string;
  docType: string;
  subject: string;
  urgency: Urgency;
  secrecy: Secrecy;
  deadline: string;
  signer: string;
  notes: string;
}

export type FormErrors = Partial<Record<keyof FormValues, string>>;

/** Field checks with the messages clerks see; the register validates again on save. */
export function validate(v: FormValues, senderCode: string | null): FormErrors {
  const errors: FormErrors = {};
  if (!v.sender.trim()) errors.sender = "Chưa chọn nơi gửi";
  else if (!senderCode) errors.sender = "Chọn nơi gửi trong danh bạ (gõ tên hoặc mã cơ quan)";
  const notation = validateNotation(v.notation);
  if (notation) errors.notation = notation;
  const docDate = parseDate(v.documentDate);
  if (!docDate.ok) errors.documentDate = docDate.error;
  const arrival = parseDate(v.arrivalDate);
  if (!arrival.ok) errors.arrivalDate = arrival.error;
  if (docDate.ok && arrival.ok && docDate.value > arrival.value)
    errors.documentDate = "Ngày văn bản không được sau ngày đến";
  if (!v.docType) errors.docType = "Chưa chọn loại văn bản";
  if (!v.subject.trim()) errors.subject = "Chưa nhập trích yếu";
  if (v.deadline.trim()) {
    const d = parseDate(v.deadline);
    if (!d.ok) errors.deadline = d.error;
    else if (arrival.ok && d.value < arrival.value)
      errors.deadline = "Hạn xử lý không được trước ngày đến";
  }
  return errors;
}

export const ORDER: (keyof FormValues)[] = [
  "sender",
  "notation",
  "documentDate",
  "arrivalDate",
  "docType",
  "subject",
  "deadline",
];
