import { locateProject, type LocateOptions } from '../project/locate';
import type { ReplayStore } from '../replay/persistedCache';
import { loadPostgresParser } from '../replay/statements';
import { ProjectSession } from './session';
import type { TableSizes } from './tableSizes';
import type { ProjectAnalysis } from './types';

export interface AnalyzeOptions extends LocateOptions {
  /** `git`, `all`, or `ref:<git-ref>`; overrides the project configuration. */
  deployed?: string;
  /** Row estimates to weigh findings by (see tableSizes.ts). */
  tableSizes?: TableSizes;
  /** Replayed migrations kept between runs (the next run starts from them). */
  replayStore?: ReplayStore;
}

/** One-shot analysis of a project folder, as the CLI runs it. */
export async function analyzeProjectDir(projectDir: string, options: AnalyzeOptions = {}): Promise<ProjectAnalysis> {
  await loadPostgresParser();
  const project = locateProject(projectDir, options);
  const session = new ProjectSession(project, {
    validate: true,
    ...(options.deployed ? { deployed: options.deployed } : {}),
    ...(options.tableSizes ? { tableSizes: () => options.tableSizes } : {}),
    ...(options.replayStore ? { replayStore: options.replayStore } : {}),
  });
  const analysis = await session.analyze();
  if (!analysis) throw new Error('analysis was cancelled');
  await session.replaySaved();
  return analysis;
}
