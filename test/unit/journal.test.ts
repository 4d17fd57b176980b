import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { decodeJournal, encodeHeader, encodeRecord, JournalWriter, JOURNAL_HEADER_BYTES } from '../../src/core/store/journal';
import { makeTempDir } from '../support/tempDir';

const header = { generation: 7, snapshotSize: 12345, snapshotSha256: Buffer.alloc(32, 0xab) };

describe('journal framing', () => {
  it('round-trips a header and records', () => {
    const bytes = Buffer.concat([encodeHeader(header), encodeRecord(Buffer.from('one')), encodeRecord(Buffer.from('two'))]);
    const decoded = decodeJournal(bytes)!;
    assert.equal(decoded.header.generation, 7);
    assert.equal(decoded.header.snapshotSize, 12345);
    assert.ok(decoded.header.snapshotSha256.equals(header.snapshotSha256));
    assert.deepEqual(decoded.records.map((r) => r.toString()), ['one', 'two']);
    assert.equal(decoded.tornTail, false);
    assert.equal(decoded.validLength, bytes.length);
  });

  it('cuts a torn tail: a partial record and a record with a bad checksum', () => {
    const good = Buffer.concat([encodeHeader(header), encodeRecord(Buffer.from('kept'))]);
    const partial = encodeRecord(Buffer.from('lost record')).subarray(0, 10);
    const decoded = decodeJournal(Buffer.concat([good, partial]))!;
    assert.deepEqual(decoded.records.map((r) => r.toString()), ['kept']);
    assert.equal(decoded.tornTail, true);
    assert.equal(decoded.validLength, good.length);

    const corrupt = encodeRecord(Buffer.from('flipped'));
    corrupt[corrupt.length - 1] ^= 0xff;
    const decoded2 = decodeJournal(Buffer.concat([good, corrupt, encodeRecord(Buffer.from('after'))]))!;
    assert.deepEqual(decoded2.records.map((r) => r.toString()), ['kept']);
  });

  it('rejects a header with a bad checksum or magic', () => {
    const bytes = encodeHeader(header);
    bytes[5] ^= 1;
    assert.equal(decodeJournal(bytes), undefined);
    assert.equal(decodeJournal(Buffer.from('not a journal at all, but long enough to hold a header.....')), undefined);
  });
});

describe('JournalWriter', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  beforeEach(() => (tmp = makeTempDir()));
  afterEach(() => tmp.cleanup());

  it('groups concurrent appends and makes every one durable in order', async () => {
    const file = path.join(tmp.dir, 'j');
    const writer = JournalWriter.create(file, header);
    await Promise.all(Array.from({ length: 50 }, (_, i) => writer.append(Buffer.from(`record-${i}`))));
    const decoded = decodeJournal(fs.readFileSync(file))!;
    assert.deepEqual(
      decoded.records.map((r) => r.toString()),
      Array.from({ length: 50 }, (_, i) => `record-${i}`),
    );
    assert.equal(writer.size, decoded.validLength);
    assert.equal(decoded.tornTail, false, 'the preallocated zeros after the records are not a torn tail');
    await writer.close();
  });

  it('reopens after the last intact record, truncating a torn tail', async () => {
    const file = path.join(tmp.dir, 'j');
    const first = Buffer.concat([encodeHeader(header), encodeRecord(Buffer.from('a'))]);
    fs.writeFileSync(file, Buffer.concat([first, Buffer.from([1, 2, 3])]));
    const decoded = decodeJournal(fs.readFileSync(file))!;
    const writer = await JournalWriter.reopen(file, decoded.header, decoded.validLength);
    await writer.append(Buffer.from('b'));
    await writer.close();
    const after = decodeJournal(fs.readFileSync(file))!;
    assert.deepEqual(after.records.map((r) => r.toString()), ['a', 'b']);
    assert.equal(after.tornTail, false);
    assert.ok(fs.statSync(file).size > JOURNAL_HEADER_BYTES);
  });
});
