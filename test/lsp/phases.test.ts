/**
 * The phased-migration commands over stdio, on a temp copy of examples/shop
 * committed to git (so a new migration is pending until it is committed):
 * "Generate phased migration" from the add-required-column quick fix sends
 * one versioned workspace edit and writes phase 1 and the plan; the
 * diagnostics follow the edit; a second generate is refused; "Advance to next
 * phase" waits for phase 1 to be committed, then moves phase 2 in. Also: an
 * edit the editor refuses after the files were written, the report's plan
 * and lock-trace sections, and table sizes from the settings.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import type { CodeAction, Diagnostic, TextDocumentEdit } from 'vscode-languageserver-protocol';
import { schemaWorkspaceEdit } from '../../server/src/lsp/phaseCommands';
import type { CommandAnswer } from '../../server/src/lsp/protocol';
import { applyEdits } from '../../server/src/lsp/schemaEdits';
import { brief, commitExceptSchema, copyExample, gitInitShop, LspClient, uriOf } from './lspClient';

/** examples/shop as committed: every unsafe edit of its schema, in file order (as in server.test.ts). */
const INITIAL = [
  '12:5-12:16 1 remove-enum-value migration-guard',
  '22:2-22:18 1 add-required-column migration-guard',
  '28:6-28:13 1 drop-column migration-guard',
  '30:2-30:19 1 rename-column migration-guard',
  '31:25-31:32 2 add-unique-constraint migration-guard',
  '42:2-42:45 2 schema-drift migration-guard',
  '51:2-51:24 1 make-column-required migration-guard',
  '58:2-58:22 2 create-index-blocking migration-guard',
  '68:2-68:23 2 change-column-type migration-guard',
  '71:6-71:12 2 schema-drift migration-guard',
];

/** What phase 1 of the add-required-column plan asks before phase 2 (the planner's words). */
const BEFORE_PHASE_2 = 'Deploy code that sets `User.phone` on every create (Prisma Client has it as optional now; treat it as required in your code), so that no new row is left without a value.';

function gitProject(): string {
  const root = copyExample('shop');
  gitInitShop(root);
  return root;
}

function migrationFolders(root: string): string[] {
  return fs.readdirSync(path.join(root, 'prisma', 'migrations')).filter((n) => !n.endsWith('.toml')).sort();
}

async function generateAction(client: LspClient, schema: string, version: number): Promise<{ diagnostic: Diagnostic; action: CodeAction }> {
  const diagnostics = await client.diagnostics(uriOf(schema), (p) => p.version === version);
  const diagnostic = diagnostics.find((d) => d.code === 'add-required-column') as Diagnostic;
  assert.ok(diagnostic, 'no add-required-column diagnostic');
  const actions = (await client.codeActions(schema, diagnostic.range, [diagnostic])) as CodeAction[];
  const action = actions.find((a) => a.command?.command === 'migrationGuard.generatePhasedMigration') as CodeAction;
  assert.ok(action, 'no "Generate phased migration" action');
  return { diagnostic, action };
}

describe('phased migrations: the schema edits as one workspace edit', () => {
  const range = { start: { line: 3, character: 9 }, end: { line: 3, character: 9 } };
  const edits = [
    { file: '/p/prisma/schema/user.prisma', range, newText: '?' },
    { file: '/p/prisma/schema/post.prisma', range, newText: ' @ignore' },
    { file: '/p/prisma/schema/user.prisma', range: { start: { line: 7, character: 0 }, end: { line: 8, character: 0 } }, newText: '' },
  ];
  const open = new Map([['/p/prisma/schema/user.prisma', { uri: 'file:///p/prisma/schema/user.prisma', text: '', version: 7 }]]);

  it('versions each document where the client applies versioned edits (null for a file that is not open)', () => {
    assert.deepStrictEqual(schemaWorkspaceEdit(edits, open, true), {
      documentChanges: [
        { textDocument: { uri: 'file:///p/prisma/schema/user.prisma', version: 7 }, edits: [{ range, newText: '?' }, { range: edits[2].range, newText: '' }] },
        { textDocument: { uri: 'file:///p/prisma/schema/post.prisma', version: null }, edits: [{ range, newText: ' @ignore' }] },
      ],
    });
  });

  it('uses plain changes for clients without versioned edits', () => {
    assert.deepStrictEqual(schemaWorkspaceEdit(edits, open, false), {
      changes: {
        'file:///p/prisma/schema/user.prisma': [{ range, newText: '?' }, { range: edits[2].range, newText: '' }],
        'file:///p/prisma/schema/post.prisma': [{ range, newText: ' @ignore' }],
      },
    });
  });
});

describe('language server: phased migrations (generate, advance) over stdio', function () {
  this.timeout(120000);
  const cleanup: string[] = [];
  after(() => {
    for (const dir of cleanup) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('generates phase 1 as one versioned workspace edit, refuses a second time, and advances once phase 1 is committed', async () => {
    const root = gitProject();
    cleanup.push(root);
    const schema = path.join(root, 'prisma', 'schema.prisma');
    const uri = uriOf(schema);
    const text = fs.readFileSync(schema, 'utf8');
    const client = await LspClient.start({ workspaceFolders: [root] });
    try {
      await client.open(schema, text, 1);
      assert.deepStrictEqual((await client.diagnostics(uri, (p) => p.version === 1)).map(brief), INITIAL);
      const { action } = await generateAction(client, schema, 1);
      const command = action.command as { command: string; arguments: unknown[] };

      const answer = (await client.executeCommand(command.command, command.arguments)) as CommandAnswer;

      // One workspace edit, versioned against the open document: `phone String` becomes `phone String?`.
      assert.deepStrictEqual(client.editRequests, [
        {
          label: 'Prisma Migration Guard: phased migration',
          edit: { documentChanges: [{ textDocument: { uri, version: 1 }, edits: [{ range: { start: { line: 22, character: 18 }, end: { line: 22, character: 18 } }, newText: '?' }] }] },
        },
      ]);
      const [folder] = answer.migrationFolders ?? [];
      assert.match(folder, /^\d{14}_expand_add_phone_to_user$/);
      const planDir = path.dirname(answer.planFile ?? '');
      assert.match(path.relative(root, planDir), /^prisma[\\/]migration-plans[\\/]\d{14}_add_phone_to_user$/);
      assert.strictEqual(answer.done, true);
      assert.strictEqual(
        answer.message,
        `Phased migration for add-required-column on User.phone: wrote phase 1 of 3 (Add User.phone as optional) to prisma/migrations/${folder}/ and the plan prisma/migration-plans/${path.basename(planDir)}/plan.md. ` +
          `The schema now matches it (make \`User.phone\` optional). Deploy it (prisma migrate deploy); then, before advancing to phase 2: ${BEFORE_PHASE_2}`,
      );
      assert.deepStrictEqual(fs.readdirSync(path.join(root, 'prisma', 'migrations', folder)).sort(), ['down.sql', 'migration.sql']);
      assert.strictEqual(
        fs.readFileSync(path.join(root, 'prisma', 'migrations', folder, 'migration.sql'), 'utf8'),
        `-- Give up rather than queue the table's traffic behind a lock this migration waits for.\nSET LOCAL lock_timeout = '5s';\n\n-- AlterTable\nALTER TABLE "User" ADD COLUMN     "phone" TEXT;\n`,
      );
      assert.ok(fs.existsSync(path.join(planDir, 'plan.md')) && fs.existsSync(path.join(planDir, 'plan.json')));
      // The schema file itself is the editor's to change: untouched on disk.
      assert.strictEqual(fs.readFileSync(schema, 'utf8'), text);
      assert.deepStrictEqual(client.shownDocuments, [uriOf(path.join(planDir, 'plan.md'))]);
      await client.until('the message', () => client.messages.find((m) => m === answer.message));

      // The client applies the edit and tells the server: the error is gone, the new migration is pending.
      const edit = (client.editRequests[0].edit.documentChanges as TextDocumentEdit[])[0];
      const edited = applyEdits(text, edit.edits);
      await client.change(schema, 2, edit.edits.map((e) => ({ range: e.range, text: e.newText })));
      const after = await client.diagnostics(uri, (p) => p.version === 2);
      assert.deepStrictEqual(after.map(brief), [INITIAL[0], ...INITIAL.slice(2)]);
      assert.ok(!after.some((d) => d.code === 'add-required-column' && (d.data as { field?: string }).field === 'phone'));

      // The same change again: nothing waits for a migration any more.
      const again = await client.executeCommand(command.command, command.arguments);
      assert.deepStrictEqual(again, {
        done: false,
        message:
          'No phased migration written: This change is no longer waiting for a migration: either the schema changed since, or a migration in the migrations folder already makes it. If that migration is not deployed yet, delete its folder and generate the phased migration again.',
      });
      assert.strictEqual(client.editRequests.length, 1);

      // Advance waits until phase 1 is committed (the planner's rule for "deployed").
      const early = (await client.executeCommand('migrationGuard.advancePhase', [])) as CommandAnswer;
      assert.strictEqual(early.done, false);
      assert.strictEqual(
        early.message,
        `Not advanced: Phase 1's migration ${folder} is not committed yet. It must be deployed before phase 2, and then: ${BEFORE_PHASE_2} Commit and deploy it, then advance (or pass --force if it is deployed from elsewhere).`,
      );
      assert.deepStrictEqual(migrationFolders(root).length, 4);

      fs.writeFileSync(schema, edited);
      commitExceptSchema(root, 'phase 1');
      const moved = (await client.executeCommand('migrationGuard.advancePhase', [{ file: schema }])) as CommandAnswer;
      const [backfill] = moved.migrationFolders ?? [];
      assert.match(backfill, /^\d{14}_backfill_phone_in_user$/);
      assert.strictEqual(moved.done, true, moved.message);
      assert.strictEqual(
        moved.message,
        `Moved phase 2 of 3 (Backfill User.phone for existing rows) of plan ${path.basename(planDir)} into prisma/migrations/${backfill}/. This phase does not change the schema. ` +
          `Phase 1 asked, before this one: ${BEFORE_PHASE_2} ` +
          'Deploy it (prisma migrate deploy); then, before advancing to phase 3: Nothing to deploy. The backfill must have finished: the next phase checks and stops, changing nothing, while any row still lacks a value.',
      );
      assert.deepStrictEqual(migrationFolders(root), ['20240105120000_init', '20240212093000_add_categories', '20240320150000_add_order_notes', folder, backfill]);
      // Phase 2 changes no schema line: no second edit.
      assert.strictEqual(client.editRequests.length, 1);
      assert.strictEqual(client.shownDocuments[client.shownDocuments.length - 1], uriOf(path.join(root, 'prisma', 'migrations', backfill, 'migration.sql')));

      // The report lists the plan and where it stands.
      const [project] = (await client.report()).projects;
      assert.deepStrictEqual(project.plans, [{ id: path.basename(planDir), title: 'Add the required field User.phone', next: 3, phases: 3, planFile: path.join(planDir, 'plan.md') }]);
      assert.match((await client.report()).markdown, /\| `\d{14}_add_phone_to_user` Add the required field User\.phone \| phase 3 of 3 next — "Advance to next phase" \|/);
    } finally {
      await client.stop();
    }
  });

  it('says which files it wrote when the editor refuses the schema edit, and keeps them', async () => {
    const root = gitProject();
    cleanup.push(root);
    const schema = path.join(root, 'prisma', 'schema.prisma');
    const client = await LspClient.start({ workspaceFolders: [root] });
    client.answerEdit = () => ({ applied: false, failureReason: 'the document changed' });
    try {
      await client.open(schema, fs.readFileSync(schema, 'utf8'), 1);
      const { action } = await generateAction(client, schema, 1);
      const answer = (await client.executeCommand(action.command?.command as string, action.command?.arguments ?? [])) as CommandAnswer;
      const [folder] = answer.migrationFolders ?? [];
      const plan = path.basename(path.dirname(answer.planFile ?? ''));
      assert.strictEqual(answer.done, false);
      assert.strictEqual(
        answer.message,
        `Wrote phase 1 of 3 (Add User.phone as optional) of plan ${plan} (prisma/migrations/${folder}/), but the schema was NOT edited: the editor refused it: the document changed. ` +
          `Nothing was removed. Make the schema match the phase by hand (make \`User.phone\` optional), or delete what was written to start over: prisma/migrations/${folder}/, prisma/migration-plans/${plan}/. ` +
          'Until the schema matches the phase, "Advance to next phase" cannot continue the plan.',
      );
      assert.ok(fs.existsSync(path.join(root, 'prisma', 'migrations', folder, 'migration.sql')));
      assert.ok((answer.written ?? []).includes(path.join(root, 'prisma', 'migrations', folder, 'migration.sql')));
      await client.until('the error message', () => client.messages.find((m) => m === answer.message));
    } finally {
      await client.stop();
    }
  });

  it('answers with the list when several plans are in progress, and advances the one named', async () => {
    const root = gitProject();
    cleanup.push(root);
    const schema = path.join(root, 'prisma', 'schema.prisma');
    const client = await LspClient.start({ workspaceFolders: [root] });
    try {
      // Without an open document the edits go to the file on disk, as the editor would apply them to a closed file.
      client.answerEdit = (params) => {
        for (const change of (params.edit.documentChanges ?? []) as TextDocumentEdit[]) {
          const file = path.join(root, 'prisma', 'schema.prisma');
          fs.writeFileSync(file, applyEdits(fs.readFileSync(file, 'utf8'), change.edits));
        }
        return { applied: true };
      };
      const diagnostics = await client.diagnostics(uriOf(schema));
      for (const rule of ['add-required-column', 'make-column-required']) {
        const diagnostic = diagnostics.find((d) => d.code === rule) as Diagnostic;
        const answer = (await client.executeCommand('migrationGuard.generatePhasedMigration', [diagnostic.data])) as CommandAnswer;
        assert.strictEqual(answer.done, true, `${rule}: ${answer.message}`);
      }
      assert.deepStrictEqual(
        client.editRequests.map((r) => (r.edit.documentChanges as TextDocumentEdit[]).map((c) => c.textDocument.version)),
        [[null], [null]],
      );
      commitExceptSchema(root, 'phase 1 of both');
      const answer = (await client.executeCommand('migrationGuard.advancePhase', [])) as CommandAnswer;
      assert.strictEqual(answer.done, false, answer.message);
      assert.deepStrictEqual(
        answer.choices?.map((c) => c.label.replace(/^\d{14}/, 'ID')),
        ['ID_add_phone_to_user — Add the required field User.phone (phase 2 of 3 next)', 'ID_require_shipping_address_in_order — Make Order.shippingAddress required (phase 2 of 2 next)'],
      );
      const chosen = answer.choices?.find((c) => c.label.includes('shipping')) as { args: { planId?: string } };
      const moved = (await client.executeCommand('migrationGuard.advancePhase', [chosen.args])) as CommandAnswer;
      assert.strictEqual(moved.done, true, moved.message);
      assert.match(moved.message, /^Moved phase 2 of 2 \(.*\) of plan \d{14}_require_shipping_address_in_order into prisma\/migrations\/\d{14}_\w+\/(, prisma\/migrations\/\d{14}_\w+\/)*\./);
    } finally {
      await client.stop();
    }
  });
});
