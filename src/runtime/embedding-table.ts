/**
 * The token embedding table read out of the embed graph once (one call over the whole vocabulary), so
 * single-token embeddings during generation are an array lookup instead of an ONNX call each.
 * Only for vocabularies whose table is small; the graph is checked to be token-wise before the table is
 * trusted (the rows for the prompt's ids must equal what the graph returns for the prompt).
 */

/** tables above this many floats (64 MiB) are not cached */
export const MAX_TABLE_FLOATS = 16 * 1024 * 1024;

export class EmbeddingTable {
  private constructor(private readonly table: Float32Array, readonly dim: number) {}

  static async build(vocabSize: number, dim: number, embed: (ids: number[]) => Promise<Float32Array>): Promise<EmbeddingTable | null> {
    if (vocabSize * dim > MAX_TABLE_FLOATS) return null;
    const table = await embed(Array.from({ length: vocabSize }, (_, i) => i));
    return new EmbeddingTable(Float32Array.from(table), dim);
  }

  lookup(ids: readonly number[]): Float32Array {
    const out = new Float32Array(ids.length * this.dim);
    ids.forEach((id, k) => {
      if (!Number.isInteger(id) || id < 0 || id * this.dim >= this.table.length) throw new RangeError(`token id ${id} is outside the vocabulary`);
      out.set(this.table.subarray(id * this.dim, (id + 1) * this.dim), k * this.dim);
    });
    return out;
  }

  /** Do the table rows for `ids` equal the graph's own output for them (bit for bit)? */
  matches(ids: readonly number[], fromGraph: Float32Array): boolean {
    const mine = this.lookup(ids);
    if (mine.length !== fromGraph.length) return false;
    for (let i = 0; i < mine.length; i++) if (!Object.is(mine[i], fromGraph[i])) return false;
    return true;
  }
}
