/** Read-only access to MLflow FileStore folders (`mlruns/`): tracking, logged models, registry. */
export { FileTrackingStore, type FileTrackingStoreOptions } from './fileTrackingStore';
export { FileLoggedModels, type SearchLoggedModelsRequest } from './loggedModelFiles';
export { FileModelRegistry, type ModelVersionDetails, type SearchModelVersionsRequest, type SearchRegisteredModelsRequest } from './fileModelRegistry';
export { type ArtifactLocation, localPathOfUri } from './artifactLocations';
export type { StoreProblem } from './storeProblems';
export type { CacheStats } from './fileCache';
export type { FileMetric } from './runFiles';
