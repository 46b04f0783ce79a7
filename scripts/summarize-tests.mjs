#!/usr/bin/env node
// Reads vitest's JSON report and prints, as the very last line, `N passed, N failed`.
// A test file that crashed before registering tests (failed suite) counts as a failure, so it can never look green.
// If vitest's exit code is passed and non-zero while no failure was counted (unhandled errors, no test files found),
// one failure is counted so the closing line never looks green for a red run.
// Usage: node scripts/summarize-tests.mjs [report.json exit-code]...
import { readFileSync } from 'node:fs';

// Several runs may be summed: node scripts/summarize-tests.mjs a.json CODE_A b.json CODE_B
const args = process.argv.slice(2);
if (args.length === 0) args.push('.test-output/vitest.json', '0');
let passed = 0;
let failed = 0;
for (let i = 0; i < args.length; i += 2) {
  const counts = summarize(args[i], Number(args[i + 1] ?? 0));
  passed += counts.passed;
  failed += counts.failed;
}

function summarize(file, vitestExit) {
  let report;
  try {
    report = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    console.error(`summarize-tests: cannot read ${file}: ${err instanceof Error ? err.message : err}`);
    return { passed: 0, failed: 1 };
  }
  const passed = Number(report.numPassedTests ?? 0);
  let failed = Number(report.numFailedTests ?? 0);
  // Count a failed file/suite as a failure unless its failures are already counted as failed tests.
  const results = Array.isArray(report.testResults) ? report.testResults : [];
  for (const r of results) {
    const assertions = Array.isArray(r.assertionResults) ? r.assertionResults : [];
    const failedInFile = assertions.filter((a) => a.status === 'failed').length;
    if (r.status === 'failed' && failedInFile === 0) {
      failed += 1;
      console.error(`summarize-tests: file failed without a failing test: ${r.name}${r.message ? `\n  ${String(r.message).split('\n')[0]}` : ''}`);
    }
  }
  if (results.length === 0 && Number(report.numFailedTestSuites ?? 0) > 0) failed += Number(report.numFailedTestSuites);
  if (vitestExit !== 0 && failed === 0) {
    failed = 1;
    console.error(`summarize-tests: vitest exited with code ${vitestExit} (unhandled error, no test files, or a crash) - counted as 1 failure`);
  }
  return { passed, failed };
}

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
