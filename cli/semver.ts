/**
 * The semver functions releasectl uses, each from its own module: `require("semver")` loads the
 * whole package (every function, range and class), which costs a command's start-up more than
 * all of its own version logic. Use `import * as semver from "../semver"` as one would the package.
 */
import compare = require("semver/functions/compare");
import compareBuild = require("semver/functions/compare-build");
import gt = require("semver/functions/gt");
import inc = require("semver/functions/inc");
import lt = require("semver/functions/lt");
import major = require("semver/functions/major");
import minor = require("semver/functions/minor");
import patch = require("semver/functions/patch");
import prerelease = require("semver/functions/prerelease");
import valid = require("semver/functions/valid");

export { compare, compareBuild, gt, inc, lt, major, minor, patch, prerelease, valid };
