import * as v8 from 'node:v8';
import * as vm from 'node:vm';

let collect: (() => void) | null | undefined;

/**
 * Asks V8 for a full garbage collection. A snapshot leaves a buffer as large as the database
 * behind; collecting it right away keeps the server's resident memory near its working set
 * instead of waiting for V8 to grow into it.
 */
export function releaseMemory(): void {
  if (collect === undefined) {
    try {
      v8.setFlagsFromString('--expose-gc');
      collect = vm.runInNewContext('gc') as () => void;
    } catch {
      collect = null;
    }
  }
  collect?.();
}
