import type { SchemaRule } from './types';

const rule: SchemaRule = {
  id: 'implicit-m2m-change',
  target: 'schema',
  title: 'Implicit many-to-many join table changed',
  defaultSeverity: 'warning',
  why: 'Prisma names the hidden join table of an implicit many-to-many relation after the models or the relation name: renaming either drops the table with every link in it and creates an empty one.',
  safePath: 'Keep the old relation name with @relation("OldName"), or turn the relation into an explicit join model mapped to the existing table (@@map("_AToB")) before renaming anything.',
  providers: ['postgresql', 'sqlite', 'mysql'],
  detect(change, context) {
    if (!change.implicitManyToMany) return [];
    if (change.kind === 'dropTable') {
      return [{
        message: `The implicit many-to-many table \`${change.table}\` is dropped: every link it holds between the two models is lost.`,
        help: 'If the relation was renamed or a model renamed, keep the old name with `@relation("...")`; if it is really gone, archive the links first.',
        severity: 'error',
      }];
    }
    if (change.kind === 'renameTable') {
      return [{
        message: `The implicit many-to-many table changes from \`${change.from}\` to \`${change.table}\` (a model or relation name changed): Prisma drops the old table with every link and creates an empty one.`,
        help: `Keep the join table: name the relation after the old table on both sides (\`@relation("${change.from.replace(/^_/, '')}")\`), or switch to an explicit join model with \`@@map("${change.from}")\`.`,
        severity: 'error',
      }];
    }
    if (change.kind === 'addForeignKey') {
      // Prisma orders A and B by model name: renaming a model can swap which side each column points at.
      const column = change.foreignKey.columns[0];
      const before = context.baseline.tables[change.tableKey]?.foreignKeys.find((fk) => fk.columns[0] === column);
      if (before && before.referencedTable !== change.foreignKey.referencedTable) {
        return [{
          message: `Column \`${column}\` of the implicit many-to-many table \`${change.table}\` now points at \`${change.foreignKey.referencedTable}\` instead of \`${before.referencedTable}\` (Prisma orders A and B by model name, and a model was renamed): the existing links would pair the wrong rows, or the new foreign key fails.`,
          help: 'Keep the model order (pick a name that sorts the same way), or switch to an explicit join model mapped to the existing table and columns.',
          severity: 'error',
        }];
      }
      return [];
    }
    if (change.kind === 'changePrimaryKey' && !change.onlyName) {
      return [{
        message: `The key of the implicit many-to-many table \`${change.table}\` changes (Prisma 6 replaced the unique index \`_AB_unique\` with a primary key): the key is rebuilt under a lock that blocks writes to the table.`,
        help: 'Fine for small link tables; on a large one, build the unique index concurrently first and attach it as the primary key.',
      }];
    }
    return [];
  },
};

export default rule;
