import type { DbState, Provider } from '../core/dbState';
import type { Note } from '../core/notes';
import type { SchemaSources } from '../core/source';
import type { Change } from '../diff/changes';
import { diffStates } from '../diff/diff';
import type { GuardConfig } from '../project/config';
import type { ProvenanceLookup, UncertainStatement } from '../replay/types';
import type { Finding } from '../rules/types';
import { schemaRules } from '../rules';
import { carrierFinder } from './carriers';
import type { PendingSql } from './pendingSql';
import { activeRules, runSchemaRules } from './rulesRunner';
import { applySuppressions, type Suppression } from './suppressions';

export interface JudgeInput {
  provider: Provider;
  /** State after the deployed migrations. */
  baseline: DbState;
  /** State after every migration on disk, pending ones included. */
  migrated: DbState;
  /** State the edited schema describes, and where each object comes from. */
  expected: DbState;
  sources: SchemaSources;
  prismaDefaults: Record<string, string>;
  config: GuardConfig;
  provenance: ProvenanceLookup;
  /** Statements of the migrations the replay could not interpret (findings on their tables stay below error). */
  uncertain?: readonly UncertainStatement[];
  suppressions: Suppression[];
  /** The pending migration files, read: a change one of them carries is judged on its statements. */
  pendingSql?: PendingSql;
}

export interface JudgeResult {
  changes: Change[];
  unmigrated: Change[];
  findings: Finding[];
  notes: Note[];
}

/**
 * The pure core of an analysis: three states in, changes and findings out.
 * The CLI, the language server and the fixture tests all come through here.
 */
export function judgeSchema(input: JudgeInput): JudgeResult {
  const changes = diffStates({ baseline: input.baseline, expected: input.expected, sources: input.sources, prismaDefaults: input.prismaDefaults });
  const unmigrated =
    input.migrated === input.baseline
      ? changes
      : diffStates({ baseline: input.migrated, expected: input.expected, sources: input.sources, prismaDefaults: input.prismaDefaults });
  const raw = runSchemaRules({
    provider: input.provider,
    baseline: input.baseline,
    expected: input.expected,
    pending: changes,
    unmigrated,
    config: input.config,
    provenance: input.provenance,
    ...(input.uncertain ? { uncertain: input.uncertain } : {}),
    ...(input.pendingSql ? { carrier: carrierFinder(input.pendingSql, unmigrated, input.config.postgresVersion) } : {}),
  });
  const ran = new Set(activeRules(schemaRules, input.provider, input.config).map((rule) => rule.id));
  const { findings, notes } = applySuppressions(raw, input.suppressions, ran);
  return { changes, unmigrated, findings, notes };
}
