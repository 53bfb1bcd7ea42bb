"use strict";
// Mocha's spec output for people, plus the real counts written to $TEST_COUNTS_FILE for
// .ci/run, which prints the closing "N passed, N failed, N skipped" line from them.
const fs = require("fs");
const Mocha = require("mocha");

class CountingReporter extends Mocha.reporters.Spec {
    constructor(runner, options) {
        super(runner, options);
        const counts = { passed: 0, failed: 0, skipped: 0 };
        runner.on(Mocha.Runner.constants.EVENT_TEST_PASS, () => counts.passed++);
        runner.on(Mocha.Runner.constants.EVENT_TEST_FAIL, () => counts.failed++);
        runner.on(Mocha.Runner.constants.EVENT_TEST_PENDING, () => counts.skipped++);
        runner.once(Mocha.Runner.constants.EVENT_RUN_END, () => {
            const file = process.env.TEST_COUNTS_FILE;
            if (file) fs.writeFileSync(file, JSON.stringify(counts));
        });
    }
}

module.exports = CountingReporter;
