import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { renderWithTheme } from "../test/render";
import { row } from "../test/fixtures";
import type { ArrivalStampResult, IncomingDetail } from "../bindings";

const commands = vi.hoisted(() => ({
  getIncoming: vi.fn(),
  deskInfoOf: vi.fn(),
  appInfo: vi.fn(),
  incomingSteps: vi.fn(),
  stampArrival: vi.fn(),
  registerIncoming: vi.fn(),
  nextArrivalNumber: vi.fn(),
  searchAgencies: vi.fn(),
  listDocTypes: vi.fn(),
}));
vi.mock("../bindings", () => ({ commands }));

import { DetailPane } from "./DetailPane";
import { RegisterForm } from "./RegisterForm";

const detail = (offers: boolean, over: Partial<IncomingDetail> = {}): IncomingDetail => ({
  row: row({ id: 7, arrivalNumber: 3, numberLabel: "M3", secrecy: "confidential" }),
  signer: null,
  handler: null,
  notes: null,
  attachments: [{ name: "cv.pdf", sha256: "ab", size: 2048 }],
  pendingNote: null,
  supersedesId: null,
  supersededById: null,
  history: [],
  offersArrivalStamp: offers,
  ...over,
});

const stamped = (): ArrivalStampResult => ({
  detail: detail(false, {
    attachments: [
      { name: "cv.pdf", sha256: "ab", size: 2048 },
      { name: "cv (dấu đến).pdf", sha256: "cd", size: 9000 },
    ],
  }),
  fileName: "cv (dấu đến).pdf",
  signer: "UBND tỉnh Kon Tum",
  signingTime: "2026-11-25T08:05:12+07:00",
  allValid: true,
  signatures: [],
  reportText: "",
});

const wrongPin = { kind: "wrongPin", message: "sai mã PIN", tries: "low" };

beforeEach(() => {
  vi.clearAllMocks();
  commands.deskInfoOf.mockRejectedValue(new Error("no desks"));
  commands.incomingSteps.mockResolvedValue([]);
  commands.appInfo.mockResolvedValue({ version: "0", dataDir: "/tmp", unit: null });
  commands.nextArrivalNumber.mockResolvedValue(3);
  commands.listDocTypes.mockResolvedValue([{ abbreviation: "CV", name: "Công văn" }]);
  commands.searchAgencies.mockResolvedValue([{ code: "000.00.00.G12", name: "Bộ Nội vụ" }]);
});

describe("Đóng dấu đến on the detail pane", () => {
  it("is not offered when the registry says no", async () => {
    commands.getIncoming.mockResolvedValue(detail(false));
    renderWithTheme(<DetailPane id={7} />);
    await screen.findByTestId("detail-pane");
    expect(screen.queryByTestId("arrival-stamp")).toBeNull();
  });

  it("asks the PIN, keeps the dialog on a wrong PIN, then stamps and shows the copy", async () => {
    commands.getIncoming.mockResolvedValue(detail(true));
    commands.stampArrival.mockRejectedValueOnce(wrongPin).mockResolvedValueOnce(stamped());
    renderWithTheme(<DetailPane id={7} />);
    fireEvent.click(await screen.findByRole("button", { name: "Đóng dấu đến" }));
    const dialog = await screen.findByTestId("pin-dialog");
    expect(dialog).toHaveTextContent("số đến M3");
    fireEvent.change(within(dialog).getByTestId("pin-input"), { target: { value: "0000" } });
    fireEvent.click(within(dialog).getByTestId("pin-submit"));
    expect(await screen.findByTestId("pin-error")).toHaveTextContent(
      "Sai mã PIN — còn ít lần thử.",
    );
    // The PIN is not kept in the field after a try.
    expect(within(dialog).getByTestId("pin-input")).toHaveValue("");
    fireEvent.change(within(dialog).getByTestId("pin-input"), { target: { value: "1234" } });
    fireEvent.click(within(dialog).getByTestId("pin-submit"));
    expect(await screen.findByTestId("arrival-stamp-done")).toHaveTextContent(
      "Đã đóng dấu đến: cv (dấu đến).pdf",
    );
    expect(commands.stampArrival).toHaveBeenLastCalledWith(7, "1234", null);
    expect(screen.queryByTestId("pin-dialog")).toBeNull();
    // Stamped once: the registry no longer offers it, and the copy is listed.
    expect(screen.queryByTestId("arrival-stamp")).toBeNull();
    expect(
      screen
        .getAllByTestId("attachment")
        .some((a) => a.textContent?.startsWith("cv (dấu đến).pdf")),
    ).toBe(true);
  });

  it("cancelling the PIN stamps nothing", async () => {
    commands.getIncoming.mockResolvedValue(detail(true));
    renderWithTheme(<DetailPane id={7} />);
    fireEvent.click(await screen.findByTestId("arrival-stamp"));
    fireEvent.click(await screen.findByTestId("pin-cancel"));
    expect(screen.queryByTestId("pin-dialog")).toBeNull();
    expect(commands.stampArrival).not.toHaveBeenCalled();
    expect(screen.getByTestId("arrival-stamp")).toBeInTheDocument();
  });
});

describe("Đóng dấu đến on the register form", () => {
  const draft = {
    id: 5,
    fileName: "scan-001.pdf",
    sha256: "ef",
    size: 1000,
    receivedAt: "2026-11-25T08:00:00+07:00",
    text: null,
  };

  async function fillAndSave(user: ReturnType<typeof userEvent.setup>) {
    const form = await screen.findByRole("form", { name: "Vào sổ văn bản đến" });
    await user.type(within(form).getByLabelText(/Nơi gửi/), "noi vu");
    await waitFor(() =>
      expect(document.querySelector('[role="option"]')).toHaveTextContent("Bộ Nội vụ"),
    );
    await user.keyboard("{ArrowDown}{Enter}");
    await user.type(within(form).getByLabelText(/Số, ký hiệu/), "12/BNV-VP");
    await user.type(within(form).getByLabelText(/Ngày văn bản/), "20/11/2026");
    await waitFor(() => expect(within(form).getAllByRole("option").length).toBeGreaterThan(1));
    await user.selectOptions(within(form).getByLabelText(/Loại văn bản/), "CV");
    await user.type(within(form).getByLabelText(/Trích yếu/), "Về việc báo cáo");
    return form;
  }

  it("stamps right after registering when ticked", async () => {
    const user = userEvent.setup({ delay: null });
    const created = row({ id: 9, arrivalNumber: 3, numberLabel: "3", notation: "12/BNV-VP" });
    commands.registerIncoming.mockResolvedValue(created);
    commands.stampArrival.mockResolvedValue(stamped());
    const onRegistered = vi.fn();
    renderWithTheme(
      <RegisterForm opened draft={draft} onClose={() => {}} onRegistered={onRegistered} />,
    );
    const form = await fillAndSave(user);
    await user.click(within(form).getByTestId("register-stamp"));
    await user.click(within(form).getByRole("button", { name: /Vào sổ/ }));
    const dialog = await screen.findByTestId("pin-dialog");
    expect(onRegistered).not.toHaveBeenCalled();
    await user.type(within(dialog).getByTestId("pin-input"), "1234{Enter}");
    await waitFor(() => expect(onRegistered).toHaveBeenCalledWith(created, "cv (dấu đến).pdf"));
    expect(commands.stampArrival).toHaveBeenCalledWith(9, "1234", null);
  });

  it("registers without the stamp when not ticked, and when the PIN is cancelled", async () => {
    const user = userEvent.setup({ delay: null });
    const created = row({ id: 9, arrivalNumber: 3, notation: "12/BNV-VP" });
    commands.registerIncoming.mockResolvedValue(created);
    const onRegistered = vi.fn();
    const { unmount } = renderWithTheme(
      <RegisterForm opened draft={draft} onClose={() => {}} onRegistered={onRegistered} />,
    );
    let form = await fillAndSave(user);
    await user.click(within(form).getByRole("button", { name: /Vào sổ/ }));
    await waitFor(() => expect(onRegistered).toHaveBeenCalledWith(created));
    expect(screen.queryByTestId("pin-dialog")).toBeNull();
    unmount();

    onRegistered.mockClear();
    renderWithTheme(
      <RegisterForm opened draft={draft} onClose={() => {}} onRegistered={onRegistered} />,
    );
    form = await fillAndSave(user);
    await user.click(within(form).getByTestId("register-stamp"));
    await user.click(within(form).getByRole("button", { name: /Vào sổ/ }));
    await user.click(await screen.findByTestId("pin-cancel"));
    await waitFor(() => expect(onRegistered).toHaveBeenCalledWith(created));
    expect(commands.stampArrival).not.toHaveBeenCalled();
  });

  it("is not offered without a PDF", async () => {
    renderWithTheme(
      <RegisterForm opened draft={null} onClose={() => {}} onRegistered={() => {}} />,
    );
    const form = await screen.findByRole("form", { name: "Vào sổ văn bản đến" });
    expect(within(form).getByTestId("register-stamp")).toBeDisabled();
  });
});
