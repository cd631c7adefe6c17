import { parseArgs } from 'node:util';
import { formatWidgetLoad, measureWidgetLoad } from './widget-load.ts';

// `pnpm bench`: measurements with their baselines taken in the same run (never timed test
// assertions: these machines are shared and noisy). `--loads N` sets the repetitions.

const { values } = parseArgs({ options: { loads: { type: 'string', default: '11' } } });
const loads = Number(values.loads);
if (!Number.isInteger(loads) || loads < 1) {
  process.stderr.write('--loads must be a whole number of at least 1\n');
  process.exit(2);
}
process.stdout.write(`${formatWidgetLoad(await measureWidgetLoad(loads), loads)}\n`);
