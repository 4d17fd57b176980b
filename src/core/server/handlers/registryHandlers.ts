import { ModelRegistryStore } from '../../store/sql/registryStore';
import type { ServerContext } from '../serverContext';
import type { ApiHandler, RouteTable } from '../router';
import { registerRegisteredModelRoutes } from './registryModelHandlers';
import { registerModelVersionRoutes } from './registryVersionHandlers';

/** registered-models/* and model-versions/* endpoints (compat §1.5). */
export function registerRegistryRoutes(api: RouteTable<ApiHandler>, ctx: ServerContext): void {
  const registry = new ModelRegistryStore(ctx.db);
  registerRegisteredModelRoutes(api, registry);
  registerModelVersionRoutes(api, registry);
}
