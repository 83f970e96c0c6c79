// The triage settings (`ipInvestigator.triage.*`): look-back, the workspace globs and the file cap, read with
// validation (an invalid value falls back to the default). None of them decides where tokens go.
import * as vscode from 'vscode';
import { LOOKBACKS, type Lookback } from '../../shared/investigation';

export const DEFAULT_INCLUDE = '**/*.{log,txt,csv,tsv,json,jsonl,ndjson,xml,evtx.xml,ps1,psm1,sh,bash,bat,cmd,py,md,conf,cfg,ini,yaml,yml,eml}';
export const DEFAULT_EXCLUDE = '**/{node_modules,.git,.hg,.svn,dist,out,bin,obj,.cache,.vscode-test}/**';
export const DEFAULT_MAX_FILES = 500;
export const MAX_FILES_LIMIT = 10_000;

export interface TriageSettings {
  lookback: Lookback;
  maxFiles: number;
  include: string;
  exclude: string;
}

/** Pure: values as read (unknown) to settings, each checked on its own. */
export function parseTriageSettings(get: (key: string) => unknown): TriageSettings {
  const lookback = get('lookback');
  const maxFiles = get('maxFiles');
  const include = get('include');
  const exclude = get('exclude');
  return {
    lookback: typeof lookback === 'string' && (LOOKBACKS as readonly string[]).includes(lookback) ? (lookback as Lookback) : '7d',
    maxFiles: typeof maxFiles === 'number' && Number.isInteger(maxFiles) && maxFiles >= 1 && maxFiles <= MAX_FILES_LIMIT ? maxFiles : DEFAULT_MAX_FILES,
    include: typeof include === 'string' && include.trim() !== '' && include.length <= 1000 ? include.trim() : DEFAULT_INCLUDE,
    exclude: typeof exclude === 'string' && exclude.length <= 1000 ? exclude.trim() : DEFAULT_EXCLUDE,
  };
}

export function readTriageSettings(): TriageSettings {
  const config = vscode.workspace.getConfiguration('ipInvestigator.triage');
  return parseTriageSettings((key) => config.get(key));
}
