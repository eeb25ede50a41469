import type { SchemaRule } from './types';

const rule: SchemaRule = {
  id: 'rename-table',
  target: 'schema',
  title: 'Table renamed',
  defaultSeverity: 'error',
  why: 'Prisma turns a renamed model or a changed @@map into DROP TABLE plus CREATE TABLE: every row of the old table is lost, and running code that queries the old name breaks.',
  safePath: 'Rename only in code: keep the table with @@map("OldName"). For a real table rename, expand and contract: create the new table, write both, copy rows in batches, switch reads, drop the old one.',
  providers: ['postgresql', 'sqlite', 'mysql'],
  detect(change) {
    if (change.kind !== 'renameTable' || change.implicitManyToMany) return [];
    const model = change.modelName;
    const mapChanged = model === change.from || model !== change.table;
    const what = mapChanged
      ? `The table of model \`${model}\` changed from \`${change.from}\` to \`${change.table}\``
      : `Model \`${model}\` looks like \`${change.from}\` renamed (same columns)`;
    return [{
      message: `${what}: Prisma drops table \`${change.from}\` with all its rows and creates an empty \`${change.table}\`, and running code that queries \`${change.from}\` breaks.`,
      help: `Keep the table: add \`@@map("${change.from}")\` to the model, so only the code name changes. For a real rename, create the new table, write both, copy rows in batches, switch reads, then drop the old one.`,
      fix: { kind: 'keepTableName', model, table: change.from },
    }];
  },
};

export default rule;
