import { fireEvent, screen, waitFor } from "@testing-library/react";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { renderWithTheme } from "../test/render";
import { row } from "../test/fixtures";
import type { DeskInfo, IncomingDetail } from "../bindings";

const commands = vi.hoisted(() => ({
  getIncoming: vi.fn(),
  deskInfoOf: vi.fn(),
  submitToDesktop: vi.fn(),
  appInfo: vi.fn(),
  incomingSteps: vi.fn(),
  processIncoming: vi.fn(),
  assignIncoming: vi.fn(),
  incomingHandling: vi.fn(),
}));
vi.mock("../bindings", () => ({ commands }));

import { DetailPane } from "./DetailPane";
import { LAST_DESKTOP_KEY } from "../desks";

const detail = (over: Partial<IncomingDetail["row"]> = {}): IncomingDetail => ({
  row: row({ id: 7, arrivalNumber: 15, ...over }),
  signer: null,
  handler: null,
  notes: null,
  attachments: [],
  pendingNote: null,
  supersedesId: null,
  supersededById: null,
  history: [],
  offersArrivalStamp: false,
});

/** Nothing submitted yet; "Trình lãnh đạo" offered (the registry's decision). */
const none: DeskInfo = { submissions: [], mirror: null, offersSubmitToLeader: true };

describe("DetailPane — trình lãnh đạo", () => {
  beforeEach(() => {
    vi.clearAllMocks();
    localStorage.clear();
    commands.incomingSteps.mockResolvedValue([]);
    commands.incomingHandling.mockRejectedValue(new Error("not in this test"));
    commands.appInfo.mockResolvedValue({
      version: "0",
      dataDir: "/tmp",
      unit: { code: "000.00.00.H34", name: "UBND tỉnh Kon Tum" },
    });
  });

  it("submits to the leader's desktop, remembers it and lists the submission", async () => {
    commands.getIncoming.mockResolvedValue(detail());
    commands.deskInfoOf.mockResolvedValue(none);
    commands.submitToDesktop.mockResolvedValue({
      mirror: null,
      offersSubmitToLeader: true,
      submissions: [
        {
          id: 1,
          toDesktop: "000.00.00.H34/LD",
          note: "Kính trình đồng chí Chủ tịch",
          createdAt: "2026-11-25T08:05:00.000+07:00",
          state: "waiting",
          stateLabel: "chờ đồng bộ",
        },
      ],
    } satisfies DeskInfo);
    renderWithTheme(<DetailPane id={7} />);
    fireEvent.click(await screen.findByTestId("submit-leader"));
    const desk = screen.getByTestId("submit-desktop") as HTMLInputElement;
    await waitFor(() => expect(desk.value).toBe("000.00.00.H34/"));
    fireEvent.change(desk, { target: { value: "000.00.00.H34/LD" } });
    fireEvent.change(screen.getByTestId("submit-note"), {
      target: { value: "Kính trình đồng chí Chủ tịch" },
    });
    fireEvent.click(screen.getByTestId("submit-confirm"));
    await waitFor(() =>
      expect(commands.submitToDesktop).toHaveBeenCalledWith(
        7,
        "000.00.00.H34/LD",
        "Kính trình đồng chí Chủ tịch",
      ),
    );
    expect(await screen.findByTestId("submission")).toHaveTextContent(
      "Đã trình LD (000.00.00.H34/LD) lúc 25/11/2026 08:05 — chờ đồng bộ",
    );
    expect(localStorage.getItem(LAST_DESKTOP_KEY)).toBe("000.00.00.H34/LD");
  });

  it("shows the registry's refusal as it comes and keeps the form", async () => {
    commands.getIncoming.mockResolvedValue(detail());
    commands.deskInfoOf.mockResolvedValue(none);
    localStorage.setItem(LAST_DESKTOP_KEY, "000.00.00.H34/LD");
    commands.submitToDesktop.mockRejectedValue({
      kind: "invalid",
      message: "chỉ trình tới máy của đơn vị mình (000.00.00.H34)",
    });
    renderWithTheme(<DetailPane id={7} />);
    fireEvent.click(await screen.findByTestId("submit-leader"));
    await waitFor(() =>
      expect((screen.getByTestId("submit-desktop") as HTMLInputElement).value).toBe(
        "000.00.00.H34/LD",
      ),
    );
    fireEvent.click(screen.getByTestId("submit-confirm"));
    expect(await screen.findByTestId("submit-error")).toHaveTextContent(
      "chỉ trình tới máy của đơn vị mình",
    );
    expect(screen.getByTestId("submit-leader-form")).toBeInTheDocument();
  });

  it("has no Trình lãnh đạo when the registry does not offer it", async () => {
    commands.getIncoming.mockResolvedValue(
      detail({ secrecy: "confidential", secrecyLabel: "Mật" }),
    );
    commands.deskInfoOf.mockResolvedValue({ ...none, offersSubmitToLeader: false });
    renderWithTheme(<DetailPane id={7} />);
    await screen.findByTestId("detail-pane");
    await waitFor(() => expect(commands.deskInfoOf).toHaveBeenCalled());
    expect(screen.queryByTestId("submit-leader")).toBeNull();
  });

  it("shows on the leader's desktop where a mirror came from and the clerk's số đến", async () => {
    commands.getIncoming.mockResolvedValue(detail({ arrivalNumber: 0 }));
    commands.deskInfoOf.mockResolvedValue({
      submissions: [],
      mirror: { origin: "000.00.00.H34/VT1", numberLabel: "15", handlingRole: null },
      offersSubmitToLeader: false,
    });
    renderWithTheme(<DetailPane id={7} />);
    expect(await screen.findByTestId("mirror-origin")).toHaveTextContent(
      "Văn thư trình từ 000.00.00.H34/VT1 — Số đến: 15",
    );
    expect(screen.queryByTestId("submit-leader")).toBeNull();
  });

  it("assigns a mirror on the leader's desktop and shows the registry's refusal", async () => {
    const mirror = { origin: "000.00.00.H34/VT1", numberLabel: "15", handlingRole: null };
    const assign = {
      to: "assigned",
      actor: "leader",
      label: "Phân công",
      needsReason: false,
      needsHandler: true,
    };
    commands.getIncoming.mockResolvedValue(detail({ arrivalNumber: 0 }));
    commands.deskInfoOf.mockResolvedValue({ submissions: [], mirror, offersSubmitToLeader: false });
    commands.incomingSteps.mockResolvedValue([assign]);
    commands.assignIncoming
      .mockRejectedValueOnce({
        kind: "invalid",
        message: "chưa nhập người/đơn vị xử lý",
      })
      .mockResolvedValueOnce(null);
    renderWithTheme(<DetailPane id={7} />);
    fireEvent.click(await screen.findByTestId("step-assigned"));
    fireEvent.change(screen.getByTestId("step-handler"), { target: { value: "  " } });
    fireEvent.click(screen.getByTestId("step-confirm"));
    expect(await screen.findByTestId("step-error")).toHaveTextContent(
      "chưa nhập người/đơn vị xử lý",
    );
    fireEvent.change(screen.getByTestId("step-handler"), {
      target: { value: "Phòng Tổ chức cán bộ" },
    });
    fireEvent.change(screen.getByTestId("step-note"), {
      target: { value: "Giao phòng TCCB chủ trì" },
    });
    fireEvent.change(screen.getByTestId("step-supporters"), {
      target: { value: "Văn phòng, Phòng Tài chính, Văn phòng" },
    });
    fireEvent.change(screen.getByTestId("step-deadline"), { target: { value: "31/2/2027" } });
    fireEvent.click(screen.getByTestId("step-confirm"));
    expect(await screen.findByTestId("step-error")).toHaveTextContent("Hạn xử lý");
    fireEvent.change(screen.getByTestId("step-deadline"), { target: { value: "15/1/2027" } });
    commands.getIncoming.mockResolvedValue(
      detail({ arrivalNumber: 0, status: "assigned", statusLabel: "Đã phân công" }),
    );
    commands.incomingSteps.mockResolvedValue([]);
    fireEvent.click(screen.getByTestId("step-confirm"));
    await waitFor(() =>
      expect(commands.assignIncoming).toHaveBeenLastCalledWith(7, {
        lead: "Phòng Tổ chức cán bộ",
        supporters: ["Văn phòng", "Phòng Tài chính"],
        deadline: "2027-01-15",
        instruction: "Giao phòng TCCB chủ trì",
      }),
    );
    expect(commands.processIncoming).not.toHaveBeenCalled();
    await waitFor(() => expect(screen.queryByTestId("step-assigned")).toBeNull());
    expect(screen.getByTestId("detail-pane")).toHaveTextContent("Đã phân công");
  });

  it("offers the register's steps and Trình lãnh đạo on the unit's own documents", async () => {
    commands.getIncoming.mockResolvedValue(detail());
    commands.deskInfoOf.mockResolvedValue(none);
    commands.incomingSteps.mockResolvedValue([
      {
        to: "assigned",
        actor: "leader",
        label: "Phân công",
        needsReason: false,
        needsHandler: true,
      },
    ]);
    renderWithTheme(<DetailPane id={7} />);
    await screen.findByTestId("submit-leader");
    expect(await screen.findByTestId("step-assigned")).toHaveTextContent("Phân công");
    expect(commands.incomingSteps).toHaveBeenCalledWith(7);
  });
});
