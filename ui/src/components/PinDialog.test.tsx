import { screen, fireEvent } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { renderWithTheme } from "../test/render";
import { PinDialog } from "./PinDialog";

function setup(error: string | null = null) {
  const onSubmit = vi.fn();
  const onCancel = vi.fn();
  renderWithTheme(
    <PinDialog
      count={2}
      holder="Nguyễn Văn An"
      busy={false}
      error={error}
      onSubmit={onSubmit}
      onCancel={onCancel}
    />,
  );
  const input = screen.getByLabelText("Mã PIN") as HTMLInputElement;
  return { onSubmit, onCancel, input };
}

describe("PIN dialog", () => {
  it("is masked, submits with Enter and forgets the PIN", async () => {
    const { onSubmit, input } = setup();
    expect(input.type).toBe("password");
    expect(screen.getByRole("dialog")).toHaveTextContent("Ký 2 văn bản");
    await userEvent.type(input, "1234{Enter}");
    expect(onSubmit).toHaveBeenCalledWith("1234");
    expect(input.value).toBe("");
  });

  it("Esc cancels without submitting", async () => {
    const { onSubmit, onCancel, input } = setup();
    await userEvent.type(input, "12");
    fireEvent.keyDown(input, { key: "Escape" });
    expect(onCancel).toHaveBeenCalled();
    expect(onSubmit).not.toHaveBeenCalled();
  });

  it("refuses a too short PIN and shows the last error", async () => {
    const { onSubmit, input } = setup("Sai mã PIN — còn ít lần thử.");
    expect(screen.getByTestId("pin-error")).toHaveTextContent("còn ít lần thử");
    await userEvent.type(input, "12{Enter}");
    expect(onSubmit).not.toHaveBeenCalled();
  });
});
