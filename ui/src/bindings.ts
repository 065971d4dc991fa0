// Provisional: replaced by the generated file.
import { invoke as TAURI_INVOKE } from "@tauri-apps/api/core";
export type Urgency = "normal" | "urgent" | "very_urgent" | "flash";
export type Secrecy = "normal" | "confidential" | "secret" | "top_secret";
export type ListQuery = { search: string; urgency: Urgency | null; status: string | null; cursor: string | null; limit: number };
export type IncomingRow = { id: number; arrivalNumber: number; arrivalDate: string; notation: string; documentDate: string; sender: string; senderCode: string | null; docType: string; subject: string; urgency: Urgency; urgencyLabel: string; secrecy: Secrecy; secrecyLabel: string; status: string; statusLabel: string; deadline: string | null };
export type ListPage = { rows: IncomingRow[]; nextCursor: string | null };
export type Attachment = { name: string; sha256: string; size: number };
export type IncomingDetail = { row: IncomingRow; signer: string | null; handler: string | null; notes: string | null; attachments: Attachment[] };
export type RegisterIncoming = { senderCode: string; notation: string; documentDate: string; arrivalDate: string; docType: string; subject: string; urgency: Urgency; secrecy: Secrecy; deadline: string | null; signer: string | null; notes: string | null; files: string[]; draftId: number | null };
export type Agency = { code: string; name: string };
export type DocType = { abbreviation: string | null; name: string };
export type Draft = { id: number; fileName: string; sha256: string; size: number; receivedAt: string; text: string | null };
export type Settings = { scanFolder: string | null };
export type AppInfo = { version: string; dataDir: string; unit: Agency | null };
export const commands = {
  async appInfo(): Promise<AppInfo> { return await TAURI_INVOKE("app_info"); },
  async listIncoming(query: ListQuery): Promise<ListPage> { return await TAURI_INVOKE("list_incoming", { query }); },
  async getIncoming(id: number): Promise<IncomingDetail> { return await TAURI_INVOKE("get_incoming", { id }); },
  async nextArrivalNumber(secrecy: Secrecy, arrivalDate: string): Promise<number> { return await TAURI_INVOKE("next_arrival_number", { secrecy, arrivalDate }); },
  async countIncoming(): Promise<number> { return await TAURI_INVOKE("count_incoming"); },
  async initUnit(code: string, name: string): Promise<Agency> { return await TAURI_INVOKE("init_unit", { code, name }); },
  async registerIncoming(input: RegisterIncoming): Promise<IncomingRow> { return await TAURI_INVOKE("register_incoming", { input }); },
  async searchAgencies(query: string, limit: number): Promise<Agency[]> { return await TAURI_INVOKE("search_agencies", { query, limit }); },
  async listDocTypes(): Promise<DocType[]> { return await TAURI_INVOKE("list_doc_types"); },
  async getSettings(): Promise<Settings> { return await TAURI_INVOKE("get_settings"); },
  async setScanFolder(path: string | null): Promise<Settings> { return await TAURI_INVOKE("set_scan_folder", { path }); },
  async listDrafts(): Promise<Draft[]> { return await TAURI_INVOKE("list_drafts"); },
};
