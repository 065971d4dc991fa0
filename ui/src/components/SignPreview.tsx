import { useState } from "react";
import { convertFileSrc } from "@tauri-apps/api/core";
import { Box, Text } from "@mantine/core";
import type { PlacementPreviewDto } from "../bindings";
import { PREVIEW_WIDTH, pageCssHeight, pageImagePath, rectToCss } from "../signing";

function pageSrc(p: PlacementPreviewDto): string | null {
  try {
    return (
      convertFileSrc(pageImagePath(p.pdfSha256, p.page - 1), "vanthu-pdf") +
      `?width=${PREVIEW_WIDTH}`
    );
  } catch {
    // Outside the webview (unit tests) there is no URI scheme to ask.
    return null;
  }
}

/** The page the signature goes on, with the signature box drawn where it will be. */
export function SignPreview({ preview, width }: { preview: PlacementPreviewDto; width: number }) {
  const [loaded, setLoaded] = useState<string | null>(null);
  const [failed, setFailed] = useState<string | null>(null);
  const src = pageSrc(preview);
  const box = rectToCss(preview, width);
  const height = pageCssHeight(preview, width);
  return (
    <Box>
      <Box
        pos="relative"
        w={width}
        h={height}
        style={{ border: "1px solid var(--mantine-color-gray-4)", background: "white" }}
        data-testid="sign-preview"
      >
        {src && failed !== src && (
          <img
            src={src}
            alt={`Trang ${preview.page}`}
            width={width}
            height={height}
            style={{ display: "block" }}
            data-testid="preview-image"
            data-loaded={loaded === src ? "true" : "false"}
            onLoad={() => setLoaded(src)}
            onError={() => setFailed(src)}
          />
        )}
        <div
          data-testid="signature-box"
          style={{
            position: "absolute",
            left: box.left,
            top: box.top,
            width: box.width,
            height: box.height,
            border: "2px dashed var(--mantine-color-red-7)",
            background: "rgba(201, 42, 42, 0.08)",
          }}
        />
      </Box>
      <Text size="xs" c="dimmed" mt={4} data-testid="preview-caption">
        Trang {preview.page}/{preview.pageCount}
        {preview.reservedField ? " · ô chữ ký có sẵn trong văn bản" : " · vị trí tự động"}
        {failed === src ? " · chưa hiển thị được ảnh trang" : ""}
      </Text>
    </Box>
  );
}
