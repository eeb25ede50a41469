import type { SourceRef } from './source';

/**
 * Something the analysis skipped, could not read, or wants the user to know
 * that is not a rule finding (an unknown SQL statement, a half-typed model).
 */
export interface Note {
  level: 'info' | 'warning' | 'error';
  message: string;
  where?: SourceRef;
}

/** The text of a thrown value, for a note or a message. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
