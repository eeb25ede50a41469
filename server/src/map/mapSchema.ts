import {
  type ColumnType,
  type DbColumn,
  type DbEnum,
  type DbForeignKey,
  type DbIndex,
  type DbObject,
  type DbState,
  type DbTable,
  type Provider,
  type ReferentialAction,
  emptyState,
  objectKey,
  tableKey,
} from '../core/dbState';
import type { Note } from '../core/notes';
import type { FieldSource, ModelSource, Range, SchemaSources, SourceRef } from '../core/source';
import { argument, fieldReferences, findAttribute, findAttributes, identifierArgument, stringArgument, type FieldReference } from '../scan/access';
import type { ScannedAttribute, ScannedEnum, ScannedField, ScannedModel, ScannedSchema } from '../scan/types';
import { SCALAR_TYPES, nativeColumnType, scalarColumnType, unsupportedColumnType } from './columnTypes';
import { type DefaultContext, mapDefault, textOf } from './defaults';
import { finishMysqlState } from './mysql';
import {
  defaultRelationName,
  foreignKeyName,
  indexName,
  postgresTruncate,
  postgresVariant,
  primaryKeyName,
  uniqueIndexName,
} from './naming';
import { objectPredicate } from './partialIndex';

export interface MapOptions {
  /** The project's Prisma version (`5.22.0`, `^6.1.0`): decides version-dependent conventions. Default: 6 or later. */
  prismaVersion?: string;
  /** Overrides the datasource's provider. */
  provider?: Provider;
}

export interface ImplicitManyToManyInfo {
  relationName: string;
  /** Model whose id column `A` holds (first in byte order). */
  modelA: string;
  modelB: string;
  /** `_AB_unique` unique index before Prisma 6 (and always outside PostgreSQL), `_AB_pkey` primary key since. */
  convention: 'unique-index' | 'primary-key';
}

export interface MappedSchema {
  provider: Provider;
  /** The database the schema describes. */
  state: DbState;
  sources: SchemaSources;
  notes: Note[];
  /** `tableKey.column` → default Prisma Client fills in without a database default: `uuid()`, `cuid()`, `@updatedAt`. */
  prismaDefaults: Record<string, string>;
  /**
   * `tableKey#name` → other names the same index or constraint has in databases
   * whose SQL spelled out an over-long name (PostgreSQL cut it at 63 bytes
   * instead of Prisma): a difference that is only a naming convention.
   */
  nameVariants: Record<string, string[]>;
  /** Tables (`@@ignore`) and columns (`tableKey.column`, `@ignore`) Prisma Client ignores but the database keeps. */
  ignored: { tables: string[]; columns: string[] };
  /** Join tables of implicit many-to-many relations, by table key. */
  implicitManyToMany: Record<string, ImplicitManyToManyInfo>;
}

/** Major version out of a package.json range or version (`^5.22.0` → 5); undefined when unreadable. */
export function prismaMajorVersion(version: string | undefined): number | undefined {
  if (!version) return undefined;
  const match = /(\d+)(?:\.\d+)?/.exec(version);
  return match ? Number(match[1]) : undefined;
}

export function providerFromDatasource(provider: string | undefined): Provider | undefined {
  switch (provider) {
    case 'postgresql':
    case 'postgres':
    case 'cockroachdb':
      return 'postgresql';
    case 'sqlite':
      return 'sqlite';
    case 'mysql':
      return 'mysql';
    default:
      return undefined;
  }
}

const REFERENTIAL_ACTIONS: Record<string, ReferentialAction> = {
  Cascade: 'CASCADE',
  Restrict: 'RESTRICT',
  NoAction: 'NO ACTION',
  SetNull: 'SET NULL',
  SetDefault: 'SET DEFAULT',
};

const INDEX_METHODS: Record<string, string | undefined> = {
  BTree: undefined,
  Hash: 'hash',
  Gist: 'gist',
  Gin: 'gin',
  SpGist: 'spgist',
  Brin: 'brin',
};

/** Prisma spells PostgreSQL operator classes in PascalCase: `JsonbPathOps` → `jsonb_path_ops`, `Int4MinMaxMultiOps` → `int4_minmax_multi_ops`. */
export function operatorClassName(prismaName: string): string {
  return prismaName
    .replace(/MinMax/g, 'Minmax')
    .replace(/TimestampTz/g, 'Timestamptz')
    .replace(/TimeTz/g, 'Timetz')
    .replace(/VarBit/g, 'Varbit')
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase();
}

/**
 * One index column as DbIndex keeps it: the name, then an operator class, then
 * `DESC`. The spelling follows the replays so both sides meet: the PostgreSQL
 * replay writes the bare name (`createdAt DESC`), the SQLite replay quotes a
 * name that carries a suffix (`"createdAt" DESC`).
 */
export function indexColumnText(column: string, sort?: 'Asc' | 'Desc', opclass?: string, provider: Provider = 'postgresql'): string {
  const suffix: string[] = [];
  if (opclass) suffix.push(opclass);
  if (sort === 'Desc') suffix.push('DESC');
  if (suffix.length === 0) return column;
  const name = provider === 'sqlite' ? `"${column.replace(/"/g, '""')}"` : column;
  return `${name} ${suffix.join(' ')}`;
}

interface ModelInfo {
  model: ScannedModel;
  table: string;
  schema?: string;
  key: string;
  /** Field name → column name, for scalar fields. */
  columns: Map<string, string>;
  dbTable: DbTable;
  fragment: ModelFragment;
}

/**
 * Where the per-model steps write: straight into the result, or into a
 * fragment of one model that the next run can take over as a whole.
 */
interface Sink {
  notes: Note[];
  columns: Record<string, FieldSource>;
  indexes: Record<string, SourceRef>;
  primaryKeys: Record<string, SourceRef>;
  foreignKeys: Record<string, SourceRef>;
  prismaDefaults: Record<string, string>;
  nameVariants: Record<string, string[]>;
  ignoredColumns: string[];
}

function emptySink(): Sink {
  return { notes: [], columns: {}, indexes: {}, primaryKeys: {}, foreignKeys: {}, prismaDefaults: {}, nameVariants: {}, ignoredColumns: [] };
}

function sameList(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((item, i) => item === b[i]);
}

function sameForeignKeys(a: DbForeignKey[], b: DbForeignKey[]): boolean {
  return (
    a.length === b.length &&
    a.every((fk, i) => {
      const other = b[i];
      return (
        fk.name === other.name &&
        fk.referencedTable === other.referencedTable &&
        fk.onDelete === other.onDelete &&
        fk.onUpdate === other.onUpdate &&
        sameList(fk.columns, other.columns) &&
        sameList(fk.referencedColumns, other.referencedColumns)
      );
    })
  );
}

function modelSource(model: ScannedModel): ModelSource {
  return { file: model.file, range: model.nameRange, modelName: model.name, nameRange: model.nameRange, blockRange: model.blockRange };
}

/** Adds a sink's entries to the records (notes and ignored columns are collected in order by the caller). */
function merge(records: Records, sink: Sink): void {
  Object.assign(records.columns, sink.columns);
  Object.assign(records.indexes, sink.indexes);
  Object.assign(records.primaryKeys, sink.primaryKeys);
  Object.assign(records.foreignKeys, sink.foreignKeys);
  Object.assign(records.prismaDefaults, sink.prismaDefaults);
  Object.assign(records.nameVariants, sink.nameVariants);
}

/** Takes a sink's entries out again: keys are unique per table, so no other sink wrote them. */
function unmerge(records: Records, sink: Sink): void {
  for (const key in sink.columns) delete records.columns[key];
  for (const key in sink.indexes) delete records.indexes[key];
  for (const key in sink.primaryKeys) delete records.primaryKeys[key];
  for (const key in sink.foreignKeys) delete records.foreignKeys[key];
  for (const key in sink.prismaDefaults) delete records.prismaDefaults[key];
  for (const key in sink.nameVariants) delete records.nameVariants[key];
}

/**
 * One model mapped: its table (foreign keys aside) and everything mapping it
 * wrote. It depends only on the scanned model and on the schema-wide context
 * (provider, the names of models, views, composite types and enums), so it
 * stays valid while both do.
 */
interface ModelFragment {
  /** MapCache.generation it was last valid under. */
  generation: number;
  /** MapCache.settingsGeneration it was made under. */
  settings: number;
  /** The type names of its fields that are not scalars, each followed by what it named then (kindOf). */
  kinds: string[];
  source: ModelSource;
  /** The fields whose type is another model (or this one), in field order. */
  relations: RelationField[];
  /** The table without foreign keys. */
  table: DbTable;
  columns: Map<string, string>;
  /** Kept apart because the result lists every model's column notes before any model's key and index notes. */
  columnsSink: Sink;
  keysSink: Sink;
  foreignKeys?: ForeignKeyFragment;
}

interface RelationField {
  field: ScannedField;
  /** No `@relation(fields: ...)`: the side that holds no foreign key, as both sides of an implicit many-to-many are. */
  bare: boolean;
  relationName: string;
}

interface RelationTarget {
  key: string;
  columns: Map<string, string>;
}

/** What collecting reads of a model itself. */
interface Collected {
  table: string;
  schema: string | undefined;
  key: string;
  ignored: boolean;
}

/** The merged records of the last result, patched from one run to the next. */
interface Records {
  columns: Record<string, FieldSource>;
  indexes: Record<string, SourceRef>;
  primaryKeys: Record<string, SourceRef>;
  foreignKeys: Record<string, SourceRef>;
  prismaDefaults: Record<string, string>;
  nameVariants: Record<string, string[]>;
}

/** A model's foreign keys: they also depend on the columns of the models its relations point at. */
interface ForeignKeyFragment {
  /** Table key and column names of the models its fields' types name, in field order: they decide the foreign keys. */
  targets: RelationTarget[];
  sink: Sink;
  /** The model's complete table. */
  table: DbTable;
}

/**
 * Lets `mapSchema` map again only the models that changed since the last
 * call with the same cache (the language server maps on every keystroke).
 * Models are recognised by identity: the incremental scanner hands back the
 * same objects for blocks an edit did not touch (moved in place when lines
 * were added above them, which moves the source ranges kept here with them,
 * since they share the scanner's positions). The tables it returns for
 * unchanged models are the same objects too, and are never modified
 * afterwards, which lets the diff skip them.
 *
 * The records of a result (`state.tables`, `sources.tables`, `.columns`,
 * `.indexes`, `.primaryKeys`, `.foreignKeys`, `prismaDefaults`,
 * `nameVariants`) are updated in place by the next call with the same cache,
 * instead of being rebuilt key by key: read them before mapping again. The
 * tables keep the order of a mapping without cache; the other records may
 * list their keys in another order, with the same content.
 */
export class MapCache {
  /** @internal */ context = '';
  /** @internal Fragments last valid under another context than the current one are checked again. */ generation = 0;
  /** @internal Provider, Prisma version, relation mode, datasource name: fragments made under other settings are stale. */ settings = '';
  /** @internal */ settingsGeneration = 0;
  // Weak: a model object no longer in the schema takes its entries with it, without rebuilding a map per keystroke.
  /** @internal */ fragments = new WeakMap<ScannedModel, ModelFragment>();
  /** @internal */ collected = new WeakMap<ScannedModel, Collected>();
  /** @internal */ records: Records = { columns: {}, indexes: {}, primaryKeys: {}, foreignKeys: {}, prismaDefaults: {}, nameVariants: {} };
  /** @internal The sinks merged into `records`, in the order of the last run. */ merged: Sink[] = [];
  /** @internal The last result's table records, their keys in order, and which of them are join tables. */
  tables?: { keys: string[]; state: Record<string, DbTable>; sources: Record<string, ModelSource>; joinKeys: string[] };
}

interface EnumInfo {
  scanned: ScannedEnum;
  name: string;
  schema?: string;
  key: string;
  values: Map<string, string>;
}

class SchemaMapper {
  private readonly provider: Provider;
  private readonly major: number | undefined;
  private readonly foreignKeys: boolean;
  /** `db.` for `datasource db`: native type attributes are named after the datasource. */
  private readonly nativePrefix: string;
  private readonly state: DbState;
  private readonly notes: Note[] = [];
  private readonly sources: SchemaSources;
  private prismaDefaults: Record<string, string> = {};
  private nameVariants: Record<string, string[]> = {};
  private readonly ignored: { tables: string[]; columns: string[] } = { tables: [], columns: [] };
  private readonly implicit: Record<string, ImplicitManyToManyInfo> = {};
  /** The result itself, as a sink. */
  private readonly direct: Sink;
  private out: Sink;

  private readonly models = new Map<string, ModelInfo>();
  private readonly views = new Set<string>();
  private readonly composites = new Set<string>();
  private readonly enums = new Map<string, EnumInfo>();

  constructor(
    private readonly scanned: ScannedSchema,
    options: MapOptions,
    private readonly cache?: MapCache,
  ) {
    this.sources = {
      tables: {},
      columns: {},
      indexes: {},
      foreignKeys: {},
      primaryKeys: {},
      enums: {},
      enumValues: {},
      fallback: this.fallbackRef(),
    };
    this.direct = {
      notes: this.notes,
      columns: this.sources.columns,
      indexes: this.sources.indexes,
      primaryKeys: this.sources.primaryKeys,
      foreignKeys: this.sources.foreignKeys,
      prismaDefaults: this.prismaDefaults,
      nameVariants: this.nameVariants,
      ignoredColumns: this.ignored.columns,
    };
    this.out = this.direct;
    const datasource = scanned.datasource;
    const fromDatasource = providerFromDatasource(datasource?.provider);
    this.provider = options.provider ?? fromDatasource ?? 'postgresql';
    if (!options.provider && !fromDatasource) {
      this.note(
        'warning',
        datasource?.provider
          ? `Provider \`${datasource.provider}\` is not supported; mapped as PostgreSQL.`
          : 'No datasource provider found; mapped as PostgreSQL.',
        datasource ? { file: datasource.file, range: datasource.providerRange ?? datasource.block.nameRange } : undefined,
      );
    }
    if (datasource?.provider === 'cockroachdb') {
      this.note('info', 'CockroachDB is mapped with PostgreSQL conventions.', { file: datasource.file, range: datasource.providerRange ?? datasource.block.nameRange });
    }
    this.major = prismaMajorVersion(options.prismaVersion);
    this.foreignKeys = datasource?.relationMode !== 'prisma';
    this.nativePrefix = `${datasource?.name ?? 'db'}.`;
    this.state = emptyState(this.provider);
  }

  run(): MappedSchema {
    this.collectEnums();
    this.collectModels();
    // MySQL's last step (finishMysqlState) rewrites tables in place, so its fragments cannot be kept.
    const cache = this.provider === 'mysql' ? undefined : this.cache;
    if (cache) {
      const settings = [this.provider, this.major ?? '', this.foreignKeys, this.nativePrefix].join('|');
      const context = this.contextKey();
      if (cache.settings !== settings) {
        cache.settings = settings;
        cache.settingsGeneration++;
        cache.generation++;
      }
      if (cache.context !== context) {
        cache.context = context;
        cache.generation++;
      }
    }
    // Without a cache nothing is kept: every step writes straight into the result, in the order of the steps.
    const sink = cache ? emptySink : () => this.direct;
    const mapped: ModelInfo[] = [];
    for (const info of this.models.values()) {
      const reused = cache?.fragments.get(info.model);
      // Another model or enum changed (a model renamed, an enum value typed): a fragment stays if what its fields name is the same.
      if (reused && cache && reused.generation !== cache.generation && reused.settings === cache.settingsGeneration && this.sameKinds(reused.kinds)) {
        reused.generation = cache.generation;
      }
      if (reused && reused.generation === cache?.generation) {
        info.fragment = reused;
        info.dbTable = reused.table;
        info.columns = reused.columns;
      } else {
        this.newFragment(info, sink);
        cache?.fragments.set(info.model, info.fragment);
        mapped.push(info);
      }
    }
    for (const info of mapped) {
      this.out = info.fragment.columnsSink;
      this.mapColumns(info);
    }
    for (const info of mapped) {
      this.out = info.fragment.keysSink;
      this.mapPrimaryKey(info);
      this.mapUniques(info);
      this.mapIndexes(info);
    }
    this.out = this.direct;
    for (const info of this.models.values()) this.mapForeignKeys(info, sink);
    this.placeTables(cache);
    const joinTables = sink();
    this.out = joinTables;
    this.mapImplicitManyToMany();
    this.out = this.direct;
    if (cache?.tables) cache.tables.joinKeys = Object.keys(this.implicit);

    // The same order as mapping everything in one go: all column notes, then all key notes, then all foreign-key notes.
    const sinks: Sink[] = [];
    for (const info of this.models.values()) sinks.push(info.fragment.columnsSink);
    for (const info of this.models.values()) sinks.push(info.fragment.keysSink);
    for (const info of this.models.values()) sinks.push((info.fragment.foreignKeys as ForeignKeyFragment).sink);
    sinks.push(joinTables);
    if (cache) {
      for (const kept of sinks) {
        for (const note of kept.notes) this.notes.push(note);
        for (const column of kept.ignoredColumns) this.ignored.columns.push(column);
      }
      this.patch(cache, sinks);
    }
    if (this.provider === 'mysql') finishMysqlState(this.state, this.sources);
    this.describeScope();
    return {
      provider: this.provider,
      state: this.state,
      sources: this.sources,
      notes: this.notes,
      prismaDefaults: this.prismaDefaults,
      nameVariants: this.nameVariants,
      ignored: this.ignored,
      implicitManyToMany: this.implicit,
    };
  }

  /**
   * What the diff needs to compare as Prisma's engine does: the schemas Prisma
   * manages, whether index predicates count (`partialIndexes`), and the `view`
   * blocks, compared with the views migrations create by name.
   */
  private describeScope(): void {
    if (this.provider !== 'postgresql') return;
    const datasource = this.scanned.datasource;
    if (datasource && datasource.schemas.length > 0) this.state.managedSchemas = [...datasource.schemas];
    if (this.scanned.previewFeatures.includes('partialIndexes')) this.state.partialIndexes = true;
    const objects: Record<string, DbObject> = {};
    const views: Record<string, ModelSource> = {};
    for (const model of this.scanned.models) {
      if (model.kind !== 'view') continue;
      const name = stringArgument(findAttribute(model.attributes, 'map'), 'name', 0) ?? model.name;
      const schema = this.schemaOf(model.attributes);
      const key = objectKey('view', schema, name);
      objects[key] = { kind: 'view', name, ...(schema ? { schema } : {}) };
      views[key] = { file: model.file, range: model.nameRange, nameRange: model.nameRange, blockRange: model.blockRange, modelName: model.name };
    }
    if (Object.keys(objects).length > 0) {
      this.state.objects = objects;
      this.sources.views = views;
    }
  }

  /** The names of models, views, composite types and enums (with their values): while they stay the same, every fragment does. */
  private contextKey(): string {
    const enums: string[] = [];
    for (const info of this.enums.values()) enums.push(`${info.scanned.name}>${this.enumSignature(info)}`);
    return [[...this.models.keys()].join(','), [...this.views].join(','), [...this.composites].join(','), enums.join(';')].join('|');
  }

  private readonly enumSignatures = new Map<EnumInfo, string>();

  /** What mapping a column of an enum type reads of the enum: its database name and schema, and its values. */
  private enumSignature(info: EnumInfo): string {
    let signature = this.enumSignatures.get(info);
    if (signature === undefined) {
      const values: string[] = [];
      for (const [name, dbName] of info.values) values.push(name === dbName ? name : `${name}=${dbName}`);
      signature = `${info.key}>${values.join(',')}`;
      this.enumSignatures.set(info, signature);
    }
    return signature;
  }

  /** What a field's type name stands for, as far as mapping a model reads it ('' for scalars and unknown names). */
  private kindOf(typeName: string): string {
    if (this.models.has(typeName)) return 'model';
    if (this.views.has(typeName)) return 'view';
    const enumInfo = this.enums.get(typeName);
    if (enumInfo) return `enum ${this.enumSignature(enumInfo)}`;
    if (this.composites.has(typeName)) return 'type';
    return '';
  }

  private kindsOf(model: ScannedModel): string[] {
    const kinds: string[] = [];
    for (const field of model.fields) {
      if (field.typeName === '' || field.typeName === 'Unsupported' || SCALAR_TYPES.has(field.typeName)) continue;
      kinds.push(field.typeName, this.kindOf(field.typeName));
    }
    return kinds;
  }

  private sameKinds(kinds: string[]): boolean {
    for (let i = 0; i < kinds.length; i += 2) if (this.kindOf(kinds[i]) !== kinds[i + 1]) return false;
    return true;
  }

  /** A fragment for a model to be mapped (columns, keys and indexes are mapped into it next). */
  private newFragment(info: ModelInfo, sink: () => Sink): void {
    const { model } = info;
    const table: DbTable = { name: info.table, columns: [], indexes: [], foreignKeys: [] };
    if (info.schema !== undefined) table.schema = info.schema;
    const fragment: ModelFragment = {
      generation: this.cache?.generation ?? 0,
      settings: this.cache?.settingsGeneration ?? 0,
      kinds: this.cache ? this.kindsOf(model) : [],
      source: modelSource(model),
      relations: this.relationsOf(model),
      table,
      columns: new Map(),
      columnsSink: sink(),
      keysSink: sink(),
    };
    info.fragment = fragment;
    info.dbTable = table;
    info.columns = fragment.columns;
  }

  private relationsOf(model: ScannedModel): RelationField[] {
    const relations: RelationField[] = [];
    for (const field of model.fields) {
      if (!this.models.has(field.typeName)) continue;
      const relation = findAttribute(field.attributes, 'relation');
      relations.push({ field, bare: fieldReferences(argument(relation, 'fields')).length === 0, relationName: stringArgument(relation, 'name', 0) ?? '' });
    }
    return relations;
  }

  /** The models' tables into the result, in model order (the diff lists changes in it), join tables left for later. */
  private placeTables(cache: MapCache | undefined): void {
    const kept = cache?.tables;
    let same = kept !== undefined && kept.keys.length === this.models.size;
    if (kept && same) {
      let i = 0;
      for (const info of this.models.values()) {
        if (kept.keys[i++] !== info.key) {
          same = false;
          break;
        }
      }
    }
    if (kept && same) {
      // The same tables in the same order: write what changed; last run's join tables go (mapped again after, so they stay last).
      for (const key of kept.joinKeys) {
        delete kept.state[key];
        delete kept.sources[key];
      }
      for (const info of this.models.values()) {
        if (kept.state[info.key] !== info.dbTable) kept.state[info.key] = info.dbTable;
        if (kept.sources[info.key] !== info.fragment.source) kept.sources[info.key] = info.fragment.source;
      }
      this.state.tables = kept.state;
      this.sources.tables = kept.sources;
      return;
    }
    for (const info of this.models.values()) {
      this.state.tables[info.key] = info.dbTable;
      this.sources.tables[info.key] = info.fragment.source;
    }
    if (cache) cache.tables = { keys: [...this.models.values()].map((info) => info.key), state: this.state.tables, sources: this.sources.tables, joinKeys: [] };
  }

  /** Brings the cache's records from the last run's sinks to this run's: a keystroke changes a few of some thousand entries. */
  private patch(cache: MapCache, sinks: Sink[]): void {
    const records = cache.records;
    const last = cache.merged;
    if (last.length === sinks.length) {
      // The same models in the same order (every keystroke but those adding or removing a model): compare slot by slot.
      for (let i = 0; i < sinks.length; i++) if (last[i] !== sinks[i]) unmerge(records, last[i]);
      for (let i = 0; i < sinks.length; i++) if (last[i] !== sinks[i]) merge(records, sinks[i]);
    } else {
      const live = new Set(sinks);
      const before = new Set(last);
      for (const sink of last) if (!live.has(sink)) unmerge(records, sink);
      for (const sink of sinks) if (!before.has(sink)) merge(records, sink);
    }
    cache.merged = sinks;
    this.sources.columns = records.columns;
    this.sources.indexes = records.indexes;
    this.sources.primaryKeys = records.primaryKeys;
    this.sources.foreignKeys = records.foreignKeys;
    this.prismaDefaults = records.prismaDefaults;
    this.nameVariants = records.nameVariants;
  }

  // ------------------------------------------------------------ helpers

  private fallbackRef(): SourceRef {
    const datasource = this.scanned.datasource;
    if (datasource) {
      return { file: datasource.file, range: { start: datasource.block.blockRange.start, end: datasource.block.nameRange.end } };
    }
    const file = this.scanned.files[0]?.path ?? '';
    return { file, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } };
  }

  private note(level: Note['level'], message: string, where?: SourceRef): void {
    this.out.notes.push(where ? { level, message, where } : { level, message });
  }

  private ref(file: string, range: Range): SourceRef {
    return { file, range };
  }

  /** `@@schema("x")`; the default schema is left undefined so both sides of the diff agree on it. */
  private schemaOf(attributes: ScannedAttribute[]): string | undefined {
    const schema = stringArgument(findAttribute(attributes, 'schema'), 'name', 0);
    return schema && schema !== 'public' ? schema : undefined;
  }

  private addVariant(key: string, base: string, suffix: string): void {
    const variant = postgresVariant(base, suffix, this.provider);
    if (variant === undefined) return;
    (this.out.nameVariants[key] ??= []).push(variant);
  }

  // ------------------------------------------------------------ collection

  private collectEnums(): void {
    for (const scanned of this.scanned.enums) {
      if (this.enums.has(scanned.name)) {
        this.note('error', `Enum \`${scanned.name}\` is declared twice.`, this.ref(scanned.file, scanned.nameRange));
        continue;
      }
      const name = stringArgument(findAttribute(scanned.attributes, 'map'), 'name', 0) ?? scanned.name;
      const schema = this.schemaOf(scanned.attributes);
      const values = new Map<string, string>();
      for (const value of scanned.values) {
        values.set(value.name, stringArgument(findAttribute(value.attributes, 'map'), 'name', 0) ?? value.name);
      }
      const info: EnumInfo = { scanned, name, key: tableKey(schema, name), values };
      if (schema !== undefined) info.schema = schema;
      this.enums.set(scanned.name, info);
      // Only PostgreSQL has enum types; SQLite stores text and MySQL declares the values inline.
      if (this.provider !== 'postgresql') continue;
      const dbEnum: DbEnum = { name, values: [...values.values()] };
      if (schema !== undefined) dbEnum.schema = schema;
      this.state.enums[info.key] = dbEnum;
      this.sources.enums[info.key] = { file: scanned.file, range: scanned.nameRange, enumName: scanned.name };
      for (const value of scanned.values) {
        this.sources.enumValues[`${info.key}.${values.get(value.name)}`] = this.ref(scanned.file, value.range);
      }
    }
  }

  private collectModels(): void {
    const keys = new Set<string>();
    for (const model of this.scanned.compositeTypes) this.composites.add(model.name);
    for (const model of this.scanned.models) {
      if (model.kind === 'view') {
        this.views.add(model.name);
        continue;
      }
      if (this.models.has(model.name)) {
        this.note('error', `Model \`${model.name}\` is declared twice.`, this.ref(model.file, model.nameRange));
        continue;
      }
      if (model.fields.length === 0 && model.problems.length > 0) {
        // `model Foo {` just typed: not a table yet, or every keystroke would report a new empty table.
        this.note('info', `Model \`${model.name}\` is still being written; it is left out until it has fields.`, this.ref(model.file, model.nameRange));
        continue;
      }
      let collected = this.cache?.collected.get(model);
      if (!collected) {
        const table = stringArgument(findAttribute(model.attributes, 'map'), 'name', 0) ?? model.name;
        const schema = this.schemaOf(model.attributes);
        collected = { table, schema, key: tableKey(schema, table), ignored: findAttribute(model.attributes, 'ignore') !== undefined };
      }
      if (this.cache && !this.cache.collected.has(model)) this.cache.collected.set(model, collected);
      const { table, schema, key } = collected;
      if (keys.has(key)) {
        this.note('error', `Model \`${model.name}\` maps to table \`${table}\`, which another model already uses.`, this.ref(model.file, model.nameRange));
        continue;
      }
      keys.add(key);
      // Table, columns and fragment are filled in by run(), from the cache or by mapping the model.
      const info = { model, table, key } as ModelInfo;
      if (schema !== undefined) info.schema = schema;
      this.models.set(model.name, info);
      if (collected.ignored) this.ignored.tables.push(key);
    }
  }

  // ------------------------------------------------------------ columns

  private isRelationField(field: ScannedField): boolean {
    return this.models.has(field.typeName) || this.views.has(field.typeName);
  }

  private mapColumns(info: ModelInfo): void {
    const names = new Set<string>();
    for (const field of info.model.fields) {
      if (field.typeName === '' || this.isRelationField(field)) continue;
      const column = this.mapColumn(info, field);
      if (!column) continue;
      if (names.has(column.name)) {
        this.note('error', `Column \`${column.name}\` of table \`${info.table}\` is mapped twice.`, this.ref(info.model.file, field.nameRange));
        continue;
      }
      names.add(column.name);
      info.columns.set(field.name, column.name);
      info.dbTable.columns.push(column);
      const columnKey = `${info.key}.${column.name}`;
      const source: FieldSource = {
        file: info.model.file,
        range: field.range,
        modelName: info.model.name,
        fieldName: field.name,
        nameRange: field.nameRange,
      };
      this.out.columns[columnKey] = source;
      if (findAttribute(field.attributes, 'ignore')) this.out.ignoredColumns.push(columnKey);
    }
  }

  private mapColumn(info: ModelInfo, field: ScannedField): DbColumn | undefined {
    // Made only for a note: this runs for every field of every model mapped.
    const where = (): SourceRef => this.ref(info.model.file, field.range);
    // One pass over the attributes: this runs for every field on every keystroke.
    let mapAttribute: ScannedAttribute | undefined;
    let defaultAttribute: ScannedAttribute | undefined;
    let updatedAt = false;
    for (const attribute of field.attributes) {
      if (attribute.name === 'map') mapAttribute ??= attribute;
      else if (attribute.name === 'default') defaultAttribute ??= attribute;
      else if (attribute.name === 'updatedAt') updatedAt = true;
    }
    const name = stringArgument(mapAttribute, 'name', 0) ?? field.name;
    let columnType: ColumnType | undefined;
    let scalar: string;
    let enumInfo: EnumInfo | undefined;
    if (field.typeName === 'Unsupported') {
      scalar = 'unsupported';
      columnType = unsupportedColumnType(field.unsupported ?? '', this.provider);
    } else if (SCALAR_TYPES.has(field.typeName)) {
      scalar = field.typeName;
      columnType = this.nativeType(field, info.model.file) ?? scalarColumnType(field.typeName, this.provider);
    } else if (this.enums.has(field.typeName)) {
      scalar = 'enum';
      enumInfo = this.enums.get(field.typeName) as EnumInfo;
      if (this.provider === 'postgresql') columnType = { name: enumInfo.key, args: [], array: false, isEnum: true };
      else if (this.provider === 'sqlite') columnType = { name: 'TEXT', args: [], array: false, isEnum: false };
      else columnType = { name: 'enum', args: [], array: false, isEnum: false, enumValues: [...enumInfo.values.values()] };
    } else if (this.composites.has(field.typeName)) {
      this.note('warning', `Field \`${info.model.name}.${field.name}\` uses composite type \`${field.typeName}\`, which only MongoDB supports: no column mapped.`, where());
      return undefined;
    } else {
      this.note('error', `Field \`${info.model.name}.${field.name}\` has unknown type \`${field.typeName}\`: no column mapped.`, this.ref(info.model.file, field.typeRange));
      return undefined;
    }
    if (!columnType) return undefined;
    if (field.list) {
      if (this.provider === 'postgresql') columnType.array = true;
      else this.note('warning', `Scalar lists are only supported on PostgreSQL (\`${info.model.name}.${field.name}\`).`, where());
    }
    // Prisma writes list columns without NOT NULL; only required scalars are NOT NULL.
    const column: DbColumn = { name, type: columnType, nullable: field.optional || (field.list && this.provider === 'postgresql') };
    const columnKey = `${info.key}.${name}`;
    if (defaultAttribute) {
      const context: DefaultContext = { provider: this.provider, scalar, columnType, list: field.list };
      if (enumInfo) {
        context.enumValues = enumInfo.values;
        context.enumSqlName = enumInfo.schema ? `${enumInfo.schema}"."${enumInfo.name}` : enumInfo.name;
      }
      const mapped = mapDefault(argument(defaultAttribute, 'value', 0), context);
      if (mapped.db) column.default = mapped.db;
      if (mapped.prisma) this.out.prismaDefaults[columnKey] = mapped.prisma;
      if (mapped.problem) this.note('warning', `\`${info.model.name}.${field.name}\`: ${mapped.problem}`, this.ref(info.model.file, defaultAttribute.range));
    }
    if (updatedAt && !column.default && !this.out.prismaDefaults[columnKey]) {
      this.out.prismaDefaults[columnKey] = '@updatedAt';
    }
    return column;
  }

  private nativeType(field: ScannedField, file: string): ColumnType | undefined {
    const prefix = this.nativePrefix;
    let attribute: ScannedAttribute | undefined;
    for (const candidate of field.attributes) {
      if (candidate.name.startsWith(prefix)) {
        attribute = candidate;
        break;
      }
    }
    if (!attribute) return undefined;
    const native = attribute.name.slice(prefix.length);
    if (this.provider === 'sqlite') {
      this.note('warning', `SQLite has no native type attributes; \`@${attribute.name}\` is ignored.`, this.ref(file, attribute.range));
      return undefined;
    }
    const args: number[] = [];
    for (const arg of attribute.args) if (arg.value?.kind === 'number') args.push(arg.value.value);
    const mapped = nativeColumnType(native, args, this.provider);
    if (!mapped) this.note('warning', `Unknown native type \`@${attribute.name}\` for ${this.provider}; the default type of \`${field.typeName}\` is used.`, this.ref(file, attribute.range));
    return mapped;
  }

  // ------------------------------------------------------------ keys and indexes

  /** Field names in an attribute's field list → column names, with a note for names that are not scalar fields. */
  private columnsOf(info: ModelInfo, references: FieldReference[], attribute: ScannedAttribute): string[] {
    return references.map((reference) => {
      const column = info.columns.get(reference.name);
      if (column !== undefined) return column;
      this.note('warning', `\`${info.model.name}\` has no scalar field \`${reference.name}\` (in \`@${attribute.block ? '@' : ''}${attribute.name}\`).`, this.ref(info.model.file, reference.range));
      return reference.name;
    });
  }

  private mapPrimaryKey(info: ModelInfo): void {
    const { model } = info;
    let columns: string[] | undefined;
    let map: string | undefined;
    let attribute: ScannedAttribute | undefined;
    const blockId = findAttribute(model.attributes, 'id');
    if (blockId) {
      attribute = blockId;
      columns = this.columnsOf(info, fieldReferences(argument(blockId, 'fields', 0)), blockId);
      map = stringArgument(blockId, 'map');
    } else {
      for (const field of model.fields) {
        const id = findAttribute(field.attributes, 'id');
        if (!id) continue;
        attribute = id;
        const column = info.columns.get(field.name);
        if (column === undefined) continue;
        columns = [column];
        map = stringArgument(id, 'map');
        break;
      }
    }
    if (!columns || !attribute || columns.length === 0) return;
    // SQLite and MySQL primary keys carry no name Prisma controls.
    const name = this.provider === 'postgresql' ? (map ?? primaryKeyName(info.table, this.provider)) : undefined;
    info.dbTable.primaryKey = name !== undefined ? { name, columns } : { columns };
    for (const column of columns) {
      const dbColumn = info.dbTable.columns.find((candidate) => candidate.name === column);
      if (dbColumn) dbColumn.nullable = false;
    }
    // On SQLite a lone INTEGER primary key is the rowid, which numbers rows by
    // itself: Prisma's describer (and the replay) read it as autoincrement with
    // or without `@default(autoincrement())`.
    if (this.provider === 'sqlite' && columns.length === 1) {
      const dbColumn = info.dbTable.columns.find((candidate) => candidate.name === columns?.[0]);
      if (dbColumn && dbColumn.type.name === 'INTEGER' && !dbColumn.type.array && !dbColumn.default) dbColumn.default = { kind: 'autoincrement' };
    }
    const ref = this.ref(model.file, attribute.range);
    this.out.primaryKeys[info.key] = ref;
    if (name !== undefined) this.out.primaryKeys[`${info.key}#${name}`] = ref;
    if (map === undefined && name !== undefined) this.addVariant(`${info.key}#${name}`, info.table, '_pkey');
  }

  private addIndex(info: ModelInfo, index: DbIndex, attribute: ScannedAttribute, variantBase?: { base: string; suffix: string }): void {
    if (info.dbTable.indexes.some((existing) => existing.name === index.name)) {
      this.note('warning', `Index name \`${index.name}\` is used twice on table \`${info.table}\`.`, this.ref(info.model.file, attribute.range));
      return;
    }
    info.dbTable.indexes.push(index);
    const key = `${info.key}#${index.name}`;
    this.out.indexes[key] = this.ref(info.model.file, attribute.range);
    if (variantBase) this.addVariant(key, variantBase.base, variantBase.suffix);
  }

  private indexColumns(info: ModelInfo, references: FieldReference[], attribute: ScannedAttribute): { plain: string[]; texts: string[] } {
    const plain = this.columnsOf(info, references, attribute);
    const texts = references.map((reference, i) => {
      const opclass = reference.ops ? (reference.ops.raw ? reference.ops.name : operatorClassName(reference.ops.name)) : undefined;
      return indexColumnText(plain[i], reference.sort, this.provider === 'postgresql' ? opclass : undefined, this.provider);
    });
    return { plain, texts };
  }

  private mapUniques(info: ModelInfo): void {
    const { model } = info;
    for (const field of model.fields) {
      const unique = findAttribute(field.attributes, 'unique');
      if (!unique) continue;
      const column = info.columns.get(field.name);
      if (column === undefined) continue;
      const sort = identifierArgument(unique, 'sort');
      const map = stringArgument(unique, 'map');
      const name = map ?? uniqueIndexName(info.table, [column], this.provider);
      const index: DbIndex = { name, columns: [indexColumnText(column, sort === 'Desc' ? 'Desc' : undefined, undefined, this.provider)], unique: true };
      const where = this.whereOf(info, unique);
      if (where !== undefined) index.where = where;
      this.addIndex(info, index, unique, map === undefined ? { base: `${info.table}_${column}`, suffix: '_key' } : undefined);
    }
    for (const attribute of findAttributes(model.attributes, 'unique')) {
      const references = fieldReferences(argument(attribute, 'fields', 0));
      if (references.length === 0) continue;
      const { plain, texts } = this.indexColumns(info, references, attribute);
      // `name` on @@unique only names the Prisma Client accessor; `map` is the database name.
      const map = stringArgument(attribute, 'map');
      const name = map ?? uniqueIndexName(info.table, plain, this.provider);
      const index: DbIndex = { name, columns: texts, unique: true };
      const where = this.whereOf(info, attribute);
      if (where !== undefined) index.where = where;
      this.addIndex(info, index, attribute, map === undefined ? { base: `${info.table}_${plain.join('_')}`, suffix: '_key' } : undefined);
    }
  }

  private mapIndexes(info: ModelInfo): void {
    const { model } = info;
    for (const attribute of [...findAttributes(model.attributes, 'index'), ...findAttributes(model.attributes, 'fulltext')]) {
      const fulltext = attribute.name === 'fulltext';
      if (fulltext && this.provider !== 'mysql') {
        this.note('warning', '`@@fulltext` is only supported on MySQL; no index mapped.', this.ref(model.file, attribute.range));
        continue;
      }
      const references = fieldReferences(argument(attribute, 'fields', 0));
      if (references.length === 0) continue;
      const { plain, texts } = this.indexColumns(info, references, attribute);
      // Before Prisma 3 `name` was the database name of an index; Prisma still accepts it as such on @@index.
      const map = stringArgument(attribute, 'map') ?? stringArgument(attribute, 'name');
      const name = map ?? indexName(info.table, plain, this.provider);
      const index: DbIndex = { name, columns: texts, unique: false };
      if (fulltext) index.method = 'fulltext';
      const type = identifierArgument(attribute, 'type');
      if (type !== undefined) {
        if (!(type in INDEX_METHODS)) {
          this.note('warning', `Unknown index type \`${type}\`.`, this.ref(model.file, attribute.range));
        } else if (INDEX_METHODS[type] !== undefined && this.provider === 'postgresql') {
          index.method = INDEX_METHODS[type];
        }
      }
      const where = this.whereOf(info, attribute);
      if (where !== undefined) index.where = where;
      this.addIndex(info, index, attribute, map === undefined ? { base: `${info.table}_${plain.join('_')}`, suffix: '_idx' } : undefined);
    }
  }

  /** The condition of a partial index (Prisma 7 `partialIndexes`): `where: raw("...")`, or the object form. */
  private whereOf(info: ModelInfo, attribute: ScannedAttribute): string | undefined {
    const where = argument(attribute, 'where');
    if (!where) return undefined;
    if (where.kind === 'call' && where.name === 'raw' && where.args[0]?.value?.kind === 'string') return where.args[0].value.value;
    const rendered = where.kind === 'object' ? objectPredicate(where, info.columns) : undefined;
    if (rendered !== undefined) return rendered;
    this.note('info', 'Partial index condition kept as written; only `where: raw("...")` and the object form Prisma accepts are read exactly.', this.ref(info.model.file, where.range));
    return textOf(where);
  }

  // ------------------------------------------------------------ relations

  private sameTargets(relations: RelationField[], targets: RelationTarget[]): boolean {
    if (relations.length !== targets.length) return false;
    for (let i = 0; i < relations.length; i++) {
      const target = this.models.get(relations[i].field.typeName) as ModelInfo;
      if (target.key !== targets[i].key || target.columns !== targets[i].columns) return false;
    }
    return true;
  }

  private mapForeignKeys(info: ModelInfo, newSink: () => Sink): void {
    const { model, fragment } = info;
    const cached = fragment.foreignKeys;
    // A target's column map is the same object while its fragment is kept, a new one when it was mapped again.
    if (cached && this.sameTargets(fragment.relations, cached.targets)) {
      info.dbTable = cached.table;
      return;
    }
    const targets: RelationTarget[] = [];
    for (const relation of fragment.relations) {
      const target = this.models.get(relation.field.typeName) as ModelInfo;
      targets.push({ key: target.key, columns: target.columns });
    }
    const sink = newSink();
    const foreignKeys: DbForeignKey[] = [];
    this.out = sink;
    for (const field of model.fields) {
      const target = this.models.get(field.typeName);
      if (!target) continue;
      const relation = findAttribute(field.attributes, 'relation');
      if (!relation) continue;
      const fieldRefs = fieldReferences(argument(relation, 'fields'));
      if (fieldRefs.length === 0) continue;
      const referenceRefs = fieldReferences(argument(relation, 'references'));
      const where = this.ref(model.file, relation.range);
      if (referenceRefs.length !== fieldRefs.length) {
        this.note('warning', `\`@relation\` of \`${model.name}.${field.name}\` needs as many \`references\` as \`fields\`.`, where);
        continue;
      }
      if (!this.foreignKeys) continue;
      const columns = this.columnsOf(info, fieldRefs, relation);
      const referencedColumns = this.columnsOf(target, referenceRefs, relation);
      const map = stringArgument(relation, 'map');
      const name = map ?? foreignKeyName(info.table, columns, this.provider);
      const onDeleteName = identifierArgument(relation, 'onDelete');
      const onUpdateName = identifierArgument(relation, 'onUpdate');
      const onDelete = onDeleteName !== undefined ? REFERENTIAL_ACTIONS[onDeleteName] : undefined;
      const onUpdate = onUpdateName !== undefined ? REFERENTIAL_ACTIONS[onUpdateName] : undefined;
      if ((onDeleteName !== undefined && !onDelete) || (onUpdateName !== undefined && !onUpdate)) {
        this.note('warning', `Unknown referential action on \`${model.name}.${field.name}\`.`, where);
      }
      const foreignKey: DbForeignKey = {
        name,
        columns,
        referencedTable: target.key,
        referencedColumns,
        // Prisma's defaults: an optional relation sets NULL, a required one restricts; updates cascade.
        onDelete: onDelete ?? (field.optional ? 'SET NULL' : 'RESTRICT'),
        onUpdate: onUpdate ?? 'CASCADE',
      };
      if (foreignKeys.some((existing) => existing.name === name)) {
        this.note('warning', `Foreign key name \`${name}\` is used twice on table \`${info.table}\`.`, where);
        continue;
      }
      foreignKeys.push(foreignKey);
      const key = `${info.key}#${name}`;
      this.out.foreignKeys[key] = where;
      if (map === undefined) this.addVariant(key, `${info.table}_${columns.join('_')}`, '_fkey');
    }
    this.out = this.direct;
    // Editing a model re-maps the foreign keys pointing at it; when they come out the same, the table stays the same object.
    const table =
      cached && sameForeignKeys(cached.table.foreignKeys, foreignKeys)
        ? cached.table
        : foreignKeys.length > 0
          ? // Spread keeps the property order of a table mapped in one go.
            { ...fragment.table, foreignKeys }
          : fragment.table;
    fragment.foreignKeys = { targets, sink, table };
    info.dbTable = table;
  }

  private mapImplicitManyToMany(): void {
    const seen = new Set<ScannedField>();
    for (const info of this.models.values()) {
      for (const { field, bare, relationName } of info.fragment.relations) {
        if (!field.list || seen.has(field) || !bare) continue;
        const other = this.models.get(field.typeName) as ModelInfo;
        const counterpart = other.fragment.relations.find(
          (candidate) => candidate.field !== field && !seen.has(candidate.field) && candidate.field.typeName === info.model.name && candidate.relationName === relationName && candidate.bare,
        )?.field;
        if (!counterpart || !counterpart.list) continue;
        seen.add(field);
        seen.add(counterpart);
        this.mapJoinTable(info, field, other, counterpart, relationName);
      }
    }
  }

  private mapJoinTable(left: ModelInfo, leftField: ScannedField, right: ModelInfo, rightField: ScannedField, relationName: string): void {
    // `A` holds the ids of the model first in byte order; for a self-relation, of the field first by name.
    let a = { info: left, field: leftField };
    let b = { info: right, field: rightField };
    const swap = left.model.name === right.model.name ? rightField.name < leftField.name : right.model.name < left.model.name;
    if (swap) [a, b] = [b, a];
    const name = relationName || defaultRelationName(left.model.name, right.model.name);
    const table = `_${name}`;
    const schema = a.info.schema;
    const key = tableKey(schema, table);
    const fieldRef = (side: { info: ModelInfo; field: ScannedField }): SourceRef => this.ref(side.info.model.file, side.field.range);
    const idColumn = (side: { info: ModelInfo; field: ScannedField }): DbColumn | undefined => {
      const pk = side.info.dbTable.primaryKey;
      if (!pk || pk.columns.length !== 1) {
        this.note('error', `Implicit many-to-many relation \`${name}\` needs a single-field @id on \`${side.info.model.name}\`.`, fieldRef(side));
        return undefined;
      }
      return side.info.dbTable.columns.find((column) => column.name === pk.columns[0]);
    };
    const idA = idColumn(a);
    const idB = idColumn(b);
    if (!idA || !idB) return;
    if (this.state.tables[key]) {
      this.note('error', `Implicit many-to-many table \`${table}\` clashes with another table.`, fieldRef(a));
      return;
    }
    const joinType = (id: DbColumn): ColumnType => ({ ...id.type, args: [...id.type.args], array: false });
    const usePrimaryKey = this.provider === 'postgresql' && (this.major === undefined || this.major >= 6);
    const pg = this.provider === 'postgresql';
    // These names are not Prisma-truncated; PostgreSQL cuts them itself if they are too long.
    const limit = (text: string): string => postgresTruncate(text);
    const dbTable: DbTable = {
      name: table,
      columns: [
        { name: 'A', type: joinType(idA), nullable: false },
        { name: 'B', type: joinType(idB), nullable: false },
      ],
      indexes: [],
      foreignKeys: [],
    };
    if (schema !== undefined) dbTable.schema = schema;
    const abName = pg ? limit(`${table}_AB_${usePrimaryKey ? 'pkey' : 'unique'}`) : `${table}_AB_unique`;
    if (usePrimaryKey) dbTable.primaryKey = { name: abName, columns: ['A', 'B'] };
    else dbTable.indexes.push({ name: abName, columns: ['A', 'B'], unique: true });
    const bIndex = pg ? limit(`${table}_B_index`) : `${table}_B_index`;
    dbTable.indexes.push({ name: bIndex, columns: ['B'], unique: false });
    if (this.foreignKeys) {
      for (const [column, side, id] of [['A', a, idA], ['B', b, idB]] as const) {
        const fkName = pg ? limit(`${table}_${column}_fkey`) : `${table}_${column}_fkey`;
        dbTable.foreignKeys.push({ name: fkName, columns: [column], referencedTable: side.info.key, referencedColumns: [id.name], onDelete: 'CASCADE', onUpdate: 'CASCADE' });
        this.out.foreignKeys[`${key}#${fkName}`] = fieldRef(side);
      }
    }
    this.state.tables[key] = dbTable;
    this.implicit[key] = { relationName: name, modelA: a.info.model.name, modelB: b.info.model.name, convention: usePrimaryKey ? 'primary-key' : 'unique-index' };
    this.sources.tables[key] = {
      file: a.info.model.file,
      range: a.field.range,
      modelName: a.info.model.name,
      nameRange: a.field.nameRange,
      blockRange: a.info.model.blockRange,
      implicitManyToMany: true,
    };
    for (const [column, side] of [['A', a], ['B', b]] as const) {
      this.out.columns[`${key}.${column}`] = {
        file: side.info.model.file,
        range: side.field.range,
        modelName: side.info.model.name,
        fieldName: side.field.name,
        nameRange: side.field.nameRange,
      };
    }
    if (usePrimaryKey) {
      this.out.primaryKeys[key] = fieldRef(a);
      this.out.primaryKeys[`${key}#${abName}`] = fieldRef(a);
    } else {
      this.out.indexes[`${key}#${abName}`] = fieldRef(a);
    }
    this.out.indexes[`${key}#${bIndex}`] = fieldRef(b);
  }
}

/**
 * The database a scanned schema describes, following Prisma's own conventions
 * for the provider: names after `@map`/`@@map`, native types, database defaults
 * (not Prisma-level ones), constraint names, implicit many-to-many tables.
 * Never throws; whatever it cannot map becomes a note.
 */
export function mapSchema(scanned: ScannedSchema, options: MapOptions = {}, cache?: MapCache): MappedSchema {
  return new SchemaMapper(scanned, options, cache).run();
}
