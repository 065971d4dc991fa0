import { fireEvent, screen, waitFor } from "@testing-library/react";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { renderWithTheme } from "../test/render";

const commands = vi.hoisted(() => ({
  backupSettings: vi.fn(),
  setBackupSchedule: vi.fn(),
  backupNow: vi.fn(),
}));
vi.mock("../bindings", () => ({ commands }));

import { BackupSettings } from "./BackupSettings";
import { nextBackupLine } from "../backup";

const none = {
  folder: null,
  everyHours: 24,
  keep: 7,
  nextDue: null,
  backups: [],
  lastError: null,
};

const withBackup = {
  folder: "/media/usb/saoluu",
  everyHours: 12,
  keep: 5,
  nextDue: "2026-12-08T02:30:05.120+07:00",
  backups: [
    {
      path: "/media/usb/saoluu/vanthu-20261207-143005-120.vtbak",
      size: 12.5 * 1024 * 1024,
      takenAt: "2026-12-07T14:30:05.120+07:00",
    },
  ],
  lastError: null,
};

describe("scheduled backups in Cài đặt", () => {
  beforeEach(() => vi.clearAllMocks());

  it("saves the folder, interval and retention, then lists the backups", async () => {
    commands.backupSettings.mockResolvedValue(none);
    commands.setBackupSchedule.mockResolvedValue({ ...withBackup, backups: [] });
    commands.backupNow.mockResolvedValue(withBackup);
    renderWithTheme(<BackupSettings />);
    expect(await screen.findByTestId("backup-next")).toHaveTextContent(
      "Chưa đặt lịch sao lưu tự động",
    );
    expect(screen.getByTestId("backup-now")).toBeDisabled();
    const field = (name: string) =>
      document.querySelector(`input[name="${name}"]`) as HTMLInputElement;
    fireEvent.change(field("backupFolder"), { target: { value: " /media/usb/saoluu " } });
    fireEvent.change(field("backupEveryHours"), { target: { value: "12" } });
    fireEvent.change(field("backupKeep"), { target: { value: "5" } });
    fireEvent.click(screen.getByTestId("save-backup-settings"));
    await waitFor(() =>
      expect(commands.setBackupSchedule).toHaveBeenCalledWith({
        folder: "/media/usb/saoluu",
        everyHours: 12,
        keep: 5,
      }),
    );
    await waitFor(() => expect(screen.getByTestId("backup-now")).toBeEnabled());
    fireEvent.click(screen.getByTestId("backup-now"));
    const list = await screen.findByTestId("backup-list");
    expect(list).toHaveTextContent("07/12/2026 14:30:05");
    expect(list).toHaveTextContent("12.5 MB");
    expect(commands.backupNow).toHaveBeenCalledTimes(1);
  });

  it("shows a refused schedule and a failed scheduled backup as they come", async () => {
    commands.backupSettings.mockResolvedValue({
      ...withBackup,
      lastError: "Không ghi được /media/usb/saoluu: đĩa đầy",
    });
    commands.setBackupSchedule.mockRejectedValue({
      kind: "invalid",
      message: "thư mục sao lưu không được nằm trong thư mục dữ liệu: /root/.local/share/vanthu/b",
    });
    renderWithTheme(<BackupSettings />);
    expect(await screen.findByTestId("backup-last-error")).toHaveTextContent("đĩa đầy");
    fireEvent.click(screen.getByTestId("save-backup-settings"));
    expect(await screen.findByTestId("backup-error")).toHaveTextContent(
      "không được nằm trong thư mục dữ liệu",
    );
  });

  it("says when the next backup runs", () => {
    const now = new Date("2026-12-07T20:00:00+07:00");
    expect(nextBackupLine(withBackup, now)).toBe(
      "Lần sao lưu tự động tiếp theo: 08/12/2026 02:30:05",
    );
    expect(nextBackupLine({ ...withBackup, nextDue: "1970-01-01T07:00:00+07:00" }, now)).toBe(
      "Sao lưu tự động: trong ít phút tới",
    );
    expect(nextBackupLine(none, now)).toBe("Chưa đặt lịch sao lưu tự động");
  });
});
