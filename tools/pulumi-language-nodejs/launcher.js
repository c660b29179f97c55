// Installed beside pulumi-language-nodejs (as pulumi-language-nodejs-launcher.js) by scripts/pulumi-cli.sh,
// and run by it as `node [nodeargs] <launcher> <@pulumi/pulumi/cmd/run> <flags> <program>`.
// It takes itself out of process.argv, so that cmd/run sees exactly what `node <cmd/run> <flags>
// <program>` would give it, and runs cmd/run.
//
// Why it exists: @pulumi/pulumi reports a failing program with util.inspect(err, { colors: true }).
// On Node releases without the fix for nodejs/node#64011 (20.20.2, for one), util.inspect with colors
// never ends on a stack frame whose path has a node_modules segment with no separator after the package
// name: it appends the same text until V8 throws "Invalid string length" (16-20 s on 2 cores; the SDK
// tries twice, so a failing program took 36-42 s to report). @pulumi/pulumi's own source maps produce
// such frames: resource.js.map names "../resource.ts", so a frame in node_modules/@pulumi/pulumi/resource.js
// is shown as node_modules/@pulumi/resource.ts. For a value that would loop, the guard below formats
// without colors, which is what the SDK falls back to after the RangeError anyway: same text, at once.
"use strict";
const util = require("util");

const inspect = util.inspect;
// A frame line that Node's markNodeModules cannot end on: "node_modules/<name>" or
// "node_modules/@<scope>/<name>" with no path separator after <name> on that line.
const unterminatedNodeModulesFrame = /[\\/]node_modules[\\/](?:@[^\\/\n]*[\\/])?[^\\/\n]*$/m;

function loopsWithColors(value, seen) {
  if (value === null || typeof value !== "object" || seen.has(value)) return false;
  seen.add(value);
  if (typeof value.stack === "string" && unterminatedNodeModulesFrame.test(value.stack)) return true;
  // util.inspect formats an error's cause and an AggregateError's errors with their stacks too.
  if (loopsWithColors(value.cause, seen)) return true;
  return Array.isArray(value.errors) && value.errors.some((e) => loopsWithColors(e, seen));
}

function guardedInspect(value, options) {
  // util.inspect(value, options) or the legacy util.inspect(value, showHidden, depth, colors).
  const colors = options !== null && typeof options === "object" ? options.colors : arguments[3];
  if (colors && loopsWithColors(value, new Set())) {
    return typeof options === "object"
      ? inspect(value, { ...options, colors: false })
      : inspect(value, options, arguments[2], false);
  }
  return Reflect.apply(inspect, this, arguments);
}
// util.inspect.custom, .defaultOptions, .colors, .styles: the same objects and accessors as Node's.
Object.defineProperties(guardedInspect, Object.getOwnPropertyDescriptors(inspect));
util.inspect = guardedInspect;

process.argv.splice(1, 1);
require(process.argv[1]);
