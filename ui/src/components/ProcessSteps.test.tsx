import { fireEvent, screen, waitFor } from "@testing-library/react";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { renderWithTheme } from "../test/render";
import type { StepView } from "../bindings";

const commands = vi.hoisted(() => ({
  incomingSteps: vi.fn(),
  processIncoming: vi.fn(),
}));
vi.mock("../bindings", () => ({ commands }));

import { ProcessSteps } from "./ProcessSteps";

const step = (to: string, label: string, over: Partial<StepView> = {}): StepView => ({
  to,
  actor: "clerk",
  label,
  needsReason: false,
  needsHandler: false,
  ...over,
});

beforeEach(() => {
  commands.incomingSteps.mockReset();
  commands.processIncoming.mockReset();
});

describe("ProcessSteps", () => {
  it("takes a step without inputs at once and reports back", async () => {
    commands.incomingSteps.mockResolvedValue([
      step("registered", "Vào sổ"),
      step("rejected", "Từ chối", { needsReason: true }),
    ]);
    commands.processIncoming.mockResolvedValue(null);
    const done = vi.fn();
    renderWithTheme(<ProcessSteps documentId={4} version="arrived" onDone={done} />);
    fireEvent.click(await screen.findByTestId("step-registered"));
    await waitFor(() => expect(done).toHaveBeenCalled());
    expect(commands.processIncoming).toHaveBeenCalledWith(4, "registered", "clerk", null, null);
  });

  it("asks the reason of a refusal of the sender's request and shows the register's error", async () => {
    commands.incomingSteps.mockResolvedValue([
      step("accept_request", "Đồng ý thu hồi"),
      step("refuse_request", "Từ chối đề nghị", { needsReason: true }),
    ]);
    commands.processIncoming.mockRejectedValueOnce({
      kind: "invalid",
      message: "cần ghi lý do từ chối đề nghị",
    });
    commands.processIncoming.mockResolvedValueOnce(null);
    const done = vi.fn();
    renderWithTheme(<ProcessSteps documentId={9} version="registered" onDone={done} />);
    fireEvent.click(await screen.findByTestId("step-refuse_request"));
    fireEvent.click(await screen.findByTestId("step-confirm"));
    expect(await screen.findByTestId("step-error")).toHaveTextContent("cần ghi lý do");
    expect(done).not.toHaveBeenCalled();
    fireEvent.change(screen.getByTestId("step-note"), {
      target: { value: "Văn bản đã được xử lý xong" },
    });
    fireEvent.click(screen.getByTestId("step-confirm"));
    await waitFor(() => expect(done).toHaveBeenCalled());
    expect(commands.processIncoming).toHaveBeenLastCalledWith(
      9,
      "refuse_request",
      "clerk",
      "Văn bản đã được xử lý xong",
      null,
    );
  });

  it("offers nothing when the document has no step", async () => {
    commands.incomingSteps.mockResolvedValue([]);
    const { container } = renderWithTheme(
      <ProcessSteps documentId={1} version="completed" onDone={() => {}} />,
    );
    await waitFor(() => expect(commands.incomingSteps).toHaveBeenCalled());
    expect(container.querySelector('[data-testid="process-steps"]')).toBeNull();
  });
});
