import type { IncomingRow } from "../bindings";

export function row(over: Partial<IncomingRow> = {}): IncomingRow {
  return {
    id: 1,
    arrivalNumber: 1,
    numberLabel: "1",
    arrivalDate: "2026-11-25",
    notation: "986/UBND-HCTC",
    documentDate: "2026-11-20",
    sender: "Ủy ban nhân dân tỉnh Nghệ An",
    senderCode: "000.00.00.H40",
    docType: "CV",
    subject: "Về việc triển khai quyết định số hóa",
    urgency: "normal",
    urgencyLabel: "Thường",
    secrecy: "normal",
    secrecyLabel: "Thường",
    status: "registered",
    statusLabel: "Đã vào sổ",
    deadline: null,
    provisionalNumber: null,
    pendingAction: null,
    mirrorOrigin: null,
    mirrorNumber: null,
    ...over,
  };
}
