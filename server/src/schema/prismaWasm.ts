import { messageOf } from '../core/notes';
import { LineIndex, type Range } from '../core/source';
import type { ScannedFile } from '../scan/types';
import { type EngineText, type NeutralizedItem, type SchemaText, neutralizeForEngine } from './neutralize';

/**
 * The one door to `@prisma/prisma-schema-wasm` (Prisma 7's schema engine).
 *
 * - The module reports panics through `global.PRISMA_WASM_PANIC_REGISTRY`,
 *   which must exist before it is loaded; a panic then surfaces as
 *   `RuntimeError: unreachable` and may leave the instance broken, so after one
 *   the module is dropped from the require cache and loaded afresh next time.
 * - Every call is guarded: callers get a result object, never an exception.
 * - Texts are neutralised first (see neutralize.ts) so Prisma 5/6 schemas are
 *   judged on their content, not on what Prisma 7 dropped.
 * - `lint` reports offsets in UTF-16 code units (checked with astral
 *   characters before the error), which are converted to LSP ranges here.
 * - `get_dmmf` is deliberately not exposed: seconds and tens of MB on large schemas.
 */

interface WasmModule {
  lint(input: string): string;
  get_datamodel(params: string): string;
  preview_features(): string;
  debug_panic?(): void;
}

interface PanicRegistry {
  set_message(message: string): void;
}

const MODULE_ID = '@prisma/prisma-schema-wasm';

let loaded: WasmModule | undefined;
let loadError: string | undefined;
let lastPanic: string | undefined;
let knownFeatures: Set<string> | undefined;

function installPanicRegistry(): void {
  const holder = globalThis as { PRISMA_WASM_PANIC_REGISTRY?: PanicRegistry };
  const previous = holder.PRISMA_WASM_PANIC_REGISTRY;
  if (previous && (previous as { migrationGuard?: boolean }).migrationGuard) return;
  const registry: PanicRegistry & { migrationGuard: boolean } = {
    migrationGuard: true,
    set_message(message: string): void {
      lastPanic = message;
      // Someone else may have installed a registry first; keep them informed.
      try {
        previous?.set_message(message);
      } catch {
        // their problem, not ours
      }
    },
  };
  holder.PRISMA_WASM_PANIC_REGISTRY = registry;
}

function load(): WasmModule | undefined {
  if (loaded) return loaded;
  installPanicRegistry();
  try {
    loaded = require(MODULE_ID) as WasmModule;
    loadError = undefined;
  } catch (error) {
    loadError = `Cannot load ${MODULE_ID}: ${messageOf(error)}`;
    loaded = undefined;
  }
  return loaded;
}

function unload(): void {
  loaded = undefined;
  try {
    delete require.cache[require.resolve(MODULE_ID)];
  } catch {
    // not resolvable: nothing cached either
  }
}


export interface EngineFailure {
  /** What went wrong: a panic message, a load error, or an unexpected exception. */
  message: string;
  panic: boolean;
}

type Guarded<T> = { ok: true; value: T } | { ok: false; failure: EngineFailure; thrown?: unknown };

function guarded<T>(fn: (wasm: WasmModule) => T): Guarded<T> {
  const wasm = load();
  if (!wasm) return { ok: false, failure: { message: loadError ?? `Cannot load ${MODULE_ID}`, panic: false } };
  lastPanic = undefined;
  try {
    return { ok: true, value: fn(wasm) };
  } catch (error) {
    // A trap (`RuntimeError: unreachable`) is how a Rust panic ends inside wasm.
    const panic = lastPanic !== undefined || (error instanceof Error && error.name === 'RuntimeError');
    if (panic) {
      unload();
      return { ok: false, failure: { message: lastPanic ?? messageOf(error), panic: true } };
    }
    return { ok: false, failure: { message: messageOf(error), panic: false }, thrown: error };
  }
}

/** Preview features Prisma 7's engine knows; empty when the engine cannot be loaded. */
export function knownPreviewFeatures(): ReadonlySet<string> {
  if (knownFeatures) return knownFeatures;
  const result = guarded((wasm) => JSON.parse(wasm.preview_features()) as unknown);
  if (!result.ok || !Array.isArray(result.value)) return new Set();
  knownFeatures = new Set(result.value.filter((item): item is string => typeof item === 'string'));
  return knownFeatures;
}

export interface LintDiagnostic {
  file: string;
  range: Range;
  message: string;
  severity: 'error' | 'warning';
}

export interface LintResult {
  diagnostics: LintDiagnostic[];
  /** What was blanked out before linting (Prisma ≤6 constructs Prisma 7 rejects). */
  neutralized: NeutralizedItem[];
  /** Set when the engine could not lint at all; `diagnostics` is then empty. */
  failure?: EngineFailure;
}

export interface EngineOptions {
  /** Blank out Prisma ≤6 constructs first (default true). */
  neutralize?: boolean;
  /** Scans of the same texts, by path, to avoid scanning again for neutralisation. */
  scans?: ReadonlyMap<string, ScannedFile>;
}

function prepare(files: SchemaText[], options: EngineOptions): { files: EngineText[]; neutralized: NeutralizedItem[] } {
  if (options.neutralize === false) return { files: files.map((file) => ({ ...file, toOriginal: (offset: number) => offset })), neutralized: [] };
  return neutralizeForEngine(files, knownPreviewFeatures(), options.scans);
}

interface RawDiagnostic {
  file_name?: string;
  start?: number;
  end?: number;
  text?: string;
  is_warning?: boolean;
}

/** Prisma's own validation of a (possibly multi-file) schema, with LSP ranges. */
export function lintSchema(files: SchemaText[], options: EngineOptions = {}): LintResult {
  const prepared = prepare(files, options);
  const input = JSON.stringify(prepared.files.map((file) => [file.path, file.text]));
  const result = guarded((wasm) => wasm.lint(input));
  if (!result.ok) return { diagnostics: [], neutralized: prepared.neutralized, failure: result.failure };
  let raw: unknown;
  try {
    raw = JSON.parse(result.value);
  } catch (error) {
    return { diagnostics: [], neutralized: prepared.neutralized, failure: { message: `Unreadable lint output: ${messageOf(error)}`, panic: false } };
  }
  const indexes = new Map<string, LineIndex>();
  const diagnostics: LintDiagnostic[] = [];
  for (const item of Array.isArray(raw) ? (raw as RawDiagnostic[]) : []) {
    const file = item.file_name ?? files[0]?.path ?? '';
    let index = indexes.get(file);
    if (!index) {
      // Positions are computed on the user's text.
      const text = files.find((candidate) => candidate.path === file)?.text ?? '';
      index = new LineIndex(text);
      indexes.set(file, index);
    }
    // The engine's offsets are on the text it was given; the rewritten view attributes may have moved them.
    const toOriginal = prepared.files.find((candidate) => candidate.path === file)?.toOriginal ?? ((offset: number) => offset);
    const start = toOriginal(typeof item.start === 'number' ? item.start : 0);
    const end = typeof item.end === 'number' ? toOriginal(item.end) : start;
    diagnostics.push({
      file,
      range: index.rangeAt(start, end),
      message: item.text ?? 'Prisma schema error',
      severity: item.is_warning ? 'warning' : 'error',
    });
  }
  return { diagnostics, neutralized: prepared.neutralized };
}

export interface DatamodelResult {
  /** Parsed `get_datamodel` output (models with `dbName`, fields, relations, indexes). */
  datamodel?: unknown;
  /** Validation errors as Prisma formats them (P1012), when the schema is invalid. */
  validationError?: string;
  neutralized: NeutralizedItem[];
  failure?: EngineFailure;
}

/** Prisma's semantic view of the schema; only for valid schemas. */
export function getDatamodel(files: SchemaText[], options: EngineOptions = {}): DatamodelResult {
  const prepared = prepare(files, options);
  const params = JSON.stringify({ prismaSchema: prepared.files.map((file) => [file.path, file.text]) });
  const result = guarded((wasm) => wasm.get_datamodel(params));
  if (!result.ok) {
    if (!result.failure.panic && result.thrown !== undefined) {
      return { validationError: validationMessage(result.failure.message), neutralized: prepared.neutralized };
    }
    return { neutralized: prepared.neutralized, failure: result.failure };
  }
  try {
    return { datamodel: JSON.parse(result.value) as unknown, neutralized: prepared.neutralized };
  } catch (error) {
    return { neutralized: prepared.neutralized, failure: { message: `Unreadable datamodel: ${messageOf(error)}`, panic: false } };
  }
}

/** The engine throws `{"error_code":"P1012","message":"..."}` with ANSI colours; keep the readable text. */
function validationMessage(message: string): string {
  let text = message;
  try {
    const parsed = JSON.parse(message) as { message?: unknown };
    if (typeof parsed.message === 'string') text = parsed.message;
  } catch {
    // not JSON: use as is
  }
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;]*m/g, '');
}

/** For tests: panics inside the engine through the guarded path and returns what a caller would get. */
export function panicForTests(): EngineFailure | undefined {
  const result = guarded((wasm) => wasm.debug_panic?.());
  return result.ok ? undefined : result.failure;
}

/** For tests: forget the loaded module so the next call loads it again. */
export function resetEngineForTests(): void {
  unload();
  knownFeatures = undefined;
}
