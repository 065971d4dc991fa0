export type SectionId =
  "incoming" | "outgoing" | "signing" | "search" | "reports" | "agencies" | "settings";

export interface Section {
  id: SectionId;
  label: string;
  /** Alt+digit jumps to the section; clerks keep their hands on the keyboard. */
  hotkey: string;
}

export const SECTIONS: Section[] = [
  { id: "incoming", label: "Văn bản đến", hotkey: "1" },
  { id: "outgoing", label: "Văn bản đi", hotkey: "2" },
  { id: "signing", label: "Chờ ký", hotkey: "3" },
  { id: "search", label: "Tra cứu", hotkey: "4" },
  { id: "reports", label: "Báo cáo", hotkey: "5" },
  { id: "agencies", label: "Danh bạ cơ quan", hotkey: "6" },
  { id: "settings", label: "Cài đặt", hotkey: "7" },
];
