#!/usr/bin/env node
// Runs a TypeScript entry point from a checkout with no build step (bin/ts-hooks.mjs).
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import "./register-ts.js";

const [entry, ...rest] = process.argv.slice(2);
if (!entry) {
  process.stderr.write("usage: run-ts <file.ts> [args...]\n");
  process.exit(1);
}
process.argv = [process.argv[0], resolve(entry), ...rest];
await import(pathToFileURL(resolve(entry)).href);
