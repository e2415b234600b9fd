// custom-elements.json: the elements' public API for IDEs, Storybook and the API page. The
// analyzer reads the JSDoc; the plugins below keep it to what a page author can use.
import ts from 'typescript';

/**
 * Only the element modules are API: the helpers beside them (controllers, renderers) are not
 * exported by the package, and `#private`, `private` and `protected` members (Lit `@state`,
 * the session the element owns) are not for pages.
 */
function publicApiOnly() {
  return {
    name: 'c2c-public-api-only',
    packageLinkPhase({ customElementsManifest }) {
      customElementsManifest.modules = customElementsManifest.modules.filter((mod) =>
        (mod.declarations ?? []).some((d) => d.customElement),
      );
      for (const mod of customElementsManifest.modules) {
        mod.declarations = mod.declarations.filter((d) => d.customElement);
        const kept = new Set(mod.declarations.map((d) => d.name));
        mod.exports = (mod.exports ?? []).filter((e) => kept.has(e.declaration?.name));
        for (const declaration of mod.declarations) {
          declaration.members = (declaration.members ?? []).filter(
            (m) => !m.name.startsWith('#') && m.privacy !== 'private' && m.privacy !== 'protected',
          );
        }
      }
    },
  };
}

/**
 * Type names like `CallMode` or `CallState` mean nothing to an IDE or Storybook reading the
 * manifest; where such an alias is a union of string literals, write the literals out
 * (`'webrtc' | 'callback' | undefined`), resolved with TypeScript's checker from the source.
 */
function expandLiteralUnions() {
  return {
    name: 'c2c-expand-literal-unions',
    packageLinkPhase({ customElementsManifest }) {
      const files = customElementsManifest.modules.map((m) => m.path);
      const program = ts.createProgram(files, {
        target: ts.ScriptTarget.ES2022,
        module: ts.ModuleKind.ESNext,
        moduleResolution: ts.ModuleResolutionKind.Bundler,
        allowImportingTsExtensions: true,
        experimentalDecorators: true,
        noEmit: true,
        strict: true,
      });
      const checker = program.getTypeChecker();
      for (const mod of customElementsManifest.modules) {
        const source = program.getSourceFile(mod.path);
        if (!source) continue;
        for (const declaration of mod.declarations) {
          const node = source.statements.find((s) => ts.isClassDeclaration(s) && s.name?.text === declaration.name);
          if (!node) continue;
          const classType = checker.getTypeAtLocation(node);
          const written = new Map();
          for (const member of declaration.members) {
            if (member.kind !== 'field' || !member.type) continue;
            const symbol = classType.getProperty(member.name);
            if (!symbol) continue;
            const text = literalUnion(checker, checker.getTypeOfSymbolAtLocation(symbol, node));
            if (text) {
              member.type = { text };
              written.set(member.name, text);
            }
          }
          for (const attribute of declaration.attributes ?? []) {
            const text = written.get(attribute.fieldName);
            if (text) attribute.type = { text };
          }
        }
      }
    },
  };
}

/** `'a' | 'b' | undefined` for a union of string literals (and undefined/null), else null. */
function literalUnion(checker, type) {
  if (!type.isUnion()) return null;
  const literals = [];
  const empty = [];
  for (const t of type.types) {
    if (t.isStringLiteral()) literals.push(`'${t.value}'`);
    else if (t.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Null)) empty.push(checker.typeToString(t));
    else return null;
  }
  return [...literals, ...empty].join(' | ');
}

export default {
  globs: ['src/elements/*.ts'],
  exclude: ['src/elements/*.test.ts'],
  outdir: '.',
  litelement: true,
  dependencies: false,
  packagejson: false,
  plugins: [publicApiOnly(), expandLiteralUnions()],
};
