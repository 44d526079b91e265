#!/usr/bin/env node
// tsc keeps import specifiers as written, and the sources import each other without
// extensions ("./reader"), which the bundler-style resolution of tsx and Next accepts but
// Node's ES module loader does not. This rewrites every relative specifier in dist/ to the
// file it names: "./reader" -> "./reader.js", "./generated" -> "./generated/index.js".
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";

const dist = path.resolve(process.argv[2] ?? "dist");
const SPECIFIER = /(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(["'])(\.{1,2}\/[^"']*)\2/g;

function resolved(fromFile, specifier) {
  if (/\.(js|mjs|cjs|json)$/.test(specifier)) return specifier;
  const target = path.resolve(path.dirname(fromFile), specifier);
  if (existsSync(`${target}.js`)) return `${specifier}.js`;
  if (existsSync(path.join(target, "index.js"))) return `${specifier}/index.js`;
  throw new Error(`${path.relative(dist, fromFile)}: cannot resolve ${specifier}`);
}

function* jsFiles(dir) {
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) yield* jsFiles(full);
    else if (name.endsWith(".js")) yield full;
  }
}

let rewritten = 0;
for (const file of jsFiles(dist)) {
  const before = readFileSync(file, "utf8");
  const after = before.replace(SPECIFIER, (_, lead, quote, specifier) => `${lead}${quote}${resolved(file, specifier)}${quote}`);
  if (after !== before) {
    writeFileSync(file, after);
    rewritten++;
  }
}
console.log(`[build] import extensions added in ${rewritten} files under ${path.relative(process.cwd(), dist) || "."}`);
