#!/usr/bin/env node
import { resolve } from "node:path";
// Runs a TypeScript entry point from a checkout with no build step (tsx's ESM loader).
import { pathToFileURL } from "node:url";
import { register } from "tsx/esm/api";

register();
const [entry, ...rest] = process.argv.slice(2);
if (!entry) {
  process.stderr.write("usage: run-ts <file.ts> [args...]\n");
  process.exit(1);
}
process.argv = [process.argv[0], resolve(entry), ...rest];
await import(pathToFileURL(resolve(entry)).href);
