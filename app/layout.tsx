import type { ReactNode } from "react";
import "./globals.css";

export const metadata = {
  title: "Weft",
  description: "Draw a business process, get durable code for it.",
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>{children}</body>
    </html>
  );
}
