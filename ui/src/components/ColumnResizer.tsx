import type { Header } from "@tanstack/react-table";

/**
 * The drag handle at a header's right edge, or nothing for a column that cannot be resized
 * (Trích yếu takes whatever the others leave). The header needs `position: relative`.
 */
export function ColumnResizer<T>({
  header,
  label,
}: {
  header: Header<T, unknown>;
  label?: string;
}) {
  const column = header.column;
  if (!column.getCanResize()) return null;
  const name = label ?? String(column.columnDef.header);
  return (
    <div
      className="column-resizer"
      role="separator"
      aria-orientation="vertical"
      aria-label={`Đổi độ rộng cột ${name}`}
      title="Kéo để đổi độ rộng, bấm đúp để trả về mặc định"
      data-resizing={column.getIsResizing() || undefined}
      onMouseDown={header.getResizeHandler()}
      onTouchStart={header.getResizeHandler()}
      // The header's own click sorts the list; grabbing its edge must not.
      onClick={(e) => e.stopPropagation()}
      onDoubleClick={(e) => {
        e.stopPropagation();
        column.resetSize();
      }}
    />
  );
}
