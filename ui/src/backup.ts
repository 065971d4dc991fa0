// Cài đặt → Sao lưu dữ liệu: what the schedule line says.
import type { BackupSettings } from "./bindings";
import { formatDateTime } from "./format";

/** When the next backup runs, as the clerk reads it. */
export function nextBackupLine(s: BackupSettings, now: Date = new Date()): string {
  if (!s.folder) return "Chưa đặt lịch sao lưu tự động";
  if (!s.nextDue || new Date(s.nextDue) <= now) return "Sao lưu tự động: trong ít phút tới";
  return `Lần sao lưu tự động tiếp theo: ${formatDateTime(s.nextDue)}`;
}
