// The node kinds' icons, by the names the catalogue gives them: small line drawings in the
// text's colour, hidden from screen readers (the kind's name is said in words).

const PATHS: Record<string, string> = {
  play: "M5 3.5v9l7-4.5z",
  gear: "M8 5.5a2.5 2.5 0 1 0 0 5 2.5 2.5 0 0 0 0-5zM8 1.5v2M8 12.5v2M1.5 8h2M12.5 8h2M3.4 3.4l1.4 1.4M11.2 11.2l1.4 1.4M3.4 12.6l1.4-1.4M11.2 4.8l1.4-1.4",
  clock: "M8 2a6 6 0 1 0 0 12A6 6 0 0 0 8 2zM8 4.5V8l2.5 1.5",
  check: "M2.5 8.5l3.5 3.5 7.5-8",
  bell: "M4 11V7a4 4 0 0 1 8 0v4l1 1.5H3zM6.5 14h3",
  split: "M8 2v4M8 6L3.5 11v3M8 6l4.5 5v3",
  stop: "M4 4h8v8H4z",
};

export function KindIcon({ name }: { name: string }) {
  return (
    <svg className="kind-icon" viewBox="0 0 16 16" width="16" height="16" aria-hidden="true" focusable="false">
      <path d={PATHS[name] ?? PATHS.gear} fill="none" stroke="currentColor" strokeWidth="1.5" strokeLinecap="round" strokeLinejoin="round" />
    </svg>
  );
}
