// The workspace's audit trail of indicator writes: each entry goes to the log channel and to a versioned, bounded
// history in workspaceState (nothing secret in it: no token, no request body). The reports render it.
import * as vscode from 'vscode';
import { appendAudit, auditLogLine, readAuditHistory } from '../../core/indicators/auditTrail';
import type { Logger } from '../../platform/logger';
import type { AuditEntry } from '../../shared/indicatorModel';

export const AUDIT_STATE_KEY = 'ipInvestigator.indicatorAudit';

export class AuditLog implements vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<AuditEntry>();
  readonly onDidRecord = this.emitter.event;
  /** Writes are chained so two quick entries never overwrite each other. */
  private pending: Promise<void> = Promise.resolve();

  constructor(
    private readonly state: vscode.Memento,
    private readonly logger: Logger,
  ) {}

  /** Newest first, re-validated from the stored history. */
  entries(): AuditEntry[] {
    return readAuditHistory(this.state.get<unknown>(AUDIT_STATE_KEY));
  }

  record(entry: AuditEntry): Promise<void> {
    this.logger.info(auditLogLine(entry));
    this.pending = this.pending
      .then(() => this.state.update(AUDIT_STATE_KEY, appendAudit(this.entries(), entry)))
      .then(
        () => this.emitter.fire(entry),
        (e: unknown) => this.logger.error('The indicator audit history could not be saved', e),
      );
    return this.pending;
  }

  dispose(): void {
    this.emitter.dispose();
  }
}
