import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { publishProblems, webUrl, workspacePackageDirs } from "./publish-fields.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const fixture = join(here, "__fixtures__", "publish");

describe("the publishing rules", () => {
  it("lists every workspace package directory, private ones included", () => {
    expect(workspacePackageDirs(fixture)).toEqual([
      "packages/bare",
      "packages/good",
      "packages/secret",
      "plugins/stray",
    ]);
  });

  it("passes a complete package and a private one, and names each missing or wrong field of the others", () => {
    expect(publishProblems(fixture)).toEqual([
      'packages/bare/package.json (@acme/bare): "license" must be "Apache-2.0", as the root\'s',
      'packages/bare/package.json (@acme/bare): "repository" is missing: { "type": "git", "url": "git+https://example.org/acme/tree.git", "directory": "packages/bare" }',
      'packages/bare/package.json (@acme/bare): "homepage" must be "https://example.org/acme/tree/tree/main/packages/bare#readme", not undefined',
      'packages/bare/package.json (@acme/bare): "bugs.url" must be "https://example.org/acme/tree/issues", not undefined',
      'packages/bare/package.json (@acme/bare): "files" must list "LICENSE", so the license text is in the published tarball',
      "packages/bare/package.json (@acme/bare): packages/bare/LICENSE is missing: ln -s ../../LICENSE packages/bare/LICENSE",
      'packages/bare/package.json (@acme/bare): "dependencies" names @acme/secret, which is private and never published, so an install from npm would fail',
      'plugins/stray/package.json (@acme/stray): "repository.url" must be the root\'s "git+https://example.org/acme/tree.git", not "git+https://example.org/other.git"',
      'plugins/stray/package.json (@acme/stray): "repository.directory" must be "plugins/stray", not "packages/stray"',
      "plugins/stray/package.json (@acme/stray): plugins/stray/LICENSE differs from the root LICENSE: ln -sf ../../LICENSE plugins/stray/LICENSE",
    ]);
  });

  it("passes the repository itself", () => {
    expect(publishProblems(join(here, "..", "..", ".."))).toEqual([]);
  });

  it("turns the git URL into the web address homepage and bugs use", () => {
    expect(webUrl("git+https://github.com/phobos-mco/phobos.git")).toBe(
      "https://github.com/phobos-mco/phobos",
    );
  });
});
