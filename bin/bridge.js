#!/usr/bin/env node
// The `bridge` command. Runs the TypeScript sources directly (bin/ts-hooks.mjs), so a checkout needs no
// build step.
import "./register-ts.js";

const { main } = await import("../src/cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
