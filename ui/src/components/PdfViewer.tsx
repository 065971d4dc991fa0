// The PDF viewer: pages stream as images from the `vanthu-pdf` URI scheme (no base64 over
// IPC); only the pages near the viewport have an <img> (TanStack Virtual). Reusable: give it
// the sha256 of a stored attachment.
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import {
  ActionIcon,
  Box,
  Button,
  Group,
  Loader,
  Select,
  Text,
  TextInput,
  Tooltip,
} from "@mantine/core";
import { errorMessage } from "../errors";
import { useVirtualizer } from "@tanstack/react-virtual";
import { convertFileSrc } from "@tauri-apps/api/core";
import { commands, type PdfFindHit, type PdfInfo } from "../bindings";
import {
  PAGE_GAP,
  type FileSrc,
  type Rotation,
  type Size,
  type ZoomMode,
  currentPage,
  cycleHit,
  pageCssSize,
  pageImageUrl,
  pageTops,
  plainFileSrc,
  requestWidth,
  resolveZoom,
  rotateRect,
  stepZoom,
  CSS_PX_PER_PT,
} from "./pdfViewerMath";

const fileSrc: FileSrc = (path, protocol) =>
  typeof window !== "undefined" && "__TAURI_INTERNALS__" in window
    ? convertFileSrc(path, protocol)
    : plainFileSrc(path, protocol);

const ZOOM_OPTIONS = [
  { value: "fitWidth", label: "Vừa chiều rộng" },
  { value: "fitPage", label: "Vừa trang" },
  ...[50, 75, 100, 125, 150, 200, 300, 400].map((p) => ({ value: String(p), label: `${p}%` })),
];
const THUMB_WIDTH = 110;
const MAX_RETRIES = 3;

function sizes(info: PdfInfo | null): Size[] {
  return (info?.pageSizes ?? []).map((s) => ({ width: s.width ?? 612, height: s.height ?? 792 }));
}

type PageProps = {
  sha256: string;
  index: number;
  css: Size;
  rotation: Rotation;
  hits: PdfFindHit[];
  activeHit: PdfFindHit | null;
  page: Size;
  zoom: number;
};

function PageView({ sha256, index, css, rotation, hits, activeHit, page, zoom }: PageProps) {
  const [retry, setRetry] = useState(0);
  const [loaded, setLoaded] = useState(false);
  const [failed, setFailed] = useState(false);
  const width = requestWidth(css.width, window.devicePixelRatio || 1);
  const src = pageImageUrl(fileSrc, sha256, index, width, rotation, "png", retry);
  const scale = CSS_PX_PER_PT * zoom;
  return (
    <Box
      data-testid="pdf-page"
      data-page={index + 1}
      style={{
        position: "relative",
        width: css.width,
        height: css.height,
        margin: "0 auto",
        background: "white",
        boxShadow: "0 1px 4px rgba(0,0,0,.25)",
      }}
    >
      {!loaded && (
        <Text c="dimmed" size="sm" style={{ position: "absolute", top: 8, left: 8 }}>
          {failed ? "Không hiển thị được trang này" : `Đang tải trang ${index + 1}…`}
        </Text>
      )}
      <img
        src={src}
        alt={`Trang ${index + 1}`}
        draggable={false}
        width={css.width}
        height={css.height}
        style={{ display: "block", width: css.width, height: css.height }}
        onLoad={() => setLoaded(true)}
        onError={() => {
          // A request cancelled while this page was off screen comes back as an error; ask
          // again now that it is visible.
          if (retry < MAX_RETRIES) setRetry((r) => r + 1);
          else setFailed(true);
        }}
      />
      {hits.flatMap((h, hi) =>
        h.rects.map((r, ri) => {
          const rr = rotateRect(
            { x: r.x ?? 0, y: r.y ?? 0, width: r.width ?? 0, height: r.height ?? 0 },
            page,
            rotation,
          );
          const active = h === activeHit;
          return (
            <div
              key={`${hi}-${ri}`}
              data-testid="pdf-highlight"
              data-active={active ? "true" : undefined}
              style={{
                position: "absolute",
                left: rr.x * scale - 1,
                top: rr.y * scale - 1,
                width: rr.width * scale + 2,
                height: rr.height * scale + 2,
                background: active ? "rgba(255,120,0,.45)" : "rgba(255,220,0,.4)",
                outline: active ? "2px solid rgb(230,90,0)" : undefined,
                pointerEvents: "none",
              }}
            />
          );
        }),
      )}
    </Box>
  );
}

function Thumbnails({
  sha256,
  pages,
  rotation,
  current,
  onPick,
}: {
  sha256: string;
  pages: Size[];
  rotation: Rotation;
  current: number;
  onPick: (page: number) => void;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const css = (i: number) =>
    pageCssSize(pages[i], rotation, THUMB_WIDTH / (pages[i].width * CSS_PX_PER_PT));
  const v = useVirtualizer({
    count: pages.length,
    getScrollElement: () => ref.current,
    estimateSize: (i) => css(i).height + 28,
    overscan: 2,
  });
  useEffect(() => {
    v.scrollToIndex(current, { align: "auto" });
  }, [current, v]);
  return (
    <Box
      ref={ref}
      data-testid="pdf-thumbnails"
      style={{
        width: THUMB_WIDTH + 30,
        overflowY: "auto",
        borderRight: "1px solid var(--mantine-color-gray-3)",
      }}
    >
      <div style={{ height: v.getTotalSize(), position: "relative" }}>
        {v.getVirtualItems().map((it) => {
          const s = css(it.index);
          return (
            <div
              key={it.key}
              style={{
                position: "absolute",
                top: it.start,
                left: 0,
                right: 0,
                textAlign: "center",
                paddingTop: 6,
              }}
            >
              <img
                src={pageImageUrl(
                  fileSrc,
                  sha256,
                  it.index,
                  requestWidth(s.width, 1),
                  rotation,
                  "jpg",
                )}
                alt={`Trang ${it.index + 1}`}
                width={s.width}
                height={s.height}
                onClick={() => onPick(it.index)}
                style={{
                  cursor: "pointer",
                  background: "white",
                  outline:
                    it.index === current
                      ? "2px solid var(--mantine-color-blue-6)"
                      : "1px solid #ccc",
                }}
              />
              <Text size="xs">{it.index + 1}</Text>
            </div>
          );
        })}
      </div>
    </Box>
  );
}

export function PdfViewer({ sha256 }: { sha256: string }) {
  const [info, setInfo] = useState<PdfInfo | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [mode, setMode] = useState<ZoomMode>({ kind: "fitWidth" });
  const [rotation, setRotation] = useState<Rotation>(0);
  const [thumbs, setThumbs] = useState(false);
  const [viewport, setViewport] = useState<Size>({ width: 0, height: 0 });
  const [current, setCurrent] = useState(0);
  const [query, setQuery] = useState("");
  const [hits, setHits] = useState<PdfFindHit[] | null>(null);
  const [hitIndex, setHitIndex] = useState(-1);
  const [finding, setFinding] = useState(false);
  const [pageInput, setPageInput] = useState("");
  const scrollRef = useRef<HTMLDivElement>(null);
  const findRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    let live = true;
    commands.viewerOpen(sha256).then(
      (i) => live && (setInfo(i), setError(null)),
      (e) => live && setError(errorMessage(e)),
    );
    return () => {
      live = false;
    };
  }, [sha256]);

  useEffect(() => {
    const el = scrollRef.current;
    if (!el) return;
    const measure = () => setViewport({ width: el.clientWidth, height: el.clientHeight });
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, [info]);

  const pages = useMemo(() => sizes(info), [info]);
  const zoom = useMemo(
    () => resolveZoom(mode, pages, rotation, viewport),
    [mode, pages, rotation, viewport],
  );
  const css = useMemo(
    () => pages.map((p) => pageCssSize(p, rotation, zoom)),
    [pages, rotation, zoom],
  );
  const tops = useMemo(() => pageTops(css.map((c) => c.height)), [css]);

  const virtualizer = useVirtualizer({
    count: pages.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: (i) => css[i].height + PAGE_GAP,
    paddingStart: PAGE_GAP,
    overscan: 1,
  });

  // Page sizes change with zoom and rotation: re-measure and keep the current page in view.
  const keepPage = useRef(0);
  keepPage.current = current;
  useEffect(() => {
    virtualizer.measure();
    if (pages.length > 0) virtualizer.scrollToOffset(tops[keepPage.current] - PAGE_GAP);
  }, [css, tops, virtualizer, pages.length]);

  const items = virtualizer.getVirtualItems();
  const first = items.length ? items[0].index : 0;
  const last = items.length ? items[items.length - 1].index : -1;
  useEffect(() => {
    if (!info || last < 0) return;
    const t = setTimeout(
      () => void commands.viewerVisible(sha256, first, last).catch(() => {}),
      120,
    );
    return () => clearTimeout(t);
  }, [info, sha256, first, last]);

  const onScroll = () => {
    const el = scrollRef.current;
    if (el) setCurrent(currentPage(tops, el.scrollTop, el.clientHeight));
  };

  const goTo = useCallback(
    (page: number) => {
      if (pages.length === 0) return;
      const p = Math.min(pages.length - 1, Math.max(0, page));
      scrollRef.current?.scrollTo({ top: tops[p] - PAGE_GAP });
      setCurrent(p);
    },
    [pages.length, tops],
  );

  const showHit = useCallback(
    (list: PdfFindHit[], i: number) => {
      setHitIndex(i);
      const h = list[i];
      const el = scrollRef.current;
      if (!h || !el) return;
      const page = pages[h.page];
      const r = h.rects[0];
      const rr = r
        ? rotateRect(
            { x: r.x ?? 0, y: r.y ?? 0, width: r.width ?? 0, height: r.height ?? 0 },
            page,
            rotation,
          )
        : { x: 0, y: 0, width: 0, height: 0 };
      const scale = CSS_PX_PER_PT * zoom;
      // The hit lands a third of the way down, where the page indicator looks.
      const y = tops[h.page] + (rr.y + rr.height / 2) * scale - el.clientHeight / 3;
      el.scrollTo({ top: Math.max(0, y) });
      setCurrent(h.page);
    },
    [pages, rotation, zoom, tops],
  );

  const find = async () => {
    const q = query.trim();
    if (!q) {
      setHits(null);
      setHitIndex(-1);
      return;
    }
    setFinding(true);
    try {
      const found = await commands.viewerFind(sha256, q);
      setHits(found);
      if (found.length > 0) {
        // Start from the current page, as readers expect.
        const from = found.findIndex((h) => h.page >= current);
        showHit(found, from < 0 ? 0 : from);
      } else setHitIndex(-1);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setFinding(false);
    }
  };

  const nextHit = (dir: 1 | -1) => {
    if (!hits || hits.length === 0) return;
    showHit(hits, cycleHit(hitIndex, hits.length, dir));
  };

  const zoomBy = (dir: 1 | -1) => setMode({ kind: "percent", value: stepZoom(zoom, dir) });

  const onKeyDown = (e: React.KeyboardEvent) => {
    const ctrl = e.ctrlKey || e.metaKey;
    const inInput = (e.target as HTMLElement).tagName === "INPUT";
    let handled = true;
    if (ctrl && (e.key === "f" || e.key === "F")) {
      findRef.current?.focus();
      findRef.current?.select();
    } else if (ctrl && (e.key === "+" || e.key === "=")) zoomBy(1);
    else if (ctrl && e.key === "-") zoomBy(-1);
    else if (ctrl && e.key === "0") setMode({ kind: "fitWidth" });
    else if (inInput) handled = false;
    else if (e.key === "PageDown") goTo(current + 1);
    else if (e.key === "PageUp") goTo(current - 1);
    else if (e.key === "Home") goTo(0);
    else if (e.key === "End") goTo(pages.length - 1);
    else handled = false;
    if (handled) {
      e.preventDefault();
      // Keep the app's own shortcuts (Ctrl+F = register search) out while the viewer has focus.
      e.stopPropagation();
    }
  };

  if (error && !info)
    return (
      <Text c="red" data-testid="pdf-error">
        {error}
      </Text>
    );
  if (!info) return <Loader size="sm" />;

  const hitsByPage = new Map<number, PdfFindHit[]>();
  for (const h of hits ?? []) hitsByPage.set(h.page, [...(hitsByPage.get(h.page) ?? []), h]);
  const activeHit = hits && hitIndex >= 0 ? hits[hitIndex] : null;
  const zoomValue = mode.kind === "percent" ? String(Math.round(mode.value * 100)) : mode.kind;
  const zoomOptions = ZOOM_OPTIONS.some((o) => o.value === zoomValue)
    ? ZOOM_OPTIONS
    : [...ZOOM_OPTIONS, { value: zoomValue, label: `${zoomValue}%` }];

  return (
    <Box
      data-testid="pdf-viewer"
      onKeyDown={onKeyDown}
      tabIndex={-1}
      style={{
        display: "flex",
        flexDirection: "column",
        height: "100%",
        minHeight: 0,
        outline: "none",
      }}
    >
      <Group
        gap="xs"
        wrap="nowrap"
        p={4}
        style={{ borderBottom: "1px solid var(--mantine-color-gray-3)" }}
      >
        <Tooltip label="Hình thu nhỏ">
          <Button
            size="xs"
            variant={thumbs ? "filled" : "default"}
            onClick={() => setThumbs((t) => !t)}
            data-testid="pdf-thumbs-toggle"
          >
            ▤
          </Button>
        </Tooltip>
        <Text size="sm" data-testid="pdf-page-indicator" style={{ whiteSpace: "nowrap" }}>
          Trang {current + 1}/{info.pages}
        </Text>
        <TextInput
          size="xs"
          w={64}
          placeholder="Đến"
          aria-label="Đến trang"
          value={pageInput}
          onChange={(e) => setPageInput(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === "Enter") {
              const n = parseInt(pageInput, 10);
              if (!Number.isNaN(n)) goTo(n - 1);
              setPageInput("");
            }
          }}
        />
        <Tooltip label="Thu nhỏ (Ctrl −)">
          <ActionIcon
            variant="default"
            onClick={() => zoomBy(-1)}
            aria-label="Thu nhỏ"
            data-testid="pdf-zoom-out"
          >
            −
          </ActionIcon>
        </Tooltip>
        <Select
          size="xs"
          w={140}
          aria-label="Thu phóng"
          data={zoomOptions}
          value={zoomValue}
          allowDeselect={false}
          onChange={(v) => {
            if (v === "fitWidth" || v === "fitPage") setMode({ kind: v });
            else if (v) setMode({ kind: "percent", value: Number(v) / 100 });
          }}
        />
        <Tooltip label="Phóng to (Ctrl +)">
          <ActionIcon
            variant="default"
            onClick={() => zoomBy(1)}
            aria-label="Phóng to"
            data-testid="pdf-zoom-in"
          >
            +
          </ActionIcon>
        </Tooltip>
        <Text size="xs" c="dimmed" w={40} data-testid="pdf-zoom-percent">
          {Math.round(zoom * 100)}%
        </Text>
        <Tooltip label="Xoay 90°">
          <ActionIcon
            variant="default"
            aria-label="Xoay"
            data-testid="pdf-rotate"
            onClick={() => setRotation((r) => ((r + 90) % 360) as Rotation)}
          >
            ⟳
          </ActionIcon>
        </Tooltip>
        <TextInput
          ref={findRef}
          size="xs"
          placeholder="Tìm trong văn bản (Ctrl+F)"
          aria-label="Tìm trong văn bản"
          data-testid="pdf-find-input"
          style={{ flex: 1, minWidth: 120 }}
          value={query}
          onChange={(e) => setQuery(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === "Enter") {
              e.preventDefault();
              if (hits && query.trim() && hitIndex >= 0) nextHit(e.shiftKey ? -1 : 1);
              else void find();
            } else if (e.key === "Escape") {
              setHits(null);
              setHitIndex(-1);
            }
          }}
          rightSection={finding ? <Loader size={12} /> : null}
        />
        <Button size="xs" variant="default" onClick={() => void find()} data-testid="pdf-find">
          Tìm
        </Button>
        <ActionIcon
          variant="default"
          aria-label="Kết quả trước"
          onClick={() => nextHit(-1)}
          disabled={!hits?.length}
        >
          ↑
        </ActionIcon>
        <ActionIcon
          variant="default"
          aria-label="Kết quả sau"
          onClick={() => nextHit(1)}
          disabled={!hits?.length}
          data-testid="pdf-find-next"
        >
          ↓
        </ActionIcon>
        <Text size="xs" c="dimmed" data-testid="pdf-find-count" style={{ whiteSpace: "nowrap" }}>
          {hits === null ? "" : hits.length === 0 ? "Không thấy" : `${hitIndex + 1}/${hits.length}`}
        </Text>
      </Group>
      {error && (
        <Text c="red" size="sm">
          {error}
        </Text>
      )}
      <Box style={{ display: "flex", flex: 1, minHeight: 0 }}>
        {thumbs && (
          <Thumbnails
            sha256={sha256}
            pages={pages}
            rotation={rotation}
            current={current}
            onPick={goTo}
          />
        )}
        <Box
          ref={scrollRef}
          data-testid="pdf-scroll"
          tabIndex={0}
          onScroll={onScroll}
          style={{
            flex: 1,
            overflow: "auto",
            background: "var(--mantine-color-gray-2)",
            outline: "none",
          }}
        >
          <div
            style={{
              height: virtualizer.getTotalSize() + PAGE_GAP,
              position: "relative",
              minWidth: "100%",
            }}
          >
            {items.map((it) => (
              <div
                key={`${it.key}-${rotation}`}
                style={{
                  position: "absolute",
                  top: it.start,
                  left: 0,
                  minWidth: "100%",
                  padding: `0 ${PAGE_GAP}px`,
                }}
              >
                <PageView
                  sha256={sha256}
                  index={it.index}
                  css={css[it.index]}
                  rotation={rotation}
                  page={pages[it.index]}
                  zoom={zoom}
                  hits={hitsByPage.get(it.index) ?? []}
                  activeHit={activeHit}
                />
              </div>
            ))}
          </div>
        </Box>
      </Box>
    </Box>
  );
}
