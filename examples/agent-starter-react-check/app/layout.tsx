// The starter's layout without its fonts and theme: the copied files do not touch them (the
// starter's Google font is why its own `next build` needs the network; see
// docs/agent-starter-react.md).
export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en">
      <body>{children}</body>
    </html>
  );
}
