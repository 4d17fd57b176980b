import * as fs from 'node:fs';
import { promises as fsp } from 'node:fs';
import * as zlib from 'node:zlib';

/**
 * Write-ahead journal of committed transactions.
 *
 * File layout: a 56-byte header, then records.
 *   header: magic "RLJ1" | u32 generation | f64 snapshot size | 32-byte snapshot sha256 | u32 header crc32 | 4 spare
 *   record: u32 payload length | u32 crc32 of payload | payload
 * The generation ties the journal to the snapshot it follows (the snapshot stores its generation
 * in SQLite's user_version), so replay applies each record exactly once.
 */
export const JOURNAL_HEADER_BYTES = 56;
const MAGIC = 'RLJ1';
const RECORD_HEADER_BYTES = 8;
/**
 * Journal files are zero-filled ahead of the writes in steps of this size: overwriting allocated
 * blocks lets fdatasync skip the file-size update, which saves a device flush on every commit.
 */
const PREALLOCATE_BYTES = 4 * 1024 * 1024;
/** A single record larger than this is treated as a torn or corrupt tail. */
const MAX_RECORD_BYTES = 256 * 1024 * 1024;

export interface JournalHeader {
  generation: number;
  snapshotSize: number;
  snapshotSha256: Buffer;
}

export interface JournalContents {
  header: JournalHeader;
  records: Buffer[];
  /** Byte offset just past the last intact record. */
  validLength: number;
  /** True when bytes after validLength were cut off (a torn write). */
  tornTail: boolean;
}

export function crc32(data: Buffer): number {
  return zlib.crc32(data) >>> 0;
}

export function encodeHeader(header: JournalHeader): Buffer {
  const buf = Buffer.alloc(JOURNAL_HEADER_BYTES);
  buf.write(MAGIC, 0, 'latin1');
  buf.writeUInt32LE(header.generation >>> 0, 4);
  buf.writeDoubleLE(header.snapshotSize, 8);
  header.snapshotSha256.copy(buf, 16, 0, 32);
  buf.writeUInt32LE(crc32(buf.subarray(0, 48)), 48);
  return buf;
}

export function decodeHeader(buf: Buffer): JournalHeader | undefined {
  if (buf.length < JOURNAL_HEADER_BYTES || buf.toString('latin1', 0, 4) !== MAGIC) {
    return undefined;
  }
  if (buf.readUInt32LE(48) !== crc32(buf.subarray(0, 48))) {
    return undefined;
  }
  return {
    generation: buf.readUInt32LE(4),
    snapshotSize: buf.readDoubleLE(8),
    snapshotSha256: Buffer.from(buf.subarray(16, 48)),
  };
}

export function encodeRecord(payload: Buffer): Buffer {
  const head = Buffer.alloc(RECORD_HEADER_BYTES);
  head.writeUInt32LE(payload.length, 0);
  head.writeUInt32LE(crc32(payload), 4);
  return Buffer.concat([head, payload]);
}

/** Parses a journal file's bytes; returns undefined when the header is not a journal header. */
export function decodeJournal(bytes: Buffer): JournalContents | undefined {
  const header = decodeHeader(bytes);
  if (!header) {
    return undefined;
  }
  const records: Buffer[] = [];
  let offset = JOURNAL_HEADER_BYTES;
  while (offset + RECORD_HEADER_BYTES <= bytes.length) {
    const length = bytes.readUInt32LE(offset);
    if (length === 0) {
      break; // the zero-filled space preallocated past the last record
    }
    const checksum = bytes.readUInt32LE(offset + 4);
    const end = offset + RECORD_HEADER_BYTES + length;
    if (length > MAX_RECORD_BYTES || end > bytes.length) {
      break;
    }
    const payload = bytes.subarray(offset + RECORD_HEADER_BYTES, end);
    if (crc32(payload) !== checksum) {
      break;
    }
    records.push(payload);
    offset = end;
  }
  return { header, records, validLength: offset, tornTail: bytes.subarray(offset).some((b) => b !== 0) };
}

/**
 * An open journal file that appends records with group commit: records appended while a write
 * and fdatasync are in flight are written together by the next one.
 */
export class JournalWriter {
  private pending: Buffer[] = [];
  private waiters: Array<{ resolve: () => void; reject: (e: Error) => void }> = [];
  private flushing = false;
  private flushScheduled = false;
  private failure: Error | undefined;
  private bytes: number;
  private diskOffset: number;
  private allocated = 0;

  private opening: Promise<fsp.FileHandle> | undefined;

  private constructor(
    readonly path: string,
    readonly header: JournalHeader,
    private readonly openFile: () => Promise<fsp.FileHandle>,
    initialBytes: number,
  ) {
    this.bytes = initialBytes;
    this.diskOffset = initialBytes;
  }

  /** The open file; opened (and, for a new journal, created) on first use. */
  private ready(): Promise<fsp.FileHandle> {
    if (!this.opening) {
      this.opening = this.openFile();
      this.opening.catch((e: Error) => this.fail(e));
    }
    return this.opening;
  }

  /**
   * A new journal holding only the header. The file is created with the first append: a journal
   * with no records carries no information, and creating it lazily keeps start-up off the disk.
   */
  static create(path: string, header: JournalHeader): JournalWriter {
    const openFile = async () => {
      const handle = await fsp.open(path, 'w');
      await handle.write(encodeHeader(header), 0, JOURNAL_HEADER_BYTES, 0);
      await handle.datasync();
      return handle;
    };
    return new JournalWriter(path, header, openFile, JOURNAL_HEADER_BYTES);
  }

  /** Opens an existing journal for appending after its last intact record (cutting a torn tail). */
  static async reopen(path: string, header: JournalHeader, validLength: number): Promise<JournalWriter> {
    const handle = await fsp.open(path, 'r+');
    const { size } = await handle.stat();
    if (size !== validLength) {
      await handle.truncate(validLength);
      await handle.datasync();
    }
    return new JournalWriter(path, header, () => Promise.resolve(handle), validLength);
  }

  /** Total bytes in the file once everything appended so far is written. */
  get size(): number {
    return this.bytes;
  }

  get recordBytes(): number {
    return this.bytes - JOURNAL_HEADER_BYTES;
  }

  /** Appends one record; resolves once it is on disk. */
  append(payload: Buffer): Promise<void> {
    if (this.failure) {
      return Promise.reject(this.failure);
    }
    const record = encodeRecord(payload);
    this.bytes += record.length;
    this.pending.push(record);
    const done = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    this.scheduleFlush();
    return done;
  }

  /**
   * Flushes once the event loop has taken in every request that is ready, so that the records of
   * concurrent requests share one write and one fdatasync (group commit).
   */
  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      void this.flush();
    });
  }

  /** Resolves when everything appended so far is durable. */
  async drain(): Promise<void> {
    if (this.opening) await this.opening;
    if (this.pending.length === 0 && !this.flushing) {
      if (this.failure) throw this.failure;
      return;
    }
    const done = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    this.scheduleFlush();
    await done;
  }

  async close(): Promise<void> {
    try {
      await this.drain();
    } finally {
      const handle = await this.opening?.catch(() => undefined);
      await handle?.close().catch(() => undefined);
    }
  }

  private async flush(): Promise<void> {
    if (this.flushing) {
      return;
    }
    this.flushing = true;
    try {
      const handle = await this.ready();
      while (this.pending.length > 0 || this.waiters.length > 0) {
        const batch = this.pending;
        const waiters = this.waiters;
        this.pending = [];
        this.waiters = [];
        if (batch.length > 0) {
          // Both calls run in place: the write only copies into the page cache, and an fdatasync
          // on the event loop costs less than handing it to the thread pool and back, while the
          // requests that arrive meanwhile are grouped into the next flush.
          const expected = batch.reduce((n, b) => n + b.length, 0);
          this.preallocate(handle.fd, this.diskOffset + expected);
          const bytesWritten =
            batch.length === 1
              ? fs.writeSync(handle.fd, batch[0], 0, batch[0].length, this.diskOffset)
              : fs.writevSync(handle.fd, batch, this.diskOffset);
          if (bytesWritten !== expected) {
            throw new Error(`short write: ${bytesWritten} of ${expected} bytes`);
          }
          this.diskOffset += bytesWritten;
          fs.fdatasyncSync(handle.fd);
        }
        for (const w of waiters) w.resolve();
      }
    } catch (e) {
      this.fail(e as Error);
    } finally {
      this.flushing = false;
    }
  }

  /** Zero-fills the file ahead of `needed` bytes (once per PREALLOCATE_BYTES). */
  private preallocate(fd: number, needed: number): void {
    if (needed <= this.allocated) return;
    if (this.allocated === 0) this.allocated = Math.max(fs.fstatSync(fd).size, this.diskOffset);
    if (needed <= this.allocated) return;
    const target = Math.ceil(needed / PREALLOCATE_BYTES) * PREALLOCATE_BYTES;
    const zeros = Buffer.alloc(Math.min(target - this.allocated, 1024 * 1024));
    for (let at = this.allocated; at < target; at += zeros.length) {
      fs.writeSync(fd, zeros, 0, Math.min(zeros.length, target - at), at);
    }
    fs.fsyncSync(fd);
    this.allocated = target;
  }

  private fail(error: Error): void {
    this.failure = new Error(`Journal write failed (${this.path}): ${error.message}`);
    const waiters = this.waiters;
    this.waiters = [];
    this.pending = [];
    for (const w of waiters) w.reject(this.failure);
  }
}
