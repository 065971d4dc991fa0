// Pure helpers of the PDF viewer: zoom math, which page is where, page image URLs.
// Sizes come from the back end in PDF points (1/72 inch); at 100 % a page shows at its
// physical size on a 96-DPI screen, so one point is 96/72 CSS pixels.

export const CSS_PX_PER_PT = 96 / 72;
export const ZOOM_MIN = 0.5;
export const ZOOM_MAX = 4;
/** Steps of the +/- buttons and Ctrl +/-, as fractions of 100 %. */
export const ZOOM_STEPS = [0.5, 0.67, 0.75, 0.9, 1, 1.1, 1.25, 1.5, 1.75, 2, 2.5, 3, 4];
/** Space between pages and around them, CSS px. */
export const PAGE_GAP = 12;
export const PDF_SCHEME = "vanthu-pdf";
/** Widest image the back end renders (keep in step with viewer.rs MAX_WIDTH). */
export const MAX_IMAGE_WIDTH = 8192;

export type Rotation = 0 | 90 | 180 | 270;
export type ZoomMode =
  { kind: "fitWidth" } | { kind: "fitPage" } | { kind: "percent"; value: number };
export type Size = { width: number; height: number };
export type Rect = { x: number; y: number; width: number; height: number };

export function clampZoom(z: number): number {
  return Math.min(ZOOM_MAX, Math.max(ZOOM_MIN, z));
}

/** Page size (points) as shown after the viewer's rotation. */
export function rotatedSize(page: Size, rotation: Rotation): Size {
  return rotation === 90 || rotation === 270 ? { width: page.height, height: page.width } : page;
}

/**
 * The zoom factor (1 = 100 %) for a mode: fit width fits the widest page in the viewport
 * width, fit page fits the largest page entirely. The result stays within 50–400 %.
 */
export function resolveZoom(
  mode: ZoomMode,
  pages: Size[],
  rotation: Rotation,
  viewport: Size,
): number {
  if (mode.kind === "percent") return clampZoom(mode.value);
  if (pages.length === 0 || viewport.width <= 0) return 1;
  const shown = pages.map((p) => rotatedSize(p, rotation));
  const widest = Math.max(...shown.map((p) => p.width));
  const tallest = Math.max(...shown.map((p) => p.height));
  const availW = Math.max(1, viewport.width - 2 * PAGE_GAP);
  const availH = Math.max(1, viewport.height - 2 * PAGE_GAP);
  const fitW = availW / (widest * CSS_PX_PER_PT);
  if (mode.kind === "fitWidth") return clampZoom(fitW);
  return clampZoom(Math.min(fitW, availH / (tallest * CSS_PX_PER_PT)));
}

/** The next zoom step above (dir 1) or below (dir -1) the current zoom. */
export function stepZoom(current: number, dir: 1 | -1): number {
  const eps = 1e-3;
  if (dir > 0) return ZOOM_STEPS.find((s) => s > current + eps) ?? ZOOM_MAX;
  return [...ZOOM_STEPS].reverse().find((s) => s < current - eps) ?? ZOOM_MIN;
}

/** CSS size of a page at a zoom. */
export function pageCssSize(page: Size, rotation: Rotation, zoom: number): Size {
  const s = rotatedSize(page, rotation);
  return {
    width: Math.round(s.width * CSS_PX_PER_PT * zoom),
    height: Math.round(s.height * CSS_PX_PER_PT * zoom),
  };
}

/**
 * Pixel width to request for a page shown `cssWidth` wide: device pixels, rounded up to a
 * multiple of 64 so small layout changes reuse the cached image, within the back end's limit.
 */
export function requestWidth(cssWidth: number, devicePixelRatio = 1): number {
  const px = Math.ceil((cssWidth * Math.max(1, devicePixelRatio)) / 64) * 64;
  return Math.min(MAX_IMAGE_WIDTH, Math.max(64, px));
}

/** Top offsets of every page in the scrolled column (first page after one gap). */
export function pageTops(heights: number[]): number[] {
  const tops: number[] = [];
  let y = PAGE_GAP;
  for (const h of heights) {
    tops.push(y);
    y += h + PAGE_GAP;
  }
  return tops;
}

/** Index of the page at vertical offset `y` (the one starting at or before it). */
export function pageAt(tops: number[], y: number): number {
  if (tops.length === 0) return 0;
  let lo = 0;
  let hi = tops.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (tops[mid] <= y) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** The page the indicator shows: the one a third of the way down the viewport. */
export function currentPage(tops: number[], scrollTop: number, viewportHeight: number): number {
  return pageAt(tops, scrollTop + viewportHeight / 3);
}

/** First and last page (inclusive) with any part inside the viewport. */
export function visibleRange(
  tops: number[],
  heights: number[],
  scrollTop: number,
  viewportHeight: number,
): { first: number; last: number } {
  if (tops.length === 0) return { first: 0, last: -1 };
  let first = pageAt(tops, scrollTop);
  if (tops[first] + heights[first] <= scrollTop && first < tops.length - 1) first += 1;
  const last = pageAt(tops, scrollTop + viewportHeight - 1);
  return { first, last: Math.max(first, last) };
}

/**
 * A rectangle in points on the unrotated displayed page (what find returns) moved onto the
 * page as the viewer shows it, turned clockwise by `rotation`.
 */
export function rotateRect(r: Rect, page: Size, rotation: Rotation): Rect {
  switch (rotation) {
    case 90:
      return { x: page.height - r.y - r.height, y: r.x, width: r.height, height: r.width };
    case 180:
      return {
        x: page.width - r.x - r.width,
        y: page.height - r.y - r.height,
        width: r.width,
        height: r.height,
      };
    case 270:
      return { x: r.y, y: page.width - r.x - r.width, width: r.height, height: r.width };
    default:
      return r;
  }
}

/** The next (dir 1) or previous (dir -1) hit, wrapping around. */
export function cycleHit(index: number, count: number, dir: 1 | -1): number {
  if (count <= 0) return -1;
  return (((index + dir) % count) + count) % count;
}

export type FileSrc = (path: string, protocol: string) => string;

/** What Tauri's convertFileSrc builds on Linux and macOS (used outside the webview). */
export const plainFileSrc: FileSrc = (path, protocol) =>
  `${protocol}://localhost/${encodeURIComponent(path)}`;

/**
 * URL of a rendered page: `convertFileSrc("<sha256>/<page>.png", "vanthu-pdf")` with
 * `?width=<px>&rotate=<deg>` (the contract of src-tauri/src/viewer.rs). `retry` adds a
 * cache-busting `v` the back end ignores.
 */
export function pageImageUrl(
  fileSrc: FileSrc,
  sha256: string,
  page: number,
  width: number,
  rotation: Rotation = 0,
  ext: "png" | "webp" | "jpg" = "png",
  retry = 0,
): string {
  const base = fileSrc(`${sha256}/${page}.${ext}`, PDF_SCHEME);
  const v = retry > 0 ? `&v=${retry}` : "";
  return `${base}?width=${Math.round(width)}&rotate=${rotation}${v}`;
}
