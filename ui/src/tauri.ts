// The few Tauri runtime hooks the UI uses besides commands, isolated so unit tests can
// replace them and so the UI still renders (without them) outside the webview.
import { listen } from "@tauri-apps/api/event";
import { getCurrentWebview } from "@tauri-apps/api/webview";

export type Unlisten = () => void;

function inTauri(): boolean {
  return typeof window !== "undefined" && "__TAURI_INTERNALS__" in window;
}

/** Calls `onDrop` with absolute paths of files dropped on the window. */
export async function onFileDrop(onDrop: (paths: string[]) => void): Promise<Unlisten> {
  if (!inTauri()) return () => {};
  return getCurrentWebview().onDragDropEvent((event) => {
    if (event.payload.type === "drop") onDrop(event.payload.paths);
  });
}

/** The back-end emits this when the scan folder produced or consumed a draft. */
export const DRAFTS_CHANGED = "drafts-changed";

export async function onDraftsChanged(cb: () => void): Promise<Unlisten> {
  if (!inTauri()) return () => {};
  return listen(DRAFTS_CHANGED, () => cb());
}

/** The sync engine's state changed (payload: the new `SyncStatus`). */
export const SYNC_STATUS = "sync-status";
/** Packages received through the hub were imported into the register. */
export const INCOMING_CHANGED = "incoming-changed";

export async function onSyncStatus<T>(cb: (status: T) => void): Promise<Unlisten> {
  if (!inTauri()) return () => {};
  return listen<T>(SYNC_STATUS, (e) => cb(e.payload));
}

export async function onIncomingChanged(cb: () => void): Promise<Unlisten> {
  if (!inTauri()) return () => {};
  return listen(INCOMING_CHANGED, () => cb());
}
