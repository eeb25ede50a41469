/**
 * Generates a synthetic Prisma project of a given size: `models` models of
 * `fields` fields each, created over `migrations` migration folders written the
 * way Prisma writes PostgreSQL migrations (CREATE TABLE, then ALTER TABLE ADD
 * COLUMN, CREATE INDEX, ADD CONSTRAINT ... FOREIGN KEY).
 */
import * as fs from 'fs';
import * as path from 'path';

export interface ProjectSize {
  models: number;
  fields: number;
  migrations: number;
  /** Commit the project into a fresh git repository (the editor's default: committed migrations count as deployed). */
  git?: boolean;
}

/** The sizes the issue asks for: a small app, a large one, and the largest we have heard of. */
export const SIZES: Record<string, ProjectSize> = {
  small: { models: 20, fields: 10, migrations: 30 },
  large: { models: 300, fields: 15, migrations: 800 },
  xl: { models: 1000, fields: 15, migrations: 3000 },
  // The size of the largest real project issue #14 compares with Prisma's language server: ~3,400 lines, 820 migrations, in git.
  'medium-git': { models: 141, fields: 15, migrations: 820, git: true },
};

interface FieldSpec {
  name: string;
  prismaType: string;
  sqlType: string;
  optional: boolean;
}

const FIELD_KINDS: { prismaType: string; sqlType: string; attribute?: string }[] = [
  { prismaType: 'String', sqlType: 'TEXT' },
  { prismaType: 'Int', sqlType: 'INTEGER' },
  { prismaType: 'DateTime', sqlType: 'TIMESTAMP(3)' },
  { prismaType: 'Boolean', sqlType: 'BOOLEAN' },
  { prismaType: 'Float', sqlType: 'DOUBLE PRECISION' },
  { prismaType: 'Json', sqlType: 'JSONB' },
];

function modelName(i: number): string {
  return `Model${String(i).padStart(4, '0')}`;
}

function fieldsOf(modelIndex: number, count: number): FieldSpec[] {
  const fields: FieldSpec[] = [];
  for (let f = 0; f < count; f++) {
    const kind = FIELD_KINDS[(modelIndex + f) % FIELD_KINDS.length];
    fields.push({ name: `field${f}`, prismaType: kind.prismaType, sqlType: kind.sqlType, optional: f % 3 === 0 });
  }
  return fields;
}

/** Writes the project into `dir` (which must not exist yet) and returns the schema path. */
export function generateProject(dir: string, size: ProjectSize): string {
  fs.mkdirSync(path.join(dir, 'prisma', 'migrations'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'prisma', 'migrations', 'migration_lock.toml'), 'provider = "postgresql"\n');

  const schema: string[] = ['datasource db {', '  provider = "postgresql"', '  url      = env("DATABASE_URL")', '}', ''];
  const migrations: string[][] = Array.from({ length: size.migrations }, () => []);
  // The first half of the migrations create tables; the rest add columns and indexes to existing ones.
  const creating = Math.max(1, Math.floor(size.migrations / 2));
  for (let m = 0; m < size.models; m++) {
    const name = modelName(m);
    const fields = fieldsOf(m, size.fields);
    const parent = m > 0 ? modelName(m - 1) : undefined;
    const late = fields.slice(Math.floor(fields.length / 2));
    const early = fields.slice(0, Math.floor(fields.length / 2));
    schema.push(`model ${name} {`);
    schema.push('  id        Int      @id @default(autoincrement())');
    for (const field of fields) schema.push(`  ${field.name.padEnd(9)} ${field.prismaType}${field.optional ? '?' : ''}`);
    if (parent) {
      schema.push(`  parentId  Int?`);
      schema.push(`  parent    ${parent}? @relation(fields: [parentId], references: [id])`);
    }
    if (m + 1 < size.models) schema.push(`  children  ${modelName(m + 1)}[]`);
    schema.push('');
    schema.push('  @@index([field1])');
    schema.push('}', '');

    const createIn = m % creating;
    const create = [
      '-- CreateTable',
      `CREATE TABLE "${name}" (`,
      '    "id" SERIAL NOT NULL,',
      ...early.map((f) => `    "${f.name}" ${f.sqlType}${f.optional ? '' : ' NOT NULL'},`),
      ...(parent ? ['    "parentId" INTEGER,'] : []),
      '',
      `    CONSTRAINT "${name}_pkey" PRIMARY KEY ("id")`,
      ');',
      '',
    ];
    migrations[createIn].push(...create);
    const alterIn = creating + (m % Math.max(1, size.migrations - creating));
    const target = migrations[Math.min(alterIn, size.migrations - 1)];
    target.push('-- AlterTable', `ALTER TABLE "${name}" ${late.map((f) => `ADD COLUMN     "${f.name}" ${f.sqlType}${f.optional ? '' : ' NOT NULL'}`).join(',\n')};`, '');
    target.push('-- CreateIndex', `CREATE INDEX "${name}_field1_idx" ON "${name}"("field1");`, '');
    if (parent) {
      target.push(
        '-- AddForeignKey',
        `ALTER TABLE "${name}" ADD CONSTRAINT "${name}_parentId_fkey" FOREIGN KEY ("parentId") REFERENCES "${parent}"("id") ON DELETE SET NULL ON UPDATE CASCADE;`,
        '',
      );
    }
  }
  migrations.forEach((lines, i) => {
    const folder = path.join(dir, 'prisma', 'migrations', `${20240101000000 + i * 100}_step_${i}`);
    fs.mkdirSync(folder);
    fs.writeFileSync(path.join(folder, 'migration.sql'), lines.length ? lines.join('\n') : '-- This is an empty migration.\n');
  });
  const schemaPath = path.join(dir, 'prisma', 'schema.prisma');
  fs.writeFileSync(schemaPath, schema.join('\n'));
  return schemaPath;
}
