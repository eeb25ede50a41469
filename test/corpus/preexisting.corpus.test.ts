/**
 * Adopting the guard on real projects (../shared/corpus): each head, committed
 * as it is to a git repository of its own, is a clean checkout. Whatever
 * drift it has is not the user's: no per-line error or warning, at most the one
 * pre-existing-drift summary. A required column added to its first model right
 * after is still an `add-required-column` error, the only error or warning.
 */
import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ProjectSession } from '../../server/src/analysis/session';
import { locateProject } from '../../server/src/project/locate';
import { loadPostgresParser } from '../../server/src/replay/statements';
import type { Finding } from '../../server/src/rules/types';
import { corpusRoot } from '../support/corpus';

const corpus = corpusRoot('corpus: pre-existing drift on a clean checkout');

function git(cwd: string, ...args: string[]): void {
  execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.invalid', '-c', 'init.defaultBranch=main', '-c', 'commit.gpgsign=false', ...args], { cwd, stdio: 'ignore' });
}

/** Error and warning findings as `file:line severity rule`, file relative to the project. */
function unsafe(findings: Finding[], root: string): string[] {
  return findings.filter((f) => f.severity !== 'info').map((f) => `${path.relative(root, f.file)}:${f.range.start.line} ${f.severity} ${f.ruleId}`);
}

/** The first `model` block of the schema files in path order, and the text with a required column added to it. */
function withRequiredColumn(files: string[]): { file: string; line: number; text: string; model: string } {
  for (const file of files) {
    const text = fs.readFileSync(file, 'utf8');
    const match = /^model\s+(\w+)\s*\{[^\n]*\n/m.exec(text);
    if (!match) continue;
    const at = match.index + match[0].length;
    const line = text.slice(0, at).split('\n').length - 1;
    return { file, line, model: match[1], text: `${text.slice(0, at)}  guardProbeRequired String\n${text.slice(at)}` };
  }
  throw new Error('no model in the schema');
}

function datasourceFile(files: string[]): string {
  return files.find((file) => /^datasource\s/m.test(fs.readFileSync(file, 'utf8'))) ?? files[0];
}

function datasourceLine(files: string[]): number {
  const text = fs.readFileSync(datasourceFile(files), 'utf8');
  return text.slice(0, /^datasource\s/m.exec(text)?.index ?? 0).split('\n').length - 1;
}

describe('corpus: a clean checkout of each project shows no per-line error or warning', function () {
  this.timeout(600000);
  const projects = corpus ? fs.readdirSync(corpus).filter((name) => fs.existsSync(path.join(corpus, name, 'head'))).sort() : [];
  const cleanup: string[] = [];

  before(async function () {
    if (!corpus) this.skip();
    await loadPostgresParser();
  });

  after(() => {
    for (const dir of cleanup) fs.rmSync(dir, { recursive: true, force: true });
  });

  for (const name of projects) {
    it(name, async () => {
      const root = fs.mkdtempSync(path.join(os.tmpdir(), 'mg-corpus-git-'));
      cleanup.push(root);
      fs.cpSync(path.join(corpus as string, name, 'head'), root, { recursive: true });
      git(root, 'init', '-q');
      git(root, 'add', '-A');
      git(root, 'commit', '-q', '-m', 'head as committed');
      const schema = fs.existsSync(path.join(root, 'schema.prisma')) ? 'schema.prisma' : 'schema';
      const project = locateProject(root, { schema, migrations: 'migrations' });
      const session = new ProjectSession(project, { deployed: 'git' });

      const clean = await session.analyze();
      assert.ok(clean);
      assert.deepStrictEqual(unsafe(clean.findings, root), []);
      // Whatever drift there is, it is said once, on the datasource block.
      const summaries = clean.findings.filter((f) => f.ruleId === 'schema-drift' && !f.change).map((f) => `${path.relative(root, f.file)}:${f.range.start.line} ${f.severity}`);
      const datasource = clean.preexisting?.changes.length ? [`${path.relative(root, datasourceFile(project.schemaFiles))}:${datasourceLine(project.schemaFiles)} info`] : [];
      assert.deepStrictEqual(summaries, datasource);

      const edit = withRequiredColumn(project.schemaFiles);
      const edited = await session.analyze(new Map([[edit.file, edit.text]]));
      assert.ok(edited);
      assert.deepStrictEqual(unsafe(edited.findings, root), [`${path.relative(root, edit.file)}:${edit.line} error add-required-column`]);
    });
  }
});
