// Types of scripts/release.mjs, for its test.
/** The command line of `npm run release`. */
export interface ReleaseOptions {
  dryRun: boolean;
  skipTests: boolean;
}
/** One step: its label, the command and its arguments. */
export type ReleaseStep = [label: string, command: string, args: string[]];
export function parseArgs(argv: string[]): ReleaseOptions;
export function pendingChangesets(dir?: string): string[];
export function releaseSteps(options: ReleaseOptions): ReleaseStep[];
