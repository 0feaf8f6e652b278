// Registers bin/ts-hooks.mjs so `import("./x.ts")` works from here on, with stack traces that point at
// the TypeScript source.
import { register } from "node:module";

process.setSourceMapsEnabled(true);
register("./ts-hooks.mjs", import.meta.url);
