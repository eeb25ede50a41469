/**
 * What VS Code reads without running any code: the extension's contributions,
 * its grammar and language configuration.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { Commands, serverCommands } from '../../server/src/lsp/protocol';
import { REPO_ROOT } from '../lsp/lspClient';

interface Manifest {
  main: string;
  activationEvents: string[];
  contributes: {
    languages: { id: string; extensions: string[]; configuration: string }[];
    grammars: { language: string; scopeName: string; path: string }[];
    commands: { command: string; title: string }[];
    configuration: { properties: Record<string, { type: unknown; default?: unknown; scope?: string; properties?: Record<string, unknown>; enum?: string[] }> };
  };
}

const manifest = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as Manifest;

function regexesOf(node: unknown, out: string[] = []): string[] {
  if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if ((key === 'match' || key === 'begin' || key === 'end') && typeof value === 'string') out.push(value);
      else regexesOf(value, out);
    }
  }
  return out;
}

describe('extension manifest and grammar', () => {
  it('points at the bundled client and activates on Prisma files and projects', () => {
    assert.strictEqual(manifest.main, './dist/extension.js');
    assert.deepStrictEqual(manifest.activationEvents, [
      'onLanguage:prisma',
      'workspaceContains:**/schema.prisma',
      'workspaceContains:**/prisma/migrations/*/migration.sql',
      'workspaceContains:prisma/migrations',
    ]);
  });

  it('contributes the five commands with their titles', () => {
    assert.deepStrictEqual(
      manifest.contributes.commands.map((c) => [c.command, c.title]),
      [
        [Commands.checkSafety, 'Check migration safety'],
        [Commands.generatePhasedMigration, 'Generate phased migration'],
        [Commands.advancePhase, 'Advance to next phase'],
        [Commands.traceLocks, 'Trace locks of pending migrations'],
        [Commands.preflight, 'Preflight pending changes against the database'],
      ],
    );
    // The client registers checkSafety and traceLocks itself; the server's commands are registered by the LSP client: no id twice.
    assert.ok(!serverCommands.includes(Commands.checkSafety));
    assert.ok(!serverCommands.includes(Commands.traceLocks));
    assert.ok(!serverCommands.includes(Commands.preflight));
  });

  it('contributes the migrationGuard.* settings, unset by default so the project file stays in charge', () => {
    const properties = manifest.contributes.configuration.properties;
    assert.deepStrictEqual(Object.keys(properties), [
      'migrationGuard.rules',
      'migrationGuard.postgresVersion',
      'migrationGuard.deployed',
      'migrationGuard.smallTables',
      'migrationGuard.database.url',
      'migrationGuard.statsFile',
      'migrationGuard.preflight.scanLimitMb',
      'migrationGuard.preflight.fullScan',
      'migrationGuard.preflight.showValues',
      'migrationGuard.preflight.allowUrlFromCommittedFile',
      'migrationGuard.trace.server',
    ]);
    // What a committed workspace file must not be able to turn on is user-level only (VS Code ignores machine-scoped settings in workspace files).
    assert.deepStrictEqual(
      ['fullScan', 'showValues', 'allowUrlFromCommittedFile'].map((key) => [properties[`migrationGuard.preflight.${key}`].scope, properties[`migrationGuard.preflight.${key}`].default]),
      [['machine', false], ['machine', false], ['machine', false]],
    );
    assert.strictEqual(properties['migrationGuard.preflight.scanLimitMb'].default, 256);
    assert.deepStrictEqual(properties['migrationGuard.rules'].default, {});
    for (const key of ['migrationGuard.postgresVersion', 'migrationGuard.deployed', 'migrationGuard.smallTables', 'migrationGuard.database.url', 'migrationGuard.statsFile']) {
      assert.strictEqual(properties[key].default, null, key);
    }
    assert.deepStrictEqual(properties['migrationGuard.trace.server'].enum, ['off', 'messages', 'verbose']);
    // Every rule offered for completion has its documentation page.
    for (const id of Object.keys(properties['migrationGuard.rules'].properties ?? {})) {
      assert.ok(fs.existsSync(path.join(REPO_ROOT, 'docs', 'rules', `${id}.md`)), `docs/rules/${id}.md is missing`);
    }
  });

  it('contributes the prisma language and a grammar that defers to Prisma\'s own', () => {
    const [language] = manifest.contributes.languages;
    assert.deepStrictEqual([language.id, language.extensions], ['prisma', ['.prisma']]);
    JSON.parse(fs.readFileSync(path.join(REPO_ROOT, language.configuration), 'utf8'));
    const [grammar] = manifest.contributes.grammars;
    assert.deepStrictEqual([grammar.language, grammar.scopeName], ['prisma', 'source.prisma.migration-guard']);
    const content = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, grammar.path), 'utf8')) as { scopeName: string; patterns: { include?: string }[]; repository: Record<string, unknown> };
    assert.strictEqual(content.scopeName, grammar.scopeName);
    // Prisma's grammar first: whichever grammar VS Code binds to the language, Prisma's highlighting wins when installed.
    assert.strictEqual(content.patterns[0].include, 'source.prisma');
    for (const pattern of content.patterns.slice(1)) {
      const name = (pattern.include ?? '').replace(/^#/, '');
      assert.ok(name in content.repository, `#${name} is not in the repository`);
    }
    for (const source of regexesOf(content)) assert.doesNotThrow(() => new RegExp(source), source);
  });
});
