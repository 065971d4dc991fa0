// The few Tauri runtime hooks the UI uses besides commands, isolated so unit tests can
// replace them and so the UI still renders (without them) outside the webview.
import {
  events,
  type NoticeView,
  type SignProgress,
  type SyncStatus,
  type TokenStatus,
} from "./bindings";
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

/** The scan folder produced or consumed a draft. */
export async function onDraftsChanged(cb: () => void): Promise<Unlisten> {
  if (!inTauri()) return () => {};
  return events.draftsChanged.listen(() => cb());
}

/** The sync engine's state changed. */
export async function onSyncStatus(cb: (status: SyncStatus) => void): Promise<Unlisten> {
  if (!inTauri()) return () => {};
  return events.syncStatusChanged.listen((e) => cb(e.payload));
}

/** Documents changed outside the UI's own commands (received through the hub, a step). */
export async function onIncomingChanged(cb: () => void): Promise<Unlisten> {
  if (!inTauri()) return () => {};
  return events.incomingChanged.listen(() => cb());
}

/** A token was inserted or pulled out, or its PIN state changed. */
export async function onTokenChanged(cb: (status: TokenStatus) => void): Promise<Unlisten> {
  if (!inTauri()) return () => {};
  return events.tokenChanged.listen((e) => cb(e.payload));
}

/** One more document of a signing batch is being signed. */
export async function onSigningProgress(cb: (p: SignProgress) => void): Promise<Unlisten> {
  if (!inTauri()) return () => {};
  return events.signingProgress.listen((e) => cb(e.payload));
}

/** A backup was written to the backup folder, or a scheduled one failed. */
export async function onBackupsChanged(cb: () => void): Promise<Unlisten> {
  if (!inTauri()) return () => {};
  return events.backupsChanged.listen(() => cb());
}

/** The desktop gave a notice (the header's bell lists it). */
export async function onNoticeGiven(cb: (n: NoticeView) => void): Promise<Unlisten> {
  if (!inTauri()) return () => {};
  return events.noticeGiven.listen((e) => cb(e.payload));
}
