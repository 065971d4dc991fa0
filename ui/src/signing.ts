// Pure logic of the "Chờ ký" screen: where the signature box is drawn on the page image,
// how token and PIN errors read, how a verification report is summed up.
import { errorMessage, isCommandError } from "./errors";
import type {
  CertDto,
  PinTries,
  DocSignResult,
  PlacementPreviewDto,
  SignRole,
  TokenStatus,
} from "./bindings";

/** Width (px) the page preview is rendered at by the PDF viewer's URI scheme. */
export const PREVIEW_WIDTH = 600;

/** Path part of the page image URL served by the `vanthu-pdf` URI scheme (page 0-based). */
export function pageImagePath(sha256: string, pageIndex: number): string {
  return `${sha256}/${pageIndex}.png`;
}

export interface CssBox {
  left: number;
  top: number;
  width: number;
  height: number;
}

/**
 * PDF rectangle (points, origin at the page's lower-left) → box in CSS pixels (origin
 * top-left) over a page image shown `displayWidth` pixels wide.
 */
export function rectToCss(p: PlacementPreviewDto, displayWidth: number): CssBox {
  const scale = displayWidth / num(p.pageWidth, 595);
  const [x, y, w, h] = [num(p.rect.x), num(p.rect.y), num(p.rect.width), num(p.rect.height)];
  return {
    left: x * scale,
    top: (num(p.pageHeight, 842) - y - h) * scale,
    width: w * scale,
    height: h * scale,
  };
}

/** Rust f64 crosses the IPC as `number | null` (null for NaN/infinity). */
function num(v: number | null, fallback = 0): number {
  return v ?? fallback;
}

/** Height in CSS pixels of the page shown `displayWidth` wide. */
export function pageCssHeight(p: PlacementPreviewDto, displayWidth: number): number {
  return (num(p.pageHeight, 842) / num(p.pageWidth, 595)) * displayWidth;
}

export type PinErrorKind = "wrong_pin" | "locked" | "no_token" | "other";

export interface PinError {
  kind: PinErrorKind;
  /** What the dialog shows. */
  text: string;
}

const TRIES_LEFT: Record<PinTries, string> = {
  unknown: "token không báo số lần thử còn lại",
  low: "còn ít lần thử",
  final: "chỉ còn MỘT lần thử, sai nữa token sẽ bị khóa",
};

/** Reads an error of the sign command by its kind (never by its message text). */
export function describeSignError(error: unknown): PinError {
  if (!isCommandError(error)) return { kind: "other", text: errorMessage(error) };
  switch (error.kind) {
    case "wrongPin": {
      const tries = TRIES_LEFT[error.tries];
      return { kind: "wrong_pin", text: `Sai mã PIN — ${tries}.` };
    }
    case "pinLocked":
      return { kind: "locked", text: `${capitalize(error.message)}.` };
    case "noToken":
      return { kind: "no_token", text: "Chưa cắm token (hoặc token đã bị rút ra)." };
    default:
      return { kind: "other", text: error.message };
  }
}

function capitalize(s: string): string {
  return s ? s[0].toLocaleUpperCase("vi") + s.slice(1) : s;
}

export interface TokenSummary {
  present: boolean;
  /** "Chưa cắm token" or "Nguyễn Văn An (token vanthu-test)". */
  text: string;
  warning: string | null;
}

export function summarizeToken(st: TokenStatus | null): TokenSummary {
  if (!st) return { present: false, text: "Đang kiểm tra token…", warning: null };
  const token = st.tokens.find((t) => t.certificates.length > 0) ?? st.tokens[0];
  if (!token) {
    return {
      present: false,
      text: "Chưa cắm token",
      warning: st.module ? null : "Chưa có thư viện token (PKCS#11): đặt trong Cài đặt.",
    };
  }
  const holder = defaultCert(token.certificates, "leader")?.holder;
  const warning = token.pinLocked
    ? "Token đã bị khóa do nhập sai PIN quá số lần."
    : token.pinFinalTry
      ? "Chỉ còn MỘT lần nhập PIN trước khi token bị khóa."
      : token.pinCountLow
        ? "Token báo còn ít lần nhập PIN."
        : null;
  return {
    present: true,
    text: holder ? `${holder} (token ${token.label})` : `Token ${token.label}`,
    warning,
  };
}

export interface ResultSummary {
  ok: boolean;
  headline: string;
  problems: string[];
  notes: string[];
}

/** "Chữ ký hợp lệ" when every signature is intact and valid and nothing changed after. */
export function summarizeResult(r: DocSignResult): ResultSummary {
  if (!r.signed) {
    return {
      ok: false,
      headline: "Chưa ký",
      problems: [r.error ?? "không rõ lỗi"],
      notes: [],
    };
  }
  const problems: string[] = [];
  const notes: string[] = [];
  if (r.signatures.length === 0) problems.push("Không tìm thấy chữ ký trong tệp đã ký");
  r.signatures.forEach((s, i) => {
    const who = `Chữ ký ${i + 1} (${s.signer})`;
    if (!s.intact) problems.push(`${who}: nội dung đã bị thay đổi sau khi ký`);
    else if (!s.valid) problems.push(`${who}: chữ ký không hợp lệ`);
    for (const p of s.problems) problems.push(`${who}: ${p}`);
    if (s.valid && !s.trusted) {
      notes.push(`${who}: chưa xác thực được chuỗi chứng thư tới chứng thư gốc tin cậy`);
    }
  });
  if (r.modifiedAfterLastSignature) problems.push("Tệp bị sửa đổi sau chữ ký cuối");
  const ok = problems.length === 0;
  return { ok, headline: ok ? "Chữ ký hợp lệ" : "Chữ ký có vấn đề", problems, notes };
}

/** Toggles one id in a selection, keeping the queue's order. */
export function toggle(selection: number[], id: number, order: number[]): number[] {
  const set = new Set(selection);
  if (set.has(id)) set.delete(id);
  else set.add(id);
  return order.filter((x) => set.has(x));
}

/** PKCS#11 tokens take PINs of 4 to 32 characters; anything else is refused before login. */
export function acceptablePin(pin: string): boolean {
  return pin.length >= 4 && pin.length <= 32;
}

/** The value of one RDN (e.g. "O") in a subject string "CN=…,O=…,C=VN". */
function rdn(subject: string, key: string): string | null {
  for (const part of subject.split(/,(?=\s*[A-Za-z.0-9]+=)/)) {
    const [k, ...v] = part.split("=");
    if (k.trim().toUpperCase() === key) return v.join("=").trim();
  }
  return null;
}

/**
 * An organisation's certificate names the organisation itself as its holder (CN = O), the
 * way Ban Cơ yếu issues them; a leader's names a person.
 */
export function isOrganizationCert(c: Pick<CertDto, "holder" | "subject">): boolean {
  const org = rdn(c.subject, "O");
  return org !== null && org.normalize("NFC") === c.holder.normalize("NFC");
}

/** The certificate a role signs with unless the user picks another: the leader's personal
 *  one for "leader", the organisation's for "organization", else the first. */
export function defaultCert<C extends Pick<CertDto, "holder" | "subject">>(
  certs: C[],
  role: SignRole,
): C | undefined {
  const wantOrg = role === "organization";
  return certs.find((c) => isOrganizationCert(c) === wantOrg) ?? certs[0];
}
