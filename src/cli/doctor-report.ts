/** One finding of `grey-observability doctor`. */
export interface DoctorCheck {
  /** `ok` passed, `warn` worth a look (exit code unchanged), `fail` will go wrong at run time (exit 1). */
  status: 'ok' | 'warn' | 'fail' | 'skip';
  /** What was checked, e.g. `metrics port 9090 on 0.0.0.0`. */
  title: string;
  /** What was found, in words. */
  detail: string;
  /** How to fix it (warn and fail). */
  fix?: string;
}

const MARK = { ok: 'ok  ', warn: 'WARN', fail: 'FAIL', skip: 'skip' } as const;

/** The checks as text, one block per check: `ok   title: detail`, then `fix: ...` when there is one. */
export function renderChecks(checks: readonly DoctorCheck[]): string {
  return checks
    .map((check) => {
      const head = `${MARK[check.status]} ${check.title}: ${check.detail}\n`;
      return check.fix === undefined ? head : `${head}       fix: ${check.fix}\n`;
    })
    .join('');
}
