import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toCsv } from '../../src/present/csv';

test('fields with commas, quotes and line breaks are quoted; quotes doubled', () => {
  assert.equal(toCsv(['a', 'b'], [['x,y', 'say "hi"'], ['line\nbreak', 'plain']]),
    'a,b\r\n"x,y","say ""hi"""\r\n"line\nbreak",plain\r\n');
});

test('numbers keep full precision; null and undefined are empty; NaN is written', () => {
  assert.equal(toCsv(['v', 'w', 'x'], [[0.1 + 0.2, null, NaN], [1e-300, undefined, true]]),
    'v,w,x\r\n0.30000000000000004,,NaN\r\n1e-300,,true\r\n');
});

test('a row of the wrong width is a RangeError naming the row', () => {
  assert.throws(() => toCsv(['a', 'b'], [['1', '2'], ['3']]), /row 1 has 1 fields/);
});

test('text a spreadsheet would run as a formula is neutralised; numbers, also negative ones in text, are not', () => {
  assert.equal(toCsv(['name', 'v', 'w'], [['=HYPERLINK("http://x","x")', -0.5, '-0.5']]),
    'name,v,w\r\n"\'=HYPERLINK(""http://x"",""x"")",-0.5,-0.5\r\n');
  for (const start of ['=', '+', '-', '@', '\t', '\r']) {
    const field = toCsv(['a'], [[`${start}cmd|' /C calc'!A0`]]).split('\r\n')[1];
    assert.ok(field.startsWith(`"'${start}`), JSON.stringify(field));
  }
  assert.equal(toCsv(['a', 'b', 'c'], [['+1e-3', '-.25', 'plain']]), 'a,b,c\r\n+1e-3,-.25,plain\r\n');
});
