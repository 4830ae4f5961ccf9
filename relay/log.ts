// JSON lines on stdout, one event per line, so any log shipper can parse them. Frame bodies are
// ciphertext nobody can read, but they never reach a log either: callers pass only metadata.

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export type LogFields = Readonly<Record<string, string | number | boolean | null | undefined>>;
type LogFn = (event: string, fields?: LogFields) => void;

export interface Logger {
  readonly debug: LogFn;
  readonly info: LogFn;
  readonly warn: LogFn;
  readonly error: LogFn;
}

export function createLogger(level: LogLevel, write: (line: string) => void = (line) => process.stdout.write(line)): Logger {
  const threshold = LOG_LEVELS.indexOf(level);
  const at = (own: Exclude<LogLevel, 'silent'>): LogFn =>
    LOG_LEVELS.indexOf(own) < threshold
      ? () => {}
      : (event, fields) => write(`${JSON.stringify({ time: new Date().toISOString(), level: own, event, ...fields })}\n`);
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

export const errorText = (error: unknown): string => (error instanceof Error ? error.stack ?? error.message : String(error));
