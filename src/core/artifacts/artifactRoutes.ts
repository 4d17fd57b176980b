import type { ServerContext } from '../server/serverContext';
import type { ApiHandler, RawHandler, RouteTable } from '../server/router';
import { ArtifactRepository } from './artifactRepository';
import { registerProxiedArtifactRoutes } from './proxiedArtifactRoutes';
import { registerTrackingArtifactRoutes } from './trackingArtifactRoutes';

/** Proxied artifact routes (compat §1.6) and the artifact routes of the tracking API and UI (§1.4, §1.7). */
export function registerArtifactRoutes(api: RouteTable<ApiHandler>, raw: RouteTable<RawHandler>, ctx: ServerContext): void {
  const repo = new ArtifactRepository(ctx.artifactsDestination, ctx.assertWritable);
  registerProxiedArtifactRoutes(raw, repo);
  registerTrackingArtifactRoutes(api, raw, ctx, repo);
}
