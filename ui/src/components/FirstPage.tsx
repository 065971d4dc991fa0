import { useState } from "react";
import { convertFileSrc } from "@tauri-apps/api/core";
import { UnstyledButton } from "@mantine/core";
import { pageImagePath } from "../signing";

/** Width of the page in the detail pane (its 300 px less the padding). */
export const FIRST_PAGE_WIDTH = 266;

function firstPageSrc(sha256: string): string | null {
  try {
    const width = Math.round(FIRST_PAGE_WIDTH * (window.devicePixelRatio || 1));
    return convertFileSrc(pageImagePath(sha256, 0), "vanthu-pdf") + `?width=${width}`;
  } catch {
    // Outside the webview there is no URI scheme to ask.
    return null;
  }
}

/**
 * Page 1 of the document's PDF, drawn by the viewer's page scheme, so the clerk sees the
 * document on selecting it; a click opens the viewer. A PDF that cannot be drawn shows
 * nothing here (the viewer says why).
 */
export function FirstPage(props: { sha256: string; name: string; onOpen: () => void }) {
  const { sha256, name, onOpen } = props;
  const [failed, setFailed] = useState<string | null>(null);
  const src = firstPageSrc(sha256);
  if (!src || failed === sha256) return null;
  return (
    <UnstyledButton
      onClick={onOpen}
      data-testid="first-page"
      title="Bấm để xem toàn văn"
      style={{ border: "1px solid var(--mantine-color-gray-3)", lineHeight: 0 }}
    >
      <img
        key={sha256}
        src={src}
        alt={`Trang 1 của ${name}`}
        width={FIRST_PAGE_WIDTH}
        onError={() => setFailed(sha256)}
      />
    </UnstyledButton>
  );
}
