import { describe, expect, it } from "vitest";
import type { DocSignResult, PlacementPreviewDto, SignatureDto, TokenStatus } from "./bindings";
import {
  defaultCert,
  describeSignError,
  isOrganizationCert,
  pageCssHeight,
  pageImagePath,
  rectToCss,
  summarizeResult,
  summarizeToken,
  toggle,
} from "./signing";

const a4: PlacementPreviewDto = {
  page: 2,
  pageCount: 2,
  pageWidth: 595,
  pageHeight: 842,
  rect: { x: 377.6, y: 168.4, width: 170, height: 70 },
  reservedField: false,
  pdfSha256: "ab".repeat(32),
};

const sig = (over: Partial<SignatureDto> = {}): SignatureDto => ({
  field: "Signature1",
  signer: "Nguyễn Văn An",
  signingTime: "2026-11-25T09:00:00+07:00",
  timestampTime: null,
  intact: true,
  valid: true,
  trusted: true,
  coversWholeDocument: true,
  level: "B-B",
  problems: [],
  ...over,
});

const result = (over: Partial<DocSignResult> = {}): DocSignResult => ({
  id: 1,
  notation: "/UBND-VP",
  subject: "Về việc thử",
  signed: true,
  error: null,
  signatures: [sig()],
  modifiedAfterLastSignature: false,
  reportText: "",
  signedSha256: "cd".repeat(32),
  ...over,
});

describe("placement preview", () => {
  it("flips the PDF's bottom-left origin to CSS top-left and scales to the image", () => {
    const box = rectToCss(a4, 595);
    expect(box.left).toBeCloseTo(377.6);
    expect(box.top).toBeCloseTo(842 - 168.4 - 70);
    expect(box.width).toBeCloseTo(170);
    const half = rectToCss(a4, 297.5);
    expect(half.left).toBeCloseTo(188.8);
    expect(half.height).toBeCloseTo(35);
    expect(pageCssHeight(a4, 297.5)).toBeCloseTo(421);
  });

  it("a box at the bottom edge touches the image's bottom", () => {
    const box = rectToCss({ ...a4, rect: { x: 0, y: 0, width: 100, height: 50 } }, 600);
    expect(box.top + box.height).toBeCloseTo(pageCssHeight(a4, 600));
  });

  it("page images are addressed by content hash and 0-based page", () => {
    expect(pageImagePath("ff00", 1)).toBe("ff00/1.png");
  });
});

describe("sign errors", () => {
  it("a wrong PIN shows the remaining tries the token reports, in Vietnamese", () => {
    const e = describeSignError({
      kind: "wrongPin",
      tries: "final",
      message: "sai mã PIN",
    });
    expect(e.kind).toBe("wrong_pin");
    expect(e.text).toBe("Sai mã PIN — chỉ còn MỘT lần thử, sai nữa token sẽ bị khóa.");
    expect(e.text).not.toMatch(/wrong|try left/);
    expect(describeSignError({ kind: "wrongPin", tries: "unknown", message: "x" }).text).toBe(
      "Sai mã PIN — token không báo số lần thử còn lại.",
    );
  });

  it("a locked token and a missing token read clearly", () => {
    expect(
      describeSignError({
        kind: "pinLocked",
        message: "token đã bị khóa do nhập sai PIN quá số lần; liên hệ đơn vị cấp để mở khóa",
      }),
    ).toEqual({
      kind: "locked",
      text: "Token đã bị khóa do nhập sai PIN quá số lần; liên hệ đơn vị cấp để mở khóa.",
    });
    expect(describeSignError({ kind: "noToken", message: "không tìm thấy token" }).kind).toBe(
      "no_token",
    );
    // The kind decides, not the words: a message that merely starts like a PIN error is "other".
    expect(describeSignError({ kind: "internal", message: "sai mã PIN" }).kind).toBe("other");
    expect(describeSignError(new Error("lỗi khác")).kind).toBe("other");
  });
});

describe("token summary", () => {
  const status = (over: Partial<TokenStatus> = {}): TokenStatus => ({
    module: "/usr/lib/softhsm/libsofthsm2.so",
    tokens: [],
    problem: null,
    ...over,
  });
  it("no token plugged in", () => {
    expect(summarizeToken(status())).toMatchObject({ present: false, text: "Chưa cắm token" });
    expect(summarizeToken(status({ module: null })).warning).toMatch(/Cài đặt/);
  });
  it("names the certificate holder and warns about PIN state", () => {
    const s = summarizeToken(
      status({
        tokens: [
          {
            slot: "1",
            label: "vanthu-test",
            manufacturer: "SoftHSM",
            serial: "1",
            pinCountLow: false,
            pinFinalTry: true,
            pinLocked: false,
            certificates: [
              {
                label: "leader-rsa",
                holder: "Nguyễn Văn An",
                subject: "",
                issuer: "",
                validFrom: "",
                validTo: "",
                keyUsage: [],
              },
            ],
          },
        ],
      }),
    );
    expect(s.present).toBe(true);
    expect(s.text).toBe("Nguyễn Văn An (token vanthu-test)");
    expect(s.warning).toMatch(/MỘT lần/);
  });
});

describe("result summary", () => {
  it("valid and intact → Chữ ký hợp lệ; untrusted is a note, not a failure", () => {
    expect(summarizeResult(result())).toMatchObject({ ok: true, headline: "Chữ ký hợp lệ" });
    const u = summarizeResult(result({ signatures: [sig({ trusted: false })] }));
    expect(u.ok).toBe(true);
    expect(u.notes[0]).toMatch(/chứng thư gốc/);
  });
  it("a broken or modified signature is a problem", () => {
    expect(
      summarizeResult(result({ signatures: [sig({ intact: false, valid: false })] })),
    ).toMatchObject({
      ok: false,
      headline: "Chữ ký có vấn đề",
    });
    expect(summarizeResult(result({ modifiedAfterLastSignature: true })).ok).toBe(false);
    expect(summarizeResult(result({ signatures: [] })).ok).toBe(false);
  });
  it("a document left unsigned says why, in Vietnamese", () => {
    const r = summarizeResult(
      result({
        signed: false,
        signatures: [],
        error: "chưa ký: token đã bị rút ra, văn bản vẫn ở hàng chờ",
      }),
    );
    expect(r).toMatchObject({ ok: false, headline: "Chưa ký" });
    expect(r.problems).toEqual(["chưa ký: token đã bị rút ra, văn bản vẫn ở hàng chờ"]);
  });
});

describe("selection", () => {
  it("toggles and keeps the queue order", () => {
    const order = [5, 3, 9];
    let sel = toggle([], 9, order);
    sel = toggle(sel, 5, order);
    expect(sel).toEqual([5, 9]);
    expect(toggle(sel, 5, order)).toEqual([9]);
  });
});

describe("certificate per role", () => {
  const org = {
    label: "org-rsa",
    holder: "UBND tỉnh Thử Nghiệm",
    subject: "CN=UBND tỉnh Thử Nghiệm,O=UBND tỉnh Thử Nghiệm,L=Thử Nghiệm,C=VN",
  };
  const leader = {
    label: "leader-rsa",
    holder: "Nguyễn Văn An",
    subject: "CN=Nguyễn Văn An,T=Chủ tịch,O=UBND tỉnh Thử Nghiệm,C=VN",
  };
  it("tells an organisation's certificate (CN = O) from a person's", () => {
    expect(isOrganizationCert(org)).toBe(true);
    expect(isOrganizationCert(leader)).toBe(false);
    expect(isOrganizationCert({ holder: "X", subject: "" })).toBe(false);
  });
  it("the leader signs with the personal certificate, the seal with the organisation's", () => {
    expect(defaultCert([org, leader], "leader")?.label).toBe("leader-rsa");
    expect(defaultCert([org, leader], "organization")?.label).toBe("org-rsa");
    expect(defaultCert([leader], "organization")?.label).toBe("leader-rsa");
    expect(defaultCert([], "leader")).toBeUndefined();
  });
});
