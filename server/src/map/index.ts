export { mapSchema, prismaMajorVersion, providerFromDatasource, operatorClassName, indexColumnText } from './mapSchema';
export type { MapOptions, MappedSchema, ImplicitManyToManyInfo } from './mapSchema';
export { defaultFromSql } from './defaults';
export * from './naming';
export { scalarColumnType, nativeColumnType, unsupportedColumnType } from './columnTypes';
