/**
 * The panel's back/forward history: what it showed, as the files it came from (one for a trace or
 * report, two for a comparison), so going back re-reads a file instead of holding every trace in memory.
 * Content without a file (a run not yet saved) is not recorded. No vscode import.
 */
export class PanelHistory {
  private readonly entries: string[][] = [];
  private at = -1;

  constructor(private readonly limit = 50) {}

  /** records newly shown content; the entries after the current one are dropped, as in a browser */
  push(files: readonly string[]): void {
    if (files.length === 0) return;
    const current = this.entries[this.at];
    if (current && current.join('\n') === files.join('\n')) return;
    this.entries.splice(this.at + 1);
    this.entries.push([...files]);
    if (this.entries.length > this.limit) this.entries.shift();
    this.at = this.entries.length - 1;
  }

  back(): string[] | undefined {
    if (this.at <= 0) return undefined;
    return this.entries[--this.at];
  }

  forward(): string[] | undefined {
    if (this.at >= this.entries.length - 1) return undefined;
    return this.entries[++this.at];
  }

  get state(): { canBack: boolean; canForward: boolean } {
    return { canBack: this.at > 0, canForward: this.at < this.entries.length - 1 };
  }
}
