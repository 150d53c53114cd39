/** Pino-compatible subset, so an engine can pass its own pino logger straight in. */
export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

const rank: Record<LogLevel, number> = { debug: 20, info: 30, warn: 40, error: 50, silent: 100 };

/** One JSON object per line on stdout (stderr for warn/error), like pino without the dependency. */
export function createJsonLogger(
  level: LogLevel = 'info',
  base: Record<string, unknown> = { name: 'acs-emulator' },
): Logger {
  const min = rank[level];
  const write = (lvl: Exclude<LogLevel, 'silent'>, obj: object, msg?: string) => {
    if (rank[lvl] < min) return;
    const line = JSON.stringify({
      level: lvl,
      time: new Date().toISOString(),
      ...base,
      ...obj,
      msg,
    });
    (rank[lvl] >= rank.warn ? process.stderr : process.stdout).write(line + '\n');
  };
  return {
    debug: (o, m) => write('debug', o, m),
    info: (o, m) => write('info', o, m),
    warn: (o, m) => write('warn', o, m),
    error: (o, m) => write('error', o, m),
  };
}
