import type { IncomingRow, OutgoingRow } from "../bindings";

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

/** An issued ordinary document, ready to be sent through the hub. */
export function outgoingRow(over: Partial<OutgoingRow> = {}): OutgoingRow {
  return {
    id: 1,
    notation: "12/UBND-VP",
    numberLabel: "12",
    documentDate: "2026-11-20",
    docType: "Công văn",
    subject: "Về việc gửi nhận văn bản điện tử",
    recipients: ["Sở Nội vụ"],
    hubRecipients: 1,
    secrecy: "normal",
    secrecyLabel: "Thường",
    status: "issued",
    statusLabel: "Đã cấp số",
    dispatchedDate: null,
    hasPdf: true,
    mirrorOrigin: null,
    submittedTo: null,
    returned: false,
    returnedNote: null,
    actions: {
      issue: false,
      send: true,
      submitForSigning: false,
      provisionalNumber: false,
      recall: false,
      revise: false,
    },
    ...over,
  };
}
