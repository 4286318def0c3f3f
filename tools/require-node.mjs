// Imported first by every entry point the project runs (tests, demo, bench, simulator, token):
// the project runs on Node 24 LTS, which `npm ci` installs as the devDependency `node`, and
// `npm run` puts it first on PATH. Anything started another way may get the machine's own Node.
const REQUIRED_MAJOR = 24;
const major = Number(process.versions.node.split('.')[0]);
if (major < REQUIRED_MAJOR) {
  process.stderr.write(
    `This project runs on Node ${REQUIRED_MAJOR} LTS, but ${process.execPath} is ${process.version}.\n` +
      'Run it through npm (npm run <script>, npx <bin>) so that node_modules/.bin/node comes ' +
      'first on PATH, or call node_modules/.bin/node directly.\n',
  );
  process.exit(1);
}
