// Errors of the Tauri commands arrive as a `CommandError` ({ kind, message }). The UI decides
// by `kind` and shows `message`; it never reads the message to decide anything.
import type { CommandError } from "./bindings";

export function isCommandError(e: unknown): e is CommandError {
  return (
    typeof e === "object" &&
    e !== null &&
    typeof (e as { kind?: unknown }).kind === "string" &&
    typeof (e as { message?: unknown }).message === "string"
  );
}

/** The text to show for any rejection: a command's message, an Error's, or the value. */
export function errorMessage(e: unknown): string {
  if (isCommandError(e)) return e.message;
  if (e instanceof Error) return e.message;
  return String(e);
}
