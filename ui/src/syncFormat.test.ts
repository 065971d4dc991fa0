import { describe, expect, it } from "vitest";
import { formatSyncTime, syncLabel, type SyncView } from "./syncFormat";

const base: SyncView = {
  configured: true,
  online: true,
  running: false,
  done: 0,
  total: 0,
  lastSyncMs: null,
};

describe("sync indicator texts", () => {
  it("formats the time as HH:mm dd/mm/yyyy in local time", () => {
    const ms = new Date(2026, 10, 5, 9, 7).getTime();
    expect(formatSyncTime(ms)).toBe("09:07 05/11/2026");
  });

  it("shows progress while a round runs", () => {
    expect(syncLabel({ ...base, running: true, done: 3, total: 10 })).toBe("Đang đồng bộ 3/10");
    expect(syncLabel({ ...base, running: true })).toBe("Đang đồng bộ…");
  });

  it("shows the last sync time, or that there was none", () => {
    const ms = new Date(2026, 0, 31, 23, 59).getTime();
    expect(syncLabel({ ...base, lastSyncMs: ms })).toBe("Đã đồng bộ lúc 23:59 31/01/2026");
    expect(syncLabel(base)).toBe("Chưa đồng bộ");
    expect(syncLabel({ ...base, configured: false })).toBe("Chưa cấu hình liên thông");
  });
});
