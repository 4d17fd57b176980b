export * from './connection';
export * from './discovery';
