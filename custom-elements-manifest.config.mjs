export default {
  globs: ['src/elements/*.ts'],
  exclude: ['src/elements/*.test.ts'],
  outdir: '.',
  litelement: true,
  dependencies: false,
  packagejson: false,
};
