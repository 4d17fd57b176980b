import type { ServerContext } from '../serverContext';
import type { ApiHandler, RouteTable } from '../router';

/** registered-models/* and model-versions/* endpoints (compat §1.5). */
export function registerRegistryRoutes(api: RouteTable<ApiHandler>, ctx: ServerContext): void {
  void api;
  void ctx;
}
