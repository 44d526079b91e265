import js from "@eslint/js";
import tseslint from "typescript-eslint";
import reactHooks from "eslint-plugin-react-hooks";

const browserGlobals = Object.fromEntries(
  ["window", "document", "navigator", "localStorage", "fetch", "Response", "Request", "Headers", "URLSearchParams", "Blob", "atob", "btoa", "HTMLElement", "HTMLInputElement"].map((name) => [name, "readonly"]),
);

// The real effects (the machine's clock, timers, randomness, disk and network) are picked in one place: the node's
// composition root (broker/src/broker.ts) and main.ts; every part below takes them as arguments, so that a test or
// the simulator decides what each part touches.
const REAL_EFFECTS = ["systemClock", "monotonicClock", "systemScheduler", "secureRandomBytes", "nodeFileSystem", "nodeNetwork", "startEventLoopDelayMonitor"];
const realEffectsPattern = {
  group: ["**/runtime/clock", "**/runtime/scheduler", "**/runtime/random", "**/runtime/fs", "**/runtime/network", "**/runtime/event-loop"],
  importNames: REAL_EFFECTS,
  message: "Take the seam as an argument; only the composition root (broker.ts), main.ts and test/helpers/runtime.ts pick the real one.",
};
const brokerSeamImports = [
  ...["node:crypto", "crypto"].map((name) => ({ name, importNames: ["randomBytes", "randomUUID", "randomInt", "getRandomValues"], message: "Draw from the RandomBytes seam (runtime/random.ts)." })),
  ...["node:fs", "fs"].map((name) => ({ name, importNames: ["statfsSync", "statfs"], message: "Use FileSystem.spaceSync (runtime/fs.ts)." })),
  ...["node:timers", "timers"].map((name) => ({ name, message: "Schedule through the Scheduler seam (runtime/scheduler.ts)." })),
  ...["node:net", "net", "node:dns", "dns", "node:dns/promises", "dns/promises", "node:http", "http", "node:https", "https"].map((name) => ({ name, message: "Listen, connect and resolve through the Network seam (runtime/network.ts)." })),
  ...["node:perf_hooks", "perf_hooks"].map((name) => ({ name, message: "Measure the event loop through runtime/event-loop.ts." })),
];

export default tseslint.config(
  { ignores: ["**/node_modules/**", "broker/src/protocol/generated/**", "**/.next/**", "**/dist/**", "next-env.d.ts", "test-results/**", "playwright-report/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-explicit-any": "off",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-constant-condition": ["error", { checkLoops: false }],
    },
  },
  {
    languageOptions: { globals: { process: "readonly", Buffer: "readonly", console: "readonly", setTimeout: "readonly", clearTimeout: "readonly", setInterval: "readonly", clearInterval: "readonly", setImmediate: "readonly", URL: "readonly", TextEncoder: "readonly", TextDecoder: "readonly" } },
  },
  // The broker reaches the clock, timers, randomness, the network and the disk's statistics only through the runtime seams
  // (broker/src/runtime/), so that tests and the simulator can replace every one of them.
  {
    files: ["broker/src/**/*.ts"],
    ignores: ["broker/src/runtime/**"],
    rules: {
      "no-restricted-properties": [
        "error",
        { object: "Date", property: "now", message: "Read the time from the Clock seam (runtime/clock.ts)." },
        { object: "performance", property: "now", message: "Read the time from the Clock seam (runtime/clock.ts)." },
        { object: "process", property: "hrtime", message: "Read the time from the Clock seam (runtime/clock.ts)." },
      ],
      "no-restricted-globals": [
        "error",
        ...["setTimeout", "setInterval", "setImmediate"].map((name) => ({ name, message: "Schedule through the Scheduler seam (runtime/scheduler.ts)." })),
      ],
      "no-restricted-syntax": ["error", { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: "Read the time from the Clock seam (runtime/clock.ts)." }],
      "no-restricted-imports": ["error", { paths: brokerSeamImports, patterns: [realEffectsPattern] }],
    },
  },
  // The composition root and main.ts pick the real effects.
  {
    files: ["broker/src/broker.ts", "broker/src/main.ts"],
    rules: { "no-restricted-imports": ["error", { paths: brokerSeamImports }] },
  },
  // Tests get the real effects from test/helpers/runtime.ts (the runtime's own tests test them); the simulator never uses them.
  {
    files: ["broker/test/**/*.ts", "broker/sim/**/*.ts"],
    ignores: ["broker/test/helpers/runtime.ts", "broker/test/runtime/**"],
    rules: { "no-restricted-imports": ["error", { patterns: [realEffectsPattern] }] },
  },
  // CommonJS config files (dependency-cruiser reads its config with require).
  { files: ["**/*.cjs"], languageOptions: { sourceType: "commonjs", globals: { module: "readonly", require: "readonly" } } },
  // The console's React code: hooks rules, browser globals.
  {
    files: ["app/**/*.{ts,tsx}", "components/**/*.{ts,tsx}", "lib/**/*.{ts,tsx}"],
    plugins: { "react-hooks": reactHooks },
    rules: { "react-hooks/rules-of-hooks": "error", "react-hooks/exhaustive-deps": "warn" },
    languageOptions: { globals: browserGlobals },
  },
  // Playwright fixtures that need no other fixture take an empty pattern.
  { files: ["e2e/**/*.ts"], rules: { "no-empty-pattern": "off" } },
);
