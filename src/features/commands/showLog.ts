// "Defender IP: Show Log" reveals the extension's output channel.
import type { Logger } from '../../platform/logger';

export function showLog(logger: Logger): void {
  logger.show();
}
