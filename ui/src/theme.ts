import { createTheme } from "@mantine/core";

// Noto Sans / DejaVu Sans cover Vietnamese diacritics on the Linux machines clerks use.
export const theme = createTheme({
  primaryColor: "red",
  fontFamily: '"Noto Sans", "DejaVu Sans", "Segoe UI", Roboto, sans-serif',
  defaultRadius: "sm",
});
