import { describe, expect, it } from "vitest";
import {
  CSS_PX_PER_PT,
  PAGE_GAP,
  currentPage,
  cycleHit,
  pageAt,
  pageCssSize,
  pageImageUrl,
  pageTops,
  plainFileSrc,
  requestWidth,
  resolveZoom,
  rotateRect,
  stepZoom,
  visibleRange,
} from "./pdfViewerMath";

const A4 = { width: 595, height: 842 };
const A4_LANDSCAPE = { width: 842, height: 595 };
const SHA = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

describe("zoom", () => {
  it("fit width fits the widest page in the viewport width", () => {
    const z = resolveZoom({ kind: "fitWidth" }, [A4, A4_LANDSCAPE], 0, {
      width: 1000,
      height: 700,
    });
    expect(pageCssSize(A4_LANDSCAPE, 0, z).width).toBe(1000 - 2 * PAGE_GAP);
  });

  it("fit page fits the whole page, height included", () => {
    const z = resolveZoom({ kind: "fitPage" }, [A4], 0, { width: 1000, height: 700 });
    const s = pageCssSize(A4, 0, z);
    expect(s.height).toBe(700 - 2 * PAGE_GAP);
    expect(s.width).toBeLessThan(1000);
  });

  it("rotation swaps the sides used for fitting", () => {
    const upright = resolveZoom({ kind: "fitWidth" }, [A4], 0, { width: 900, height: 700 });
    const turned = resolveZoom({ kind: "fitWidth" }, [A4], 90, { width: 900, height: 700 });
    expect(turned).toBeCloseTo(upright * (595 / 842), 5);
    expect(pageCssSize(A4, 90, 1)).toEqual({
      width: Math.round(842 * CSS_PX_PER_PT),
      height: Math.round(595 * CSS_PX_PER_PT),
    });
  });

  it("stays within 50–400 %", () => {
    expect(resolveZoom({ kind: "percent", value: 9 }, [A4], 0, { width: 1, height: 1 })).toBe(4);
    expect(resolveZoom({ kind: "fitWidth" }, [A4], 0, { width: 50, height: 50 })).toBe(0.5);
    expect(resolveZoom({ kind: "fitWidth" }, [A4], 0, { width: 100000, height: 800 })).toBe(4);
  });

  it("steps through the zoom ladder and stops at the ends", () => {
    expect(stepZoom(1, 1)).toBe(1.1);
    expect(stepZoom(1, -1)).toBe(0.9);
    expect(stepZoom(1.05, 1)).toBe(1.1);
    expect(stepZoom(1.05, -1)).toBe(1);
    expect(stepZoom(4, 1)).toBe(4);
    expect(stepZoom(0.5, -1)).toBe(0.5);
  });
});

describe("pages in the scrolled column", () => {
  const heights = [100, 200, 100];
  const tops = pageTops(heights);

  it("lays pages out with gaps", () => {
    expect(tops).toEqual([PAGE_GAP, 2 * PAGE_GAP + 100, 3 * PAGE_GAP + 300]);
  });

  it("finds the page at an offset", () => {
    expect(pageAt(tops, 0)).toBe(0);
    expect(pageAt(tops, tops[1])).toBe(1);
    expect(pageAt(tops, tops[1] - 1)).toBe(0);
    expect(pageAt(tops, 1e9)).toBe(2);
    expect(pageAt([], 10)).toBe(0);
  });

  it("reports the page a third of the way down as current", () => {
    expect(currentPage(tops, tops[1] - 30, 120)).toBe(1);
    expect(currentPage(tops, tops[1] - 50, 120)).toBe(0);
  });

  it("gives the range of pages with any part on screen", () => {
    expect(visibleRange(tops, heights, 0, 50)).toEqual({ first: 0, last: 0 });
    expect(visibleRange(tops, heights, 100, 200)).toEqual({ first: 0, last: 1 });
    // scrolled just past page 1's bottom, inside the gap
    expect(visibleRange(tops, heights, tops[0] + 101, 20)).toEqual({ first: 1, last: 1 });
    expect(visibleRange(tops, heights, tops[1], 10000)).toEqual({ first: 1, last: 2 });
  });
});

describe("highlights", () => {
  const page = { width: 600, height: 800 };
  const r = { x: 10, y: 20, width: 100, height: 10 };

  it("follow the page when it is rotated", () => {
    expect(rotateRect(r, page, 0)).toEqual(r);
    expect(rotateRect(r, page, 90)).toEqual({ x: 800 - 30, y: 10, width: 10, height: 100 });
    expect(rotateRect(r, page, 180)).toEqual({ x: 600 - 110, y: 800 - 30, width: 100, height: 10 });
    expect(rotateRect(r, page, 270)).toEqual({ x: 20, y: 600 - 110, width: 10, height: 100 });
  });

  it("cycle through hits both ways", () => {
    expect(cycleHit(0, 3, 1)).toBe(1);
    expect(cycleHit(2, 3, 1)).toBe(0);
    expect(cycleHit(0, 3, -1)).toBe(2);
    expect(cycleHit(-1, 3, 1)).toBe(0);
    expect(cycleHit(0, 0, 1)).toBe(-1);
  });
});

describe("page image URLs", () => {
  it("follow the vanthu-pdf contract", () => {
    expect(pageImageUrl(plainFileSrc, SHA, 2, 1200, 90)).toBe(
      `vanthu-pdf://localhost/${SHA}%2F2.png?width=1200&rotate=90`,
    );
    expect(pageImageUrl(plainFileSrc, SHA, 0, 300.4, 0, "jpg", 2)).toBe(
      `vanthu-pdf://localhost/${SHA}%2F0.jpg?width=300&rotate=0&v=2`,
    );
  });

  it("use the converter they are given (Windows form)", () => {
    const windows = (path: string, protocol: string) =>
      `http://${protocol}.localhost/${encodeURIComponent(path)}`;
    expect(pageImageUrl(windows, SHA, 1, 640)).toBe(
      `http://vanthu-pdf.localhost/${SHA}%2F1.png?width=640&rotate=0`,
    );
  });

  it("request device pixels in steps of 64 within the back end's limit", () => {
    expect(requestWidth(600, 1)).toBe(640);
    expect(requestWidth(600, 2)).toBe(1216);
    expect(requestWidth(640, 1)).toBe(640);
    expect(requestWidth(1, 1)).toBe(64);
    expect(requestWidth(100000, 2)).toBe(8192);
  });
});
