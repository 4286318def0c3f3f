// Vitest runs this once before any test: the suite must run on the Node the project ships on.
export function setup(): void {
  const major = Number(process.versions.node.split('.')[0]);
  if (major < 24) {
    throw new Error(
      `Tests must run on Node 24 LTS (npm test puts node_modules/.bin/node first); got ${process.version} at ${process.execPath}`,
    );
  }
}
