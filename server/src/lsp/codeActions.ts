import {
  type CodeAction,
  CodeActionKind,
  type Diagnostic,
  type TextEdit,
  type WorkspaceEdit,
} from 'vscode-languageserver';
import { scanFile } from '../scan/scanner';
import type { ScannedFile, ScannedModel } from '../scan/types';
import { diagnosticData } from './diagnostics';
import { Commands, type GuardDiagnosticData } from './protocol';
import { addDefaultEdit, ignoreCommentEdit, makeOptionalEdit, mapColumnEdit, mapTableEdit } from './schemaEdits';

export interface CodeActionInput {
  uri: string;
  /** Absolute path of the document. */
  file: string;
  /** The document's text now. */
  text: string;
  /** The document's version now (null when the client did not open it). */
  version: number | null;
  /** `context.diagnostics` of the request. */
  diagnostics: Diagnostic[];
  /** `context.only` of the request. */
  only?: string[];
  /** The client applies versioned `documentChanges` (else plain `changes`, which carry no version). */
  documentChanges: boolean;
  /** The file as it is on disk now, read on demand: diagnostics computed from the disk (before the editor's text arrived) apply while the open text is the same. */
  diskText?: () => string | undefined;
}

export const IGNORE_REASON_PLACEHOLDER = 'TODO: say why this is safe here';

/**
 * The code actions for the diagnostics of one request. Everything comes from
 * the diagnostics' `data` and the document's current text; a diagnostic
 * computed for another version of the document gets no actions, because its
 * ranges and names may no longer match what the user sees. One computed from
 * the file on disk (right after opening, before the open text was analysed)
 * gets them while the open text is still what is on disk.
 */
export function computeCodeActions(input: CodeActionInput): CodeAction[] {
  if (input.only && !input.only.some((kind) => CodeActionKind.QuickFix === kind || CodeActionKind.QuickFix.startsWith(`${kind}.`) || kind === '')) {
    return [];
  }
  const preferred: CodeAction[] = [];
  const others: CodeAction[] = [];
  let scanned: ScannedFile | undefined;
  const scan = (): ScannedFile => (scanned ??= scanFile(input.file, input.text));
  const seen = new Set<string>();
  let disk: boolean | undefined;
  const sameAsDisk = (): boolean => (disk ??= input.diskText?.() === input.text);
  for (const diagnostic of input.diagnostics) {
    const data = diagnosticData(diagnostic);
    if (!data || data.file !== input.file) continue;
    if (data.version !== input.version && !(data.version === null && sameAsDisk())) continue;
    const key = `${data.ruleId}|${diagnostic.range.start.line}:${diagnostic.range.start.character}|${data.model ?? ''}.${data.field ?? ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    if (data.target === 'schema') {
      const fix = quickFix(data, diagnostic, input, scan());
      if (fix) preferred.push(fix);
      others.push(phasedMigrationAction(data, diagnostic));
    }
    const ignore = ignoreAction(data, diagnostic, input, data.target === 'schema' ? scan() : undefined);
    if (ignore) others.push(ignore);
    others.push(documentationAction(data, diagnostic));
  }
  return [...preferred, ...others];
}

function edit(input: CodeActionInput, edits: TextEdit[]): WorkspaceEdit {
  if (input.documentChanges) return { documentChanges: [{ textDocument: { uri: input.uri, version: input.version }, edits }] };
  return { changes: { [input.uri]: edits } };
}

function findModel(file: ScannedFile, name: string | undefined): ScannedModel | undefined {
  return name === undefined ? undefined : file.models.find((m) => m.name === name);
}

function quickFix(data: GuardDiagnosticData, diagnostic: Diagnostic, input: CodeActionInput, file: ScannedFile): CodeAction | undefined {
  const hint = data.fix;
  if (!hint || hint.kind === 'none') return undefined;
  const model = findModel(file, hint.model);
  if (!model) return undefined;
  let title: string;
  let textEdit: TextEdit | undefined;
  switch (hint.kind) {
    case 'makeOptional': {
      const field = model.fields.find((f) => f.name === hint.field);
      title = `Make \`${hint.model}.${hint.field}\` optional`;
      textEdit = field && makeOptionalEdit(field);
      break;
    }
    case 'addDatabaseDefault': {
      const field = model.fields.find((f) => f.name === hint.field);
      title = `Add a database default \`@default(${hint.suggestion})\` to \`${hint.model}.${hint.field}\``;
      textEdit = field && addDefaultEdit(field, hint.suggestion);
      break;
    }
    case 'keepColumnName': {
      const field = model.fields.find((f) => f.name === hint.field);
      title = `Keep column \`${hint.column}\`: add \`@map("${hint.column}")\` to \`${hint.model}.${hint.field}\``;
      textEdit = field && mapColumnEdit(field, hint.column);
      break;
    }
    case 'keepTableName':
      title = `Keep table \`${hint.table}\`: add \`@@map("${hint.table}")\` to \`${hint.model}\``;
      textEdit = mapTableEdit(model, input.text, hint.table);
      break;
  }
  if (!textEdit) return undefined;
  return { title, kind: CodeActionKind.QuickFix, diagnostics: [diagnostic], isPreferred: true, edit: edit(input, [textEdit]) };
}

function phasedMigrationAction(data: GuardDiagnosticData, diagnostic: Diagnostic): CodeAction {
  const title = 'Generate phased migration';
  return {
    title: `${title} (${data.ruleId})`,
    kind: CodeActionKind.QuickFix,
    diagnostics: [diagnostic],
    command: { title, command: Commands.generatePhasedMigration, arguments: [data] },
  };
}

/**
 * The line the suppression goes above: the field or model the finding is
 * about when the document still has it (the scanner attaches a suppression to
 * the declaration directly below), else the diagnostic's own line.
 */
function suppressionLine(data: GuardDiagnosticData, diagnostic: Diagnostic, file: ScannedFile | undefined): number {
  if (file) {
    const model = findModel(file, data.model);
    const field = model && data.field !== undefined ? model.fields.find((f) => f.name === data.field) : undefined;
    if (field) return field.range.start.line;
    if (model) {
      const inside = model.fields.find((f) => f.range.start.line === diagnostic.range.start.line);
      return inside ? inside.range.start.line : model.blockRange.start.line;
    }
  }
  return diagnostic.range.start.line;
}

function ignoreAction(data: GuardDiagnosticData, diagnostic: Diagnostic, input: CodeActionInput, file: ScannedFile | undefined): CodeAction | undefined {
  const line = suppressionLine(data, diagnostic, file);
  const marker = data.target === 'sql' ? '--' : '//';
  const comment = `${marker} migration-guard-ignore ${data.ruleId} -- ${IGNORE_REASON_PLACEHOLDER}`;
  return {
    title: `Ignore ${data.ruleId} here`,
    kind: CodeActionKind.QuickFix,
    diagnostics: [diagnostic],
    edit: edit(input, [ignoreCommentEdit(input.text, line, comment)]),
  };
}

function documentationAction(data: GuardDiagnosticData, diagnostic: Diagnostic): CodeAction {
  const title = `Show documentation for ${data.ruleId}`;
  return {
    title,
    kind: CodeActionKind.QuickFix,
    diagnostics: [diagnostic],
    command: { title, command: Commands.showDocumentation, arguments: [data.docsUri, data.ruleId] },
  };
}
