#!/usr/bin/env node
/**
 * The GitHub Action's sticky pull-request comment: posts the migration request
 * (`check --format markdown`) on the pull request once, and edits that same
 * comment on every later push, found again by a hidden marker.
 *
 * Usage: node prComment.js <markdown-file> [--key <project-dir>]
 * Environment (set by GitHub Actions): GITHUB_TOKEN, GITHUB_REPOSITORY,
 * GITHUB_EVENT_PATH (the pull request's number), GITHUB_API_URL (api.github.com,
 * or a GitHub Enterprise server).
 *
 * It never fails the job: annotations already carry the findings, and a pull
 * request from a fork gets no token that can write (or none at all), so a
 * missing permission is a log line, not an error.
 */
import * as fs from 'fs';

/** GitHub rejects comment bodies above 65,536 characters. */
const MAX_BODY = 65536;

export interface CommentTarget {
  apiUrl: string;
  token: string;
  /** `owner/name`. */
  repository: string;
  pullRequest: number;
}

export type CommentOutcome = { action: 'created' | 'updated'; id: number; url?: string } | { action: 'skipped'; reason: string };

/** The hidden first line that finds the comment again; one per project folder, so a monorepo's projects keep a comment each. */
export function commentMarker(key: string): string {
  return `<!-- prisma-migration-guard:${key.replace(/--/g, '-')} -->`;
}

export function commentBody(markdown: string, key: string): string {
  const marker = commentMarker(key);
  const body = `${marker}\n${markdown.trimEnd()}\n`;
  if (body.length <= MAX_BODY) return body;
  const note = '\n\n… cut here: GitHub limits a comment to 65,536 characters. The job log holds the complete report (`--format markdown`).\n';
  return body.slice(0, MAX_BODY - note.length) + note;
}

interface GithubComment {
  id: number;
  body?: string;
  html_url?: string;
}

class GithubApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function request<T>(target: CommentTarget, method: string, route: string, body?: unknown): Promise<T> {
  const response = await fetch(`${target.apiUrl.replace(/\/+$/, '')}${route}`, {
    method,
    headers: {
      accept: 'application/vnd.github+json',
      authorization: `Bearer ${target.token}`,
      'x-github-api-version': '2022-11-28',
      'user-agent': 'prisma-migration-guard',
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!response.ok) {
    const text = await response.text().catch(() => '');
    let message = text;
    try {
      message = (JSON.parse(text) as { message?: string }).message ?? text;
    } catch {
      // not JSON: keep the text
    }
    throw new GithubApiError(response.status, `${method} ${route}: ${response.status} ${message}`.trim());
  }
  return (await response.json()) as T;
}

/** Every comment of the pull request, page by page (a busy pull request has more than one page). */
async function listComments(target: CommentTarget): Promise<GithubComment[]> {
  const all: GithubComment[] = [];
  for (let page = 1; ; page++) {
    const batch = await request<GithubComment[]>(target, 'GET', `/repos/${target.repository}/issues/${target.pullRequest}/comments?per_page=100&page=${page}`);
    all.push(...batch);
    if (batch.length < 100) return all;
  }
}

/** Creates the comment, or updates the one that carries the marker. */
export async function upsertComment(target: CommentTarget, markdown: string, key: string): Promise<CommentOutcome> {
  const body = commentBody(markdown, key);
  const marker = commentMarker(key);
  try {
    const existing = (await listComments(target)).find((comment) => comment.body?.startsWith(marker));
    if (existing) {
      const updated = await request<GithubComment>(target, 'PATCH', `/repos/${target.repository}/issues/comments/${existing.id}`, { body });
      return { action: 'updated', id: updated.id, ...(updated.html_url ? { url: updated.html_url } : {}) };
    }
    const created = await request<GithubComment>(target, 'POST', `/repos/${target.repository}/issues/${target.pullRequest}/comments`, { body });
    return { action: 'created', id: created.id, ...(created.html_url ? { url: created.html_url } : {}) };
  } catch (error) {
    if (error instanceof GithubApiError && (error.status === 401 || error.status === 403 || error.status === 404)) {
      return {
        action: 'skipped',
        reason: `the token may not write to this pull request (${error.message}); a pull request from a fork gets a read-only token. The annotations above still show every finding.`,
      };
    }
    throw error;
  }
}

/** Reads what GitHub Actions sets; a reason instead when the comment cannot be made. */
export function targetFromEnvironment(env: NodeJS.ProcessEnv): CommentTarget | { skip: string } {
  const token = env.GITHUB_TOKEN ?? '';
  if (!token) {
    return { skip: 'no GITHUB_TOKEN: a pull request from a fork runs without secrets, so no comment is written. The annotations above still show every finding.' };
  }
  const repository = env.GITHUB_REPOSITORY ?? '';
  if (!/^[^/\s]+\/[^/\s]+$/.test(repository)) return { skip: `GITHUB_REPOSITORY is not owner/name (${JSON.stringify(repository)}).` };
  let pullRequest: number | undefined;
  try {
    const event = JSON.parse(fs.readFileSync(env.GITHUB_EVENT_PATH ?? '', 'utf8')) as { pull_request?: { number?: unknown }; number?: unknown };
    const number = event.pull_request?.number ?? event.number;
    if (typeof number === 'number' && Number.isInteger(number)) pullRequest = number;
  } catch {
    // no event file: not a pull_request run
  }
  if (pullRequest === undefined) return { skip: 'this run is not for a pull request (no pull_request in the event), so there is nothing to comment on.' };
  return { apiUrl: env.GITHUB_API_URL || 'https://api.github.com', token, repository, pullRequest };
}

export async function main(argv: string[], env: NodeJS.ProcessEnv, log: (line: string) => void): Promise<number> {
  const keyAt = argv.indexOf('--key');
  const key = keyAt >= 0 && argv[keyAt + 1] ? argv[keyAt + 1] : '.';
  const file = argv.find((arg, i) => !arg.startsWith('--') && argv[i - 1] !== '--key');
  if (!file) {
    log('usage: prComment <markdown-file> [--key <project-dir>]');
    return 2;
  }
  let markdown: string;
  try {
    markdown = fs.readFileSync(file, 'utf8');
  } catch (error) {
    log(`prisma-migration-guard: pull-request comment skipped: cannot read ${file}: ${(error as Error).message}`);
    return 0;
  }
  const target = targetFromEnvironment(env);
  if ('skip' in target) {
    log(`prisma-migration-guard: pull-request comment skipped: ${target.skip}`);
    return 0;
  }
  try {
    const outcome = await upsertComment(target, markdown, key);
    if (outcome.action === 'skipped') log(`prisma-migration-guard: pull-request comment skipped: ${outcome.reason}`);
    else log(`prisma-migration-guard: pull-request comment ${outcome.action} (#${target.pullRequest}, comment ${outcome.id}${outcome.url ? `, ${outcome.url}` : ''})`);
  } catch (error) {
    log(`prisma-migration-guard: pull-request comment not written: ${(error as Error).message}`);
  }
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2), process.env, (line) => process.stdout.write(`${line}\n`)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stdout.write(`prisma-migration-guard: pull-request comment not written: ${String(error)}\n`);
    },
  );
}
