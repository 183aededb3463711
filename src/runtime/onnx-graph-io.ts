/**
 * Reads the input and output names, element types and ranks of an ONNX model straight from its
 * protobuf bytes, so a bundle can be validated without loading onnxruntime (pickers, workspace trust).
 * Only the few fields needed are decoded; everything else is skipped by its wire length.
 */

export interface GraphValue {
  name: string;
  /** ONNX TensorProto.DataType: 1 = float32, 7 = int64 */
  elemType: number;
  /** dimension sizes, a string for a symbolic dimension */
  dims: (number | string)[];
}

export interface GraphIO {
  inputs: GraphValue[];
  outputs: GraphValue[];
  /** `location` of every initializer stored as ONNX external data, each once, in first-use order */
  externalData: string[];
}

const ELEM_TYPE_NAMES: Record<number, string> = { 1: 'float32', 6: 'int32', 7: 'int64', 10: 'float16', 11: 'float64' };

export function elemTypeName(t: number): string {
  return ELEM_TYPE_NAMES[t] ?? `type ${t}`;
}

class Reader {
  pos: number;
  constructor(readonly buf: Uint8Array, start: number, readonly end: number) {
    this.pos = start;
  }
  get done(): boolean {
    return this.pos >= this.end;
  }
  varint(): number {
    let result = 0;
    let scale = 1;
    for (;;) {
      if (this.pos >= this.end) throw new Error('truncated varint');
      const b = this.buf[this.pos++];
      result += (b & 0x7f) * scale;
      if (b < 0x80) return result;
      scale *= 128;
      if (scale > 2 ** 63) throw new Error('varint too long');
    }
  }
  /** returns [field number, wire type] */
  tag(): [number, number] {
    const t = this.varint();
    return [Math.floor(t / 8), t & 7];
  }
  sub(): Reader {
    const len = this.varint();
    const start = this.pos;
    if (start + len > this.end) throw new Error('field runs past the end of the message');
    this.pos += len;
    return new Reader(this.buf, start, start + len);
  }
  string(): string {
    const r = this.sub();
    return new TextDecoder().decode(this.buf.subarray(r.pos, r.end));
  }
  skip(wire: number): void {
    switch (wire) {
      case 0: this.varint(); return;
      case 1: this.pos += 8; break;
      case 2: this.sub(); return;
      case 5: this.pos += 4; break;
      default: throw new Error(`unsupported wire type ${wire}`);
    }
    if (this.pos > this.end) throw new Error('field runs past the end of the message');
  }
}

/** Parses ModelProto bytes; throws with a short reason when the bytes are not an ONNX model. */
export function readGraphIO(bytes: Uint8Array): GraphIO {
  const model = new Reader(bytes, 0, bytes.length);
  let graph: Reader | undefined;
  while (!model.done) {
    const [field, wire] = model.tag();
    if (field === 7 && wire === 2) graph = model.sub();
    else model.skip(wire);
  }
  if (!graph) throw new Error('no graph in the file (not an ONNX model?)');
  const inputs: GraphValue[] = [];
  const outputs: GraphValue[] = [];
  const initializers = new Set<string>();
  const externalData = new Set<string>();
  while (!graph.done) {
    const [field, wire] = graph.tag();
    if (field === 11 && wire === 2) inputs.push(readValueInfo(graph.sub()));
    else if (field === 12 && wire === 2) outputs.push(readValueInfo(graph.sub()));
    else if (field === 5 && wire === 2) {
      const t = readTensor(graph.sub());
      initializers.add(t.name);
      if (t.location !== undefined) externalData.add(t.location);
    } else graph.skip(wire);
  }
  // IR < 4 lists initializers among the inputs; they are not fed by the caller
  return { inputs: inputs.filter((v) => !initializers.has(v.name)), outputs, externalData: [...externalData] };
}

function readValueInfo(r: Reader): GraphValue {
  const value: GraphValue = { name: '', elemType: 0, dims: [] };
  while (!r.done) {
    const [field, wire] = r.tag();
    if (field === 1 && wire === 2) value.name = r.string();
    else if (field === 2 && wire === 2) readType(r.sub(), value);
    else r.skip(wire);
  }
  return value;
}

function readType(r: Reader, value: GraphValue): void {
  while (!r.done) {
    const [field, wire] = r.tag();
    if (field === 1 && wire === 2) {
      const tensor = r.sub();
      while (!tensor.done) {
        const [f, w] = tensor.tag();
        if (f === 1 && w === 0) value.elemType = tensor.varint();
        else if (f === 2 && w === 2) value.dims = readShape(tensor.sub());
        else tensor.skip(w);
      }
    } else r.skip(wire);
  }
}

function readShape(r: Reader): (number | string)[] {
  const dims: (number | string)[] = [];
  while (!r.done) {
    const [field, wire] = r.tag();
    if (field !== 1 || wire !== 2) {
      r.skip(wire);
      continue;
    }
    const d = r.sub();
    let dim: number | string = '?';
    while (!d.done) {
      const [f, w] = d.tag();
      if (f === 1 && w === 0) dim = d.varint();
      else if (f === 2 && w === 2) dim = d.string();
      else d.skip(w);
    }
    dims.push(dim);
  }
  return dims;
}

/** TensorProto: name (8), external_data (13, key/value entries), data_location (14, 1 = EXTERNAL) */
function readTensor(r: Reader): { name: string; location?: string } {
  let name = '';
  let external = false;
  let location: string | undefined;
  while (!r.done) {
    const [field, wire] = r.tag();
    if (field === 8 && wire === 2) name = r.string();
    else if (field === 14 && wire === 0) external = r.varint() === 1;
    else if (field === 13 && wire === 2) {
      const entry = readStringEntry(r.sub());
      if (entry.key === 'location') location = entry.value;
    } else r.skip(wire);
  }
  if (external && location === undefined) throw new Error(`initializer "${name}" is stored externally but names no location`);
  return external ? { name, location } : { name };
}

function readStringEntry(r: Reader): { key: string; value: string } {
  let key = '';
  let value = '';
  while (!r.done) {
    const [field, wire] = r.tag();
    if (field === 1 && wire === 2) key = r.string();
    else if (field === 2 && wire === 2) value = r.string();
    else r.skip(wire);
  }
  return { key, value };
}
