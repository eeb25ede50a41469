import type { Range } from '../core/source';
import { combineFiles, scanFile } from './scanner';
import type { ScanProblem, ScannedEnum, ScannedFile, ScannedModel, ScannedSchema } from './types';

/** A file scan where damaged blocks may have been replaced by their last readable version. */
export type ScannedFileResult = ScannedFile;

interface Entry {
  text: string;
  result: ScannedFileResult;
  /** Last readable version of every block seen in this file, by kind and name. */
  goodModels: Map<string, ScannedModel>;
  goodEnums: Map<string, ScannedEnum>;
}

/**
 * Keeps one scan per file and, while the user types, the last readable version
 * of every model and enum. A block that cannot be read right now (a half-typed
 * attribute, a missing brace) is replaced by its last good version, shifted to
 * where the block now starts, so the rest of the pipeline does not see columns
 * vanish and reappear on every keystroke.
 */
export class SchemaScanCache {
  private readonly entries = new Map<string, Entry>();

  /** Re-scans one file; unchanged text returns the cached result. */
  update(path: string, text: string): ScannedFileResult {
    const previous = this.entries.get(path);
    if (previous && previous.text === text) return previous.result;
    const scan = scanFile(path, text);
    const goodModels = new Map<string, ScannedModel>();
    const goodEnums = new Map<string, ScannedEnum>();
    const extraProblems: ScanProblem[] = [];

    const models = scan.models.map((model) => {
      const key = `${model.kind}:${model.name}`;
      if (model.problems.length === 0) {
        goodModels.set(key, model);
        return model;
      }
      const old = previous?.goodModels.get(key);
      if (!old) return model;
      goodModels.set(key, old);
      const problem = recoveryProblem(`${model.kind} ${model.name}`, model.problems[0], path);
      extraProblems.push(problem);
      const recovered = shiftLines(old, model.blockRange.start.line - old.blockRange.start.line);
      return { ...recovered, nameRange: model.nameRange, blockRange: model.blockRange, problems: [problem, ...model.problems], recovered: true };
    });

    const enums = scan.enums.map((enumBlock) => {
      if (enumBlock.problems.length === 0) {
        goodEnums.set(enumBlock.name, enumBlock);
        return enumBlock;
      }
      const old = previous?.goodEnums.get(enumBlock.name);
      if (!old) return enumBlock;
      goodEnums.set(enumBlock.name, old);
      const problem = recoveryProblem(`enum ${enumBlock.name}`, enumBlock.problems[0], path);
      extraProblems.push(problem);
      const recovered = shiftLines(old, enumBlock.blockRange.start.line - old.blockRange.start.line);
      return { ...recovered, nameRange: enumBlock.nameRange, blockRange: enumBlock.blockRange, problems: [problem, ...enumBlock.problems], recovered: true };
    });

    const result: ScannedFileResult = { ...scan, models, enums, problems: [...extraProblems, ...scan.problems] };
    this.entries.set(path, { text, result, goodModels, goodEnums });
    return result;
  }

  remove(path: string): void {
    this.entries.delete(path);
  }

  has(path: string): boolean {
    return this.entries.has(path);
  }

  paths(): string[] {
    return [...this.entries.keys()];
  }

  /** All files, in the order they were first added (or the order given). */
  schema(order?: string[]): ScannedSchema {
    const paths = order ?? this.paths();
    const files: ScannedFile[] = [];
    for (const path of paths) {
      const entry = this.entries.get(path);
      if (entry) files.push(entry.result);
    }
    return combineFiles(files);
  }
}

function recoveryProblem(what: string, first: ScanProblem, file: string): ScanProblem {
  return {
    message: `\`${what}\` could not be read (line ${first.range.start.line + 1}: ${first.message}); using its last readable version.`,
    file,
    range: first.range,
  };
}

function isRange(value: unknown): value is Range {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as { start?: { line?: unknown }; end?: { line?: unknown } };
  return typeof candidate.start?.line === 'number' && typeof candidate.end?.line === 'number';
}

/** Deep copy with every range moved by `delta` lines (the block moved because lines above it changed). */
function shiftLines<T>(value: T, delta: number): T {
  if (Array.isArray(value)) return value.map((item) => shiftLines(item, delta)) as unknown as T;
  if (typeof value !== 'object' || value === null) return value;
  if (isRange(value)) {
    return {
      start: { line: value.start.line + delta, character: value.start.character },
      end: { line: value.end.line + delta, character: value.end.character },
    } as unknown as T;
  }
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) copy[key] = shiftLines(item, delta);
  return copy as T;
}
