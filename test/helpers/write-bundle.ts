// A workflow bundle written in a process of its own (webpack is single-threaded): the global setup builds the
// traced bundle here while it builds the plain one itself. Usage: node bin/run-ts.js test/helpers/write-bundle.ts <file> [traced]
import { writeBundle } from '../../temporal/bundle.js';

await writeBundle(process.argv[2]!, { traced: process.argv[3] === 'traced' });
