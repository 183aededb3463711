/** The status line's words for what the panel shows: the displayed file, not the last one saved or opened. */

/** the last path segment of a file URI or path, decoded */
export function fileLabel(file: string): string {
  const last = file.split(/[\\/]/).filter(Boolean).pop() ?? file;
  try {
    return decodeURIComponent(last);
  } catch {
    return last;
  }
}

/** "Showing a.ltrace.json", "Comparing a.ltrace.json with b.ltrace.json", or nothing for unsaved content */
export function shownStatus(files: readonly string[]): string {
  if (files.length === 1) return `Showing ${fileLabel(files[0])}`;
  if (files.length === 2) return `Comparing ${fileLabel(files[0])} with ${fileLabel(files[1])}`;
  return '';
}
