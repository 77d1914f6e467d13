// Builds web/dist with Vite. With --if-stale it skips the build when dist is newer than every source file,
// so `npm start` and `npm test` stay fast after the first build.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const web = join(root, 'web');
const distIndex = join(web, 'dist', 'index.html');
const sourceRoots = ['src', 'index.html', 'vite.config.ts', 'public', 'package.json'].map((p) => join(web, p));
const engineRoots = ['form-engine/src', 'workflow-engine/src'].map((p) => join(root, p));

function newestMtime(path) {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

if (!existsSync(join(web, 'index.html'))) {
  console.log('[build-web] no web/index.html yet; nothing to build');
  process.exit(0);
}
if (process.argv.includes('--if-stale') && existsSync(distIndex)) {
  const built = statSync(distIndex).mtimeMs;
  const newest = Math.max(...[...sourceRoots, ...engineRoots].map(newestMtime));
  if (newest <= built) process.exit(0);
}
console.log('[build-web] building web/dist with vite…');
const result = spawnSync(process.execPath, [join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build'], { cwd: web, stdio: 'inherit' });
process.exit(result.status ?? 1);
