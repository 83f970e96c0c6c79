// The IP hover: classification at once from the line under the cursor, then prevalence, alerts and machines from the
// cache or the API within a short budget. Cheap (one line, one window), cancellable, and safe (escaped Markdown that
// trusts only the extension's own commands).
import * as vscode from 'vscode';
import { findLineTime } from '../../core/ip/logTime';
import { matchAt } from '../../core/ip/scanner';
import { findByIpTimeProblem, matchFacts } from '../../core/investigation/investigationService';
import type { Configuration } from '../../platform/configuration';
import { toAbortSignal } from '../../platform/cancellation';
import type { Logger } from '../../platform/logger';
import type { SectionName } from '../../shared/investigation';
import type { DefenderSession } from '../session/defenderSession';
import type { IndicatorService } from '../indicators/indicatorService';
import { indicatorForHover } from '../indicators/indicatorHover';
import { HOVER_ENABLED_COMMANDS, buildHoverMarkdown, noLookupReason, type HoverModel, type Localize } from './hoverContent';
import { HoverLookups, type LookupRequest } from './hoverLookups';
import { findHoverTarget, timeSearchText } from './hoverTarget';
import type { Annotation } from '../../shared/annotation';
import { annotationMarkdown } from '../history/annotationText';

/** How long a hover waits for the API before showing what it has. */
export const HOVER_BUDGET_MS = 1200;
/**
 * How long a hover may first wait for the connection to be built (modules, the demo tenant): the budget is for the
 * tenant, not for our own start-up, so the first hover of a window is not cut short by it.
 */
export const CONNECTION_WAIT_MS = 4000;

/** Resolves when `promise` settles, `ms` pass or `signal` fires, whichever is first. */
function settledWithin(promise: Promise<unknown>, ms: number, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    promise.then(done, done);
  });
}
const SECTIONS: readonly SectionName[] = ['stats', 'alerts', 'machines', 'machinesAtTime'];

export const localize: Localize = (message, ...args) => vscode.l10n.t(message, ...args);

export interface HoverDeps {
  logger: Logger;
  config: Configuration;
  session: DefenderSession;
  /** The address's indicator line, within the same budget as the lookup. */
  indicators?: IndicatorService;
  /** The analyst's verdict and note on an address (the investigation history), shown below its facts. */
  annotationOf?: (ip: string) => Annotation | undefined;
}

/** The line's timestamp, read with the configured zone for timestamps that carry none. */
export function lineTimeOf(line: string, zone: string): { time: Date; format: string } | undefined {
  try {
    const t = findLineTime(timeSearchText(line), { assumeZone: zone });
    return t ? { time: t.time, format: t.format } : undefined;
  } catch {
    return undefined;
  }
}

export class IpHoverProvider implements vscode.HoverProvider, vscode.Disposable {
  private lookups: HoverLookups;
  private ttlMs: number;
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(private readonly deps: HoverDeps) {
    this.ttlMs = deps.config.settings.cacheTtlMinutes * 60_000;
    this.lookups = this.createLookups();
    // Who we talk to changed (sign-in, sign-out, settings, cache cleared): what was shown before no longer holds.
    this.subscriptions.push(deps.session.onDidChange(() => this.lookups.clear()));
    this.subscriptions.push(
      deps.config.onDidChange((e) => {
        if (e.current.cacheTtlMinutes === e.previous.cacheTtlMinutes) return;
        this.lookups.clear();
        this.ttlMs = e.current.cacheTtlMinutes * 60_000;
        this.lookups = this.createLookups();
      }),
    );
  }

  private createLookups(): HoverLookups {
    const session = this.deps.session;
    return new HoverLookups(
      async function* (request, signal) {
        const service = await session.getService();
        return yield* service.investigate(
          { address: request.ip, lookback: request.lookback, ...(request.at ? { at: new Date(request.at) } : {}) },
          { signal, sections: SECTIONS },
        );
      },
      { ttlMs: this.ttlMs },
    );
  }

  async provideHover(document: vscode.TextDocument, position: vscode.Position, token: vscode.CancellationToken): Promise<vscode.Hover | undefined> {
    const settings = this.deps.config.settings;
    if (!settings.hoverEnabled) return undefined;
    const line = document.lineAt(position.line).text;
    const target = findHoverTarget(line, position.character, matchAt);
    if (!target) return undefined;

    const facts = matchFacts(target.match);
    const lineTime = lineTimeOf(line, settings.logTimeZone);
    const findAtTime = facts.internal && lineTime !== undefined && findByIpTimeProblem(lineTime.time, Date.now()) === undefined;
    const noLookup = noLookupReason(facts, localize);
    const model: HoverModel = {
      facts,
      text: target.text,
      ...(lineTime ? { lineTime } : {}),
      lookback: settings.lookback,
      findAtTime,
      demo: this.deps.session.isDemo,
      ...(noLookup ? { noLookup } : {}),
    };
    const annotation = annotationMarkdown(this.deps.annotationOf?.(facts.ip), localize);
    if (annotation) model.annotation = annotation;
    if (!noLookup) {
      // The time matters only where findbyip will be asked: other hovers of the address share one lookup.
      const request: LookupRequest = { ip: facts.ip, lookback: settings.lookback, ...(findAtTime && lineTime ? { at: lineTime.time.toISOString() } : {}) };
      const linked = toAbortSignal(token);
      try {
        await settledWithin(this.deps.session.whenReady(), CONNECTION_WAIT_MS, linked.signal);
        const indicator = this.deps.indicators ? indicatorForHover(this.deps.indicators, facts.ip, this.deps.session.isDemo, HOVER_BUDGET_MS, linked.signal) : undefined;
        model.snapshot = await this.lookups.lookup(request, HOVER_BUDGET_MS, linked.signal);
        const known = await indicator;
        if (known) model.indicator = known;
      } finally {
        linked.dispose();
      }
      if (token.isCancellationRequested) return undefined;
    }
    const md = new vscode.MarkdownString(buildHoverMarkdown(model, localize), true);
    md.isTrusted = { enabledCommands: [...HOVER_ENABLED_COMMANDS] };
    md.supportHtml = false;
    const range = new vscode.Range(position.line, target.start, position.line, target.end);
    return new vscode.Hover(md, range);
  }

  dispose(): void {
    this.lookups.clear();
    for (const s of this.subscriptions) s.dispose();
  }
}

/** Registers the hover for the configured languages, and again whenever the list changes. */
export function registerHover(context: vscode.ExtensionContext, deps: HoverDeps): IpHoverProvider {
  const provider = new IpHoverProvider(deps);
  let registration: vscode.Disposable | undefined;
  const register = (languages: readonly string[]) => {
    registration?.dispose();
    registration = vscode.languages.registerHoverProvider(
      languages.map((language) => ({ language })),
      provider,
    );
  };
  register(deps.config.settings.hoverLanguages);
  // Build the connection as soon as a file we hover is on screen (at once for the files a window reopens), after
  // activation has returned: the first hover then finds the modules loaded and, in demo mode, the tenant running.
  let prepared = false;
  const prepareWhenHoverable = () => {
    if (prepared || !deps.config.settings.hoverEnabled) return;
    const languages = deps.config.settings.hoverLanguages;
    if (!vscode.window.visibleTextEditors.some((e) => languages.includes(e.document.languageId))) return;
    prepared = true;
    setTimeout(() => void deps.session.prepare(), 0);
  };
  prepareWhenHoverable();
  context.subscriptions.push(
    vscode.window.onDidChangeVisibleTextEditors(prepareWhenHoverable),
    deps.session.onDidChange((reason) => {
      // Another connection (settings, sign-in): prepare it too when a hoverable file is shown.
      if (reason === 'settings' || reason === 'signIn' || reason === 'signOut') {
        prepared = false;
        prepareWhenHoverable();
      }
    }),
    provider,
    deps.config.onDidChange((e) => {
      if (e.current.hoverLanguages.join('\n') !== e.previous.hoverLanguages.join('\n')) register(e.current.hoverLanguages);
    }),
    {
      dispose: () => {
        registration?.dispose();
      },
    },
  );
  return provider;
}
