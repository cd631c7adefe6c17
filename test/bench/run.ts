import { parseArgs } from 'node:util';
import { formatHttpThroughput, measureHttpThroughput } from './http-throughput.ts';
import { formatScale, measureScale } from './scale.ts';
import { formatTargets, performanceTargets, type RunResults } from './targets.ts';
import { formatTokenVerification, measureTokenVerification } from './token-verification.ts';
import { formatWidgetLoad, measureWidgetLoad } from './widget-load.ts';

// `pnpm bench`: measurements with their baselines taken in the same run (never timed test
// assertions: these machines are shared and noisy). `--only http|scale|tokens|widget` runs one part;
// `--loads N` sets the widget's repetitions, `--seconds N` each HTTP measurement's length. The http
// and scale parts run on SQLite, then on PostgreSQL at TEST_DATABASE_URL when it answers.
// `--compare DIR` measures the server of another checkout too (http part, SQLite, 2025 era).
// It ends with the performance targets, each met or missed in this run (targets.ts).

const { values } = parseArgs({ options: { loads: { type: 'string', default: '11' }, seconds: { type: 'string', default: '8' }, only: { type: 'string' }, compare: { type: 'string' } } });
const loads = Number(values.loads);
const seconds = Number(values.seconds);
if (!Number.isInteger(loads) || loads < 1 || !Number.isInteger(seconds) || seconds < 1) {
  process.stderr.write('--loads and --seconds must be whole numbers of at least 1\n');
  process.exit(2);
}
const parts = values.only ? [values.only] : ['http', 'scale', 'tokens', 'widget'];
// Each part's results, for the targets table at the end.
const results: RunResults = {};
for (const part of parts) {
  if (part === 'http') {
    const options = { connections: 10, seconds, warmupSeconds: 2, freshWarmupSeconds: 8 };
    results.http = await measureHttpThroughput(options, values.compare);
    process.stdout.write(`${formatHttpThroughput(results.http, options)}\n\n`);
  } else if (part === 'scale') {
    results.scale = await measureScale();
    process.stdout.write(`${formatScale(results.scale)}\n\n`);
  } else if (part === 'tokens') {
    process.stdout.write(`${formatTokenVerification(await measureTokenVerification())}\n\n`);
  } else if (part === 'widget') {
    results.widget = await measureWidgetLoad(loads);
    process.stdout.write(`${formatWidgetLoad(results.widget, loads)}\n\n`);
  } else {
    process.stderr.write(`--only must be http, scale, tokens or widget (got ${JSON.stringify(part)})\n`);
    process.exit(2);
  }
}
process.stdout.write(`${formatTargets(performanceTargets(results))}\n`);
