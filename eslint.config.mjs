import js from "@eslint/js";
import tseslint from "typescript-eslint";
import reactHooks from "eslint-plugin-react-hooks";

const browserGlobals = Object.fromEntries(
  ["window", "document", "navigator", "localStorage", "fetch", "Response", "Request", "Headers", "URLSearchParams", "Blob", "atob", "btoa", "HTMLElement", "HTMLInputElement"].map((name) => [name, "readonly"]),
);

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
