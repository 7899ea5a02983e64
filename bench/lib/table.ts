/**
 * @module bench/lib/table
 * A plain-text table printer (also valid Markdown, so output can be pasted into
 * bench/RESULTS.md) and the number formats the suites share.
 */

export type Cell = string | number;

/** Prints a Markdown table with a title line; numbers are right-aligned. */
export function printTable(title: string, headers: string[], rows: Cell[][]): void {
  console.log(formatTable(title, headers, rows));
}

export function formatTable(title: string, headers: string[], rows: Cell[][]): string {
  const text = rows.map((r) => r.map((c) => (typeof c === "number" ? fmt(c) : c)));
  const numeric = headers.map((_, i) => rows.length > 0 && rows.every((r) => typeof r[i] === "number"));
  const widths = headers.map((h, i) => Math.max(h.length, ...text.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    "| " + cells.map((c, i) => (numeric[i] ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join(" | ") + " |";
  const rule = "| " + widths.map((w, i) => (numeric[i] ? "-".repeat(w - 1) + ":" : "-".repeat(w))).join(" | ") + " |";
  return [`\n### ${title}\n`, line(headers), rule, ...text.map(line)].join("\n");
}

/** Three significant digits, no exponent for everyday magnitudes. */
export function fmt(n: number): string {
  if (!Number.isFinite(n)) return "–";
  const a = Math.abs(n);
  if (a >= 1000) return Math.round(n).toLocaleString("en-US");
  if (a >= 100) return n.toFixed(0);
  if (a >= 10) return n.toFixed(1);
  if (a >= 1) return n.toFixed(2);
  return n.toFixed(3);
}

/** A ratio such as "2.31×". */
export function ratio(a: number, b: number): string {
  return `${fmt(a / b)}×`;
}

/** "1 KB", "256 KB", "2 MB" for a byte count. */
export function sizeLabel(bytes: number): string {
  if (bytes >= 1 << 20) return `${fmt(bytes / (1 << 20))} MB`;
  if (bytes >= 1 << 10) return `${fmt(bytes / (1 << 10))} KB`;
  return `${bytes} B`;
}
