/**
 * `check --format sarif`: one SARIF 2.1.0 log for code-scanning uploads.
 * Positions become 1-based SARIF regions in UTF-16 code units (the unit of
 * LSP positions, declared by `columnKind`); paths are relative to the project
 * folder under the base id %SRCROOT%.
 */
import * as fs from 'fs';
import * as path from 'path';
import type * as Sarif from 'sarif';
import type { Note } from '../core/notes';
import type { Range } from '../core/source';
import type { ProjectAnalysis } from '../analysis/types';
import { originSentence, type FindingOrigin } from '../analysis/origin';
import { docsUri, packageRoot, pathToUri } from '../lsp/paths';
import { allRules } from '../rules';
import type { Finding, Rule, Severity } from '../rules/types';
import { byPlace } from './formatText';

export const SRCROOT = '%SRCROOT%';

export interface SarifOptions {
  /** Where each finding was introduced (see analysis/origin). */
  origins?: ReadonlyMap<Finding, FindingOrigin>;
  /** Rule catalogue to describe (default: every registered rule). */
  rules?: readonly Rule[];
}

export function formatSarif(analysis: ProjectAnalysis, options: SarifOptions = {}): string {
  return JSON.stringify(toSarif(analysis, options), null, 2) + '\n';
}

export function toSarif(analysis: ProjectAnalysis, options: SarifOptions = {}): Sarif.Log {
  const root = analysis.project.root;
  const rules = [...(options.rules ?? allRules)];
  // Rules seen in findings but not in the catalogue (a plugin, a renamed id) still get a descriptor, so ruleIndex is always valid.
  for (const finding of analysis.findings) {
    if (!rules.some((r) => r.id === finding.ruleId)) rules.push(placeholderRule(finding.ruleId));
  }
  const index = new Map(rules.map((rule, i) => [rule.id, i]));
  const version = toolVersion();
  const relative = (file: string): string => path.relative(root, file) || file;

  const results: Sarif.Result[] = [...analysis.findings].sort(byPlace).map((finding) => {
    const origin = options.origins?.get(finding);
    const related: Sarif.Location[] = finding.related.map((r, i) => ({ id: i + 1, ...location(root, r.file, r.range), message: { text: r.message } }));
    if (origin?.kind === 'migration' && origin.file !== finding.file) {
      const line = { start: { line: origin.line, character: 0 }, end: { line: origin.line, character: 0 } };
      related.push({ id: related.length + 1, ...location(root, origin.file, line), message: { text: `carried by migration ${origin.migration}` } });
    }
    const text = [finding.message, `Help: ${finding.help}`];
    if (origin && !(origin.kind === 'migration' && origin.file === finding.file)) text.push(originSentence(origin, relative));
    return {
      ruleId: finding.ruleId,
      ruleIndex: index.get(finding.ruleId) ?? 0,
      level: level(finding.severity),
      message: { text: text.join('\n') },
      locations: [location(root, finding.file, finding.range)],
      ...(related.length > 0 ? { relatedLocations: related } : {}),
    };
  });

  const notifications: Sarif.Notification[] = analysis.notes.map((note) => notification(root, note));
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'prisma-migration-guard',
            fullName: 'Prisma Migration Guard',
            ...(version ? { version, semanticVersion: version } : {}),
            rules: rules.map(descriptor),
          },
        },
        originalUriBaseIds: { [SRCROOT]: { uri: directoryUri(root), description: { text: 'The Prisma project folder that was checked.' } } },
        columnKind: 'utf16CodeUnits',
        invocations: [{ executionSuccessful: true, ...(notifications.length > 0 ? { toolExecutionNotifications: notifications } : {}) }],
        results,
      },
    ],
  };
}

function descriptor(rule: Rule): Sarif.ReportingDescriptor {
  const docs = `docs/rules/${rule.id}.md`;
  return {
    id: rule.id,
    name: pascalCase(rule.id),
    shortDescription: { text: rule.title },
    fullDescription: { text: rule.why },
    help: { text: rule.safePath, markdown: `**Safe path:** ${rule.safePath}\n\nSee \`${docs}\` in prisma-migration-guard.` },
    // SARIF wants an absolute URI here; the documentation ships inside the package, as in the editor's links.
    helpUri: docsUri(docs),
    defaultConfiguration: { level: level(rule.defaultSeverity) },
    properties: { tags: ['prisma', 'migration', rule.target === 'sql' ? 'sql' : 'schema'] },
  };
}

function placeholderRule(id: string): Rule {
  return { id, title: id, why: id, safePath: `See docs/rules/${id}.md.`, defaultSeverity: 'warning', providers: [], target: 'schema', detect: () => [] };
}

export function level(severity: Severity | Note['level']): Sarif.Result.level {
  return severity === 'error' ? 'error' : severity === 'warning' ? 'warning' : 'note';
}

/** A physical location: relative to %SRCROOT% inside the project, an absolute file URI outside it. */
function location(root: string, file: string, range: Range): Sarif.Location {
  const relative = path.relative(root, file);
  const inside = relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
  const artifactLocation: Sarif.ArtifactLocation = inside
    ? { uri: relative.split(path.sep).map(encodeURIComponent).join('/'), uriBaseId: SRCROOT }
    : { uri: pathToUri(file) };
  return { physicalLocation: { artifactLocation, region: region(range) } };
}

/** LSP ranges are 0-based with an exclusive end; SARIF's are 1-based, end column also exclusive. */
export function region(range: Range): Sarif.Region {
  return {
    startLine: range.start.line + 1,
    startColumn: range.start.character + 1,
    endLine: range.end.line + 1,
    endColumn: range.end.character + 1,
  };
}

function notification(root: string, note: Note): Sarif.Notification {
  return {
    level: level(note.level),
    message: { text: note.message },
    ...(note.where ? { locations: [location(root, note.where.file, note.where.range)] } : {}),
  };
}

function directoryUri(dir: string): string {
  const uri = pathToUri(dir);
  return uri.endsWith('/') ? uri : `${uri}/`;
}

function pascalCase(id: string): string {
  return id
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

let cachedVersion: string | undefined | null = null;

function toolVersion(): string | undefined {
  if (cachedVersion === null) {
    try {
      cachedVersion = (JSON.parse(fs.readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as { version?: string }).version;
    } catch {
      cachedVersion = undefined;
    }
  }
  return cachedVersion;
}
