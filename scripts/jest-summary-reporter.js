// Writes test-reports/summary.json ({ passed, failed, total }) after every jest run,
// so that .ci/run can print one plain `tests: N passed, N failed` line.
const fs = require('fs');
const path = require('path');

class SummaryReporter {
  constructor(globalConfig) {
    this.rootDir = globalConfig.rootDir;
  }

  onRunComplete(_contexts, results) {
    const dir = path.join(this.rootDir, 'test-reports');
    fs.mkdirSync(dir, { recursive: true });
    const summary = {
      passed: results.numPassedTests,
      failed: results.numFailedTests + results.numRuntimeErrorTestSuites,
      total: results.numTotalTests,
      suites: results.numTotalTestSuites,
    };
    fs.writeFileSync(path.join(dir, 'summary.json'), JSON.stringify(summary) + '\n');
  }
}

module.exports = SummaryReporter;
