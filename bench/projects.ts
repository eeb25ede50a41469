/**
 * The projects the benchmark runs on: generated ones of fixed sizes and copies
 * of real ones from ../shared/corpus. Every project is copied into the temp
 * folder, outside git (so all its migrations count as deployed and adding a
 * migration never touches the corpus), except the generated ones whose size
 * asks for a git repository: those are committed there, as a real project is.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { generateProject, SIZES } from './generate';
import { corpusRoot } from '../test/support/corpus';

export interface BenchProject {
  label: string;
  dir: string;
  schemaPath: string;
  migrationsDir: string;
  models: number;
  migrations: number;
  lines: number;
  cleanup(): void;
}


/** The corpus projects the issue names: the most migrations, and the largest schema. */
export const CORPUS: Record<string, string> = {
  langfuse: 'langfuse__langfuse',
  'inbox-zero': 'elie222__inbox-zero',
};

export function corpusDir(): string | undefined {
  return corpusRoot('bench: corpus projects');
}

export function knownLabels(): string[] {
  return [...Object.keys(SIZES), ...Object.keys(CORPUS)];
}

export function prepareProject(label: string): BenchProject | undefined {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `pmg-bench-${label}-`));
  const cleanup = (): void => fs.rmSync(dir, { recursive: true, force: true });
  const size = SIZES[label];
  if (size) {
    const schemaPath = generateProject(dir, size);
    if (size.git) commitAll(dir);
    return finish(label, dir, schemaPath, cleanup);
  }
  const corpusName = CORPUS[label];
  const corpus = corpusDir();
  if (!corpusName || !corpus || !fs.existsSync(path.join(corpus, corpusName, 'head', 'schema.prisma'))) {
    cleanup();
    return undefined;
  }
  const head = path.join(corpus, corpusName, 'head');
  fs.mkdirSync(path.join(dir, 'prisma'));
  fs.copyFileSync(path.join(head, 'schema.prisma'), path.join(dir, 'prisma', 'schema.prisma'));
  fs.cpSync(path.join(head, 'migrations'), path.join(dir, 'prisma', 'migrations'), { recursive: true });
  return finish(label, dir, path.join(dir, 'prisma', 'schema.prisma'), cleanup);
}

/** A fresh repository holding the whole project in one commit (no user configuration needed). */
function commitAll(dir: string): void {
  const git = (...args: string[]): void => {
    const run = spawnSync('git', ['-c', 'user.name=bench', '-c', 'user.email=bench@localhost', '-c', 'commit.gpgsign=false', ...args], { cwd: dir, encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`git ${args[0]} failed: ${run.stderr}`);
  };
  git('init', '-q');
  git('add', '-A');
  git('commit', '-q', '-m', 'generated project');
}

function finish(label: string, dir: string, schemaPath: string, cleanup: () => void): BenchProject {
  const text = fs.readFileSync(schemaPath, 'utf8');
  const migrationsDir = path.join(path.dirname(schemaPath), 'migrations');
  const migrations = fs.readdirSync(migrationsDir, { withFileTypes: true }).filter((e) => e.isDirectory()).length;
  return {
    label,
    dir,
    schemaPath,
    migrationsDir,
    models: (text.match(/^model\s/gm) ?? []).length,
    migrations,
    lines: text.split('\n').length,
    cleanup,
  };
}

/** Writes one more migration folder (sorting after every existing one) that adds a column to the first table. */
export function addMigration(project: BenchProject, n: number): string {
  const text = fs.readFileSync(project.schemaPath, 'utf8');
  const model = /^model\s+(\w+)/m.exec(text)?.[1] ?? 'Model0000';
  const table = /@@map\("([^"]+)"\)/.exec(text.slice(text.indexOf(`model ${model}`), text.indexOf('\n}', text.indexOf(`model ${model}`))))?.[1] ?? model;
  const folder = path.join(project.migrationsDir, `29990101${String(n).padStart(6, '0')}_bench_added_${n}`);
  fs.mkdirSync(folder);
  fs.writeFileSync(path.join(folder, 'migration.sql'), `-- AlterTable\nALTER TABLE "${table}" ADD COLUMN     "benchExtra${n}" TEXT;\n`);
  return folder;
}

// ---------------------------------------------------------------- typing

export interface TypingEdit {
  /** Where the inserted text goes, as an LSP position in the text before the edit. */
  line: number;
  character: number;
  inserted: string;
  /** The whole text after the edit. */
  text: string;
}

/**
 * `count` one-character edits typing new fields into a model in the middle of
 * the schema, as a user would: a newline, then the field letter by letter, so
 * most intermediate texts are half-typed (a field without a type, an unclosed
 * `@default(`, an unterminated string).
 */
export function typingEdits(text: string, count: number): TypingEdit[] {
  const lines = text.split('\n');
  const modelLines = lines.map((l, i) => (/^model\s+\w+\s*\{/.test(l) ? i : -1)).filter((i) => i >= 0);
  const anchor = modelLines[Math.floor(modelLines.length / 2)] ?? 0;
  const edits: TypingEdit[] = [];
  let current = text;
  let line = anchor;
  let character = lines[anchor].length;
  const offsetOf = (l: number, c: number): number => {
    let offset = 0;
    for (let i = 0; i < l; i++) offset = current.indexOf('\n', offset) + 1;
    return offset + c;
  };
  let offset = offsetOf(line, character);
  for (let field = 0; edits.length < count; field++) {
    const typed = `\n  typed${field} String? @default("v${field}")`;
    for (const ch of typed) {
      if (edits.length >= count) break;
      current = current.slice(0, offset) + ch + current.slice(offset);
      edits.push({ line, character, inserted: ch, text: current });
      offset++;
      if (ch === '\n') {
        line++;
        character = 0;
      } else {
        character++;
      }
    }
  }
  return edits;
}
