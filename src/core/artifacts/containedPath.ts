import * as fs from 'node:fs';
import * as path from 'node:path';
import { invalidPath } from './artifactPath';

function errorCode(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException | undefined)?.code;
}

/**
 * The real location of `target` with every symlink resolved: fs.realpath of its deepest existing
 * ancestor, plus the segments below it that do not exist yet (which therefore cannot be links).
 */
export async function realLocation(target: string): Promise<string> {
  const missing: string[] = [];
  let current = path.resolve(target);
  for (;;) {
    try {
      const real = await fs.promises.realpath(current);
      return missing.length === 0 ? real : path.join(real, ...missing.reverse());
    } catch (e) {
      const code = errorCode(e);
      // ELOOP: a symlink cycle; anything else unexpected is not ours to paper over.
      if (code === 'ELOOP') throw invalidPath();
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw e;
      const parent = path.dirname(current);
      if (parent === current) return path.resolve(target);
      missing.push(path.basename(current));
      current = parent;
    }
  }
}

/** Whether `candidate` is `folder` or lies below it (both already absolute and real). */
export function isInside(folder: string, candidate: string): boolean {
  if (candidate === folder) return true;
  const prefix = folder.endsWith(path.sep) ? folder : folder + path.sep;
  return candidate.startsWith(prefix);
}

/** A path checked to stay inside its boundary once symlinks are followed. */
export interface ContainedPath {
  /** The boundary folder, symlinks resolved. */
  boundary: string;
  /** The target with every symlink resolved: what a read or a listing touches. */
  real: string;
  /** The target's real parent folder plus its own name: what a write or delete replaces (a link there is replaced, not followed). */
  entry: string;
}

/**
 * Resolves `target` (already joined under `boundary`) and refuses with 400 `Invalid path` when
 * it, or the folder holding it, escapes the boundary through `..` or a symlink.
 */
export async function containedPath(boundary: string, target: string): Promise<ContainedPath> {
  const realBoundary = await realLocation(boundary);
  const real = await realLocation(target);
  if (!isInside(realBoundary, real)) throw invalidPath();
  const resolved = path.resolve(target);
  if (resolved === path.resolve(boundary)) return { boundary: realBoundary, real, entry: real };
  const entry = path.join(await realLocation(path.dirname(resolved)), path.basename(resolved));
  if (!isInside(realBoundary, entry) || entry === realBoundary) throw invalidPath();
  return { boundary: realBoundary, real, entry };
}
