import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { createArena } from '../../src/analysis/kernels/simd';

const close = (got: number, want: number, what: string) => assert.ok(Math.abs(got - want) <= 1e-12 * (1 + Math.abs(want)), `${what}: ${got} vs ${want}`);

// lengths around the vector widths (2 lanes, 4-wide unrolling) catch a wrong tail
for (const n of [0, 1, 2, 3, 4, 5, 7, 8, 9, 255, 256, 257]) {
  test(`SIMD kernels equal the scalar loops at length ${n}`, () => {
    const arena = createArena({ a: n, b: n, c: n, d: n, w: 4 * n, out: 8, y: n });
    const { a, b, c, d, w, out, y } = arena.blocks;
    for (let i = 0; i < n; i++) {
      a.view[i] = Math.sin(i + 1);
      b.view[i] = Math.cos(2 * i + 1);
      c.view[i] = i % 3 - 1;
      d.view[i] = 1 / (i + 1);
      y.view[i] = i;
    }
    for (let i = 0; i < 4 * n; i++) w.view[i] = Math.sin(3 * i + 0.5);
    let dot = 0;
    for (let i = 0; i < n; i++) dot += a.view[i] * b.view[i];
    close(arena.dot(a.ptr, b.ptr, n), dot, 'dot');

    arena.dots2x4(a.ptr, b.ptr, w.ptr, n, out.ptr);
    for (let h = 0; h < 4; h++) {
      let da = 0;
      let db = 0;
      for (let i = 0; i < n; i++) {
        da += a.view[i] * w.view[h * n + i];
        db += b.view[i] * w.view[h * n + i];
      }
      close(out.view[h], da, `dots2x4 row a, unit ${h}`);
      close(out.view[4 + h], db, `dots2x4 row b, unit ${h}`);
    }

    const before = y.view.slice();
    arena.axpy(0.5, a.ptr, y.ptr, n);
    arena.axpy4(1, -2, 3, 0.25, a.ptr, b.ptr, c.ptr, d.ptr, y.ptr, n);
    for (let i = 0; i < n; i++) {
      close(y.view[i], before[i] + 1.5 * a.view[i] - 2 * b.view[i] + 3 * c.view[i] + 0.25 * d.view[i], `axpy/axpy4 at ${i}`);
    }
  });
}

test('arena blocks are separate, zeroed and 16-byte aligned', () => {
  const arena = createArena({ odd: 3, next: 5 });
  assert.equal(arena.blocks.odd.ptr % 16, 0);
  assert.equal(arena.blocks.next.ptr % 16, 0);
  assert.ok(arena.blocks.next.ptr >= arena.blocks.odd.ptr + 3 * 8);
  assert.deepEqual(Array.from(arena.blocks.next.view), [0, 0, 0, 0, 0]);
  arena.blocks.odd.view.fill(7);
  assert.deepEqual(Array.from(arena.blocks.next.view), [0, 0, 0, 0, 0]);
});

test('the checked-in kernel module is what simd.wat compiles to', () => {
  execFileSync(process.execPath, [join(__dirname, '..', '..', 'scripts', 'build-kernels.mjs'), '--check'], { stdio: 'pipe' });
});
