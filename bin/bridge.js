#!/usr/bin/env node
// The `bridge` command. Runs the TypeScript sources directly (tsx), so a checkout needs no build step.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../src/cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
