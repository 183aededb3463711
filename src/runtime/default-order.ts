/**
 * The order in which bundled LaRe models are offered as the default, shared by the CLI (default-model.ts) and the
 * extension's model picker: the folder named "lare", then "lare-shapes" (the model of the default samples,
 * media/samples/samples.jsonl; "lare-fine" is shorter but answers only the fine split's questions), then the
 * shortest name, then by name.
 */
const PREFERRED = ['lare', 'lare-shapes'];

function rank(name: string): number {
  const i = PREFERRED.indexOf(name);
  return i < 0 ? PREFERRED.length : i;
}

export function compareDefaultNames(a: string, b: string): number {
  return rank(a) - rank(b) || a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}
