export * from './types';
export { scanFile, scanSchema, combineFiles, propertyValue } from './scanner';
export { SchemaScanCache, type ScannedFileResult } from './cache';
export * from './access';
