// Texts of the header sync indicator, kept pure so they are unit tested.

function pad(n: number): string {
  return String(n).padStart(2, "0");
}

/** Epoch ms → "HH:mm dd/mm/yyyy" in local time. */
export function formatSyncTime(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getHours())}:${pad(d.getMinutes())} ${pad(d.getDate())}/${pad(d.getMonth() + 1)}/${d.getFullYear()}`;
}

export interface SyncView {
  configured: boolean;
  online: boolean | null;
  running: boolean;
  done: number;
  total: number;
  lastSyncMs: number | null;
}

/** The indicator's main line. */
export function syncLabel(s: SyncView): string {
  if (!s.configured) return "Chưa cấu hình liên thông";
  if (s.running && s.total > 0) return `Đang đồng bộ ${s.done}/${s.total}`;
  if (s.running) return "Đang đồng bộ…";
  if (s.lastSyncMs !== null) return `Đã đồng bộ lúc ${formatSyncTime(s.lastSyncMs)}`;
  return "Chưa đồng bộ";
}
