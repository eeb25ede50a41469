export { lintSchema, getDatamodel, knownPreviewFeatures, resetEngineForTests, panicForTests } from './prismaWasm';
export type { LintDiagnostic, LintResult, DatamodelResult, EngineFailure, EngineOptions } from './prismaWasm';
export { neutralizeForEngine, type NeutralizedItem, type SchemaText } from './neutralize';
export { locateSchema, type LocatedSchema } from './locateSchema';
