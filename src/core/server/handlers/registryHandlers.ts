import type { RegistryApi } from '../../store/registryApi';
import type { ApiHandler, RouteTable } from '../router';
import { registerRegisteredModelRoutes } from './registryModelHandlers';
import { registerModelVersionRoutes } from './registryVersionHandlers';

/** registered-models/* and model-versions/* endpoints (compat §1.5). */
export function registerRegistryRoutes(api: RouteTable<ApiHandler>, registry: RegistryApi): void {
  registerRegisteredModelRoutes(api, registry);
  registerModelVersionRoutes(api, registry);
}
