/**
 * The publishing rules of the repo: every public workspace package carries
 * what an npm user needs to know where it comes from and under what terms.
 * The root package.json is the one place the repository URL is written;
 * each package must agree with it, so moving the repository is a one-line
 * change that this check then carries everywhere.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const WORKSPACE_DIRS = ["packages", "plugins", "apps", "tooling"];

/** The repository URL as a web address: `git+https://host/x.git` -> `https://host/x`. */
export function webUrl(gitUrl) {
  return gitUrl.replace(/^git\+/, "").replace(/\.git$/, "");
}

function readJson(path) {
  return JSON.parse(readFileSync(path, "utf8"));
}

function readText(path) {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

/** `packages/core`, `plugins/agent-rpcutil`…: every workspace package directory, sorted. */
export function workspacePackageDirs(root) {
  const dirs = [];
  for (const parent of WORKSPACE_DIRS) {
    let names;
    try {
      names = readdirSync(join(root, parent), { withFileTypes: true });
    } catch {
      continue;
    }
    for (const entry of names) {
      if (entry.isDirectory() && readText(join(root, parent, entry.name, "package.json")) !== undefined)
        dirs.push(`${parent}/${entry.name}`);
    }
  }
  return dirs.sort();
}

/**
 * The problems of the tree at `root`, one sentence each naming the package
 * and the field, with what it should be. Empty when every public package is
 * publishable as the release expects.
 */
export function publishProblems(root) {
  const problems = [];
  const rootPkg = readJson(join(root, "package.json"));
  const repoUrl = rootPkg.repository?.url;
  const license = readText(join(root, "LICENSE"));
  if (typeof repoUrl !== "string") problems.push('package.json (root): "repository.url" is missing');
  if (license === undefined)
    problems.push("LICENSE (root): missing; it holds the license text every package ships");
  if (problems.length > 0) return problems;
  const web = webUrl(repoUrl);

  const pkgs = workspacePackageDirs(root).map((dir) => ({
    dir,
    pkg: readJson(join(root, dir, "package.json")),
  }));
  const privateNames = new Set(pkgs.filter(({ pkg }) => pkg.private).map(({ pkg }) => pkg.name));
  for (const { dir, pkg } of pkgs) {
    if (pkg.private) continue;
    const say = (what) => problems.push(`${dir}/package.json (${pkg.name}): ${what}`);
    if (pkg.license !== rootPkg.license) say(`"license" must be "${rootPkg.license}", as the root's`);
    const repo = pkg.repository;
    if (typeof repo !== "object" || repo === null) {
      say(`"repository" is missing: { "type": "git", "url": "${repoUrl}", "directory": "${dir}" }`);
    } else {
      if (repo.type !== "git") say(`"repository.type" must be "git"`);
      if (repo.url !== repoUrl)
        say(`"repository.url" must be the root's "${repoUrl}", not ${JSON.stringify(repo.url)}`);
      if (repo.directory !== dir)
        say(`"repository.directory" must be "${dir}", not ${JSON.stringify(repo.directory)}`);
    }
    const homepage = `${web}/tree/main/${dir}#readme`;
    if (pkg.homepage !== homepage)
      say(`"homepage" must be "${homepage}", not ${JSON.stringify(pkg.homepage)}`);
    const bugs = `${web}/issues`;
    if (pkg.bugs?.url !== bugs) say(`"bugs.url" must be "${bugs}", not ${JSON.stringify(pkg.bugs?.url)}`);
    if (!Array.isArray(pkg.files) || !pkg.files.includes("LICENSE"))
      say(`"files" must list "LICENSE", so the license text is in the published tarball`);
    const own = readText(join(root, dir, "LICENSE"));
    if (own === undefined) say(`${dir}/LICENSE is missing: ln -s ../../LICENSE ${dir}/LICENSE`);
    else if (own !== license)
      say(`${dir}/LICENSE differs from the root LICENSE: ln -sf ../../LICENSE ${dir}/LICENSE`);
    if (typeof pkg.version !== "string") say(`"version" is missing`);
    for (const field of ["dependencies", "peerDependencies", "optionalDependencies"]) {
      for (const name of Object.keys(pkg[field] ?? {})) {
        if (privateNames.has(name))
          say(
            `"${field}" names ${name}, which is private and never published, so an install from npm would fail`,
          );
      }
    }
  }
  return problems;
}
