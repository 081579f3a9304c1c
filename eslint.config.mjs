// ESLint for every TypeScript file: the recommended JavaScript and typescript-eslint rules. The
// type-aware rule sets are not enabled, because they build a type-checked program for every run;
// `tsc` in `npm run typecheck` checks the types themselves.

import js from "@eslint/js";
import globals from "globals";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: ["node_modules/", "dist/", ".wrangler/", "worker-configuration.d.ts", "coverage/"],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      // Destructuring a field away to drop it from the rest is the usual idiom; an underscore marks it.
      "@typescript-eslint/no-unused-vars": ["error", { ignoreRestSiblings: true, varsIgnorePattern: "^_", argsIgnorePattern: "^_" }],
    },
  },
  {
    // Tests read nested fields of parsed JSON, YAML, HCL and ONNX documents, where typing every level
    // would add no safety: a wrong path fails the assertion anyway.
    files: ["test/**/*.ts"],
    rules: { "@typescript-eslint/no-explicit-any": "off" },
  },
);
